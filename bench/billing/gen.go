package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/focus/focussynth"
)

// meteredOfferings are the demo catalog's offerings priced by the hour.
var meteredOfferings = []string{"cloud-vm-gpu", "container-vcpu-hours", "hpc-core-hours", "hpc-gpu-hours"}

// usageGen makes usage record i of the month, the same every time.
type usageGen struct {
	month     time.Time
	depts     []string
	offerings []string
}

func newUsageGen(ctx context.Context, d *db.DB, month time.Time) (*usageGen, error) {
	g := &usageGen{month: month, offerings: meteredOfferings}
	rows, err := d.Query(ctx, "SELECT code FROM departments ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		g.depts = append(g.depts, c)
	}
	if len(g.depts) == 0 {
		return nil, fmt.Errorf("no departments")
	}
	return g, rows.Err()
}

type usageRow struct {
	key, dept, offering, qty string
	at                       time.Time
}

func (g *usageGen) row(i int) usageRow {
	hours := 28 * 24 * 3600
	return usageRow{
		key:      "bench-" + strconv.Itoa(i),
		dept:     g.depts[i%len(g.depts)],
		offering: g.offerings[(i/len(g.depts))%len(g.offerings)],
		qty:      strconv.Itoa(1+i%9) + "." + strconv.Itoa(i%100),
		at:       g.month.Add(time.Duration(i*7919%hours) * time.Second),
	}
}

func (g *usageGen) appendNDJSON(b []byte, i int) []byte {
	r := g.row(i)
	b = append(b, `{"idempotency_key":"`...)
	b = append(b, r.key...)
	b = append(b, `","time":"`...)
	b = r.at.AppendFormat(b, time.RFC3339)
	b = append(b, `","department":"`...)
	b = append(b, r.dept...)
	b = append(b, `","offering":"`...)
	b = append(b, r.offering...)
	b = append(b, `","quantity":"`...)
	b = append(b, r.qty...)
	b = append(b, `","unit":"unit-hour","source":"bench"}`+"\n"...)
	return b
}

// insertRows inserts n rows of cols columns into table with multi-row
// INSERT statements of at most 500 rows, 10,000 rows to a transaction.
func insertRows(ctx context.Context, d *db.DB, table string, cols, n int, args func(i int, out []any) []any) error {
	const chunk, perTx = 500, 10000
	stmt := func(rows int) string {
		return "INSERT INTO " + table + " VALUES " + db.ValueRows(rows, cols)
	}
	full := stmt(chunk)
	buf := make([]any, 0, chunk*cols)
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		err := d.Transact(ctx, func(tx *db.Tx) error {
			for s := start; s < end; s += chunk {
				e := min(s+chunk, end)
				buf = buf[:0]
				for i := s; i < e; i++ {
					buf = args(i, buf)
				}
				q := full
				if e-s != chunk {
					q = stmt(e - s)
				}
				if _, err := tx.Exec(ctx, q, buf...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// floorInsertUsage inserts the same usage rows, one per record, into a
// plain table with no index or constraint, bench_usage_raw.
func floorInsertUsage(ctx context.Context, d *db.DB, g *usageGen, n int) error {
	if _, err := d.Exec(ctx, `CREATE TABLE bench_usage_raw (idempotency_key TEXT, at TIMESTAMP, period TEXT, department TEXT,
		offering TEXT, quantity TEXT, unit TEXT, source TEXT)`); err != nil {
		return err
	}
	period := g.month.Format("2006-01")
	err := insertRows(ctx, d, "bench_usage_raw", 8, n, func(i int, out []any) []any {
		r := g.row(i)
		return append(out, r.key, r.at, period, r.dept, r.offering, r.qty, "unit-hour", "bench")
	})
	return err // the table stays for the GROUP BY floor of the billing run
}

// floorInsertFocus inserts n rows of the columns Engage keeps of a FOCUS
// row into a plain table with no index or constraint, bench_focus_raw.
func floorInsertFocus(ctx context.Context, d *db.DB, month time.Time, n int) error {
	if _, err := d.Exec(ctx, `CREATE TABLE bench_focus_raw (line INTEGER, period TEXT, provider TEXT, billing_account_id TEXT, sub_account_id TEXT,
		sub_account_name TEXT, service_name TEXT, service_category TEXT, resource_id TEXT, resource_name TEXT, charge_category TEXT,
		charge_description TEXT, billed_cost TEXT, effective_cost TEXT, currency TEXT, charge_period_start TIMESTAMP,
		charge_period_end TIMESTAMP, tags TEXT)`); err != nil {
		return err
	}
	period := month.Format("2006-01")
	err := insertRows(ctx, d, "bench_focus_raw", 18, n, func(i int, out []any) []any {
		svc := focussynth.Services[i%len(focussynth.Services)]
		start := month.Add(time.Duration(i%(28*24)) * time.Hour)
		cost := strconv.FormatFloat(float64(i%100000)/1e7+0.00000001, 'f', 11, 64)
		sub := strconv.Itoa(100000000000 + i%73)
		return append(out, i+2, period, "AWS", "123456789012", sub, "Team "+sub[len(sub)-2:], svc.Name, svc.Category,
			"arn:aws:ec2:us-east-1:123456789012:instance/i-"+strconv.FormatInt(int64(1000000000+i), 16), "web-"+strconv.Itoa(i%5000),
			"Usage", "$0.0416 per On Demand Linux t3.medium Instance Hour", cost, cost, "USD", start, start.Add(time.Hour),
			`{"application":"app`+strconv.Itoa(i%40)+`","environment":"prod","business_unit":"bu`+strconv.Itoa(i%9)+`"}`)
	})
	return err // the table stays for the GROUP BY floor of the billing run
}

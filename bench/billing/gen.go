package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/db"
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
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " VALUES ")
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		for k := range rows {
			if k > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
		}
		return sb.String()
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

// floorInsertUsage inserts the same usage rows, as the API would store
// them, into a plain table with no index or constraint.
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
	if err != nil {
		return err
	}
	_, err = d.Exec(ctx, "DROP TABLE bench_usage_raw")
	return err
}

// floorInsertFocus inserts n rows of the columns Engage keeps of a FOCUS
// row into a plain table with no index or constraint.
func floorInsertFocus(ctx context.Context, d *db.DB, month time.Time, n int) error {
	if _, err := d.Exec(ctx, `CREATE TABLE bench_focus_raw (line INTEGER, period TEXT, provider TEXT, billing_account_id TEXT, sub_account_id TEXT,
		sub_account_name TEXT, service_name TEXT, service_category TEXT, resource_id TEXT, resource_name TEXT, charge_category TEXT,
		charge_description TEXT, billed_cost TEXT, effective_cost TEXT, currency TEXT, charge_period_start TIMESTAMP,
		charge_period_end TIMESTAMP, tags TEXT)`); err != nil {
		return err
	}
	period := month.Format("2006-01")
	err := insertRows(ctx, d, "bench_focus_raw", 18, n, func(i int, out []any) []any {
		svc := synthServices[i%len(synthServices)]
		start := month.Add(time.Duration(i%(28*24)) * time.Hour)
		cost := strconv.FormatFloat(float64(i%100000)/1e7+0.00000001, 'f', 11, 64)
		sub := strconv.Itoa(100000000000 + i%73)
		return append(out, i+2, period, "AWS", "123456789012", sub, "Team "+sub[len(sub)-2:], svc.name, svc.category,
			"arn:aws:ec2:us-east-1:123456789012:instance/i-"+strconv.FormatInt(int64(1000000000+i), 16), "web-"+strconv.Itoa(i%5000),
			"Usage", "$0.0416 per On Demand Linux t3.medium Instance Hour", cost, cost, "USD", start, start.Add(time.Hour),
			`{"application":"app`+strconv.Itoa(i%40)+`","environment":"prod","business_unit":"bu`+strconv.Itoa(i%9)+`"}`)
	})
	if err != nil {
		return err
	}
	_, err = d.Exec(ctx, "DROP TABLE bench_focus_raw")
	return err
}

// synthHeader is the FOCUS 1.0 layout of the FinOps Foundation sample (43
// columns) plus an x_ column.
const synthHeader = "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart," +
	"ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory," +
	"CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,CommitmentDiscountType,ConsumedQuantity,ConsumedUnit," +
	"ContractedCost,ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity," +
	"PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName," +
	"SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags,x_Operation\n"

var synthServices = []struct{ name, category, unit string }{
	{"Amazon Elastic Compute Cloud", "Compute", "Hours"},
	{"Amazon Simple Storage Service", "Storage", "GB-Mo"},
	{"Elastic Load Balancing", "Networking", "LCU-Hours"},
	{"Amazon Relational Database Service", "Databases", "Hours"},
}

// appendSynthRow appends a realistic FOCUS row i (about 700 bytes) of the
// month. Every row is distinct; costs have 11 decimals like real exports.
func appendSynthRow(b []byte, month time.Time, i int) []byte {
	svc := synthServices[i%len(synthServices)]
	start := month.Add(time.Duration(i%(28*24)) * time.Hour)
	end := start.Add(time.Hour)
	next := month.AddDate(0, 1, 0)
	cost := strconv.FormatFloat(float64(i%100000)/1e7+0.00000001, 'f', 11, 64)
	qty := strconv.Itoa(1 + i%7)
	sub := strconv.Itoa(100000000000 + i%73)
	b = append(b, "us-east-1a,"...)
	b = append(b, cost...)
	b = append(b, ",123456789012,Acme Payer,USD,"...)
	b = next.AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = month.AppendFormat(b, time.RFC3339)
	b = append(b, ",Usage,,"...)
	b = append(b, `"$0.0416 per On Demand Linux t3.medium Instance Hour",Usage-Based,`...)
	b = end.AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = start.AppendFormat(b, time.RFC3339)
	b = append(b, ",,,,,,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.unit...)
	b = append(b, ',')
	b = append(b, cost...)
	b = append(b, ",0.0416,"...)
	b = append(b, cost...)
	b = append(b, ",Amazon Web Services Inc.,"...)
	b = append(b, cost...)
	b = append(b, ",0.0416,Standard,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.unit...)
	b = append(b, ",AWS,Amazon Web Services Inc.,us-east-1,US East (N. Virginia),arn:aws:ec2:us-east-1:123456789012:instance/i-"...)
	b = strconv.AppendInt(b, int64(1000000000+i), 16)
	b = append(b, ",web-"...)
	b = strconv.AppendInt(b, int64(i%5000), 10)
	b = append(b, ",Instance,"...)
	b = append(b, svc.category...)
	b = append(b, ',')
	b = append(b, svc.name...)
	b = append(b, ",G95FST5FTYV3JSRX,G95FST5FTYV3JSRX.JRTCKXETXF.6YS6EN2CT7,"...)
	b = append(b, sub...)
	b = append(b, ",Team "...)
	b = append(b, sub[len(sub)-2:]...)
	b = append(b, `,"{""application"": ""app`...)
	b = strconv.AppendInt(b, int64(i%40), 10)
	b = append(b, `"", ""environment"": ""prod"", ""business_unit"": ""bu`...)
	b = strconv.AppendInt(b, int64(i%9), 10)
	b = append(b, `""}",RunInstances`...)
	b = append(b, '\n')
	return b
}

// synthStream generates a FOCUS CSV of n rows while it is read, so that a
// file of any size is imported without ever being in memory.
type synthStream struct {
	n, i    int
	month   time.Time
	buf     []byte
	off     int
	started bool
}

func (s *synthStream) Read(p []byte) (int, error) {
	if s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
		if !s.started {
			s.buf = append(s.buf, synthHeader...)
			s.started = true
		}
		for k := 0; k < 64 && s.i < s.n; k++ {
			s.buf = appendSynthRow(s.buf, s.month, s.i)
			s.i++
		}
		if len(s.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

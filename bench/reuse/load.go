package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// Loading: the needs go straight into the tables in large transactions, a
// thousand rows a statement. What the front door's rules would write and
// the reuse index reads is there: each need has a reference counted per
// year ("need" counter) and a distinct search_seq taken from the
// "need-search" counter, as each change of a need takes one, so that the
// index loads them; decided needs have their options and the chosen one.
// Their histories (need_events) are left out: suggestions do not read them.

const rowsPerStatement = 1000

// reserve takes k consecutive values of a counter in tx and returns the
// first. The counter row stays locked until tx commits, as with
// db.NextNumber.
func reserve(ctx context.Context, tx *db.Tx, name string, year, k int) (int64, error) {
	var last int64
	err := tx.QueryRow(ctx, "UPDATE counters SET value = value + ? WHERE name = ? AND year = ? RETURNING value", k, name, year).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.Exec(ctx, "INSERT INTO counters(name, year, value) VALUES (?, ?, ?)", name, year, k); err != nil {
			return 0, fmt.Errorf("starting counter %s %d: %w", name, year, err)
		}
		return 1, nil
	} else if err != nil {
		return 0, fmt.Errorf("advancing counter %s %d: %w", name, year, err)
	}
	return last - int64(k) + 1, nil
}

type person struct{ id, department int64 }

type offering struct {
	id    int64
	title string
}

// needRow is one generated need.
type needRow struct {
	title, problem, outcome string
	requester               person
	users                   int
	class, state            string
	created, since          time.Time
	option                  *optionRow
}

type optionRow struct {
	kind, title, vendor string
	offering            int64
	oneTime, monthly    string
}

// generateNeed writes the i-th of n needs, written between from and to in
// order: old ones are mostly finished, recent ones still open.
func generateNeed(r *rand.Rand, i, n int, from, to time.Time, people []person, offerings []offering) needRow {
	created := from.Add(time.Duration(float64(to.Sub(from)) * (float64(i) + r.Float64()) / float64(n)))
	title, problem, outcome, t := needText(r)
	row := needRow{title: title, problem: problem, outcome: outcome, requester: pick(r, people), users: 1 + r.IntN(200),
		class: pick(r, []string{"internal", "internal", "confidential", "confidential", "restricted", "public"}), created: created}
	if to.Sub(created) > 120*24*time.Hour {
		row.state = []string{"closed", "closed", "closed", "closed", "closed", "rejected", "rejected", "withdrawn", "delivered", "in_delivery"}[r.IntN(10)]
	} else {
		row.state = []string{"draft", "submitted", "triage", "assessment", "decision", "approved", "in_delivery", "closed", "rejected", "withdrawn"}[r.IntN(10)]
	}
	row.since = created.Add(time.Duration(r.Float64() * float64(min(to.Sub(created), 90*24*time.Hour))))
	decided := row.state == "approved" || row.state == "in_delivery" || row.state == "delivered" || (row.state == "closed" && r.IntN(5) > 0)
	if decided {
		o := &optionRow{kind: []string{"reuse", "reuse", "reuse", "reuse", "reuse", "buy", "buy", "build", "broker"}[r.IntN(9)],
			oneTime: fmt.Sprintf("%d.00", 1000*r.IntN(40)), monthly: fmt.Sprintf("%d.00", 10*(5+r.IntN(500)))}
		switch o.kind {
		case "reuse":
			off := pick(r, offerings)
			o.offering, o.title, o.oneTime = off.id, "Reuse "+off.title, "0.00"
		case "build":
			o.title, o.vendor = "Build "+pick(r, t.things), "Solution delivery team"
		default:
			o.vendor = pick(r, t.vendors)
			o.title = o.vendor + " " + strings.ToLower(pick(r, t.subjects))
		}
		row.option = o
	}
	return row
}

// loadNeeds inserts n needs written over the five years before now.
func loadNeeds(ctx context.Context, d *db.DB, n, perTx int, seed uint64, now time.Time, progress func(done int)) error {
	people, err := readPeople(ctx, d)
	if err != nil {
		return err
	}
	offerings, err := readOfferings(ctx, d)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 4))
	from, to := now.AddDate(-5, 0, 0), now.AddDate(0, 0, -1)
	for start := 0; start < n; start += perTx {
		count := min(perTx, n-start)
		rows := make([]needRow, count)
		for k := range rows {
			rows[k] = generateNeed(r, start+k, n, from, to, people, offerings)
		}
		if err := d.Transact(ctx, func(tx *db.Tx) error { return insertNeeds(ctx, tx, rows) }); err != nil {
			return err
		}
		progress(start + count)
	}
	return nil
}

func insertNeeds(ctx context.Context, tx *db.Tx, rows []needRow) error {
	seq, err := reserve(ctx, tx, "need-search", 0, len(rows))
	if err != nil {
		return err
	}
	perYear := map[int]int{}
	for _, row := range rows {
		perYear[row.created.Year()]++
	}
	number := map[int]int64{}
	for y, k := range perYear {
		if number[y], err = reserve(ctx, tx, "need", y, k); err != nil {
			return err
		}
	}
	const cols = 18
	for lo := 0; lo < len(rows); lo += rowsPerStatement {
		chunk := rows[lo:min(lo+rowsPerStatement, len(rows))]
		args := make([]any, 0, cols*len(chunk))
		for k, row := range chunk {
			y := row.created.Year()
			ref := fmt.Sprintf("NEED-%d-%04d", y, number[y])
			number[y]++
			var submitted any
			if row.state != "draft" {
				submitted = row.created.Add(time.Hour)
			}
			args = append(args, ref, row.title, row.problem, row.outcome, "", row.requester.id, row.requester.department, row.users,
				row.class, "EUR", row.state, row.since, submitted, seq+int64(lo+k), 1, row.created, row.since, "")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO needs(reference, title, problem, outcome, processes, requester_id, department_id, users,
			data_class, currency, state, state_since, submitted_at, search_seq, version, created_at, updated_at, decision_reason) VALUES `+
			db.ValueRows(len(chunk), cols), args...); err != nil {
			return fmt.Errorf("inserting needs: %w", err)
		}
	}
	// The options of decided needs, and the choice.
	ids := make([]int64, len(rows))
	res, err := tx.Query(ctx, "SELECT id, search_seq FROM needs WHERE search_seq BETWEEN ? AND ?", seq, seq+int64(len(rows))-1)
	if err != nil {
		return err
	}
	for res.Next() {
		var id, s int64
		if err := res.Scan(&id, &s); err != nil {
			res.Close()
			return err
		}
		ids[s-seq] = id
	}
	res.Close()
	if err := res.Err(); err != nil {
		return err
	}
	const ocols = 11
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO need_options(need_id, kind, title, offering_id, vendor, currency, one_time, monthly, delivery_days,
			data_ceiling, created_at) VALUES `+db.ValueRows(len(args)/ocols, ocols), args...)
		args = args[:0]
		return err
	}
	for k, row := range rows {
		o := row.option
		if o == nil {
			continue
		}
		var off any
		if o.offering != 0 {
			off = o.offering
		}
		args = append(args, ids[k], o.kind, o.title, off, o.vendor, "EUR", o.oneTime, o.monthly, 30, "confidential", row.since)
		if len(args)/ocols == rowsPerStatement {
			if err := flush(); err != nil {
				return fmt.Errorf("inserting options: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("inserting options: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE needs SET decision_option_id = (SELECT MAX(o.id) FROM need_options o WHERE o.need_id = needs.id),
		decided_at = state_since WHERE search_seq BETWEEN ? AND ? AND EXISTS (SELECT 1 FROM need_options o WHERE o.need_id = needs.id)`,
		seq, seq+int64(len(rows))-1); err != nil {
		return fmt.Errorf("recording decisions: %w", err)
	}
	return nil
}

func readPeople(ctx context.Context, d *db.DB) ([]person, error) {
	rows, err := d.Query(ctx, "SELECT id, department_id FROM people WHERE department_id IS NOT NULL ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.department); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("no people to write needs: load the demo first")
	}
	return out, rows.Err()
}

func readOfferings(ctx context.Context, d *db.DB) ([]offering, error) {
	rows, err := d.Query(ctx, "SELECT o.id, s.name, o.name FROM offerings o JOIN services s ON s.id = o.service_id ORDER BY o.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []offering
	for rows.Next() {
		var o offering
		var service, name string
		if err := rows.Scan(&o.id, &service, &name); err != nil {
			return nil, err
		}
		o.title = service + " — " + name
		out = append(out, o)
	}
	return out, rows.Err()
}

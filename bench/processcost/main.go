// Command processcost measures recomputing what every process and customer
// journey costs after a billing run: it fills a fresh database (SQLite in a
// temporary directory, or a new schema of the PostgreSQL database given
// with -database-url) with departments, catalog services, a process tree,
// weighted process ↔ service links, 36 months of statements and a cost
// pool a month, then times processcost.Service.Recompute for one month in
// a transaction of its own (as the billing run calls it, at the end of its
// transaction), and the reads that follow: the map's month and one
// process's page (13 months).
//
//	go run ./bench/processcost                               # SQLite
//	go run ./bench/processcost -database-url postgres://…    # PostgreSQL
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
)

func main() {
	processes := flag.Int("processes", 2000, "processes (one value stream per 100)")
	services := flag.Int("services", 5000, "catalog services")
	links := flag.Int("links", 20000, "process ↔ service links")
	departments := flag.Int("departments", 20, "departments")
	perDept := flag.Int("lines", 250, "statement lines per department and month")
	months := flag.Int("months", 36, "months of statements")
	runs := flag.Int("runs", 5, "recomputes of the last month")
	databaseURL := flag.String("database-url", "", "a PostgreSQL database to measure in (a fresh schema); SQLite when empty")
	flag.Parse()
	if err := run(*processes, *services, *links, *departments, *perDept, *months, *runs, *databaseURL); err != nil {
		fmt.Fprintln(os.Stderr, "processcost:", err)
		os.Exit(2)
	}
}

const width = 44

func run(processes, services, links, departments, perDept, months, runs int, databaseURL string) error {
	ctx := context.Background()
	t := time.Now()
	a, closeApp, err := benchkit.Open(ctx, databaseURL, "processcost")
	if err != nil {
		return err
	}
	defer closeApp()
	benchkit.Step(width, "open and migrate", t)
	t = time.Now()
	periods, err := fill(ctx, a, processes, services, links, departments, perDept, months)
	if err != nil {
		return err
	}
	benchkit.Step(width, fmt.Sprintf("fill (%d lines)", departments*perDept*months), t)
	last := periods[len(periods)-1]
	sys := access.System("benchmark")
	t = time.Now()
	if _, err := a.Costs.CreatePool(ctx, sys, costs.PoolInput{Period: last, Category: "labour", Name: "Operations", Amount: decimal.NewFromInt(2_500_000),
		Currency: "EUR", Allocation: &costs.PoolAllocationInput{Method: costs.MethodChargedAmount}}); err != nil {
		return err
	}
	benchkit.Step(width, "a cost pool for "+last, t)
	var times []time.Duration
	for i := 0; i < runs; i++ {
		t, cpu := time.Now(), benchkit.ProcessCPU()
		if err := a.DB.Transact(ctx, func(tx *db.Tx) error { return a.ProcessCosts.Recompute(ctx, tx, last) }); err != nil {
			return err
		}
		times = append(times, benchkit.Step(width, fmt.Sprintf("recompute %s (run %d)", last, i+1), t))
		fmt.Printf("%-*s %9s\n", width, "  CPU time of this process", (benchkit.ProcessCPU() - cpu).Round(time.Millisecond))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("%-*s %9s (max %s)\n", width, "recompute, median", times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	t = time.Now()
	m, err := a.ProcessCosts.Map(ctx, sys, last)
	if err != nil {
		return err
	}
	benchkit.Step(width, fmt.Sprintf("the map's month (%d processes)", len(m.Processes)), t)
	t = time.Now()
	if _, err := a.ProcessCosts.ProcessCost(ctx, sys, 1, last); err != nil {
		return err
	}
	benchkit.Step(width, "a value stream's page (13 months, computed)", t)
	t = time.Now()
	if _, err := a.ProcessCosts.ProcessCost(ctx, sys, 1, last); err != nil {
		return err
	}
	benchkit.Step(width, "the same page again", t)
	fmt.Printf("%-*s %9s\n", width, "peak RSS", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// fill writes the register, the catalog's services and the statements
// straight into the tables, in statements of up to 500 rows.
func fill(ctx context.Context, a *app.App, processes, services, links, departments, perDept, months int) ([]string, error) {
	rng := rand.New(rand.NewSource(15))
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	var periods []string
	for i := 0; i < months; i++ {
		periods = append(periods, time.Date(2023, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"))
	}
	return periods, a.DB.Transact(ctx, func(tx *db.Tx) error {
		insert := func(table, columns string, width int, rows [][]any) error {
			for len(rows) > 0 {
				n := min(len(rows), 500)
				var args []any
				for _, r := range rows[:n] {
					args = append(args, r...)
				}
				if _, err := tx.Exec(ctx, "INSERT INTO "+table+"("+columns+") VALUES "+db.ValueRows(n, width), args...); err != nil {
					return fmt.Errorf("filling %s: %w", table, err)
				}
				rows = rows[n:]
			}
			return nil
		}
		var rows [][]any
		for i := 1; i <= departments; i++ {
			rows = append(rows, []any{i, fmt.Sprintf("D%03d", i), fmt.Sprintf("Department %d", i), now, now})
		}
		if err := insert("departments", "id, code, name, created_at, updated_at", 5, rows); err != nil {
			return err
		}
		rows = nil
		for i := 1; i <= services; i++ {
			rows = append(rows, []any{i, fmt.Sprintf("service-%d", i), fmt.Sprintf("Service %d", i), "technical", "compute", "built", "live", "cloud",
				"internal", "standard", now, now})
		}
		if err := insert("services", "id, slug, name, kind, family, sourcing, lifecycle, delivery_model, data_ceiling, arch_status, created_at, updated_at",
			12, rows); err != nil {
			return err
		}
		rows = nil
		streams := max(processes/100, 1)
		for i := 1; i <= processes; i++ {
			var parent any
			kind := "value_stream"
			if i > streams {
				kind, parent = "process", int64(1+rng.Intn(i-1))
			}
			rows = append(rows, []any{i, parent, kind, fmt.Sprintf("p-%d", i), fmt.Sprintf("Process %d", i), now, now})
		}
		if err := insert("processes", "id, parent_id, kind, ref, name, created_at, updated_at", 7, rows); err != nil {
			return err
		}
		rows = nil
		seen := map[[2]int]bool{}
		for len(rows) < links {
			k := [2]int{streams + 1 + rng.Intn(processes-streams), 1 + rng.Intn(services)}
			if seen[k] {
				continue
			}
			seen[k] = true
			rows = append(rows, []any{k[0], k[1], decimal.New(int64(100+rng.Intn(5900)), -2).String()})
		}
		if err := insert("process_services", "process_id, service_id, weight", 3, rows); err != nil {
			return err
		}
		for _, period := range periods {
			if _, err := tx.Exec(ctx, "INSERT INTO billing_periods(period, state) VALUES (?, 'closed')", period); err != nil {
				return err
			}
			var lines [][]any
			for d := 1; d <= departments; d++ {
				var id int64
				total := decimal.Zero
				amounts := make([]decimal.Decimal, perDept)
				for i := range amounts {
					amounts[i] = decimal.New(int64(1000+rng.Intn(5_000_000)), -2)
					total = total.Add(amounts[i])
				}
				if err := tx.QueryRow(ctx, `INSERT INTO statements(period, department_id, currency, mode, total, generated_at, line_count)
					VALUES (?, ?, 'EUR', 'chargeback', ?, ?, ?) RETURNING id`, period, d, total.String(), now, perDept).Scan(&id); err != nil {
					return err
				}
				for i, amount := range amounts {
					lines = append(lines, []any{id, i + 1, "subscription", 1 + rng.Intn(services), "a line", "1", amount.String(), amount.String()})
				}
			}
			if err := insert("statement_lines", "statement_id, position, kind, service_id, description, quantity, exact_amount, amount", 8, lines); err != nil {
				return err
			}
		}
		return nil
	})
}

// Command communityrules measures the re-evaluation of communities'
// membership rules when people move: -move people change location, and
// the rules of every community are evaluated again for them (what the
// organisation's observer does inside the move's transaction).
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of the PostgreSQL database given with
// -database-url) without the demo, and builds an organisation of -people
// people over -locations locations, -functions business functions and
// -departments departments (in a tree three levels deep), and
// -communities communities: a fifth with a location rule, a tenth with a
// function rule, two fifths with a department rule, the rest joined by
// hand only. The first evaluation of every rule for everyone is timed too.
// Then, -rounds times, -move people chosen at random move to another
// location: once as a bulk update followed by PeopleChanged in the same
// transaction (the re-evaluation alone), and once through the organisation
// CSV import of those people (the whole path an administrator takes).
//
//	go run ./bench/communityrules                              # SQLite
//	go run ./bench/communityrules -database-url postgres://…   # PostgreSQL
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

type options struct {
	people, locations, functions, departments, communities, move, rounds int
	databaseURL                                                          string
}

const width = 58

func main() {
	var o options
	flag.IntVar(&o.people, "people", 50000, "people in the organisation")
	flag.IntVar(&o.locations, "locations", 40, "locations")
	flag.IntVar(&o.functions, "functions", 20, "business functions")
	flag.IntVar(&o.departments, "departments", 120, "departments")
	flag.IntVar(&o.communities, "communities", 200, "communities")
	flag.IntVar(&o.move, "move", 1000, "people who move in each round")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds of moves")
	flag.StringVar(&o.databaseURL, "database-url", "", "a PostgreSQL URL; SQLite when empty")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "communityrules:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	t := time.Now()
	a, closeApp, err := benchkit.Open(ctx, o.databaseURL, "communityrules")
	if err != nil {
		return err
	}
	defer closeApp()
	engine := "SQLite"
	if o.databaseURL != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("engine %s, %d people, %d communities, %d moving per round\n", engine, o.people, o.communities, o.move)
	benchkit.Step(width, "open and migrate", t)
	sys := access.System("communityrules")
	rng := rand.New(rand.NewPCG(14, 22))

	t = time.Now()
	var locs, fns, depts []int64
	for i := range o.locations {
		l, err := a.Org.CreateLocation(ctx, sys, org.LocationInput{Code: fmt.Sprintf("L%03d", i), Name: fmt.Sprintf("Site %d", i), Country: "GB"})
		if err != nil {
			return err
		}
		locs = append(locs, l.ID)
	}
	for i := range o.functions {
		f, err := a.Org.CreateFunction(ctx, sys, org.FunctionInput{Code: fmt.Sprintf("F%03d", i), Name: fmt.Sprintf("Function %d", i)})
		if err != nil {
			return err
		}
		fns = append(fns, f.ID)
	}
	for i := range o.departments {
		in := org.DepartmentInput{Code: fmt.Sprintf("D%03d", i), Name: fmt.Sprintf("Department %d", i)}
		if i >= 10 { // ten at the top, the others below one of the earlier
			in.ParentID = depts[rng.IntN(min(i, 40))]
		}
		d, err := a.Org.CreateDepartment(ctx, sys, in)
		if err != nil {
			return err
		}
		depts = append(depts, d.ID)
	}
	benchkit.Step(width, "locations, functions, departments", t)

	t = time.Now()
	now := time.Now().UTC()
	err = a.DB.Transact(ctx, func(tx *db.Tx) error {
		const rows = 400
		for start := 0; start < o.people; start += rows {
			n := min(rows, o.people-start)
			args := make([]any, 0, n*9)
			for i := start; i < start+n; i++ {
				args = append(args, fmt.Sprintf("p%06d@example.com", i), fmt.Sprintf("Person %d", i), depts[rng.IntN(len(depts))],
					locs[rng.IntN(len(locs))], fns[rng.IntN(len(fns))], true, 1, now, now)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO people(email, name, department_id, location_id, function_id, active, version, created_at, updated_at)
				VALUES `+db.ValueRows(n, 9), args...); err != nil {
				return err
			}
		}
		return nil
	}, db.BulkWrite())
	if err != nil {
		return fmt.Errorf("inserting people: %w", err)
	}
	benchkit.Step(width, fmt.Sprintf("%d people (bulk insert)", o.people), t)

	// Communities first, rules after: each AddRule evaluates its rule for
	// everyone, which is the first evaluation timed below.
	t = time.Now()
	type rule struct {
		id int64
		in community.RuleInput
	}
	var rules []rule
	for i := range o.communities {
		c, err := a.Communities.Create(ctx, sys, community.Input{Slug: fmt.Sprintf("c%03d", i), Name: fmt.Sprintf("Community %d", i), Kind: community.KindProduct})
		if err != nil {
			return err
		}
		switch {
		case i%10 < 2:
			rules = append(rules, rule{c.ID, community.RuleInput{Kind: community.RuleLocation, RefID: locs[i%len(locs)]}})
		case i%10 == 2:
			rules = append(rules, rule{c.ID, community.RuleInput{Kind: community.RuleFunction, RefID: fns[i%len(fns)]}})
		case i%10 < 7:
			rules = append(rules, rule{c.ID, community.RuleInput{Kind: community.RuleDepartment, RefID: depts[i%len(depts)]}})
		}
	}
	benchkit.Step(width, fmt.Sprintf("%d communities", o.communities), t)
	t = time.Now()
	for _, r := range rules {
		if _, err := a.Communities.AddRule(ctx, sys, r.id, r.in); err != nil {
			return err
		}
	}
	benchkit.Step(width, fmt.Sprintf("%d rules, each evaluated for everyone", len(rules)), t)
	var members int
	if err := a.DB.QueryRow(ctx, "SELECT COUNT(*) FROM community_members WHERE by_rule").Scan(&members); err != nil {
		return err
	}
	fmt.Printf("%-*s %9d\n", width, "members by rule", members)
	t = time.Now()
	if err := a.Communities.Reevaluate(ctx, sys); err != nil {
		return err
	}
	benchkit.Step(width, "every rule for everyone again (nothing changes)", t)

	everyone, err := db.QueryIDs(ctx, a.DB, "SELECT id FROM people ORDER BY id")
	if err != nil {
		return err
	}
	var direct, imported []time.Duration
	for round := range o.rounds {
		movers := pick(rng, everyone, o.move)
		// The re-evaluation alone, in the move's transaction.
		var took time.Duration
		err := a.DB.Transact(ctx, func(tx *db.Tx) error {
			for chunk := range slices.Chunk(movers, 400) {
				for _, id := range chunk {
					if _, err := tx.Exec(ctx, "UPDATE people SET location_id = ? WHERE id = ?", locs[rng.IntN(len(locs))], id); err != nil {
						return err
					}
				}
			}
			s := time.Now()
			err := a.Communities.PeopleChanged(ctx, tx, movers)
			took = time.Since(s)
			return err
		})
		if err != nil {
			return err
		}
		direct = append(direct, took)
		benchkit.Step(width, fmt.Sprintf("round %d: re-evaluation of %d moved people", round+1, len(movers)), time.Now().Add(-took))
		// The whole path: the organisation CSV import of the movers.
		movers = pick(rng, everyone, o.move)
		csv, err := importCSV(ctx, a.DB, rng, movers, o)
		if err != nil {
			return err
		}
		s := time.Now()
		if _, err := a.Org.Import(ctx, sys, "people", strings.NewReader(csv)); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		took = time.Since(s)
		imported = append(imported, took)
		benchkit.Step(width, fmt.Sprintf("round %d: CSV import moving %d people, rules included", round+1, len(movers)), s)
	}
	slices.Sort(direct)
	slices.Sort(imported)
	fmt.Printf("%-*s %9s\n", width, "re-evaluation after a move: median", direct[len(direct)/2].Round(time.Millisecond))
	fmt.Printf("%-*s %9s\n", width, "re-evaluation after a move: worst", direct[len(direct)-1].Round(time.Millisecond))
	fmt.Printf("%-*s %9s\n", width, "CSV import with re-evaluation: median", imported[len(imported)/2].Round(time.Millisecond))
	fmt.Printf("%-*s %9s\n", width, "peak RSS", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// pick chooses n distinct ids at random.
func pick(rng *rand.Rand, ids []int64, n int) []int64 {
	out := slices.Clone(ids)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	out = out[:min(n, len(out))]
	slices.Sort(out)
	return out
}

// importCSV is a people CSV moving each of ids to a random location,
// department and function.
func importCSV(ctx context.Context, d *db.DB, rng *rand.Rand, ids []int64, o options) (string, error) {
	var b strings.Builder
	b.WriteString("email,name,department_code,location_code,function_code,active\n")
	for chunk := range slices.Chunk(ids, 400) {
		rows, err := d.Query(ctx, "SELECT email, name FROM people WHERE id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var email, name string
			if err := rows.Scan(&email, &name); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(&b, "%s,%s,D%03d,L%03d,F%03d,true\n", email, name, rng.IntN(o.departments), rng.IntN(o.locations), rng.IntN(o.functions))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/search"
)

// explain breaks a suggestion down into its parts, without HTTP, to show
// where the time goes: the catalog search, the query with which the front
// door brings its reuse index up to date (at most once a second), and the
// search of the needs index itself. For the last it builds an index like
// the front door's (same fields, boosts and tags) and searches it as the
// front door does (one "listed" tag, only the page asked for) and, for
// comparison, counting every match with that tag, with any of the nine
// state tags that mean the same, and with no filter, one query at a time
// and from as many goroutines as there are clients.
func explain(ctx context.Context, a *app.App, p *access.Principal, qs []string, limit, clients int) error {
	fmt.Println()
	fmt.Println("Where the time goes (in process, no HTTP):")
	timeEach := func(what string, fn func(q string) error) error {
		lat := make([]time.Duration, 0, len(qs))
		for _, q := range qs {
			t := time.Now()
			if err := fn(q); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
		}
		fmt.Printf("  %-58s %s\n", what, describe(lat))
		return nil
	}
	if err := timeEach("FrontDoor.Suggest, one at a time", func(q string) error {
		_, err := a.FrontDoor.Suggest(ctx, p, q, "", limit)
		return err
	}); err != nil {
		return err
	}
	if err := timeEach("  of which the catalog search (Catalog.ListServices)", func(q string) error {
		_, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: q, Limit: limit})
		return err
	}); err != nil {
		return err
	}
	var seen int64
	if err := a.DB.QueryRow(ctx, "SELECT COALESCE(MAX(search_seq), 0) FROM needs").Scan(&seen); err != nil {
		return err
	}
	if err := timeEach("  and the index refresh query (nothing new; once a second)", func(string) error {
		rows, err := a.DB.Query(ctx, `SELECT n.reference, n.title, n.problem, n.outcome, n.processes, n.state, n.department_id, d.name,
			COALESCE(o.kind, ''), COALESCE(o.title, ''), n.search_seq
			FROM needs n JOIN departments d ON d.id = n.department_id LEFT JOIN need_options o ON o.id = n.decision_option_id
			WHERE n.search_seq > ? ORDER BY n.search_seq`, seen)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return rows.Err()
	}); err != nil {
		return err
	}

	t := time.Now()
	ix, err := needsIndex(ctx, a)
	if err != nil {
		return err
	}
	fmt.Printf("  %-58s %s\n", "a copy of the needs index built in", time.Since(t).Round(time.Millisecond))
	states := []string{"state:submitted", "state:triage", "state:assessment", "state:decision", "state:approved", "state:in_delivery",
		"state:delivered", "state:closed", "state:rejected"}
	variants := []struct {
		name string
		q    func(text string) search.Query
	}{
		{"needs index, the front door's query (one tag, the page only)", func(text string) search.Query {
			return search.Query{Text: text, Kinds: []string{"need"}, Limit: limit + 1, Require: []string{"listed"}, SkipTotal: true}
		}},
		{"needs index, one tag, counting every match", func(text string) search.Query {
			return search.Query{Text: text, Kinds: []string{"need"}, Limit: limit + 1, Require: []string{"listed"}}
		}},
		{"needs index, any of 9 state tags, counting every match", func(text string) search.Query {
			return search.Query{Text: text, Kinds: []string{"need"}, Limit: limit + 1, AnyOf: [][]string{states}}
		}},
		{"needs index, no filter, counting every match", func(text string) search.Query {
			return search.Query{Text: text, Kinds: []string{"need"}, Limit: limit + 1}
		}},
	}
	var matched int
	for _, q := range qs {
		matched += ix.Search(variants[1].q(q)).Total
	}
	fmt.Printf("  %-58s %d of %d\n", "needs matching a text, on average", matched/len(qs), ix.Len())
	for _, v := range variants {
		if err := timeEach(v.name, func(q string) error {
			ix.Search(v.q(q))
			return nil
		}); err != nil {
			return err
		}
	}
	for _, v := range variants[:3] {
		lat, elapsed := parallelSearch(ix, qs, v.q, clients, 3*time.Second)
		fmt.Printf("  %-58s %s; %.0f searches/s\n", v.name[len("needs index, "):]+", "+strconv.Itoa(clients)+" goroutines", describe(lat),
			float64(len(lat))/elapsed.Seconds())
	}
	return nil
}

// needsIndex builds an index of the stored needs as the front door does:
// fields, boosts and tags, "listed" on the needs its suggestions may show.
func needsIndex(ctx context.Context, a *app.App) (*search.Index, error) {
	rows, err := a.DB.Query(ctx, "SELECT reference, title, problem, outcome, processes, state, department_id FROM needs")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ix := search.New()
	for rows.Next() {
		var ref, title, problem, outcome, processes, state string
		var dept int64
		if err := rows.Scan(&ref, &title, &problem, &outcome, &processes, &state, &dept); err != nil {
			return nil, err
		}
		tags := []string{"state:" + state, "department:" + strconv.FormatInt(dept, 10)}
		if state != "draft" && state != "withdrawn" {
			tags = append(tags, "listed")
		}
		ix.Put(search.Doc{ID: ref, Kind: "need", Tags: tags, Fields: []search.Field{{Name: "title", Text: title, Boost: 3},
			{Name: "problem", Text: problem + " " + outcome, Boost: 1}, {Name: "processes", Text: processes, Boost: 1}}})
	}
	return ix, rows.Err()
}

func parallelSearch(ix *search.Index, qs []string, q func(string) search.Query, workers int, d time.Duration) ([]time.Duration, time.Duration) {
	var mu sync.Mutex
	var all []time.Duration
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var lat []time.Duration
			for i := w; time.Since(start) < d; i++ {
				t := time.Now()
				ix.Search(q(qs[i%len(qs)]))
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, time.Since(start)
}

func describe(lat []time.Duration) string {
	slices.Sort(lat)
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	r := result{lat: lat}
	return fmt.Sprintf("mean %s, p50 %s, p99 %s", ms(sum/time.Duration(max(len(lat), 1))), ms(r.quantile(0.5)), ms(r.quantile(0.99)))
}

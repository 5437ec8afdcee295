package frontdoor

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/search"
)

// The reuse index holds every need's words in memory, like the catalog's.
// Each change of a need takes a new value of the "need-search" sequence in
// its transaction (the counter row is locked until commit, so values are
// handed out in commit order); each replica asks for needs with a higher
// value than it has seen, so updates are incremental and a replica never
// rebuilds the whole index after the first load.

func nextSeq(ctx context.Context, tx db.Querier) (int64, error) {
	return db.NextNumber(ctx, tx, "need-search", 0)
}

type needIndex struct {
	mu    sync.Mutex
	index *search.Index
	seen  int64
	// summaries of every need, for suggestions across departments.
	summaries map[string]NeedMatch
}

// refreshIndex brings the index up to date with the database.
func (f *FrontDoor) refreshIndex(ctx context.Context) error {
	ix := &f.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.index == nil {
		ix.index, ix.summaries = search.New(), map[string]NeedMatch{}
	}
	rows, err := f.DB.Query(ctx, `SELECT n.reference, n.title, n.problem, n.outcome, n.processes, n.state, n.department_id, d.name,
		COALESCE(o.kind, ''), COALESCE(o.title, ''), n.search_seq
		FROM needs n JOIN departments d ON d.id = n.department_id LEFT JOIN need_options o ON o.id = n.decision_option_id
		WHERE n.search_seq > ? ORDER BY n.search_seq`, ix.seen)
	if err != nil {
		return fmt.Errorf("reading needs for the reuse index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m NeedMatch
		var problem, outcome, processes string
		var seq int64
		if err := rows.Scan(&m.Reference, &m.Title, &problem, &outcome, &processes, &m.State, &m.DepartmentID, &m.DepartmentName,
			&m.DecisionKind, &m.Decision, &seq); err != nil {
			return err
		}
		ix.seen = max(ix.seen, seq)
		ix.summaries[m.Reference] = m
		ix.index.Put(search.Doc{ID: m.Reference, Kind: "need", Tags: []string{"state:" + m.State, "department:" + strconv.FormatInt(m.DepartmentID, 10)},
			Fields: []search.Field{{Name: "title", Text: m.Title, Boost: 3}, {Name: "problem", Text: problem + " " + outcome, Boost: 1},
				{Name: "processes", Text: processes, Boost: 1}}})
	}
	return rows.Err()
}

// NeedMatch is an earlier need that resembles a new one.
type NeedMatch struct {
	Reference      string  `json:"reference"`
	Title          string  `json:"title"`
	DepartmentID   int64   `json:"department_id"`
	DepartmentName string  `json:"department_name"`
	State          string  `json:"state"`
	DecisionKind   string  `json:"decision_kind,omitempty" doc:"reuse, buy, build or broker, once decided"`
	Decision       string  `json:"decision,omitempty" doc:"The chosen option"`
	Score          float64 `json:"score"`
}

// Suggestions are what already exists for a need: catalog services (with
// who uses them and what they cost) and earlier needs from every
// department with their decisions.
type Suggestions struct {
	Services []catalog.ServiceCard `json:"services" nullable:"false"`
	Needs    []NeedMatch           `json:"needs" nullable:"false"`
}

// Suggest finds services and earlier needs matching text, best first.
// exclude leaves out one need (the one being written).
func (f *FrontDoor) Suggest(ctx context.Context, p *access.Principal, text, exclude string, limit int) (Suggestions, error) {
	if limit <= 0 || limit > 20 {
		limit = 5
	}
	out := Suggestions{Services: []catalog.ServiceCard{}, Needs: []NeedMatch{}}
	if text == "" {
		return out, nil
	}
	page, err := f.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: text, Limit: limit})
	if err != nil {
		return out, err
	}
	out.Services = page.Cards
	if err := f.refreshIndex(ctx); err != nil {
		return out, err
	}
	f.index.mu.Lock()
	ix, summaries := f.index.index, f.index.summaries
	f.index.mu.Unlock()
	res := ix.Search(search.Query{Text: text, Kinds: []string{"need"}, Limit: limit + 1,
		AnyOf: [][]string{{"state:submitted", "state:triage", "state:assessment", "state:decision", "state:approved", "state:in_delivery",
			"state:delivered", "state:closed", "state:rejected"}}})
	for _, h := range res.Hits {
		if h.ID == exclude || len(out.Needs) == limit {
			continue
		}
		f.index.mu.Lock()
		m := summaries[h.ID]
		f.index.mu.Unlock()
		m.Score = h.Score
		out.Needs = append(out.Needs, m)
	}
	return out, nil
}

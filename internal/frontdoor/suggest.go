package frontdoor

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

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
//
// Suggestions are asked for on every keystroke, so they do not ask the
// database each time: a replica checks for changed needs at most once per
// checkEvery, and while one caller does, the others search the index as it
// is. A change made through this replica marks the index stale, so the next
// suggestion waits for it to be read: a person sees what they just wrote.
// Changes made elsewhere (another replica, an approval decided in another
// package's transaction) show within checkEvery.

// checkEvery is how often the reuse index asks the database for changes.
const checkEvery = time.Second

// listedTag marks the needs that suggestions may show: every need but
// drafts (private to their department) and withdrawn ones. One tag keeps
// the filter to a single check per matching need.
const listedTag = "listed"

func listed(state State) bool { return state != Draft && state != Withdrawn }

func nextSeq(ctx context.Context, tx db.Querier) (int64, error) {
	return db.NextNumber(ctx, tx, "need-search", 0)
}

// needIndex is the front door's reuse index and what keeps it current.
type needIndex struct {
	mu sync.Mutex
	// current is nil until the first load completes.
	current *reuseIndex
	// seen is the highest search_seq in current.
	seen int64
	// checked is when the last refresh began.
	checked time.Time
	// written counts changes made through this replica; refreshed is its
	// value when the last successful refresh began.
	written, refreshed uint64
	// loading is closed when the refresh in flight ends; nil when none.
	loading chan struct{}
}

// reuseIndex is the searchable words of every need and what suggestions
// show of each.
type reuseIndex struct {
	search *search.Index

	mu        sync.RWMutex
	summaries map[string]NeedMatch
}

func (r *reuseIndex) summary(ref string) (NeedMatch, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.summaries[ref]
	return m, ok
}

// changed tells the reuse index that a need was written through this
// replica (after the transaction committed), so that the next suggestion
// reads it first.
func (f *Service) changed() {
	ix := &f.index
	ix.mu.Lock()
	ix.written++
	ix.mu.Unlock()
}

// LoadIndex builds the reuse index, or brings it up to date. Suggest does
// so when needed; calling it at start spares the first suggestions the
// wait of a first build.
func (f *Service) LoadIndex(ctx context.Context) error {
	_, err := f.reuseIndex(ctx)
	return err
}

// reuseIndex returns the reuse index, refreshing it first when it was
// never loaded, when a need was written through this replica since the
// last refresh began, or when the last check is older than checkEvery. In
// the last case, when another caller is already refreshing, it returns the
// index as it is without waiting.
func (f *Service) reuseIndex(ctx context.Context) (*reuseIndex, error) {
	ix := &f.index
	ix.mu.Lock()
	for {
		current := ix.current != nil && ix.written == ix.refreshed
		if current && time.Since(ix.checked) < checkEvery {
			r := ix.current
			ix.mu.Unlock()
			return r, nil
		}
		if ix.loading == nil {
			break
		}
		if current {
			r := ix.current
			ix.mu.Unlock()
			return r, nil
		}
		// The refresh in flight may have begun before the change this
		// caller must see: wait for it, then look again.
		wait := ix.loading
		ix.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		ix.mu.Lock()
	}
	done := make(chan struct{})
	ix.loading = done
	r, seen, written := ix.current, ix.seen, ix.written
	ix.checked = time.Now()
	ix.mu.Unlock()

	fresh := r == nil
	if fresh {
		r = &reuseIndex{search: search.New(), summaries: map[string]NeedMatch{}}
	}
	last, err := f.readNeeds(ctx, r, seen)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.loading = nil
	close(done)
	if err != nil {
		// An index already in use keeps what was read: seen says how far.
		if !fresh {
			ix.seen = last
		}
		ix.checked = time.Time{}
		return nil, err
	}
	ix.current, ix.seen, ix.refreshed = r, last, written
	return r, nil
}

// readNeeds puts the needs changed after search_seq seen into r and
// returns the highest search_seq put.
func (f *Service) readNeeds(ctx context.Context, r *reuseIndex, seen int64) (int64, error) {
	rows, err := f.DB.Query(ctx, `SELECT n.reference, n.title, n.problem, n.outcome, n.processes, n.state, n.department_id, d.name,
		COALESCE(o.kind, ''), COALESCE(o.title, ''), n.search_seq
		FROM needs n JOIN departments d ON d.id = n.department_id LEFT JOIN need_options o ON o.id = n.decision_option_id
		WHERE n.search_seq > ? ORDER BY n.search_seq`, seen)
	if err != nil {
		return seen, fmt.Errorf("reading needs for the reuse index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m NeedMatch
		var problem, outcome, processes string
		var seq int64
		if err := rows.Scan(&m.Reference, &m.Title, &problem, &outcome, &processes, &m.State, &m.DepartmentID, &m.DepartmentName,
			&m.DecisionKind, &m.Decision, &seq); err != nil {
			return seen, fmt.Errorf("reading needs for the reuse index: %w", err)
		}
		tags := []string{"state:" + string(m.State), "department:" + strconv.FormatInt(m.DepartmentID, 10)}
		if listed(m.State) {
			tags = append(tags, listedTag)
		}
		// The summary goes first, so that a search finding the need
		// always finds what to show of it.
		r.mu.Lock()
		r.summaries[m.Reference] = m
		r.mu.Unlock()
		r.search.Put(search.Doc{ID: m.Reference, Kind: "need", Tags: tags,
			Fields: []search.Field{{Name: "title", Text: m.Title, Boost: 3}, {Name: "problem", Text: problem + " " + outcome, Boost: 1},
				{Name: "processes", Text: processes, Boost: 1}}})
		seen = max(seen, seq)
	}
	if err := rows.Err(); err != nil {
		return seen, fmt.Errorf("reading needs for the reuse index: %w", err)
	}
	return seen, nil
}

// NeedMatch is an earlier need that resembles a new one.
type NeedMatch struct {
	Reference      string  `json:"reference"`
	Title          string  `json:"title"`
	DepartmentID   int64   `json:"department_id"`
	DepartmentName string  `json:"department_name"`
	State          State   `json:"state"`
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
func (f *Service) Suggest(ctx context.Context, p *access.Principal, text, exclude string, limit int) (Suggestions, error) {
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
	r, err := f.reuseIndex(ctx)
	if err != nil {
		return out, err
	}
	res := r.search.Search(search.Query{Text: text, Kinds: []string{"need"}, Require: []string{listedTag}, Limit: limit + 1, SkipTotal: true})
	for _, h := range res.Hits {
		if h.ID == exclude || len(out.Needs) == limit {
			continue
		}
		m, ok := r.summary(h.ID)
		if !ok || !listed(m.State) {
			// Changed since the search began.
			continue
		}
		m.Score = h.Score
		out.Needs = append(out.Needs, m)
	}
	return out, nil
}

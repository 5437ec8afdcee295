package frontdoor

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/waiting"
)

// ListFilter narrows a list of needs.
type ListFilter struct {
	State        State
	DepartmentID int64
	Mine         bool // written or sponsored by me
	Queue        bool // waiting for me: my triage, my reviews, the board's decisions
	Overdue      bool
	ProcessID    int64 // only needs linked to this process of the register
	Query        string
	Limit        int
	Cursor       string
}

// List returns the needs the person may see, newest first; a queue lists
// overdue needs first, then the oldest in their stage.
func (f *Service) List(ctx context.Context, p *access.Principal, lf ListFilter) ([]Need, string, error) {
	if p == nil {
		return nil, "", engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return nil, "", err
	}
	where := []string{cond}
	if lf.Mine {
		where = append(where, "(n.requester_id = ? OR n.sponsor_id = ?)")
		args = append(args, p.PersonID, p.PersonID)
	}
	if lf.State != "" {
		where = append(where, "n.state = ?")
		args = append(args, lf.State)
	}
	if lf.DepartmentID != 0 {
		where = append(where, "n.department_id = ?")
		args = append(args, lf.DepartmentID)
	}
	if lf.ProcessID != 0 {
		where = append(where, "n.id IN (SELECT need_id FROM need_processes WHERE process_id = ?)")
		args = append(args, lf.ProcessID)
	}
	if q := strings.TrimSpace(lf.Query); q != "" {
		where = append(where, `(LOWER(n.title) LIKE ? ESCAPE '\' OR LOWER(n.reference) LIKE ? ESCAPE '\')`)
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		args = append(args, like, like)
	}
	if lf.Queue {
		queue, more := queueOf(p)
		if queue == "" {
			return []Need{}, "", nil
		}
		where = append(where, queue)
		args = append(args, more...)
	}
	cur, err := paging.Decode(lf.Cursor)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		where = append(where, "n.id < ?")
		args = append(args, cur.ID)
	}
	limit := paging.Limit(lf.Limit)
	if lf.Queue || lf.Overdue {
		limit = paging.MaxLimit // sorted by urgency in Go below
	}
	rows, err := f.DB.Query(ctx, "SELECT "+needColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY n.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing needs: %w", err)
	}
	defer rows.Close()
	out := []Need{}
	for rows.Next() {
		n, err := scanNeed(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading needs: %w", err)
		}
		f.stamp(&n)
		if lf.Queue && !f.waitsFor(p, &n) {
			continue
		}
		if lf.Overdue && !n.Overdue {
			continue
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := paging.Trim(out, limit, func(n Need) paging.Cursor { return paging.Cursor{ID: n.ID} })
	if lf.Queue || lf.Overdue {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Overdue != out[j].Overdue {
				return out[i].Overdue
			}
			return out[i].StateSince.Before(out[j].StateSince)
		})
		next = ""
	}
	return out, next, nil
}

// queueOf is the condition "in a stage p's queue holds", or "" when p's
// queue holds none: BRMs' and administrators' stages, the board's
// decisions, and the needs still waiting for a kind of review p records.
// waitsFor narrows it to the needs that wait for p.
func queueOf(p *access.Principal) (string, []any) {
	var states []State
	var waits []string
	var args []any
	if p.Has(access.BRM) || p.IsAdmin() {
		states = append(states, Submitted, Triage, Assessment, Approved, InDelivery)
	}
	if p.Has(access.PortfolioBoard) {
		states = append(states, Decision)
	}
	if len(states) > 0 {
		waits = append(waits, "n.state IN ("+db.Placeholders(len(states))+")")
		for _, st := range states {
			args = append(args, st)
		}
	}
	// A reviewer's queue is the needs still waiting for their kind of review.
	if review, kinds := awaitsReviewBy(p); review != "" {
		waits = append(waits, review)
		args = append(args, kinds...)
	}
	if len(waits) == 0 {
		return "", nil
	}
	return "(" + strings.Join(waits, " OR ") + ")", args
}

// waitsForCond is waitsFor as an SQL condition on the need n.
func waitsForCond(p *access.Principal) (string, []any) {
	var brm []string
	var args []any
	switch {
	case p.IsAdmin():
		brm = append(brm, "1 = 1")
	case p.Has(access.BRM):
		brm = append(brm, "n.brm_id = ?")
		args = append(args, p.PersonID)
		if len(p.BRMFor) > 0 {
			brm = append(brm, "n.department_id IN ("+db.Placeholders(len(p.BRMFor))+")")
			args = append(args, db.Args(p.BRMFor)...)
		}
	default:
		brm = append(brm, "1 = 0")
	}
	isBRM := "(" + strings.Join(brm, " OR ") + ")"
	cond := "((n.state IN (?, ?, ?, ?) AND " + isBRM + ") OR (n.state = ? AND (" + isBRM
	all := append([]any{Submitted, Triage, Approved, InDelivery}, args...)
	all = append(append(all, Assessment), args...)
	if p.HasAny(access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance) {
		cond += " OR 1 = 1"
	}
	cond += "))"
	if p.Has(access.PortfolioBoard) {
		cond += " OR (n.state = ? AND n.approval_request_id IS NULL)"
		all = append(all, Decision)
	}
	return cond + ")", all
}

// WaitingCount is how many needs wait for p, as WaitingFor lists them: one
// count, for the navigation's badge on every page.
func (f *Service) WaitingCount(ctx context.Context, p *access.Principal) (int, error) {
	if p == nil {
		return 0, nil
	}
	queue, args := queueOf(p)
	if queue == "" {
		return 0, nil
	}
	cond, more, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return 0, err
	}
	waits, also := waitsForCond(p)
	var n int
	err = f.DB.QueryRow(ctx, "SELECT COUNT(*) FROM needs n WHERE "+cond+" AND "+queue+" AND "+waits, append(append(more, args...), also...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting the needs waiting: %w", err)
	}
	return n, nil
}

// waitsFor reports whether the need waits for something the person does.
func (f *Service) waitsFor(p *access.Principal, n *Need) bool {
	switch n.State {
	case Submitted, Triage, Approved, InDelivery:
		return isBRM(p, n)
	case Assessment:
		if isBRM(p, n) {
			return true
		}
		for _, k := range ReviewKinds {
			if p.Has(reviewerRole[k]) {
				return true
			}
		}
	case Decision:
		return p.Has(access.PortfolioBoard) && n.ApprovalID == 0
	}
	return false
}

// GateAnswer says whether delivery work for a need may proceed.
type GateAnswer struct {
	Reference string `json:"reference"`
	Allowed   bool   `json:"allowed"`
	State     State  `json:"state,omitempty"`
	Reason    string `json:"reason" doc:"A fixed sentence for the state; a rejection's own reason only for those who may read the need"`
	Title     string `json:"title,omitempty" doc:"Shown to those who may read the need"`
}

// Gate answers for a reference: allowed exactly when the need is approved
// or in delivery. Anyone signed in may ask, and a token limited to the gate
// (access.ScopeGate, for delivery pipelines) may ask nothing else. The
// answer is the same minimal one for everyone who may not read the need —
// the reference, allowed, the state and a fixed sentence for it — since
// references are sequential and the gate must not become a way to read
// other departments' needs; the title and a rejection's reason are only for
// those who may read the need.
func (f *Service) Gate(ctx context.Context, p *access.Principal, ref string) (GateAnswer, error) {
	if p == nil {
		return GateAnswer{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	ref = strings.ToUpper(strings.TrimSpace(ref))
	a := GateAnswer{Reference: ref}
	n, err := findNeed(ctx, f.DB, "n.reference = ?", ref)
	reader := false
	if err == nil {
		reader, err = f.canRead(ctx, f.DB, p, &n)
	}
	if err == nil && !reader && privateDraft(&n) {
		// Someone else's draft is as unknown as a reference never given.
		err = notFound(ref)
	}
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		a.Reason = "Unknown reference: no need " + ref + " came through the front door. Ask the requester to submit it first."
		return a, nil
	} else if err != nil {
		return a, err
	}
	a.State = n.State
	if reader {
		a.Title = n.Title
	}
	switch n.State {
	case Approved, InDelivery:
		a.Allowed, a.Reason = true, "Approved: work may proceed."
	case Draft, Submitted, Triage, Assessment, Decision:
		a.Reason = "Not yet decided: the need is " + strings.ToLower(StateLabels[n.State]) + "."
	case Rejected:
		a.Reason = "Rejected."
		if !reader {
			break
		}
		a.Reason = "Rejected: " + n.DecisionReason
		if ev, err := loadEvents(ctx, f.DB, n.ID); err == nil && len(ev) > 0 {
			a.Reason = "Rejected: " + ev[len(ev)-1].Reason
		}
	case Withdrawn:
		a.Reason = "Withdrawn by the requester."
	case Delivered:
		a.Reason = "Delivered: the work is done and waits for the requester's acceptance."
	case Closed:
		a.Reason = "Closed: no further work."
	}
	return a, nil
}

// NeedsDashboard is the front door at a glance.
type NeedsDashboard struct {
	ByState      map[State]int              `json:"by_state"`
	ByDepartment []DepartmentCount          `json:"by_department" nullable:"false"`
	TimeInStage  []StageTime                `json:"time_in_stage" nullable:"false"`
	DecisionMix  map[string]int             `json:"decision_mix" doc:"reuse, buy, build, broker, rejected"`
	SavedByReuse map[string]decimal.Decimal `json:"saved_by_reuse" doc:"Per currency: for each reuse decision, the cheapest other option's three-year cost minus the reuse option's"`
	Overdue      []Need                     `json:"overdue" nullable:"false"`
	Total        int                        `json:"total"`

	// The headline figures: needs open now (submitted and not yet closed,
	// rejected or withdrawn), and, for the days from From to Until (the
	// current quarter unless asked), the needs the board decided and what
	// reuse saved in those decisions.
	Open         int                        `json:"open"`
	From         time.Time                  `json:"from" doc:"Start of the range, included"`
	Until        time.Time                  `json:"until" doc:"End of the range, excluded"`
	Decided      int                        `json:"decided" doc:"Needs decided by the board in the range"`
	SavedInRange map[string]decimal.Decimal `json:"saved_in_range" doc:"Per currency: what reuse saved in the decisions of the range"`
}

// QuarterOf returns the calendar quarter holding t, in t's location.
func QuarterOf(t time.Time) (from, until time.Time) {
	first := time.Month((int(t.Month())-1)/3*3 + 1)
	from = time.Date(t.Year(), first, 1, 0, 0, 0, 0, t.Location())
	return from, from.AddDate(0, 3, 0)
}

// DepartmentCount counts needs of a department by state.
type DepartmentCount struct {
	DepartmentID   int64         `json:"department_id"`
	DepartmentName string        `json:"department_name"`
	Total          int           `json:"total"`
	ByState        map[State]int `json:"by_state"`
}

// StageTime is how long needs spent in a stage, in hours.
type StageTime struct {
	State       State   `json:"state"`
	Count       int     `json:"count"`
	MedianHours float64 `json:"median_hours"`
	P90Hours    float64 `json:"p90_hours"`
}

// NeedsDashboard counts the needs the person may see.
func (f *Service) Dashboard(ctx context.Context, p *access.Principal) (NeedsDashboard, error) {
	from, until := QuarterOf(f.Clock.Now().UTC())
	return f.DashboardBetween(ctx, p, from, until)
}

// DashboardBetween is Dashboard with the headline's decisions counted from
// from (included) to until (excluded).
func (f *Service) DashboardBetween(ctx context.Context, p *access.Principal, from, until time.Time) (NeedsDashboard, error) {
	if !until.After(from) {
		return NeedsDashboard{}, engage.Errorf(engage.EINVALID, "The range ends before it starts: choose a last day on or after the first.")
	}
	needs, err := f.allVisible(ctx, p)
	if err != nil {
		return NeedsDashboard{}, err
	}
	d := NeedsDashboard{ByState: map[State]int{}, DecisionMix: map[string]int{}, SavedByReuse: map[string]decimal.Decimal{}, Overdue: []Need{}, Total: len(needs),
		From: from, Until: until, SavedInRange: map[string]decimal.Decimal{}}
	inRange := map[int64]bool{} // needs decided in the range
	inside := func(t *time.Time) bool { return t != nil && !t.Before(from) && t.Before(until) }
	byDept := map[int64]*DepartmentCount{}
	visible := map[int64]bool{}
	for i := range needs {
		n := &needs[i]
		visible[n.ID] = true
		d.ByState[n.State]++
		if n.State != Draft && !Final(n.State) {
			d.Open++
		}
		if n.DecisionOptionID != 0 && inside(n.DecidedAt) {
			inRange[n.ID] = true
			d.Decided++
		}
		dc := byDept[n.DepartmentID]
		if dc == nil {
			dc = &DepartmentCount{DepartmentID: n.DepartmentID, DepartmentName: n.DepartmentName, ByState: map[State]int{}}
			byDept[n.DepartmentID] = dc
		}
		dc.Total++
		dc.ByState[n.State]++
		if n.Overdue {
			d.Overdue = append(d.Overdue, *n)
		}
		if n.State == Rejected {
			d.DecisionMix["rejected"]++
		}
	}
	for _, dc := range byDept {
		d.ByDepartment = append(d.ByDepartment, *dc)
	}
	sort.Slice(d.ByDepartment, func(i, j int) bool { return d.ByDepartment[i].DepartmentName < d.ByDepartment[j].DepartmentName })
	sort.Slice(d.Overdue, func(i, j int) bool { return d.Overdue[i].StateSince.Before(d.Overdue[j].StateSince) })

	// Decisions and savings: the chosen option against the others.
	rows, err := f.DB.Query(ctx, `SELECT n.id, o.id, o.kind, o.currency, o.one_time, o.monthly, n.decision_option_id FROM needs n
		JOIN need_options o ON o.need_id = n.id WHERE n.decision_option_id IS NOT NULL AND n.state IN (?, ?, ?, ?)`, Approved, InDelivery, Delivered, Closed)
	if err != nil {
		return d, fmt.Errorf("reading decisions: %w", err)
	}
	type opt struct {
		id             int64
		kind, currency string
		three          decimal.Decimal
	}
	options := map[int64][]opt{}
	chosen := map[int64]int64{}
	for rows.Next() {
		var needID, chosenID int64
		var o opt
		var oneTime, monthly decimal.Decimal
		if err := rows.Scan(&needID, &o.id, &o.kind, &o.currency, &oneTime, &monthly, &chosenID); err != nil {
			rows.Close()
			return d, err
		}
		if !visible[needID] {
			continue
		}
		o.three = ThreeYear(oneTime, monthly)
		options[needID] = append(options[needID], o)
		chosen[needID] = chosenID
	}
	rows.Close()
	for needID, opts := range options {
		i := slices.IndexFunc(opts, func(o opt) bool { return o.id == chosen[needID] })
		if i < 0 {
			continue
		}
		c := opts[i]
		d.DecisionMix[c.kind]++
		if c.kind != "reuse" {
			continue
		}
		var cheapest *decimal.Decimal
		for _, o := range opts {
			if o.kind != "reuse" && o.currency == c.currency && (cheapest == nil || o.three.LessThan(*cheapest)) {
				v := o.three
				cheapest = &v
			}
		}
		if cheapest != nil && cheapest.GreaterThan(c.three) {
			d.SavedByReuse[c.currency] = d.SavedByReuse[c.currency].Add(cheapest.Sub(c.three))
			if inRange[needID] {
				d.SavedInRange[c.currency] = d.SavedInRange[c.currency].Add(cheapest.Sub(c.three))
			}
		}
	}

	// Time in each stage, from the history: the time from entering a state
	// to the next event that changed it.
	evRows, err := f.DB.Query(ctx, `SELECT need_id, to_state, at FROM need_events WHERE from_state <> to_state ORDER BY need_id, id`)
	if err != nil {
		return d, fmt.Errorf("reading history: %w", err)
	}
	durations := map[State][]float64{}
	var lastNeed int64
	var lastState State
	var lastAt time.Time
	for evRows.Next() {
		var needID int64
		var state State
		var at time.Time
		if err := evRows.Scan(&needID, &state, &at); err != nil {
			evRows.Close()
			return d, err
		}
		if needID == lastNeed && lastState != "" && visible[needID] {
			durations[lastState] = append(durations[lastState], at.Sub(lastAt).Hours())
		}
		lastNeed, lastState, lastAt = needID, state, at
	}
	evRows.Close()
	for _, s := range States {
		ds := durations[s]
		if len(ds) == 0 {
			continue
		}
		sort.Float64s(ds)
		d.TimeInStage = append(d.TimeInStage, StageTime{State: s, Count: len(ds), MedianHours: quantile(ds, 0.5), P90Hours: quantile(ds, 0.9)})
	}
	return d, nil
}

// quantile of sorted values, nearest rank.
func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (f *Service) allVisible(ctx context.Context, p *access.Principal) ([]Need, error) {
	var all []Need
	cursor := ""
	for {
		page, next, err := f.List(ctx, p, ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

// WaitingFor lists the needs in p's work queue (List with Queue) as items
// of the one "waiting for you" list, saying what each waits for.
func (f *Service) WaitingFor(ctx context.Context, p *access.Principal) ([]waiting.Item, error) {
	needs, _, err := f.List(ctx, p, ListFilter{Queue: true})
	if err != nil {
		return nil, err
	}
	reviewer := p.HasAny(access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance)
	out := make([]waiting.Item, 0, len(needs))
	for _, n := range needs {
		it := waiting.Item{Reference: n.Reference, Title: n.Title, Link: "/needs/" + n.Reference, Since: n.StateSince, Overdue: n.Overdue,
			Detail: "Asked by " + n.RequesterName + " for " + n.DepartmentName}
		switch n.State {
		case Submitted, Triage:
			it.Kind, it.Action = waiting.KindTriage, "Triage it"
		case Assessment:
			it.Kind, it.Action = waiting.KindReview, "Gather the reviews and options"
			if reviewer {
				it.Action = "Review it"
			}
		case Decision:
			it.Kind, it.Action = waiting.KindDecision, "Decide it, for the portfolio board"
		default:
			it.Kind, it.Action = waiting.KindDelivery, "Follow it into delivery"
		}
		out = append(out, it)
	}
	return out, nil
}

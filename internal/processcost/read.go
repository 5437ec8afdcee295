package processcost

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/rating"
)

// MayRead reports whether p may see any cost of processes: those who may
// read some department's statements.
func MayRead(p *access.Principal) bool { return p != nil && !p.GateOnly() && p.ReadsStatements() }

// SeesAll reports whether p sees every department's part, the unclaimed
// part and the cost from the cost pools: finance, the board and admins.
func SeesAll(p *access.Principal) bool { return p != nil && !p.GateOnly() && p.SeesAllDepartments() }

// sees reports whether p may see the stored figure k.
func sees(p *access.Principal, k key) bool {
	if SeesAll(p) {
		return true
	}
	return k.basis == Charged && billing.CanReadStatements(p, k.dept)
}

// Viewer names what p sees of costs, for what is drawn once and shown to
// everyone who sees the same: "" for no cost at all, "all" for every
// department, otherwise the departments p reads the statements of as BRM
// and as budget holder.
func Viewer(p *access.Principal) string {
	switch {
	case !MayRead(p):
		return ""
	case SeesAll(p):
		return "all"
	}
	var b []byte
	if p.Has(access.BRM) {
		b = append(b, "brm"...)
		for _, id := range p.BRMFor {
			b = strconv.AppendInt(append(b, ' '), id, 10)
		}
	}
	if p.Has(access.BudgetHolder) {
		b = append(b, ";heads"...)
		for _, id := range p.Heads {
			b = strconv.AppendInt(append(b, ' '), id, 10)
		}
	}
	return string(b)
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if !MayRead(p) {
		return engage.Errorf(engage.EFORBIDDEN,
			"What processes cost follows the statements behind it: it is for departments' budget holders, their BRMs, finance, the board and administrators.")
	}
	return nil
}

// CostAmount is an amount in one currency.
type CostAmount struct {
	Currency string          `json:"currency"`
	Amount   decimal.Decimal `json:"amount" doc:"With the currency's minor unit (\"190.00\")"`
}

// MarshalJSON writes the amount with the currency's minor unit.
func (m CostAmount) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Currency string `json:"currency"`
		Amount   string `json:"amount"`
	}{m.Currency, rating.FixedAmount(m.Amount, m.Currency)})
}

// amounts is money per currency while adding up.
type amounts map[string]decimal.Decimal

func (a amounts) list() []CostAmount {
	out := make([]CostAmount, 0, len(a))
	for c, v := range a {
		out = append(out, CostAmount{c, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// CostMonth is one month of figures.
type CostMonth struct {
	Period  string       `json:"period" example:"2026-03"`
	Label   string       `json:"label" example:"March 2026"`
	Charged []CostAmount `json:"charged" nullable:"false" doc:"One per currency: the share of the statements"`
	Cost    []CostAmount `json:"cost" nullable:"false" doc:"One per currency: the share of the services' cost from the cost pools; empty for those who do not see it"`
}

// Total returns the month's charged figure in currency.
func (m CostMonth) Total(currency string) decimal.Decimal {
	for _, a := range m.Charged {
		if a.Currency == currency {
			return a.Amount
		}
	}
	return decimal.Zero
}

// CostFigures is what a process, a journey or the unclaimed part cost in a
// month, with the trend of the months before it.
type CostFigures struct {
	Subject    string       `json:"subject" enum:"process,journey,unclaimed"`
	ID         int64        `json:"id,omitempty"`
	Ref        string       `json:"ref,omitempty"`
	Name       string       `json:"name"`
	CostMonth               // rolled up
	OwnCharged []CostAmount `json:"own_charged" nullable:"false" doc:"A process's own share, without the processes below it"`
	OwnCost    []CostAmount `json:"own_cost" nullable:"false"`
	Processes  int          `json:"processes" doc:"How many processes are counted (itself and those below it, each once)"`
	Trend      []CostMonth  `json:"trend" nullable:"false" doc:"The months ending with period, oldest first, rolled up"`
	Currencies []string     `json:"currencies" nullable:"false"`
	Partial    bool         `json:"partial" doc:"Only the departments whose statements you may read are counted"`
	SeesCost   bool         `json:"sees_cost" doc:"Whether the cost from the cost pools is shown"`
	// Recomputing are the months whose figures are being computed again
	// after a change (links, register, cost pools): shown as last stored.
	Recomputing []string `json:"recomputing" nullable:"false" doc:"Months of the trend being recomputed after a change (links, register, cost pools); their figures are as last computed, meanwhile"`
}

// TrendMonths is how many months a trend shows.
const TrendMonths = billing.TrendMonths

// months lists n periods ending with through, oldest first.
func months(through string, n int) ([]string, error) {
	per, err := billing.ParsePeriod(through)
	if err != nil {
		return nil, err
	}
	end := per.Start()
	out := make([]string, n)
	for i := range out {
		out[i] = time.Date(end.Year(), end.Month()-time.Month(n-1-i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	return out, nil
}

// Period returns period, or when it is empty the newest month with
// statements (the current month when there are none).
func (s *Service) Period(ctx context.Context, period string) (string, error) {
	if period != "" {
		if _, err := billing.ParsePeriod(period); err != nil {
			return "", err
		}
		return period, nil
	}
	latest, err := billing.LatestStatementPeriod(ctx, s.DB)
	if err != nil || latest != "" {
		return latest, err
	}
	return billing.PeriodOf(s.Clock.Now()), nil
}

// stored is the stored own figures of some months, as p may see them.
type stored struct {
	byPeriod map[string]map[int64]map[string]amounts // period → process → basis → currency
	partial  bool
	// recomputing are the periods whose figures wait to be computed
	// again: what is stored (if anything) is shown meanwhile.
	recomputing []string
}

// load reads the own figures of processes (every process when nil; 0 is the
// unclaimed part) for periods, keeping what p may see.
func (s *Service) load(ctx context.Context, p *access.Principal, periods []string, processes []int64) (stored, error) {
	out := stored{byPeriod: map[string]map[int64]map[string]amounts{}}
	var err error
	if out.recomputing, err = s.recomputing(ctx, periods); err != nil {
		return out, err
	}
	query := "SELECT period, basis, process_id, department_id, currency, amount FROM process_costs WHERE period >= ? AND period <= ?"
	args := []any{periods[0], periods[len(periods)-1]}
	if processes != nil {
		if len(processes) == 0 {
			return out, nil
		}
		query += " AND process_id IN (" + db.Placeholders(len(processes)) + ")"
		args = append(args, db.Args(processes)...)
	}
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("reading the cost of processes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var period string
		var k key
		var amount decimal.Decimal
		if err := rows.Scan(&period, &k.basis, &k.process, &k.dept, &k.currency, &amount); err != nil {
			return out, err
		}
		if !sees(p, k) {
			out.partial = true
			continue
		}
		byProc := out.byPeriod[period]
		if byProc == nil {
			byProc = map[int64]map[string]amounts{}
			out.byPeriod[period] = byProc
		}
		if byProc[k.process] == nil {
			byProc[k.process] = map[string]amounts{Charged: {}, Cost: {}}
		}
		byProc[k.process][k.basis][k.currency] = byProc[k.process][k.basis][k.currency].Add(amount)
	}
	return out, rows.Err()
}

// sum adds up the figures of processes in one period into a Month.
func (st stored) sum(period string, processes []int64) CostMonth {
	charged, cost := amounts{}, amounts{}
	for _, id := range processes {
		f := st.byPeriod[period][id]
		for c, v := range f[Charged] {
			charged[c] = charged[c].Add(v)
		}
		for c, v := range f[Cost] {
			cost[c] = cost[c].Add(v)
		}
	}
	return CostMonth{Period: period, Label: billing.PeriodLabel(period), Charged: charged.list(), Cost: cost.list()}
}

// below returns ids and every process below them, each once, in the order
// met.
func below(tree map[int64]int64, ids []int64) []int64 {
	children := map[int64][]int64{}
	for id, parent := range tree {
		children[parent] = append(children[parent], id)
	}
	seen := map[int64]bool{}
	var out []int64
	queue := append([]int64{}, ids...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		kids := children[id]
		sort.Slice(kids, func(i, j int) bool { return kids[i] < kids[j] })
		queue = append(queue, kids...)
	}
	return out
}

// figures fills f for the processes counted (own: those whose own share is
// f's own figure) over the months ending with period.
func (s *Service) figures(ctx context.Context, p *access.Principal, f *CostFigures, period string, counted, own []int64) error {
	periods, err := months(period, TrendMonths)
	if err != nil {
		return err
	}
	st, err := s.load(ctx, p, periods, counted)
	if err != nil {
		return err
	}
	f.Partial, f.SeesCost, f.Processes = st.partial, SeesAll(p), len(counted)
	f.Recomputing = append([]string{}, st.recomputing...)
	currencies := map[string]bool{}
	for _, pr := range periods {
		m := st.sum(pr, counted)
		f.Trend = append(f.Trend, m)
		for _, a := range m.Charged {
			currencies[a.Currency] = true
		}
	}
	f.CostMonth = f.Trend[len(f.Trend)-1]
	o := st.sum(period, own)
	f.OwnCharged, f.OwnCost = o.Charged, o.Cost
	f.Currencies = []string{}
	for c := range currencies {
		f.Currencies = append(f.Currencies, c)
	}
	sort.Strings(f.Currencies)
	return nil
}

// ProcessCost returns what a process cost in period (the newest billed
// month when empty): its own share and, rolled up, with every process
// below it, and the trend of the 13 months ending with period.
func (s *Service) ProcessCost(ctx context.Context, p *access.Principal, processID int64, period string) (CostFigures, error) {
	if err := requireReader(p); err != nil {
		return CostFigures{}, err
	}
	e, err := s.Processes.Get(ctx, p, processID)
	if err != nil {
		return CostFigures{}, err
	}
	tree, err := process.Tree(ctx, s.DB)
	if err != nil {
		return CostFigures{}, err
	}
	return s.ProcessCostIn(ctx, p, e, tree, period)
}

// ProcessCostIn is ProcessCost for process e in the register whose tree
// (each entry's parent, by id) the caller has read at the same state: the
// process page keeps both, and spares two reads a request.
func (s *Service) ProcessCostIn(ctx context.Context, p *access.Principal, e process.Entry, tree map[int64]int64, period string) (CostFigures, error) {
	if err := requireReader(p); err != nil {
		return CostFigures{}, err
	}
	period, err := s.Period(ctx, period)
	if err != nil {
		return CostFigures{}, err
	}
	f := CostFigures{Subject: "process", ID: e.ID, Ref: e.Ref, Name: e.Name}
	return f, s.figures(ctx, p, &f, period, below(tree, []int64{e.ID}), []int64{e.ID})
}

// JourneyCost returns what a customer journey cost in period: every
// process it goes through and every process below those, each counted
// once.
func (s *Service) JourneyCost(ctx context.Context, p *access.Principal, journeyID int64, period string) (CostFigures, error) {
	if err := requireReader(p); err != nil {
		return CostFigures{}, err
	}
	j, err := s.Processes.GetJourney(ctx, p, journeyID)
	if err != nil {
		return CostFigures{}, err
	}
	if period, err = s.Period(ctx, period); err != nil {
		return CostFigures{}, err
	}
	tree, err := process.Tree(ctx, s.DB)
	if err != nil {
		return CostFigures{}, err
	}
	var ids []int64
	for _, r := range j.Processes {
		ids = append(ids, r.ID)
	}
	f := CostFigures{Subject: "journey", ID: j.ID, Ref: j.Ref, Name: j.Name}
	return f, s.figures(ctx, p, &f, period, below(tree, ids), []int64{})
}

// UnclaimedCost returns what no process claims in period, with its trend.
func (s *Service) UnclaimedCost(ctx context.Context, p *access.Principal, period string) (CostFigures, error) {
	if err := requireReader(p); err != nil {
		return CostFigures{}, err
	}
	period, err := s.Period(ctx, period)
	if err != nil {
		return CostFigures{}, err
	}
	f := CostFigures{Subject: "unclaimed", Name: "Unclaimed"}
	err = s.figures(ctx, p, &f, period, []int64{0}, []int64{0})
	f.Processes = 0
	return f, err
}

// ProcessCostEntry is one process's figures on the map: rolled up, in one month.
type ProcessCostEntry struct {
	ProcessID  int64        `json:"process_id"`
	Charged    []CostAmount `json:"charged" nullable:"false" doc:"With the processes below it"`
	Cost       []CostAmount `json:"cost" nullable:"false" doc:"With the processes below it"`
	OwnCharged []CostAmount `json:"own_charged" nullable:"false"`
	OwnCost    []CostAmount `json:"own_cost" nullable:"false"`
}

// CostMap is what every process cost in one month, rolled up the tree,
// with the unclaimed part and the total of what was counted.
type CostMap struct {
	CostMonth `json:"month"`
	Processes []ProcessCostEntry `json:"processes" nullable:"false" doc:"Every process with a figure, by id"`
	Unclaimed CostMonth          `json:"unclaimed" doc:"What no process claims: services no process takes in full, lines naming no service"`
	Total     CostMonth          `json:"total" doc:"What was counted: the top of the tree plus unclaimed, equal to the statements (those you may read)"`
	Partial   bool               `json:"partial"`
	SeesCost  bool               `json:"sees_cost"`
	// Recomputing: the month's figures are being computed again after a
	// change; they are as last stored meanwhile.
	Recomputing bool `json:"recomputing" doc:"The month is being recomputed after a change (links, register, cost pools); the figures are as last computed, meanwhile"`
	by          map[int64]ProcessCostEntry
}

// Of returns a process's figures (none when it has none).
func (m CostMap) Of(id int64) ProcessCostEntry { return m.by[id] }

// Map returns what every process cost in period, rolled up the tree.
func (s *Service) Map(ctx context.Context, p *access.Principal, period string) (CostMap, error) {
	if err := requireReader(p); err != nil {
		return CostMap{}, err
	}
	period, err := s.Period(ctx, period)
	if err != nil {
		return CostMap{}, err
	}
	tree, err := process.Tree(ctx, s.DB)
	if err != nil {
		return CostMap{}, err
	}
	st, err := s.load(ctx, p, []string{period}, nil)
	if err != nil {
		return CostMap{}, err
	}
	own := st.byPeriod[period]
	rolled := map[int64]map[string]amounts{}
	for id, f := range own {
		if id == 0 {
			continue
		}
		// Add the own figure to the process and every process above it.
		for at, steps := id, 0; at != 0 && steps <= len(tree); at, steps = tree[at], steps+1 {
			if _, ok := tree[at]; !ok {
				break // a process no longer in the register
			}
			r := rolled[at]
			if r == nil {
				r = map[string]amounts{Charged: {}, Cost: {}}
				rolled[at] = r
			}
			for basis, byCur := range f {
				for c, v := range byCur {
					r[basis][c] = r[basis][c].Add(v)
				}
			}
		}
	}
	m := CostMap{CostMonth: CostMonth{Period: period, Label: billing.PeriodLabel(period), Charged: []CostAmount{}, Cost: []CostAmount{}},
		Processes: []ProcessCostEntry{}, Partial: st.partial, SeesCost: SeesAll(p), Recomputing: len(st.recomputing) > 0, by: map[int64]ProcessCostEntry{}}
	ids := make([]int64, 0, len(rolled))
	for id := range rolled {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var counted []int64
	for _, id := range ids {
		e := ProcessCostEntry{ProcessID: id, Charged: rolled[id][Charged].list(), Cost: rolled[id][Cost].list(),
			OwnCharged: amounts(own[id][Charged]).list(), OwnCost: amounts(own[id][Cost]).list()}
		m.Processes = append(m.Processes, e)
		m.by[id] = e
	}
	for id := range own {
		if _, ok := tree[id]; ok || id == 0 {
			counted = append(counted, id)
		}
	}
	m.Unclaimed = st.sum(period, []int64{0})
	m.Total = st.sum(period, counted)
	return m, nil
}

// InOneCurrency keeps, of costs per process and currency (ProcessCosts),
// the currency with the largest total (ties: the first in alphabetical
// order), for views that compare processes on one scale, such as the
// heatmap. It returns "" and nil when there is no cost.
func InOneCurrency(costs map[int64]map[string]decimal.Decimal) (string, map[int64]decimal.Decimal) {
	totals := map[string]decimal.Decimal{}
	for _, byCurrency := range costs {
		for cur, amount := range byCurrency {
			totals[cur] = totals[cur].Add(amount)
		}
	}
	best := ""
	for cur, total := range totals {
		if best == "" || total.GreaterThan(totals[best]) || (total.Equal(totals[best]) && cur < best) {
			best = cur
		}
	}
	if best == "" {
		return "", nil
	}
	out := make(map[int64]decimal.Decimal, len(costs))
	for id, byCurrency := range costs {
		if amount, ok := byCurrency[best]; ok {
			out[id] = amount
		}
	}
	return best, out
}

// ProcessCosts returns what each process cost in period (the newest billed
// month when empty), charged, rolled up the tree, per currency, as p may
// see it: for other views of the portfolio (the heatmap). Processes
// without a figure are absent.
func (s *Service) ProcessCosts(ctx context.Context, p *access.Principal, period string) (map[int64]map[string]decimal.Decimal, error) {
	m, err := s.Map(ctx, p, period)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]map[string]decimal.Decimal, len(m.Processes))
	for _, e := range m.Processes {
		byCur := map[string]decimal.Decimal{}
		for _, a := range e.Charged {
			byCur[a.Currency] = a.Amount
		}
		out[e.ProcessID] = byCur
	}
	return out, nil
}

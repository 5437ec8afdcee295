package processcost

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/rating"
)

// CostLine is a statement line behind a figure.
type CostLine struct {
	StatementID int64           `json:"statement_id"`
	Position    int             `json:"position"`
	Kind        string          `json:"kind"`
	Description string          `json:"description"`
	Amount      decimal.Decimal `json:"amount"`
}

// CostShare is one process's (or the unclaimed part's) share of one
// service's charge to one department, or of one service's cost.
type CostShare struct {
	Basis          string          `json:"basis" enum:"charged,cost"`
	ProcessID      int64           `json:"process_id,omitempty" doc:"Absent for the unclaimed part"`
	ProcessRef     string          `json:"process_ref,omitempty"`
	ProcessName    string          `json:"process_name"`
	ServiceID      int64           `json:"service_id,omitempty" doc:"Absent for lines that name no service"`
	ServiceSlug    string          `json:"service_slug,omitempty"`
	ServiceName    string          `json:"service_name"`
	Weight         decimal.Decimal `json:"weight" doc:"The link's weight in percent; for the unclaimed part, what the links leave"`
	WeightsSum     decimal.Decimal `json:"weights_sum" doc:"The sum of the service's weights; above 100 they are scaled down in proportion"`
	DepartmentID   int64           `json:"department_id,omitempty" doc:"Absent for cost"`
	DepartmentName string          `json:"department_name,omitempty"`
	Currency       string          `json:"currency"`
	Whole          decimal.Decimal `json:"whole" doc:"The service's charge to the department (the sum of the lines), or its cost rounded to the minor unit"`
	Share          decimal.Decimal `json:"share"`
	Lines          []CostLine      `json:"lines" nullable:"false" doc:"The statement lines behind the charge"`
}

// CostDrill is what is behind a figure of one month: every share of every
// service and the statement lines behind it.
type CostDrill struct {
	Subject  string      `json:"subject" enum:"process,journey,unclaimed"`
	ID       int64       `json:"id,omitempty"`
	Name     string      `json:"name"`
	Month    CostMonth   `json:"month" doc:"The sums of the shares: the figure drilled into"`
	Shares   []CostShare `json:"shares" nullable:"false" doc:"By basis, process, service, department"`
	Partial  bool        `json:"partial"`
	SeesCost bool        `json:"sees_cost"`
}

// DrillDown returns the services and statement lines behind a process's
// (rolled up), a journey's or the unclaimed part's figure in period.
// subject is "process", "journey" or "unclaimed" (id 0).
func (s *Service) DrillDown(ctx context.Context, p *access.Principal, subject string, id int64, period string) (CostDrill, error) {
	var f CostFigures
	var err error
	switch subject {
	case "process":
		f, err = s.ProcessCost(ctx, p, id, period)
	case "journey":
		f, err = s.JourneyCost(ctx, p, id, period)
	default:
		subject = "unclaimed"
		f, err = s.UnclaimedCost(ctx, p, period)
	}
	if err != nil {
		return CostDrill{}, err
	}
	period = f.Period
	tree, err := process.Tree(ctx, s.DB)
	if err != nil {
		return CostDrill{}, err
	}
	counted := map[int64]bool{}
	switch subject {
	case "process":
		for _, c := range below(tree, []int64{id}) {
			counted[c] = true
		}
	case "journey":
		j, err := s.Processes.GetJourney(ctx, p, id)
		if err != nil {
			return CostDrill{}, err
		}
		var ids []int64
		for _, r := range j.Processes {
			ids = append(ids, r.ID)
		}
		for _, c := range below(tree, ids) {
			counted[c] = true
		}
	}
	ws, err := process.ServiceWeights(ctx, s.DB)
	if err != nil {
		return CostDrill{}, err
	}
	links := linksBy(ws)
	var services []int64 // nil: every line (the unclaimed part)
	if subject != "unclaimed" {
		services = []int64{}
		for svc, ls := range links {
			for _, l := range ls {
				if counted[l.ProcessID] {
					services = append(services, svc)
					break
				}
			}
		}
	}
	d := CostDrill{Subject: subject, ID: id, Name: f.Name, Shares: []CostShare{}, SeesCost: SeesAll(p)}
	names, err := s.names(ctx)
	if err != nil {
		return CostDrill{}, err
	}
	lines, err := billing.ChargeLines(ctx, s.DB, period, services)
	if err != nil {
		return CostDrill{}, err
	}
	type group struct {
		amount decimal.Decimal
		lines  []CostLine
	}
	groups := map[groupKey]*group{}
	for _, l := range lines {
		if !sees(p, key{Charged, 0, l.DepartmentID, l.Currency}) {
			d.Partial = true
			continue
		}
		g := groupKey{l.ServiceID, l.DepartmentID, l.Currency}
		if groups[g] == nil {
			groups[g] = &group{}
		}
		groups[g].amount = groups[g].amount.Add(l.Amount)
		groups[g].lines = append(groups[g].lines, CostLine{l.StatementID, l.Position, l.Kind, l.Description, l.Amount})
	}
	add := func(basis string, svc, dept int64, currency string, whole decimal.Decimal, ls []CostLine) {
		if svc == 0 {
			d.Shares = append(d.Shares, CostShare{Basis: basis, ProcessName: "Unclaimed", ServiceName: "No service (cloud bills, adjustments)",
				Weight: hundred, DepartmentID: dept, DepartmentName: names.depts[dept], Currency: currency, Whole: whole, Share: whole, Lines: ls})
			return
		}
		link := links[svc]
		weights := make([]decimal.Decimal, len(link))
		sum := decimal.Zero
		for i, l := range link {
			weights[i] = l.Weight
			sum = sum.Add(l.Weight)
		}
		shares, rest := split(whole, currency, weights)
		sv := names.services[svc]
		base := CostShare{Basis: basis, ServiceID: svc, ServiceSlug: sv.Slug, ServiceName: sv.Name, WeightsSum: sum, DepartmentID: dept,
			DepartmentName: names.depts[dept], Currency: currency, Whole: whole, Lines: ls}
		if base.Lines == nil {
			base.Lines = []CostLine{}
		}
		for i, l := range link {
			if counted[l.ProcessID] && !shares[i].IsZero() {
				ds := base
				ds.ProcessID, ds.ProcessRef, ds.ProcessName, ds.Weight, ds.Share = l.ProcessID, names.procs[l.ProcessID].Ref, names.procs[l.ProcessID].Name, l.Weight, shares[i]
				d.Shares = append(d.Shares, ds)
			}
		}
		if subject == "unclaimed" && !rest.IsZero() {
			ds := base
			ds.ProcessName, ds.Weight, ds.Share = "Unclaimed", decimal.Max(decimal.Zero, hundred.Sub(sum)), rest
			d.Shares = append(d.Shares, ds)
		}
	}
	for g, gr := range groups {
		add(Charged, g.service, g.dept, g.currency, gr.amount, gr.lines)
	}
	if d.SeesCost {
		svcCosts, err := costs.CostsByService(ctx, s.DB, period)
		if err != nil {
			return CostDrill{}, err
		}
		want := map[int64]bool{}
		for _, svc := range services {
			want[svc] = true
		}
		for svc, byCur := range svcCosts {
			if services == nil || want[svc] {
				for currency, amount := range byCur {
					add(Cost, svc, 0, currency, rating.RoundLine(amount, currency), nil)
				}
			}
		}
	}
	sort.SliceStable(d.Shares, func(i, j int) bool {
		a, b := d.Shares[i], d.Shares[j]
		if a.Basis != b.Basis {
			return a.Basis < b.Basis
		}
		if a.ProcessName != b.ProcessName {
			return a.ProcessName < b.ProcessName
		}
		if a.ServiceName != b.ServiceName {
			return a.ServiceName < b.ServiceName
		}
		if a.DepartmentName != b.DepartmentName {
			return a.DepartmentName < b.DepartmentName
		}
		return a.Currency < b.Currency
	})
	charged, cost := amounts{}, amounts{}
	for _, sh := range d.Shares {
		if sh.Basis == Charged {
			charged[sh.Currency] = charged[sh.Currency].Add(sh.Share)
		} else {
			cost[sh.Currency] = cost[sh.Currency].Add(sh.Share)
		}
	}
	d.Month = CostMonth{Period: period, Label: billing.PeriodLabel(period), Charged: charged.list(), Cost: cost.list()}
	return d, nil
}

// directory names departments, services and processes.
type directory struct {
	depts    map[int64]string
	services map[int64]process.ServiceRef
	procs    map[int64]process.Ref
}

func (s *Service) names(ctx context.Context) (directory, error) {
	dir := directory{depts: map[int64]string{}, services: map[int64]process.ServiceRef{}, procs: map[int64]process.Ref{}}
	rows, err := s.DB.Query(ctx, "SELECT id, name FROM departments")
	if err != nil {
		return dir, fmt.Errorf("reading departments: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return dir, err
		}
		dir.depts[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dir, err
	}
	if s.Catalog != nil {
		all, err := s.Catalog.AllServices(ctx)
		if err != nil {
			return dir, fmt.Errorf("reading the catalog's services: %w", err)
		}
		for id, sv := range all {
			dir.services[id] = process.ServiceRef{ID: id, Slug: sv.Slug, Name: sv.Name, Lifecycle: sv.Lifecycle}
		}
	}
	tree, err := process.Tree(ctx, s.DB)
	if err != nil {
		return dir, err
	}
	ids := make([]int64, 0, len(tree))
	for id := range tree {
		ids = append(ids, id)
	}
	refs, err := s.Processes.Refs(ctx, s.DB, ids)
	dir.procs = refs
	return dir, err
}

package portfolio_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/process"
)

var sys = access.System("test")

// fakeNeeds stands for the front door: the needs in decision of the
// fixture, readable by everyone but requesters.
type fakeNeeds struct{ details []frontdoor.NeedDetail }

func readsAll(p *access.Principal) bool { return !p.Has(access.Requester) }

func (f *fakeNeeds) List(_ context.Context, p *access.Principal, lf frontdoor.ListFilter) ([]frontdoor.Need, string, error) {
	out := []frontdoor.Need{}
	for _, d := range f.details {
		if readsAll(p) && (lf.State == "" || d.Need.State == lf.State) {
			out = append(out, d.Need)
		}
	}
	return out, "", nil
}

func (f *fakeNeeds) Get(_ context.Context, p *access.Principal, ref string) (frontdoor.NeedDetail, error) {
	for _, d := range f.details {
		if d.Need.Reference == ref && readsAll(p) {
			return d, nil
		}
	}
	return frontdoor.NeedDetail{}, engage.Errorf(engage.ENOTFOUND, "No need %s.", ref)
}

func (f *fakeNeeds) ReviewsAndOptions(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]frontdoor.NeedReview,
	map[int64][]frontdoor.NeedOption, error) {
	reviews, options := map[int64][]frontdoor.NeedReview{}, map[int64][]frontdoor.NeedOption{}
	for _, n := range needs {
		if d, err := f.Get(ctx, p, n.Reference); err == nil {
			reviews[n.ID], options[n.ID] = d.Reviews, d.Options
		}
	}
	return reviews, options, nil
}

func (f *fakeNeeds) ProcessesOf(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for _, n := range needs {
		if d, err := f.Get(ctx, p, n.Reference); err == nil {
			out[n.ID] = d.Need.ProcessIDs
		}
	}
	return out, nil
}

// DecisionStamp is everything the fixture holds, as the front door's
// moves with anything the ranking reads.
func (f *fakeNeeds) DecisionStamp(_ context.Context, p *access.Principal) (string, error) {
	return fmt.Sprintf("%v %+v", readsAll(p), f.details), nil
}

func (f *fakeNeeds) Find(ctx context.Context, p *access.Principal, ref string) (frontdoor.Need, error) {
	d, err := f.Get(ctx, p, ref)
	return d.Need, err
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func option(id int64, title, currency, oneTime, monthly string, canHold bool) frontdoor.NeedOption {
	o, m := dec(oneTime), dec(monthly)
	return frontdoor.NeedOption{ID: id, Kind: "buy", Title: title, Currency: currency, OneTime: o, Monthly: m, ThreeYear: frontdoor.ThreeYear(o, m),
		CanHoldData: canHold}
}

func date(s string) *catalog.Date {
	t, _ := time.Parse(time.DateOnly, s)
	return &catalog.Date{Time: t}
}

type world struct {
	s                                *portfolio.Service
	needs                            *fakeNeeds
	owner                            org.Person
	orders, experiments              process.Entry
	admin, board, finance, architect *access.Principal
	reader, gate                     *access.Principal
}

// setup makes the fixture: two processes of the register and five needs in
// decision, on 2 April 2026.
func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SALES", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	owner, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: "lead@example.com", Name: "Lee Leader", DepartmentID: dept.ID, Active: true,
		Roles: []access.Role{access.Requester}})
	if err != nil {
		t.Fatal(err)
	}
	reg := &process.Service{DB: d, Clock: clock, Org: o}
	orders, err := reg.Create(ctx, sys, process.Input{Kind: process.Process, Ref: "take-orders", Name: "Take orders", Criticality: "critical",
		ExternalCustomers: true})
	if err != nil {
		t.Fatal(err)
	}
	experiments, err := reg.Create(ctx, sys, process.Input{Kind: process.Process, Ref: "run-experiments", Name: "Run experiments", Criticality: "high"})
	if err != nil {
		t.Fatal(err)
	}
	var lastID int64
	need := func(ref, title, class string, by *catalog.Date, procs []int64, opts []frontdoor.NeedOption, verdicts ...string) frontdoor.NeedDetail {
		lastID++
		d := frontdoor.NeedDetail{Need: frontdoor.Need{ID: lastID, Reference: ref, Title: title, DepartmentName: "Sales", DataClass: class, NeededBy: by,
			ProcessIDs: procs, State: frontdoor.Decision}, Options: opts}
		for i := 0; i+1 < len(verdicts); i += 2 {
			d.Reviews = append(d.Reviews, frontdoor.NeedReview{ID: int64(i), Kind: verdicts[i], Verdict: verdicts[i+1], At: clock.Now()})
		}
		return d
	}
	needs := &fakeNeeds{details: []frontdoor.NeedDetail{
		need("NEED-2026-0001", "CRM upgrade", "confidential", date("2026-05-02"), []int64{orders.ID},
			[]frontdoor.NeedOption{option(1, "Buy CRM", "EUR", "10000", "1000", true)},
			"architecture", "approve", "security", "approve_with_conditions", "finance", "approve"),
		need("NEED-2026-0002", "Lab notebook", "internal", date("2026-10-29"), []int64{experiments.ID},
			[]frontdoor.NeedOption{option(2, "Cheap tool", "EUR", "100", "0", false), option(3, "Build notebook", "EUR", "5000", "500", true)}),
		need("NEED-2026-0003", "US payroll", "public", nil, nil, []frontdoor.NeedOption{option(4, "Payroll service", "USD", "0", "100", true)},
			"security", "reject"),
		need("NEED-2026-0004", "Tie without a date", "public", nil, nil, nil),
		need("NEED-2026-0005", "Tie with a date", "public", date("2027-06-01"), nil, nil),
	}}
	return world{s: &portfolio.Service{DB: d, Clock: clock, Org: o, Processes: reg, Needs: needs}, needs: needs, owner: owner,
		orders: orders, experiments: experiments,
		admin:     &access.Principal{PersonID: owner.ID, Name: "admin", Roles: []access.Role{access.Admin}},
		board:     &access.Principal{PersonID: owner.ID, Name: "Grace Board", Roles: []access.Role{access.PortfolioBoard}},
		finance:   &access.Principal{PersonID: owner.ID, Name: "finance", Roles: []access.Role{access.Finance}},
		architect: &access.Principal{PersonID: owner.ID, Name: "architect", Roles: []access.Role{access.EnterpriseArchitect}},
		reader:    &access.Principal{PersonID: owner.ID, Name: "reader", DepartmentID: dept.ID, Roles: []access.Role{access.Requester}},
		gate:      &access.Principal{PersonID: owner.ID, Name: "pipeline", Roles: []access.Role{access.PortfolioBoard}, Scope: access.ScopeGate}}
}

func fields(err error) []string {
	out := []string{}
	for _, f := range engage.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// TestObjectives: architects, the board and admins keep objectives, which
// everyone signed in reads; a repeated create returns the one made, bad
// input is refused per field, and a need serving one shows only to those
// who may read it.
func TestObjectives(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		in := portfolio.ObjectiveInput{Ref: "faster-quotes", Title: "Quotes in a day", OwnerPersonID: w.owner.ID, Horizon: "2027",
			Measure: "Days from request to quote", Target: "1", ProcessIDs: []int64{w.orders.ID}, NeedRefs: []string{"need-2026-0001"}}
		if _, err := w.s.CreateObjective(ctx, w.reader, in); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester created an objective: %v", err)
		}
		if _, err := w.s.CreateObjective(ctx, w.gate, in); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("a gate token created an objective: %v", err)
		}
		o, err := w.s.CreateObjective(ctx, w.architect, in)
		if err != nil {
			t.Fatal(err)
		}
		if o.Horizon != "2027-12-31" || o.OwnerName != "Lee Leader" || !slices.Equal(o.NeedRefs, []string{"NEED-2026-0001"}) ||
			!slices.Equal(o.ProcessIDs, []int64{w.orders.ID}) {
			t.Fatalf("objective = %+v", o)
		}
		again, err := w.s.CreateObjective(ctx, w.board, in)
		if err != nil || again.ID != o.ID {
			t.Fatalf("repeated create = %+v, %v", again, err)
		}
		other := in
		other.Title = "Something else"
		if _, err := w.s.CreateObjective(ctx, w.admin, other); engage.ErrorCode(err) != engage.ECONFLICT || !slices.Equal(fields(err), []string{"ref"}) {
			t.Fatalf("another objective under the same ref: %v", err)
		}
		bad := portfolio.ObjectiveInput{Ref: "Bad Ref", Horizon: "next year", ProcessIDs: []int64{999999}, NeedRefs: []string{"NEED-2026-9999"}}
		want := []string{"horizon", "measure", "need_refs[0]", "owner_person_id", "process_ids[0]", "ref", "title"}
		if _, err := w.s.CreateObjective(ctx, w.architect, bad); !slices.Equal(fields(err), want) {
			t.Fatalf("bad input: fields %v, want %v (%v)", fields(err), want, err)
		}
		// Everyone signed in reads it; the need shows to those who may read it.
		od, err := w.s.DescribeObjective(ctx, w.reader, o.ID)
		if err != nil || len(od.Processes) != 1 || len(od.Needs) != 0 || od.Hidden != 1 {
			t.Fatalf("reader's view = %+v, %v", od, err)
		}
		od, err = w.s.DescribeObjective(ctx, w.board, o.ID)
		if err != nil || len(od.Needs) != 1 || od.Hidden != 0 || od.States["decision"] != 1 {
			t.Fatalf("board's view = %+v, %v", od, err)
		}
		by, err := w.s.ByObjective(ctx, w.reader)
		if err != nil || len(by.Objectives) != 1 || len(by.Unserved) != 1 || by.Unserved[0].Ref != "run-experiments" {
			t.Fatalf("by objective = %+v, %v", by, err)
		}
		// A change carries the version read.
		ch := o.Input()
		ch.Horizon, ch.NeedRefs = "2027-06-30", nil
		u, err := w.s.UpdateObjective(ctx, w.board, o.ID, o.Version, ch)
		if err != nil || u.Horizon != "2027-06-30" || len(u.NeedRefs) != 0 || u.Version != 2 {
			t.Fatalf("update = %+v, %v", u, err)
		}
		if _, err := w.s.UpdateObjective(ctx, w.board, o.ID, o.Version, o.Input()); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := w.s.UpdateObjective(ctx, w.reader, o.ID, u.Version, ch); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester changed an objective: %v", err)
		}
	})
}

func scores(r portfolio.Ranking) []string {
	out := []string{}
	for _, n := range r.Needs {
		out = append(out, n.Reference+" "+n.Score.StringFixed(2))
	}
	return out
}

// TestRanking: the needs in decision ranked by the documented formula,
// against values computed by hand (README, "The board's ranking"); ties
// go to the need with a date, then the lower reference.
func TestRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		// NEED-0001 serves the objective through its process: value 4 + 3 + 1.
		if _, err := w.s.CreateObjective(ctx, w.architect, portfolio.ObjectiveInput{Ref: "faster-quotes", Title: "Quotes in a day",
			OwnerPersonID: w.owner.ID, Horizon: "2027", Measure: "Days to quote", ProcessIDs: []int64{w.orders.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Ranking(ctx, w.architect); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("an architect read the ranking: %v", err)
		}
		r, err := w.s.Ranking(ctx, w.finance)
		if err != nil {
			t.Fatal(err)
		}
		// 0001: value 0.8, cost 1 − 46000/46000 = 0, risk 1 − 3/12 = 0.75, urgency 1 (30 days):
		//       100 × (4×0.8 + 3×0 + 2×0.75 + 1×1) / 10 = 57.00
		// 0002: value 0.3, cost 1 − 23000/46000 = 0.5 (the cheaper option cannot hold the data),
		//       risk 1 − 1/12 = 0.9167, urgency (365 − 210)/335 = 0.4627: 49.961 → 49.96
		// 0005 and 0004: risk 1 only: 20.00, the one with a date first
		// 0003: risk 1 − 3/12 = 0.75, cost 1 − 3600/3600 = 0: 15.00
		want := []string{"NEED-2026-0001 57.00", "NEED-2026-0002 49.96", "NEED-2026-0005 20.00", "NEED-2026-0004 20.00", "NEED-2026-0003 15.00"}
		if got := scores(r); !slices.Equal(got, want) {
			t.Fatalf("ranking = %v, want %v", got, want)
		}
		second := r.Needs[1]
		parts := []string{}
		for _, p := range second.Parts {
			parts = append(parts, p.Name+" "+p.Score.String())
		}
		if !slices.Equal(parts, []string{"value 0.3", "cost 0.5", "risk 0.9167", "urgency 0.4627"}) || second.Option != "Build notebook" ||
			second.FirstYear.String() != "11000" || second.ThreeYear.String() != "23000" {
			t.Fatalf("NEED-2026-0002 = %v %+v", parts, second)
		}
		if r.Needs[0].Parts[0].Inputs[2] != "serves 1 objective(s) (faster-quotes): 1 points" {
			t.Fatalf("value inputs = %q", r.Needs[0].Parts[0].Inputs)
		}
		// The board changes the weights; urgency alone ranks by date.
		if _, err := w.s.SetWeights(ctx, w.finance, portfolio.Weights{Urgency: 1}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("finance set the weights: %v", err)
		}
		if _, err := w.s.SetWeights(ctx, w.board, portfolio.Weights{Value: 11, Cost: -1}); !slices.Equal(fields(err), []string{"cost", "value"}) {
			t.Fatalf("weights out of range: %v", err)
		}
		if _, err := w.s.SetWeights(ctx, w.board, portfolio.Weights{}); !slices.Equal(fields(err), []string{"value"}) {
			t.Fatalf("all weights 0: %v", err)
		}
		for range 2 { // the second time changes nothing
			if _, err := w.s.SetWeights(ctx, w.board, portfolio.Weights{Urgency: 1}); err != nil {
				t.Fatal(err)
			}
		}
		var changes int
		var before, after string
		if err := d.QueryRow(ctx, "SELECT COUNT(*), MIN(before_json), MIN(after_json) FROM audit_events WHERE entity_type = 'ranking_weights'").Scan(&changes,
			&before, &after); err != nil || changes != 1 || before != `{"value":4,"cost":3,"risk":2,"urgency":1}` || after != `{"value":0,"cost":0,"risk":0,"urgency":1}` {
			t.Fatalf("the weights' audit: %d changes, %s → %s, %v", changes, before, after, err)
		}
		r, err = w.s.Ranking(ctx, w.admin)
		if err != nil {
			t.Fatal(err)
		}
		want = []string{"NEED-2026-0001 100.00", "NEED-2026-0002 46.27", "NEED-2026-0005 0.00", "NEED-2026-0003 0.00", "NEED-2026-0004 0.00"}
		if got := scores(r); !slices.Equal(got, want) || r.Weights != (portfolio.Weights{Urgency: 1}) {
			t.Fatalf("ranking by urgency = %v, want %v", got, want)
		}
	})
}

func funded(sc portfolio.Scenario) []string {
	out := []string{}
	for _, l := range sc.Funded {
		out = append(out, l.Reference)
	}
	return out
}

// TestBudgetScenarios: a budget is filled in ranked order with first-year
// costs, skipping a need that does not fit; saved scenarios keep what they
// were, saving again returns the one saved, and two compare side by side.
func TestBudgetScenarios(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		in := portfolio.ScenarioInput{Name: "2027 at 25k", Year: 2027, Amount: dec("25000"), Currency: "eur"}
		sc, err := w.s.PlanScenario(ctx, w.finance, in)
		if err != nil {
			t.Fatal(err)
		}
		// 0001 takes 10000 + 12 × 1000 = 22000, leaving 3000; 0002 needs 5000 + 12 × 500 = 11000.
		if !slices.Equal(funded(sc), []string{"NEED-2026-0001"}) || sc.Spent.String() != "22000" || sc.Remaining.String() != "3000" {
			t.Fatalf("scenario = %+v", sc)
		}
		reasons := map[string]string{}
		for _, l := range sc.Outside {
			reasons[l.Reference] = l.Reason
		}
		if reasons["NEED-2026-0002"] != "Needs 11000.00 EUR in the year; 3000.00 EUR is left after the needs ranked above it." ||
			reasons["NEED-2026-0003"] != "Priced in USD; the scenario is in EUR." || reasons["NEED-2026-0004"] != "No option that can be chosen is priced yet." {
			t.Fatalf("reasons = %v", reasons)
		}
		if _, err := w.s.SaveScenario(ctx, w.finance, in); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("finance saved a scenario: %v", err)
		}
		bad := portfolio.ScenarioInput{Year: 1999, Amount: dec("0.001"), Currency: "euro"}
		if _, err := w.s.SaveScenario(ctx, w.board, bad); !slices.Equal(fields(err), []string{"amount", "currency", "name", "year"}) {
			t.Fatalf("bad scenario: %v", err)
		}
		a, err := w.s.SaveScenario(ctx, w.board, in)
		if err != nil || a.ID == 0 || a.CreatedBy != "Grace Board" || !slices.Equal(funded(a), []string{"NEED-2026-0001"}) {
			t.Fatalf("saved = %+v, %v", a, err)
		}
		again, err := w.s.SaveScenario(ctx, w.board, in)
		if err != nil || again.ID != a.ID {
			t.Fatalf("saving again = %+v, %v", again, err)
		}
		// A smaller budget skips 0001 and funds 0002 below it.
		b, err := w.s.SaveScenario(ctx, w.admin, portfolio.ScenarioInput{Name: "2027 at 12k", Year: 2027, Amount: dec("12000"), Currency: "EUR"})
		if err != nil || !slices.Equal(funded(b), []string{"NEED-2026-0002"}) || b.Remaining.String() != "1000" {
			t.Fatalf("smaller = %+v, %v", b, err)
		}
		// The needs change; the saved scenario does not, and its name is taken.
		w.needs.details = w.needs.details[1:]
		got, err := w.s.GetScenario(ctx, w.finance, a.ID)
		if err != nil || !slices.Equal(funded(got), []string{"NEED-2026-0001"}) || len(got.Ranking) != 5 || got.Weights != portfolio.DefaultWeights {
			t.Fatalf("saved scenario after the needs changed = %+v, %v", got, err)
		}
		if _, err := w.s.SaveScenario(ctx, w.board, in); !slices.Equal(fields(err), []string{"name"}) {
			t.Fatalf("the same name for another result: %v", err)
		}
		c, err := w.s.CompareScenarios(ctx, w.finance, a.ID, b.ID)
		if err != nil || len(c.OnlyA) != 1 || c.OnlyA[0].Reference != "NEED-2026-0001" || len(c.OnlyB) != 1 || c.OnlyB[0].Reference != "NEED-2026-0002" ||
			len(c.Both) != 0 {
			t.Fatalf("comparison = %+v, %v", c, err)
		}
		list, err := w.s.ListScenarios(ctx, w.board)
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if _, err := w.s.ListScenarios(ctx, w.reader); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester listed scenarios: %v", err)
		}
	})
}

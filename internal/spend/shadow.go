package spend

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
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// Shadow spend is software spend with a vendor IT is not involved with.
//
// Decisions:
//   - Spend with a vendor is sanctioned when a catalog service that is not
//     built in-house and not retired names the vendor (bought or brokered
//     through IT, for everyone); when the portfolio board chose to buy from
//     or broker the vendor for a need of the department (or one the need
//     affects); or when a shadow case sanctioned it for the department.
//     Vendors are compared by the dictionary: a catalog service's "Microsoft
//     365" is the vendor Microsoft.
//   - Only software lines whose match is sure (confidence 0.6 or more, or
//     confirmed by a person) count; a line waiting for a person counts once
//     confirmed.
//   - The window is the 12 complete calendar months before the current one
//     (the trend); the annual run rate is the spend of the last 3 of them
//     × 4, and the monthly figure that run rate ÷ 12 (rounded to cents).
//   - Catalog services that do the same job are those tagged with the
//     vendor's dictionary category (a service tagged "meetings" sits beside
//     Zoom); what moving costs is the people seen × the price today of the
//     service's first orderable per-person offering in the catalog's order
//     (an add-on is placed after the offering it adds to by its position),
//     rounded to cents. The saving compares it with the monthly figure when
//     both are in the same currency; no exchange rates are applied.
const (
	shadowMonths  = 12
	runRateMonths = 3
)

// MonthAmount is one month of spend.
type MonthAmount struct {
	Period string          `json:"period" example:"2026-02"`
	Amount decimal.Decimal `json:"amount"`
}

// ShadowAlternative is a catalog service that does the same job as a
// shadow vendor, and what moving the people seen to it would cost.
type ShadowAlternative struct {
	ServiceID    int64           `json:"service_id"`
	ServiceSlug  string          `json:"service_slug"`
	ServiceName  string          `json:"service_name"`
	OfferingID   int64           `json:"offering_id,omitempty" doc:"The per-person offering priced; 0 when the service has none orderable today"`
	OfferingName string          `json:"offering_name,omitempty"`
	Currency     string          `json:"currency,omitempty"`
	UnitPrice    decimal.Decimal `json:"unit_price" doc:"A person a month, today"`
	Monthly      decimal.Decimal `json:"monthly" doc:"The people seen × the unit price"`
	Saving       decimal.Decimal `json:"saving" doc:"The shadow spend a month − Monthly; below 0 when moving costs more. Only when Comparable"`
	Comparable   bool            `json:"comparable" doc:"Priced in the shadow spend's currency, so Saving means something"`
}

// ShadowVendor is the software spend with one vendor by one department in
// one currency over the window.
type ShadowVendor struct {
	Vendor         string              `json:"vendor"`
	Category       string              `json:"category,omitempty"`
	DepartmentID   int64               `json:"department_id"`
	DepartmentName string              `json:"department_name"`
	Currency       string              `json:"currency"`
	Lines          int                 `json:"lines"`
	LastSpentOn    string              `json:"last_spent_on" format:"date" doc:"The latest line's date in the window"`
	People         int                 `json:"people" doc:"Different people paying, by email"`
	Emails         []string            `json:"emails,omitempty" doc:"Only for those who may read the department's lines"`
	Months         []MonthAmount       `json:"months" nullable:"false" doc:"The 12 months of the window, oldest first"`
	Total          decimal.Decimal     `json:"total" doc:"Over the 12 months"`
	RunRate        decimal.Decimal     `json:"annual_run_rate" doc:"The last 3 months × 4"`
	Monthly        decimal.Decimal     `json:"monthly" doc:"The annual run rate ÷ 12, rounded to cents"`
	Sanctioned     string              `json:"sanctioned,omitempty" doc:"Why the spend is sanctioned; empty for shadow spend"`
	Alternatives   []ShadowAlternative `json:"alternatives" nullable:"false"`
}

// ShadowFilter selects shadow spend.
type ShadowFilter struct {
	DepartmentID int64  // 0: every department the person may read
	Vendor       string // "": every vendor
}

// ShadowReport is the shadow spend (and the sanctioned software spend)
// over a window.
type ShadowReport struct {
	From       string         `json:"from" example:"2025-03" doc:"The window's first month"`
	Through    string         `json:"through" example:"2026-02" doc:"The window's last month"`
	Shadow     []ShadowVendor `json:"shadow" nullable:"false" doc:"Worst annual run rate first"`
	Sanctioned []ShadowVendor `json:"sanctioned" nullable:"false" doc:"Software spend IT is involved with, by vendor"`
}

// CanReadShadow reports whether p may read some department's shadow spend
// (the statements' rule).
func CanReadShadow(p *access.Principal) bool { return p != nil && p.ReadsStatements() }

// shadowWindow returns the window's months, oldest first, ending with the
// month before now's.
func shadowWindow(now time.Time) []string {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, shadowMonths)
	for i := range out {
		out[i] = first.AddDate(0, i-shadowMonths, 0).Format("2006-01")
	}
	return out
}

// vendorKey is the form in which spend vendors, catalog vendors and
// decided vendors are compared: the dictionary vendor's name, normalised.
func vendorKey(d *Dictionary, name string) string {
	if v := d.Lookup(name); v != nil {
		name = v.Name
	}
	return Normalise(name).Name
}

// sanctions says which vendors IT is involved with.
type sanctions struct {
	everywhere map[string]string     // vendor key → why
	byDept     map[deptVendor]string // vendor key × department → why
}

type deptVendor struct {
	key  string
	dept int64
}

func (z sanctions) why(key string, dept int64) string {
	if w, ok := z.byDept[deptVendor{key, dept}]; ok {
		return w
	}
	return z.everywhere[key]
}

// sanctions reads the catalog's vendors, the board's decisions and the
// cases that sanctioned a vendor.
func (s *Service) sanctions(ctx context.Context, d *Dictionary) (sanctions, error) {
	z := sanctions{everywhere: map[string]string{}, byDept: map[deptVendor]string{}}
	if s.Catalog != nil {
		services, err := s.Catalog.AllServices(ctx)
		if err != nil {
			return z, err
		}
		ids := make([]int64, 0, len(services))
		for id := range services {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			svc := services[id]
			if svc.Vendor == "" || svc.Sourcing == "built" || svc.Lifecycle == "retired" {
				continue
			}
			if k := vendorKey(d, svc.Vendor); k != "" && z.everywhere[k] == "" {
				z.everywhere[k] = fmt.Sprintf("In the catalog: %s (%s)", svc.Name, svc.Sourcing)
			}
		}
	}
	if err := s.cloudSanctions(ctx, d, z); err != nil {
		return z, err
	}
	if s.Needs != nil {
		decided, err := s.Needs.DecidedVendors(ctx)
		if err != nil {
			return z, err
		}
		for _, v := range decided {
			if k := vendorKey(d, v.Vendor); k != "" {
				z.byDept[deptVendor{k, v.DepartmentID}] = fmt.Sprintf("Decided by the board: %s (%s)", v.Reference, v.Kind)
			}
		}
	}
	sanctioned, err := s.sanctionedCases(ctx)
	if err != nil {
		return z, err
	}
	for _, c := range sanctioned {
		z.byDept[deptVendor{vendorKey(d, c.Vendor), c.DepartmentID}] = fmt.Sprintf("Sanctioned by case %d: security review %s, review by %s",
			c.ID, c.SecurityVerdict, c.ReviewBy)
	}
	return z, nil
}

// shadowAccess returns the departments p may read shadow spend of (all
// when all is true), or an error when none.
func shadowAccess(p *access.Principal, dept int64) (ids []int64, all bool, err error) {
	if p == nil {
		return nil, false, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to see shadow spend.")
	}
	if !CanReadShadow(p) {
		return nil, false, engage.Errorf(engage.EFORBIDDEN, "Shadow spend is for finance, the board, BRMs and department heads.")
	}
	if dept != 0 {
		if !CanReadTotals(p, dept) {
			return nil, false, engage.Errorf(engage.EFORBIDDEN, "You may not read department %d's spend.", dept)
		}
		return []int64{dept}, false, nil
	}
	if p.SeesAllDepartments() {
		return nil, true, nil
	}
	if p.Has(access.BRM) {
		ids = append(ids, p.BRMFor...)
	}
	if p.Has(access.BudgetHolder) {
		ids = append(ids, p.Heads...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), false, nil
}

// Shadow returns the software spend of the departments p may read over the
// 12 months before the current one, split into shadow and sanctioned.
func (s *Service) Shadow(ctx context.Context, p *access.Principal, f ShadowFilter) (ShadowReport, error) {
	ids, all, err := shadowAccess(p, f.DepartmentID)
	if err != nil {
		return ShadowReport{}, err
	}
	months := shadowWindow(s.Clock.Now().UTC())
	rep := ShadowReport{From: months[0], Through: months[len(months)-1], Shadow: []ShadowVendor{}, Sanctioned: []ShadowVendor{}}
	rows, err := s.softwareSpend(ctx, months, ids, all, strings.TrimSpace(f.Vendor))
	if err != nil {
		return rep, err
	}
	dict, err := s.Dictionary(ctx)
	if err != nil {
		return rep, err
	}
	z, err := s.sanctions(ctx, dict)
	if err != nil {
		return rep, err
	}
	names, err := s.departmentNames(ctx)
	if err != nil {
		return rep, err
	}
	prices := alternativePricer{s: s, ctx: ctx, today: catalog.DateOf(s.Clock.Now())}
	for _, v := range rows {
		v.DepartmentName = names[v.DepartmentID]
		if dv := dict.Lookup(v.Vendor); dv != nil {
			v.Category = dv.Category
		}
		if !CanReadLines(p, v.DepartmentID) {
			v.Emails = nil
		}
		v.Alternatives = []ShadowAlternative{}
		if v.Sanctioned = z.why(vendorKey(dict, v.Vendor), v.DepartmentID); v.Sanctioned != "" {
			rep.Sanctioned = append(rep.Sanctioned, v)
			continue
		}
		if v.Alternatives, err = prices.alternatives(v); err != nil {
			return rep, err
		}
		rep.Shadow = append(rep.Shadow, v)
	}
	sortShadow(rep.Shadow)
	sortShadow(rep.Sanctioned)
	return rep, nil
}

// sortShadow orders by annual run rate, worst first, then by total,
// department and vendor (amounts in different currencies are compared as
// numbers: the order is a reading aid).
func sortShadow(vs []ShadowVendor) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if c := a.RunRate.Cmp(b.RunRate); c != 0 {
			return c > 0
		}
		if c := a.Total.Cmp(b.Total); c != 0 {
			return c > 0
		}
		if a.DepartmentName != b.DepartmentName {
			return a.DepartmentName < b.DepartmentName
		}
		return a.Vendor < b.Vendor
	})
}

// softwareSpend adds up the sure software lines of the window by vendor ×
// department × currency, from the kept sums (sums.go), or from the lines
// while the sums of lines stored before they were kept are not made yet.
func (s *Service) softwareSpend(ctx context.Context, months []string, depts []int64, all bool, vendor string) ([]ShadowVendor, error) {
	if !all && len(depts) == 0 {
		return nil, nil
	}
	kept, err := sumsKept(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if kept {
		return s.softwareSpendKept(ctx, months, depts, all, vendor)
	}
	return s.softwareSpendFromLines(ctx, months, depts, all, vendor)
}

// softwareAcc adds up one vendor × department × currency.
type softwareAcc struct {
	v      ShadowVendor
	months map[string]decimal.Decimal
	people map[string]bool
}

func newSoftwareAcc(vendor string, dept int64, currency string) *softwareAcc {
	return &softwareAcc{v: ShadowVendor{Vendor: vendor, DepartmentID: dept, Currency: currency}, months: map[string]decimal.Decimal{}, people: map[string]bool{}}
}

// finish makes the window's months, total, run rate and people.
func (a *softwareAcc) finish(months []string) ShadowVendor {
	v := a.v
	v.Months = make([]MonthAmount, len(months))
	last := decimal.Zero
	for i, m := range months {
		v.Months[i] = MonthAmount{Period: m, Amount: a.months[m]}
		v.Total = v.Total.Add(a.months[m])
		if i >= len(months)-runRateMonths {
			last = last.Add(a.months[m])
		}
	}
	v.RunRate = last.Mul(decimal.NewFromInt(shadowMonths / runRateMonths))
	v.Monthly = v.RunRate.DivRound(decimal.NewFromInt(shadowMonths), 2)
	for e := range a.people {
		v.Emails = append(v.Emails, e)
	}
	slices.Sort(v.Emails)
	v.People = len(v.Emails)
	return v
}

// softwareSpendFromLines is softwareSpend read from the lines. Amounts are
// added in Go so that they stay exact on SQLite, which keeps them as text.
func (s *Service) softwareSpendFromLines(ctx context.Context, months []string, depts []int64, all bool, vendor string) ([]ShadowVendor, error) {
	where := []string{"software = ?", "confidence >= ?", "period >= ?", "period <= ?"}
	args := []any{true, int(ReviewBelow * 100), months[0], months[len(months)-1]}
	if !all {
		where = append(where, "department_id IN ("+db.Placeholders(len(depts))+")")
		for _, id := range depts {
			args = append(args, id)
		}
	}
	if vendor != "" {
		where, args = append(where, "vendor = ?"), append(args, vendor)
	}
	rows, err := s.DB.Query(ctx, `SELECT vendor, department_id, currency, period, CAST(amount AS TEXT), person_email, spent_on FROM spend_lines WHERE `+
		strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("reading software spend: %w", err)
	}
	defer rows.Close()
	type key struct {
		vendor   string
		dept     int64
		currency string
	}
	byKey := map[key]*softwareAcc{}
	var order []key
	for rows.Next() {
		var k key
		var period, amount, email, date string
		if err := rows.Scan(&k.vendor, &k.dept, &k.currency, &period, &amount, &email, &date); err != nil {
			return nil, err
		}
		x, err := decimal.NewFromString(amount)
		if err != nil {
			return nil, fmt.Errorf("a spend line's amount %q: %w", amount, err)
		}
		a := byKey[k]
		if a == nil {
			a = newSoftwareAcc(k.vendor, k.dept, k.currency)
			byKey[k] = a
			order = append(order, k)
		}
		a.v.Lines++
		if date > a.v.LastSpentOn {
			a.v.LastSpentOn = date
		}
		a.months[period] = a.months[period].Add(x)
		if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
			a.people[email] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ShadowVendor, 0, len(order))
	for _, k := range order {
		out = append(out, byKey[k].finish(months))
	}
	return out, nil
}

// alternativePricer finds and prices the catalog services that do a
// vendor's job, reading the catalog once per category.
type alternativePricer struct {
	s     *Service
	ctx   context.Context
	today catalog.Date
	byCat map[string][]ShadowAlternative
}

// alternatives returns the catalog services tagged with v's category,
// priced for the people seen.
func (a *alternativePricer) alternatives(v ShadowVendor) ([]ShadowAlternative, error) {
	out := []ShadowAlternative{}
	if v.Category == "" || a.s.Catalog == nil {
		return out, nil
	}
	if a.byCat == nil {
		a.byCat = map[string][]ShadowAlternative{}
	}
	found, ok := a.byCat[v.Category]
	if !ok {
		bySvc := map[int64]int{}
		err := a.s.Catalog.EachOffering(a.ctx, access.System("shadow spend"), func(o *catalog.Offering, svc *catalog.Service) bool {
			if !catalog.Orderable(svc.Lifecycle) || !slices.Contains(svc.Tags, v.Category) {
				return true
			}
			i, seen := bySvc[svc.ID]
			if !seen {
				i = len(found)
				bySvc[svc.ID] = i
				found = append(found, ShadowAlternative{ServiceID: svc.ID, ServiceSlug: svc.Slug, ServiceName: svc.Name})
			}
			if found[i].OfferingID != 0 || !catalog.Orderable(o.Lifecycle) {
				return true
			}
			if plan, ok := catalog.PlanOn(o.Plans, a.today); ok && plan.Unit == "person-month" && len(plan.Tiers) == 0 {
				found[i].OfferingID, found[i].OfferingName, found[i].Currency, found[i].UnitPrice = o.ID, o.Name, plan.Currency, plan.UnitPrice
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		a.byCat[v.Category] = found
	}
	for _, alt := range found {
		if alt.OfferingID != 0 {
			alt.Monthly = alt.UnitPrice.Mul(decimal.NewFromInt(int64(v.People))).Round(2)
			if alt.Comparable = alt.Currency == v.Currency; alt.Comparable {
				alt.Saving = v.Monthly.Sub(alt.Monthly)
			}
		}
		out = append(out, alt)
	}
	return out, nil
}

// sanctionedCase is a case that sanctioned a vendor for a department.
type sanctionedCase struct {
	ID              int64
	Vendor          string
	DepartmentID    int64
	SecurityVerdict string
	ReviewBy        string
}

// sanctionedCases lists the cases that sanctioned a vendor.
func (s *Service) sanctionedCases(ctx context.Context) ([]sanctionedCase, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, vendor, department_id, security_verdict, review_by FROM shadow_cases WHERE state = ? AND security_verdict <> '' ORDER BY id", CaseSanctioned)
	if err != nil {
		return nil, fmt.Errorf("reading sanctioned cases: %w", err)
	}
	defer rows.Close()
	var out []sanctionedCase
	for rows.Next() {
		var c sanctionedCase
		if err := rows.Scan(&c.ID, &c.Vendor, &c.DepartmentID, &c.SecurityVerdict, &c.ReviewBy); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

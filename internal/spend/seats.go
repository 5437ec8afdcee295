package spend

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Seats measures the seats actually used: a single-sign-on export says,
// per application and department, how many users are assigned and how many
// signed in over the last 30, 60 and 90 days; against a catalog
// subscription priced per person, or against what the department spends
// on the vendor, that gives idle seats and what they cost a month, and a
// quantity-change order right-sizes a subscription.
type Seats struct {
	Spend   *Service
	Catalog *catalog.Catalog
}

// SeatColumns are the columns of a single-sign-on export. application,
// department (a cost-centre code), assigned and active_30/60/90 are
// required. new_N counts the users assigned within the last N days who
// have not signed in since: they are not counted idle in that window.
// domain helps recognise the vendor. Other columns are ignored.
var SeatColumns = []string{"application", "domain", "department", "assigned", "active_30", "active_60", "active_90", "new_30", "new_60", "new_90"}

var seatRequired = []string{"application", "department", "assigned", "active_30", "active_60", "active_90"}

// Windows are the windows seats are measured over, in days.
var Windows = []int{30, 60, 90}

// maxSeats bounds a count of users.
const maxSeats = 10_000_000

// SeatImport says what a seat import did.
type SeatImport struct {
	Lines     int `json:"lines"`
	Added     int `json:"added" doc:"Applications of a department not seen before"`
	Updated   int `json:"updated" doc:"Applications of a department whose counts changed"`
	Unchanged int `json:"unchanged"`
}

type seatRow struct {
	line                int
	app, domain, vendor string
	dept                int64
	assigned            int
	active, fresh       [3]int // by window: 30, 60, 90 days
}

// ImportSeats reads a single-sign-on export (SeatColumns) in one
// transaction: each line replaces the counts of its application and
// department, so the same file again changes nothing. A file with a bad
// line stores nothing; the error names up to 50. Finance and administrators.
func (s *Seats) ImportSeats(ctx context.Context, p *access.Principal, r io.Reader) (SeatImport, error) {
	if p == nil {
		return SeatImport{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to import seats.")
	}
	if !CanImport(p) {
		return SeatImport{}, engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can import seats.")
	}
	cr := csvfile.NewReader(r)
	cr.RefuseCut = true
	head, err := cr.Read()
	if err == io.EOF {
		return SeatImport{}, engage.Errorf(engage.EINVALID, "The file is empty: its first line names the columns (%s).", strings.Join(SeatColumns, ","))
	}
	if err != nil {
		return SeatImport{}, readError(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var missing []string
	for _, c := range seatRequired {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return SeatImport{}, engage.Errorf(engage.EINVALID, "Line 1: the file has no %s column; a single-sign-on export has the columns %s.",
			strings.Join(missing, ", "), strings.Join(SeatColumns, ","))
	}
	codes, err := s.Spend.departmentCodes(ctx)
	if err != nil {
		return SeatImport{}, err
	}
	dict, err := s.Spend.Dictionary(ctx)
	if err != nil {
		return SeatImport{}, err
	}
	m := NewMatcher(dict)
	var rows []seatRow
	var errs []engage.FieldError
	seen := map[string]int{}
	for len(errs) < maxErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return SeatImport{}, fmt.Errorf("reading the file: %w", err)
			}
			errs = append(errs, engage.FieldError{Field: fmt.Sprintf("line %d", pe.StartLine), Message: pe.Err.Error()})
			break
		}
		line, _ := cr.FieldPos(0)
		rw, bad := parseSeatRow(rec, line, col, codes)
		if len(bad) == 0 {
			key := fmt.Sprintf("%s\x1f%d", strings.ToLower(rw.app), rw.dept)
			if first, dup := seen[key]; dup {
				bad = append(bad, engage.FieldError{Field: fmt.Sprintf("line %d: application", line),
					Message: fmt.Sprintf("%s of this department is on line %d already.", rw.app, first)})
			}
			seen[key] = line
		}
		if len(bad) > 0 {
			errs = append(errs, bad...)
			continue
		}
		rw.vendor = seatVendor(m, rw.app, rw.domain)
		rows = append(rows, rw)
		if len(rows) > 100_000 {
			return SeatImport{}, engage.Errorf(engage.EINVALID, "A single-sign-on export has at most 100,000 lines.")
		}
	}
	if len(errs) > 0 {
		return SeatImport{}, &engage.Error{Code: engage.EINVALID, Message: badLinesMessage(errs), Fields: errs}
	}
	rep := SeatImport{Lines: len(rows)}
	asOf := s.Spend.Clock.Now().UTC().Format(time.DateOnly)
	err = s.Spend.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Spend.Clock.Now()
		for _, rw := range rows {
			var id int64
			var assigned int
			var active, fresh [3]int
			var domain, vendor string
			err := tx.QueryRow(ctx, `SELECT id, assigned, active_30, active_60, active_90, new_30, new_60, new_90, domain, vendor FROM seat_usage
				WHERE app_key = ? AND department_id = ?`, strings.ToLower(rw.app), rw.dept).
				Scan(&id, &assigned, &active[0], &active[1], &active[2], &fresh[0], &fresh[1], &fresh[2], &domain, &vendor)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(ctx, `INSERT INTO seat_usage(app_key, application, domain, vendor, department_id, assigned, active_30, active_60, active_90,
					new_30, new_60, new_90, as_of, imported_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					strings.ToLower(rw.app), rw.app, rw.domain, rw.vendor, rw.dept, rw.assigned, rw.active[0], rw.active[1], rw.active[2],
					rw.fresh[0], rw.fresh[1], rw.fresh[2], asOf, db.NullID(p.PersonID), now); err != nil {
					return fmt.Errorf("storing seats of %s: %w", rw.app, err)
				}
				rep.Added++
			case err != nil:
				return err
			case assigned == rw.assigned && active == rw.active && fresh == rw.fresh && domain == rw.domain && vendor == rw.vendor:
				rep.Unchanged++
			default:
				if _, err := tx.Exec(ctx, `UPDATE seat_usage SET application = ?, domain = ?, vendor = ?, assigned = ?, active_30 = ?, active_60 = ?, active_90 = ?,
					new_30 = ?, new_60 = ?, new_90 = ?, as_of = ?, imported_by = ?, updated_at = ? WHERE id = ?`,
					rw.app, rw.domain, rw.vendor, rw.assigned, rw.active[0], rw.active[1], rw.active[2], rw.fresh[0], rw.fresh[1], rw.fresh[2],
					asOf, db.NullID(p.PersonID), now, id); err != nil {
					return fmt.Errorf("storing seats of %s: %w", rw.app, err)
				}
				rep.Updated++
			}
		}
		if rep.Added+rep.Updated == 0 {
			return nil
		}
		return audit.Record(ctx, tx, now, p, "spend.seats", "seat_usage", 0,
			fmt.Sprintf("Imported seats of %d applications (%d new, %d changed)", rep.Lines, rep.Added, rep.Updated), nil, rep)
	})
	if err != nil {
		return SeatImport{}, err
	}
	return rep, nil
}

func parseSeatRow(rec []string, line int, col map[string]int, codes map[string]int64) (seatRow, []engage.FieldError) {
	var bad []engage.FieldError
	fail := func(c, format string, args ...any) {
		bad = append(bad, engage.FieldError{Field: fmt.Sprintf("line %d: %s", line, c), Message: fmt.Sprintf(format, args...)})
	}
	get := func(c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	count := func(c string) int {
		v := get(c)
		if v == "" && !slices.Contains(seatRequired, c) {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxSeats {
			fail(c, "%q is not a number of users (a whole number from 0 to %d).", clip(v, 20), maxSeats)
			return 0
		}
		return n
	}
	rw := seatRow{line: line, app: get("application"), domain: strings.ToLower(get("domain"))}
	switch n := len([]rune(rw.app)); {
	case n == 0:
		fail("application", "Enter the application's name.")
	case n > 200:
		fail("application", "An application's name has at most 200 characters.")
	}
	if len(rw.domain) > 200 || strings.ContainsAny(rw.domain, " /@") {
		fail("domain", "%q is not a web domain such as zoom.us.", clip(rw.domain, 40))
	}
	if id, ok := codes[get("department")]; ok {
		rw.dept = id
	} else {
		fail("department", "No department has the cost-centre code %q.", clip(get("department"), 40))
	}
	rw.assigned = count("assigned")
	for i, w := range Windows {
		rw.active[i] = count(fmt.Sprintf("active_%d", w))
		rw.fresh[i] = count(fmt.Sprintf("new_%d", w))
	}
	if len(bad) > 0 {
		return rw, bad
	}
	for i, w := range Windows {
		if rw.active[i]+rw.fresh[i] > rw.assigned {
			fail(fmt.Sprintf("active_%d", w), "%d active and %d new users over %d days are more than the %d assigned.", rw.active[i], rw.fresh[i], w, rw.assigned)
		}
		if i > 0 && rw.active[i] < rw.active[i-1] {
			fail(fmt.Sprintf("active_%d", w), "Fewer users active over %d days (%d) than over %d (%d).", w, rw.active[i], Windows[i-1], rw.active[i-1])
		}
	}
	return rw, bad
}

// seatVendor recognises an application's vendor by its domain, else by
// its name.
func seatVendor(m *Matcher, app, domain string) string {
	if domain != "" {
		if label, _, ok := webDomain(strings.TrimPrefix(domain, "www.")); ok && label != "" {
			if v := m.Dict.Lookup(label); v != nil {
				return v.Name
			}
		}
	}
	if v := m.Dict.Lookup(app); v != nil {
		return v.Name
	}
	// As a card line naming the application would be: a vendor the
	// dictionary does not know is named as its spend lines are.
	if got := m.Match(Line{Merchant: app}); got.Vendor != "" {
		return got.Vendor
	}
	return app
}

// SeatUse is an application's seats in a department over a window.
type SeatUse struct {
	ID           int64  `json:"id"`
	Application  string `json:"application"`
	Vendor       string `json:"vendor"`
	DepartmentID int64  `json:"department_id"`
	AsOf         string `json:"as_of" format:"date" doc:"The day of the export"`
	Window       int    `json:"window" minimum:"30" maximum:"90" doc:"30, 60 or 90 days"`
	Assigned     int    `json:"assigned" doc:"Users assigned the application"`
	Active       int    `json:"active" doc:"Users who signed in within the window"`
	New          int    `json:"new" doc:"Users assigned within the window who have not signed in yet: not counted idle"`
	// Utilisation is active ÷ (assigned − new), 0 to 1, four decimals.
	Utilisation decimal.Decimal `json:"utilisation"`
	// Seats are the subscription's quantity when a catalog subscription
	// pays for the application, else the users assigned.
	Seats int `json:"seats"`
	Idle  int `json:"idle" doc:"Seats neither used within the window nor new: seats − active − new, at least 0"`
	// IdleMonthly is what the idle seats cost a month: at catalog prices
	// for a subscription, else the vendor's monthly run rate ÷ seats.
	IdleMonthly decimal.Decimal `json:"idle_monthly"`
	Currency    string          `json:"currency,omitempty" doc:"Empty when nothing tells a price"`
	// Subscription is the catalog subscription priced per person that pays
	// for the application, if any; Suggested is the quantity that leaves
	// no idle seat (at least 1).
	SubscriptionID int64  `json:"subscription_id,omitempty"`
	OfferingName   string `json:"offering_name,omitempty"`
	Suggested      int    `json:"suggested,omitempty"`
	// RunRate is the vendor's monthly spend in the department (the 90 days
	// to the export ÷ 3), when no subscription pays for it.
	RunRate decimal.Decimal `json:"run_rate"`
	Basis   string          `json:"basis" doc:"How the cost was found, in words"`
	// Standing says who pays: a catalog subscription, a vendor IT is
	// involved with (sanctioned SaaS, Sanctioned saying why), or nobody IT
	// knows of (a shadow app, listed after the others).
	Standing   string `json:"standing" enum:"subscription,sanctioned,shadow"`
	Sanctioned string `json:"sanctioned,omitempty" doc:"Why the vendor is sanctioned, when Standing is sanctioned"`
}

// Standings of an application's seats.
const (
	StandingSubscription = "subscription"
	StandingSanctioned   = "sanctioned"
	StandingShadow       = "shadow"
)

// CheckWindow checks a window's days.
func CheckWindow(days int) error {
	if !slices.Contains(Windows, days) {
		return &engage.Error{Code: engage.EINVALID, Message: "Choose a window of 30, 60 or 90 days.",
			Fields: []engage.FieldError{{Field: "window", Message: "30, 60 or 90 days."}}}
	}
	return nil
}

// Utilisation measures a department's seats over a window of 30, 60 or 90
// days: those a catalog subscription pays for and those of sanctioned SaaS
// first, then shadow apps; most idle cost first in each. Those who may read the department's
// statements may read it.
func (s *Seats) Utilisation(ctx context.Context, p *access.Principal, deptID int64, window int) ([]SeatUse, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to see seats.")
	}
	if err := CheckWindow(window); err != nil {
		return nil, err
	}
	if !CanReadTotals(p, deptID) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Seats of a department are for those who read its statements.")
	}
	w := slices.Index(Windows, window)
	rows, err := s.Spend.DB.Query(ctx, `SELECT id, application, vendor, department_id, as_of, assigned, active_30, active_60, active_90, new_30, new_60, new_90
		FROM seat_usage WHERE department_id = ? ORDER BY app_key`, deptID)
	if err != nil {
		return nil, fmt.Errorf("reading seats: %w", err)
	}
	var out []SeatUse
	for rows.Next() {
		var u SeatUse
		var active, fresh [3]int
		if err := rows.Scan(&u.ID, &u.Application, &u.Vendor, &u.DepartmentID, &u.AsOf, &u.Assigned, &active[0], &active[1], &active[2],
			&fresh[0], &fresh[1], &fresh[2]); err != nil {
			rows.Close()
			return nil, err
		}
		u.Window, u.Active, u.New = window, active[w], fresh[w]
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	subs, err := s.personSubscriptions(ctx, deptID)
	if err != nil {
		return nil, err
	}
	dict, err := s.Spend.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	z, err := s.Spend.sanctions(ctx, dict)
	if err != nil {
		return nil, err
	}
	var perPerson map[string]vendorPrice
	for i := range out {
		if err := s.price(ctx, &out[i], subs); err != nil {
			return nil, err
		}
		u := &out[i]
		switch u.Sanctioned = z.why(vendorKey(dict, u.Vendor), u.DepartmentID); {
		case u.SubscriptionID != 0:
			u.Standing, u.Sanctioned = StandingSubscription, ""
		case u.Sanctioned != "":
			u.Standing = StandingSanctioned
			if err := s.catalogPrice(ctx, u, dict, &perPerson); err != nil {
				return nil, err
			}
		default:
			u.Standing = StandingShadow
		}
	}
	// The seats IT pays for or sanctions first, shadow apps after; most
	// idle cost first in each.
	slices.SortStableFunc(out, func(a, b SeatUse) int {
		if as, bs := a.Standing == StandingShadow, b.Standing == StandingShadow; as != bs {
			if as {
				return 1
			}
			return -1
		}
		return b.IdleMonthly.Cmp(a.IdleMonthly)
	})
	if out == nil {
		out = []SeatUse{}
	}
	return out, nil
}

// personSub is a department's running subscription priced per person.
type personSub struct {
	sub      catalog.Subscription
	quantity decimal.Decimal
	offering catalog.Offering
	vendor   string // the service's vendor, or its name
	service  string
	plan     catalog.RatePlan
}

func (s *Seats) personSubscriptions(ctx context.Context, deptID int64) ([]personSub, error) {
	sys := access.System("seats")
	today := catalog.DateOf(s.Spend.Clock.Now())
	subs, err := s.Catalog.ListSubscriptions(ctx, sys, catalog.SubscriptionFilter{DepartmentID: deptID, ActiveOn: &today})
	if err != nil {
		return nil, fmt.Errorf("reading the department's subscriptions: %w", err)
	}
	var out []personSub
	for _, sub := range subs {
		o, svc, err := s.Catalog.FindOffering(ctx, sys, sub.OfferingID)
		if err != nil {
			return nil, err
		}
		plan, ok := catalog.PlanOn(o.Plans, today)
		if !ok || plan.Unit != "person-month" {
			continue
		}
		qty := sub.Quantity
		for _, seg := range sub.Segments {
			if !seg.From.After(today.Time) {
				qty = seg.Quantity
			}
		}
		out = append(out, personSub{sub: sub, quantity: qty, offering: o, vendor: svc.Vendor, service: svc.Name, plan: plan})
	}
	return out, nil
}

// price finds what pays for u's seats and what the idle ones cost.
func (s *Seats) price(ctx context.Context, u *SeatUse, subs []personSub) error {
	needed := u.Active + u.New
	if base := u.Assigned - u.New; base > 0 {
		u.Utilisation = decimal.NewFromInt(int64(u.Active)).DivRound(decimal.NewFromInt(int64(base)), 4)
	} else {
		u.Utilisation = decimal.NewFromInt(1)
	}
	// The subscription whose service or offering is named as the
	// application, else the only one of the application's vendor.
	match := slices.IndexFunc(subs, func(ps personSub) bool {
		return sameName(ps.service, u.Application) || sameName(ps.offering.Name, u.Application)
	})
	if match < 0 {
		for i, ps := range subs {
			if sameName(ps.vendor, u.Vendor) || sameName(ps.vendor, u.Application) {
				if match >= 0 {
					match = -1 // several: the application's name must tell which
					break
				}
				match = i
			}
		}
	}
	if match >= 0 {
		ps := subs[match]
		u.SubscriptionID, u.OfferingName = ps.sub.ID, ps.offering.Name
		u.Seats = int(ps.quantity.IntPart())
		u.Idle = max(0, u.Seats-needed)
		u.Suggested = max(1, needed)
		u.Currency = ps.plan.Currency
		full, err := rating.QuotePlan(ps.plan.Rating(ps.offering.ID), ps.quantity)
		if err != nil {
			return err
		}
		kept, err := rating.QuotePlan(ps.plan.Rating(ps.offering.ID), decimal.NewFromInt(int64(u.Seats-u.Idle)))
		if err != nil {
			return err
		}
		u.IdleMonthly = rating.RoundLine(full.Monthly.Sub(kept.Monthly), u.Currency)
		u.Basis = fmt.Sprintf("subscription %d to %s: %s seats at catalog prices", ps.sub.ID, ps.offering.Name, ps.quantity)
		return nil
	}
	u.Seats = u.Assigned
	u.Idle = max(0, u.Assigned-needed)
	end, err := time.Parse(time.DateOnly, u.AsOf)
	if err != nil {
		return fmt.Errorf("seats %d: as of %q: %w", u.ID, u.AsOf, err)
	}
	start := end.AddDate(0, 0, -90).Format(time.DateOnly)
	rows, err := s.Spend.DB.Query(ctx, `SELECT currency, CAST(SUM(amount) AS TEXT), COUNT(*) FROM spend_lines
		WHERE department_id = ? AND vendor = ? AND spent_on > ? AND spent_on <= ? GROUP BY currency`, u.DepartmentID, u.Vendor, start, u.AsOf)
	if err != nil {
		return fmt.Errorf("reading %s's spend: %w", u.Vendor, err)
	}
	defer rows.Close()
	most := 0
	for rows.Next() {
		var cur, sum string
		var n int
		if err := rows.Scan(&cur, &sum, &n); err != nil {
			return err
		}
		if n <= most {
			continue
		}
		total, err := decimal.NewFromString(sum)
		if err != nil {
			return fmt.Errorf("%s's spend %q: %w", u.Vendor, sum, err)
		}
		most, u.Currency = n, cur
		u.RunRate = rating.RoundLine(total.Div(decimal.NewFromInt(3)), cur)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case u.Currency == "":
		u.Basis = "no catalog subscription and no spend on the vendor in the 90 days to the export"
	case u.Seats > 0:
		u.IdleMonthly = rating.RoundLine(u.RunRate.Mul(decimal.NewFromInt(int64(u.Idle))).Div(decimal.NewFromInt(int64(u.Seats))), u.Currency)
		u.Basis = fmt.Sprintf("spend on %s: %s a month over the 90 days to the export, ÷ %d seats", u.Vendor, catalog.FormatMoney(u.RunRate, u.Currency), u.Seats)
	}
	return nil
}

func sameName(a, b string) bool {
	return a != "" && b != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// RightSize orders the quantity that leaves no idle seat over the window
// for the subscription that pays for seat row id, through the catalog's
// quantity-change order (its approvals and its rules on who may order).
func (s *Seats) RightSize(ctx context.Context, p *access.Principal, id int64, window int) (catalog.Order, error) {
	if p == nil {
		return catalog.Order{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to order.")
	}
	var dept int64
	if err := s.Spend.DB.QueryRow(ctx, "SELECT department_id FROM seat_usage WHERE id = ?", id).Scan(&dept); errors.Is(err, sql.ErrNoRows) {
		return catalog.Order{}, engage.Errorf(engage.ENOTFOUND, "No seats %d.", id)
	} else if err != nil {
		return catalog.Order{}, err
	}
	if !CanReadTotals(p, dept) {
		return catalog.Order{}, engage.Errorf(engage.ENOTFOUND, "No seats %d.", id)
	}
	uses, err := s.Utilisation(ctx, p, dept, window)
	if err != nil {
		return catalog.Order{}, err
	}
	i := slices.IndexFunc(uses, func(u SeatUse) bool { return u.ID == id })
	if i < 0 {
		return catalog.Order{}, engage.Errorf(engage.ENOTFOUND, "No seats %d.", id)
	}
	u := uses[i]
	if u.SubscriptionID == 0 {
		return catalog.Order{}, engage.Errorf(engage.ECONFLICT, "No catalog subscription priced per person pays for %s: there is nothing to right-size.", u.Application)
	}
	if u.Idle == 0 || u.Suggested >= u.Seats {
		return catalog.Order{}, engage.Errorf(engage.ECONFLICT, "%s has no idle seat over %d days.", u.Application, window)
	}
	note := fmt.Sprintf("Right-sized from the single-sign-on export of %s: %d of %d seats used over %d days (%d new), %d idle costing %s a month.",
		u.AsOf, u.Active, u.Seats, window, u.New, u.Idle, catalog.FormatMoney(u.IdleMonthly, u.Currency))
	return s.Catalog.ChangeQuantity(ctx, p, u.SubscriptionID, decimal.NewFromInt(int64(u.Suggested)), catalog.OrderInput{Note: note})
}

// vendorPrice is a vendor's first orderable per-person offering today.
type vendorPrice struct {
	offering string
	plan     catalog.RatePlan
}

// catalogPrice prices the idle seats of sanctioned SaaS bought without a
// subscription at the catalog's price for a person of the vendor's service,
// when the catalog has one (in its order); else what the department pays
// the vendor stays the price. perPerson is filled on first use.
func (s *Seats) catalogPrice(ctx context.Context, u *SeatUse, dict *Dictionary, perPerson *map[string]vendorPrice) error {
	if *perPerson == nil {
		*perPerson = map[string]vendorPrice{}
		today := catalog.DateOf(s.Spend.Clock.Now())
		err := s.Catalog.EachOffering(ctx, access.System("seats"), func(o *catalog.Offering, svc *catalog.Service) bool {
			k := vendorKey(dict, svc.Vendor)
			if _, seen := (*perPerson)[k]; seen || svc.Vendor == "" || !catalog.Orderable(svc.Lifecycle) || !catalog.Orderable(o.Lifecycle) {
				return true
			}
			if plan, ok := catalog.PlanOn(o.Plans, today); ok && plan.Unit == "person-month" && len(plan.Tiers) == 0 {
				(*perPerson)[k] = vendorPrice{offering: o.Name, plan: plan}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	vp, ok := (*perPerson)[vendorKey(dict, u.Vendor)]
	if !ok {
		return nil
	}
	u.Currency = vp.plan.Currency
	u.IdleMonthly = rating.RoundLine(vp.plan.UnitPrice.Mul(decimal.NewFromInt(int64(u.Idle))), u.Currency)
	u.Basis = fmt.Sprintf("%s at catalog prices: %s a person a month", vp.offering, catalog.FormatMoney(vp.plan.UnitPrice, u.Currency))
	return nil
}

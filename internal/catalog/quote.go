package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Quote limits.
const (
	QuoteValidDays  = 30
	DefaultTerm     = 36
	MaxTermMonths   = 60
	MaxLines        = 20
	maxQuantityText = "1000000"
)

var maxQuantity = decimal.RequireFromString(maxQuantityText)

// QuoteLineInput is one offering and how much of it.
type QuoteLineInput struct {
	OfferingID int64           `json:"offering_id"`
	Quantity   decimal.Decimal `json:"quantity" doc:"People, units, GB, or the expected monthly usage of a metered offering; above 0, at most 1000000, at most 6 decimal places"`
}

// QuoteInput asks for a quote.
type QuoteInput struct {
	Title      string           `json:"title,omitempty"`
	TermMonths int              `json:"term_months,omitempty" doc:"Months the whole-term total covers; 36 when absent"`
	Lines      []QuoteLineInput `json:"lines"`
	// For makes the quote for another department and requester; the front
	// door sets it when a business relationship manager orders for a need.
	// It is never read from a request body.
	For *OnBehalf `json:"-"`
}

// OnBehalf names whose quote (and order) it is when the person who makes it
// acts for someone else. Subject identifies what it is for ("NEED-2026-0042"):
// one quote per subject, so asking again answers with the first.
type OnBehalf struct {
	DepartmentID int64
	RequesterID  int64
	Subject      string
}

// QuoteLine is one priced line.
type QuoteLine struct {
	Position     int             `json:"position"`
	OfferingID   int64           `json:"offering_id"`
	OfferingName string          `json:"offering_name"`
	ServiceID    int64           `json:"service_id"`
	ServiceName  string          `json:"service_name"`
	PlanID       int64           `json:"plan_id"`
	Unit         string          `json:"unit"`
	UnitName     string          `json:"unit_name,omitempty" doc:"The offering's name for one unit, such as GB"`
	Quantity     decimal.Decimal `json:"quantity"`
	OneTime      decimal.Decimal `json:"one_time" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	Monthly      decimal.Decimal `json:"monthly" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	TermTotal    decimal.Decimal `json:"term_total" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
}

// Quote is a numbered, priced offer valid until a date.
type Quote struct {
	ID             int64           `json:"id"`
	Number         string          `json:"number"`
	RequesterID    int64           `json:"requester_id"`
	RequesterName  string          `json:"requester_name"`
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	Title          string          `json:"title"`
	TermMonths     int             `json:"term_months"`
	Currency       string          `json:"currency"`
	OneTime        decimal.Decimal `json:"one_time" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	Monthly        decimal.Decimal `json:"monthly" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	TermTotal      decimal.Decimal `json:"term_total" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	ValidUntil     Date            `json:"valid_until"`
	CreatedAt      time.Time       `json:"created_at"`
	Lines          []QuoteLine     `json:"lines" nullable:"false"`
	Expired        bool            `json:"expired"`
	PlacedByID     int64           `json:"placed_by_id,omitempty" doc:"Who made the quote on the requester's behalf"`
	PlacedByName   string          `json:"placed_by_name,omitempty"`
	OrderNumber    string          `json:"order_number,omitempty" doc:"The order placed from this quote; a quote is ordered once"`
}

// wholeUnits are units whose quantities are counts.
var wholeUnits = map[string]bool{"person-month": true, "fixed-month": true, "one-time": true}

// checkQuantity validates a quantity for a unit, naming field.
func checkQuantity(v *engage.Validation, field string, q decimal.Decimal, unit string) {
	switch {
	case !q.IsPositive():
		v.Add(field, "Enter a quantity above zero.")
	case q.GreaterThan(maxQuantity):
		v.Add(field, "Enter a quantity of at most %s; for more, ask your business relationship manager.", maxQuantityText)
	case wholeUnits[unit] && !q.IsInteger():
		v.Add(field, "Enter a whole number of %s.", UnitLabels[unit].Quantity)
	case rating.Quantity.Check(q) != "":
		v.Add(field, "%s", rating.Quantity.Check(q))
	}
}

// priceLine prices one line with the plan in force on day.
func priceLine(o *Offering, svc *Service, qty decimal.Decimal, term int, day Date) (QuoteLine, error) {
	plan, ok := PlanOn(o.Plans, day)
	if !ok {
		return QuoteLine{}, fmt.Errorf("%s has no price on %s", o.Name, day)
	}
	q, err := rating.QuotePlan(plan.Rating(o.ID), qty)
	if err != nil {
		return QuoteLine{}, err
	}
	round := func(d decimal.Decimal) decimal.Decimal { return rating.RoundLine(d, plan.Currency) }
	line := QuoteLine{OfferingID: o.ID, OfferingName: o.Name, ServiceID: svc.ID, ServiceName: svc.Name, PlanID: plan.ID, Unit: plan.Unit, UnitName: o.UnitName,
		Quantity: qty, OneTime: round(q.OneTime), Monthly: round(q.Monthly)}
	line.TermTotal = line.OneTime.Add(line.Monthly.Mul(decimal.NewFromInt(int64(term))))
	return line, nil
}

// PriceQuote prices a quote without saving it: the live total on the quote
// page, and the first step of CreateQuote.
func (c *Catalog) PriceQuote(ctx context.Context, p *access.Principal, in QuoteInput) (Quote, error) {
	if p == nil {
		return Quote{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	// A quote made for someone else (a need's requester, a department's
	// head) holds what they may order, not what its maker may: a BRM
	// quotes for a department the services offered to it.
	who := p
	if in.For != nil && in.For.RequesterID != 0 && in.For.RequesterID != p.PersonID {
		who = &access.Principal{PersonID: in.For.RequesterID, DepartmentID: in.For.DepartmentID}
	}
	v, err := c.viewerOf(ctx, who)
	if err != nil {
		return Quote{}, err
	}
	s, err := c.snapshot(ctx)
	if err != nil {
		return Quote{}, err
	}
	today := DateOf(c.Clock.Now())
	in.Title = strings.TrimSpace(in.Title)
	if in.TermMonths == 0 {
		in.TermMonths = DefaultTerm
	}
	var val engage.Validation
	val.MaxLen("title", in.Title, 200)
	if in.TermMonths < 1 || in.TermMonths > MaxTermMonths {
		val.Add("term_months", "Choose a term between 1 and %d months.", MaxTermMonths)
	}
	if len(in.Lines) == 0 {
		val.Add("lines", "Add at least one offering to the quote.")
	} else if len(in.Lines) > MaxLines {
		val.Add("lines", "A quote has at most %d lines.", MaxLines)
	}
	q := Quote{Title: in.Title, TermMonths: in.TermMonths, ValidUntil: today.AddDays(QuoteValidDays), Lines: []QuoteLine{}}
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		o := s.offerings[l.OfferingID]
		if o == nil || !v.sees(s.services[o.ServiceID]) {
			val.Add(field+".offering_id", "There is no offering %d, or it is not offered to your department.", l.OfferingID)
			continue
		}
		svc := s.services[o.ServiceID]
		if !Orderable(o.Lifecycle) || !Orderable(svc.Lifecycle) {
			val.Add(field+".offering_id", "%s is %s and cannot be ordered.", o.Name, strings.ToLower(Label(Lifecycles, worst(o.Lifecycle, svc.Lifecycle))))
			continue
		}
		plan, ok := PlanOn(o.Plans, today)
		if !ok {
			val.Add(field+".offering_id", "%s has no price today; ask its owner.", o.Name)
			continue
		}
		before := len(val.Fields)
		if checkQuantity(&val, field+".quantity", l.Quantity, plan.Unit); len(val.Fields) > before {
			continue
		}
		if q.Currency == "" {
			q.Currency = plan.Currency
		} else if q.Currency != plan.Currency {
			val.Add(field+".offering_id", "%s is priced in %s and the quote so far in %s; make one quote per currency.", o.Name, plan.Currency, q.Currency)
			continue
		}
		line, err := priceLine(o, svc, l.Quantity, in.TermMonths, today)
		if err != nil {
			val.Add(field+".offering_id", "%s", err.Error())
			continue
		}
		line.Position = i + 1
		q.Lines = append(q.Lines, line)
		q.OneTime = q.OneTime.Add(line.OneTime)
		q.Monthly = q.Monthly.Add(line.Monthly)
		q.TermTotal = q.TermTotal.Add(line.TermTotal)
	}
	return q, val.Err()
}

func worst(a, b string) string {
	if !Orderable(a) {
		return a
	}
	return b
}

// CreateQuote prices and saves a numbered quote for the person's department,
// or for the department and requester named by in.For.
func (c *Catalog) CreateQuote(ctx context.Context, p *access.Principal, in QuoteInput) (Quote, error) {
	if p == nil || (p.DepartmentID == 0 && in.For == nil) {
		return Quote{}, engage.Errorf(engage.EFORBIDDEN, "You need to belong to a department to get a quote; ask an administrator.")
	}
	requester, dept, placedBy, subject := p.PersonID, p.DepartmentID, any(nil), any(nil)
	if in.For != nil {
		requester, dept, subject = in.For.RequesterID, in.For.DepartmentID, in.For.Subject
		if requester != p.PersonID {
			placedBy = p.PersonID
		}
		if number, found, err := quoteFor(ctx, c.DB, in.For.Subject); err != nil || found {
			if err != nil {
				return Quote{}, err
			}
			return c.FindQuote(ctx, p, number)
		}
	}
	q, err := c.PriceQuote(ctx, p, in)
	if err != nil {
		return Quote{}, err
	}
	var id int64
	err = c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		n, err := db.NextNumber(ctx, tx, "quote", now.Year())
		if err != nil {
			return err
		}
		q.Number = fmt.Sprintf("Q-%d-%06d", now.Year(), n)
		err = tx.QueryRow(ctx, `INSERT INTO quotes(number, requester_id, department_id, title, term_months, currency, one_time, monthly,
			term_total, valid_until, created_at, placed_by_id, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			q.Number, requester, dept, q.Title, q.TermMonths, q.Currency, q.OneTime, q.Monthly, q.TermTotal, q.ValidUntil.Time, now,
			placedBy, subject).Scan(&id)
		if err != nil {
			return fmt.Errorf("saving quote: %w", err)
		}
		for _, l := range q.Lines {
			if _, err := tx.Exec(ctx, `INSERT INTO quote_lines(quote_id, position, offering_id, plan_id, quantity, one_time, monthly, term_total)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, l.Position, l.OfferingID, l.PlanID, l.Quantity, l.OneTime, l.Monthly, l.TermTotal); err != nil {
				return fmt.Errorf("saving quote line: %w", err)
			}
		}
		if err := audit.Record(ctx, tx, now, p, "create", "quote", id, "Quote "+q.Number, nil, q); err != nil {
			return err
		}
		return c.quoteChanged(ctx, tx, q.Number)
	})
	if err != nil && in.For != nil && db.IsUniqueViolation(err) {
		// Made at the same moment by another request for the same subject.
		number, found, ferr := quoteFor(ctx, c.DB, in.For.Subject)
		if ferr == nil && found {
			return c.FindQuote(ctx, p, number)
		}
	}
	if err != nil {
		return Quote{}, err
	}
	return c.FindQuote(ctx, p, q.Number)
}

// quoteFor returns the number of the quote made for subject, if any.
func quoteFor(ctx context.Context, q db.Querier, subject string) (string, bool, error) {
	var number string
	err := q.QueryRow(ctx, "SELECT number FROM quotes WHERE subject = ?", subject).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("reading the quote for %s: %w", subject, err)
	}
	return number, true, nil
}

// FindQuote returns a quote by number, to the people who may see its
// department's data (and its requester).
func (c *Catalog) FindQuote(ctx context.Context, p *access.Principal, number string) (Quote, error) {
	if p == nil {
		return Quote{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	q, err := findQuote(ctx, c.DB, strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return Quote{}, err
	}
	if q.RequesterID != p.PersonID && q.PlacedByID != p.PersonID && !p.CanReadDepartment(q.DepartmentID) {
		return Quote{}, engage.Errorf(engage.ENOTFOUND, "There is no quote %s that you can see.", number)
	}
	q.Expired = DateOf(c.Clock.Now()).After(q.ValidUntil.Time)
	return q, nil
}

func findQuote(ctx context.Context, q db.Querier, number string) (Quote, error) {
	var out Quote
	var valid time.Time
	err := q.QueryRow(ctx, `SELECT q.id, q.number, q.requester_id, p.name, q.department_id, d.name, q.title, q.term_months, q.currency,
		q.one_time, q.monthly, q.term_total, q.valid_until, q.created_at, COALESCE(q.placed_by_id, 0), COALESCE(pb.name, ''), COALESCE(o.number, '')
		FROM quotes q JOIN people p ON p.id = q.requester_id JOIN departments d ON d.id = q.department_id
		LEFT JOIN people pb ON pb.id = q.placed_by_id LEFT JOIN orders o ON o.quote_id = q.id WHERE q.number = ?`, number).
		Scan(&out.ID, &out.Number, &out.RequesterID, &out.RequesterName, &out.DepartmentID, &out.DepartmentName, &out.Title, &out.TermMonths,
			&out.Currency, &out.OneTime, &out.Monthly, &out.TermTotal, &valid, &out.CreatedAt, &out.PlacedByID, &out.PlacedByName, &out.OrderNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return out, engage.Errorf(engage.ENOTFOUND, "There is no quote %s that you can see.", number)
	} else if err != nil {
		return out, fmt.Errorf("reading quote %s: %w", number, err)
	}
	out.ValidUntil, out.CreatedAt = DateOf(valid), out.CreatedAt.UTC()
	rows, err := q.Query(ctx, `SELECT l.position, l.offering_id, o.name, s.id, s.name, l.plan_id, rp.unit, o.unit_name, l.quantity, l.one_time, l.monthly, l.term_total
		FROM quote_lines l JOIN offerings o ON o.id = l.offering_id JOIN services s ON s.id = o.service_id JOIN rate_plans rp ON rp.id = l.plan_id
		WHERE l.quote_id = ? ORDER BY l.position`, out.ID)
	if err != nil {
		return out, fmt.Errorf("reading quote lines: %w", err)
	}
	defer rows.Close()
	out.Lines = []QuoteLine{}
	for rows.Next() {
		var l QuoteLine
		if err := rows.Scan(&l.Position, &l.OfferingID, &l.OfferingName, &l.ServiceID, &l.ServiceName, &l.PlanID, &l.Unit, &l.UnitName, &l.Quantity,
			&l.OneTime, &l.Monthly, &l.TermTotal); err != nil {
			return out, fmt.Errorf("reading quote lines: %w", err)
		}
		out.Lines = append(out.Lines, l)
	}
	return out, rows.Err()
}

// Comparison sets offerings side by side for one quantity.
type Comparison struct {
	Quantity decimal.Decimal `json:"quantity"`
	Columns  []CompareColumn `json:"columns" nullable:"false"`
	Cheapest int             `json:"cheapest" doc:"Index of the cheapest column over three years, -1 when currencies differ"`
	Summary  string          `json:"summary"`
}

// CompareColumn is one offering in a comparison.
type CompareColumn struct {
	Offering  Offering        `json:"offering"`
	Service   Service         `json:"service"`
	Unit      string          `json:"unit"`
	Currency  string          `json:"currency"`
	Monthly   decimal.Decimal `json:"monthly"`
	OneTime   decimal.Decimal `json:"one_time"`
	ThreeYear decimal.Decimal `json:"three_year"`
	LeadTime  int             `json:"lead_time_days"`
}

// Compare prices two to four offerings for the same quantity.
func (c *Catalog) Compare(ctx context.Context, p *access.Principal, offeringIDs []int64, quantity decimal.Decimal) (Comparison, error) {
	var val engage.Validation
	if len(offeringIDs) < 2 || len(offeringIDs) > 4 {
		val.Add("offering_ids", "Choose two to four offerings to compare.")
	}
	checkQuantity(&val, "quantity", quantity, "")
	if err := val.Err(); err != nil {
		return Comparison{}, err
	}
	today := DateOf(c.Clock.Now())
	cmp := Comparison{Quantity: quantity, Cheapest: -1, Columns: []CompareColumn{}}
	for i, id := range offeringIDs {
		o, svc, err := c.FindOffering(ctx, p, id)
		if err != nil {
			val.Add(fmt.Sprintf("offering_ids[%d]", i), "%s", engage.ErrorMessage(err))
			continue
		}
		line, err := priceLine(&o, &svc, quantity, rating.QuoteMonths, today)
		if err != nil {
			val.Add(fmt.Sprintf("offering_ids[%d]", i), "%s", err.Error())
			continue
		}
		plan, _ := PlanOn(o.Plans, today)
		lead := o.LeadTimeDays
		if lead == 0 {
			lead = svc.SLA.LeadTimeDays
		}
		cmp.Columns = append(cmp.Columns, CompareColumn{Offering: o, Service: svc, Unit: plan.Unit, Currency: plan.Currency,
			Monthly: line.Monthly, OneTime: line.OneTime, ThreeYear: line.TermTotal, LeadTime: lead})
	}
	if err := val.Err(); err != nil {
		return Comparison{}, err
	}
	cmp.Cheapest, cmp.Summary = summarise(cmp.Columns, quantity)
	return cmp, nil
}

// summarise finds the cheapest column over three years and says in one
// sentence how it compares with the dearest.
func summarise(cols []CompareColumn, qty decimal.Decimal) (int, string) {
	for _, col := range cols[1:] {
		if col.Currency != cols[0].Currency {
			return -1, "These offerings are priced in different currencies, so their costs are not compared."
		}
	}
	// Twenty VMs and twenty servers are not the same amount: offerings
	// counted in different units are still ranked, but the sentence says
	// what each column prices rather than one "for 20 units".
	amounts := make([]string, len(cols))
	for i, col := range cols {
		amounts[i] = Quantity(col.Unit, col.Offering.UnitName, qty)
	}
	lead := "For " + amounts[0] + ", "
	if slices.ContainsFunc(amounts, func(a string) bool { return a != amounts[0] }) {
		each := make([]string, len(cols))
		for i, col := range cols {
			each[i] = amounts[i] + " of " + col.Offering.Name
		}
		lead = "Counted in different units (" + strings.Join(each, ", ") + "): "
	}
	cheap, dear := 0, 0
	for i, col := range cols {
		if col.ThreeYear.LessThan(cols[cheap].ThreeYear) {
			cheap = i
		}
		if col.ThreeYear.GreaterThan(cols[dear].ThreeYear) {
			dear = i
		}
	}
	a, b := cols[cheap], cols[dear]
	if a.ThreeYear.Equal(b.ThreeYear) {
		return cheap, "These offerings cost the same over three years."
	}
	s := lead + fmt.Sprintf("%s costs %s less over three years than %s", a.Offering.Name,
		FormatMoney(b.ThreeYear.Sub(a.ThreeYear), a.Currency), b.Offering.Name)
	if diff := b.Monthly.Sub(a.Monthly); diff.IsPositive() {
		s += fmt.Sprintf(" (%s less each month)", FormatMoney(diff, a.Currency))
	}
	switch {
	case a.LeadTime < b.LeadTime:
		s += fmt.Sprintf(", and is ready in %s instead of %s", days(a.LeadTime), days(b.LeadTime))
	case a.LeadTime > b.LeadTime:
		s += fmt.Sprintf(", but takes %s to deliver instead of %s", days(a.LeadTime), days(b.LeadTime))
	}
	return cheap, s + "."
}

func days(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

// QuoteFilter pages a list of quotes.
type QuoteFilter struct {
	Limit, Offset int
}

// ListQuotes lists the quotes the person may see (their own, those made on
// someone's behalf by them, and those of the departments whose data they
// read), newest first, with how many there are in all.
func (c *Catalog) ListQuotes(ctx context.Context, p *access.Principal, f QuoteFilter) ([]Quote, int, error) {
	if p == nil {
		return nil, 0, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	where, args := "1=1", []any{}
	if ids, all := p.ReadableDepartments(); !all {
		where = "(q.requester_id = ? OR q.placed_by_id = ?"
		args = append(args, p.PersonID, p.PersonID)
		if len(ids) > 0 {
			where += " OR q.department_id IN (" + db.Placeholders(len(ids)) + ")"
			args = append(args, db.Args(ids)...)
		}
		where += ")"
	}
	var total int
	if err := c.DB.QueryRow(ctx, "SELECT COUNT(*) FROM quotes q WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting quotes: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := c.DB.Query(ctx, "SELECT q.number FROM quotes q WHERE "+where+" ORDER BY q.id DESC LIMIT ? OFFSET ?",
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing quotes: %w", err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("listing quotes: %w", err)
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing quotes: %w", err)
	}
	today := DateOf(c.Clock.Now())
	out := make([]Quote, 0, len(numbers))
	for _, n := range numbers {
		q, err := findQuote(ctx, c.DB, n)
		if err != nil {
			return nil, 0, err
		}
		q.Expired = today.After(q.ValidUntil.Time)
		out = append(out, q)
	}
	return out, total, nil
}

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
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// Orders go through the approval policy that applies to them; the amount an
// approval policy compares with its threshold is the order's whole-term
// cost (one-time plus the quote's term × monthly) for a new order, and the
// change of monthly cost times 12 for a quantity change. An approved order
// takes effect at once: new subscriptions, a new quantity from the change
// date, or an end date.

// Order kinds and states.
const (
	OrderNew    = "new"
	OrderChange = "change"
	OrderCancel = "cancel"

	OrderPending   = "pending"
	OrderApproved  = "approved"
	OrderDeclined  = "declined"
	OrderCancelled = "cancelled"
)

// SubjectOrder is the approval subject type of catalog orders.
const SubjectOrder = "order"

// OrderLine is one offering of an order.
type OrderLine struct {
	Position       int             `json:"position"`
	OfferingID     int64           `json:"offering_id"`
	OfferingName   string          `json:"offering_name"`
	ServiceName    string          `json:"service_name"`
	SubscriptionID int64           `json:"subscription_id,omitempty" doc:"The subscription the line changes or cancels, or, once a new order is approved, the one it created"`
	Quantity       decimal.Decimal `json:"quantity"`
	Monthly        decimal.Decimal `json:"monthly" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	OneTime        decimal.Decimal `json:"one_time" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
}

// Order asks for new subscriptions, a quantity change or a cancellation.
type Order struct {
	ID                int64           `json:"id"`
	Number            string          `json:"number"`
	Kind              string          `json:"kind" enum:"new,change,cancel"`
	Status            string          `json:"status" enum:"pending,approved,declined,cancelled"`
	QuoteNumber       string          `json:"quote_number,omitempty"`
	RequesterID       int64           `json:"requester_id"`
	RequesterName     string          `json:"requester_name"`
	PlacedByID        int64           `json:"placed_by_id,omitempty" doc:"Who placed the order on the requester's behalf, when someone else did"`
	PlacedByName      string          `json:"placed_by_name,omitempty"`
	DepartmentID      int64           `json:"department_id"`
	DepartmentName    string          `json:"department_name"`
	Currency          string          `json:"currency"`
	OneTime           decimal.Decimal `json:"one_time" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	Monthly           decimal.Decimal `json:"monthly" doc:"Rounded and written with the currency's minor unit (\"58.00\")"`
	StartDate         Date            `json:"start_date" doc:"When the order takes effect"`
	Note              string          `json:"note"`
	ApprovalRequestID int64           `json:"approval_request_id,omitempty"`
	DecisionReason    string          `json:"decision_reason,omitempty"`
	Lines             []OrderLine     `json:"lines" nullable:"false"`
	Version           int             `json:"version"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// OrderInput says when an order should take effect and why.
type OrderInput struct {
	StartDate *Date  `json:"start_date,omitempty" doc:"Today when absent"`
	Note      string `json:"note,omitempty"`
}

// Subscription is a department's use of an offering.
type Subscription struct {
	ID             int64           `json:"id"`
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	OfferingID     int64           `json:"offering_id"`
	OfferingName   string          `json:"offering_name"`
	ServiceID      int64           `json:"service_id"`
	ServiceName    string          `json:"service_name"`
	OrderID        int64           `json:"order_id,omitempty"`
	Quantity       decimal.Decimal `json:"quantity"`
	StartDate      Date            `json:"start_date"`
	EndDate        *Date           `json:"end_date,omitempty" doc:"Last day of service, inclusive"`
	Segments       []Segment       `json:"segments" nullable:"false"`
	Version        int             `json:"version"`
}

// Segment is a quantity from a date.
type Segment struct {
	From     Date            `json:"from"`
	Quantity decimal.Decimal `json:"quantity"`
}

// Approvals is the approval mechanism orders go through.
type Approvals interface {
	Submit(ctx context.Context, tx *db.Tx, in approval.SubmitInput) (approval.Request, error)
	// AskedAbout is the SQL condition "p was asked to decide on the
	// subject whose id is the column subjectIDColumn".
	AskedAbout(p *access.Principal, subjectType, subjectIDColumn string) (string, []any)
}

func (c *Catalog) checkStart(v *engage.Validation, in OrderInput, today Date) Date {
	start := today
	if in.StartDate != nil {
		start = *in.StartDate
	}
	if start.Before(today.Time) {
		v.Add("start_date", "Choose today or a later date.")
	} else if start.After(today.AddDays(366).Time) {
		v.Add("start_date", "Choose a date within a year.")
	}
	v.MaxLen("note", in.Note, 2000)
	return start
}

// OrderQuote turns a quote into an order for its department and submits it
// for approval. People of the quote's department and its budget holders may
// order it while the quote is valid, and so may whoever made the quote on
// its requester's behalf (the order is then the requester's, placed by
// them). A quote is ordered once: ordering it again, at once or later,
// answers with its first order, whatever became of it.
func (c *Catalog) OrderQuote(ctx context.Context, p *access.Principal, number string, in OrderInput) (Order, error) {
	q, err := c.FindQuote(ctx, p, number)
	if err != nil {
		return Order{}, err
	}
	onBehalf := q.PlacedByID != 0 && q.PlacedByID == p.PersonID
	if !canManage(p, q.DepartmentID) && !onBehalf {
		return Order{}, engage.Errorf(engage.EFORBIDDEN, "Only people of %s and its budget holders can order this quote.", q.DepartmentName)
	}
	if first, found, err := orderOfQuote(ctx, c.DB, q.ID); err != nil || found {
		if err != nil {
			return Order{}, err
		}
		return c.FindOrder(ctx, p, first)
	}
	today := DateOf(c.Clock.Now())
	if q.Expired {
		return Order{}, engage.Errorf(engage.EINVALID, "Quote %s expired on %s. Get a new quote: prices may have changed.", q.Number, q.ValidUntil)
	}
	var v engage.Validation
	start := c.checkStart(&v, in, today)
	// The catalog may have changed since the quote: re-check each line.
	s, err := c.snapshot(ctx)
	if err != nil {
		return Order{}, err
	}
	var serviceIDs, offeringIDs []int64
	dataClass := "public"
	for i, l := range q.Lines {
		o := s.offerings[l.OfferingID]
		if o == nil || !Orderable(o.Lifecycle) || !Orderable(s.services[o.ServiceID].Lifecycle) {
			v.Add(fmt.Sprintf("lines[%d]", i), "%s can no longer be ordered. Get a new quote.", l.OfferingName)
			continue
		}
		svc := s.services[o.ServiceID]
		offeringIDs = append(offeringIDs, o.ID)
		serviceIDs = append(serviceIDs, svc.ID)
		if approval.DataClassRank(svc.DataCeiling) > approval.DataClassRank(dataClass) {
			dataClass = svc.DataCeiling
		}
	}
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	order := Order{Kind: OrderNew, Status: OrderPending, QuoteNumber: q.Number, RequesterID: p.PersonID, DepartmentID: q.DepartmentID,
		Currency: q.Currency, OneTime: q.OneTime, Monthly: q.Monthly, StartDate: start, Note: strings.TrimSpace(in.Note)}
	if onBehalf {
		order.RequesterID, order.PlacedByID = q.RequesterID, p.PersonID
	}
	for _, l := range q.Lines {
		order.Lines = append(order.Lines, OrderLine{Position: l.Position, OfferingID: l.OfferingID, Quantity: l.Quantity, Monthly: l.Monthly, OneTime: l.OneTime})
	}
	sub := approval.SubmitInput{SubjectType: SubjectOrder, RequesterID: order.RequesterID, DepartmentID: q.DepartmentID,
		Summary: TermSummary(q.TermTotal, q.TermMonths, q.Monthly, q.OneTime, q.Currency), Amount: q.TermTotal, Currency: q.Currency, OfferingIDs: offeringIDs, ServiceIDs: serviceIDs, DataClass: dataClass}
	return c.placeOrder(ctx, p, order, q.ID, sub)
}

// placeOrder saves an order and submits it for approval, in one
// transaction; an approval that needs nobody decides it at once.
func (c *Catalog) placeOrder(ctx context.Context, p *access.Principal, order Order, quoteID int64, sub approval.SubmitInput) (Order, error) {
	if c.Approvals == nil {
		return Order{}, errors.New("catalog: no approval mechanism configured")
	}
	existing := ""
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		if quoteID != 0 {
			first, found, err := orderOfQuote(ctx, tx, quoteID)
			if err != nil || found {
				existing = first
				return err
			}
		}
		if first, found, err := pendingSameChange(ctx, tx, order); err != nil || found {
			existing = first
			return err
		}
		n, err := db.NextNumber(ctx, tx, "order", now.Year())
		if err != nil {
			return err
		}
		order.Number = fmt.Sprintf("ORD-%d-%06d", now.Year(), n)
		var qid any
		if quoteID != 0 {
			qid = quoteID
		}
		err = tx.QueryRow(ctx, `INSERT INTO orders(number, kind, status, quote_id, requester_id, placed_by_id, department_id, currency, one_time,
			monthly, start_date, note, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			order.Number, order.Kind, OrderPending, qid, order.RequesterID, db.NullID(order.PlacedByID), order.DepartmentID, order.Currency,
			order.OneTime, order.Monthly, order.StartDate.Time, order.Note, now, now).Scan(&order.ID)
		if err != nil {
			return fmt.Errorf("saving order: %w", err)
		}
		for _, l := range order.Lines {
			if _, err := tx.Exec(ctx, `INSERT INTO order_lines(order_id, position, offering_id, subscription_id, quantity, monthly, one_time)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, order.ID, l.Position, l.OfferingID, db.NullID(l.SubscriptionID), l.Quantity, l.Monthly, l.OneTime); err != nil {
				return fmt.Errorf("saving order line: %w", err)
			}
		}
		if err := audit.Record(ctx, tx, now, p, "create", "order", order.ID, fmt.Sprintf("Order %s (%s)", order.Number, order.Kind), nil, order); err != nil {
			return err
		}
		if err := c.markOrdered(ctx, tx, p.PersonID, sub.ServiceIDs, now); err != nil {
			return err
		}
		if err := activity.Send(ctx, c.Signals, tx, activity.Signal{Kind: activity.Ordered, PersonID: p.PersonID,
			DepartmentID: order.DepartmentID, Ref: "order:" + order.Number, Title: "Order " + order.Number, At: now}); err != nil {
			return err
		}
		sub.SubjectID = order.ID
		sub.Title = fmt.Sprintf("Order %s for %s", order.Number, departmentName(ctx, tx, order.DepartmentID))
		sub.Link = "/orders/" + order.Number
		req, err := c.Approvals.Submit(ctx, tx, sub)
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, "UPDATE orders SET approval_request_id = ? WHERE id = ?", req.ID, order.ID); err != nil {
			return err
		}
		// An approval that needs nobody has already decided the order: its
		// observers heard of it then, placed and decided at once.
		if req.Status == approval.Pending {
			if err := c.orderChanged(ctx, tx, order.ID); err != nil {
				return err
			}
		}
		if order.QuoteNumber != "" {
			return c.quoteChanged(ctx, tx, order.QuoteNumber)
		}
		return nil
	})
	if err != nil && quoteID != 0 && db.IsUniqueViolation(err) {
		// Another request ordered the quote at the same moment and won.
		first, found, ferr := orderOfQuote(ctx, c.DB, quoteID)
		if ferr == nil && found {
			existing, err = first, nil
		}
	}
	if err != nil {
		return Order{}, err
	}
	if existing != "" {
		return c.FindOrder(ctx, p, existing)
	}
	c.snap.invalidate()
	return c.FindOrder(ctx, p, order.Number)
}

// orderOfQuote returns the number of the order placed from a quote, if any.
func orderOfQuote(ctx context.Context, q db.Querier, quoteID int64) (string, bool, error) {
	var number string
	err := q.QueryRow(ctx, "SELECT number FROM orders WHERE quote_id = ?", quoteID).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("reading the order of quote %d: %w", quoteID, err)
	}
	return number, true, nil
}

// pendingSameChange finds the pending order that already asks what order
// asks of a subscription — the same new quantity, or its end — so that a
// change ordered twice (a second click on a page not yet updated, an API
// call repeated) is one order.
func pendingSameChange(ctx context.Context, q db.Querier, order Order) (string, bool, error) {
	if (order.Kind != OrderChange && order.Kind != OrderCancel) || len(order.Lines) != 1 || order.Lines[0].SubscriptionID == 0 {
		return "", false, nil
	}
	want := order.Lines[0]
	rows, err := q.Query(ctx, `SELECT o.number, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.kind = ? AND o.status = ? AND l.subscription_id = ? ORDER BY o.id`, order.Kind, OrderPending, want.SubscriptionID)
	if err != nil {
		return "", false, fmt.Errorf("reading the pending orders of subscription %d: %w", want.SubscriptionID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var number string
		var qty decimal.Decimal
		if err := rows.Scan(&number, &qty); err != nil {
			return "", false, err
		}
		if order.Kind == OrderCancel || qty.Equal(want.Quantity) {
			return number, true, nil
		}
	}
	return "", false, rows.Err()
}

// TermSummary says a whole-term cost in words an approver reads: "€6,696.00
// over 36 months (€186.00 a month)", with the one-time part when there is one.
func TermSummary(total decimal.Decimal, months int, monthly, oneTime decimal.Decimal, currency string) string {
	per := FormatMoney(monthly, currency) + " a month"
	if !oneTime.IsZero() {
		per += " and " + FormatMoney(oneTime, currency) + " once"
	}
	return fmt.Sprintf("%s over %d months (%s)", FormatMoney(total, currency), months, per)
}

func departmentName(ctx context.Context, q db.Querier, id int64) string {
	var name string
	_ = q.QueryRow(ctx, "SELECT name FROM departments WHERE id = ?", id).Scan(&name)
	return name
}

// Decided is the approval handler of orders: it runs in the transaction
// that decides the approval request.
func (c *Catalog) Decided(ctx context.Context, tx *db.Tx, r approval.Request) error {
	order, err := findOrder(ctx, tx, "o.id = ?", r.SubjectID)
	if err != nil {
		return err
	}
	if order.Status != OrderPending {
		return nil
	}
	now := c.Clock.Now()
	status := map[string]string{approval.Approved: OrderApproved, approval.Declined: OrderDeclined, approval.Cancelled: OrderCancelled}[r.Status]
	if status == "" {
		return nil
	}
	if status == OrderApproved {
		if err := c.fulfil(ctx, tx, order, now); err != nil {
			return err
		}
		if err := c.subscriptionsChanged(ctx, tx, []int64{order.DepartmentID}); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE orders SET status = ?, decision_reason = ?, version = version + 1, updated_at = ? WHERE id = ?",
		status, r.Outcome, now, order.ID); err != nil {
		return fmt.Errorf("recording the order's decision: %w", err)
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	c.snap.invalidate()
	if err := c.orderChanged(ctx, tx, order.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, nil, status, "order", order.ID, fmt.Sprintf("Order %s %s", order.Number, status),
		map[string]string{"status": OrderPending}, map[string]string{"status": status, "reason": r.Outcome})
}

// fulfil makes an approved order take effect.
func (c *Catalog) fulfil(ctx context.Context, tx *db.Tx, o Order, now time.Time) error {
	for _, l := range o.Lines {
		switch o.Kind {
		case OrderNew:
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO subscriptions(department_id, offering_id, order_id, quantity, start_date, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, o.DepartmentID, l.OfferingID, o.ID, l.Quantity, o.StartDate.Time, now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("creating subscription: %w", err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO subscription_segments(subscription_id, effective_from, quantity, order_id) VALUES (?, ?, ?, ?)",
				id, o.StartDate.Time, l.Quantity, o.ID); err != nil {
				return fmt.Errorf("creating subscription: %w", err)
			}
			// The line names the subscription it created.
			if _, err := tx.Exec(ctx, "UPDATE order_lines SET subscription_id = ? WHERE order_id = ? AND position = ?", id, o.ID, l.Position); err != nil {
				return fmt.Errorf("creating subscription: %w", err)
			}
		case OrderChange:
			// A later change on the same day replaces the earlier one.
			if _, err := tx.Exec(ctx, "DELETE FROM subscription_segments WHERE subscription_id = ? AND effective_from = ?", l.SubscriptionID, o.StartDate.Time); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO subscription_segments(subscription_id, effective_from, quantity, order_id) VALUES (?, ?, ?, ?)",
				l.SubscriptionID, o.StartDate.Time, l.Quantity, o.ID); err != nil {
				return fmt.Errorf("changing subscription: %w", err)
			}
			if _, err := tx.Exec(ctx, "UPDATE subscriptions SET quantity = ?, version = version + 1, updated_at = ? WHERE id = ?", l.Quantity, now, l.SubscriptionID); err != nil {
				return fmt.Errorf("changing subscription: %w", err)
			}
		case OrderCancel:
			if _, err := tx.Exec(ctx, "UPDATE subscriptions SET end_date = ?, version = version + 1, updated_at = ? WHERE id = ?", o.StartDate.Time, now, l.SubscriptionID); err != nil {
				return fmt.Errorf("ending subscription: %w", err)
			}
		}
	}
	return nil
}

const orderColumns = `o.id, o.number, o.kind, o.status, COALESCE(q.number, ''), o.requester_id, p.name, COALESCE(o.placed_by_id, 0),
	COALESCE(pb.name, ''), o.department_id, d.name, o.currency, o.one_time, o.monthly, o.start_date, o.note, COALESCE(o.approval_request_id, 0),
	o.decision_reason, o.version, o.created_at, o.updated_at
	FROM orders o JOIN people p ON p.id = o.requester_id JOIN departments d ON d.id = o.department_id LEFT JOIN quotes q ON q.id = o.quote_id
	LEFT JOIN people pb ON pb.id = o.placed_by_id`

func scanOrder(row db.Scanner) (Order, error) {
	var o Order
	var start time.Time
	err := row.Scan(&o.ID, &o.Number, &o.Kind, &o.Status, &o.QuoteNumber, &o.RequesterID, &o.RequesterName, &o.PlacedByID, &o.PlacedByName,
		&o.DepartmentID, &o.DepartmentName,
		&o.Currency, &o.OneTime, &o.Monthly, &start, &o.Note, &o.ApprovalRequestID, &o.DecisionReason, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	o.StartDate, o.CreatedAt, o.UpdatedAt = DateOf(start), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.Lines = []OrderLine{}
	return o, err
}

func findOrder(ctx context.Context, q db.Querier, where string, arg any) (Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, "SELECT "+orderColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return o, engage.Errorf(engage.ENOTFOUND, "There is no such order that you can see.")
	} else if err != nil {
		return o, fmt.Errorf("reading order: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT l.position, l.offering_id, f.name, s.name, COALESCE(l.subscription_id, 0), l.quantity, l.monthly, l.one_time
		FROM order_lines l JOIN offerings f ON f.id = l.offering_id JOIN services s ON s.id = f.service_id WHERE l.order_id = ? ORDER BY l.position`, o.ID)
	if err != nil {
		return o, fmt.Errorf("reading order lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l OrderLine
		if err := rows.Scan(&l.Position, &l.OfferingID, &l.OfferingName, &l.ServiceName, &l.SubscriptionID, &l.Quantity, &l.Monthly, &l.OneTime); err != nil {
			return o, fmt.Errorf("reading order lines: %w", err)
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}

// FindOrder returns an order to its requester, to those who may read its
// department's data, and to those asked to approve it: its approvers,
// whoever decided on it and an approver's delegate today.
func (c *Catalog) FindOrder(ctx context.Context, p *access.Principal, number string) (Order, error) {
	if p == nil {
		return Order{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	o, err := findOrder(ctx, c.DB, "o.number = ?", strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return Order{}, err
	}
	if o.RequesterID == p.PersonID || o.PlacedByID == p.PersonID || p.CanReadDepartment(o.DepartmentID) {
		return o, nil
	}
	if c.Approvals != nil && !p.GateOnly() {
		cond, args := c.Approvals.AskedAbout(p, SubjectOrder, "o.id")
		var k int
		if err := c.DB.QueryRow(ctx, "SELECT COUNT(*) FROM orders o WHERE o.id = ? AND "+cond, append([]any{o.ID}, args...)...).Scan(&k); err != nil {
			return Order{}, fmt.Errorf("checking who reads order %s: %w", o.Number, err)
		}
		if k == 1 {
			return o, nil
		}
	}
	return Order{}, engage.Errorf(engage.ENOTFOUND, "There is no such order that you can see.")
}

// OrderFilter narrows a list of orders.
type OrderFilter struct {
	DepartmentID int64
	Mine         bool
	Status       string
	Limit        int
	Offset       int
}

// orderWhere is the condition of the orders f names that the person may see.
func orderWhere(p *access.Principal, f OrderFilter) (string, []any, error) {
	if p == nil {
		return "", nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	where, args := []string{"1=1"}, []any{}
	ids, all := p.ReadableDepartments()
	switch {
	case f.Mine:
		where = append(where, "o.requester_id = ?")
		args = append(args, p.PersonID)
	case f.DepartmentID != 0:
		if !p.CanReadDepartment(f.DepartmentID) {
			return "", nil, engage.Errorf(engage.EFORBIDDEN, "You cannot see that department's orders.")
		}
		where = append(where, "o.department_id = ?")
		args = append(args, f.DepartmentID)
	case !all:
		cond := "o.requester_id = ?"
		args = append(args, p.PersonID)
		if len(ids) > 0 {
			cond += " OR o.department_id IN (" + db.Placeholders(len(ids)) + ")"
			args = append(args, db.Args(ids)...)
		}
		where = append(where, "("+cond+")")
	}
	if f.Status != "" {
		where = append(where, "o.status = ?")
		args = append(args, f.Status)
	}
	return strings.Join(where, " AND "), args, nil
}

// ListOrders lists orders the person may see, newest first.
func (c *Catalog) ListOrders(ctx context.Context, p *access.Principal, f OrderFilter) ([]Order, error) {
	where, args, err := orderWhere(p, f)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := c.DB.Query(ctx, "SELECT "+orderColumns+" WHERE "+where+" ORDER BY o.id DESC LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("listing orders: %w", err)
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("reading orders: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountOrders counts the orders ListOrders would list without a limit.
func (c *Catalog) CountOrders(ctx context.Context, p *access.Principal, f OrderFilter) (int, error) {
	where, args, err := orderWhere(p, f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := c.DB.QueryRow(ctx, "SELECT COUNT(*) FROM orders o WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting orders: %w", err)
	}
	return n, nil
}

// LoadOrderLines fills in the lines of orders read by ListOrders, which
// leaves them out.
func (c *Catalog) LoadOrderLines(ctx context.Context, orders []Order) error {
	for i := range orders {
		full, err := findOrder(ctx, c.DB, "o.id = ?", orders[i].ID)
		if err != nil {
			return err
		}
		orders[i].Lines = full.Lines
	}
	return nil
}

// CheckOrderInput checks when an order would start and its note, before
// anything is written.
func (c *Catalog) CheckOrderInput(in OrderInput) error {
	var v engage.Validation
	c.checkStart(&v, in, DateOf(c.Clock.Now()))
	return v.Err()
}

const subscriptionColumns = `s.id, s.department_id, d.name, s.offering_id, f.name, v.id, v.name, COALESCE(s.order_id, 0), s.quantity, s.start_date,
	s.end_date, s.version FROM subscriptions s JOIN departments d ON d.id = s.department_id JOIN offerings f ON f.id = s.offering_id
	JOIN services v ON v.id = f.service_id`

func scanSubscription(row db.Scanner) (Subscription, error) {
	var s Subscription
	var start time.Time
	var end sql.NullTime
	err := row.Scan(&s.ID, &s.DepartmentID, &s.DepartmentName, &s.OfferingID, &s.OfferingName, &s.ServiceID, &s.ServiceName, &s.OrderID,
		&s.Quantity, &start, &end, &s.Version)
	s.StartDate = DateOf(start)
	if end.Valid {
		d := DateOf(end.Time)
		s.EndDate = &d
	}
	s.Segments = []Segment{}
	return s, err
}

// SubscriptionFilter narrows a list of subscriptions.
type SubscriptionFilter struct {
	DepartmentID int64
	ServiceID    int64
	ActiveOn     *Date // only those running on this date
}

// ListSubscriptions lists subscriptions of departments the person may read.
func (c *Catalog) ListSubscriptions(ctx context.Context, p *access.Principal, f SubscriptionFilter) ([]Subscription, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	where, args := []string{"1=1"}, []any{}
	ids, all := p.ReadableDepartments()
	if f.DepartmentID != 0 {
		if !p.CanReadDepartment(f.DepartmentID) {
			return nil, engage.Errorf(engage.EFORBIDDEN, "You cannot see that department's subscriptions.")
		}
		where = append(where, "s.department_id = ?")
		args = append(args, f.DepartmentID)
	} else if !all {
		if len(ids) == 0 {
			return []Subscription{}, nil
		}
		where = append(where, "s.department_id IN ("+db.Placeholders(len(ids))+")")
		args = append(args, db.Args(ids)...)
	}
	if f.ServiceID != 0 {
		where = append(where, "v.id = ?")
		args = append(args, f.ServiceID)
	}
	if f.ActiveOn != nil {
		where = append(where, "s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?)")
		args = append(args, f.ActiveOn.Time, f.ActiveOn.Time)
	}
	rows, err := c.DB.Query(ctx, "SELECT "+subscriptionColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY d.name, v.name, f.name, s.id", args...)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	out := []Subscription{}
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading subscriptions: %w", err)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, c.loadSegments(ctx, c.DB, out)
}

func (c *Catalog) loadSegments(ctx context.Context, q db.Querier, subs []Subscription) error {
	if len(subs) == 0 {
		return nil
	}
	index := map[int64]int{}
	ids := make([]int64, len(subs))
	for i, s := range subs {
		index[s.ID], ids[i] = i, s.ID
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := q.Query(ctx, "SELECT subscription_id, effective_from, quantity FROM subscription_segments WHERE subscription_id IN ("+
			db.Placeholders(len(chunk))+") ORDER BY subscription_id, effective_from", db.Args(chunk)...)
		if err != nil {
			return fmt.Errorf("reading subscription segments: %w", err)
		}
		for rows.Next() {
			var id int64
			var from time.Time
			var seg Segment
			if err := rows.Scan(&id, &from, &seg.Quantity); err != nil {
				rows.Close()
				return err
			}
			seg.From = DateOf(from)
			subs[index[id]].Segments = append(subs[index[id]].Segments, seg)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) findSubscription(ctx context.Context, p *access.Principal, id int64) (Subscription, error) {
	s, err := scanSubscription(c.DB.QueryRow(ctx, "SELECT "+subscriptionColumns+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.CanReadDepartment(s.DepartmentID)) {
		return s, engage.Errorf(engage.ENOTFOUND, "There is no subscription %d that you can see.", id)
	} else if err != nil {
		return s, fmt.Errorf("reading subscription: %w", err)
	}
	subs := []Subscription{s}
	err = c.loadSegments(ctx, c.DB, subs)
	return subs[0], err
}

// canManage: people of the department, its budget holders and admins may
// change its subscriptions (through an order).
func canManage(p *access.Principal, deptID int64) bool {
	return p.IsAdmin() || p.DepartmentID == deptID || p.HoldsBudgetOf(deptID)
}

// ChangeQuantity orders a new quantity for a subscription from a date.
func (c *Catalog) ChangeQuantity(ctx context.Context, p *access.Principal, subscriptionID int64, quantity decimal.Decimal, in OrderInput) (Order, error) {
	sub, err := c.findSubscription(ctx, p, subscriptionID)
	if err != nil {
		return Order{}, err
	}
	if !canManage(p, sub.DepartmentID) {
		return Order{}, engage.Errorf(engage.EFORBIDDEN, "Only people of %s and its budget holders can change its subscriptions.", sub.DepartmentName)
	}
	o, svc, err := c.FindOffering(ctx, p, sub.OfferingID)
	if err != nil {
		return Order{}, err
	}
	today := DateOf(c.Clock.Now())
	var v engage.Validation
	start := c.checkStart(&v, in, today)
	if sub.EndDate != nil && start.After(sub.EndDate.Time) {
		v.Add("start_date", "The subscription ends on %s; choose an earlier date.", sub.EndDate)
	}
	plan, ok := PlanOn(o.Plans, start)
	if !ok {
		return Order{}, engage.Errorf(engage.EINVALID, "%s has no price on %s.", o.Name, start)
	}
	checkQuantity(&v, "quantity", quantity, plan.Unit)
	if quantity.Equal(sub.Quantity) {
		v.Add("quantity", "The subscription already has %s.", quantity)
	}
	if !Orderable(o.Lifecycle) && quantity.GreaterThan(sub.Quantity) {
		v.Add("quantity", "%s is %s: its quantity can only go down.", o.Name, strings.ToLower(Label(Lifecycles, o.Lifecycle)))
	}
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	newLine, err := priceLine(&o, &svc, quantity, 12, start)
	if err != nil {
		return Order{}, err
	}
	oldLine, err := priceLine(&o, &svc, sub.Quantity, 12, start)
	if err != nil {
		return Order{}, err
	}
	delta := newLine.Monthly.Sub(oldLine.Monthly)
	order := Order{Kind: OrderChange, Status: OrderPending, RequesterID: p.PersonID, DepartmentID: sub.DepartmentID, Currency: plan.Currency,
		Monthly: delta, StartDate: start, Note: strings.TrimSpace(in.Note),
		Lines: []OrderLine{{Position: 1, OfferingID: o.ID, SubscriptionID: sub.ID, Quantity: quantity, Monthly: newLine.Monthly}}}
	amount := delta.Mul(decimal.NewFromInt(12))
	if amount.IsNegative() {
		amount = decimal.Zero
	}
	more := fmt.Sprintf("%s a month more", FormatMoney(delta, plan.Currency))
	if delta.IsNegative() {
		more = fmt.Sprintf("%s a month less", FormatMoney(delta.Neg(), plan.Currency))
	}
	summary := fmt.Sprintf("%s from %s (%s a month in all, %s over 12 months)", more, start, FormatMoney(newLine.Monthly, plan.Currency),
		FormatMoney(delta.Mul(decimal.NewFromInt(12)), plan.Currency))
	return c.placeOrder(ctx, p, order, 0, approval.SubmitInput{SubjectType: SubjectOrder, RequesterID: p.PersonID, DepartmentID: sub.DepartmentID,
		Summary: summary, Amount: amount, Currency: plan.Currency, OfferingIDs: []int64{o.ID}, ServiceIDs: []int64{svc.ID}, DataClass: svc.DataCeiling})
}

// CancelSubscription orders the end of a subscription; the date given is
// its last day of service.
func (c *Catalog) CancelSubscription(ctx context.Context, p *access.Principal, subscriptionID int64, in OrderInput) (Order, error) {
	sub, err := c.findSubscription(ctx, p, subscriptionID)
	if err != nil {
		return Order{}, err
	}
	if !canManage(p, sub.DepartmentID) {
		return Order{}, engage.Errorf(engage.EFORBIDDEN, "Only people of %s and its budget holders can cancel its subscriptions.", sub.DepartmentName)
	}
	today := DateOf(c.Clock.Now())
	var v engage.Validation
	end := c.checkStart(&v, in, today)
	if sub.EndDate != nil {
		v.Add("subscription", "This subscription already ends on %s.", sub.EndDate)
	}
	if end.Before(sub.StartDate.Time) {
		v.Add("start_date", "The subscription starts on %s; choose that day or later.", sub.StartDate)
	}
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	o, svc, err := c.FindOffering(ctx, p, sub.OfferingID)
	if err != nil {
		return Order{}, err
	}
	currency := "EUR"
	if plan, ok := PlanOn(o.Plans, end); ok {
		currency = plan.Currency
	}
	order := Order{Kind: OrderCancel, Status: OrderPending, RequesterID: p.PersonID, DepartmentID: sub.DepartmentID, Currency: currency,
		StartDate: end, Note: strings.TrimSpace(in.Note),
		Lines: []OrderLine{{Position: 1, OfferingID: o.ID, SubscriptionID: sub.ID, Quantity: sub.Quantity}}}
	return c.placeOrder(ctx, p, order, 0, approval.SubmitInput{SubjectType: SubjectOrder, RequesterID: p.PersonID, DepartmentID: sub.DepartmentID,
		Summary: fmt.Sprintf("Ends %s of %s after %s", sub.Quantity, o.Name, end), Amount: decimal.Zero, Currency: currency, OfferingIDs: []int64{o.ID}, ServiceIDs: []int64{svc.ID}, DataClass: svc.DataCeiling})
}

// markOrdered records, for announcement reach, that the person ordered
// from services whose announcements they had seen.
func (c *Catalog) markOrdered(ctx context.Context, tx db.Querier, personID int64, serviceIDs []int64, now time.Time) error {
	if len(serviceIDs) == 0 || personID == 0 {
		return nil
	}
	args := append([]any{now, personID}, db.Args(serviceIDs)...)
	_, err := tx.Exec(ctx, `UPDATE announcement_reach SET ordered_at = ? WHERE person_id = ? AND ordered_at IS NULL
		AND announcement_id IN (SELECT id FROM announcements WHERE service_id IN (`+db.Placeholders(len(serviceIDs))+`))`, args...)
	if err != nil {
		return fmt.Errorf("recording announcement reach: %w", err)
	}
	return nil
}

// Spend is an amount a month in one currency.
type Spend struct {
	Monthly  decimal.Decimal `json:"monthly"`
	Currency string          `json:"currency"`
}

// MonthlySpend is what a department's subscriptions running today cost a
// month at today's prices, one total per currency (never added across
// currencies), largest first. It is what approvers read beside the cost of
// an order. Whoever may read the department's subscriptions may read it.
func (c *Catalog) MonthlySpend(ctx context.Context, p *access.Principal, deptID int64) ([]Spend, error) {
	today := DateOf(c.Clock.Now())
	subs, err := c.ListSubscriptions(ctx, p, SubscriptionFilter{DepartmentID: deptID, ActiveOn: &today})
	if err != nil {
		return nil, err
	}
	s, err := c.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	totals := map[string]decimal.Decimal{}
	for _, sub := range subs {
		o := s.offerings[sub.OfferingID]
		if o == nil {
			continue
		}
		qty := sub.Quantity
		for _, seg := range sub.Segments {
			if !seg.From.After(today.Time) {
				qty = seg.Quantity
			}
		}
		line, err := priceLine(o, s.services[o.ServiceID], qty, 1, today)
		if err != nil {
			continue // no price today: nothing to add
		}
		plan, _ := PlanOn(o.Plans, today)
		totals[plan.Currency] = totals[plan.Currency].Add(line.Monthly)
	}
	out := []Spend{}
	for cur, m := range totals {
		out = append(out, Spend{Monthly: m, Currency: cur})
	}
	slices.SortFunc(out, func(a, b Spend) int {
		if c := b.Monthly.Cmp(a.Monthly); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return out, nil
}

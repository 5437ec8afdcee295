package frontdoor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

func nullDecimal(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return *d
}

const needColumns = `n.id, n.reference, n.title, n.problem, n.outcome, n.processes, n.requester_id, rq.name, n.department_id, d.name,
	COALESCE(n.sponsor_id, 0), COALESCE(sp.name, ''), n.users, n.data_class, n.budget_min, n.budget_max, n.currency, n.needed_by,
	n.state, n.state_since, COALESCE(n.brm_id, 0), COALESCE(b.name, ''), COALESCE(dup.reference, ''), COALESCE(n.catalog_offering_id, 0),
	COALESCE(n.decision_option_id, 0), n.decision_reason, COALESCE(db.name, ''), n.decided_at, COALESCE(n.approval_request_id, 0),
	COALESCE(o.number, ''), n.version, n.created_at, n.updated_at, n.submitted_at, n.origin_kind, n.origin_ref
	FROM needs n
	JOIN people rq ON rq.id = n.requester_id
	JOIN departments d ON d.id = n.department_id
	LEFT JOIN people sp ON sp.id = n.sponsor_id
	LEFT JOIN people b ON b.id = n.brm_id
	LEFT JOIN people db ON db.id = n.decided_by_id
	LEFT JOIN needs dup ON dup.id = n.duplicate_of_id
	LEFT JOIN orders o ON o.id = n.order_id`

func scanNeed(row db.Scanner) (Need, error) {
	var n Need
	var bmin, bmax decimal.NullDecimal
	var neededBy, decidedAt, submittedAt sql.NullTime
	var origin Origin
	err := row.Scan(&n.ID, &n.Reference, &n.Title, &n.Problem, &n.Outcome, &n.Processes, &n.RequesterID, &n.RequesterName, &n.DepartmentID,
		&n.DepartmentName, &n.SponsorID, &n.SponsorName, &n.Users, &n.DataClass, &bmin, &bmax, &n.Currency, &neededBy, &n.State, &n.StateSince,
		&n.BRMID, &n.BRMName, &n.DuplicateOf, &n.CatalogOffering, &n.DecisionOptionID, &n.DecisionReason, &n.DecidedByName, &decidedAt,
		&n.ApprovalID, &n.OrderNumber, &n.Version, &n.CreatedAt, &n.UpdatedAt, &submittedAt, &origin.Kind, &origin.Ref)
	if err != nil {
		return n, err
	}
	if !origin.IsZero() {
		n.Origin = &origin
	}
	if bmin.Valid {
		n.BudgetMin = &bmin.Decimal
	}
	if bmax.Valid {
		n.BudgetMax = &bmax.Decimal
	}
	if neededBy.Valid {
		d := catalog.DateOf(neededBy.Time)
		n.NeededBy = &d
	}
	n.DecidedAt, n.SubmittedAt = db.TimePtr(decidedAt), db.TimePtr(submittedAt)
	n.StateSince, n.CreatedAt, n.UpdatedAt = n.StateSince.UTC(), n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	n.Departments, n.ProcessIDs = []int64{}, []int64{}
	return n, nil
}

func findNeed(ctx context.Context, q db.Querier, where string, args ...any) (Need, error) {
	n, err := scanNeed(q.QueryRow(ctx, "SELECT "+needColumns+" WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return n, engage.Errorf(engage.ENOTFOUND, "There is no such need that you can see.")
	} else if err != nil {
		return n, fmt.Errorf("reading need: %w", err)
	}
	if n.Departments, err = readLinks(ctx, q, departmentLinks, n.ID); err != nil {
		return n, err
	}
	n.ProcessIDs, err = readLinks(ctx, q, processLinks, n.ID)
	return n, err
}

// links is a table that links needs to other things by id.
type links struct{ table, column, what string }

var (
	departmentLinks = links{"need_departments", "department_id", "affected departments"}
	processLinks    = links{"need_processes", "process_id", "affected processes"}
)

// readLinks returns the ids a need links to, in order.
func readLinks(ctx context.Context, q db.Querier, l links, needID int64) ([]int64, error) {
	ids, err := db.QueryIDs(ctx, q, "SELECT "+l.column+" FROM "+l.table+" WHERE need_id = ? ORDER BY "+l.column, needID)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", l.what, err)
	}
	return append([]int64{}, ids...), nil
}

// writeLinks replaces the ids a need links to.
func writeLinks(ctx context.Context, q db.Querier, l links, needID int64, ids []int64) error {
	if _, err := q.Exec(ctx, "DELETE FROM "+l.table+" WHERE need_id = ?", needID); err != nil {
		return fmt.Errorf("saving %s: %w", l.what, err)
	}
	for _, id := range ids {
		if _, err := q.Exec(ctx, "INSERT INTO "+l.table+"(need_id, "+l.column+") VALUES (?, ?)", needID, id); err != nil {
			return fmt.Errorf("saving %s: %w", l.what, err)
		}
	}
	return nil
}

func insertNeed(ctx context.Context, q db.Querier, ref string, requester, dept int64, origin Origin, in NeedInput, now time.Time, seq int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO needs(reference, title, problem, outcome, processes, requester_id, department_id, sponsor_id, users,
		data_class, budget_min, budget_max, currency, needed_by, state, state_since, search_seq, version, created_at, updated_at, origin_kind, origin_ref)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id`,
		ref, in.Title, in.Problem, in.Outcome, in.Processes, requester, dept, db.NullID(in.SponsorID), in.Users, in.DataClass,
		nullDecimal(in.BudgetMin), nullDecimal(in.BudgetMax), in.Currency, catalog.NullDate(in.NeededBy), Draft, now, seq, now, now, origin.Kind, origin.Ref).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving need: %w", err)
	}
	if err := writeLinks(ctx, q, departmentLinks, id, in.Departments); err != nil {
		return 0, err
	}
	return id, writeLinks(ctx, q, processLinks, id, in.ProcessIDs)
}

func updateNeed(ctx context.Context, q db.Querier, id int64, version int, in NeedInput, now time.Time, seq int64) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE needs SET title = ?, problem = ?, outcome = ?, processes = ?, sponsor_id = ?, users = ?, data_class = ?,
		budget_min = ?, budget_max = ?, currency = ?, needed_by = ?, search_seq = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		in.Title, in.Problem, in.Outcome, in.Processes, db.NullID(in.SponsorID), in.Users, in.DataClass, nullDecimal(in.BudgetMin),
		nullDecimal(in.BudgetMax), in.Currency, catalog.NullDate(in.NeededBy), seq, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("saving need: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	if err := writeLinks(ctx, q, departmentLinks, id, in.Departments); err != nil {
		return n, err
	}
	if in.ProcessIDs == nil {
		return n, nil // left out: the links stay
	}
	return n, writeLinks(ctx, q, processLinks, id, in.ProcessIDs)
}

func loadEvents(ctx context.Context, q db.Querier, needID int64) ([]NeedEvent, error) {
	rows, err := q.Query(ctx, "SELECT at, actor_name, action, from_state, to_state, reason FROM need_events WHERE need_id = ? ORDER BY id", needID)
	if err != nil {
		return nil, fmt.Errorf("reading need history: %w", err)
	}
	defer rows.Close()
	out := []NeedEvent{}
	for rows.Next() {
		var e NeedEvent
		if err := rows.Scan(&e.At, &e.ActorName, &e.Action, &e.From, &e.To, &e.Reason); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func loadReviews(ctx context.Context, q db.Querier, needID int64) ([]NeedReview, error) {
	by, err := reviewsOf(ctx, q, []int64{needID})
	if out := by[needID]; out != nil || err != nil {
		return out, err
	}
	return []NeedReview{}, nil
}

// reviewsOf reads the reviews of needs, by need, in one query.
func reviewsOf(ctx context.Context, q db.Querier, needIDs []int64) (map[int64][]NeedReview, error) {
	rows, err := q.Query(ctx, `SELECT r.need_id, r.id, r.kind, p.name, r.verdict, r.notes, r.at FROM need_reviews r JOIN people p ON p.id = r.reviewer_id
		WHERE r.need_id IN (`+db.Placeholders(len(needIDs))+`) ORDER BY r.need_id, r.kind`, db.Args(needIDs)...)
	if err != nil {
		return nil, fmt.Errorf("reading reviews: %w", err)
	}
	defer rows.Close()
	out := map[int64][]NeedReview{}
	for rows.Next() {
		var need int64
		var r NeedReview
		if err := rows.Scan(&need, &r.ID, &r.Kind, &r.ReviewerName, &r.Verdict, &r.Notes, &r.At); err != nil {
			return nil, err
		}
		r.At = r.At.UTC()
		out[need] = append(out[need], r)
	}
	return out, rows.Err()
}

func loadOptions(ctx context.Context, q db.Querier, needID int64, dataClass string) ([]NeedOption, error) {
	by, err := optionsOf(ctx, q, map[int64]string{needID: dataClass})
	if out := by[needID]; out != nil || err != nil {
		return out, err
	}
	return []NeedOption{}, nil
}

// optionsOf reads the options of needs (each with its data class), by
// need, in one query.
func optionsOf(ctx context.Context, q db.Querier, dataClasses map[int64]string) (map[int64][]NeedOption, error) {
	ids := make([]int64, 0, len(dataClasses))
	for id := range dataClasses {
		ids = append(ids, id)
	}
	rows, err := q.Query(ctx, `SELECT o.need_id, o.id, o.kind, o.title, COALESCE(o.offering_id, 0), COALESCE(s.name, ''), COALESCE(s.slug, ''), o.vendor,
		o.currency, o.one_time, o.monthly, o.delivery_days, o.risks, o.data_ceiling, o.exception, COALESCE(p.name, ''), o.created_at
		FROM need_options o LEFT JOIN offerings f ON f.id = o.offering_id LEFT JOIN services s ON s.id = f.service_id
		LEFT JOIN people p ON p.id = o.created_by_id WHERE o.need_id IN (`+db.Placeholders(len(ids))+`) ORDER BY o.id`, db.Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("reading options: %w", err)
	}
	defer rows.Close()
	out := map[int64][]NeedOption{}
	for rows.Next() {
		var need int64
		var o NeedOption
		if err := rows.Scan(&need, &o.ID, &o.Kind, &o.Title, &o.OfferingID, &o.ServiceName, &o.ServiceSlug, &o.Vendor, &o.Currency, &o.OneTime,
			&o.Monthly, &o.DeliveryDays, &o.Risks, &o.DataCeiling, &o.Exception, &o.CreatedBy, &o.CreatedAt); err != nil {
			return nil, err
		}
		o.ThreeYear = ThreeYear(o.OneTime, o.Monthly)
		o.CanHoldData = classRank(o.DataCeiling) >= classRank(dataClasses[need])
		o.CreatedAt = o.CreatedAt.UTC()
		out[need] = append(out[need], o)
	}
	return out, rows.Err()
}

// ThreeYear is one-time + 36 × monthly.
func ThreeYear(oneTime, monthly decimal.Decimal) decimal.Decimal {
	return oneTime.Add(monthly.Mul(decimal.NewFromInt(36)))
}

var classes = []string{"public", "internal", "confidential", "restricted"}

func classRank(c string) int {
	for i, x := range classes {
		if x == c {
			return i
		}
	}
	return -1
}

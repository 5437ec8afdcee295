package spend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
)

// Shadow cases are the BRM's work on shadow spend: one case per vendor ×
// department with shadow spend, in the queue of the department's BRM.
//
// Decisions:
//   - Cases are kept when spend changes — after each import that adds lines
//     and each correction — never when they are read, so that the queue and
//     a case page only read. A case is opened when shadow spend of its
//     vendor × department is found; it reappears (back to open, counted)
//     when shadow spend dated after it was closed is found; an open case's
//     run rate is the one of the latest change. What changes sanctions (a
//     catalog service, a board decision) is taken into account by the next
//     import or correction.
//   - Open and reached-out cases take every action; the others are closed.
//     Reach out keeps the case open until the need is decided; replace,
//     onboard, sanction and dismiss close it. Each action is in the case's
//     history and the audit log; repeating the action that closed a case,
//     or reach out on a case reached out, answers with the case unchanged.
//   - Reach out opens a need in the front door for the department's head
//     (its origin is the case: one need per case), submitted at once so
//     that the department's people see it. Replace makes a quote for the
//     head, for the people seen, with the case as its subject (one quote
//     per case). Onboard adds a planned, brokered catalog service for the
//     vendor (one per vendor), which sanctions the vendor for everyone.
//   - Who acts: the department's BRM (and administrators). Who reads: the
//     statements' rule.
const (
	CaseOpen       = "open"
	CaseReachedOut = "reached_out"
	CaseReplaced   = "replaced"
	CaseOnboarded  = "onboarded"
	CaseSanctioned = "sanctioned"
	CaseDismissed  = "dismissed"
)

// Case actions.
const (
	ActReachOut = "reach_out"
	ActReplace  = "replace"
	ActOnboard  = "onboard"
	ActSanction = "sanction"
	ActDismiss  = "dismiss"
)

// CaseActions lists the actions in the order the case page offers them.
var CaseActions = []string{ActReachOut, ActReplace, ActOnboard, ActSanction, ActDismiss}

// caseResult is the state each action leads to.
var caseResult = map[string]string{ActReachOut: CaseReachedOut, ActReplace: CaseReplaced, ActOnboard: CaseOnboarded,
	ActSanction: CaseSanctioned, ActDismiss: CaseDismissed}

// CaseStateLabels are the words shown for each state.
var CaseStateLabels = map[string]string{CaseOpen: "Open", CaseReachedOut: "Reached out", CaseReplaced: "Replaced by the catalog",
	CaseOnboarded: "Onboarded into the catalog", CaseSanctioned: "Sanctioned", CaseDismissed: "Dismissed"}

// CaseClosed reports whether a case in state is closed.
func CaseClosed(state string) bool { return state != CaseOpen && state != CaseReachedOut }

// ShadowCase is a vendor × department with shadow spend, as the BRM works it.
type ShadowCase struct {
	ID              int64           `json:"id"`
	Vendor          string          `json:"vendor"`
	DepartmentID    int64           `json:"department_id"`
	DepartmentName  string          `json:"department_name"`
	State           string          `json:"state" enum:"open,reached_out,replaced,onboarded,sanctioned,dismissed"`
	Reopened        int             `json:"reopened" doc:"Times the case reappeared after it was closed"`
	NeedRef         string          `json:"need_reference,omitempty"`
	QuoteNumber     string          `json:"quote_number,omitempty"`
	ServiceID       int64           `json:"service_id,omitempty" doc:"The draft catalog service onboarding made"`
	SecurityVerdict string          `json:"security_verdict,omitempty"`
	ReviewBy        string          `json:"review_by,omitempty" format:"date"`
	Reason          string          `json:"reason,omitempty" doc:"Why it was dismissed"`
	RunRate         decimal.Decimal `json:"annual_run_rate" doc:"Now, or when it was closed"`
	Saving          decimal.Decimal `json:"annual_saving" doc:"For a replaced case: (the shadow spend a month − the quote's monthly) × 12, when in the same currency"`
	Currency        string          `json:"currency"`
	OpenedAt        time.Time       `json:"opened_at"`
	ClosedAt        *time.Time      `json:"closed_at,omitempty"`
}

// CaseEvent is one step of a case's history.
type CaseEvent struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action" doc:"open, reappear, or an action"`
	From      string    `json:"from_state"`
	To        string    `json:"to_state"`
	Detail    string    `json:"detail,omitempty"`
}

// CaseDetail is everything the case page shows.
type CaseDetail struct {
	Case     ShadowCase     `json:"case"`
	Evidence []ShadowVendor `json:"evidence" nullable:"false" doc:"The shadow spend by currency, with the catalog alternatives"`
	Lines    []SpendLine    `json:"lines" nullable:"false" doc:"The latest 100 lines, for those who may read the department's lines"`
	Events   []CaseEvent    `json:"events" nullable:"false"`
	Actions  []string       `json:"actions" nullable:"false" doc:"What the caller may do now"`
}

// CaseActionInput is what an action takes.
type CaseActionInput struct {
	OfferingID int64  `json:"offering_id,omitempty" doc:"For replace: the catalog offering (a person-month one); the first alternative's when absent"`
	Verdict    string `json:"security_verdict,omitempty" enum:"approve,approve_with_conditions," doc:"For sanction: the security review's verdict"`
	ReviewBy   string `json:"review_by,omitempty" format:"date" doc:"For sanction: when to review it again, after today and within 3 years"`
	Reason     string `json:"reason,omitempty" maxLength:"1000" doc:"For dismiss: why"`
}

// CaseFilter selects cases.
type CaseFilter struct {
	DepartmentID int64
	All          bool // closed cases too
}

// CanActOnCase reports whether p may act on a case of department dept.
func CanActOnCase(p *access.Principal, dept int64) bool {
	return p != nil && !p.GateOnly() && (p.IsBRMOf(dept) || p.IsAdmin())
}

// CanWorkCases reports whether p has shadow cases to work: the BRM of some
// department, or an administrator.
func CanWorkCases(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && ((p.Has(access.BRM) && len(p.BRMFor) > 0) || p.IsAdmin())
}

const caseColumns = `c.id, c.vendor, c.department_id, c.state, c.reopened, c.need_ref, c.quote_number, COALESCE(c.service_id, 0),
	c.security_verdict, c.review_by, c.reason, c.run_rate, c.saving, c.currency, c.opened_at, c.closed_at`

func scanCase(row db.Scanner) (ShadowCase, error) {
	var c ShadowCase
	var runRate, saving string
	var closed sql.NullTime
	if err := row.Scan(&c.ID, &c.Vendor, &c.DepartmentID, &c.State, &c.Reopened, &c.NeedRef, &c.QuoteNumber, &c.ServiceID,
		&c.SecurityVerdict, &c.ReviewBy, &c.Reason, &runRate, &saving, &c.Currency, &c.OpenedAt, &closed); err != nil {
		return c, err
	}
	c.RunRate, _ = decimal.NewFromString(runRate)
	c.Saving, _ = decimal.NewFromString(saving)
	if closed.Valid {
		t := closed.Time
		c.ClosedAt = &t
	}
	return c, nil
}

// keepCases brings the cases up to date with the shadow spend of every
// department, after spend changed.
func (s *Service) keepCases(ctx context.Context) error {
	rep, err := s.Shadow(ctx, access.System("shadow cases"), ShadowFilter{})
	if err != nil {
		return err
	}
	if err := s.syncCases(ctx, rep.Shadow); err != nil {
		return err
	}
	return s.followSanctions(ctx, rep.Sanctioned)
}

// followSanctions closes the open cases whose vendor became sanctioned by
// the catalog or the board, as sanctioned with the reason and no security
// verdict; such a case reopens (syncCases) once its vendor is shadow again.
func (s *Service) followSanctions(ctx context.Context, sanctioned []ShadowVendor) error {
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now().UTC()
		for _, v := range sanctioned {
			if strings.HasPrefix(v.Sanctioned, "Sanctioned by case") {
				continue
			}
			c, err := scanCase(tx.QueryRow(ctx, "SELECT "+caseColumns+" FROM shadow_cases c WHERE c.vendor = ? AND c.department_id = ?", v.Vendor, v.DepartmentID))
			if errors.Is(err, sql.ErrNoRows) || (err == nil && CaseClosed(c.State)) {
				continue
			} else if err != nil {
				return fmt.Errorf("reading a shadow case: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE shadow_cases SET state = ?, security_verdict = '', reason = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
				CaseSanctioned, v.Sanctioned, now, now, c.ID); err != nil {
				return err
			}
			if err := caseEvent(ctx, tx, c.ID, nil, "sanctioned", c.State, CaseSanctioned, v.Sanctioned, now); err != nil {
				return err
			}
		}
		return nil
	}, db.Holding(db.LockSpendImport))
}

// WaitCases waits for a background sync of the cases to finish.
func (s *Service) WaitCases() { s.casesDone.Wait() }

// WakeCases brings the cases up to date in the background: a change of
// what IT is involved with (a catalog apply, a front-door decision) calls
// it once committed, and returns at once. Wakes during a sync make one more.
func (s *Service) WakeCases() {
	s.casesWanted.Store(true)
	if !s.casesSyncing.CompareAndSwap(false, true) {
		return
	}
	s.casesDone.Add(1)
	go func() {
		defer s.casesDone.Done()
		for {
			for s.casesWanted.Swap(false) {
				if err := s.keepCases(context.Background()); err != nil && s.Logger != nil {
					s.Logger.Error("following sanctions in the shadow cases", "err", err)
				}
			}
			s.casesSyncing.Store(false)
			// A wake between the last sync and the flag's reset runs again.
			if !s.casesWanted.Load() || !s.casesSyncing.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// syncCases opens a case for each shadow vendor × department without one,
// reopens closed cases with shadow spend dated after they closed, and
// keeps the open ones' run rate current.
func (s *Service) syncCases(ctx context.Context, shadow []ShadowVendor) error {
	if len(shadow) == 0 {
		return nil
	}
	type dv struct {
		vendor string
		dept   int64
	}
	worst := map[dv]ShadowVendor{}
	var order []dv
	for _, v := range shadow {
		k := dv{v.Vendor, v.DepartmentID}
		w, seen := worst[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || v.RunRate.GreaterThan(w.RunRate) || v.LastSpentOn > w.LastSpentOn && v.RunRate.Equal(w.RunRate) {
			if seen && w.LastSpentOn > v.LastSpentOn {
				v.LastSpentOn = w.LastSpentOn
			}
			worst[k] = v
		} else if v.LastSpentOn > w.LastSpentOn {
			w.LastSpentOn = v.LastSpentOn
			worst[k] = w
		}
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now().UTC()
		for _, k := range order {
			v := worst[k]
			c, err := scanCase(tx.QueryRow(ctx, "SELECT "+caseColumns+" FROM shadow_cases c WHERE c.vendor = ? AND c.department_id = ?", k.vendor, k.dept))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO shadow_cases(vendor, department_id, state, run_rate, currency, opened_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, k.vendor, k.dept, CaseOpen, v.RunRate.String(), v.Currency, now, now).Scan(&id); err != nil {
					return fmt.Errorf("opening a shadow case: %w", err)
				}
				if err := caseEvent(ctx, tx, id, nil, "open", "", CaseOpen, "Shadow spend found: "+v.RunRate.StringFixed(2)+" "+v.Currency+" a year", now); err != nil {
					return err
				}
			case err != nil:
				return fmt.Errorf("reading a shadow case: %w", err)
			case !CaseClosed(c.State):
				if !c.RunRate.Equal(v.RunRate) || c.Currency != v.Currency {
					if _, err := tx.Exec(ctx, "UPDATE shadow_cases SET run_rate = ?, currency = ? WHERE id = ?", v.RunRate.String(), v.Currency, c.ID); err != nil {
						return err
					}
				}
			case c.State == CaseSanctioned && c.SecurityVerdict == "":
				// Sanctioned by the catalog or the board, which no longer names it.
				if _, err := tx.Exec(ctx, `UPDATE shadow_cases SET state = ?, reopened = reopened + 1, closed_at = NULL, reason = '', run_rate = ?,
					currency = ?, updated_at = ? WHERE id = ?`, CaseOpen, v.RunRate.String(), v.Currency, now, c.ID); err != nil {
					return err
				}
				if err := caseEvent(ctx, tx, c.ID, nil, "reopen", c.State, CaseOpen, "No longer sanctioned: "+c.Reason, now); err != nil {
					return err
				}
			case c.State != CaseSanctioned && c.ClosedAt != nil && v.LastSpentOn > c.ClosedAt.UTC().Format(time.DateOnly):
				if _, err := tx.Exec(ctx, `UPDATE shadow_cases SET state = ?, reopened = reopened + 1, closed_at = NULL, run_rate = ?, currency = ?,
					updated_at = ? WHERE id = ?`, CaseOpen, v.RunRate.String(), v.Currency, now, c.ID); err != nil {
					return err
				}
				if err := caseEvent(ctx, tx, c.ID, nil, "reappear", c.State, CaseOpen,
					"New shadow spend after the case was closed (latest "+v.LastSpentOn+")", now); err != nil {
					return err
				}
			}
		}
		return nil
	}, db.Holding(db.LockSpendImport)) // syncs take turns, with imports: each case is opened once
}

func caseEvent(ctx context.Context, tx *db.Tx, id int64, p *access.Principal, action, from, to, detail string, now time.Time) error {
	var actorID any
	name := "Engage"
	if p != nil {
		name = p.Name
		if p.PersonID != 0 {
			actorID = p.PersonID
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO shadow_case_events(case_id, action, from_state, to_state, detail, actor_id, actor_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, action, from, to, detail, actorID, name, now)
	if err != nil {
		return fmt.Errorf("recording the case's history: %w", err)
	}
	return nil
}

// Cases lists the cases of the departments p may read (p's queue, for a
// BRM), worst annual run rate first; open and reached-out ones only
// unless f.All.
func (s *Service) Cases(ctx context.Context, p *access.Principal, f CaseFilter) ([]ShadowCase, error) {
	ids, all, err := shadowAccess(p, f.DepartmentID)
	if err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if !all {
		if len(ids) == 0 {
			return []ShadowCase{}, nil
		}
		where = append(where, "c.department_id IN ("+db.Placeholders(len(ids))+")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if !f.All {
		where, args = append(where, "c.state IN (?, ?)"), append(args, CaseOpen, CaseReachedOut)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+caseColumns+" FROM shadow_cases c WHERE "+strings.Join(where, " AND ")+" ORDER BY c.id", args...)
	if err != nil {
		return nil, fmt.Errorf("listing shadow cases: %w", err)
	}
	defer rows.Close()
	out := []ShadowCase{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.departmentNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].DepartmentName = names[out[i].DepartmentID]
	}
	slices.SortStableFunc(out, func(a, b ShadowCase) int {
		if c := b.RunRate.Cmp(a.RunRate); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

// findCase reads case id for p: not found when p may not read it.
func (s *Service) findCase(ctx context.Context, q db.Querier, p *access.Principal, id int64) (ShadowCase, error) {
	if p == nil {
		return ShadowCase{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to see shadow cases.")
	}
	c, err := scanCase(q.QueryRow(ctx, "SELECT "+caseColumns+" FROM shadow_cases c WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !CanReadTotals(p, c.DepartmentID) {
		return ShadowCase{}, engage.Errorf(engage.ENOTFOUND, "There is no shadow case %d, or it is not yours to see.", id)
	}
	if err != nil {
		return c, fmt.Errorf("reading shadow case %d: %w", id, err)
	}
	names, err := s.departmentNames(ctx)
	c.DepartmentName = names[c.DepartmentID]
	return c, err
}

// Case returns a case with its evidence, history and what p may do.
func (s *Service) Case(ctx context.Context, p *access.Principal, id int64) (CaseDetail, error) {
	c, err := s.findCase(ctx, s.DB, p, id)
	if err != nil {
		return CaseDetail{}, err
	}
	rep, err := s.Shadow(ctx, p, ShadowFilter{DepartmentID: c.DepartmentID, Vendor: c.Vendor})
	if err != nil {
		return CaseDetail{}, err
	}
	d := CaseDetail{Case: c, Evidence: rep.Shadow, Lines: []SpendLine{}, Events: []CaseEvent{}, Actions: []string{}}
	if CanActOnCase(p, c.DepartmentID) && !CaseClosed(c.State) {
		for _, a := range CaseActions {
			if a != ActReachOut || c.State == CaseOpen {
				d.Actions = append(d.Actions, a)
			}
		}
	}
	if CanReadLines(p, c.DepartmentID) {
		if d.Lines, err = s.caseLines(ctx, c); err != nil {
			return d, err
		}
	}
	rows, err := s.DB.Query(ctx, "SELECT at, actor_name, action, from_state, to_state, detail FROM shadow_case_events WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return d, fmt.Errorf("reading the case's history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e CaseEvent
		if err := rows.Scan(&e.At, &e.ActorName, &e.Action, &e.From, &e.To, &e.Detail); err != nil {
			return d, err
		}
		d.Events = append(d.Events, e)
	}
	return d, rows.Err()
}

// caseLines are the latest 100 lines of the case's vendor and department.
func (s *Service) caseLines(ctx context.Context, c ShadowCase) ([]SpendLine, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, kind, spent_on, merchant, CAST(amount AS TEXT), currency, person_email, memo, confidence, reason FROM spend_lines
		WHERE department_id = ? AND vendor = ? AND software = ? ORDER BY spent_on DESC, id DESC LIMIT 100`, c.DepartmentID, c.Vendor, true)
	if err != nil {
		return nil, fmt.Errorf("reading the case's lines: %w", err)
	}
	defer rows.Close()
	out := []SpendLine{}
	for rows.Next() {
		l := SpendLine{DepartmentID: c.DepartmentID, Vendor: c.Vendor, Software: true}
		var amount string
		var conf int
		if err := rows.Scan(&l.ID, &l.Kind, &l.Date, &l.Merchant, &amount, &l.Currency, &l.PersonEmail, &l.Memo, &conf, &l.Reason); err != nil {
			return nil, err
		}
		if l.Amount, err = decimal.NewFromString(amount); err != nil {
			return nil, err
		}
		l.Confidence, l.Waiting = float64(conf)/100, float64(conf) < ReviewBelow*100
		out = append(out, l)
	}
	return out, rows.Err()
}

// ActOnCase takes an action on case id. Repeating the action that brought
// the case where it is answers with the case unchanged.
func (s *Service) ActOnCase(ctx context.Context, p *access.Principal, id int64, action string, in CaseActionInput) (ShadowCase, error) {
	c, err := s.findCase(ctx, s.DB, p, id)
	if err != nil {
		return c, err
	}
	if !CanActOnCase(p, c.DepartmentID) {
		return c, engage.Errorf(engage.EFORBIDDEN, "Only %s's BRM can act on its shadow cases.", c.DepartmentName)
	}
	to, known := caseResult[action]
	if !known {
		return c, &engage.Error{Code: engage.EINVALID, Message: "Unknown action " + strconv.Quote(action) + ".",
			Fields: []engage.FieldError{{Field: "action", Message: "One of " + strings.Join(CaseActions, ", ") + "."}}}
	}
	if c.State == to {
		return c, nil // done already
	}
	if CaseClosed(c.State) {
		return c, engage.Errorf(engage.ECONFLICT, "Case %d is %s: it takes no more actions until new shadow spend reopens it.",
			c.ID, strings.ToLower(CaseStateLabels[c.State]))
	}
	rep, err := s.Shadow(ctx, access.System("shadow case"), ShadowFilter{DepartmentID: c.DepartmentID, Vendor: c.Vendor})
	if err != nil {
		return c, err
	}
	ev := caseEvidence(rep.Shadow)
	var set caseChange
	switch action {
	case ActReachOut:
		set, err = s.reachOut(ctx, p, c, ev)
	case ActReplace:
		set, err = s.replace(ctx, p, c, ev, in.OfferingID)
	case ActOnboard:
		set, err = s.onboard(ctx, c, ev)
	case ActSanction:
		set, err = s.checkSanction(in)
	case ActDismiss:
		in.Reason = strings.TrimSpace(in.Reason)
		var v engage.Validation
		v.Require("reason", in.Reason, "why the case is dismissed")
		v.MaxLen("reason", in.Reason, 1000)
		set, err = caseChange{reason: in.Reason, detail: in.Reason}, v.Err()
	}
	if err != nil {
		return c, err
	}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now().UTC()
		cur, err := s.findCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if cur.State != c.State {
			return engage.Errorf(engage.ECONFLICT, "Case %d changed while you acted; read it again.", id)
		}
		var closed any
		if CaseClosed(to) {
			closed = now
		}
		if _, err := tx.Exec(ctx, `UPDATE shadow_cases SET state = ?, need_ref = CASE WHEN ? <> '' THEN ? ELSE need_ref END,
			quote_number = CASE WHEN ? <> '' THEN ? ELSE quote_number END, service_id = COALESCE(?, service_id),
			security_verdict = ?, review_by = ?, reason = ?, run_rate = ?, saving = ?, currency = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
			to, set.need, set.need, set.quote, set.quote, db.NullID(set.service), set.verdict, set.reviewBy, set.reason,
			ev.RunRate.String(), set.saving.String(), ev.Currency, closed, now, id); err != nil {
			return fmt.Errorf("saving shadow case %d: %w", id, err)
		}
		if err := caseEvent(ctx, tx, id, p, action, c.State, to, set.detail, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, action, "shadow_case", id, fmt.Sprintf("Shadow case %d (%s, %s): %s", id, c.Vendor, c.DepartmentName, set.detail),
			map[string]any{"state": c.State}, map[string]any{"state": to, "need": set.need, "quote": set.quote, "service_id": set.service})
	})
	if err != nil {
		return c, err
	}
	return s.findCase(ctx, s.DB, p, id)
}

// caseEvidence sums up a case's shadow spend: the figures of its worst
// currency and the most people seen in any.
func caseEvidence(rows []ShadowVendor) ShadowVendor {
	var ev ShadowVendor
	for i, v := range rows {
		if i == 0 || v.RunRate.GreaterThan(ev.RunRate) {
			people := max(ev.People, v.People)
			ev = v
			ev.People = people
		}
		ev.People = max(ev.People, v.People)
	}
	return ev
}

// caseChange is what an action sets on a case.
type caseChange struct {
	need, quote, verdict, reviewBy, reason, detail string
	service                                        int64
	saving                                         decimal.Decimal
}

// head returns the department's head: the person needs and quotes are for.
func (s *Service) head(ctx context.Context, c ShadowCase) (int64, error) {
	d, err := s.Org.FindDepartment(ctx, access.System("shadow case"), c.DepartmentID)
	if err != nil {
		return 0, err
	}
	if d.HeadID == 0 {
		return 0, engage.Errorf(engage.EINVALID, "%s has no head to open the need or the quote for; name one in the organisation first.", d.Name)
	}
	return d.HeadID, nil
}

// reachOut opens (or finds) the case's need and submits it.
func (s *Service) reachOut(ctx context.Context, p *access.Principal, c ShadowCase, ev ShadowVendor) (caseChange, error) {
	head, err := s.head(ctx, c)
	if err != nil {
		return caseChange{}, err
	}
	var alts []string
	for _, a := range ev.Alternatives {
		alts = append(alts, a.ServiceName)
	}
	in := frontdoor.NeedInput{
		Title: fmt.Sprintf("%s bought outside IT by %s", c.Vendor, c.DepartmentName),
		Problem: fmt.Sprintf("%d people in %s pay for %s with cards or expenses: %s %s over the last 12 months, %s a year at the current rate (%s to %s).",
			ev.People, c.DepartmentName, c.Vendor, ev.Total.StringFixed(2), ev.Currency, ev.RunRate.StringFixed(2), rangeFrom(ev), rangeTo(ev)),
		Outcome:   fmt.Sprintf("What %s is used for is met through IT: a catalog service, or %s brought into the catalog.", c.Vendor, c.Vendor),
		Users:     max(ev.People, 1),
		DataClass: "internal",
		Currency:  ev.Currency,
	}
	// The front door suggests what already exists from the need's title
	// and problem, so the catalog services that do the same job are named
	// in the problem, where they lead its reuse suggestions.
	if len(alts) > 0 {
		in.Problem += " The catalog already has " + strings.Join(alts, ", ") + ", which does the same job."
	}
	var need frontdoor.Need
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		need, err = s.Needs.CreateFor(ctx, tx, p, head, frontdoor.Origin{Kind: "shadow-case", Ref: strconv.FormatInt(c.ID, 10)}, in)
		return err
	})
	if err != nil {
		return caseChange{}, err
	}
	if need.State == frontdoor.Draft {
		hp, err := s.Org.Principal(ctx, head, "shadow case")
		if err != nil {
			return caseChange{}, err
		}
		if need, err = s.Needs.Act(ctx, hp, need.Reference, frontdoor.ActionSubmit, frontdoor.ActInput{Version: need.Version}); err != nil {
			return caseChange{}, fmt.Errorf("submitting %s: %w", need.Reference, err)
		}
	}
	return caseChange{need: need.Reference, detail: "Need " + need.Reference + " opened for " + c.DepartmentName}, nil
}

func rangeFrom(v ShadowVendor) string {
	if len(v.Months) == 0 {
		return ""
	}
	return v.Months[0].Period
}

func rangeTo(v ShadowVendor) string {
	if len(v.Months) == 0 {
		return ""
	}
	return v.Months[len(v.Months)-1].Period
}

// replace makes (or finds) the case's quote for the people seen.
func (s *Service) replace(ctx context.Context, p *access.Principal, c ShadowCase, ev ShadowVendor, offeringID int64) (caseChange, error) {
	if offeringID == 0 {
		for _, a := range ev.Alternatives {
			if a.OfferingID != 0 {
				offeringID = a.OfferingID
				break
			}
		}
	}
	var v engage.Validation
	if offeringID == 0 {
		v.Add("offering_id", "Choose the catalog offering that replaces %s.", c.Vendor)
	}
	if ev.People == 0 {
		v.Add("offering_id", "No people were seen paying for %s, so there is no one to quote for; reach out instead.", c.Vendor)
	}
	if err := v.Err(); err != nil {
		return caseChange{}, err
	}
	head, err := s.head(ctx, c)
	if err != nil {
		return caseChange{}, err
	}
	q, err := s.Catalog.CreateQuote(ctx, p, catalog.QuoteInput{Title: fmt.Sprintf("Replace %s for %s", c.Vendor, c.DepartmentName), TermMonths: 12,
		Lines: []catalog.QuoteLineInput{{OfferingID: offeringID, Quantity: decimal.NewFromInt(int64(ev.People))}},
		For:   &catalog.OnBehalf{DepartmentID: c.DepartmentID, RequesterID: head, Subject: "shadow-case-" + strconv.FormatInt(c.ID, 10)}})
	if err != nil {
		// The quote's one line is the offering the caller chose: its
		// refusals name the field the caller filled in.
		for i, f := range engage.ErrorFields(err) {
			if strings.HasPrefix(f.Field, "lines[0].") {
				engage.ErrorFields(err)[i].Field = "offering_id"
			}
		}
		return caseChange{}, err
	}
	set := caseChange{quote: q.Number, detail: fmt.Sprintf("Quote %s for %d people, %s %s a month", q.Number, ev.People, q.Monthly.StringFixed(2), q.Currency)}
	if q.Currency == ev.Currency {
		set.saving = ev.Monthly.Sub(q.Monthly).Mul(decimal.NewFromInt(12))
	}
	return set, nil
}

// onboard adds (or finds) a planned, brokered catalog service for the
// vendor, for IT to broker it for everyone.
func (s *Service) onboard(ctx context.Context, c ShadowCase, ev ShadowVendor) (caseChange, error) {
	slug := "vendor-" + catalog.Slugify(c.Vendor)
	sys := access.System(fmt.Sprintf("shadow case %d", c.ID))
	if d, err := s.Catalog.FindService(ctx, sys, slug); err == nil {
		return caseChange{service: d.Service.ID, detail: "Draft catalog service " + d.Service.Name}, nil
	} else if engage.ErrorCode(err) != engage.ENOTFOUND {
		return caseChange{}, err
	}
	in := catalog.ServiceInput{Slug: slug, Name: c.Vendor, Kind: "business", Family: "business-applications", Sourcing: "brokered", Vendor: c.Vendor,
		Lifecycle: "planned", DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: "tolerated", AudienceAll: true,
		Summary: fmt.Sprintf("%s, to be brokered by IT for every department.", c.Vendor),
		Description: fmt.Sprintf("A draft: %s already pays %s for %s (%d people). IT brokers it so that every department buys it the same way.",
			c.DepartmentName, ev.RunRate.StringFixed(2)+" "+ev.Currency+" a year", c.Vendor, ev.People)}
	if ev.Category != "" {
		in.Tags = []string{ev.Category}
	}
	svc, err := s.Catalog.CreateService(ctx, sys, in)
	if err != nil {
		return caseChange{}, err
	}
	return caseChange{service: svc.ID, detail: "Draft catalog service " + svc.Name}, nil
}

// checkSanction checks the security review's verdict and the review date.
func (s *Service) checkSanction(in CaseActionInput) (caseChange, error) {
	var v engage.Validation
	verdict := strings.TrimSpace(in.Verdict)
	if verdict != "approve" && verdict != "approve_with_conditions" {
		v.Add("security_verdict", "Give the security review's verdict: approve or approve_with_conditions (a rejected vendor cannot be sanctioned).")
	}
	today := s.Clock.Now().UTC().Truncate(24 * time.Hour)
	by, err := time.Parse(time.DateOnly, strings.TrimSpace(in.ReviewBy))
	switch {
	case err != nil:
		v.Add("review_by", "Give the date of the next review as YYYY-MM-DD.")
	case !by.After(today) || by.After(today.AddDate(3, 0, 0)):
		v.Add("review_by", "The next review is after today and within 3 years.")
	}
	if err := v.Err(); err != nil {
		return caseChange{}, err
	}
	review := by.Format(time.DateOnly)
	return caseChange{verdict: verdict, reviewBy: review, detail: "Security review: " + frontdoor.VerdictLabel[verdict] + "; review by " + review}, nil
}

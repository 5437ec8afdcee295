package frontdoor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/rating"
)

// Publisher tells people and systems that something happened; it runs in
// the caller's transaction (package notify).
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// Service is the front door's rules over its store.
type Service struct {
	DB        *db.DB
	Clock     engage.Clock
	Org       *org.Service
	Catalog   *catalog.Catalog
	Approvals *approval.Service
	Publisher Publisher // optional
	// Processes is the process register needs link to; without it a need
	// links no process.
	Processes ProcessRegister
	// Signals keeps engagement signals (needs submitted and decided);
	// optional.
	Signals activity.Recorder

	index needIndex

	observersMu sync.Mutex // guards observers
	observers   map[string]Observer
	// everyObservers follow every need's state changes.
	everyObservers []Observer
}

func notFound(ref string) error {
	return engage.Errorf(engage.ENOTFOUND, "There is no need %s that you can see.", ref)
}

// Find returns a need by reference.
func (f *Service) Find(ctx context.Context, p *access.Principal, ref string) (Need, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	n, err := f.findReadable(ctx, f.DB, p, "n.reference = ?", ref)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return Need{}, notFound(ref)
	} else if err != nil {
		return Need{}, err
	}
	f.stamp(&n)
	return n, nil
}

// stamp sets the service-level fields.
func (f *Service) stamp(n *Need) {
	days, ok := ServiceLevels[n.State]
	if !ok {
		return
	}
	due := addWorkingDays(n.StateSince, days)
	n.DueBy = &due
	n.Overdue = f.Clock.Now().After(due)
}

// addWorkingDays moves t forward by n days, skipping Saturdays and Sundays.
func addWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// Get returns a need with its history, reviews, options and what the
// caller may do next.
func (f *Service) Get(ctx context.Context, p *access.Principal, ref string) (NeedDetail, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return NeedDetail{}, err
	}
	d := NeedDetail{Need: n}
	if d.Events, err = loadEvents(ctx, f.DB, n.ID); err != nil {
		return NeedDetail{}, err
	}
	if d.Reviews, err = loadReviews(ctx, f.DB, n.ID); err != nil {
		return NeedDetail{}, err
	}
	if d.Options, err = loadOptions(ctx, f.DB, n.ID, n.DataClass); err != nil {
		return NeedDetail{}, err
	}
	if d.LinkedProcesses, err = f.processRefs(ctx, n.ProcessIDs); err != nil {
		return NeedDetail{}, err
	}
	d.Actions = []string{}
	for _, t := range Transitions {
		if slices.Contains(t.From, n.State) && may(p, t, &n) && !slices.Contains(d.Actions, string(t.Action)) {
			d.Actions = append(d.Actions, string(t.Action))
		}
	}
	if n.State == Draft && p.PersonID == n.RequesterID {
		d.Actions = append(d.Actions, "edit")
	}
	if n.State == Assessment {
		for _, k := range ReviewKinds {
			if p.Has(reviewerRole[k]) {
				d.Actions = append(d.Actions, "review_"+k)
			}
		}
	}
	if canPropose(p, &n) {
		d.Actions = append(d.Actions, "add_option")
	}
	d.Next = nextStep(n, d.Reviews)
	return d, nil
}

func canPropose(p *access.Principal, n *Need) bool {
	if n.State != Triage && n.State != Assessment && n.State != Decision {
		return false
	}
	return isBRM(p, n) || p.HasAny(access.PortfolioBoard, access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance)
}

func nextStep(n Need, reviews []NeedReview) string {
	switch n.State {
	case Draft:
		return "The requester completes the need and submits it."
	case Submitted:
		return "The department's business relationship manager triages it within 1 working day."
	case Triage:
		return "The business relationship manager checks what already exists, then accepts it for assessment, asks for more information, or points to a catalog service."
	case Assessment:
		var missing []string
		for _, k := range ReviewKinds {
			if !slices.ContainsFunc(reviews, func(r NeedReview) bool { return r.Kind == k }) {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return "Waiting for the " + strings.Join(missing, ", ") + " review; then the portfolio board decides."
		}
		return "All reviews are in; the business relationship manager sends it to the portfolio board."
	case Decision:
		if n.ApprovalID != 0 {
			return "The board has decided; the approvals it needs are being collected."
		}
		return "The portfolio board chooses an option, or sends it back."
	case Approved:
		return "A delivery team may start: the delivery gate answers yes for this reference."
	case InDelivery:
		return "The delivery team builds or sets it up, then marks it delivered."
	case Delivered:
		return "The requester tests it and accepts it, which closes the need."
	}
	return "Nothing more: this need is " + strings.ToLower(StateLabels[n.State]) + "."
}

// currencies are those the organisation uses, as the catalog knows them.
func (f *Service) currencies() rating.Currencies {
	if f.Catalog == nil {
		return rating.Currencies{}
	}
	return f.Catalog.Currencies
}

func (f *Service) checkInput(ctx context.Context, in *NeedInput) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Problem = strings.TrimSpace(in.Problem)
	in.Outcome = strings.TrimSpace(in.Outcome)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = f.currencies().Codes()[0]
	}
	var v engage.Validation
	v.Require("title", in.Title, "a short title, such as “Team chat for the lab”")
	v.MaxLen("title", in.Title, 200)
	v.MaxLen("problem", in.Problem, 10000)
	v.MaxLen("outcome", in.Outcome, 10000)
	v.MaxLen("processes", in.Processes, 2000)
	if !slices.Contains(classes, in.DataClass) {
		v.Add("data_class", "Choose the most sensitive data it will hold: public, internal, confidential or restricted.")
	}
	if in.Users < 0 || in.Users > 1000000 {
		v.Add("users", "Give the expected number of users, between 0 and 1,000,000.")
	}
	if msg := f.currencies().Check(in.Currency); msg != "" {
		v.Add("currency", "%s", msg)
	}
	for i, b := range []*decimal.Decimal{in.BudgetMin, in.BudgetMax} {
		if b == nil {
			continue
		} else if b.IsNegative() {
			v.Add([]string{"budget_min", "budget_max"}[i], "The budget cannot be negative.")
		} else if msg := rating.Fee.CheckIn(*b, in.Currency); msg != "" {
			v.Add([]string{"budget_min", "budget_max"}[i], "%s", msg)
		}
	}
	if in.BudgetMin != nil && in.BudgetMax != nil && in.BudgetMax.LessThan(*in.BudgetMin) {
		v.Add("budget_max", "The top of the budget range is below its bottom.")
	}
	if in.NeededBy != nil && in.NeededBy.Before(f.Clock.Now().AddDate(0, 0, -1)) {
		v.Add("needed_by", "Choose a date in the future.")
	}
	if in.SponsorID != 0 {
		if _, err := f.Org.FindPersonByID(ctx, in.SponsorID); err != nil {
			v.Add("sponsor_id", "No person with id %d.", in.SponsorID)
		}
	}
	slices.Sort(in.Departments)
	in.Departments = slices.Compact(in.Departments)
	for i, id := range in.Departments {
		if _, err := f.Org.FindDepartment(ctx, access.System("check"), id); err != nil {
			v.Add(fmt.Sprintf("affected_department_ids[%d]", i), "No department with id %d.", id)
		}
	}
	if len(in.ProcessIDs) > 200 {
		v.Add("process_ids", "Link at most 200 processes.")
	} else if err := f.checkProcesses(ctx, &v, in.ProcessIDs); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	slices.Sort(in.ProcessIDs)
	in.ProcessIDs = slices.Compact(in.ProcessIDs)
	return nil
}

// submitChecks are the fields a need must have before it is submitted.
func submitChecks(n Need) error {
	var v engage.Validation
	v.Require("problem", n.Problem, "the problem you want solved")
	v.Require("outcome", n.Outcome, "the outcome you want")
	if n.Users <= 0 {
		v.Add("users", "Say roughly how many people will use it.")
	}
	return v.Err()
}

// Create saves a new draft need for the requester's department.
func (f *Service) Create(ctx context.Context, p *access.Principal, in NeedInput) (Need, error) {
	if p == nil || p.DepartmentID == 0 {
		return Need{}, engage.Errorf(engage.EFORBIDDEN, "You need to belong to a department to ask for something; ask an administrator.")
	}
	if err := f.checkInput(ctx, &in); err != nil {
		return Need{}, err
	}
	var n Need
	err := f.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		n, err = f.create(ctx, tx, p, p.PersonID, p.DepartmentID, Origin{}, in)
		return err
	})
	if err != nil {
		return Need{}, err
	}
	f.changed()
	return f.Find(ctx, p, n.Reference)
}

// create writes a new draft for requester in dept, in tx; by is who acts.
func (f *Service) create(ctx context.Context, tx *db.Tx, by *access.Principal, requester, dept int64, origin Origin, in NeedInput) (Need, error) {
	now := f.Clock.Now()
	k, err := db.NextNumber(ctx, tx, "need", now.Year())
	if err != nil {
		return Need{}, err
	}
	ref := fmt.Sprintf("NEED-%d-%04d", now.Year(), k)
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return Need{}, err
	}
	id, err := insertNeed(ctx, tx, ref, requester, dept, origin, in, now, seq)
	if err != nil {
		return Need{}, err
	}
	if err := recordEvent(ctx, tx, id, now, by, "create", "", Draft, ""); err != nil {
		return Need{}, err
	}
	summary := "Need " + ref + ": " + in.Title
	if !origin.IsZero() {
		summary += " (from " + origin.String() + ")"
	}
	if err := audit.Record(ctx, tx, now, by, "create", "need", id, summary, nil, in); err != nil {
		return Need{}, err
	}
	n, err := findNeed(ctx, tx, "n.id = ?", id)
	if err != nil {
		return Need{}, err
	}
	f.stamp(&n)
	// A new need's observers see it arrive as a draft.
	return n, f.observe(ctx, tx, n, "", Draft, "create", "", now)
}

// Update changes a draft. Only its requester may, with the version read.
func (f *Service) Update(ctx context.Context, p *access.Principal, ref string, version int, in NeedInput) (Need, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return Need{}, err
	}
	if n.RequesterID != p.PersonID {
		return Need{}, engage.Errorf(engage.EFORBIDDEN, "Only %s, who wrote this need, can change it.", n.RequesterName)
	}
	if n.State != Draft {
		return Need{}, engage.Errorf(engage.ECONFLICT, "This need is %s; only drafts can be changed.", strings.ToLower(StateLabels[n.State]))
	}
	if err := f.checkInput(ctx, &in); err != nil {
		return Need{}, err
	}
	err = f.DB.Transact(ctx, func(tx *db.Tx) error {
		now := f.Clock.Now()
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		k, err := updateNeed(ctx, tx, n.ID, version, in, now, seq)
		if err != nil {
			return err
		}
		if k == 0 {
			return staleVersion(version)
		}
		return audit.Record(ctx, tx, now, p, "update", "need", n.ID, "Need "+n.Reference+" edited", n.Input(), in)
	})
	if err != nil {
		return Need{}, err
	}
	f.changed()
	return f.Find(ctx, p, ref)
}

// touch takes the next version of a need for a change beside its own row (a
// review, an option), in the change's transaction: the need must still be
// in the state it was read in and, when version is not 0, at that version.
// Two people changing the same need at once therefore never both succeed
// on what they read.
func touch(ctx context.Context, tx db.Querier, n Need, version int, now time.Time) error {
	query, args := "UPDATE needs SET version = version + 1, updated_at = ? WHERE id = ? AND state = ?", []any{now, n.ID, n.State}
	if version != 0 {
		query, args = query+" AND version = ?", append(args, version)
	}
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil {
		return err
	} else if k == 0 {
		if version != 0 {
			return staleVersion(version)
		}
		return engage.Errorf(engage.ECONFLICT, "Need %s changed while you were working on it. Reload it and try again.", n.Reference)
	}
	return nil
}

func staleVersion(version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this need after you opened it (you had version %d). Reload it to see their change, then try again.", version)
}

func recordEvent(ctx context.Context, tx db.Querier, needID int64, at time.Time, p *access.Principal, action string, from, to State, reason string) error {
	var actor any
	name := "Engage"
	if p != nil {
		if p.PersonID != 0 {
			actor = p.PersonID
		}
		if p.Name != "" {
			name = p.Name
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO need_events(need_id, at, actor_id, actor_name, action, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		needID, at, actor, name, action, from, to, reason)
	if err != nil {
		return fmt.Errorf("recording need history: %w", err)
	}
	return nil
}

// ActInput carries what some actions need besides a reason.
type ActInput struct {
	Version     int    `json:"version" minimum:"1" doc:"The version you read; a stale version is refused."`
	Reason      string `json:"reason,omitempty" doc:"Required when the action refuses or reverses"`
	DuplicateOf string `json:"duplicate_of,omitempty" doc:"For merge: the reference of the need this one duplicates"`
	OfferingID  int64  `json:"offering_id,omitempty" doc:"For use_catalog: the catalog offering that meets the need"`
	OptionID    int64  `json:"option_id,omitempty" doc:"For decide: the chosen option"`
	Exception   string `json:"exception,omitempty" doc:"For decide: why an option that cannot hold the data may be used"`
}

// Act takes a transition of the state machine.
func (f *Service) Act(ctx context.Context, p *access.Principal, ref string, action Action, in ActInput) (Need, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return Need{}, err
	}
	t, ok := TransitionFor(action, n.State)
	if !ok {
		if !slices.ContainsFunc(Transitions, func(t Transition) bool { return t.Action == action }) {
			return Need{}, engage.Errorf(engage.EINVALID, "There is no action %q.", action)
		}
		return Need{}, engage.Errorf(engage.ECONFLICT, "A need that is %s cannot be sent through %q.", strings.ToLower(StateLabels[n.State]), action)
	}
	if !may(p, t, &n) {
		return Need{}, engage.Errorf(engage.EFORBIDDEN, "You may not %s this need.", strings.ToLower(t.Label))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v engage.Validation
	if t.Reason && in.Reason == "" {
		v.Add("reason", "Say why, so that the requester and others understand.")
	}
	v.MaxLen("reason", in.Reason, 4000)
	if err := v.Err(); err != nil {
		return Need{}, err
	}
	to := t.To
	err = f.DB.Transact(ctx, func(tx *db.Tx) error {
		now := f.Clock.Now()
		extra, err := f.prepare(ctx, tx, p, &n, t, in, now, &to)
		if err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE needs SET state = ?, state_since = ?, search_seq = ?, version = version + 1, updated_at = ?"+extra.sets+
			" WHERE id = ? AND version = ?", append(append([]any{to, now, seq, now}, extra.args...), n.ID, in.Version)...)
		if err != nil {
			return fmt.Errorf("moving need %s: %w", n.Reference, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return staleVersion(in.Version)
		}
		if err := recordEvent(ctx, tx, n.ID, now, p, string(action), n.State, to, in.Reason); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, string(action), "need", n.ID, fmt.Sprintf("Need %s: %s", n.Reference, t.Label),
			map[string]State{"state": n.State}, map[string]string{"state": string(to), "reason": in.Reason}); err != nil {
			return err
		}
		if extra.after != nil {
			if err := extra.after(tx, now); err != nil {
				return err
			}
		}
		return f.moved(ctx, tx, n, to, string(action), in.Reason, now)
	})
	if err != nil {
		return Need{}, err
	}
	f.changed()
	return f.Find(ctx, p, ref)
}

// extra is what an action writes besides the state.
type extra struct {
	sets  string
	args  []any
	after func(tx *db.Tx, now time.Time) error
}

// prepare checks an action's own conditions and says what else it writes.
func (f *Service) prepare(ctx context.Context, tx *db.Tx, p *access.Principal, n *Need, t Transition, in ActInput, now time.Time, to *State) (extra, error) {
	var e extra
	switch t.Action {
	case ActionSubmit:
		if err := submitChecks(*n); err != nil {
			return e, err
		}
		brm, err := f.departmentBRM(ctx, n.DepartmentID)
		if err != nil {
			return e, err
		}
		e.sets, e.args = ", submitted_at = ?, brm_id = ?", []any{now, db.NullID(brm)}
	case ActionMerge:
		// A duplicate may be another department's need, but not someone
		// else's draft, which nobody else knows of.
		dup, err := findNeed(ctx, tx, "n.reference = ?", strings.ToUpper(strings.TrimSpace(in.DuplicateOf)))
		if err != nil || dup.ID == n.ID || privateDraft(&dup) && dup.RequesterID != p.PersonID {
			return e, fieldErr("duplicate_of", "Give the reference of another need, such as NEED-2026-0042.")
		}
		e.sets, e.args = ", duplicate_of_id = ?", []any{dup.ID}
	case ActionUseCatalog:
		if _, _, err := f.Catalog.FindOffering(ctx, p, in.OfferingID); err != nil {
			return e, fieldErr("offering_id", "Choose a catalog offering that meets the need.")
		}
		e.sets, e.args = ", catalog_offering_id = ?", []any{in.OfferingID}
	case ActionToDecision:
		reviews, err := loadReviews(ctx, tx, n.ID)
		if err != nil {
			return e, err
		}
		if len(reviews) < len(ReviewKinds) {
			return e, engage.Errorf(engage.ECONFLICT, "All three reviews — architecture, security and finance — must be recorded first.")
		}
	case ActionDecide:
		options, err := loadOptions(ctx, tx, n.ID, n.DataClass)
		if err != nil {
			return e, err
		}
		i := slices.IndexFunc(options, func(o NeedOption) bool { return o.ID == in.OptionID })
		if i < 0 {
			return e, fieldErr("option_id", "Choose one of this need's options.")
		}
		opt := options[i]
		in.Exception = strings.TrimSpace(in.Exception)
		if !opt.CanHoldData && opt.Exception == "" && in.Exception == "" {
			return e, fieldErr("exception", fmt.Sprintf("%s may hold %s data at most, and this need holds %s data. Record an exception to choose it anyway.",
				opt.Title, opt.DataCeiling, n.DataClass))
		}
		if in.Exception != "" && opt.Exception == "" {
			if _, err := tx.Exec(ctx, "UPDATE need_options SET exception = ? WHERE id = ?", in.Exception, opt.ID); err != nil {
				return e, err
			}
		}
		e.sets, e.args = ", decision_option_id = ?, decision_reason = ?, decided_by_id = ?, decided_at = ?", []any{opt.ID, in.Reason, db.NullID(p.PersonID), now}
		// Consent steps go through the approval policies for needs.
		var services, offerings []int64
		if opt.OfferingID != 0 {
			offerings = []int64{opt.OfferingID}
			if _, svc, err := f.Catalog.FindOffering(ctx, access.System("front door"), opt.OfferingID); err == nil {
				services = []int64{svc.ID}
			}
		}
		req, err := f.Approvals.Submit(ctx, tx, approval.SubmitInput{SubjectType: SubjectNeed, SubjectID: n.ID,
			Title: fmt.Sprintf("%s: %s (%s)", n.Reference, n.Title, opt.Title), Link: "/needs/" + n.Reference,
			Summary:     catalog.TermSummary(opt.ThreeYear, 36, opt.Monthly, opt.OneTime, opt.Currency),
			RequesterID: n.RequesterID, DepartmentID: n.DepartmentID, Amount: opt.ThreeYear, Currency: opt.Currency,
			OfferingIDs: offerings, ServiceIDs: services, DataClass: n.DataClass})
		if err != nil {
			return e, err
		}
		e.sets += ", approval_request_id = ?"
		e.args = append(e.args, req.ID)
		if req.Status == approval.Pending {
			*to = Decision // stays with the board until consent is given
		}
	}
	return e, nil
}

func fieldErr(field, msg string) error {
	return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.", Fields: []engage.FieldError{{Field: field, Message: msg}}}
}

// departmentBRM is the BRM of a department or of the nearest one above.
func (f *Service) departmentBRM(ctx context.Context, deptID int64) (int64, error) {
	chain, err := f.Org.Ancestors(ctx, deptID)
	if err != nil {
		return 0, err
	}
	for _, id := range chain {
		d, err := f.Org.FindDepartment(ctx, access.System("front door"), id)
		if err != nil {
			return 0, err
		}
		if d.BRMID != 0 {
			return d.BRMID, nil
		}
	}
	return 0, nil
}

// Decided is the approval handler of needs: consent given moves the need to
// approved; refused, to rejected with the reason.
func (f *Service) Decided(ctx context.Context, tx *db.Tx, r approval.Request) error {
	n, err := findNeed(ctx, tx, "n.id = ?", r.SubjectID)
	if err != nil {
		return err
	}
	if n.State != Decision || n.ApprovalID == 0 {
		// Decided at once because no policy applies: the board's Act, in
		// this same transaction, moves the need itself.
		return nil
	}
	to := map[string]State{approval.Approved: Approved, approval.Declined: Rejected, approval.Cancelled: Decision}[r.Status]
	if to == "" || to == Decision {
		return nil
	}
	now := f.Clock.Now()
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE needs SET state = ?, state_since = ?, search_seq = ?, version = version + 1, updated_at = ? WHERE id = ?",
		to, now, seq, now, n.ID); err != nil {
		return err
	}
	reason := r.Outcome
	if err := recordEvent(ctx, tx, n.ID, now, nil, "consent_"+r.Status, n.State, to, reason); err != nil {
		return err
	}
	return f.moved(ctx, tx, n, to, "consent_"+r.Status, reason, now)
}

// The events the front door publishes.
const (
	EventSubmitted    = "need.submitted"
	EventStateChanged = "need.state_changed"
)

// EventTypes lists them, for the webhooks that may subscribe to them.
var EventTypes = []string{EventSubmitted, EventStateChanged}

func (f *Service) publish(ctx context.Context, tx *db.Tx, n Need, from, to State, reason string, now time.Time) error {
	if f.Publisher == nil {
		return nil
	}
	recipients := []int64{n.RequesterID}
	for _, id := range []int64{n.SponsorID, n.BRMID} {
		if id != 0 && !slices.Contains(recipients, id) {
			recipients = append(recipients, id)
		}
	}
	typ := EventStateChanged
	if to == Submitted {
		typ = EventSubmitted
	}
	return f.Publisher.Publish(ctx, tx, notify.Event{Type: typ, Subject: n.Reference,
		Title: fmt.Sprintf("%s %s: %s", n.Reference, strings.ToLower(StateLabels[to]), n.Title), Link: "/needs/" + n.Reference,
		Recipients: recipients, At: now,
		Data: map[string]any{"reference": n.Reference, "title": n.Title, "department": n.DepartmentName, "from": from, "to": to, "reason": reason}})
}

// Review records (or replaces) a review of a need in assessment. version
// is the need's version the reviewer read: when it is not 0, a need changed
// since (another review, an option, a transition) refuses the review.
func (f *Service) Review(ctx context.Context, p *access.Principal, ref, kind, verdict, notes string, version int) (Need, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return Need{}, err
	}
	role, ok := reviewerRole[kind]
	if !ok {
		return Need{}, fieldErr("kind", "Choose architecture, security or finance.")
	}
	if !p.Has(role) {
		return Need{}, engage.Errorf(engage.EFORBIDDEN, "Only people with the %s role record the %s review.", access.RoleLabels[role], kind)
	}
	if n.State != Assessment {
		return Need{}, engage.Errorf(engage.ECONFLICT, "Reviews are recorded while a need is being assessed; this one is %s.", strings.ToLower(StateLabels[n.State]))
	}
	var v engage.Validation
	if !slices.Contains(Verdicts, verdict) {
		v.Add("verdict", "Choose approve, approve with conditions, or reject.")
	}
	notes = strings.TrimSpace(notes)
	if (verdict == "reject" || verdict == "approve_with_conditions") && notes == "" {
		v.Add("notes", "Say why, or what the conditions are.")
	}
	v.MaxLen("notes", notes, 10000)
	if err := v.Err(); err != nil {
		return Need{}, err
	}
	err = f.DB.Transact(ctx, func(tx *db.Tx) error {
		now := f.Clock.Now()
		if err := touch(ctx, tx, n, version, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM need_reviews WHERE need_id = ? AND kind = ?", n.ID, kind); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO need_reviews(need_id, kind, reviewer_id, verdict, notes, at) VALUES (?, ?, ?, ?, ?, ?)",
			n.ID, kind, p.PersonID, verdict, notes, now); err != nil {
			return fmt.Errorf("saving review: %w", err)
		}
		if err := recordEvent(ctx, tx, n.ID, now, p, "review_"+kind, n.State, n.State, VerdictLabel[verdict]+": "+notes); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "review", "need", n.ID, fmt.Sprintf("Need %s: %s review (%s)", n.Reference, kind, verdict), nil,
			map[string]string{"kind": kind, "verdict": verdict, "notes": notes})
	})
	if err != nil {
		return Need{}, err
	}
	return f.Find(ctx, p, ref)
}

// AddOption proposes a way to meet a need. A reuse option is priced from
// the offering's current rate plan for the need's number of users.
func (f *Service) AddOption(ctx context.Context, p *access.Principal, ref string, in NeedOptionInput) (NeedOption, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return NeedOption{}, err
	}
	if !canPropose(p, &n) {
		return NeedOption{}, engage.Errorf(engage.EFORBIDDEN, "Options are proposed by the BRM, the reviewers and the board while a need is triaged, assessed or decided.")
	}
	var v engage.Validation
	in.Title = strings.TrimSpace(in.Title)
	opt := NeedOption{Kind: in.Kind, Title: in.Title, Vendor: strings.TrimSpace(in.Vendor), DeliveryDays: in.DeliveryDays,
		Risks: strings.TrimSpace(in.Risks), DataCeiling: in.DataCeiling, Currency: strings.ToUpper(strings.TrimSpace(in.Currency))}
	switch in.Kind {
	case "reuse":
		o, svc, err := f.Catalog.FindOffering(ctx, p, in.OfferingID)
		if err != nil {
			v.Add("offering_id", "Choose the catalog offering to reuse.")
			break
		}
		plan, ok := catalog.PlanOn(o.Plans, catalog.DateOf(f.Clock.Now()))
		if !ok {
			v.Add("offering_id", "%s has no price today.", o.Name)
			break
		}
		users := decimal.NewFromInt(int64(max(n.Users, 1)))
		q, err := rating.QuotePlan(plan.Rating(o.ID), users)
		if err != nil {
			v.Add("offering_id", "%s", err.Error())
			break
		}
		opt.OfferingID, opt.Currency, opt.DataCeiling = o.ID, plan.Currency, svc.DataCeiling
		opt.OneTime, opt.Monthly = rating.RoundLine(q.OneTime, plan.Currency), rating.RoundLine(q.Monthly, plan.Currency)
		if opt.Title == "" {
			opt.Title = "Reuse " + svc.Name + " — " + o.Name
		}
		if opt.DeliveryDays == 0 {
			opt.DeliveryDays = max(o.LeadTimeDays, svc.SLA.LeadTimeDays)
		}
		if opt.Vendor == "" {
			opt.Vendor = svc.Vendor
		}
	case "buy", "build", "broker":
		v.Require("title", opt.Title, "what the option is")
		if in.OneTime == nil || in.Monthly == nil {
			v.Add("monthly", "Give the one-time and the monthly cost (0 when there is none).")
		} else if in.OneTime.IsNegative() || in.Monthly.IsNegative() {
			v.Add("monthly", "Costs cannot be negative.")
		} else if msg := rating.Fee.CheckIn(*in.OneTime, cmp.Or(opt.Currency, n.Currency)); msg != "" {
			v.Add("one_time", "%s", msg)
		} else if msg := rating.Fee.CheckIn(*in.Monthly, cmp.Or(opt.Currency, n.Currency)); msg != "" {
			v.Add("monthly", "%s", msg)
		} else {
			opt.OneTime, opt.Monthly = *in.OneTime, *in.Monthly
		}
		if opt.Currency == "" {
			opt.Currency = n.Currency
		} else if msg := f.currencies().Check(opt.Currency); msg != "" {
			v.Add("currency", "%s", msg)
		}
		if !slices.Contains(classes, opt.DataCeiling) {
			v.Add("data_ceiling", "Say the most sensitive data the option may hold.")
		}
		if in.Kind != "build" && opt.Vendor == "" {
			v.Add("vendor", "Name the vendor or provider.")
		}
	default:
		v.Add("kind", "Choose reuse, buy, build or broker.")
	}
	if opt.DeliveryDays < 0 || opt.DeliveryDays > 3650 {
		v.Add("delivery_days", "Give the time to deliver in days.")
	}
	v.MaxLen("title", opt.Title, 200)
	v.MaxLen("risks", opt.Risks, 4000)
	if err := v.Err(); err != nil {
		return NeedOption{}, err
	}
	err = f.DB.Transact(ctx, func(tx *db.Tx) error {
		now := f.Clock.Now()
		if err := touch(ctx, tx, n, in.Version, now); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO need_options(need_id, kind, title, offering_id, vendor, currency, one_time, monthly, delivery_days, risks,
			data_ceiling, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.ID, opt.Kind, opt.Title, db.NullID(opt.OfferingID), opt.Vendor, opt.Currency, opt.OneTime, opt.Monthly, opt.DeliveryDays, opt.Risks,
			opt.DataCeiling, db.NullID(p.PersonID), now).Scan(&opt.ID)
		if err != nil {
			return fmt.Errorf("saving option: %w", err)
		}
		if err := recordEvent(ctx, tx, n.ID, now, p, "add_option", n.State, n.State, opt.Kind+": "+opt.Title); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "add_option", "need", n.ID, "Need "+n.Reference+": option "+opt.Title, nil, opt)
	})
	if err != nil {
		return NeedOption{}, err
	}
	options, err := loadOptions(ctx, f.DB, n.ID, n.DataClass)
	if err != nil {
		return NeedOption{}, err
	}
	for _, o := range options {
		if o.ID == opt.ID {
			return o, nil
		}
	}
	return opt, nil
}

// mayOrderFor: the need's requester, people of its department, its budget
// holders and its BRM may order for a need.
func mayOrderFor(p *access.Principal, n *Need) bool {
	return p.PersonID == n.RequesterID || isBRM(p, n) || p.DepartmentID == n.DepartmentID ||
		(p.Has(access.BudgetHolder) && p.CanReadDepartment(n.DepartmentID))
}

// CanOrderReuse reports whether p may order the reused offering of the need
// now: it is approved or in delivery, its decision reuses a catalog
// offering, nothing was ordered for it yet, and p may order for it.
func CanOrderReuse(p *access.Principal, d NeedDetail) bool {
	n := d.Need
	if n.OrderNumber != "" || (n.State != Approved && n.State != InDelivery) || !mayOrderFor(p, &n) {
		return false
	}
	i := slices.IndexFunc(d.Options, func(o NeedOption) bool { return o.ID == n.DecisionOptionID })
	return i >= 0 && d.Options[i].Kind == "reuse"
}

// OrderReuse orders the catalog offering of the chosen reuse option for the
// need's department, for its number of users. The order is the need's
// requester's, for the need's department, whoever places it; when the
// department's BRM (or anyone else allowed to act on the need) places it,
// the order names them as having placed it on the requester's behalf. A
// need is quoted and ordered once: asking again answers with that order.
func (f *Service) OrderReuse(ctx context.Context, p *access.Principal, ref string) (catalog.Order, error) {
	d, err := f.Get(ctx, p, ref)
	if err != nil {
		return catalog.Order{}, err
	}
	n := d.Need
	if n.OrderNumber != "" {
		return f.Catalog.FindOrder(ctx, p, n.OrderNumber)
	}
	if n.State != Approved && n.State != InDelivery {
		return catalog.Order{}, engage.Errorf(engage.ECONFLICT, "Only an approved need can be ordered.")
	}
	if !mayOrderFor(p, &n) {
		return catalog.Order{}, engage.Errorf(engage.EFORBIDDEN, "Only people of %s, its budget holders and its business relationship manager can order for this need.", n.DepartmentName)
	}
	i := slices.IndexFunc(d.Options, func(o NeedOption) bool { return o.ID == n.DecisionOptionID })
	if i < 0 || d.Options[i].Kind != "reuse" {
		return catalog.Order{}, engage.Errorf(engage.ECONFLICT, "The decision did not choose to reuse a catalog service.")
	}
	in := catalog.QuoteInput{Title: n.Reference + ": " + n.Title,
		Lines: []catalog.QuoteLineInput{{OfferingID: d.Options[i].OfferingID, Quantity: decimal.NewFromInt(int64(max(n.Users, 1)))}},
		For:   &catalog.OnBehalf{DepartmentID: n.DepartmentID, RequesterID: n.RequesterID, Subject: n.Reference}}
	q, err := f.Catalog.CreateQuote(ctx, p, in)
	if err != nil {
		return catalog.Order{}, err
	}
	o, err := f.Catalog.OrderQuote(ctx, p, q.Number, catalog.OrderInput{Note: "For " + n.Reference + ": " + n.Title})
	if err != nil {
		return catalog.Order{}, err
	}
	_, err = f.DB.Exec(ctx, "UPDATE needs SET order_id = ? WHERE id = ?", o.ID, n.ID)
	return o, err
}

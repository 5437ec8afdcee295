package approval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// NoPolicyOutcome is recorded on requests that no policy applies to.
const NoPolicyOutcome = "No approval needed: no policy applies."

// auditState is what the audit log keeps of a request after each change.
type auditState struct {
	Status       string `json:"status"`
	CurrentStage int    `json:"current_stage"`
	PolicyID     int64  `json:"policy_id,omitempty"`
	Outcome      string `json:"outcome,omitempty"`
}

func stateOf(r Request) auditState {
	return auditState{Status: r.Status, CurrentStage: r.CurrentStage, PolicyID: r.PolicyID, Outcome: r.Outcome}
}

// Submit asks for consent about a subject, inside the caller's transaction
// (the one that creates the subject). The first matching active policy
// applies and its approvers are resolved now. When no policy applies the
// request is approved at once and the subject's handler runs, still inside
// tx. A policy whose stage resolves to nobody refuses the submission.
func (s *Service) Submit(ctx context.Context, tx *db.Tx, in SubmitInput) (Request, error) {
	if err := checkSubmit(&in); err != nil {
		return Request{}, err
	}
	requester, err := findPersonInfo(ctx, tx, in.RequesterID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return Request{}, invalid("requester_id", "No person with id %d.", in.RequesterID)
	} else if err != nil {
		return Request{}, err
	}
	now := s.Clock.Now()
	policies, err := activePolicies(ctx, tx)
	if err != nil {
		return Request{}, err
	}
	o, err := loadOrg(ctx, tx)
	if err != nil {
		return Request{}, err
	}
	if _, ok := o.parent[in.DepartmentID]; in.DepartmentID != 0 && !ok {
		return Request{}, invalid("department_id", "No department with id %d.", in.DepartmentID)
	}
	var pol *Policy
	for i := range policies {
		if policies[i].Conditions.matches(in, o) {
			pol = &policies[i]
			break
		}
	}
	actor := &access.Principal{PersonID: requester.ID, Name: requester.Name, DepartmentID: requester.DepartmentID}

	if pol == nil {
		id, err := insertRequest(ctx, tx, in, nil, Approved, NoPolicyOutcome, now)
		if err != nil {
			return Request{}, err
		}
		r, err := findRequestFull(ctx, tx, id)
		if err != nil {
			return Request{}, err
		}
		if err := audit.Record(ctx, tx, now, actor, "submit", "approval_request", id,
			fmt.Sprintf("Submitted %q: no approval needed, no policy applies", in.Title), nil, stateOf(r)); err != nil {
			return Request{}, err
		}
		return r, s.decided(ctx, tx, r)
	}

	approvers, err := resolve(ctx, tx, *pol, in, requester, o)
	if err != nil {
		return Request{}, err
	}
	id, err := insertRequest(ctx, tx, in, pol, Pending, "", now)
	if err != nil {
		return Request{}, err
	}
	for i, st := range pol.Stages {
		status := "waiting"
		if i == 0 {
			status = Pending
		}
		if err := insertRequestStage(ctx, tx, id, i+1, st, status, approvers[i]); err != nil {
			return Request{}, err
		}
	}
	r, err := findRequestFull(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	err = audit.Record(ctx, tx, now, actor, "submit", "approval_request", id,
		fmt.Sprintf("Submitted %q for approval under policy %s", in.Title, pol.Name), nil, stateOf(r))
	if err != nil {
		return r, err
	}
	return r, s.tellApprovers(ctx, tx, r, now)
}

func checkSubmit(in *SubmitInput) error {
	in.SubjectType = strings.TrimSpace(in.SubjectType)
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	var v engage.Validation
	if !subjectTypePattern.MatchString(in.SubjectType) {
		v.Add("subject_type", "Name the kind of request in lower case, for example order or need.")
	}
	if in.SubjectID <= 0 {
		v.Add("subject_id", "Give the id of the subject that needs approval.")
	}
	v.Require("title", in.Title, "a title that tells approvers what they approve")
	v.MaxLen("title", in.Title, 300)
	v.MaxLen("summary", in.Summary, 300)
	if in.Link != "" && (!strings.HasPrefix(in.Link, "/") || strings.HasPrefix(in.Link, "//")) {
		v.Add("link", "Give the URL path of the subject, starting with a single /.")
	}
	if in.RequesterID <= 0 {
		v.Add("requester_id", "Say who asks.")
	}
	if in.Amount.IsNegative() {
		v.Add("amount", "An amount cannot be negative.")
	}
	if !in.Amount.IsZero() && !rating.IsISO4217(in.Currency) {
		v.Add("currency", "Give the three-letter currency code of the amount.")
	}
	if in.DataClass != "" && DataClassRank(in.DataClass) < 0 {
		v.Add("data_class", "Use public, internal, confidential or restricted.")
	}
	in.OfferingIDs, _ = positiveIDs(in.OfferingIDs)
	in.ServiceIDs, _ = positiveIDs(in.ServiceIDs)
	return v.Err()
}

// resolve finds the approvers of every stage of pol for the request. The
// requester and inactive people are left out; a stage left with nobody, or
// with fewer people than its quorum needs, is a misconfigured policy.
func resolve(ctx context.Context, q db.Querier, pol Policy, in SubmitInput, requester personInfo, o orgView) ([][]Approver, error) {
	out := make([][]Approver, len(pol.Stages))
	for i, st := range pol.Stages {
		seen := map[int64]bool{}
		var why []string
		for _, rule := range st.Approvers {
			var ids []int64
			note := ""
			switch rule.Kind {
			case RuleManager:
				ids = []int64{requester.ManagerID}
				if requester.ManagerID == 0 {
					var err error
					if ids, note, err = walkUp(ctx, q, o, requester.DepartmentID, o.head, in.RequesterID, "budget holder",
						"The requester has no manager"); err != nil {
						return nil, err
					}
				}
			case RuleBudgetHolder, RuleBRM:
				pick, what := o.head, "budget holder"
				if rule.Kind == RuleBRM {
					pick, what = o.brm, "business relationship manager"
				}
				var err error
				if ids, note, err = walkUp(ctx, q, o, in.DepartmentID, pick, in.RequesterID, what, ""); err != nil {
					return nil, err
				}
			case RuleRole:
				var err error
				if ids, err = peopleWithRole(ctx, q, rule.Role); err != nil {
					return nil, err
				}
			case RulePeople:
				ids = rule.PersonIDs
			}
			ids = slices.DeleteFunc(ids, func(id int64) bool { return id == 0 })
			names, err := activeNames(ctx, q, ids)
			if err != nil {
				return nil, err
			}
			added, self := 0, false
			for _, id := range ids {
				name, active := names[id]
				switch {
				case id == in.RequesterID:
					self = true
				case !active || seen[id]:
				default:
					seen[id] = true
					out[i] = append(out[i], Approver{PersonID: id, Name: name, Rule: rule.Kind, Note: note})
					added++
				}
			}
			if added == 0 {
				why = append(why, nobodyBecause(rule, ids, self))
			}
		}
		slices.SortFunc(out[i], func(a, b Approver) int { return strings.Compare(a.Name, b.Name) })
		stage := RequestStage{Quorum: st.Quorum, QuorumN: st.QuorumN, Approvers: out[i]}
		switch {
		case len(out[i]) == 0:
			return nil, misconfigured(pol, st, "nobody can approve it ("+strings.Join(why, "; ")+")")
		case stage.Needed() > len(out[i]):
			return nil, misconfigured(pol, st, fmt.Sprintf("it needs %d approvals but only %d people can give them", stage.Needed(), len(out[i])))
		}
	}
	return out, nil
}

// walkUp finds who a budget-holder or BRM rule names for department dept
// when the requester must be passed over: the nearest such person above
// dept who is not the requester, or, at the top of the tree, the people with
// the Finance role. The note says why, when it was not the usual person;
// why is the reason to look at all (empty: the rule itself).
func walkUp(ctx context.Context, q db.Querier, o orgView, dept int64, pick map[int64]int64, requesterID int64, what, why string) ([]int64, string, error) {
	person, at, passed := o.upExcept(dept, pick, requesterID)
	if why == "" && passed != 0 {
		why = fmt.Sprintf("The requester is the %s of %s", what, o.name[passed])
	}
	if person != 0 {
		if why == "" {
			return []int64{person}, "", nil
		}
		return []int64{person}, fmt.Sprintf("%s, so the %s of %s, the next above, decides.", why, what, o.name[at]), nil
	}
	if why == "" {
		return nil, "", nil // nobody at all: the policy is misconfigured
	}
	ids, err := peopleWithRole(ctx, q, access.Finance)
	return ids, fmt.Sprintf("%s and nobody above holds that role, so Finance decides.", why), err
}

func nobodyBecause(rule ApproverRule, ids []int64, self bool) string {
	label := strings.ToLower(RuleLabels[rule.Kind])
	if rule.Kind == RuleRole {
		label = "people with the role " + access.RoleLabels[rule.Role]
	}
	switch {
	case self && len(ids) == 1:
		return label + ": only the requester, who cannot approve their own request"
	case len(ids) == 0:
		return label + ": nobody found"
	}
	return label + ": nobody active"
}

func misconfigured(pol Policy, st Stage, why string) error {
	return engage.Errorf(engage.EINVALID,
		"This cannot be submitted because the approval policy %q is misconfigured: in its stage %q, %s. Ask an administrator to correct the policy.",
		pol.Name, st.Name, why)
}

// --- reading ---

// actingFor returns the people whose place p may take today.
func actingFor(ctx context.Context, q db.Querier, p *access.Principal, now time.Time) ([]int64, error) {
	ds, err := delegatorsOf(ctx, q, p.PersonID, now)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, d := range ds {
		if !slices.Contains(out, d.DelegatorID) {
			out = append(out, d.DelegatorID)
		}
	}
	return out, nil
}

// canRead reports whether p may see r (read with its details).
func canRead(p *access.Principal, r Request, delegators []int64) bool {
	if p.IsAdmin() || r.RequesterID == p.PersonID {
		return true
	}
	for _, st := range r.Stages {
		for _, a := range st.Approvers {
			if a.PersonID == p.PersonID || slices.Contains(delegators, a.PersonID) {
				return true
			}
		}
	}
	for _, d := range r.Decisions {
		if d.DeciderID == p.PersonID {
			return true
		}
	}
	return false
}

// AskedAbout returns an SQL condition, for another package's query, that
// holds when p was asked to decide on the subject of type subjectType whose
// id is the column subjectIDColumn (a trusted identifier such as "n.id",
// never user input): p is an approver of one of its requests, decided on
// one, or is today (by the service's clock) the delegate of one of its
// approvers. p's delegations are read by the condition itself, so that
// the query using it is the only round trip.
func (s *Service) AskedAbout(p *access.Principal, subjectType, subjectIDColumn string) (string, []any) {
	if p == nil || p.PersonID == 0 {
		return "1 = 0", nil
	}
	today := s.Clock.Now().UTC().Format(dateLayout)
	return "EXISTS (SELECT 1 FROM approval_requests ar WHERE ar.subject_type = ? AND ar.subject_id = " + subjectIDColumn +
			" AND (EXISTS (SELECT 1 FROM approval_request_approvers a WHERE a.request_id = ar.id AND (a.person_id = ? OR a.person_id IN" +
			" (SELECT g.delegator_id FROM approval_delegations g WHERE g.delegate_id = ? AND g.starts_on <= ? AND g.ends_on >= ?)))" +
			" OR EXISTS (SELECT 1 FROM approval_decisions d WHERE d.request_id = ar.id AND d.decider_id = ?)))",
		[]any{subjectType, p.PersonID, p.PersonID, today, today, p.PersonID}
}

// FindRequest returns one request with its stages, approvers and decisions,
// if p may see it.
func (s *Service) FindRequest(ctx context.Context, p *access.Principal, id int64) (Request, error) {
	if err := requireSignedIn(p); err != nil {
		return Request{}, err
	}
	r, err := findRequestFull(ctx, s.DB, id)
	if err != nil {
		return Request{}, err
	}
	delegators, err := actingFor(ctx, s.DB, p, s.Clock.Now())
	if err != nil {
		return Request{}, err
	}
	if !canRead(p, r, delegators) {
		return Request{}, notFound("approval request", id)
	}
	return r, nil
}

// ListRequests lists the requests p may see, newest first.
func (s *Service) ListRequests(ctx context.Context, p *access.Principal, f RequestFilter) ([]Request, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if !p.IsAdmin() {
		delegators, err := actingFor(ctx, s.DB, p, s.Clock.Now())
		if err != nil {
			return nil, "", err
		}
		where, args = requestScope(where, args, p.PersonID, delegators)
	}
	if f.Status != "" {
		if !slices.Contains([]string{Pending, Approved, Declined, Cancelled}, f.Status) {
			return nil, "", invalid("status", "Choose pending, approved, declined or cancelled.")
		}
		where = append(where, "r.status = ?")
		args = append(args, f.Status)
	}
	if f.Mine {
		where = append(where, "r.requester_id = ?")
		args = append(args, p.PersonID)
	}
	if f.DecidedByMe {
		where = append(where, "EXISTS (SELECT 1 FROM approval_decisions dm WHERE dm.request_id = r.id AND dm.decider_id = ? AND dm.verdict <> ?)")
		args = append(args, p.PersonID, Cancel)
	}
	return listRequests(ctx, s.DB, where, args, f.Cursor, f.Limit)
}

// Inbox lists what waits for p's decision now — the current stage of
// pending requests where p, or someone who delegated to p today, is an
// approver who has not decided — oldest first.
func (s *Service) Inbox(ctx context.Context, p *access.Principal) ([]InboxItem, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	delegators, err := actingFor(ctx, s.DB, p, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	reqs, slots, err := waitingSlots(ctx, s.DB, append([]int64{p.PersonID}, delegators...), p.PersonID)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, sl := range slots {
		ids = append(ids, sl...)
	}
	names, err := activeNames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]InboxItem, len(reqs))
	for i, r := range reqs {
		out[i] = InboxItem{Request: r}
		for _, id := range orderSelfFirst(slots[i], p.PersonID) {
			out[i].For = append(out[i].For, Approver{PersonID: id, Name: names[id]})
		}
	}
	return out, nil
}

func orderSelfFirst(ids []int64, self int64) []int64 {
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b int64) int {
		switch {
		case a == self && b != self:
			return -1
		case b == self && a != self:
			return 1
		}
		return 0
	})
	return out
}

// DecidableFor returns the approvers of r's current stage for whom p may
// decide now: p themselves first, then whoever delegated to p today, leaving
// out those who have decided. r must be read with its details.
func (s *Service) DecidableFor(ctx context.Context, p *access.Principal, r Request) ([]Approver, error) {
	if p == nil || r.Status != Pending || p.PersonID == r.RequesterID {
		return nil, nil
	}
	return slotsFor(ctx, s.DB, p, r, s.Clock.Now())
}

func slotsFor(ctx context.Context, q db.Querier, p *access.Principal, r Request, now time.Time) ([]Approver, error) {
	st, ok := r.Stage(r.CurrentStage)
	if !ok {
		return nil, nil
	}
	decided := map[int64]bool{}
	for _, d := range r.Decisions {
		if d.Stage == r.CurrentStage && d.ApproverID != 0 {
			decided[d.ApproverID] = true
		}
	}
	delegators, err := actingFor(ctx, q, p, now)
	if err != nil {
		return nil, err
	}
	var out []Approver
	for _, a := range st.Approvers {
		if !decided[a.PersonID] && a.PersonID == p.PersonID {
			out = append(out, a)
		}
	}
	for _, a := range st.Approvers {
		if !decided[a.PersonID] && a.PersonID != p.PersonID && slices.Contains(delegators, a.PersonID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// --- deciding ---

// Decide records p's approval or decline on the current stage of request
// id. A decline needs a reason and ends the request; an approval that meets
// the stage's quorum moves it to the next stage, or approves it after the
// last. When the request ends, its subject's handler runs in the same
// transaction.
func (s *Service) Decide(ctx context.Context, p *access.Principal, id int64, in DecideInput) (Request, error) {
	if err := requireSignedIn(p); err != nil {
		return Request{}, err
	}
	if in.Via == "" {
		in.Via = ViaInbox
		if p.Via == "token" {
			in.Via = ViaAPI
		}
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v engage.Validation
	switch in.Verdict {
	case Approve:
	case Decline:
		v.Require("reason", in.Reason, "the reason you decline: the requester will read it")
	default:
		v.Add("verdict", "Choose approve or decline.")
	}
	v.MaxLen("reason", in.Reason, 2000)
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	if !slices.Contains([]string{ViaInbox, ViaLink, ViaAPI}, in.Via) {
		return Request{}, fmt.Errorf("deciding: unknown channel %q", in.Via)
	}
	var out Request
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := lockRequest(ctx, tx, id); err != nil {
			return err
		}
		r, err := findRequestFull(ctx, tx, id)
		if err != nil {
			return err
		}
		delegators, err := actingFor(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if !canRead(p, r, delegators) {
			return notFound("approval request", id)
		}
		if r.Status != Pending {
			return engage.Errorf(engage.ECONFLICT, "This request is no longer waiting for a decision: it was %s%s.", r.Status, onDate(r.DecidedAt))
		}
		if r.RequesterID == p.PersonID {
			return engage.Errorf(engage.EFORBIDDEN, "You made this request, so you cannot decide on it.")
		}
		slots, err := slotsFor(ctx, tx, p, r, now)
		if err != nil {
			return err
		}
		if len(slots) == 0 {
			for _, d := range r.Decisions {
				if d.Stage == r.CurrentStage && (d.DeciderID == p.PersonID || d.ApproverID == p.PersonID) {
					return engage.Errorf(engage.ECONFLICT, "You have already decided on this stage (%s on %s).", verdictPast(d.Verdict), d.At.Format("2 Jan 2006 15:04 UTC"))
				}
			}
			st, _ := r.Stage(r.CurrentStage)
			return engage.Errorf(engage.EFORBIDDEN, "You are not an approver of the stage this request is waiting for (stage %d, %s), and nobody who is has delegated to you today.", st.Position, st.Name)
		}
		slot := slots[0]
		if in.OnBehalfOf != 0 {
			i := slices.IndexFunc(slots, func(a Approver) bool { return a.PersonID == in.OnBehalfOf })
			if i < 0 {
				return engage.Errorf(engage.EFORBIDDEN, "You cannot decide for person %d on this stage: they are not an approver waiting to decide, or have not delegated to you today.", in.OnBehalfOf)
			}
			slot = slots[i]
		}
		d := Decision{RequestID: r.ID, Stage: r.CurrentStage, Verdict: in.Verdict, DeciderID: p.PersonID, DeciderName: p.Name,
			ApproverID: slot.PersonID, ApproverName: slot.Name, Reason: in.Reason, Via: in.Via, At: now}
		if err := insertDecision(ctx, tx, d); err != nil {
			return err
		}
		r.Decisions = append(r.Decisions, d)
		before := stateOf(r)
		st, _ := r.Stage(r.CurrentStage)
		ended := false
		summary := fmt.Sprintf("%s %s stage %d (%s) of %q", d.Who(), verdictPast(d.Verdict), st.Position, st.Name, r.Title)
		switch in.Verdict {
		case Decline:
			r.Status, r.Outcome, r.DecidedAt, ended = Declined, in.Reason, &now, true
			if err := updateStage(ctx, tx, r.ID, st.Position, Declined, now); err != nil {
				return err
			}
			summary += ": " + in.Reason
		case Approve:
			approvals := 0
			for _, x := range r.Decisions {
				if x.Stage == st.Position && x.Verdict == Approve {
					approvals++
				}
			}
			if approvals < st.Needed() {
				break
			}
			if err := updateStage(ctx, tx, r.ID, st.Position, Approved, now); err != nil {
				return err
			}
			if st.Position == len(r.Stages) {
				r.Status, r.DecidedAt, ended = Approved, &now, true
				summary += "; the request is approved"
			} else {
				r.CurrentStage++
				if err := updateStage(ctx, tx, r.ID, r.CurrentStage, Pending, nil); err != nil {
					return err
				}
				summary += fmt.Sprintf("; stage %d is approved and stage %d begins", st.Position, r.CurrentStage)
			}
		}
		if err := updateRequestState(ctx, tx, r, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, in.Verdict, "approval_request", r.ID, summary, before, decisionAudit{stateOf(r), d}); err != nil {
			return err
		}
		if out, err = findRequestFull(ctx, tx, id); err != nil {
			return err
		}
		if !ended {
			// A stage that was approved hands over to the next one's approvers.
			if out.CurrentStage != st.Position {
				return s.tellApprovers(ctx, tx, out, now)
			}
			return nil
		}
		if err := s.tellRequester(ctx, tx, out, now); err != nil {
			return err
		}
		return s.decided(ctx, tx, out)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// decisionAudit is the audit log's record of a decision.
type decisionAudit struct {
	auditState
	Decision Decision `json:"decision"`
}

// Cancel withdraws a pending request. The requester or an administrator
// may; a reason is required. The subject's handler runs in the same
// transaction.
func (s *Service) Cancel(ctx context.Context, p *access.Principal, id int64, reason string, via string) (Request, error) {
	if err := requireSignedIn(p); err != nil {
		return Request{}, err
	}
	if via == "" {
		via = ViaInbox
	}
	reason = strings.TrimSpace(reason)
	var v engage.Validation
	v.Require("reason", reason, "why you cancel the request")
	v.MaxLen("reason", reason, 2000)
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	var out Request
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := lockRequest(ctx, tx, id); err != nil {
			return err
		}
		r, err := findRequestFull(ctx, tx, id)
		if err != nil {
			return err
		}
		delegators, err := actingFor(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if !canRead(p, r, delegators) {
			return notFound("approval request", id)
		}
		if !r.Cancels(p) {
			return engage.Errorf(engage.EFORBIDDEN, "Only the requester or an administrator can cancel a request.")
		}
		if r.Status != Pending {
			return engage.Errorf(engage.ECONFLICT, "This request can no longer be cancelled: it was %s%s.", r.Status, onDate(r.DecidedAt))
		}
		before := stateOf(r)
		d := Decision{RequestID: r.ID, Stage: r.CurrentStage, Verdict: Cancel, DeciderID: p.PersonID, DeciderName: p.Name, Reason: reason, Via: via, At: now}
		if err := insertDecision(ctx, tx, d); err != nil {
			return err
		}
		if err := updateStage(ctx, tx, r.ID, r.CurrentStage, Cancelled, now); err != nil {
			return err
		}
		r.Status, r.Outcome, r.DecidedAt = Cancelled, reason, &now
		if err := updateRequestState(ctx, tx, r, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "cancel", "approval_request", r.ID,
			fmt.Sprintf("%s cancelled %q: %s", p.Name, r.Title, reason), before, decisionAudit{stateOf(r), d}); err != nil {
			return err
		}
		if out, err = findRequestFull(ctx, tx, id); err != nil {
			return err
		}
		return s.decided(ctx, tx, out)
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

func verdictPast(v string) string {
	switch v {
	case Approve:
		return "approved"
	case Decline:
		return "declined"
	}
	return "cancelled"
}

func onDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return " on " + t.UTC().Format("2 Jan 2006")
}

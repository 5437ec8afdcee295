package approval

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/waiting"
)

// People are told, through the notification service (inbox, e-mail when it
// is on, webhooks that subscribe): the approvers of a stage when the request
// reaches it ("approval.requested", also to whoever they delegated to
// today), and the requester when it ends with a decision
// ("approval.approved" or "approval.declined"). A request no policy applies
// to, or one the requester cancels, tells nobody: its requester sees the
// result at once.

// Publisher records notifications inside the caller's transaction.
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// Event types published by approvals.
const (
	EventRequested = "approval.requested"
	EventApproved  = "approval.approved"
	EventDeclined  = "approval.declined"
)

// EventTypes lists them, for the webhooks that may subscribe to them.
var EventTypes = []string{EventRequested, EventApproved, EventDeclined}

// requestPath is the page of a request.
func requestPath(r Request) string { return "/approvals/" + strconv.FormatInt(r.ID, 10) }

// noticeData is the webhook payload of approval events.
type noticeData struct {
	RequestID   int64  `json:"request_id"`
	SubjectType string `json:"subject_type"`
	SubjectID   int64  `json:"subject_id"`
	Status      string `json:"status"`
	Stage       int    `json:"stage,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
}

func dataOf(r Request) noticeData {
	return noticeData{RequestID: r.ID, SubjectType: r.SubjectType, SubjectID: r.SubjectID, Status: r.Status, Stage: r.CurrentStage,
		Summary: r.Summary, Outcome: r.Outcome}
}

// tellApprovers tells the approvers of r's current stage, and their
// delegates of today, that it waits for them. r is read with its details.
func (s *Service) tellApprovers(ctx context.Context, tx *db.Tx, r Request, now time.Time) error {
	st, ok := r.Stage(r.CurrentStage)
	if s.Publisher == nil || !ok || r.Status != Pending {
		return nil
	}
	var ids []int64
	for _, a := range st.Approvers {
		ids = append(ids, a.PersonID)
	}
	delegates, err := delegatesOf(ctx, tx, ids, now)
	if err != nil {
		return err
	}
	ids = append(ids, delegates...)
	slices.Sort(ids)
	ids = slices.DeleteFunc(slices.Compact(ids), func(id int64) bool { return id == r.RequesterID })
	title := "Waiting for your approval: " + r.Title
	if r.Summary != "" {
		title += " — " + r.Summary
	}
	return s.Publisher.Publish(ctx, tx, notify.Event{Type: EventRequested, Subject: fmt.Sprintf("APPROVAL-%d", r.ID), Title: title,
		Link: requestPath(r), Recipients: ids, Data: dataOf(r), At: now})
}

// tellRequester tells the requester how their request ended.
func (s *Service) tellRequester(ctx context.Context, tx *db.Tx, r Request, now time.Time) error {
	if s.Publisher == nil || (r.Status != Approved && r.Status != Declined) {
		return nil
	}
	typ, title := EventApproved, "Approved: "+r.Title
	if r.Status == Declined {
		typ, title = EventDeclined, "Declined: "+r.Title
		if d, ok := r.last(Decline); ok {
			title += " — by " + d.Who() + ": " + r.Outcome
		}
	}
	link := r.Link
	if link == "" {
		link = requestPath(r)
	}
	return s.Publisher.Publish(ctx, tx, notify.Event{Type: typ, Subject: fmt.Sprintf("APPROVAL-%d", r.ID), Title: title,
		Link: link, Recipients: []int64{r.RequesterID}, Data: dataOf(r), At: now})
}

// delegatesOf returns who may decide today for any of ids.
func delegatesOf(ctx context.Context, q db.Querier, ids []int64, now time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	all, err := queryDelegations(ctx, q, "g.delegator_id IN ("+db.Placeholders(len(ids))+") ORDER BY g.id", db.Args(ids)...)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, d := range all {
		if d.ActiveOn(now) {
			out = append(out, d.DelegateID)
		}
	}
	return out, nil
}

// WaitingFor lists the requests waiting for p's decision now, as items of
// the one "waiting for you" list.
func (s *Service) WaitingFor(ctx context.Context, p *access.Principal) ([]waiting.Item, error) {
	inbox, err := s.Inbox(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]waiting.Item, 0, len(inbox))
	for _, it := range inbox {
		r := it.Request
		action := "Approve or decline"
		var others []string
		for _, a := range it.For {
			if a.PersonID != p.PersonID {
				others = append(others, a.Name)
			}
		}
		if len(others) > 0 {
			action += " (for " + strings.Join(others, ", ") + ")"
		}
		detail := "Asked by " + r.RequesterName
		if r.DepartmentName != "" {
			detail += " for " + r.DepartmentName
		}
		if r.Summary != "" {
			detail = r.Summary + ". " + detail
		}
		out = append(out, waiting.Item{Kind: waiting.KindApproval, Reference: strconv.FormatInt(r.ID, 10), Title: r.Title, Action: action,
			Detail: detail, Amount: r.Amount, Currency: r.Currency, Link: requestPath(r), Since: r.UpdatedAt})
	}
	return out, nil
}

// Package waiting gathers what waits for a person across Engage into one
// list: approval requests at a stage they (or someone who delegated to them
// today) approve, needs waiting for their triage as a BRM, their review as
// a reviewer, or the board's decision. Each product package says what waits
// for whom (it implements Source); this package only merges the answers,
// overdue first and then oldest, so the home page, /approvals and the
// navigation count all show the same list.
package waiting

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
)

// Kinds of item.
const (
	KindApproval = "approval" // approve or decline a request
	KindTriage   = "triage"   // a BRM triages a need
	KindReview   = "review"   // a reviewer assesses a need
	KindDecision = "decision" // the board decides a need
	KindDelivery = "delivery" // a BRM follows an approved need into delivery
)

// Item is one thing waiting for the person.
type Item struct {
	Kind      string          `json:"kind" enum:"approval,triage,review,decision,delivery"`
	Reference string          `json:"reference" doc:"The need's reference or the approval request's id"`
	Title     string          `json:"title"`
	Action    string          `json:"action" doc:"What the person is asked to do, in words"`
	Detail    string          `json:"detail,omitempty" doc:"The amount in words, who asks, for which department"`
	Amount    decimal.Decimal `json:"amount" doc:"What is at stake, when there is an amount"`
	Currency  string          `json:"currency,omitempty"`
	Link      string          `json:"link" doc:"URL path of the page where it is done"`
	Since     time.Time       `json:"since" doc:"Waiting since"`
	Overdue   bool            `json:"overdue"`
}

// Source lists what waits for p in one part of Engage.
type Source interface {
	WaitingFor(ctx context.Context, p *access.Principal) ([]Item, error)
}

// Counted is a Source that can count what waits for p without listing it.
type Counted interface {
	WaitingCount(ctx context.Context, p *access.Principal) (int, error)
}

// List is every source of work.
type List []Source

// Count is how many items For would return for p: each source that counts
// (Counted) counts, the others list.
func (l List) Count(ctx context.Context, p *access.Principal) (int, error) {
	if p == nil {
		return 0, nil
	}
	total := 0
	for _, s := range l {
		var n int
		var err error
		if c, ok := s.(Counted); ok {
			n, err = c.WaitingCount(ctx, p)
		} else {
			var items []Item
			items, err = s.WaitingFor(ctx, p)
			n = len(items)
		}
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// For returns what waits for p, overdue first, then the oldest.
func (l List) For(ctx context.Context, p *access.Principal) ([]Item, error) {
	out := []Item{}
	if p == nil {
		return out, nil
	}
	for _, s := range l {
		items, err := s.WaitingFor(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		switch {
		case a.Overdue != b.Overdue:
			if a.Overdue {
				return -1
			}
			return 1
		case a.Since.Before(b.Since):
			return -1
		case b.Since.Before(a.Since):
			return 1
		}
		return 0
	})
	return out, nil
}

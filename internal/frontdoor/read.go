package frontdoor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Who reads a need. One rule, written once as a condition on the needs row
// (alias n) so that finding one need, listing, counting, exporting and the
// delivery gate all apply the same one:
//
//   - A draft that was never submitted is its author's alone: nobody else —
//     not the department, its BRM, the board or an administrator — reads,
//     lists, counts or learns of it through the gate. A need sent back to
//     draft for more information was submitted once and stays readable by
//     those who read it then.
//   - Otherwise the need's requester and sponsor, those who may read its
//     department (access.Principal.CanReadDepartment: its people, its heads,
//     its BRM, finance, the portfolio board, admins), and the BRM it was
//     assigned to.
//   - A reviewer (architecture, security or finance) reads the needs they
//     review: those being assessed that still wait for a review of a kind
//     they record, and those they recorded a review of. Holding a reviewer
//     role does not open every need past triage.
//   - Whoever an approval policy asked to consent to the need reads it: an
//     approver of one of its approval requests, whoever decided on one, and
//     today's delegate of one of its approvers (the condition is the
//     approval package's, over its own tables).
//
// The condition reads today's delegations itself: building it reads
// nothing, so a list of needs is one round trip.
func (f *Service) readableBy(ctx context.Context, q db.Querier, p *access.Principal) (string, []any, error) {
	if p == nil || p.GateOnly() {
		return "1 = 0", nil, nil
	}
	ids, all := p.ReadableDepartments()
	var grants []string
	var args []any
	if all {
		grants = append(grants, "1 = 1")
	} else {
		grants = append(grants, "n.sponsor_id = ?")
		args = append(args, p.PersonID)
		if len(ids) > 0 {
			grants = append(grants, "n.department_id IN ("+db.Placeholders(len(ids))+")")
			args = append(args, db.Args(ids)...)
		}
		if p.Has(access.BRM) {
			grants = append(grants, "n.brm_id = ?")
			args = append(args, p.PersonID)
		}
		if cond, a := awaitsReviewBy(p); cond != "" {
			grants = append(grants, cond, `EXISTS (SELECT 1 FROM need_events e WHERE e.need_id = n.id AND e.actor_id = ?
				AND e.action IN ('review_architecture', 'review_security', 'review_finance'))`)
			args = append(append(args, a...), p.PersonID)
		}
		if f.Approvals != nil {
			cond, a := f.Approvals.AskedAbout(p, SubjectNeed, "n.id")
			grants = append(grants, cond)
			args = append(args, a...)
		}
	}
	cond := "(n.requester_id = ? OR (NOT (n.state = 'draft' AND n.submitted_at IS NULL) AND (" + strings.Join(grants, " OR ") + ")))"
	return cond, append([]any{p.PersonID}, args...), nil
}

// awaitsReviewBy is the condition "being assessed and still waiting for a
// review of a kind p records", or "" when p records no review.
func awaitsReviewBy(p *access.Principal) (string, []any) {
	var kinds []any
	for _, k := range ReviewKinds {
		if p.Has(reviewerRole[k]) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "", nil
	}
	// A need holds at most one review of each kind: fewer recorded than
	// the kinds p records means one of them is still missing.
	return "(n.state = 'assessment' AND (SELECT COUNT(*) FROM need_reviews r WHERE r.need_id = n.id AND r.kind IN (" +
		db.Placeholders(len(kinds)) + ")) < " + strconv.Itoa(len(kinds)) + ")", kinds
}

// canRead reports whether p may read need n, by the rule of readableBy.
func (f *Service) canRead(ctx context.Context, q db.Querier, p *access.Principal, n *Need) (bool, error) {
	cond, args, err := f.readableBy(ctx, q, p)
	if err != nil {
		return false, err
	}
	var k int
	err = q.QueryRow(ctx, "SELECT COUNT(*) FROM needs n WHERE n.id = ? AND "+cond, append([]any{n.ID}, args...)...).Scan(&k)
	if err != nil {
		return false, fmt.Errorf("checking who reads need %s: %w", n.Reference, err)
	}
	return k == 1, nil
}

// findReadable finds the need matching where that p may read.
func (f *Service) findReadable(ctx context.Context, q db.Querier, p *access.Principal, where string, args ...any) (Need, error) {
	cond, more, err := f.readableBy(ctx, q, p)
	if err != nil {
		return Need{}, err
	}
	return findNeed(ctx, q, where+" AND "+cond, append(args, more...)...)
}

// privateDraft reports whether n is a draft never submitted: its author's
// alone.
func privateDraft(n *Need) bool { return n.State == Draft && n.SubmittedAt == nil }

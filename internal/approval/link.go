package approval

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/signedlink"
)

// Signed links let an approver decide from a message without signing in.
// A token names the request, the approver and an expiry, and carries an
// HMAC-SHA256 of them under a secret generated once and kept in the
// settings table, so every replica signs and verifies alike. The token is
// the credential: it lets exactly that person decide on exactly that
// request, by the usual rules, until it expires or they have decided.

// DefaultLinkTTL is how long a signed link stays valid.
const DefaultLinkTTL = 7 * 24 * time.Hour

// LinkPrefix is the path a signed link's token is appended to.
const LinkPrefix = "/approvals/link/"

const linkSecretKey = "approval_link_secret"

// links is the signer of approval links (its secret is read once).
func (s *Service) links() *signedlink.Signer {
	s.linksOnce.Do(func() {
		s.signer = &signedlink.Signer{DB: s.DB, Key: linkSecretKey, Purpose: "approval link"}
	})
	return s.signer
}

// SignedLink returns the path of a link ("/approvals/link/…") that lets
// approverID decide on requestID without signing in, valid for LinkTTL.
// Prefix it with the site's base URL in messages.
func (s *Service) SignedLink(requestID, approverID int64) (string, error) {
	if requestID <= 0 || approverID <= 0 {
		return "", fmt.Errorf("signing approval link: request %d and approver %d must be ids", requestID, approverID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ttl := s.LinkTTL
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	token, err := s.links().Sign(ctx, requestID, approverID, s.Clock.Now().Add(ttl))
	if err != nil {
		return "", err
	}
	return LinkPrefix + token, nil
}

// linkClaim is what a verified token says.
type linkClaim struct {
	RequestID, ApproverID int64
	Expires               time.Time
}

var errBadLink = engage.Errorf(engage.ENOTFOUND,
	"This approval link is not valid. Check that the whole link was copied, or sign in to Engage and open the request from your approvals.")

// verifyLink checks a token's signature, then its expiry.
func (s *Service) verifyLink(ctx context.Context, token string) (linkClaim, error) {
	claim, ok, err := s.links().Verify(ctx, token)
	if err != nil {
		return linkClaim{}, err
	}
	if !ok {
		return linkClaim{}, errBadLink
	}
	c := linkClaim{RequestID: claim.Subject, ApproverID: claim.Person, Expires: claim.Expires}
	if !s.Clock.Now().Before(c.Expires) {
		return c, engage.Errorf(engage.EFORBIDDEN,
			"This approval link expired on %s. Sign in to Engage to decide on the request from your approvals.", c.Expires.Format("2 Jan 2006 15:04 UTC"))
	}
	return c, nil
}

// LinkView is what a signed link shows: the request, who the link is for,
// and whether they can still decide.
type LinkView struct {
	Request  Request
	Approver Approver // the person the link was sent to
	Expires  time.Time
	// For lists whom the link's holder may decide for now; empty when they
	// cannot (see Said).
	For []Approver
	// Decided is their decision on the current stage, if they took it.
	Decided *Decision
	// Said explains, when they cannot decide, why not.
	Said string
}

// OpenLink verifies a signed link and says what its holder may do.
func (s *Service) OpenLink(ctx context.Context, token string) (LinkView, error) {
	c, err := s.verifyLink(ctx, token)
	if err != nil {
		return LinkView{}, err
	}
	p, err := principalOf(ctx, s.DB, c.ApproverID)
	if err != nil {
		return LinkView{}, err
	}
	r, err := findRequestFull(ctx, s.DB, c.RequestID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return LinkView{}, errBadLink
	} else if err != nil {
		return LinkView{}, err
	}
	view := LinkView{Request: r, Approver: Approver{PersonID: p.PersonID, Name: p.Name}, Expires: c.Expires}
	for i := len(r.Decisions) - 1; i >= 0; i-- {
		d := r.Decisions[i]
		if d.Verdict != Cancel && (d.DeciderID == p.PersonID || d.ApproverID == p.PersonID) {
			view.Decided = &r.Decisions[i]
			break
		}
	}
	switch {
	case r.Status != Pending:
		view.Said = fmt.Sprintf("This request is no longer waiting for a decision: it was %s%s.", r.Status, onDate(r.DecidedAt))
	case r.RequesterID == p.PersonID:
		view.Said = "You made this request, so you cannot decide on it."
	default:
		if view.For, err = slotsFor(ctx, s.DB, p, r, s.Clock.Now()); err != nil {
			return LinkView{}, err
		}
		if len(view.For) == 0 {
			if view.Decided != nil && view.Decided.Stage == r.CurrentStage {
				view.Said = "You have already decided on this request. Nothing more is needed from you."
			} else {
				view.Said = "The stage this request is waiting for is not yours to decide."
			}
		}
	}
	return view, nil
}

// DecideByLink records a decision taken from a signed link, as the person
// the link was sent to.
func (s *Service) DecideByLink(ctx context.Context, token string, in DecideInput) (Request, error) {
	c, err := s.verifyLink(ctx, token)
	if err != nil {
		return Request{}, err
	}
	p, err := principalOf(ctx, s.DB, c.ApproverID)
	if err != nil {
		return Request{}, err
	}
	in.Via = ViaLink
	return s.Decide(ctx, p, c.RequestID, in)
}

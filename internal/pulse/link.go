package pulse

import (
	"context"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/signedlink"
)

// Signed links let a recipient answer a pulse without signing in, from a
// message or another device. A token names the pulse, the person and the
// pulse's close, and carries an HMAC-SHA256 of them under a secret of its
// own kept in the settings table. It lets exactly that person answer
// exactly that pulse, by the usual rules, until the pulse closes.

// LinkPrefix is the path a signed link's token is appended to.
const LinkPrefix = "/pulse-links/"

const linkSecretKey = "pulse_link_secret"

// links is the signer of pulse links (its secret is read once).
func (s *Service) links() *signedlink.Signer {
	s.linksOnce.Do(func() {
		s.signer = &signedlink.Signer{DB: s.DB, Key: linkSecretKey, Purpose: "pulse link"}
	})
	return s.signer
}

// SignedLink returns the path of p's own link to answer the pulse id
// without signing in ("/pulse-links/…"), valid until the pulse closes. Only
// a recipient gets one, and only for themselves.
func (s *Service) SignedLink(ctx context.Context, p *access.Principal, id int64) (string, error) {
	if err := requireReader(p); err != nil {
		return "", err
	}
	pl, err := findPulse(ctx, s.DB, id, p.PersonID)
	if err != nil {
		return "", err
	}
	if !pl.Recipient {
		return "", engage.Errorf(engage.EFORBIDDEN, "This pulse was not sent to you, so there is no link to answer it.")
	}
	return s.signedLink(ctx, pl, p.PersonID)
}

func (s *Service) signedLink(ctx context.Context, pl Pulse, personID int64) (string, error) {
	token, err := s.links().Sign(ctx, pl.ID, personID, pl.ClosesAt)
	if err != nil {
		return "", err
	}
	return LinkPrefix + token, nil
}

var errBadLink = engage.Errorf(engage.ENOTFOUND,
	"This pulse link is not valid. Check that the whole link was copied, or sign in to Engage and answer from your inbox.")

type linkClaim struct {
	PulseID, PersonID int64
	Expires           time.Time
}

// verifyLink checks a token's signature, then its expiry.
func (s *Service) verifyLink(ctx context.Context, token string) (linkClaim, error) {
	claim, ok, err := s.links().Verify(ctx, token)
	if err != nil {
		return linkClaim{}, err
	}
	if !ok {
		return linkClaim{}, errBadLink
	}
	c := linkClaim{PulseID: claim.Subject, PersonID: claim.Person, Expires: claim.Expires}
	if !s.Clock.Now().Before(c.Expires) {
		return c, engage.Errorf(engage.EFORBIDDEN, "This pulse closed on %s: its link no longer works, and no more answers are taken.",
			c.Expires.Format("2 Jan 2006 15:04 UTC"))
	}
	return c, nil
}

// LinkView is what a signed link shows: the pulse and whose link it is.
type LinkView struct {
	Pulse  Pulse
	Person string // the name of the person the link is for
}

// OpenLink verifies a signed link and returns the pulse as its holder sees it.
func (s *Service) OpenLink(ctx context.Context, token string) (LinkView, error) {
	c, err := s.verifyLink(ctx, token)
	if err != nil {
		return LinkView{}, err
	}
	p, err := s.Org.Principal(ctx, c.PersonID, "pulse link")
	if err != nil {
		return LinkView{}, err
	}
	pl, err := findPulse(ctx, s.DB, c.PulseID, c.PersonID)
	if engage.ErrorCode(err) == engage.ENOTFOUND || (err == nil && !pl.Recipient) {
		return LinkView{}, errBadLink
	} else if err != nil {
		return LinkView{}, err
	}
	return LinkView{Pulse: pl, Person: p.Name}, nil
}

// AnswerByLink records an answer given through a signed link, as the person
// the link is for.
func (s *Service) AnswerByLink(ctx context.Context, token string, in AnswerInput) (Pulse, error) {
	c, err := s.verifyLink(ctx, token)
	if err != nil {
		return Pulse{}, err
	}
	p, err := s.Org.Principal(ctx, c.PersonID, "pulse link")
	if err != nil {
		return Pulse{}, err
	}
	return s.Answer(ctx, p, c.PulseID, in)
}

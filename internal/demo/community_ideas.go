package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// The demo's ideas: the ideas of the demo communities get votes from their
// members, some are under review, planned, declined or done, and two
// become front-door needs that move — one decided (planned), one delivered
// (done) — so that an idea's page, the ideas list and the need's origin all
// show something real. When the communities hold no idea yet, a few are
// proposed first. Like the needs, this is played through the services'
// rules; the loading front door and idea service tell nobody (these are past
// events), but they keep the engagement signals.

// fallbackIdeas are proposed when the communities hold no idea.
var fallbackIdeas = []struct{ title, body string }{
	{"Shared electronic lab notebooks", "Paper notebooks get lost and nobody can search them. An electronic notebook shared by the lab would let us find last year's protocol in seconds."},
	{"Dark mode everywhere", "Many of us work late in the lab; a dark theme for the intranet and the catalog would be easier on the eyes."},
	{"Meeting rooms that show who booked them", "A small screen by each meeting-room door showing the booking would end the knocking."},
	{"One sign-in for the instrument PCs", "Every instrument PC has its own account; signing in with our company account would save time and passwords."},
	{"Translate the IT catalog into Spanish", "Colleagues at the Mexico site would order more confidently in their own language."},
	{"Loaner laptops at reception", "When a laptop breaks before a trip, a loaner ready at reception would save the day."},
	{"Offline maps on company phones", "Field sales visits often have no signal; offline maps would help."},
	{"A quiet hour without meetings", "One hour a day with no meetings scheduled, company-wide, for focused work."},
}

// voteCounts are how many people vote for the i-th idea (as many as may).
var voteCounts = []int{14, 9, 6, 11, 3, 8, 5, 2, 12, 4}

// loadIdeas is the ideas' demo step, after the discussions' one.
func loadIdeas(ctx context.Context, d *db.DB, s product.Services) error {
	if s.Ideas == nil || s.Communities == nil || s.Discussions == nil {
		return nil
	}
	sys := access.System("demo data")
	pl := &ideaPlayer{s: s, principals: map[int64]*access.Principal{}}
	communities, err := s.Communities.List(ctx, sys)
	if err != nil || len(communities) == 0 {
		return err
	}
	ideas, err := pl.ideas(ctx, sys, communities)
	if err != nil {
		return err
	}
	if len(ideas) == 0 {
		if err := pl.propose(ctx, communities); err != nil {
			return err
		}
		if ideas, err = pl.ideas(ctx, sys, communities); err != nil {
			return err
		}
	}
	// The loading front door and idea service: no publisher, the same
	// signals, the idea service following the loading front door, and a
	// clock set to the moment of each step — votes come in over an idea's
	// life, its status and its need move later.
	pl.now = s.Ideas.Clock.Now()
	pl.clock = &stepClock{t: pl.now}
	fd := &frontdoor.Service{DB: d, Clock: pl.clock, Org: s.Org, Catalog: s.Catalog, Approvals: s.Approval}
	pl.ideaSvc = &idea.Service{DB: d, Clock: pl.clock, Org: s.Org, Communities: s.Communities, Discussions: s.Discussions,
		FrontDoor: fd, Catalog: s.Catalog, Signals: s.Ideas.Signals}
	fd.OnStateChange(idea.OriginKind, pl.ideaSvc.NeedMoved)
	pl.fd = fd

	for i, it := range ideas {
		if err := pl.vote(ctx, it, voteCounts[i%len(voteCounts)]); err != nil {
			return fmt.Errorf("demo idea %q, votes: %w", it.topic.Title, err)
		}
	}
	return pl.statuses(ctx, ideas)
}

// ideaPlayer plays the demo's ideas.
type ideaPlayer struct {
	s          product.Services
	fd         *frontdoor.Service
	ideaSvc    *idea.Service
	principals map[int64]*access.Principal
	now        time.Time
	clock      *stepClock
}

// at sets the loading clock to the share f (0–1) of the idea's life so far.
func (pl *ideaPlayer) at(it demoIdea, f float64) {
	life := pl.now.Sub(it.topic.CreatedAt)
	pl.clock.t = it.topic.CreatedAt.Add(time.Duration(float64(life) * f))
}

type demoIdea struct {
	topic     discuss.Topic
	community community.Community
}

func (pl *ideaPlayer) principal(ctx context.Context, id int64) (*access.Principal, error) {
	if p, ok := pl.principals[id]; ok {
		return p, nil
	}
	p, err := pl.s.Org.Principal(ctx, id, "demo")
	if err != nil {
		return nil, err
	}
	pl.principals[id] = p
	return p, nil
}

func (pl *ideaPlayer) byEmail(ctx context.Context, email string) (*access.Principal, error) {
	who, err := pl.s.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("demo ideas: %s: %w", email, err)
	}
	return pl.principal(ctx, who.ID)
}

// ideas lists the communities' ideas, oldest first.
func (pl *ideaPlayer) ideas(ctx context.Context, sys *access.Principal, communities []community.Community) ([]demoIdea, error) {
	var out []demoIdea
	for _, c := range communities {
		ids, err := pl.s.Discussions.IdeaIDs(ctx, sys, c.ID)
		if err != nil {
			return nil, err
		}
		slices.Reverse(ids)
		topics, err := pl.s.Discussions.TopicsByID(ctx, sys, ids)
		if err != nil {
			return nil, err
		}
		for _, t := range topics {
			if !t.Hidden {
				out = append(out, demoIdea{topic: t, community: c})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b demoIdea) int { return a.topic.CreatedAt.Compare(b.topic.CreatedAt) })
	return out, nil
}

// propose posts the fallback ideas in the communities people may post in,
// each by a named demo account who joins the community first.
func (pl *ideaPlayer) propose(ctx context.Context, communities []community.Community) error {
	var open []community.Community
	for _, c := range communities {
		if c.Visibility == community.Open {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return nil
	}
	authors := []string{"requester@example.com", "budget@example.com", "moderator@example.com", "finance@example.com"}
	for i, f := range fallbackIdeas {
		c := open[i%len(open)]
		p, err := pl.byEmail(ctx, authors[i%len(authors)])
		if err != nil {
			return err
		}
		if _, err := pl.s.Communities.Join(ctx, p, c.ID); err != nil {
			return fmt.Errorf("demo idea %q: joining %s: %w", f.title, c.Slug, err)
		}
		if _, err := pl.s.Discussions.CreateTopic(ctx, p, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea, Title: f.title, Body: f.body}); err != nil {
			return fmt.Errorf("demo idea %q: %w", f.title, err)
		}
	}
	return nil
}

// vote gives the idea up to n votes: its community's members first, then,
// in a community everyone reads, other people.
func (pl *ideaPlayer) vote(ctx context.Context, it demoIdea, n int) error {
	voters, err := pl.s.Communities.MemberIDs(ctx, pl.s.Communities.DB, it.community.ID)
	if err != nil {
		return err
	}
	if len(voters) < n && it.community.Visibility != community.Closed {
		people, _, err := pl.s.Org.ListPeople(ctx, access.System("demo data"), org.ListFilter{Limit: 60})
		if err != nil {
			return err
		}
		for _, p := range people {
			if !slices.Contains(voters, p.ID) {
				voters = append(voters, p.ID)
			}
		}
	}
	// Each idea gets its own voters, not always the first ones.
	off := int(it.topic.ID) % max(len(voters), 1)
	voters = append(voters[off:], voters[:off]...)
	given := 0
	for _, id := range voters {
		if given == n {
			break
		}
		if id == it.topic.AuthorID {
			continue
		}
		pl.at(it, 0.6*float64(given+1)/float64(n+1))
		p, err := pl.principal(ctx, id)
		if engage.ErrorCode(err) == engage.EUNAUTHORIZED || engage.ErrorCode(err) == engage.ENOTFOUND {
			continue // not active
		} else if err != nil {
			return err
		}
		if _, err := pl.ideaSvc.Vote(ctx, p, it.topic.ID); engage.ErrorCode(err) == engage.ENOTFOUND || engage.ErrorCode(err) == engage.EFORBIDDEN {
			continue
		} else if err != nil {
			return err
		}
		given++
	}
	return nil
}

// statuses sets the ideas' statuses: the first two ideas whose authors
// have a BRM become needs (one decided, one delivered); of the others, one
// each is under review, planned, declined and done.
func (pl *ideaPlayer) statuses(ctx context.Context, ideas []demoIdea) error {
	mod, err := pl.byEmail(ctx, "moderator@example.com")
	if err != nil {
		return err
	}
	byHand := []idea.StatusInput{
		{Status: idea.UnderReview},
		{Status: idea.Planned, Reason: "In the plan for next quarter."},
		{Status: idea.Declined, Reason: "The vendor ships this in its next release; we will switch it on then rather than build our own."},
		{Status: idea.Done, Reason: "Available since the spring release."},
	}
	converted := 0
	for _, it := range ideas {
		if converted < 2 {
			ok, err := pl.convert(ctx, it, converted == 1)
			if err != nil {
				return fmt.Errorf("demo idea %q, need: %w", it.topic.Title, err)
			}
			if ok {
				converted++
				continue
			}
		}
		if len(byHand) == 0 {
			break
		}
		pl.at(it, 0.8)
		if _, err := pl.ideaSvc.SetStatus(ctx, mod, it.topic.ID, byHand[0]); err != nil {
			return fmt.Errorf("demo idea %q, status: %w", it.topic.Title, err)
		}
		byHand = byHand[1:]
	}
	return nil
}

// convert turns the idea into a need by the BRM of its author's department
// and plays the need to a decision, and on to delivery when deliver is set.
// It reports false when the author's department has no BRM.
func (pl *ideaPlayer) convert(ctx context.Context, it demoIdea, deliver bool) (bool, error) {
	author, err := pl.principal(ctx, it.topic.AuthorID)
	if err != nil || author.DepartmentID == 0 {
		return false, nil
	}
	var brm *access.Principal
	for _, email := range []string{"brm@example.com", "brm.corporate@example.com"} {
		p, err := pl.byEmail(ctx, email)
		if err != nil {
			return false, err
		}
		if p.IsBRMOf(author.DepartmentID) {
			brm = p
		}
	}
	if brm == nil {
		return false, nil
	}
	// A BRM outside a closed community does not read its ideas; an
	// administrator turns those.
	by := brm
	if _, err := pl.s.Discussions.FindTopic(ctx, brm, it.topic.ID); err != nil {
		if by, err = pl.byEmail(ctx, "admin@example.com"); err != nil {
			return false, err
		}
	}
	step := 0.65
	next := func() { pl.at(it, step); step += 0.025 } // at most 12 steps, all before 0.95 of its life
	next()
	got, err := pl.ideaSvc.Convert(ctx, by, it.topic.ID, idea.ConvertInput{})
	if err != nil {
		return false, err
	}
	ref := got.Need.Reference
	act := func(p *access.Principal, a frontdoor.Action, in frontdoor.ActInput) error {
		next()
		n, err := pl.fd.Find(ctx, p, ref)
		if err != nil {
			return err
		}
		in.Version = n.Version
		if _, err := pl.fd.Act(ctx, p, ref, a, in); err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		return nil
	}
	if err := act(author, frontdoor.ActionSubmit, frontdoor.ActInput{}); err != nil {
		return false, err
	}
	for _, a := range []frontdoor.Action{frontdoor.ActionStartTriage, frontdoor.ActionAccept} {
		if err := act(brm, a, frontdoor.ActInput{}); err != nil {
			return false, err
		}
	}
	for _, r := range [][2]string{{"architecture", "architect@example.com"}, {"security", "security@example.com"}, {"finance", "finance.reviewer@example.com"}} {
		p, err := pl.byEmail(ctx, r[1])
		if err != nil {
			return false, err
		}
		next()
		if _, err := pl.fd.Review(ctx, p, ref, r[0], "approve", "", 0); err != nil {
			return false, fmt.Errorf("review %s: %w", r[0], err)
		}
	}
	next()
	oneTime, monthly := decimal.NewFromInt(2000), decimal.NewFromInt(150)
	opt, err := pl.fd.AddOption(ctx, brm, ref, frontdoor.NeedOptionInput{Kind: "build", Title: "Build it on the intranet platform",
		OneTime: &oneTime, Monthly: &monthly, DeliveryDays: 40, DataCeiling: "internal",
		Risks: "Small: the platform team has built the like before."})
	if err != nil {
		return false, fmt.Errorf("option: %w", err)
	}
	if err := act(brm, frontdoor.ActionToDecision, frontdoor.ActInput{}); err != nil {
		return false, err
	}
	board, err := pl.byEmail(ctx, "board@example.com")
	if err != nil {
		return false, err
	}
	if err := act(board, frontdoor.ActionDecide, frontdoor.ActInput{OptionID: opt.ID,
		Reason: fmt.Sprintf("Wanted by many in %s, cheap, and quick to build.", it.community.Name)}); err != nil {
		return false, err
	}
	if deliver {
		for _, a := range []frontdoor.Action{frontdoor.ActionStartDelivery, frontdoor.ActionDeliver} {
			if err := act(brm, a, frontdoor.ActInput{}); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

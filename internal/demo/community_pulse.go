package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/product"
	"github.com/engagehq/engage/internal/pulse"
)

// The demo's pulses: a year of monthly CSAT pulses about two services, a
// quarterly NPS pulse about a third, and one small pulse that drew too few
// answers to show. Each month's answer rate and scores drift, so that the
// trends move; the current month's pulses are still open, and the named
// demo accounts have not answered them, so that they can.

// pulseSeries is a run of pulses about one service or one community (a
// slug each; a community the demo does not have is left out).
type pulseSeries struct {
	service, community string
	survey             pulse.Survey
	every              int     // months between pulses
	rate               float64 // the share of recipients who answer, before drift
	mood               float64 // 0–1: how well it goes at the start of the year
	drift              float64 // added to mood each month
}

var pulseSeriesList = []pulseSeries{
	{service: "hpc-cluster", survey: pulse.CSAT, every: 1, rate: 0.32, mood: 0.55, drift: 0.02},
	{service: "erp-finance", survey: pulse.CSAT, every: 1, rate: 0.41, mood: 0.70, drift: -0.015},
	{service: "crm", survey: pulse.NPS, every: 3, rate: 0.22, mood: 0.60, drift: 0.01},
	{community: "iphone", survey: pulse.NPS, every: 3, rate: 0.18, mood: 0.72, drift: 0.005},
	{community: "collaboration", survey: pulse.NPS, every: 3, rate: 0.15, mood: 0.45, drift: 0.025},
}

var pulseComments = []string{
	"Works well most of the time.", "Too slow at month end.", "The new reports are a real help.", "Support answered quickly.",
	"Hard to find where things are.", "Queue times are long before deadlines.", "Much better since the upgrade.",
	"Please add single sign-on.", "The training sessions helped.", "Exports to Excel still break.",
}

// subscriptionsStart is when the demo's subscriptions start (loadCatalog).
var subscriptionsStart = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

func loadPulses(ctx context.Context, d *db.DB, s product.Services) error {
	if s.Pulses == nil {
		return nil
	}
	now := s.Pulses.Clock.Now().UTC()
	// The service owner asks about services, the community lead about communities.
	senders := map[bool]*access.Principal{}
	for community, email := range map[bool]string{false: "owner@example.com", true: "moderator@example.com"} {
		who, err := s.Org.FindPersonByEmail(ctx, email)
		if err != nil {
			return err
		}
		if senders[community], err = s.Org.Principal(ctx, who.ID, "demo data"); err != nil {
			return err
		}
	}
	named := map[int64]bool{}
	for _, a := range Accounts {
		if p, err := s.Org.FindPersonByEmail(ctx, a.Email); err == nil {
			named[p.ID] = true
		}
	}
	clock := &stepClock{t: now}
	loader := &pulse.Service{DB: d, Clock: clock, Org: s.Org, Catalog: s.Catalog, Communities: s.Communities, Signals: s.Pulses.Signals}
	rng := rand.New(rand.NewPCG(2026, 14))
	sys := access.System("demo data")
	// subject finds a series' service or community; ok is false for a
	// community the demo does not have, or one without members.
	subject := func(ps pulseSeries) (in pulse.SendInput, ok bool, err error) {
		if ps.community == "" {
			svc, err := s.Catalog.FindService(ctx, sys, ps.service)
			if err != nil {
				return in, false, fmt.Errorf("demo pulses: %s: %w", ps.service, err)
			}
			in.ServiceID = svc.Service.ID
			return in, true, nil
		}
		c, err := s.Communities.FindBySlug(ctx, sys, ps.community)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			return in, false, nil
		} else if err != nil {
			return in, false, err
		}
		members, err := s.Communities.MemberIDs(ctx, d, c.ID)
		in.CommunityID = c.ID
		return in, len(members) > 0, err
	}
	// send sends a pulse open until closes and imports its answers.
	send := func(in pulse.SendInput, opens, closes time.Time, rate, mood float64, most int) error {
		in.ClosesAt = closes
		current := in.ClosesAt.After(now)
		// A pulse still open lands in inboxes; the year before is history.
		loader.Publisher = nil
		if current {
			loader.Publisher = s.Pulses.Publisher
		}
		clock.t = opens
		pl, err := loader.Create(ctx, senders[in.CommunityID != 0], in)
		if err != nil {
			return fmt.Errorf("demo pulse (service %d, community %d): %w", in.ServiceID, in.CommunityID, err)
		}
		recipients, err := s.Pulses.Recipients(ctx, sys, pl.ID)
		if err != nil {
			return err
		}
		answers := demoAnswers(rng, pl, recipients, named, current, rate, mood, now)
		if most > 0 && len(answers) > most {
			answers = answers[:most]
		}
		return s.Pulses.ImportAnswers(ctx, sys, pl.ID, answers)
	}
	first := time.Date(now.Year(), now.Month()-11, 1, 9, 0, 0, 0, time.UTC)
	for _, ps := range pulseSeriesList {
		in, ok, err := subject(ps)
		if err != nil {
			return err
		}
		in.Survey = ps.survey
		for m := 0; ok && m < 12; m++ {
			opens := first.AddDate(0, m, 0)
			if opens.Before(subscriptionsStart) || (11-m)%ps.every != 0 {
				continue // nobody subscribed yet (a clock early in 2026), or not this month
			}
			if opens.After(now) {
				opens = now.Add(-time.Hour)
			}
			rate := ps.rate + 0.08*(rng.Float64()-0.5)
			// Each pulse stays open until its month ends: this month's are open.
			closes := time.Date(opens.Year(), opens.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			if err := send(in, opens, closes, rate, ps.mood+ps.drift*float64(m), 0); err != nil {
				return err
			}
		}
	}
	// Last month, a one-off question to the chemists about their servers:
	// too few answered to show anything.
	in, _, err := subject(pulseSeries{service: "physical-server"})
	if err != nil {
		return err
	}
	in.Survey, in.Question = pulse.CSAT, "How satisfied are you with the lab's physical servers since the move?"
	opens := time.Date(now.Year(), now.Month()-1, 4, 9, 0, 0, 0, time.UTC)
	return send(in, opens, opens.AddDate(0, 0, 14), 0.1, 0.6, 3)
}

// demoAnswers picks who answers a pulse and what: a share rate of its
// recipients (never a named account while the pulse is open), with scores
// leaning high as mood nears 1, at moments while it is open.
func demoAnswers(rng *rand.Rand, pl pulse.Pulse, recipients []int64, named map[int64]bool, current bool, rate, mood float64, now time.Time) []pulse.ImportedAnswer {
	lo, hi := pl.Survey.Range()
	end := pl.ClosesAt
	if end.After(now) {
		end = now
	}
	span := end.Sub(pl.OpensAt)
	var out []pulse.ImportedAnswer
	for _, id := range recipients {
		if rng.Float64() >= rate || (current && named[id]) || span <= time.Minute {
			continue
		}
		// A score around mood, spread by two draws.
		x := (mood + (rng.Float64()+rng.Float64()-1)*0.45)
		score := lo + int(x*float64(hi-lo+1))
		score = min(max(score, lo), hi)
		a := pulse.ImportedAnswer{PersonID: id, Score: score, At: pl.OpensAt.Add(time.Duration(rng.Int64N(int64(span))))}
		if rng.IntN(6) == 0 {
			a.Comment = pulseComments[rng.IntN(len(pulseComments))]
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b pulse.ImportedAnswer) int { return a.At.Compare(b.At) })
	return out
}

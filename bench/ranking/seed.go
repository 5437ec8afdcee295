package main

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
)

// people are the demo's people who take a need to the board.
type people struct {
	requester, brm, board *access.Principal
	reviewers             map[string]*access.Principal // by review kind
}

func demoPeople(ctx context.Context, a *app.App) (people, error) {
	var ps people
	by := func(email string) (*access.Principal, error) {
		person, err := a.Org.FindPersonByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", email, err)
		}
		return a.Org.Principal(ctx, person.ID, "ranking benchmark")
	}
	var err error
	if ps.requester, err = by("requester@example.com"); err != nil {
		return ps, err
	}
	if ps.board, err = by("board@example.com"); err != nil {
		return ps, err
	}
	for _, email := range []string{"brm@example.com", "brm.corporate@example.com"} {
		if p, err := by(email); err == nil && p.IsBRMOf(ps.requester.DepartmentID) {
			ps.brm = p
		}
	}
	if ps.brm == nil {
		return ps, fmt.Errorf("no BRM of the requester's department in the demo")
	}
	ps.reviewers = map[string]*access.Principal{}
	for kind, email := range map[string]string{"architecture": "architect@example.com", "security": "security@example.com",
		"finance": "finance.reviewer@example.com"} {
		if ps.reviewers[kind], err = by(email); err != nil {
			return ps, err
		}
	}
	return ps, nil
}

var (
	classes  = []string{"public", "internal", "confidential", "restricted"}
	verdicts = []string{"approve", "approve_with_conditions", "approve", "reject"}
)

// seedNeeds takes n new needs to the board's decision the way people do —
// created, submitted, triaged, accepted, reviewed three times, priced and
// sent to the board — varied so that every part of the score varies: the
// processes of the register served (processes, in turn), the data
// classification, the verdicts, one or two options (one of which may not
// hold the data) and the date needed.
func seedNeeds(ctx context.Context, a *app.App, ps people, n int, processes []int64, today time.Time) error {
	for i := range n {
		in := frontdoor.NeedInput{Title: fmt.Sprintf("Ranked need %d", i), Problem: "The board ranks it among the others.",
			Outcome: "A decision.", Users: 5 + i%200, DataClass: classes[i%len(classes)]}
		if len(processes) > 0 && i%5 != 0 {
			in.ProcessIDs = []int64{processes[i%len(processes)]}
			if i%7 == 0 {
				in.ProcessIDs = append(in.ProcessIDs, processes[(i*3+1)%len(processes)])
			}
		}
		if i%4 != 3 {
			in.NeededBy = &catalog.Date{Time: today.AddDate(0, 0, 10+(i*37)%500)}
		}
		need, err := a.FrontDoor.Create(ctx, ps.requester, in)
		if err != nil {
			return fmt.Errorf("need %d: %w", i, err)
		}
		ref := need.Reference
		act := func(p *access.Principal, action frontdoor.Action) error {
			var err error
			if need, err = a.FrontDoor.Act(ctx, p, ref, action, frontdoor.ActInput{Version: need.Version}); err != nil {
				return fmt.Errorf("%s %s: %w", ref, action, err)
			}
			return nil
		}
		if err := act(ps.requester, frontdoor.ActionSubmit); err != nil {
			return err
		}
		for _, action := range []frontdoor.Action{frontdoor.ActionStartTriage, frontdoor.ActionAccept} {
			if err := act(ps.brm, action); err != nil {
				return err
			}
		}
		for k, kind := range frontdoor.ReviewKinds {
			verdict, notes := verdicts[(i+k)%len(verdicts)], ""
			if verdict != "approve" {
				notes = "Conditions and reasons of the benchmark."
			}
			if need, err = a.FrontDoor.Review(ctx, ps.reviewers[kind], ref, kind, verdict, notes, 0); err != nil {
				return fmt.Errorf("%s review %s: %w", ref, kind, err)
			}
		}
		for k := range 1 + i%2 {
			oneTime, monthly := decimal.NewFromInt(int64(1000+(i*131+k*977)%40000)), decimal.NewFromInt(int64(50+(i*17+k*31)%900))
			ceiling := "restricted"
			if k == 1 {
				ceiling = "public"
			}
			if _, err := a.FrontDoor.AddOption(ctx, ps.brm, ref, frontdoor.NeedOptionInput{Kind: "buy", Title: fmt.Sprintf("Option %d of %s", k+1, ref),
				Vendor: "Acme", OneTime: &oneTime, Monthly: &monthly, DeliveryDays: 30, DataCeiling: ceiling}); err != nil {
				return fmt.Errorf("%s option: %w", ref, err)
			}
		}
		if need, err = a.FrontDoor.Find(ctx, ps.brm, ref); err != nil {
			return err
		}
		if err := act(ps.brm, frontdoor.ActionToDecision); err != nil {
			return err
		}
	}
	return nil
}

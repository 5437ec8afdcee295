package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/product"
	"github.com/engagehq/engage/internal/spend"
)

// shadowDemo says what the demo's BRMs did with some shadow cases: the
// first case of each vendor named (in case order) takes the action; the
// other cases stay open.
var shadowDemo = []struct {
	vendor, action string
	in             spend.CaseActionInput
}{
	{"Postman", spend.ActSanction, spend.CaseActionInput{Verdict: "approve_with_conditions", ReviewBy: "+180"}},
	{"Otter.ai", spend.ActDismiss, spend.CaseActionInput{Reason: "A trial that was cancelled; the meetings service records and transcribes."}},
	{"Zoom", spend.ActReachOut, spend.CaseActionInput{}},
	{"Mural", spend.ActReplace, spend.CaseActionInput{}},
	{"Airtable", spend.ActOnboard, spend.CaseActionInput{}},
}

// reappearing is the vendor of the demo's case that reappeared: dismissed
// the day before its latest line, which reopened it.
const reappearing = "Slack"

// loadShadow opens the shadow cases of the demo's card lines and acts on
// some of them.
func loadShadow(ctx context.Context, s product.Services) error {
	sys := access.System("demo data")
	// The BRMs opened the cases the day before the reappearing vendor's
	// latest line, and dismissed its case then: that line reopens it.
	rep, err := s.Spend.Shadow(ctx, sys, spend.ShadowFilter{Vendor: reappearing})
	if err != nil {
		return fmt.Errorf("reading the demo's shadow spend: %w", err)
	}
	if len(rep.Shadow) > 0 {
		v := rep.Shadow[0]
		last, err := time.Parse(time.DateOnly, v.LastSpentOn)
		if err != nil {
			return fmt.Errorf("demo shadow spend on %s: %w", v.Vendor, err)
		}
		past := s.Spend.At(engage.NewFixedClock(last.Add(-12 * time.Hour)))
		earlier, err := past.Cases(ctx, sys, spend.CaseFilter{})
		if err != nil {
			return fmt.Errorf("opening the demo's shadow cases: %w", err)
		}
		for _, c := range earlier {
			if c.Vendor == v.Vendor && c.DepartmentID == v.DepartmentID {
				if _, err := past.ActOnCase(ctx, sys, c.ID, spend.ActDismiss, spend.CaseActionInput{
					Reason: "The department agreed to use the catalog's team chat."}); err != nil {
					return fmt.Errorf("demo shadow case %d (%s): %w", c.ID, c.Vendor, err)
				}
			}
		}
	}
	// The reappearing vendor's latest line reopens its case.
	if err := s.Spend.SyncCases(ctx); err != nil {
		return fmt.Errorf("keeping the demo's shadow cases: %w", err)
	}
	// The actions' needs go through a front door without a publisher, as
	// the demo's own needs do: loading the demo tells nobody.
	acting := s.Spend.At(s.Spend.Clock)
	if fd := s.Spend.Needs; fd != nil {
		acting.Needs = &frontdoor.Service{DB: fd.DB, Clock: fd.Clock, Org: fd.Org, Catalog: fd.Catalog, Approvals: fd.Approvals,
			Processes: fd.Processes, Signals: fd.Signals}
	}
	cases, err := s.Spend.Cases(ctx, sys, spend.CaseFilter{})
	if err != nil {
		return fmt.Errorf("opening the demo's shadow cases: %w", err)
	}
	for _, d := range shadowDemo {
		for _, c := range cases {
			if c.Vendor != d.vendor {
				continue
			}
			in := d.in
			if in.ReviewBy == "+180" {
				in.ReviewBy = s.Spend.Clock.Now().UTC().AddDate(0, 0, 180).Format("2006-01-02")
			}
			if _, err := acting.ActOnCase(ctx, sys, c.ID, d.action, in); err != nil {
				return fmt.Errorf("demo shadow case %d (%s): %w", c.ID, c.Vendor, err)
			}
			break
		}
	}
	return nil
}

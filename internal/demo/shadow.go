package demo

import (
	"context"
	"fmt"

	"github.com/engagehq/engage/internal/access"
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
}

// loadShadow opens the shadow cases of the demo's card lines and acts on
// some of them.
func loadShadow(ctx context.Context, s product.Services) error {
	sys := access.System("demo data")
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
			if _, err := s.Spend.ActOnCase(ctx, sys, c.ID, d.action, in); err != nil {
				return fmt.Errorf("demo shadow case %d (%s): %w", c.ID, c.Vendor, err)
			}
			break
		}
	}
	return nil
}

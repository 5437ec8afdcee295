package app_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// The demo's queue shows the whole loop: cases in every state, each with
// what its action made, and one that reappeared after it was dismissed.
func TestShadowDemoCases(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		cases, err := e.Spend.Cases(context.Background(), system, spend.CaseFilter{All: true})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]spend.ShadowCase{}
		reappeared := false
		for _, c := range cases {
			if _, ok := seen[c.State]; !ok {
				seen[c.State] = c
			}
			if c.Reopened > 0 && c.State == spend.CaseOpen && c.Reason != "" {
				reappeared = true
			}
		}
		for state := range spend.CaseStateLabels {
			if _, ok := seen[state]; !ok {
				t.Errorf("no demo case is %s", state)
			}
		}
		if c := seen[spend.CaseReachedOut]; c.NeedRef == "" {
			t.Errorf("the reached-out case has no need: %+v", c)
		}
		if c := seen[spend.CaseReplaced]; c.QuoteNumber == "" {
			t.Errorf("the replaced case has no quote: %+v", c)
		}
		if c := seen[spend.CaseOnboarded]; c.ServiceID == 0 {
			t.Errorf("the onboarded case has no draft service: %+v", c)
		}
		if c := seen[spend.CaseSanctioned]; c.SecurityVerdict == "" || c.ReviewBy == "" {
			t.Errorf("the sanctioned case has no review: %+v", c)
		}
		if !reappeared {
			t.Errorf("no demo case reappeared after it was dismissed")
		}
	})
}

package app_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/engagement"
)

// inputOf returns the value of a score part's input.
func inputOf(t *testing.T, s engagement.DepartmentScore, part, label string) string {
	t.Helper()
	for _, p := range s.Parts {
		for _, in := range p.Inputs {
			if p.Key == part && in.Label == label {
				return in.Value
			}
		}
	}
	t.Fatalf("no input %s of part %s in %+v", label, part, s.Parts)
	return ""
}

// TestNeedsAndOrdersAreEngagement: the front door sends a signal when a
// need is submitted and when it is decided, the catalog when an order is
// placed; the department's score counts them.
func TestNeedsAndOrdersAreEngagement(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := mustPrincipal(t, e, "admin@example.com")
		requester := mustPrincipal(t, e, "requester@example.com")
		before, err := e.Engagement.Score(ctx, admin, requester.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		var orders int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_signals WHERE kind = 'ordered'").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		n := askAs(t, e, "requester@example.com", "Sample register")
		n = move(t, e, "requester@example.com", n, "submit")
		move(t, e, "brm@example.com", n, "reject_triage")
		after, err := e.Engagement.Score(ctx, admin, requester.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range []string{"Needs submitted", "Needs decided"} {
			b, a := inputOf(t, before, "front_door", label), inputOf(t, after, "front_door", label)
			if a == b {
				t.Errorf("%s stayed %s", label, a)
			}
		}
		if orders == 0 {
			t.Errorf("the demo's orders sent no signal")
		}
	})
}

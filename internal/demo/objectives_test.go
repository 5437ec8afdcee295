package demo_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestDemoObjectives: the demo has objectives linked to processes and
// needs, a ranking of the needs in decision in which objectives count, and
// a saved budget scenario that funds some needs and leaves others out.
func TestDemoObjectives(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		board := principal(t, e, "board@example.com")
		by, err := e.Portfolio.ByObjective(ctx, board)
		if err != nil || len(by.Objectives) != 4 {
			t.Fatalf("%d objectives, %v", len(by.Objectives), err)
		}
		linked := 0
		for _, o := range by.Objectives {
			if len(o.Processes) == 0 {
				t.Errorf("%s serves no process", o.Objective.Ref)
			}
			linked += len(o.Needs)
		}
		if linked < 4 {
			t.Errorf("%d needs serve the objectives", linked)
		}
		r, err := e.Portfolio.Ranking(ctx, board)
		if err != nil || len(r.Needs) < 5 {
			t.Fatalf("ranking of %d needs, %v", len(r.Needs), err)
		}
		served := 0
		for _, n := range r.Needs {
			if n.FirstYear == nil {
				t.Errorf("%s has no priced option", n.Reference)
			}
			for _, in := range n.Parts[0].Inputs {
				if len(in) > 7 && in[:7] == "serves " && in[7] != 'n' {
					served++
				}
			}
		}
		if served == 0 {
			t.Error("no need in the ranking serves an objective")
		}
		list, err := e.Portfolio.ListScenarios(ctx, board)
		if err != nil || len(list) != 1 {
			t.Fatalf("%d scenarios, %v", len(list), err)
		}
		sc, err := e.Portfolio.GetScenario(ctx, board, list[0].ID)
		if err != nil || len(sc.Funded) == 0 || len(sc.Outside) == 0 {
			t.Fatalf("the demo scenario funds %d and leaves out %d, %v", len(sc.Funded), len(sc.Outside), err)
		}
	})
}

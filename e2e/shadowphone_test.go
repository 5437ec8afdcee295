package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// The shadow-IT loop's pages at a phone's width: the seats page with its
// filter form, shadow spend, the BRM's queue, a case and the review queue
// show no sideways scrolling.
func TestShadowPagesOnAPhone(t *testing.T) {
	const narrow = 375
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			cases, err := e.Spend.Cases(context.Background(), access.System("test"), spend.CaseFilter{All: true})
			if err != nil || len(cases) == 0 {
				t.Fatalf("demo cases = %d %v", len(cases), err)
			}
			p := openPage(t, browser, e.URL, "shadow-on-a-phone-"+engine)
			p.sized(narrow)
			p.signIn("admin@example.com")
			fitsTheWindow(t, p, []string{"/spend/seats", "/shadow", "/shadow/cases", fmt.Sprintf("/shadow/cases/%d", cases[0].ID), "/spend/review"})
		})
	}
}

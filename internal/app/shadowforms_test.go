package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// Each of a shadow case's action forms sent twice, as a double click or the
// browser's resend does: both sendings lead to the case's page, and the
// case records the action once.
func TestShadowCaseFormsSentTwice(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		importShadowExtra(t, e)
		ctx := context.Background()
		brm := principalOf(t, e, "brm@example.com")
		b := e.SignIn(t, "brm@example.com")
		queue := mustCases(t, e)
		for _, step := range []struct {
			vendor, action, state string
			values                url.Values
		}{
			{"Dropbox", "reach_out", spend.CaseReachedOut, nil},
			{"Dropbox", "replace", spend.CaseReplaced, nil},
			{"Hootsuite", "onboard", spend.CaseOnboarded, nil},
			{"Zoom", "sanction", spend.CaseSanctioned, url.Values{"security_verdict": {"approve"}, "review_by": {"2026-09-01"}}},
			{"Slack", "dismiss", spend.CaseDismissed, url.Values{"reason": {"A trial, cancelled"}}},
		} {
			c := caseOf(t, queue, step.vendor, "Sales")
			path := fmt.Sprintf("/shadow/cases/%d", c.ID)
			action := path + "/" + step.action
			before, err := e.Spend.Case(ctx, brm, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, html := b.Get(path)
			form, ok := apptest.FormFor(html, action)
			if !ok {
				t.Fatalf("%s has no form for %s", path, step.action)
			}
			send := form.Values()
			if send.Get("form_key") == "" {
				t.Fatalf("the %s form carries no form key", step.action)
			}
			for k, v := range step.values {
				send[k] = v
			}
			for i := range 2 {
				res, body := b.Post(action, cloneValues(send))
				if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
					t.Fatalf("sending %d of %s = %d %s: %.300s", i+1, step.action, res.StatusCode, res.Header.Get("Location"), messages(body))
				}
			}
			after, err := e.Spend.Case(ctx, brm, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Case.State != step.state || len(after.Events) != len(before.Events)+1 {
				t.Fatalf("%s sent twice: state %s, %d events after %d", step.action, after.Case.State, len(after.Events), len(before.Events))
			}
		}
	})
}

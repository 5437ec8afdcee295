package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// An application's fit typed as something other than a whole number (the
// form's number field sends 3.5 or "good" as typed) is refused, naming the
// field, instead of being kept as "not rated": a new application is not
// made, and an existing one keeps its fit. An unrated fit shows empty.
func TestApplicationFitThatIsNoWholeNumberIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		b := e.SignIn(t, "architect@example.com")
		for _, typed := range []string{"3.5", "good", "NaN", "1e309"} {
			res, html := b.Submit("/portfolio/applications", "/portfolio/applications", url.Values{"ref": {"fit-check"}, "name": {"Fit check"},
				"lifecycle": {"active"}, "functional_fit": {typed}, "technical_fit": {"3"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="functional_fit-error"`) {
				t.Fatalf("a new application with the functional fit %q = %d, want 422 naming the field", typed, res.StatusCode)
			}
		}
		list, err := e.Processes.ListApplications(ctx, system)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if a.Ref == "fit-check" {
				t.Fatalf("a refused form made the application %+v", a)
			}
		}
		res, _ := b.Submit("/portfolio/applications", "/portfolio/applications", url.Values{"ref": {"fit-check"}, "name": {"Fit check"},
			"lifecycle": {"active"}, "functional_fit": {"4"}, "technical_fit": {""}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a new application = %d", res.StatusCode)
		}
		path := res.Header.Get("Location")
		_, html := b.Get(path)
		form, ok := apptest.FormFor(html, path)
		if !ok {
			t.Fatalf("%s has no form to change it", path)
		}
		if got := form.Values().Get("technical_fit"); got != "" {
			t.Errorf("the form shows the unrated technical fit as %q, want it empty", got)
		}
		res, html = b.Submit(path, path, url.Values{"functional_fit": {"good"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="functional_fit-error"`) {
			t.Fatalf("changing the functional fit to %q = %d, want 422 naming the field", "good", res.StatusCode)
		}
		var id int64
		if _, err := fmt.Sscanf(path, "/portfolio/applications/%d", &id); err != nil {
			t.Fatal(err)
		}
		app, err := e.Processes.GetApplication(ctx, system, id)
		if err != nil {
			t.Fatal(err)
		}
		if app.FunctionalFit != 4 {
			t.Fatalf("after a refused change the functional fit is %d, want 4", app.FunctionalFit)
		}
	})
}

// A link's weight has a range and a precision: 1e309 is refused without
// repeating its 310 digits, and a weight with more decimal places than a
// percentage needs (0.0000001, 1e-9999) is refused, on the page's link
// form and through the API; 33.333333 is a weight.
func TestLinkWeightHasARangeAndAPrecision(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "architect@example.com")
		_, html := b.Get("/portfolio/processes/5")
		_, ok := apptest.FormFor(html, "/portfolio/processes/5/links")
		if !ok {
			t.Fatal("the process page has no form to link")
		}
		start := strings.Index(html, `value="service:`)
		if start < 0 {
			t.Fatal("the link form offers no catalog service")
		}
		target := html[start+len(`value="`):]
		target = target[:strings.Index(target, `"`)]
		for _, typed := range []string{"1e309", "0.0000001", "1e-9999"} {
			res, html := b.Submit("/portfolio/processes/5", "/portfolio/processes/5/links", url.Values{"target": {target}, "weight": {typed}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="weight-error"`) {
				t.Fatalf("the weight %q = %d, want 422 naming the weight", typed, res.StatusCode)
			}
			if strings.Contains(html, strings.Repeat("0", 100)) {
				t.Errorf("the refusal of %q repeats a number of hundreds of digits", typed)
			}
		}
		if res, _ := b.Submit("/portfolio/processes/5", "/portfolio/processes/5/links", url.Values{"target": {target}, "weight": {"33.333333"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the weight 33.333333 = %d, want it saved", res.StatusCode)
		}
		id := strings.TrimPrefix(target, "service:")
		api := clientOf(t, e, "architect@example.com")
		for _, w := range []string{`"1e9999"`, `"1e-9999"`, `"0.0000001"`} {
			status, out := api.json("PUT", "/processes/5/services/"+id, `{"weight":`+w+`}`)
			if status != http.StatusUnprocessableEntity || len(fmt.Sprint(out)) > 2000 {
				t.Errorf("API weight %s = %d, %d characters of answer; want 422, short", w, status, len(fmt.Sprint(out)))
			}
		}
	})
}

// A budget scenario's currency is an ISO 4217 code: ZZZ is refused naming
// the field, on the ranking page's form and when saving.
func TestScenarioCurrencyIsISO4217(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "board@example.com")
		res, html := b.Submit("/portfolio/ranking", "/portfolio/scenarios/plan", url.Values{"currency": {"ZZZ"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="currency-error"`) {
			t.Fatalf("a plan in ZZZ = %d, want 422 naming the currency", res.StatusCode)
		}
		if res, _ := b.Submit("/portfolio/ranking", "/portfolio/scenarios/plan", url.Values{"currency": {"usd"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("a plan in usd = %d, want 200", res.StatusCode)
		}
		if status, _ := clientOf(t, e, "board@example.com").json("POST", "/budget-scenarios", `{"name":"Z","year":2027,"amount":"1000","currency":"ZZZ"}`); status != http.StatusUnprocessableEntity {
			t.Fatalf("API: a scenario saved in ZZZ = %d, want 422", status)
		}
	})
}

// The link form's refusal of its target reads as the other forms' errors
// do: "Error:" before the message for screen readers, and the list says
// it is invalid and where its message is.
func TestLinkTargetErrorSaysError(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "architect@example.com")
		b.Get("/portfolio/processes/5")
		res, html := b.Submit("/portfolio/processes/5", "/portfolio/processes/5/links", url.Values{"target": {""}, "weight": {"10"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a link with no target = %d, want 422", res.StatusCode)
		}
		if !strings.Contains(html, `<p class="message" id="target-error"><span class="visually-hidden">Error:</span> Choose an application or a catalog service.</p>`) {
			t.Error(`the target's message does not begin with "Error:" for screen readers`)
		}
		if !strings.Contains(html, `<select id="target" name="target" aria-describedby="target-error" aria-invalid="true">`) {
			t.Error("the refused target's list does not say it is invalid and where its message is")
		}
	})
}

package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

var scenarioPath = regexp.MustCompile(`^/portfolio/scenarios/(\d+)$`)

// TestBoardPages: through the rendered forms, an architect adds a strategic
// objective (a wrong one is refused on its fields), the board sets the
// ranking's weights, tries a budget and saves it as a scenario (saving the
// same again gives the same scenario) and compares two; a requester reads
// objectives but not the ranking.
func TestBoardPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		architect := e.SignIn(t, "architect@example.com")
		res, body := architect.Submit("/portfolio/objectives", "/portfolio/objectives", url.Values{"title": {"Faster quotes"}, "ref": {"faster-quotes"},
			"owner_email": {"nobody@example.com"}, "horizon": {"soon"}, "measure": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No one has the e-mail address nobody@example.com") ||
			!strings.Contains(body, `id="horizon-error"`) || !strings.Contains(body, `id="measure-error"`) {
			t.Fatalf("a wrong objective = %d", res.StatusCode)
		}
		form, ok := apptest.FormFor(body, "/portfolio/objectives")
		if !ok || len(form.Unlabelled()) > 0 {
			t.Fatalf("the objective form: %v %v", ok, form.Unlabelled())
		}
		var processID string
		for _, f := range form.Fields {
			if f.Name == "process_ids" && len(f.Options) > 0 {
				processID = f.Options[0]
			}
		}
		res, _ = architect.Submit("/portfolio/objectives", "/portfolio/objectives", url.Values{"title": {"Faster quotes"}, "ref": {"faster-quotes"},
			"owner_email": {"board@example.com"}, "horizon": {"2027"}, "measure": {"Days from request to quote"}, "target": {"1"},
			"process_ids": {processID}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding an objective = %d", res.StatusCode)
		}
		objective := res.Header.Get("Location")
		_, body = architect.Get(objective)
		if !strings.Contains(body, "Faster quotes") || !strings.Contains(body, "2027-12-31") || !strings.Contains(body, "Grace Liu") {
			t.Fatalf("the objective's page does not show it")
		}
		res, _ = architect.Submit(objective, objective, url.Values{"target": {"2"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("changing the objective = %d", res.StatusCode)
		}
		if res, _ := architect.Get("/portfolio/ranking"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an architect reads the ranking = %d", res.StatusCode)
		}

		riley := e.SignIn(t, "requester@example.com")
		if res, body := riley.Get("/portfolio/objectives"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Faster quotes") ||
			strings.Contains(body, `action="/portfolio/objectives"`) {
			t.Fatalf("a requester's objectives = %d", res.StatusCode)
		}
		for _, path := range []string{"/portfolio/ranking", "/portfolio/scenarios", "/portfolio/scenarios/plan?year=2027&amount=1000&currency=EUR"} {
			if res, _ := riley.Get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("a requester: %s = %d", path, res.StatusCode)
			}
		}

		board := e.SignIn(t, "board@example.com")
		res, body = board.Get("/portfolio/ranking")
		if res.StatusCode != http.StatusOK || strings.Count(body, `<td class="num"><strong>`) < 2 || !strings.Contains(body, "<svg") {
			t.Fatalf("the board's ranking = %d, %d needs", res.StatusCode, strings.Count(body, `<td class="num"><strong>`))
		}
		if res, body := board.Submit("/portfolio/ranking", "/portfolio/ranking/weights", url.Values{"value": {"11"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="value-error"`) {
			t.Fatalf("a weight of 11 = %d", res.StatusCode)
		}
		if res, _ := board.Submit("/portfolio/ranking", "/portfolio/ranking/weights", url.Values{"value": {"5"}, "urgency": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setting the weights = %d", res.StatusCode)
		}
		if _, body := board.Get("/portfolio/ranking"); !strings.Contains(body, "with weights\nvalue 5, cost 3, risk 2 and urgency 2") {
			t.Fatal("the ranking does not use the weights set")
		}
		res, body = board.Submit("/portfolio/ranking", "/portfolio/scenarios/plan", url.Values{"year": {"2027"}, "amount": {"much"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="amount-error"`) {
			t.Fatalf("a budget that is not an amount = %d", res.StatusCode)
		}
		plan := "/portfolio/scenarios/plan?" + url.Values{"year": {"2027"}, "amount": {"100000000"}, "currency": {"EUR"}}.Encode()
		res, body = board.Get(plan)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Budget scenario (not saved)") || strings.Count(body, "/needs/NEED-") < 2 {
			t.Fatalf("planning a budget = %d", res.StatusCode)
		}
		save := func(path, name string) string {
			t.Helper()
			res, _ := board.Submit(path, "/portfolio/scenarios", url.Values{"name": {name}})
			m := scenarioPath.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				t.Fatalf("saving %s = %d %s", name, res.StatusCode, res.Header.Get("Location"))
			}
			return m[1]
		}
		big := save(plan, "All of it")
		if again := save(plan, "All of it"); again != big {
			t.Fatalf("saving the same scenario again made %s, not %s", again, big)
		}
		small := save("/portfolio/scenarios/plan?"+url.Values{"year": {"2027"}, "amount": {"1"}, "currency": {"EUR"}}.Encode(), "Almost nothing")
		if res, body := board.Submit("/portfolio/scenarios/plan?year=2027&amount=2&currency=EUR", "/portfolio/scenarios", url.Values{"name": {"All of it"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="name-error"`) {
			t.Fatalf("another scenario under a name in use = %d", res.StatusCode)
		}
		_, body = board.Get("/portfolio/scenarios/" + big)
		if !strings.Contains(body, "Budget scenario: All of it") || !strings.Contains(body, "Saved by Grace Liu") {
			t.Fatal("the saved scenario's page")
		}
		res, body = board.Submit("/portfolio/scenarios", "/portfolio/scenarios/compare", url.Values{"a": {big}, "b": {small}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `“All of it” and “Almost nothing”`) || !strings.Contains(body, `<ul id="only-a"><li><a href="/needs/`) {
			t.Fatalf("comparing = %d", res.StatusCode)
		}
		finance := e.SignIn(t, "finance@example.com")
		if res, body := finance.Get("/portfolio/scenarios/" + small); res.StatusCode != http.StatusOK || strings.Contains(body, `action="/portfolio/scenarios"`) {
			t.Fatalf("finance reads a scenario = %d", res.StatusCode)
		}
	})
}

// TestBoardAPI: objectives, the ranking's weights and budget scenarios
// through /api/v1, with problems naming the field.
func TestBoardAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		architect := clientOf(t, e, "architect@example.com")
		board := clientOf(t, e, "board@example.com")
		riley := clientOf(t, e, "requester@example.com")
		board.t.Helper()
		person := person(t, e, "board@example.com")
		objective := fmt.Sprintf(`{"ref":"api-objective","title":"Quotes in a day","owner_person_id":%d,"horizon":"2027-06-30","measure":"days"}`, person.ID)
		status, o := architect.json(http.MethodPost, "/objectives", objective)
		if status != http.StatusCreated || o["horizon"] != "2027-06-30" {
			t.Fatalf("create objective = %d %v", status, o)
		}
		if status, again := board.json(http.MethodPost, "/objectives", objective); status != http.StatusCreated || again["id"] != o["id"] {
			t.Fatalf("repeated create = %d %v", status, again)
		}
		if status, _ := riley.json(http.MethodPost, "/objectives", objective); status != http.StatusForbidden {
			t.Fatalf("a requester creates an objective = %d", status)
		}
		if status, list := riley.json(http.MethodGet, "/objectives", ""); status != http.StatusOK || !listsRefOnce(list, "api-objective") {
			t.Fatalf("a requester lists objectives = %d %v", status, list)
		}
		status, problem := architect.json(http.MethodPost, "/objectives", `{"ref":"x","title":"X","owner_person_id":1,"horizon":"1999","measure":"m","need_refs":["NEED-1900-0001"]}`)
		if got := strings.Join(locations(problem), " "); status != http.StatusUnprocessableEntity || !strings.Contains(got, "body.horizon") ||
			!strings.Contains(got, "body.need_refs[0]") {
			t.Fatalf("a wrong objective = %d %v", status, problem)
		}
		if status, _ := riley.json(http.MethodGet, "/ranking", ""); status != http.StatusForbidden {
			t.Fatalf("a requester reads the ranking = %d", status)
		}
		status, r := board.json(http.MethodGet, "/ranking", "")
		if status != http.StatusOK || len(r["needs"].([]any)) < 2 {
			t.Fatalf("ranking = %d %v", status, r)
		}
		if status, problem := board.json(http.MethodPut, "/ranking/weights", `{"value":0,"cost":0,"risk":0,"urgency":0}`); status != http.StatusUnprocessableEntity ||
			!strings.Contains(strings.Join(locations(problem), " "), "body.value") {
			t.Fatalf("all weights 0 = %d %v", status, problem)
		}
		if status, w := board.json(http.MethodPut, "/ranking/weights", `{"value":1,"cost":1,"risk":1,"urgency":1}`); status != http.StatusOK || w["risk"] != float64(1) {
			t.Fatalf("set weights = %d %v", status, w)
		}
		if status, problem := board.json(http.MethodGet, "/budget-scenarios/plan?year=2027&amount=-5&currency=EUR", ""); status != http.StatusUnprocessableEntity ||
			!strings.Contains(strings.Join(locations(problem), " "), "query.amount") {
			t.Fatalf("a negative budget = %d %v", status, problem)
		}
		const scenario = `{"name":"API 2027","year":2027,"amount":"500000","currency":"EUR"}`
		status, sc := board.json(http.MethodPost, "/budget-scenarios", scenario)
		if status != http.StatusCreated || sc["id"] == nil {
			t.Fatalf("save scenario = %d %v", status, sc)
		}
		if status, again := board.json(http.MethodPost, "/budget-scenarios", scenario); status != http.StatusCreated || again["id"] != sc["id"] {
			t.Fatalf("saving again = %d %v", status, again)
		}
		if status, _ := clientOf(t, e, "finance@example.com").json(http.MethodPost, "/budget-scenarios", scenario); status != http.StatusForbidden {
			t.Fatalf("finance saves a scenario = %d", status)
		}
		id := int64(sc["id"].(float64))
		if status, c := clientOf(t, e, "finance@example.com").json(http.MethodGet, fmt.Sprintf("/budget-scenario-comparison?a=%d&b=%d", id, id), ""); status != http.StatusOK ||
			len(c["only_a"].([]any)) != 0 {
			t.Fatalf("compare = %d %v", status, c)
		}
	})
}

// listsRefOnce reports whether a list answered by the API holds exactly one
// item with the handle ref.
func listsRefOnce(list map[string]any, ref string) bool {
	items, _ := list["items"].([]any)
	n := 0
	for _, it := range items {
		if m, _ := it.(map[string]any); m["ref"] == ref {
			n++
		}
	}
	return n == 1
}

// TestScenarioAmountsFollowTheCurrency: a budget has at most the decimal
// places of its currency's minor unit — none in JPY, 3 in KWD, 2 in EUR —
// on the ranking page's scenario form and through the API, refused with a
// message on the amount that says why.
func TestScenarioAmountsFollowTheCurrency(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		board := e.SignIn(t, "board@example.com")
		for _, c := range []struct {
			amount, currency string
			ok               bool
			says             string
		}{
			{"1200000.50", "JPY", false, "The amount is in JPY, which has no decimal places"},
			{"1200000.5", "jpy", false, "The amount is in JPY, which has no decimal places"},
			{"1200000", "JPY", true, ""},
			{"1200000.00", "JPY", true, ""},
			{"1000.005", "EUR", false, "The amount has at most 2 decimal places in EUR."},
			{"1000.05", "EUR", true, ""},
			{"1000.005", "KWD", true, ""},
			{"1000.0005", "KWD", false, "The amount has at most 3 decimal places in KWD."},
		} {
			res, body := board.Submit("/portfolio/ranking", "/portfolio/scenarios/plan", url.Values{"year": {"2027"}, "amount": {c.amount}, "currency": {c.currency}})
			if c.ok {
				if res.StatusCode != http.StatusOK || !strings.Contains(body, "Budget scenario (not saved)") {
					t.Errorf("the page's plan of %s %s = %d, want the plan", c.amount, c.currency, res.StatusCode)
				}
			} else if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="amount-error"`) || !strings.Contains(body, c.says) {
				t.Errorf("the page's plan of %s %s = %d, want it refused on the amount: %q", c.amount, c.currency, res.StatusCode, c.says)
			}
		}
		api := clientOf(t, e, "board@example.com")
		status, problem := api.json(http.MethodGet, "/budget-scenarios/plan?year=2027&amount=1200000.5&currency=JPY", "")
		if status != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(locations(problem), " "), "query.amount") ||
			!strings.Contains(fmt.Sprint(problem), "no decimal places") {
			t.Errorf("API plan of 1200000.5 JPY = %d %v", status, problem)
		}
		status, problem = api.json(http.MethodPost, "/budget-scenarios", `{"name":"Yen","year":2027,"amount":"1200000.50","currency":"JPY"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(locations(problem), " "), "body.amount") {
			t.Errorf("API save of 1200000.50 JPY = %d %v", status, problem)
		}
		if status, sc := api.json(http.MethodPost, "/budget-scenarios", `{"name":"Yen","year":2027,"amount":"1200000","currency":"JPY"}`); status != http.StatusCreated {
			t.Errorf("API save of 1200000 JPY = %d %v", status, sc)
		}
	})
}

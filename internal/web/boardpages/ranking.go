package boardpages

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/web/page"
)

func (s *Pages) ranking(w http.ResponseWriter, r *http.Request) error {
	return s.renderRanking(w, r, page.Base{})
}

// renderRanking shows the ranking with the weights form and the budget
// scenario form; base carries what was typed into either when refused.
func (s *Pages) renderRanking(w http.ResponseWriter, r *http.Request, base page.Base) error {
	p := page.Principal(r)
	rk, err := s.Portfolio.Ranking(r.Context(), p)
	if err != nil {
		return err
	}
	year := 2000
	if y, err := strconv.Atoi(strings.SplitN(rk.AsOf, "-", 2)[0]); err == nil {
		year = y + 1
	}
	form := map[string]string{"value": strconv.Itoa(rk.Weights.Value), "cost": strconv.Itoa(rk.Weights.Cost), "risk": strconv.Itoa(rk.Weights.Risk),
		"urgency": strconv.Itoa(rk.Weights.Urgency), "year": strconv.Itoa(year), "currency": "EUR", "amount": everything(rk, "EUR").String()}
	for k, v := range base.Form {
		form[k] = v
	}
	base.Form = form
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Portfolio: the board's ranking", "portfolio"
	v := &rankingView{Base: base, Ranking: rk, CanDecide: portfolio.MayDecide(p), Year: year}
	v.showPage(r.URL.Query().Get("page"))
	if v.Table, err = s.table(v); err != nil {
		return err
	}
	s.Render(w, r, "board_ranking.html", v)
	return nil
}

// RankingPage is how many needs the ranking's page shows at a time: the
// board may weigh hundreds, and a page of them all would be megabytes.
const RankingPage = 50

// showPage picks the needs of the page asked (1 when it is not a number,
// the last when it is past the end).
func (v *rankingView) showPage(asked string) {
	n := len(v.Ranking.Needs)
	pages := max(1, (n+RankingPage-1)/RankingPage)
	at, err := strconv.Atoi(asked)
	if err != nil || at < 1 {
		at = 1
	}
	at = min(at, pages)
	from, to := (at-1)*RankingPage, min(at*RankingPage, n)
	v.Shown, v.From, v.To, v.PerPage = v.Ranking.Needs[from:to], from+1, to, RankingPage
	v.Chart = scoreChart(v.Shown)
	if at > 1 {
		v.Previous = "/portfolio/ranking?page=" + strconv.Itoa(at-1) + "#ranking"
	}
	if at < pages {
		v.Next = "/portfolio/ranking?page=" + strconv.Itoa(at+1) + "#ranking"
	}
}

// everything is what funding every ranked need priced in currency would
// take in a year: the budget form starts from it.
func everything(rk portfolio.Ranking, currency string) decimal.Decimal {
	total := decimal.Zero
	for _, n := range rk.Needs {
		if n.FirstYear != nil && n.Currency == currency {
			total = total.Add(*n.FirstYear)
		}
	}
	if !total.IsPositive() {
		return decimal.NewFromInt(100000)
	}
	return total.Round(2)
}

func (s *Pages) setWeights(w http.ResponseWriter, r *http.Request) error {
	var errs []engage.FieldError
	weight := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			errs = append(errs, engage.FieldError{Field: name, Message: "Enter a whole number from 0 to 10."})
			return 0
		}
		return n
	}
	in := portfolio.Weights{Value: weight("value"), Cost: weight("cost"), Risk: weight("risk"), Urgency: weight("urgency")}
	if len(errs) == 0 {
		_, err := s.Portfolio.SetWeights(r.Context(), page.Principal(r), in)
		if !invalid(err) && err != nil {
			return err
		}
		errs = engage.ErrorFields(err)
	}
	if len(errs) > 0 {
		var base page.Base
		base.Rejected(errs, r)
		return s.renderRanking(w, r, base)
	}
	s.Flash(w, "The ranking's weights are saved.")
	http.Redirect(w, r, "/portfolio/ranking", http.StatusSeeOther)
	return nil
}

// scenarioInput reads a scenario from values (the query of a plan, the
// form of a save); an amount that is not a number is its own error.
func scenarioInput(v url.Values) (portfolio.ScenarioInput, []engage.FieldError) {
	in := portfolio.ScenarioInput{Name: v.Get("name"), Currency: v.Get("currency")}
	var errs []engage.FieldError
	year, err := strconv.Atoi(strings.TrimSpace(v.Get("year")))
	if err != nil {
		errs = append(errs, engage.FieldError{Field: "year", Message: "Enter a year from 2000 to 2100."})
	}
	in.Year = year
	amount, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimSpace(v.Get("amount")), ",", ""))
	if err != nil {
		errs = append(errs, engage.FieldError{Field: "amount", Message: "Enter an amount, such as 250000 or 250000.00."})
	}
	in.Amount = amount
	return in, errs
}

func queryForm(v url.Values) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"name", "year", "amount", "currency"} {
		out[k] = v.Get(k)
	}
	return out
}

func (s *Pages) planScenario(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in, errs := scenarioInput(q)
	var sc portfolio.Scenario
	if len(errs) == 0 {
		var err error
		sc, err = s.Portfolio.PlanScenario(r.Context(), page.Principal(r), in)
		if !invalid(err) && err != nil {
			return err
		}
		errs = engage.ErrorFields(err)
	}
	if len(errs) > 0 {
		return s.renderRanking(w, r, page.Base{Errors: errs, Form: queryForm(q)})
	}
	return s.renderScenario(w, r, sc, false, page.Base{Form: queryForm(q)})
}

func (s *Pages) renderScenario(w http.ResponseWriter, r *http.Request, sc portfolio.Scenario, saved bool, base page.Base) error {
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Budget scenario", "portfolio"
	if saved {
		base.Title = "Budget scenario: " + sc.Name
	}
	s.Render(w, r, "board_scenario.html", &scenarioView{Base: base, Scenario: sc, Saved: saved, CanDecide: portfolio.MayDecide(page.Principal(r))})
	return nil
}

func (s *Pages) saveScenario(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	in, errs := scenarioInput(r.PostForm)
	if len(errs) == 0 {
		sc, err := s.Portfolio.SaveScenario(r.Context(), p, in)
		if err == nil {
			s.Flash(w, "Saved the scenario “"+sc.Name+"”.")
			http.Redirect(w, r, fmt.Sprintf("/portfolio/scenarios/%d", sc.ID), http.StatusSeeOther)
			return nil
		}
		if !invalid(err) {
			return err
		}
		errs = engage.ErrorFields(err)
	}
	// Show the plan again with what was typed, when the plan itself can be made.
	plan, err := s.Portfolio.PlanScenario(r.Context(), p, in)
	if err != nil {
		return s.renderRanking(w, r, page.Base{Errors: errs, Form: queryForm(r.PostForm)})
	}
	return s.renderScenario(w, r, plan, false, page.Base{Errors: errs, Form: queryForm(r.PostForm)})
}

func (s *Pages) scenarioPage(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Portfolio.GetScenario(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	return s.renderScenario(w, r, sc, true, page.Base{})
}

func (s *Pages) scenarios(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	list, err := s.Portfolio.ListScenarios(r.Context(), p)
	if err != nil {
		return err
	}
	s.Render(w, r, "board_scenarios.html", &scenariosView{Base: page.Base{Title: "Portfolio: budget scenarios", Nav: "portfolio"}, Scenarios: list,
		CanDecide: portfolio.MayDecide(p)})
	return nil
}

func (s *Pages) compare(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a, errA := strconv.ParseInt(q.Get("a"), 10, 64)
	b, errB := strconv.ParseInt(q.Get("b"), 10, 64)
	if errA != nil || errB != nil {
		return s.scenarios(w, r) // choose two first
	}
	c, err := s.Portfolio.CompareScenarios(r.Context(), page.Principal(r), a, b)
	if err != nil {
		return err
	}
	s.Render(w, r, "board_compare.html", &compareView{Base: page.Base{Title: "Budget scenarios compared", Nav: "portfolio"}, Comparison: c})
	return nil
}

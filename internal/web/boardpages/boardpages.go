// Package boardpages is the web interface's board part of the portfolio:
// strategic objectives (the portfolio seen by objective, an objective's
// page, the forms to add and change one), the board's ranking of the needs
// waiting for a decision with its weights, and budget scenarios (planned,
// saved, compared).
package boardpages

import (
	"embed"
	"html/template"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the board's part of the portfolio.
type Pages struct {
	*page.Kit
	Portfolio *portfolio.Service
	Processes *process.Service
	Org       *org.Service

	tables tables
}

// Routes are the objectives, the ranking and the budget scenarios. Who may
// read and change them is the portfolio package's rule.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /portfolio/objectives", Handle: s.objectives},
		{Pattern: "POST /portfolio/objectives", Handle: s.createObjective},
		{Pattern: "GET /portfolio/objectives/{id}", Handle: s.objectivePage},
		{Pattern: "POST /portfolio/objectives/{id}", Handle: s.updateObjective},
		{Pattern: "GET /portfolio/ranking", Handle: s.ranking},
		{Pattern: "POST /portfolio/ranking/weights", Handle: s.setWeights},
		{Pattern: "GET /portfolio/scenarios", Handle: s.scenarios},
		{Pattern: "POST /portfolio/scenarios", Handle: s.saveScenario},
		{Pattern: "GET /portfolio/scenarios/plan", Handle: s.planScenario},
		{Pattern: "GET /portfolio/scenarios/compare", Handle: s.compare},
		{Pattern: "GET /portfolio/scenarios/{id}", Handle: s.scenarioPage},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "board",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"statelabel": func(s frontdoor.State) string { return s.Label() },
		"amount":     func(d *decimal.Decimal, currency string) string { return optionalMoney(d, currency) },
		"partlabel":  func(name string) string { return partLabels[name] },
	},
	Views: map[string]page.View{
		"board_objectives.html": &objectivesView{ObjectiveForm: ObjectiveForm{Processes: []process.MapEntry{{}}}, Overview: portfolio.PortfolioByObjective{
			Objectives: []portfolio.ObjectiveDetail{sampleDetail()}, Unserved: []process.Ref{{}}}},
		"board_objective.html": &objectiveView{Detail: sampleDetail(), ObjectiveForm: ObjectiveForm{Processes: []process.MapEntry{{}}}},
		"board_ranking.html": &rankingView{Ranking: portfolio.Ranking{Needs: []portfolio.RankedNeed{sampleRanked(), sampleRanked()}},
			Shown: []portfolio.RankedNeed{sampleRanked()}, From: 1, To: 1, PerPage: 1, Previous: "/portfolio/ranking?page=1", Next: "/portfolio/ranking?page=3",
			Chart: &page.BarChart{Bars: []page.Bar{{}}}, Year: 2027},
		"board_scenarios.html": &scenariosView{Scenarios: []portfolio.ScenarioSummary{{}}},
		"board_scenario.html":  &scenarioView{Scenario: sampleScenario()},
		"board_compare.html": &compareView{Comparison: portfolio.ScenarioComparison{A: sampleScenario(), B: sampleScenario(),
			OnlyA: []portfolio.ScenarioLine{{}}, OnlyB: []portfolio.ScenarioLine{{}}, Both: []portfolio.ScenarioLine{{}}}},
	},
}

var partLabels = map[string]string{"value": "Value", "cost": "Cost", "risk": "Risk", "urgency": "Urgency"}

func optionalMoney(d *decimal.Decimal, currency string) string {
	if d == nil {
		return "—"
	}
	return catalog.FormatMoney(*d, currency)
}

// ObjectiveForm is what the objective forms offer: the processes of the
// register, and which are chosen.
type ObjectiveForm struct {
	Processes []process.MapEntry
	Chosen    map[int64]bool
	CanChange bool
}

type objectivesView struct {
	page.Base
	ObjectiveForm
	Overview portfolio.PortfolioByObjective
	CanRank  bool
}

type objectiveView struct {
	page.Base
	ObjectiveForm
	Detail portfolio.ObjectiveDetail
}

type rankingView struct {
	page.Base
	Ranking portfolio.Ranking
	// Shown are the needs of the page shown, RankingPage of them: the
	// chart and the table show those; Previous and Next lead to the pages
	// around it ("" when there is none).
	Shown             []portfolio.RankedNeed
	From, To, PerPage int
	Previous, Next    string
	// Table is the table of the needs shown, written once (see table).
	Table     template.HTML
	Chart     *page.BarChart
	CanDecide bool
	Year      int
}

type scenariosView struct {
	page.Base
	Scenarios []portfolio.ScenarioSummary
	CanDecide bool
}

type scenarioView struct {
	page.Base
	Scenario  portfolio.Scenario
	Saved     bool
	CanDecide bool
}

type compareView struct {
	page.Base
	Comparison portfolio.ScenarioComparison
}

func sampleDetail() portfolio.ObjectiveDetail {
	return portfolio.ObjectiveDetail{Objective: portfolio.Objective{ID: 1, Ref: "faster-quotes", Title: "Quotes in a day", NeedRefs: []string{"NEED-2026-0001"}},
		Processes: []process.MapEntry{{}}, Needs: []frontdoor.Need{{Reference: "NEED-2026-0001", State: frontdoor.Decision}}, Hidden: 1}
}

func sampleRanked() portfolio.RankedNeed {
	d := decimal.NewFromInt(1)
	return portfolio.RankedNeed{Rank: 1, Reference: "NEED-2026-0001", ThreeYear: &d, FirstYear: &d, Currency: "EUR",
		Parts: []portfolio.ScorePart{{Name: "value", Inputs: []string{"x"}}}}
}

func sampleScenario() portfolio.Scenario {
	d := decimal.NewFromInt(1)
	now := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	line := portfolio.ScenarioLine{Rank: 1, Reference: "NEED-2026-0001", FirstYear: &d, Remaining: &d, Currency: "EUR"}
	return portfolio.Scenario{ID: 1, Name: "2027", Year: 2027, Currency: "EUR", Funded: []portfolio.ScenarioLine{line},
		Outside: []portfolio.ScenarioLine{line}, Ranking: []portfolio.RankedNeed{sampleRanked()}, CreatedAt: &now}
}

// scoreChart draws each need's score out of 100.
func scoreChart(needs []portfolio.RankedNeed) *page.BarChart {
	if len(needs) == 0 {
		return nil
	}
	ch := &page.BarChart{Title: "Scores", Height: 40*len(needs) + 10,
		Describe: "Each need's score out of 100, highest first; the table below has the parts.", Caption: "Score out of 100."}
	for i, n := range needs {
		score, _ := n.Score.Float64() // drawing only: the score shown is exact
		ch.Bars = append(ch.Bars, page.Bar{Label: strconv.Itoa(n.Rank) + ". " + n.Reference + " " + n.Title, Value: n.Score.StringFixed(2),
			LabelY: float64(i*40 + 14), BarY: float64(i*40 + 20), ValueY: float64(i*40 + 31), Width: math.Max(3.6*score, 2), Cheapest: n.Rank == 1})
	}
	return ch
}

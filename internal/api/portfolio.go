package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/portfolio"
)

type objectiveCreate struct {
	Body portfolio.ObjectiveInput
}

type objectiveUpdate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1" doc:"The version read; a stale one is refused"`
		portfolio.ObjectiveInput
	}
}

type weightsPut struct {
	Body portfolio.Weights
}

type scenarioPlan struct {
	Year     int    `query:"year" required:"true" minimum:"2000" maximum:"2100" doc:"The budget year"`
	Amount   string `query:"amount" required:"true" example:"250000" doc:"The budget for the year, a decimal above 0 with at most 2 places"`
	Currency string `query:"currency" required:"true" example:"EUR"`
}

type scenarioSave struct {
	Body portfolio.ScenarioInput
}

type scenarioCompare struct {
	A int64 `query:"a" required:"true" minimum:"1" doc:"A saved scenario's id"`
	B int64 `query:"b" required:"true" minimum:"1" doc:"Another saved scenario's id"`
}

// registerPortfolio serves the board's part of the portfolio: strategic
// objectives, the ranking of the needs in decision and its weights, and
// budget scenarios.
func (a *API) registerPortfolio(api huma.API) {
	tags := []string{"Objectives"}
	register(a, api, huma.Operation{OperationID: "list-objectives", Method: http.MethodGet, Path: "/objectives", Tags: tags,
		Summary: "Strategic objectives", Description: "Everyone signed in may read them. The nearest horizon first; one page holds them all."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[portfolio.Objective], error) {
			list, err := a.Portfolio.ListObjectives(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-objective", Method: http.MethodGet, Path: "/objectives/{id}", Tags: tags,
		Summary:     "A strategic objective with its processes and needs",
		Description: "The needs serving it are those the caller may read; hidden_needs counts the others.", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[portfolio.ObjectiveDetail], error) {
			d, err := a.Portfolio.DescribeObjective(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "create-objective", Method: http.MethodPost, Path: "/objectives", Tags: tags,
		Summary: "Add a strategic objective",
		Description: "Enterprise architects, the portfolio board and administrators. Sending the same objective again returns the one created; " +
			"another objective under a ref in use is refused.",
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *objectiveCreate) (*Body[portfolio.Objective], error) {
			o, err := a.Portfolio.CreateObjective(ctx, p, in.Body)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "update-objective", Method: http.MethodPut, Path: "/objectives/{id}", Tags: tags,
		Summary:     "Change a strategic objective",
		Description: "Enterprise architects, the portfolio board and administrators, with the version read. The lists of processes and needs are replaced.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *objectiveUpdate) (*Body[portfolio.Objective], error) {
			o, err := a.Portfolio.UpdateObjective(ctx, p, in.ID, in.Body.Version, in.Body.ObjectiveInput)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "get-portfolio-by-objective", Method: http.MethodGet, Path: "/portfolio-by-objective", Tags: tags,
		Summary:     "The portfolio seen by objective",
		Description: "Every objective with the processes it serves and the needs serving it that the caller may read, and the processes no objective serves."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[portfolio.PortfolioByObjective], error) {
			b, err := a.Portfolio.ByObjective(ctx, p)
			return body(b), err
		})

	tags = []string{"Board"}
	register(a, api, huma.Operation{OperationID: "get-ranking", Method: http.MethodGet, Path: "/ranking", Tags: tags,
		Summary: "The board's ranking of the needs waiting for a decision",
		Description: "The portfolio board, finance and administrators. Each need's score (0 to 100) with its four parts — value, cost, risk, urgency — " +
			"each from 0 to 1 with what it was computed from; the formula is in the README (\"The board's ranking\")."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[portfolio.Ranking], error) {
			r, err := a.Portfolio.Ranking(ctx, p)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "get-ranking-weights", Method: http.MethodGet, Path: "/ranking/weights", Tags: tags,
		Summary: "The ranking's weights", Description: "The portfolio board, finance and administrators."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[portfolio.Weights], error) {
			w, err := a.Portfolio.Weights(ctx, p)
			return body(w), err
		})
	register(a, api, huma.Operation{OperationID: "set-ranking-weights", Method: http.MethodPut, Path: "/ranking/weights", Tags: tags,
		Summary:     "Change the ranking's weights",
		Description: "The portfolio board and administrators. Whole numbers from 0 to 10, not all 0; audited. Sending the same weights again changes nothing."},
		func(ctx context.Context, p *access.Principal, in *weightsPut) (*Body[portfolio.Weights], error) {
			w, err := a.Portfolio.SetWeights(ctx, p, in.Body)
			return body(w), err
		})
	register(a, api, huma.Operation{OperationID: "plan-budget-scenario", Method: http.MethodGet, Path: "/budget-scenarios/plan", Tags: tags,
		Summary: "Which needs a budget would fund, with the ranking as it is now",
		Description: "The portfolio board, finance and administrators. Nothing is saved. Needs are taken in ranked order, each with its first-year " +
			"cost (one-time + 12 × monthly); one that does not fit is skipped and those after it may still fit; the others are outside, each with why."},
		func(ctx context.Context, p *access.Principal, in *scenarioPlan) (*Body[portfolio.Scenario], error) {
			amount, err := decimal.NewFromString(in.Amount)
			if err != nil {
				return nil, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
					Fields: []engage.FieldError{{Field: "amount", Message: "Enter a decimal amount, such as 250000.00."}}}
			}
			sc, err := a.Portfolio.PlanScenario(ctx, p, portfolio.ScenarioInput{Year: in.Year, Amount: amount, Currency: in.Currency})
			return body(sc), err
		})
	register(a, api, huma.Operation{OperationID: "list-budget-scenarios", Method: http.MethodGet, Path: "/budget-scenarios", Tags: tags,
		Summary: "Saved budget scenarios", Description: "The portfolio board, finance and administrators. The latest first; one page holds them all."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[portfolio.ScenarioSummary], error) {
			list, err := a.Portfolio.ListScenarios(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "save-budget-scenario", Method: http.MethodPost, Path: "/budget-scenarios", Tags: tags,
		Summary: "Save a budget scenario",
		Description: "The portfolio board and administrators. Computed with the ranking as it is now and kept as it is: later changes to needs or " +
			"weights do not change it. Saving the same scenario again returns the one saved; a name in use for another is refused (409).",
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *scenarioSave) (*Body[portfolio.Scenario], error) {
			sc, err := a.Portfolio.SaveScenario(ctx, p, in.Body)
			return body(sc), err
		})
	register(a, api, huma.Operation{OperationID: "get-budget-scenario", Method: http.MethodGet, Path: "/budget-scenarios/{id}", Tags: tags,
		Summary: "A saved budget scenario, as it was saved", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[portfolio.Scenario], error) {
			sc, err := a.Portfolio.GetScenario(ctx, p, in.ID)
			return body(sc), err
		})
	register(a, api, huma.Operation{OperationID: "compare-budget-scenarios", Method: http.MethodGet, Path: "/budget-scenario-comparison", Tags: tags,
		Summary: "Two saved budget scenarios side by side", Description: "The needs one funds and the other does not, and those both fund.",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *scenarioCompare) (*Body[portfolio.ScenarioComparison], error) {
			c, err := a.Portfolio.CompareScenarios(ctx, p, in.A, in.B)
			return body(c), err
		})
}

package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/processcost"
)

type costPeriod struct {
	Period string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The month, YYYY-MM; the newest month with statements when absent"`
}

type processCostPath struct {
	ID int64 `path:"id" minimum:"1"`
	costPeriod
}

type costDrillPath struct {
	Subject string `path:"subject" enum:"process,journey,unclaimed"`
	ID      int64  `path:"id" minimum:"0" doc:"The process's or journey's id; 0 for the unclaimed part"`
	costPeriod
}

const costAccess = " A person sees the part of the statements they may read (a department's budget holder, its BRM); finance, " +
	"the board and administrators see every department, the unclaimed part and the cost from the cost pools."

func (a *API) registerProcessCosts(api huma.API) {
	tags := []string{"Process costs"}
	register(a, api, huma.Operation{OperationID: "get-process-costs", Method: http.MethodGet, Path: "/process-costs", Tags: tags,
		Summary: "What every process cost in a month",
		Description: "Each process's share of the statements (charged) and of its services' cost from the cost pools (cost), rolled up the tree, " +
			"with the unclaimed part; processes + unclaimed = the statements, exactly." + costAccess},
		func(ctx context.Context, p *access.Principal, in *costPeriod) (*Body[processcost.CostMap], error) {
			m, err := a.ProcessCosts.Map(ctx, p, in.Period)
			return body(m), err
		})
	register(a, api, huma.Operation{OperationID: "get-process-cost", Method: http.MethodGet, Path: "/processes/{id}/costs", Tags: tags,
		Summary: "What a process cost, with its 13-month trend", Description: "Its own share and, rolled up, with every process below it." + costAccess,
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processCostPath) (*Body[processcost.CostFigures], error) {
			f, err := a.ProcessCosts.ProcessCost(ctx, p, in.ID, in.Period)
			return body(f), err
		})
	register(a, api, huma.Operation{OperationID: "get-journey-cost", Method: http.MethodGet, Path: "/journeys/{id}/costs", Tags: tags,
		Summary:     "What a customer journey cost, with its 13-month trend",
		Description: "Every process it goes through and every process below those, each counted once." + costAccess,
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processCostPath) (*Body[processcost.CostFigures], error) {
			f, err := a.ProcessCosts.JourneyCost(ctx, p, in.ID, in.Period)
			return body(f), err
		})
	register(a, api, huma.Operation{OperationID: "get-cost-drill-down", Method: http.MethodGet, Path: "/process-costs/{subject}/{id}", Tags: tags,
		Summary:     "The services and statement lines behind a figure",
		Description: "Every share of every service, by department, with the weights and the statement lines behind it; the shares add up to the figure." + costAccess,
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *costDrillPath) (*Body[processcost.CostDrill], error) {
			d, err := a.ProcessCosts.DrillDown(ctx, p, in.Subject, in.ID, in.Period)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "export-process-costs-csv", Method: http.MethodGet, Path: "/process-costs/export", Tags: tags,
		Summary: "What every process cost in a month, as CSV",
		Description: "Columns " + "period, ref, name, parent_ref, kind, currency, own_charged, charged, own_cost, cost; then the unclaimed part and the total. " +
			"Cells a spreadsheet would read as a formula are written as text." + costAccess,
		Responses: csvResponse("What every process cost")},
		func(ctx context.Context, p *access.Principal, in *costPeriod) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.ProcessCosts.WriteCSV(ctx, p, in.Period, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes()}, nil
		})
}

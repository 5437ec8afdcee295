package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/costs"
)

type costPoolList struct {
	Period string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The month, YYYY-MM; every month when absent"`
}

type costPoolPut struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		costs.PoolInput
	}
}

type costAllocationPut struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		costs.PoolAllocationInput
	}
}

type costPoolImport struct {
	RawBody []byte `contentType:"text/csv" doc:"The CSV file; the first line names the columns: period, category, name, amount, currency, and optionally allocation and services."`
}

type costPoolExport struct {
	Period string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The month, YYYY-MM; every month when absent"`
}

type costResultsPath struct {
	Period string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" example:"2026-03"`
}

type serviceCostsInput struct {
	Service string `path:"service" doc:"Id or URL name"`
	Period  string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The last month shown, YYYY-MM; the latest month with pools or statements when absent"`
	Months  int    `query:"months" minimum:"0" maximum:"24" default:"6" doc:"How many months up to period"`
}

func (a *API) registerCosts(api huma.API) {
	tags := []string{"Costs"}
	register(a, api, huma.Operation{OperationID: "list-cost-pools", Method: http.MethodGet, Path: "/cost-pools", Tags: tags,
		Summary: "Cost pools", Description: "Finance, the portfolio board and administrators. Newest month first, then by category and name."},
		func(ctx context.Context, p *access.Principal, in *costPoolList) (*Page[costs.Pool], error) {
			list, err := a.Costs.ListPools(ctx, p, in.Period)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-cost-pool", Method: http.MethodPost, Path: "/cost-pools", Tags: tags,
		Summary: "Load a cost pool", DefaultStatus: http.StatusCreated,
		Description: "Finance and administrators. A name is unique in its month; percentages add up to exactly 100."},
		func(ctx context.Context, p *access.Principal, in *Body[costs.PoolInput]) (*Body[costs.Pool], error) {
			pool, err := a.Costs.CreatePool(ctx, p, in.Body)
			return body(pool), err
		})
	register(a, api, huma.Operation{OperationID: "get-cost-pool", Method: http.MethodGet, Path: "/cost-pools/{id}", Tags: tags,
		Summary: "A cost pool with its allocation", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[costs.Pool], error) {
			pool, err := a.Costs.FindPool(ctx, p, in.ID)
			return body(pool), err
		})
	register(a, api, huma.Operation{OperationID: "update-cost-pool", Method: http.MethodPut, Path: "/cost-pools/{id}", Tags: tags,
		Summary: "Replace a cost pool", Description: "Send every field and the version you read; without allocation the allocation is kept.",
		Errors: []int{http.StatusConflict, http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *costPoolPut) (*Body[costs.Pool], error) {
			pool, err := a.Costs.UpdatePool(ctx, p, in.ID, in.Body.Version, in.Body.PoolInput)
			return body(pool), err
		})
	register(a, api, huma.Operation{OperationID: "set-cost-pool-allocation", Method: http.MethodPut, Path: "/cost-pools/{id}/allocation", Tags: tags,
		Summary: "Set how a cost pool is allocated", Errors: []int{http.StatusConflict, http.StatusNotFound},
		Description: "none; percent (each service's percentage, adding up to exactly 100); subscription-quantity or charged-amount " +
			"(measured in the pool's month over the services named, or every service when none is named)."},
		func(ctx context.Context, p *access.Principal, in *costAllocationPut) (*Body[costs.Pool], error) {
			pool, err := a.Costs.SetAllocation(ctx, p, in.ID, in.Body.Version, in.Body.PoolAllocationInput)
			return body(pool), err
		})
	register(a, api, huma.Operation{OperationID: "delete-cost-pool", Method: http.MethodDelete, Path: "/cost-pools/{id}", Tags: tags,
		Summary: "Remove a cost pool", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*struct{}, error) {
			return nil, a.Costs.DeletePool(ctx, p, in.ID)
		})
	register(a, api, huma.Operation{OperationID: "import-cost-pools", Method: http.MethodPost, Path: "/cost-pools/import", Tags: tags,
		Summary: "Load cost pools from CSV",
		Description: "Finance and administrators. Pools are matched by month and name and added or updated. " +
			"If any line is wrong nothing is written and every wrong line is reported, located as `body line N: column`."},
		func(ctx context.Context, p *access.Principal, in *costPoolImport) (*Body[costs.PoolImportReport], error) {
			rep, err := a.Costs.ImportPools(ctx, p, bytes.NewReader(in.RawBody))
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "export-cost-pools", Method: http.MethodGet, Path: "/cost-pools/export", Tags: tags,
		Summary: "Cost pools as CSV", Description: "The import's columns, so a month can be copied, edited and loaded again."},
		func(ctx context.Context, p *access.Principal, in *costPoolExport) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.Costs.ExportPools(ctx, p, in.Period, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes()}, nil
		})
	register(a, api, huma.Operation{OperationID: "get-cost-results", Method: http.MethodGet, Path: "/cost-results/{period}", Tags: tags,
		Summary: "A month's cost, charges, recovery and unit cost per service",
		Description: "Finance, the portfolio board and administrators see every service, the pools' shares and legacy-versus-cloud unit cost; " +
			"a service owner sees the services they own. One figure per currency."},
		func(ctx context.Context, p *access.Principal, in *costResultsPath) (*Body[costs.PeriodResults], error) {
			r, err := a.Costs.Results(ctx, p, in.Period)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "get-service-costs", Method: http.MethodGet, Path: "/services/{service}/costs", Tags: tags,
		Summary: "A service's cost, revenue and recovery over recent months", Errors: []int{http.StatusNotFound},
		Description: "The service's owner, finance, the portfolio board and administrators. With its consumers and unit cost per offering in the last month."},
		func(ctx context.Context, p *access.Principal, in *serviceCostsInput) (*Body[costs.ServiceCosts], error) {
			sc, err := a.Costs.ServiceCosts(ctx, p, in.Service, in.Period, in.Months)
			return body(sc), err
		})
}

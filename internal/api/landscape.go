package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/landscape"
)

type heatmapQuery struct {
	View string `query:"view" enum:"enablement,risk,disposition,cost" doc:"What colours the map; enablement when absent"`
}

// registerLandscape serves the register read as a whole: each process's
// risk flags, redundancy and the heatmap.
func (a *API) registerLandscape(api huma.API) {
	tags := []string{"Processes"}
	register(a, api, huma.Operation{OperationID: "list-process-risks", Method: http.MethodGet, Path: "/process-risks", Tags: tags,
		Summary: "The processes with risk flags, each flag with its evidence",
		Description: "Everyone signed in. A process depends on a retiring or sunset catalog service (linked, or run on by one of its applications), " +
			"on a single vendor (one vendor carries at least 80 % of the weight of its links), on an application with no owner, or a need linked to it " +
			"was delivered without a security review (shown only to those who may read the need). The most flags first, then the most critical."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[listOf[landscape.ProcessRisks]], error) {
			list, err := a.Landscape.Risks(ctx, p)
			return body(listOf[landscape.ProcessRisks]{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "get-process-risks", Method: http.MethodGet, Path: "/processes/{id}/risks", Tags: tags,
		Summary: "The risk flags of one process", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processPath) (*Body[listOf[landscape.RiskFlag]], error) {
			list, err := a.Landscape.ProcessFlags(ctx, p, in.ID)
			return body(listOf[landscape.RiskFlag]{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "list-process-redundancy", Method: http.MethodGet, Path: "/process-redundancy", Tags: tags,
		Summary: "Processes several applications in use enable: candidates for reuse",
		Description: "Everyone signed in. Each process that at least two active or phasing-out applications enable, with them, and the front door's " +
			"form to ask for the consolidation. In the order of the tree."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[listOf[landscape.Redundancy]], error) {
			list, err := a.Landscape.Redundancies(ctx, p)
			return body(listOf[landscape.Redundancy]{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "get-process-heatmap", Method: http.MethodGet, Path: "/process-heatmap", Tags: tags,
		Summary: "The process tree coloured by enablement, risk, disposition or cost",
		Description: "Everyone signed in. Every entry depth first with its value in words and a level from 0 to 4; the cost view is unavailable " +
			"(available false) until process costs are computed."},
		func(ctx context.Context, p *access.Principal, in *heatmapQuery) (*Body[landscape.Heatmap], error) {
			h, err := a.Landscape.Heatmap(ctx, p, in.View)
			return body(h), err
		})
}

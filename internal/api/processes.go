package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/process"
)

type processList struct {
	ListParams
	Kind     process.Kind `query:"kind" enum:"value_stream,process" doc:"Only value streams, or only processes"`
	ParentID int64        `query:"parent_id" minimum:"0" doc:"Only those directly below this value stream or process"`
}

type processPath struct {
	ID int64 `path:"id" minimum:"1"`
}

// registerProcesses serves the process register, read-only for now: the
// portfolio brings its pages and changes.
func (a *API) registerProcesses(api huma.API) {
	tags := []string{"Processes"}
	register(a, api, huma.Operation{OperationID: "list-processes", Method: http.MethodGet, Path: "/processes", Tags: tags,
		Summary: "The process register: value streams and processes", Description: "Everyone signed in may read it. In the order entries were created."},
		func(ctx context.Context, p *access.Principal, in *processList) (*Page[process.Entry], error) {
			list, next, err := a.Processes.List(ctx, p, process.ListFilter{Kind: in.Kind, ParentID: in.ParentID, Limit: in.Limit, Cursor: in.Cursor})
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-process", Method: http.MethodGet, Path: "/processes/{id}", Tags: tags,
		Summary: "A value stream or process of the register", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processPath) (*Body[process.Entry], error) {
			e, err := a.Processes.Get(ctx, p, in.ID)
			return body(e), err
		})
}

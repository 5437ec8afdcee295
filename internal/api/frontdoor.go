package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
)

type refPath struct {
	Reference string `path:"reference" example:"NEED-2026-0042"`
}

type needList struct {
	ListParams
	State        frontdoor.State `query:"state"`
	DepartmentID int64           `query:"department_id"`
	Mine         bool            `query:"mine" doc:"Only needs you wrote or sponsor"`
	Queue        bool            `query:"waiting_for_me" doc:"Needs waiting for something you do, overdue first"`
	Overdue      bool            `query:"overdue"`
	Query        string          `query:"q" doc:"Words in the title or the reference"`
}

type needUpdate struct {
	Reference string `path:"reference"`
	Body      struct {
		Version int `json:"version" minimum:"1"`
		frontdoor.NeedInput
	}
}

type needAct struct {
	Reference string           `path:"reference"`
	Action    frontdoor.Action `path:"action"`
	Body      frontdoor.ActInput
}

type needReview struct {
	Reference string `path:"reference"`
	Body      struct {
		Kind    string `json:"kind" enum:"architecture,security,finance"`
		Verdict string `json:"verdict" enum:"approve,approve_with_conditions,reject"`
		Notes   string `json:"notes,omitempty"`
		Version int    `json:"version,omitempty" minimum:"0" doc:"The need's version you read; when given, a need changed since refuses the review (409)."`
	}
}

type needOption struct {
	Reference string `path:"reference"`
	Body      frontdoor.NeedOptionInput
}

type suggestInput struct {
	Text    string `query:"text" doc:"What the need is about"`
	Exclude string `query:"exclude" doc:"A reference to leave out"`
	Limit   int    `query:"limit" minimum:"0" maximum:"20" default:"5"`
}

// needStateSchema and needActionSchema stand for frontdoor.State and
// frontdoor.Action in the OpenAPI document (see registerNeedTypes): their
// enums are the state machine's own, so a state or an action added to it is
// in the API at once, and only those are accepted.
type (
	needStateSchema  struct{}
	needActionSchema struct{}
)

func (needStateSchema) Schema(huma.Registry) *huma.Schema  { return enumSchema(frontdoor.States) }
func (needActionSchema) Schema(huma.Registry) *huma.Schema { return enumSchema(frontdoor.Actions()) }

func enumSchema[T ~string](values []T) *huma.Schema {
	s := &huma.Schema{Type: huma.TypeString}
	for _, v := range values {
		s.Enum = append(s.Enum, string(v))
	}
	return s
}

// registerNeedTypes makes every frontdoor.State and frontdoor.Action in the
// API carry its enum, before any operation is registered.
func registerNeedTypes(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[frontdoor.State](), reflect.TypeFor[needStateSchema]())
	r.RegisterTypeAlias(reflect.TypeFor[frontdoor.Action](), reflect.TypeFor[needActionSchema]())
}

func (a *API) registerFrontDoor(api huma.API) {
	tags := []string{"Front door"}
	notFound := []int{http.StatusNotFound}
	defer func() {
		// The event that created a need comes from no state.
		if e := api.OpenAPI().Components.Schemas.Map()["NeedEvent"]; e != nil && e.Properties["from_state"] != nil {
			from := e.Properties["from_state"]
			from.Enum = append(from.Enum, "")
			from.Description = "Empty on the event that created the need."
		}
	}()
	register(a, api, huma.Operation{OperationID: "list-needs", Method: http.MethodGet, Path: "/needs", Tags: tags,
		Summary: "Technology needs you may see"},
		func(ctx context.Context, p *access.Principal, in *needList) (*Page[frontdoor.Need], error) {
			list, next, err := a.FrontDoor.List(ctx, p, frontdoor.ListFilter{State: in.State, DepartmentID: in.DepartmentID, Mine: in.Mine,
				Queue: in.Queue, Overdue: in.Overdue, Query: in.Query, Limit: in.Limit, Cursor: in.Cursor})
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-need", Method: http.MethodPost, Path: "/needs", Tags: tags,
		Summary: "Ask for something new", Description: "Saves a draft for your department; submit it with the submit action.", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[frontdoor.NeedInput]) (*Body[frontdoor.Need], error) {
			n, err := a.FrontDoor.Create(ctx, p, in.Body)
			return body(n), err
		})
	register(a, api, huma.Operation{OperationID: "get-need", Method: http.MethodGet, Path: "/needs/{reference}", Tags: tags,
		Summary: "A need with its history, reviews, options and what you may do", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *refPath) (*Body[frontdoor.NeedDetail], error) {
			d, err := a.FrontDoor.Get(ctx, p, in.Reference)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "update-need", Method: http.MethodPut, Path: "/needs/{reference}", Tags: tags,
		Summary: "Change a draft", Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *needUpdate) (*Body[frontdoor.Need], error) {
			n, err := a.FrontDoor.Update(ctx, p, in.Reference, in.Body.Version, in.Body.NeedInput)
			return body(n), err
		})
	register(a, api, huma.Operation{OperationID: "act-on-need", Method: http.MethodPost, Path: "/needs/{reference}/actions/{action}", Tags: tags,
		Summary: "Move a need through its workflow",
		Description: "Only the transitions of the state machine exist, each for its roles; refusing or reversing needs a reason. " +
			"merge needs duplicate_of, use_catalog needs offering_id, decide needs option_id (and an exception when the option cannot hold the data).",
		Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *needAct) (*Body[frontdoor.Need], error) {
			n, err := a.FrontDoor.Act(ctx, p, in.Reference, in.Action, in.Body)
			return body(n), err
		})
	register(a, api, huma.Operation{OperationID: "review-need", Method: http.MethodPost, Path: "/needs/{reference}/reviews", Tags: tags,
		Summary: "Record an architecture, security or finance review", Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *needReview) (*Body[frontdoor.Need], error) {
			n, err := a.FrontDoor.Review(ctx, p, in.Reference, in.Body.Kind, in.Body.Verdict, in.Body.Notes, in.Body.Version)
			return body(n), err
		})
	register(a, api, huma.Operation{OperationID: "add-need-option", Method: http.MethodPost, Path: "/needs/{reference}/options", Tags: tags,
		Summary: "Propose an option: reuse, buy, build or broker", DefaultStatus: http.StatusCreated, Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *needOption) (*Body[frontdoor.NeedOption], error) {
			o, err := a.FrontDoor.AddOption(ctx, p, in.Reference, in.Body)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "order-need-reuse", Method: http.MethodPost, Path: "/needs/{reference}/order", Tags: tags,
		Summary: "Order the reused catalog offering of a decided need", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *refPath) (*Body[map[string]string], error) {
			o, err := a.FrontDoor.OrderReuse(ctx, p, in.Reference)
			return body(map[string]string{"order": o.Number, "status": o.Status}), err
		})
	register(a, api, huma.Operation{OperationID: "suggest-reuse", Method: http.MethodGet, Path: "/needs-suggestions", Tags: tags,
		Summary: "What already exists for a need", Description: "Catalog services and earlier needs from every department, ranked by relevance."},
		func(ctx context.Context, p *access.Principal, in *suggestInput) (*Body[frontdoor.Suggestions], error) {
			s, err := a.FrontDoor.Suggest(ctx, p, in.Text, in.Exclude, in.Limit)
			return body(s), err
		})
	register(a, api, huma.Operation{OperationID: "needs-dashboard", Method: http.MethodGet, Path: "/needs-dashboard", Tags: tags,
		Summary: "Needs by stage and department, time in stage, decision mix, savings from reuse, overdue"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[frontdoor.NeedsDashboard], error) {
			d, err := a.FrontDoor.Dashboard(ctx, p)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "delivery-gate", Method: http.MethodGet, Path: "/gate/{reference}", Tags: []string{"Delivery gate"},
		Summary: "May delivery work for this need proceed?",
		Description: "allowed is true exactly when the need is approved or in delivery; otherwise reason says why (unknown reference, not yet decided, rejected, closed). " +
			"Everyone signed in gets the answer and the need's state; the title and a rejection's own reason only those who may read the need. " +
			"A token with the gate scope may call this operation and no other."},
		func(ctx context.Context, p *access.Principal, in *refPath) (*Body[frontdoor.GateAnswer], error) {
			g, err := a.FrontDoor.Gate(ctx, p, in.Reference)
			return body(g), err
		})
}

package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/waiting"
)

type policyPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version     int                  `json:"version" minimum:"1" doc:"The version you read; a stale version is refused with 409."`
		Name        *string              `json:"name,omitempty"`
		Description *string              `json:"description,omitempty"`
		Active      *bool                `json:"active,omitempty"`
		Priority    *int                 `json:"priority,omitempty" minimum:"0"`
		Conditions  *approval.Conditions `json:"conditions,omitempty" doc:"Replaces all conditions."`
		Stages      *[]approval.Stage    `json:"stages,omitempty" doc:"Replaces all stages."`
	}
}

type requestList struct {
	ListParams
	Status       string `query:"status" enum:"pending,approved,declined,cancelled" doc:"Only requests in this state."`
	Mine         bool   `query:"mine" doc:"Only requests you made."`
	WaitingForMe bool   `query:"waiting_for_me" doc:"Only what waits for your decision now, oldest first (one page; cursor and other filters are ignored)."`
}

type decideInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body approval.DecideInput
}

type cancelInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Reason string `json:"reason" doc:"Why the request is withdrawn; approvers see it."`
	}
}

type delegationList struct {
	ListParams
	PersonID int64 `query:"person_id" doc:"Administrators: only delegations this person gave or received. Others always see their own."`
}

func (a *API) registerApprovals(api huma.API) {
	tags := []string{"Approvals"}
	notFound := []int{http.StatusNotFound}
	register(a, api, huma.Operation{OperationID: "list-waiting", Method: http.MethodGet, Path: "/waiting", Tags: tags,
		Summary:     "Everything waiting for you",
		Description: "Approval requests at a stage you (or whoever delegated to you today) approve, needs waiting for your triage, review or the board's decision: overdue first, then the oldest. The home page shows the same list."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[waiting.Item], error) {
			items, err := a.Waiting.For(ctx, p)
			return page(items, ""), err
		})
	register(a, api, huma.Operation{OperationID: "list-approval-policies", Method: http.MethodGet, Path: "/approval-policies", Tags: tags,
		Summary: "List approval policies", Description: "In the order they are evaluated: the first active policy whose conditions all match a request applies. Everyone signed in may read them."},
		func(ctx context.Context, p *access.Principal, in *ListParams) (*Page[approval.Policy], error) {
			items, next, err := a.Approval.ListPolicies(ctx, p, in.Cursor, in.Limit)
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-approval-policy", Method: http.MethodPost, Path: "/approval-policies", Tags: tags,
		Summary: "Create an approval policy", DefaultStatus: http.StatusCreated, Description: "Administrators only. Amounts are strings, for example \"5000.00\"."},
		func(ctx context.Context, p *access.Principal, in *Body[approval.PolicyInput]) (*Body[approval.Policy], error) {
			pol, err := a.Approval.CreatePolicy(ctx, p, in.Body)
			return body(pol), err
		})
	register(a, api, huma.Operation{OperationID: "get-approval-policy", Method: http.MethodGet, Path: "/approval-policies/{id}", Tags: tags,
		Summary: "Get an approval policy", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[approval.Policy], error) {
			pol, err := a.Approval.FindPolicy(ctx, p, in.ID)
			return body(pol), err
		})
	register(a, api, huma.Operation{OperationID: "update-approval-policy", Method: http.MethodPatch, Path: "/approval-policies/{id}", Tags: tags,
		Summary: "Change an approval policy", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Administrators only. Send the version you read; fields you leave out keep their value. Requests already submitted keep their approvers."},
		func(ctx context.Context, p *access.Principal, in *policyPatch) (*Body[approval.Policy], error) {
			cur, err := a.Approval.FindPolicy(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v, b := cur.Input(), in.Body
			set(&v.Name, b.Name)
			set(&v.Description, b.Description)
			set(&v.Active, b.Active)
			set(&v.Priority, b.Priority)
			set(&v.Conditions, b.Conditions)
			set(&v.Stages, b.Stages)
			pol, err := a.Approval.UpdatePolicy(ctx, p, in.ID, b.Version, v)
			return body(pol), err
		})

	register(a, api, huma.Operation{OperationID: "list-approval-requests", Method: http.MethodGet, Path: "/approval-requests", Tags: tags,
		Summary: "List approval requests", Description: "Newest first: requests you made, those you approve (or stand in for), and, for administrators, all."},
		func(ctx context.Context, p *access.Principal, in *requestList) (*Page[approval.Request], error) {
			if in.WaitingForMe {
				inbox, err := a.Approval.Inbox(ctx, p)
				items := make([]approval.Request, len(inbox))
				for i, it := range inbox {
					items[i] = it.Request
				}
				return page(items, ""), err
			}
			items, next, err := a.Approval.ListRequests(ctx, p, approval.RequestFilter{Status: in.Status, Mine: in.Mine, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-approval-request", Method: http.MethodGet, Path: "/approval-requests/{id}", Tags: tags,
		Summary: "Get an approval request", Description: "With its stages, their approvers, and every decision.", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[approval.Request], error) {
			r, err := a.Approval.FindRequest(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "decide-approval-request", Method: http.MethodPost, Path: "/approval-requests/{id}/decide", Tags: tags,
		Summary: "Approve or decline an approval request", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Decides the current stage as you, or as an approver who delegated to you today. A decline needs a reason and ends the request. " +
			"403 when you may not decide this stage; 409 when the request is no longer pending or you already decided."},
		func(ctx context.Context, p *access.Principal, in *decideInput) (*Body[approval.Request], error) {
			d := in.Body
			d.Via = approval.ViaAPI
			r, err := a.Approval.Decide(ctx, p, in.ID, d)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "cancel-approval-request", Method: http.MethodPost, Path: "/approval-requests/{id}/cancel", Tags: tags,
		Summary: "Cancel a pending approval request", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "The requester or an administrator; a reason is required."},
		func(ctx context.Context, p *access.Principal, in *cancelInput) (*Body[approval.Request], error) {
			r, err := a.Approval.Cancel(ctx, p, in.ID, in.Body.Reason, approval.ViaAPI)
			return body(r), err
		})

	register(a, api, huma.Operation{OperationID: "list-approval-delegations", Method: http.MethodGet, Path: "/approval-delegations", Tags: tags,
		Summary: "List delegations", Description: "Newest first: those you gave or received; administrators may list anyone's, or all."},
		func(ctx context.Context, p *access.Principal, in *delegationList) (*Page[approval.Delegation], error) {
			items, next, err := a.Approval.ListDelegations(ctx, p, approval.DelegationFilter{PersonID: in.PersonID, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-approval-delegation", Method: http.MethodPost, Path: "/approval-delegations", Tags: tags,
		Summary: "Delegate approvals for a date range", DefaultStatus: http.StatusCreated,
		Description: "While it runs (whole UTC days, inclusive) the delegate may decide in the delegator's place. No self-delegation; one person's delegations never overlap."},
		func(ctx context.Context, p *access.Principal, in *Body[approval.DelegationInput]) (*Body[approval.Delegation], error) {
			d, err := a.Approval.CreateDelegation(ctx, p, in.Body)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "delete-approval-delegation", Method: http.MethodDelete, Path: "/approval-delegations/{id}", Tags: tags,
		Summary: "Remove a delegation", DefaultStatus: http.StatusNoContent, Errors: notFound,
		Description: "Its delegator or an administrator. Decisions already taken under it stay."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*struct{}, error) {
			return nil, a.Approval.DeleteDelegation(ctx, p, in.ID)
		})
}

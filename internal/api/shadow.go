package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/spend"
)

type shadowSpendQuery struct {
	DepartmentID int64  `query:"department_id" minimum:"0" doc:"Only this department; every department you may read when absent."`
	Vendor       string `query:"vendor" maxLength:"100" doc:"Only this vendor, as recognition names it."`
}

func (a *API) registerShadow(api huma.API) {
	tags := []string{"Shadow IT"}
	register(a, api, huma.Operation{OperationID: "get-shadow-spend", Method: http.MethodGet, Path: "/shadow-spend", Tags: tags,
		Summary: "Shadow spend by vendor and department",
		Description: "Software spend over the 12 complete months before the current one, by vendor × department × currency: shadow " +
			"(IT is not involved) worst annual run rate first, and sanctioned (a catalog service's vendor, a vendor the board chose for the " +
			"department, or sanctioned by a case). Annual run rate = the last 3 months × 4. Each shadow vendor comes with the catalog " +
			"services tagged with its category and what moving the people seen would cost a month. Finance, the board and administrators " +
			"read every department; BRMs and budget holders theirs; the people's e-mails only for those who may read the department's lines."},
		func(ctx context.Context, p *access.Principal, in *shadowSpendQuery) (*Body[spend.ShadowReport], error) {
			rep, err := a.Spend.Shadow(ctx, p, spend.ShadowFilter{DepartmentID: in.DepartmentID, Vendor: in.Vendor})
			return body(rep), err
		})
}

type shadowCaseQuery struct {
	DepartmentID int64 `query:"department_id" minimum:"0" doc:"Only this department's cases."`
	All          bool  `query:"all" doc:"Closed cases too."`
}

type shadowCaseList struct {
	Items []spend.ShadowCase `json:"items" nullable:"false"`
}

type shadowCaseAction struct {
	ID     int64  `path:"id" minimum:"1"`
	Action string `path:"action" enum:"reach_out,replace,onboard,sanction,dismiss"`
	Body   spend.CaseActionInput
}

func (a *API) registerShadowCases(api huma.API) {
	tags := []string{"Shadow IT"}
	register(a, api, huma.Operation{OperationID: "list-shadow-cases", Method: http.MethodGet, Path: "/shadow-cases", Tags: tags,
		Summary: "Shadow cases: the BRM's queue",
		Description: "One case per vendor × department with shadow spend, opened when first read; worst annual run rate first. " +
			"Open and reached-out cases unless all=true. Who reads: the statements' rule."},
		func(ctx context.Context, p *access.Principal, in *shadowCaseQuery) (*Body[shadowCaseList], error) {
			items, err := a.Spend.Cases(ctx, p, spend.CaseFilter{DepartmentID: in.DepartmentID, All: in.All})
			return body(shadowCaseList{Items: items}), err
		})
	register(a, api, huma.Operation{OperationID: "get-shadow-case", Method: http.MethodGet, Path: "/shadow-cases/{id}", Tags: tags,
		Summary: "A shadow case with its evidence and history", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *struct {
			ID int64 `path:"id" minimum:"1"`
		}) (*Body[spend.CaseDetail], error) {
			d, err := a.Spend.Case(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "act-on-shadow-case", Method: http.MethodPost, Path: "/shadow-cases/{id}/{action}", Tags: tags,
		Summary: "Reach out, replace, onboard, sanction or dismiss", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "The department's BRM and administrators. reach_out opens a need in the front door for the department's head, " +
			"submitted; replace makes a quote for the people seen (offering_id, or the first catalog alternative's); onboard adds a " +
			"planned, brokered catalog service for the vendor; sanction needs security_verdict and review_by; dismiss needs a reason. " +
			"Sending the action that brought the case where it is again answers with the case unchanged; another action on a closed case is 409."},
		func(ctx context.Context, p *access.Principal, in *shadowCaseAction) (*Body[spend.ShadowCase], error) {
			c, err := a.Spend.ActOnCase(ctx, p, in.ID, in.Action, in.Body)
			return body(c), err
		})
}

func (a *API) registerShadowMeasures(api huma.API) {
	register(a, api, huma.Operation{OperationID: "get-shadow-measures", Method: http.MethodGet, Path: "/shadow-measures", Tags: []string{"Shadow IT"},
		Summary: "Shadow IT measures",
		Description: "Over the 12 complete months before the current one: each department's shadow spend as a share of its technology spend " +
			"(statements + shadow, in one currency, month by month), cases opened and resolved, median days to resolution, the annual run " +
			"rate moved into the catalog (cases replaced or onboarded) and the yearly saving of the cases replaced. The statements' rule."},
		func(ctx context.Context, p *access.Principal, in *struct {
			DepartmentID int64 `query:"department_id" minimum:"0" doc:"Only this department."`
		}) (*Body[spend.ShadowMeasures], error) {
			m, err := a.Spend.Measures(ctx, p, in.DepartmentID)
			return body(m), err
		})
}

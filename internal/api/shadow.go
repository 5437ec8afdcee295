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

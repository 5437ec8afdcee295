package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/focus"
)

// cloudImportInput is a FOCUS file sent as the raw request body. The body
// is not read by huma (which would hold it in memory) but streamed to a
// temporary file, which the import then reads.
type cloudImportInput struct {
	Name          string `query:"name" maxLength:"255" doc:"The file's name, for the report."`
	Basis         string `query:"basis" enum:"effective,billed," doc:"The cost to allocate: effective (EffectiveCost, the default) or billed (BilledCost)."`
	Dates         string `query:"dates" enum:"mdy,dmy," doc:"How to read dates like 5/1/25, which FOCUS does not allow: mdy or dmy. Rows with such dates are rejected otherwise."`
	Currency      string `query:"currency" pattern:"^[A-Za-z]{3}$" doc:"The currency of a file without a BillingCurrency column."`
	AcceptPartial bool   `query:"accept_partial" doc:"Import the readable rows of a file in which some rows cannot be read; by default such a file is refused whole (422, each row located). A file cut in its last row is always refused."`

	body io.Reader
}

// Resolve keeps the request body to stream it.
func (in *cloudImportInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// cloudUploadTime gives someone who may import cloud bills the time to
// send one (cloudbill.UploadTime), beyond the server's limit on a request.
func (a *API) cloudUploadTime(ctx huma.Context, next func(huma.Context)) {
	if a.CloudBill.MayImport(access.FromContext(ctx.Context())) == nil {
		_, w := humago.Unwrap(ctx)
		rc, deadline := http.NewResponseController(w), time.Now().Add(cloudbill.UploadTime)
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
	}
	next(ctx)
}

type cloudRulePut struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1" doc:"The version you read; a stale version is refused with 409."`
		cloudbill.AllocationRuleInput
	}
}

type cloudRuleDelete struct {
	ID      int64 `path:"id" minimum:"1"`
	Version int   `query:"version" minimum:"1" required:"true" doc:"The version you read."`
}

type cloudPeriodPath struct {
	Period string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"A billing period: YYYY-MM"`
}

type cloudChargeList struct {
	ListParams
	Period       string `query:"period" required:"true" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The billing period, YYYY-MM."`
	DepartmentID int64  `query:"department_id" minimum:"0" doc:"The department whose share to list; absent or 0 for the unallocated bucket (finance and administrators)."`
	Provider     string `query:"provider" doc:"Only this provider's charges."`
	ServiceName  string `query:"service_name" doc:"Only this service's charges, as on the statement line."`
}

type unallocatedOutput struct {
	Period string                       `json:"period"`
	Items  []cloudbill.UnallocatedTotal `json:"items" nullable:"false"`
}

// focusContentTypes are the media types a FOCUS file may be sent as; the
// format is told by the file's first bytes.
var focusContentTypes = []string{"text/csv", "application/gzip", "application/vnd.apache.parquet", "application/octet-stream"}

func (a *API) registerCloudBill(api huma.API) {
	tags := []string{"Cloud bills"}
	notFound := []int{http.StatusNotFound}
	upload := &huma.RequestBody{Required: true, Description: "A FOCUS file (1.0 to 1.3): CSV, gzip-compressed CSV or Parquet.", Content: map[string]*huma.MediaType{}}
	for _, ct := range focusContentTypes {
		upload.Content[ct] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
	}
	register(a, api, huma.Operation{OperationID: "import-cloud-bill", Method: http.MethodPost, Path: "/cloud-imports", Tags: tags,
		Summary: "Import a FOCUS cloud bill", DefaultStatus: http.StatusCreated, RequestBody: upload, Errors: []int{http.StatusConflict},
		Middlewares: huma.Middlewares{a.cloudUploadTime},
		Description: "Finance and administrators. Send the file as the request body. Rows already stored (same content) are counted as " +
			"duplicates and not added again; rows of a closed period and rows that cannot be read are rejected and listed with their line " +
			"(the rest is imported). The new rows are allocated to departments by the allocation rules. A file that cannot be read at all " +
			"is refused and nothing is stored. Amounts are exact decimal strings."},
		func(ctx context.Context, p *access.Principal, in *cloudImportInput) (*Body[cloudbill.CloudImport], error) {
			if err := a.CloudBill.MayImport(p); err != nil {
				return nil, err
			}
			file, remove, err := focus.Spool(&limitedBody{r: in.body, max: cloudbill.MaxFileSize,
				hint: "Send a file of at most %d MiB; split larger bills by month or compress them with gzip."})
			if err != nil {
				return nil, err
			}
			defer remove()
			rep, err := a.CloudBill.Import(ctx, p, in.Name, file, cloudbill.ImportOptions{Basis: cloudbill.Basis(in.Basis),
				SlashDates: focus.DateOrder(strings.ToUpper(in.Dates)), DefaultCurrency: in.Currency, AcceptPartial: in.AcceptPartial})
			// The options come in the query; the body is the file.
			fields := engage.ErrorFields(err)
			for i := range fields {
				if fields[i].Field == "basis" || fields[i].Field == "dates" || fields[i].Field == "currency" {
					fields[i].Field = "query." + fields[i].Field
				}
			}
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-cloud-imports", Method: http.MethodGet, Path: "/cloud-imports", Tags: tags,
		Summary: "List cloud bill imports", Description: "Finance and administrators. Newest first, each with its report."},
		func(ctx context.Context, p *access.Principal, in *ListParams) (*Page[cloudbill.CloudImport], error) {
			items, next, err := a.CloudBill.ListImports(ctx, p, in.Cursor, in.Limit)
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-cloud-import", Method: http.MethodGet, Path: "/cloud-imports/{id}", Tags: tags,
		Summary: "The report of a cloud bill import", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[cloudbill.CloudImport], error) {
			rep, err := a.CloudBill.FindImport(ctx, p, in.ID)
			return body(rep), err
		})

	register(a, api, huma.Operation{OperationID: "list-cloud-allocation-rules", Method: http.MethodGet, Path: "/cloud-allocation-rules", Tags: tags,
		Summary: "List cloud allocation rules", Description: "Finance and administrators. In the order they are tried: the first rule that matches a charge decides."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[cloudbill.AllocationRule], error) {
			rules, err := a.CloudBill.ListRules(ctx, p)
			return page(rules, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-cloud-allocation-rule", Method: http.MethodPost, Path: "/cloud-allocation-rules", Tags: tags,
		Summary: "Add a cloud allocation rule", DefaultStatus: http.StatusCreated,
		Description: "Finance and administrators. A split's percentages must add up to exactly 100. Rules apply to charges imported from now on; " +
			"reallocate an open period to apply them to its charges."},
		func(ctx context.Context, p *access.Principal, in *Body[cloudbill.AllocationRuleInput]) (*Body[cloudbill.AllocationRule], error) {
			r, err := a.CloudBill.CreateRule(ctx, p, in.Body)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "get-cloud-allocation-rule", Method: http.MethodGet, Path: "/cloud-allocation-rules/{id}", Tags: tags,
		Summary: "A cloud allocation rule", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[cloudbill.AllocationRule], error) {
			r, err := a.CloudBill.FindRule(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "update-cloud-allocation-rule", Method: http.MethodPut, Path: "/cloud-allocation-rules/{id}", Tags: tags,
		Summary: "Replace a cloud allocation rule", Description: "Finance and administrators. Send every field and the version you read.",
		Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *cloudRulePut) (*Body[cloudbill.AllocationRule], error) {
			r, err := a.CloudBill.UpdateRule(ctx, p, in.ID, in.Body.Version, in.Body.AllocationRuleInput)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "delete-cloud-allocation-rule", Method: http.MethodDelete, Path: "/cloud-allocation-rules/{id}", Tags: tags,
		Summary: "Remove a cloud allocation rule", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Finance and administrators. The rule is archived: allocations already made keep naming it."},
		func(ctx context.Context, p *access.Principal, in *cloudRuleDelete) (*struct{}, error) {
			return nil, a.CloudBill.DeleteRule(ctx, p, in.ID, in.Version)
		})

	register(a, api, huma.Operation{OperationID: "reallocate-cloud-period", Method: http.MethodPost, Path: "/cloud-periods/{period}/reallocate", Tags: tags,
		Summary: "Re-run the allocation rules over a period", Errors: []int{http.StatusConflict},
		Description: "Finance and administrators. Replaces the period's cloud allocations in one go; a closed period is refused."},
		func(ctx context.Context, p *access.Principal, in *cloudPeriodPath) (*Body[cloudbill.ReallocationReport], error) {
			rep, err := a.CloudBill.Reallocate(ctx, p, in.Period)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-unallocated-cloud-charges", Method: http.MethodGet, Path: "/cloud-periods/{period}/unallocated", Tags: tags,
		Summary: "What no rule allocated in a period", Description: "Finance and administrators. Per provider, currency and service, exact."},
		func(ctx context.Context, p *access.Principal, in *cloudPeriodPath) (*Body[unallocatedOutput], error) {
			items, err := a.CloudBill.Unallocated(ctx, p, in.Period)
			if items == nil {
				items = []cloudbill.UnallocatedTotal{}
			}
			return body(unallocatedOutput{Period: in.Period, Items: items}), err
		})
	register(a, api, huma.Operation{OperationID: "list-cloud-charges", Method: http.MethodGet, Path: "/cloud-charges", Tags: tags,
		Summary: "The cloud charges behind a statement line",
		Description: "The FOCUS rows allocated to a department in a period (optionally of one provider and service), each with the share the " +
			"department was given. For finance, administrators and whoever may read the department's data; the unallocated bucket " +
			"(no department) for finance and administrators."},
		func(ctx context.Context, p *access.Principal, in *cloudChargeList) (*Page[cloudbill.CloudCharge], error) {
			items, next, err := a.CloudBill.Charges(ctx, p, cloudbill.ChargeFilter{Period: in.Period, DepartmentID: in.DepartmentID,
				Provider: in.Provider, ServiceName: in.ServiceName, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
}

package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

// usageInput is a batch of usage records sent as the request body. The
// body is not read by huma (which would hold it in memory) but read as it
// arrives, a chunk of records at a time.
type usageInput struct {
	AcceptPartial bool   `query:"accept_partial" doc:"Store the valid records of a batch in which some are refused, and report the others; by default any refused record refuses the whole batch (422)"`
	Atomic        bool   `query:"atomic" doc:"Refuse the whole batch when any record is invalid: the default; with accept_partial it wins"`
	Late          string `query:"late" enum:"adjust,refuse" default:"adjust" doc:"Usage for a closed period: adjust charges it by an adjustment in the next open period; refuse refuses it"`

	body io.Reader
}

// Resolve keeps the request body to stream it.
func (in *usageInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// maxUsageBody bounds one request: it is one transaction.
const maxUsageBody = 256 << 20

// usageChunk is how many records are read before they are stored.
const usageChunk = 50000

type periodPath struct {
	Period string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" example:"2026-03"`
}

type statementList struct {
	Period       string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$"`
	DepartmentID int64  `query:"department_id"`
}

type lateUsagePath struct {
	ID    int64 `path:"id" minimum:"1"`
	Limit int   `query:"limit" minimum:"0" maximum:"5000" default:"500"`
}

type lateUsage struct {
	Adjustment billing.LateAdjustment `json:"adjustment"`
	Records    []billing.UsageRecord  `json:"records" nullable:"false"`
}

type usageList struct {
	Period       string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$"`
	DepartmentID int64  `query:"department_id" required:"true"`
	OfferingID   int64  `query:"offering_id" required:"true"`
	Limit        int    `query:"limit" minimum:"0" maximum:"5000" default:"500"`
}

// limitedBody fails once more than max bytes were read; hint says what to
// do instead (by default: split the usage into batches).
type limitedBody struct {
	r    io.Reader
	n    int64
	max  int64
	hint string
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.r == nil {
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	if l.n += int64(n); l.n > l.max {
		hint := l.hint
		if hint == "" {
			hint = "Send at most %d MiB of usage a request; split larger batches."
		}
		return n, &engage.Error{Code: engage.ETOOLARGE, Message: "The body is too large.", Fields: []engage.FieldError{{Field: "body",
			Message: fmt.Sprintf(hint, l.max>>20)}}}
	}
	return n, err
}

func (a *API) registerBilling(api huma.API) {
	tags := []string{"Billing"}
	// The body's schema is added to the document after registering: with
	// a JSON schema at registration huma would read and validate the body
	// itself, whole, before the handler could stream it.
	usageBody := &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/json":     {},
		"application/x-ndjson": {Schema: &huma.Schema{Type: "string", Description: "One usage record (as in the JSON array) a line."}},
	}}
	defer func() {
		usageBody.Content["application/json"].Schema = api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf([]billing.UsageInput{}), true, "")
	}()
	register(a, api, huma.Operation{OperationID: "ingest-usage", Method: http.MethodPost, Path: "/usage", Tags: tags,
		Summary: "Send metered usage", RequestBody: usageBody, Errors: []int{http.StatusConflict},
		Description: "Finance role. A JSON array of records, or NDJSON (one record a line). The body is read as it arrives, at most " +
			"256 MiB, in one transaction. Records are checked one by one; the same idempotency key is stored once. By default " +
			"any refused record refuses the whole batch (422, with the first 1,000 refusals located as body[N].field); with " +
			"accept_partial=true the valid records are stored and the refused ones reported by position. Records for a closed " +
			"period are charged by an adjustment in the next open period, unless late=refuse."},
		func(ctx context.Context, p *access.Principal, in *usageInput) (*Body[billing.IngestReport], error) {
			rd := billing.NewUsageReader(&limitedBody{r: in.body, max: maxUsageBody})
			opts := billing.IngestOptions{AcceptPartial: in.AcceptPartial && !in.Atomic, RefuseLate: in.Late == "refuse"}
			rep, err := a.Billing.IngestStream(ctx, p, func() (billing.UsageChunk, error) { return rd.Next(usageChunk) }, opts)
			if err == nil && rep.Atomic && rep.Rejected > 0 {
				return nil, refusedBatch(rep)
			}
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-billing-periods", Method: http.MethodGet, Path: "/billing/periods", Tags: tags, Summary: "Billing periods"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[billing.Period], error) {
			list, err := a.Billing.Periods(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "run-billing", Method: http.MethodPost, Path: "/billing/periods/{period}/run", Tags: tags,
		Summary: "Rate a period and replace its statements", Description: "Finance. Refused on a closed period; repeatable with identical results.",
		Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *periodPath) (*Body[billing.RunReport], error) {
			rep, err := a.Billing.Run(ctx, p, in.Period)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "close-billing-period", Method: http.MethodPost, Path: "/billing/periods/{period}/close", Tags: tags,
		Summary: "Run a period one last time and close it", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *periodPath) (*Body[billing.RunReport], error) {
			rep, err := a.Billing.Close(ctx, p, in.Period)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-statements", Method: http.MethodGet, Path: "/statements", Tags: tags,
		Summary: "Statements you may read", Description: "A department's budget holders and those above, its BRM, finance, the board and admins."},
		func(ctx context.Context, p *access.Principal, in *statementList) (*Page[billing.Statement], error) {
			list, err := a.Billing.Statements(ctx, p, billing.StatementFilter{Period: in.Period, DepartmentID: in.DepartmentID})
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-statement", Method: http.MethodGet, Path: "/statements/{id}", Tags: tags,
		Summary: "A statement with its lines", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[billing.Statement], error) {
			st, err := a.Billing.Statement(ctx, p, in.ID)
			return body(st), err
		})
	register(a, api, huma.Operation{OperationID: "list-usage", Method: http.MethodGet, Path: "/billing/periods/{period}/usage", Tags: tags,
		Summary: "The usage records behind a usage line"},
		func(ctx context.Context, p *access.Principal, in *usageList) (*Page[billing.UsageRecord], error) {
			list, err := a.Billing.Usage(ctx, p, in.Period, in.DepartmentID, in.OfferingID, in.Limit)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-late-usage", Method: http.MethodGet, Path: "/billing/adjustments/{id}/usage", Tags: tags,
		Summary: "A late-usage adjustment and the records it charges", Errors: []int{http.StatusNotFound},
		Description: "The source of a statement line late-usage:ID. Readable by those who may read the department's statements."},
		func(ctx context.Context, p *access.Principal, in *lateUsagePath) (*Body[lateUsage], error) {
			adj, recs, err := a.Billing.LateUsage(ctx, p, in.ID, in.Limit)
			return body(lateUsage{Adjustment: adj, Records: recs}), err
		})
	register(a, api, huma.Operation{OperationID: "create-adjustment", Method: http.MethodPost, Path: "/billing/adjustments", Tags: tags,
		Summary: "Correct charges in the next open period", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[billing.AdjustmentInput]) (*Body[map[string]string], error) {
			period, err := a.Billing.Adjust(ctx, p, in.Body)
			return body(map[string]string{"period": period, "message": fmt.Sprintf("The adjustment appears in %s.", period)}), err
		})
}

// refusedBatch lists the records that refused a batch.
func refusedBatch(rep billing.IngestReport) error {
	e := &engage.Error{Code: engage.EINVALID, Message: fmt.Sprintf("%d of %d records cannot be taken; nothing was stored. Fix them, or send accept_partial=true to store the others.",
		rep.Rejected, rep.Received)}
	for _, x := range rep.Errors {
		e.Fields = append(e.Fields, engage.FieldError{Field: fmt.Sprintf("[%d].%s", x.Position, x.Field), Message: x.Message})
	}
	if more := rep.Rejected - len(rep.Errors); more > 0 {
		e.Fields = append(e.Fields, engage.FieldError{Field: "body", Message: fmt.Sprintf("… and %d more refused records.", more)})
	}
	return e
}

func containsPosition(errs []billing.RecordError, i int) bool {
	for _, e := range errs {
		if e.Position == i {
			return true
		}
	}
	return false
}

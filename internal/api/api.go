// Package api is Engage's REST API under /api/v1, described by the OpenAPI
// 3.1 document it serves at /api/v1/openapi.json. Errors are RFC 9457
// problem documents naming each invalid field. Handlers translate between
// JSON and the product services, which hold every rule.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idempotency"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// API serves /api/v1.
type API struct {
	// Services are the product services every operation calls into.
	product.Services

	Logger  *slog.Logger
	Version string

	// Idempotency keeps the answers to POSTs sent with an Idempotency-Key.
	Idempotency *idempotency.Store
}

// Register adds every operation to mux and returns the huma API, whose
// OpenAPI document describes exactly what was registered.
func (a *API) Register(mux *http.ServeMux) huma.API {
	cfg := huma.DefaultConfig("Engage API", a.Version)
	cfg.Info.Description = "The front door through which business units engage their IT organisation. " +
		"Authenticate with an API token: `Authorization: Bearer <token>` (create one on your account page or with `engage token create`).\n\n" +
		"Money and quantities are exact decimal strings, never floating-point numbers. The amounts of statements, statement lines, " +
		"quotes and orders are written with their currency's minor unit (\"58.00\" EUR, \"1235\" JPY); unit prices, exact amounts " +
		"and quantities keep their full precision. Every number has a range: amounts (adjustments, fees, budgets, option costs, " +
		"cost pools) are below 10^15 in size, also once rounded to their currency's minor unit, with at most 4 decimal places; statement " +
		"lines and totals stay below 10^15 in size (a billing run that would exceed it fails, naming the line); unit prices are 0 or more, below 10^12, with at most 10; " +
		"quantities are 0 or more, below 10^15, with at most 6. Currencies are ISO 4217 codes the organisation uses (its configured " +
		"`currencies`, by default EUR, USD, GBP, CHF and JPY). A value outside its range is refused (422) naming the field."
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = "" // the bundled docs page loads scripts from a CDN; Engage makes no outside requests
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links in responses
	cfg.Servers = []*huma.Server{{URL: Prefix}}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An Engage API token."},
	}
	registerMoneyTypes(cfg.Components.Schemas)
	registerNeedTypes(cfg.Components.Schemas)
	api := humago.NewWithPrefix(mux, Prefix, cfg)
	// Every operation needs a principal: a request without one is refused
	// before its body is read, so an anonymous client cannot send one.
	api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		if access.FromContext(ctx.Context()) == nil {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "Send an API token: Authorization: Bearer <token>.")
			return
		}
		next(ctx)
	})
	api.UseMiddleware(refuseUndocumentedBodies(api))
	api.UseMiddleware(refuseNulls(api))
	api.UseMiddleware(refuseEmptyValues(api))
	api.UseMiddleware(a.idempotent(api))
	a.registerMe(api)
	a.registerOrg(api)
	a.registerAudit(api)
	a.registerTokens(api)
	a.registerCatalog(api)
	a.registerFrontDoor(api)
	a.registerProcesses(api)
	a.registerBackstage(api)
	a.registerLandscape(api)
	a.registerProcessCosts(api)
	a.registerPortfolio(api)
	a.registerBilling(api)
	a.registerBillingExports(api)
	a.registerEvents(api)
	a.registerApprovals(api)
	a.registerNotify(api)
	a.registerCosts(api)
	a.registerCloudBill(api)
	a.registerDiscussions(api)
	a.registerCommunities(api)
	a.registerIdeas(api)
	a.registerPulses(api)
	a.registerEngagement(api)
	a.registerSpend(api)
	a.registerSpendLearning(api)
	a.registerShadow(api)
	a.registerShadowCases(api)
	a.registerShadowMeasures(api)
	a.registerSeats(api)
	a.exactRequests(api)
	documentExamples(api.OpenAPI())
	refuseShadowedMethods(mux, api.OpenAPI())
	return api
}

// MaxBody bounds a request body the API reads whole (JSON, and the CSV
// files of organisation data and cost pools); usage and cloud bills are
// streamed, with bounds of their own.
const MaxBody = 1 << 20

// handler is the shape of every operation: the signed-in principal and the
// decoded input in, the output or an error out.
type handler[I, O any] func(ctx context.Context, p *access.Principal, in *I) (*O, error)

// register adds an operation that requires authentication and converts the
// services' errors to problem documents.
func register[I, O any](a *API, api huma.API, op huma.Operation, h handler[I, O]) {
	op.Security = []map[string][]string{{"bearer": {}}}
	// huma bounds a JSON body by itself, but reads a raw body (a CSV file)
	// whole, of any size; every body huma reads has the same bound.
	if op.MaxBodyBytes == 0 {
		op.MaxBodyBytes = MaxBody
	}
	op.Errors = append([]int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity}, op.Errors...)
	op.Errors = append(op.Errors, impliedStatuses[I](op)...)
	if _, file := any((*O)(nil)).(*csvOutput); file && op.Responses == nil {
		op.Responses = csvResponse(op.Summary)
	}
	if op.Method == http.MethodPost {
		op.Parameters = append(op.Parameters, idempotencyParam)
		if !slices.Contains(op.Errors, http.StatusConflict) {
			op.Errors = append(op.Errors, http.StatusConflict)
		}
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		p := access.FromContext(ctx)
		if p == nil {
			return nil, huma.Error401Unauthorized("Send an API token: Authorization: Bearer <token>.")
		}
		if err := checkText(in); err != nil {
			return nil, a.problem(ctx, err, op.Method)
		}
		out, err := h(ctx, p, in)
		if err != nil {
			return nil, a.problem(ctx, err, op.Method)
		}
		return out, nil
	})
}

// impliedStatuses are the error statuses an operation can answer because
// of its shape: 404 when its path names something that may not exist, 400
// (a body that is not well-formed), 413 (a body over its bound) and 415 (a
// body of a media type it does not take) when it reads a body.
func impliedStatuses[I any](op huma.Operation) []int {
	var statuses []int
	if strings.Contains(op.Path, "{") {
		statuses = append(statuses, http.StatusNotFound)
	}
	hasBody := op.RequestBody != nil
	if in := reflect.TypeFor[I](); in.Kind() == reflect.Struct {
		_, body := in.FieldByName("Body")
		_, raw := in.FieldByName("RawBody")
		hasBody = hasBody || body || raw
	}
	if hasBody {
		statuses = append(statuses, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	return slices.DeleteFunc(statuses, func(s int) bool { return slices.Contains(op.Errors, s) })
}

// problem converts a service error to an RFC 9457 problem with the invalid
// fields named by their location in the request.
func (a *API) problem(ctx context.Context, err error, method string) error {
	status := engage.HTTPStatus(err)
	if status >= 500 {
		a.Logger.ErrorContext(ctx, "API request failed", "err", err)
		return huma.NewError(status, engage.ErrorMessage(err))
	}
	var details []error
	for _, f := range engage.ErrorFields(err) {
		details = append(details, &huma.ErrorDetail{Message: f.Message, Location: location(f.Field, method)})
	}
	return huma.NewError(status, engage.ErrorMessage(err), details...)
}

func location(field, method string) string {
	switch {
	case field == "body": // the request body as a whole
		return "body"
	case field == "cursor" || field == "limit":
		return "query." + field
	case strings.HasPrefix(field, "query.") || strings.HasPrefix(field, "path.") || strings.HasPrefix(field, "header."):
		return field
	case strings.HasPrefix(field, "line "):
		return "body " + field
	case strings.HasPrefix(field, "["): // an element of the body's array
		return "body" + field
	case method == http.MethodGet || method == http.MethodDelete:
		return "query." + field
	}
	return "body." + field
}

// Page is the envelope of list responses.
type Page[T any] struct {
	Body struct {
		Items      []T    `json:"items" nullable:"false"`
		NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

func page[T any](items []T, next string) *Page[T] {
	p := &Page[T]{}
	if items == nil {
		items = []T{}
	}
	p.Body.Items, p.Body.NextCursor = items, next
	return p
}

// ListParams are the paging parameters every list takes.
type ListParams struct {
	Cursor string `query:"cursor" doc:"Opaque cursor from the previous page's next_cursor."`
	Limit  int    `query:"limit" minimum:"0" maximum:"500" default:"50" doc:"Page size (at most 500)."`
}

// Body wraps a single response body.
type Body[T any] struct {
	Body T
}

func body[T any](v T) *Body[T] { return &Body[T]{Body: v} }

// IDPath is an operation on one thing by id.
type IDPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type meOutput struct {
	Person  org.Person `json:"person"`
	Covered []int64    `json:"covered_department_ids" nullable:"false" doc:"Departments, besides their own, whose data this person may read."`
	Via     string     `json:"authenticated_by" enum:"session,token"`
}

func (a *API) registerMe(api huma.API) {
	register(a, api, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/me", Tags: []string{"Accounts"},
		Summary: "Who am I", Description: "The person the token or session acts as, with their roles."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[meOutput], error) {
			me, err := a.Org.FindPerson(ctx, p, p.PersonID)
			if err != nil {
				return nil, err
			}
			covered := p.Covered
			if covered == nil {
				covered = []int64{}
			}
			return body(meOutput{Person: me, Covered: covered, Via: p.Via}), nil
		})
}

// fieldError is a one-field EINVALID error for input the handler parses.
func fieldError(field, msg string) error {
	return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.", Fields: []engage.FieldError{{Field: field, Message: msg}}}
}

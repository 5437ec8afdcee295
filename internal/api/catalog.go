package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// registerMoneyTypes makes exact decimals and dates strings in the API:
// amounts travel as "6.50", never as floating-point numbers.
func registerMoneyTypes(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeOf(decimal.Decimal{}), reflect.TypeOf(decimalText("")))
	r.RegisterTypeAlias(reflect.TypeOf(catalog.Date{}), reflect.TypeOf(dateText("")))
}

// decimalPattern is how an exact decimal is written: digits, optionally a
// sign, a fractional part and a power of ten ("12.50", "-3", "1e3"); the
// number it writes must still be within its field's range.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`

// decimalText is how the document describes decimal.Decimal.
type decimalText string

// Schema describes an exact decimal string.
func (decimalText) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Pattern: decimalPattern, Examples: []any{"12.50"},
		Description: "An exact decimal number written as a string."}
}

// dateText is how the document describes catalog.Date.
type dateText string

// Schema describes a calendar date.
func (dateText) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date"}
}

type serviceList struct {
	Query     string   `query:"q" doc:"Words to search for; tolerates word forms and small typos."`
	Family    []string `query:"family" doc:"Any of these families."`
	Kind      []string `query:"kind"`
	Delivery  []string `query:"delivery" doc:"cloud or legacy"`
	Sourcing  []string `query:"sourcing"`
	Lifecycle []string `query:"lifecycle" doc:"Default: everything but retired."`
	Limit     int      `query:"limit" minimum:"0" maximum:"200" default:"50"`
	Offset    int      `query:"offset" minimum:"0"`
}

type servicePath struct {
	Service string `path:"service" doc:"Id or URL name"`
}

// servicePatch and offeringCreate name the service by id under the same
// path template as servicePath: OpenAPI allows one template per path.
type servicePatch struct {
	ID   int64 `path:"service" minimum:"1" doc:"The service's id"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		catalog.ServiceInput
	}
}

type offeringCreate struct {
	ID   int64 `path:"service" minimum:"1" doc:"The service's id"`
	Body struct {
		catalog.OfferingInput
		RatePlans []catalog.RatePlan `json:"rate_plans"`
	}
}

type offeringPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		catalog.OfferingInput
	}
}

type planCreate struct {
	ID   int64 `path:"id" minimum:"1" doc:"The offering"`
	Body catalog.RatePlan
}

type compareInput struct {
	OfferingIDs []int64 `query:"offering_id" required:"true" minItems:"2" maxItems:"4" doc:"Two to four offerings."`
	Quantity    string  `query:"quantity" default:"1" pattern:"^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$" doc:"How many, as a decimal string."`
}

type numberPath struct {
	Number string `path:"number"`
}

type orderInput struct {
	Number string `path:"number"`
	Body   catalog.OrderInput
}

type subscriptionList struct {
	DepartmentID int64  `query:"department_id" doc:"Your own department when absent."`
	ServiceID    int64  `query:"service_id"`
	ActiveOn     string `query:"active_on" format:"date" doc:"Only subscriptions running on this date (YYYY-MM-DD)."`
}

type subscriptionChange struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Quantity decimal.Decimal `json:"quantity"`
		catalog.OrderInput
	}
}

type subscriptionCancel struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		catalog.OrderInput
	}
}

type orderList struct {
	DepartmentID int64  `query:"department_id"`
	Mine         bool   `query:"mine"`
	Status       string `query:"status" enum:"pending,approved,declined,cancelled,"`
	Limit        int    `query:"limit" minimum:"0" maximum:"500" default:"100"`
}

func (a *API) registerCatalog(api huma.API) {
	tags := []string{"Catalog"}
	register(a, api, huma.Operation{OperationID: "list-services", Method: http.MethodGet, Path: "/services", Tags: tags,
		Summary: "Search and browse services", Description: "Relevance-ranked when q is given, by name otherwise; facets count every match."},
		func(ctx context.Context, p *access.Principal, in *serviceList) (*Body[catalog.Page], error) {
			page, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: in.Query, Families: in.Family, Kinds: in.Kind,
				DeliveryModels: in.Delivery, Sourcings: in.Sourcing, Lifecycles: in.Lifecycle, Limit: in.Limit, Offset: in.Offset})
			return body(page), err
		})
	register(a, api, huma.Operation{OperationID: "create-service", Method: http.MethodPost, Path: "/services", Tags: tags,
		Summary: "Add a service", Description: "Administrators and service owners.", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[catalog.ServiceInput]) (*Body[catalog.Service], error) {
			s, err := a.Catalog.CreateService(ctx, p, in.Body)
			return body(s), err
		})
	register(a, api, huma.Operation{OperationID: "get-service", Method: http.MethodGet, Path: "/services/{service}", Tags: tags,
		Summary: "A service with its offerings, prices and consumers", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *servicePath) (*Body[catalog.ServiceDetail], error) {
			d, err := a.Catalog.FindService(ctx, p, in.Service)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "update-service", Method: http.MethodPut, Path: "/services/{service}", Tags: tags,
		Summary: "Replace a service's description", Description: "Send every field and the version you read.", Errors: []int{http.StatusConflict, http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *servicePatch) (*Body[catalog.Service], error) {
			s, err := a.Catalog.UpdateService(ctx, p, in.ID, in.Body.Version, in.Body.ServiceInput)
			return body(s), err
		})
	register(a, api, huma.Operation{OperationID: "create-offering", Method: http.MethodPost, Path: "/services/{service}/offerings", Tags: tags,
		Summary: "Add an offering with its prices", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *offeringCreate) (*Body[catalog.Offering], error) {
			o, err := a.Catalog.CreateOffering(ctx, p, in.ID, in.Body.OfferingInput, in.Body.RatePlans)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "get-offering", Method: http.MethodGet, Path: "/offerings/{id}", Tags: tags, Summary: "An offering with its prices",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[catalog.Offering], error) {
			o, _, err := a.Catalog.FindOffering(ctx, p, in.ID)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "update-offering", Method: http.MethodPut, Path: "/offerings/{id}", Tags: tags,
		Summary: "Replace an offering's description", Description: "Prices change through rate plans.", Errors: []int{http.StatusConflict, http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *offeringPatch) (*Body[catalog.Offering], error) {
			o, err := a.Catalog.UpdateOffering(ctx, p, in.ID, in.Body.Version, in.Body.OfferingInput)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "add-rate-plan", Method: http.MethodPost, Path: "/offerings/{id}/rate-plans", Tags: tags,
		Summary: "Change an offering's price from a date", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound},
		Description: "A plan starting after the current open-ended plan closes it on that date; other overlaps are refused, and prices already charged never change."},
		func(ctx context.Context, p *access.Principal, in *planCreate) (*Body[catalog.Offering], error) {
			o, err := a.Catalog.AddRatePlan(ctx, p, in.ID, in.Body)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "compare-offerings", Method: http.MethodGet, Path: "/compare", Tags: tags,
		Summary: "Compare two to four offerings", Description: "Monthly, one-time and three-year cost for one quantity, with a one-sentence summary."},
		func(ctx context.Context, p *access.Principal, in *compareInput) (*Body[catalog.Comparison], error) {
			qty, err := decimal.NewFromString(in.Quantity)
			if err != nil {
				return nil, fieldError("quantity", "Give the quantity as a number, such as 20.")
			}
			c, err := a.Catalog.Compare(ctx, p, in.OfferingIDs, qty)
			return body(c), err
		})

	qtags := []string{"Quotes and orders"}
	register(a, api, huma.Operation{OperationID: "price-quote", Method: http.MethodPost, Path: "/quotes/preview", Tags: qtags,
		Summary: "Price a quote without saving it"},
		func(ctx context.Context, p *access.Principal, in *Body[catalog.QuoteInput]) (*Body[catalog.Quote], error) {
			q, err := a.Catalog.PriceQuote(ctx, p, in.Body)
			return body(q), err
		})
	register(a, api, huma.Operation{OperationID: "create-quote", Method: http.MethodPost, Path: "/quotes", Tags: qtags,
		Summary: "Get a numbered quote for your department", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[catalog.QuoteInput]) (*Body[catalog.Quote], error) {
			q, err := a.Catalog.CreateQuote(ctx, p, in.Body)
			return body(q), err
		})
	register(a, api, huma.Operation{OperationID: "get-quote", Method: http.MethodGet, Path: "/quotes/{number}", Tags: qtags, Summary: "A quote",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *numberPath) (*Body[catalog.Quote], error) {
			q, err := a.Catalog.FindQuote(ctx, p, in.Number)
			return body(q), err
		})
	register(a, api, huma.Operation{OperationID: "order-quote", Method: http.MethodPost, Path: "/quotes/{number}/order", Tags: qtags,
		Summary: "Order a quote", Description: "The order goes through the approval policy that applies; with none, it takes effect at once.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *orderInput) (*Body[catalog.Order], error) {
			o, err := a.Catalog.OrderQuote(ctx, p, in.Number, in.Body)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "list-orders", Method: http.MethodGet, Path: "/orders", Tags: qtags, Summary: "Orders you may see, newest first"},
		func(ctx context.Context, p *access.Principal, in *orderList) (*Page[catalog.Order], error) {
			list, err := a.Catalog.ListOrders(ctx, p, catalog.OrderFilter{DepartmentID: in.DepartmentID, Mine: in.Mine, Status: in.Status, Limit: in.Limit})
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-order", Method: http.MethodGet, Path: "/orders/{number}", Tags: qtags, Summary: "An order",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *numberPath) (*Body[catalog.Order], error) {
			o, err := a.Catalog.FindOrder(ctx, p, in.Number)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "list-subscriptions", Method: http.MethodGet, Path: "/subscriptions", Tags: qtags,
		Summary: "A department's subscriptions"},
		func(ctx context.Context, p *access.Principal, in *subscriptionList) (*Page[catalog.Subscription], error) {
			f := catalog.SubscriptionFilter{DepartmentID: in.DepartmentID, ServiceID: in.ServiceID}
			if f.DepartmentID == 0 {
				f.DepartmentID = p.DepartmentID
			}
			if in.ActiveOn != "" {
				d, err := catalog.ParseDate(in.ActiveOn)
				if err != nil {
					return nil, fieldError("active_on", "Write the date as YYYY-MM-DD.")
				}
				f.ActiveOn = &d
			}
			list, err := a.Catalog.ListSubscriptions(ctx, p, f)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "change-subscription", Method: http.MethodPost, Path: "/subscriptions/{id}/change", Tags: qtags,
		Summary: "Order a new quantity from a date", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *subscriptionChange) (*Body[catalog.Order], error) {
			o, err := a.Catalog.ChangeQuantity(ctx, p, in.ID, in.Body.Quantity, in.Body.OrderInput)
			return body(o), err
		})
	register(a, api, huma.Operation{OperationID: "cancel-subscription", Method: http.MethodPost, Path: "/subscriptions/{id}/cancel", Tags: qtags,
		Summary: "Order the end of a subscription", Description: "start_date is the last day of service.", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *subscriptionCancel) (*Body[catalog.Order], error) {
			o, err := a.Catalog.CancelSubscription(ctx, p, in.ID, in.Body.OrderInput)
			return body(o), err
		})

	atags := []string{"Announcements"}
	register(a, api, huma.Operation{OperationID: "list-announcements", Method: http.MethodGet, Path: "/announcements", Tags: atags,
		Summary: "Announcements meant for you, newest first"},
		func(ctx context.Context, p *access.Principal, in *struct {
			ServiceID int64 `query:"service_id"`
			Limit     int   `query:"limit" minimum:"0" maximum:"200" default:"20"`
		}) (*Page[catalog.Announcement], error) {
			list, err := a.Catalog.Announcements(ctx, p, catalog.AnnouncementFilter{ServiceID: in.ServiceID, Limit: in.Limit})
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-announcement", Method: http.MethodPost, Path: "/announcements", Tags: atags,
		Summary: "Announce a launch, change or retirement", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[catalog.AnnouncementInput]) (*Body[catalog.Announcement], error) {
			an, err := a.Catalog.Announce(ctx, p, in.Body)
			return body(an), err
		})
}

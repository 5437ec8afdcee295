package tmf

import (
	"net/http"
	"strconv"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
)

// TMF622 Product Ordering: a TMF order is an Engage order, its id the
// order's number, and goes through the same approval policies. States:
//
//	Engage order                          TMF622 state
//	pending (waiting for approval)        acknowledged
//	approved, starting after today        inProgress
//	approved, started                     completed
//	declined                              rejected
//	cancelled                             cancelled
//
// A cancelProductOrder withdraws a pending order's approval request; its id
// is the order's number.

func (h *Handler) routeOrders() {
	b := OrderBase
	h.handle(http.MethodGet, b+"/productOrder", h.listOrders)
	h.handle(http.MethodPost, b+"/productOrder", h.createOrder)
	h.handle(http.MethodGet, b+"/productOrder/{id}", h.getOrder)
	h.handle(http.MethodGet, b+"/cancelProductOrder", h.listCancellations)
	h.handle(http.MethodPost, b+"/cancelProductOrder", h.cancelOrder)
	h.handle(http.MethodGet, b+"/cancelProductOrder/{id}", h.getCancellation)
	h.routeHub(OrderBase, orderEvents)
}

// ProductOrderItem is TMF622's ProductOrderItem.
type ProductOrderItem struct {
	ID              string      `json:"id"`
	Action          string      `json:"action"`
	State           string      `json:"state"`
	Quantity        *int64      `json:"quantity,omitempty"`
	ProductOffering Ref         `json:"productOffering"`
	ItemPrice       []ItemPrice `json:"itemPrice"`
	Type            string      `json:"@type"`
}

// ProductOrder is TMF622's ProductOrder.
type ProductOrder struct {
	ID                 string             `json:"id"`
	Href               string             `json:"href"`
	Description        string             `json:"description,omitempty"`
	State              string             `json:"state"`
	OrderDate          string             `json:"orderDate"`
	RequestedStartDate string             `json:"requestedStartDate"`
	CompletionDate     string             `json:"completionDate,omitempty"`
	CancellationDate   string             `json:"cancellationDate,omitempty"`
	CancellationReason string             `json:"cancellationReason,omitempty"`
	Quote              []Ref              `json:"quote,omitempty"`
	RelatedParty       []Ref              `json:"relatedParty"`
	ProductOrderItem   []ProductOrderItem `json:"productOrderItem"`
	OrderTotalPrice    []ItemPrice        `json:"orderTotalPrice"`
	Type               string             `json:"@type"`
}

// orderState is the TMF622 state of an order on a day.
func orderState(o catalog.Order, today catalog.Date) string {
	switch o.Status {
	case catalog.OrderPending:
		return "acknowledged"
	case catalog.OrderApproved:
		if o.StartDate.After(today.Time) {
			return "inProgress"
		}
		return "completed"
	case catalog.OrderDeclined:
		return "rejected"
	}
	return "cancelled"
}

// itemAction is the TMF action of an order's kind.
func itemAction(kind string) string {
	switch kind {
	case catalog.OrderChange:
		return "modify"
	case catalog.OrderCancel:
		return "delete"
	}
	return "add"
}

func orderResource(o catalog.Order, today catalog.Date) ProductOrder {
	state := orderState(o, today)
	out := ProductOrder{ID: o.Number, Href: href(OrderBase, "productOrder", o.Number), Description: o.Note, State: state,
		OrderDate: dateTime(o.CreatedAt), RequestedStartDate: startOf(o.StartDate),
		RelatedParty: []Ref{party(o.RequesterID, o.RequesterName, "requester", "Individual"),
			party(o.DepartmentID, o.DepartmentName, "customer", "Organization")},
		ProductOrderItem: []ProductOrderItem{}, OrderTotalPrice: amounts(o.Currency, o.Monthly, o.OneTime, 0, o.OneTime), Type: "ProductOrder"}
	if o.PlacedByID != 0 {
		out.RelatedParty = append(out.RelatedParty, party(o.PlacedByID, o.PlacedByName, "placedBy", "Individual"))
	}
	if o.QuoteNumber != "" {
		out.Quote = []Ref{{ID: o.QuoteNumber, Href: href(QuoteBase, "quote", o.QuoteNumber), ReferredType: "Quote"}}
	}
	switch state {
	case "completed":
		out.CompletionDate = dateTime(o.UpdatedAt)
	case "cancelled":
		out.CancellationDate, out.CancellationReason = dateTime(o.UpdatedAt), o.DecisionReason
	}
	for _, l := range o.Lines {
		id := strconv.FormatInt(l.OfferingID, 10)
		out.ProductOrderItem = append(out.ProductOrderItem, ProductOrderItem{ID: strconv.Itoa(l.Position), Action: itemAction(o.Kind), State: state,
			Quantity:        wholeQuantity(l.Quantity),
			ProductOffering: Ref{ID: id, Href: href(CatalogBase, "productOffering", id), Name: l.ServiceName + " — " + l.OfferingName},
			ItemPrice:       amounts(o.Currency, l.Monthly, l.OneTime, 0, l.OneTime), Type: "ProductOrderItem"})
	}
	return out
}

func (h *Handler) today() catalog.Date { return catalog.DateOf(h.Clock.Now()) }

// The attributes the order and cancellation lists filter by.
var (
	orderFilters        = []string{"id", "state", "orderDate", "requestedStartDate", "completionDate", "cancellationDate", "quote.id"}
	cancellationFilters = []string{"id", "state", "effectiveCancellationDate", "productOrder.id"}
)

func (h *Handler) listOrders(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	today := h.today()
	return h.listOrdersAs(w, r, p, "", orderFilters, func(o catalog.Order) any { return orderResource(o, today) })
}

// listOrdersAs lists the orders in a status ("" for every one) as render
// shows them, filtered by the rendered attributes.
func (h *Handler) listOrdersAs(w http.ResponseWriter, r *http.Request, p *access.Principal, status string, filters []string,
	render func(catalog.Order) any) error {
	q, err := parseList(r, filters)
	if err != nil {
		return err
	}
	f := catalog.OrderFilter{Status: status, Limit: q.limit, Offset: q.offset}
	var total int
	var list []catalog.Order
	if !q.filtered() {
		if total, err = h.Catalog.CountOrders(r.Context(), p, f); err != nil {
			return err
		}
		if list, err = h.Catalog.ListOrders(r.Context(), p, f); err != nil {
			return err
		}
	} else {
		// An order's state depends on the day, so filters read every
		// order the caller sees; an order's attributes that filter do not
		// depend on its lines, read for the page only.
		pg, err := filterAll(q, func(offset, limit int) ([]catalog.Order, error) {
			f.Offset, f.Limit = offset, limit
			return h.Catalog.ListOrders(r.Context(), p, f)
		}, render)
		if err != nil {
			return err
		}
		total, list = pg.total, pg.items
	}
	if err := h.Catalog.LoadOrderLines(r.Context(), list); err != nil {
		return err
	}
	return writeList(w, q, total, list, render)
}

func (h *Handler) getOrder(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := h.Catalog.FindOrder(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeOne(w, r, orderResource(o, h.today()))
}

// orderReads is what Engage reads of a ProductOrder_Create.
var orderReads = shape{"@type": nil, "description": nil, "requestedStartDate": nil, "quote": shape{"id": nil, "href": nil, "@referredType": nil, "@type": nil},
	"productOrderItem": shape{"id": nil, "action": nil, "quantity": nil, "@type": nil,
		"productOffering": shape{"id": nil, "href": nil, "name": nil, "@type": nil, "@referredType": nil}}}

// createOrder orders a quote (named in quote) or, without one, the items
// listed: Engage then makes the quote and orders it, as a person does in
// the browser. Either way the order goes through the approval policies.
func (h *Handler) createOrder(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	body, raw, err := readBody(r)
	if err != nil {
		return err
	}
	return h.idempotent(w, r, p, raw, func(w http.ResponseWriter) error {
		if err := checkType(body, "@type", "ProductOrder"); err != nil {
			return err
		}
		note, err := str(body, "description", "description")
		if err != nil {
			return err
		}
		in := catalog.OrderInput{Note: note}
		if start, err := str(body, "requestedStartDate", "requestedStartDate"); err != nil {
			return err
		} else if start != "" {
			d, err := parseDate(start)
			if err != nil {
				return invalid("requestedStartDate", "Give requestedStartDate as a date-time such as 2026-05-01T00:00:00Z.")
			}
			in.StartDate = &d
		}
		quotes, err := array(body, "quote", "quote")
		if err != nil {
			return err
		}
		if len(quotes) > 1 {
			return invalid("quote", "An order orders one quote.")
		}
		reads := orderReads
		var number string
		if len(quotes) == 1 {
			number, _ = str(quotes[0], "id", "quote[0].id")
			if number == "" {
				return invalid("quote[0].id", "quote[0].id is mandatory: name the quote to order.")
			}
			// The quote's lines are ordered; the items sent are not read.
			items, err := array(body, "productOrderItem", "productOrderItem")
			if err != nil {
				return err
			}
			if len(items) == 0 {
				return invalid("productOrderItem", "productOrderItem is mandatory: list at least one item.")
			}
			reads = shape{"@type": nil, "description": nil, "requestedStartDate": nil, "quote": orderReads["quote"]}
		} else {
			lines, err := readItems(body, "productOrderItem", "ProductOrderItem")
			if err != nil {
				return err
			}
			// Check the order before making its quote, so that a refused
			// order leaves no quote behind.
			if err := h.Catalog.CheckOrderInput(in); err != nil {
				return err
			}
			if _, err := h.Catalog.PriceQuote(r.Context(), p, catalog.QuoteInput{Title: note, Lines: lines}); err != nil {
				return err
			}
			q, err := h.Catalog.CreateQuote(r.Context(), p, catalog.QuoteInput{Title: note, Lines: lines})
			if err != nil {
				return err
			}
			number = q.Number
		}
		o, err := h.Catalog.OrderQuote(r.Context(), p, number, in)
		if err != nil {
			return err
		}
		var ign []string
		ignored(body, reads, "", &ign)
		created(w, href(OrderBase, "productOrder", o.Number), ign, orderResource(o, h.today()))
		return nil
	})
}

// parseDate reads a TMF date-time (or a plain date) as the day it names.
func parseDate(s string) (catalog.Date, error) {
	if len(s) > 10 {
		t, err := parseDateTime(s)
		if err != nil {
			return catalog.Date{}, err
		}
		return catalog.DateOf(t), nil
	}
	return catalog.ParseDate(s)
}

// CancelProductOrder is TMF622's CancelProductOrder.
type CancelProductOrder struct {
	ID                        string `json:"id"`
	Href                      string `json:"href"`
	State                     string `json:"state"`
	CancellationReason        string `json:"cancellationReason,omitempty"`
	EffectiveCancellationDate string `json:"effectiveCancellationDate,omitempty"`
	ProductOrder              Ref    `json:"productOrder"`
	Type                      string `json:"@type"`
}

func cancellation(o catalog.Order) CancelProductOrder {
	return CancelProductOrder{ID: o.Number, Href: href(OrderBase, "cancelProductOrder", o.Number), State: "done",
		CancellationReason: o.DecisionReason, EffectiveCancellationDate: dateTime(o.UpdatedAt),
		ProductOrder: Ref{ID: o.Number, Href: href(OrderBase, "productOrder", o.Number), ReferredType: "ProductOrder"}, Type: "CancelProductOrder"}
}

var cancelReads = shape{"@type": nil, "cancellationReason": nil, "productOrder": shape{"id": nil, "href": nil, "@referredType": nil, "@type": nil}}

// cancelOrder withdraws a pending order: its requester or an administrator
// may, with a reason, as in Engage itself.
func (h *Handler) cancelOrder(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	body, raw, err := readBody(r)
	if err != nil {
		return err
	}
	return h.idempotent(w, r, p, raw, func(w http.ResponseWriter) error {
		if err := checkType(body, "@type", "CancelProductOrder"); err != nil {
			return err
		}
		ref, err := object(body, "productOrder", "productOrder")
		if err != nil {
			return err
		}
		number, _ := str(ref, "id", "productOrder.id")
		if number == "" {
			return invalid("productOrder.id", "productOrder.id is mandatory: name the order to cancel.")
		}
		reason, err := str(body, "cancellationReason", "cancellationReason")
		if err != nil {
			return err
		}
		o, err := h.Catalog.FindOrder(r.Context(), p, number)
		if err != nil {
			return err
		}
		if o.Status != catalog.OrderPending || o.ApprovalRequestID == 0 {
			return engage.Errorf(engage.ECONFLICT, "Order %s can no longer be cancelled: it is %s.", o.Number, orderState(o, h.today()))
		}
		if _, err := h.Approval.Cancel(r.Context(), p, o.ApprovalRequestID, reason, approval.ViaAPI); err != nil {
			return err
		}
		if o, err = h.Catalog.FindOrder(r.Context(), p, number); err != nil {
			return err
		}
		var ign []string
		ignored(body, cancelReads, "", &ign)
		created(w, href(OrderBase, "cancelProductOrder", o.Number), ign, cancellation(o))
		return nil
	})
}

func (h *Handler) listCancellations(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	return h.listOrdersAs(w, r, p, catalog.OrderCancelled, cancellationFilters, func(o catalog.Order) any { return cancellation(o) })
}

func (h *Handler) getCancellation(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	o, err := h.Catalog.FindOrder(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if o.Status != catalog.OrderCancelled {
		return engage.Errorf(engage.ENOTFOUND, "Order %s was not cancelled.", o.Number)
	}
	return writeOne(w, r, cancellation(o))
}

// parseDateTime reads an RFC 3339 date-time.
func parseDateTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

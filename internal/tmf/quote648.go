package tmf

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// TMF648 Quote Management: a TMF quote is an Engage quote, its id the
// quote's number. Quote states: "approved" while it can be ordered,
// "accepted" once ordered, "cancelled" when it expired unordered.

func (h *Handler) routeQuotes() {
	h.handle(http.MethodGet, QuoteBase+"/quote", h.listQuotes)
	h.handle(http.MethodPost, QuoteBase+"/quote", h.createQuote)
	h.handle(http.MethodGet, QuoteBase+"/quote/{id}", h.getQuote)
	h.routeHub(QuoteBase, quoteEvents)
}

// Price is TMF's Price: Engage's prices carry no tax.
type Price struct {
	DutyFreeAmount Money  `json:"dutyFreeAmount"`
	Type           string `json:"@type,omitempty"`
}

// ItemPrice is a QuotePrice or an OrderPrice.
type ItemPrice struct {
	Name                  string `json:"name"`
	Description           string `json:"description,omitempty"`
	PriceType             string `json:"priceType"`
	RecurringChargePeriod string `json:"recurringChargePeriod,omitempty"`
	Price                 Price  `json:"price"`
}

// QuoteItem is TMF648's QuoteItem.
type QuoteItem struct {
	ID              string      `json:"id"`
	Action          string      `json:"action"`
	State           string      `json:"state"`
	Quantity        *int64      `json:"quantity,omitempty"`
	ProductOffering Ref         `json:"productOffering"`
	QuoteItemPrice  []ItemPrice `json:"quoteItemPrice"`
	Type            string      `json:"@type"`
}

// Quote is TMF648's Quote.
type Quote struct {
	ID                           string      `json:"id"`
	Href                         string      `json:"href"`
	Description                  string      `json:"description,omitempty"`
	QuoteDate                    string      `json:"quoteDate"`
	EffectiveQuoteCompletionDate string      `json:"effectiveQuoteCompletionDate"`
	State                        string      `json:"state"`
	Version                      string      `json:"version"`
	ValidFor                     TimePeriod  `json:"validFor"`
	QuoteItem                    []QuoteItem `json:"quoteItem"`
	QuoteTotalPrice              []ItemPrice `json:"quoteTotalPrice"`
	RelatedParty                 []Ref       `json:"relatedParty"`
	Type                         string      `json:"@type"`
}

func quoteState(q catalog.Quote) string {
	switch {
	case q.OrderNumber != "":
		return "accepted"
	case q.Expired:
		return "cancelled"
	}
	return "approved"
}

// wholeQuantity is a quantity as TMF's integer, when it is whole.
func wholeQuantity(d decimal.Decimal) *int64 {
	if !d.IsInteger() {
		return nil
	}
	n := d.IntPart()
	return &n
}

// amounts are the monthly and one-time prices of a line or a whole, and
// the whole term's when term > 0.
func amounts(currency string, monthly, oneTime decimal.Decimal, term int, termTotal decimal.Decimal) []ItemPrice {
	money := func(d decimal.Decimal) Price {
		return Price{DutyFreeAmount: Money{Unit: currency, Value: number(d.StringFixed(minorUnits(currency)))}}
	}
	out := []ItemPrice{
		{Name: "Monthly", PriceType: "recurring", RecurringChargePeriod: "month", Price: money(monthly)},
		{Name: "One-time", PriceType: "oneTime", Price: money(oneTime)},
	}
	if term > 0 {
		out = append(out, ItemPrice{Name: "Whole term", Description: fmt.Sprintf("One-time plus %d months", term), PriceType: "total",
			Price: money(termTotal)})
	}
	return out
}

// minorUnits are the decimal places amounts are written with.
func minorUnits(currency string) int32 {
	if currency == "JPY" {
		return 0
	}
	return 2
}

func party(id int64, name, role, kind string) Ref {
	return Ref{ID: strconv.FormatInt(id, 10), Name: name, Role: role, ReferredType: kind}
}

func quoteResource(q catalog.Quote) Quote {
	state := quoteState(q)
	out := Quote{ID: q.Number, Href: href(QuoteBase, "quote", q.Number), Description: q.Title, QuoteDate: dateTime(q.CreatedAt),
		EffectiveQuoteCompletionDate: dateTime(q.CreatedAt), State: state, Version: "1",
		ValidFor:        TimePeriod{Start: dateTime(q.CreatedAt), End: dateTime(q.ValidUntil.AddDays(1).Add(-1e9))},
		QuoteTotalPrice: amounts(q.Currency, q.Monthly, q.OneTime, q.TermMonths, q.TermTotal),
		RelatedParty: []Ref{party(q.RequesterID, q.RequesterName, "requester", "Individual"),
			party(q.DepartmentID, q.DepartmentName, "customer", "Organization")},
		QuoteItem: []QuoteItem{}, Type: "Quote"}
	if q.PlacedByID != 0 {
		out.RelatedParty = append(out.RelatedParty, party(q.PlacedByID, q.PlacedByName, "placedBy", "Individual"))
	}
	for _, l := range q.Lines {
		id := strconv.FormatInt(l.OfferingID, 10)
		out.QuoteItem = append(out.QuoteItem, QuoteItem{ID: strconv.Itoa(l.Position), Action: "add", State: state,
			Quantity:        wholeQuantity(l.Quantity),
			ProductOffering: Ref{ID: id, Href: href(CatalogBase, "productOffering", id), Name: l.ServiceName + " — " + l.OfferingName},
			QuoteItemPrice:  amounts(q.Currency, l.Monthly, l.OneTime, q.TermMonths, l.TermTotal), Type: "QuoteItem"})
	}
	return out
}

// quoteFilters are the attributes the quote list filters by.
var quoteFilters = []string{"id", "state", "quoteDate", "effectiveQuoteCompletionDate", "validFor.startDateTime", "validFor.endDateTime"}

func (h *Handler) listQuotes(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, quoteFilters)
	if err != nil {
		return err
	}
	fetch := func(offset, limit int) ([]catalog.Quote, int, error) {
		return h.Catalog.ListQuotes(r.Context(), p, catalog.QuoteFilter{Limit: limit, Offset: offset})
	}
	render := func(x catalog.Quote) any { return quoteResource(x) }
	if !q.filtered() {
		list, total, err := fetch(q.offset, q.limit)
		if err != nil {
			return err
		}
		return writeList(w, q, total, list, render)
	}
	// A quote's state depends on the day, so filters read every quote the
	// caller sees.
	pg, err := filterAll(q, func(offset, limit int) ([]catalog.Quote, error) {
		list, _, err := fetch(offset, limit)
		return list, err
	}, render)
	if err != nil {
		return err
	}
	return writeList(w, q, pg.total, pg.items, render)
}

func (h *Handler) getQuote(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := h.Catalog.FindQuote(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeOne(w, r, quoteResource(q))
}

// quoteReads is what Engage reads of a Quote_Create.
var quoteReads = shape{"@type": nil, "description": nil, "quoteItem": shape{
	"id": nil, "action": nil, "quantity": nil, "@type": nil, "productOffering": shape{"id": nil, "href": nil, "name": nil, "@type": nil, "@referredType": nil}}}

// readItems reads the items of a quote or an order (named field) as quote
// lines: each needs a product offering and action "add"; quantity is 1
// when absent.
func readItems(body map[string]any, field, itemType string) ([]catalog.QuoteLineInput, error) {
	items, err := array(body, field, field)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, invalid(field, "%s is mandatory: list at least one item, each naming a productOffering.", field)
	}
	var lines []catalog.QuoteLineInput
	for i, it := range items {
		path := fmt.Sprintf("%s[%d]", field, i)
		if err := checkType(it, path+".@type", itemType); err != nil {
			return nil, err
		}
		action, err := str(it, "action", path+".action")
		if err != nil {
			return nil, err
		}
		if action != "" && action != "add" {
			return nil, invalid(path+".action", "Engage takes action \"add\" here; change or end a subscription in Engage itself.")
		}
		po, err := object(it, "productOffering", path+".productOffering")
		if err != nil {
			return nil, err
		}
		id, _ := str(po, "id", path+".productOffering.id")
		if po == nil || id == "" {
			return nil, invalid(path+".productOffering.id", "productOffering.id is mandatory: name the product offering.")
		}
		if err := checkType(po, path+".productOffering.@type", "ProductOfferingRef", "ProductOffering"); err != nil {
			return nil, err
		}
		offeringID, err := strconv.ParseInt(id, 10, 64)
		if err != nil || offeringID <= 0 {
			return nil, invalid(path+".productOffering.id", "There is no product offering %s.", id)
		}
		qty := decimal.NewFromInt(1)
		if v, ok := it["quantity"]; ok {
			n, ok := v.(json.Number)
			d, err := decimal.NewFromString(string(n))
			if !ok || err != nil || !d.IsInteger() {
				return nil, invalid(path+".quantity", "Give quantity as a whole number.")
			}
			qty = d
		}
		lines = append(lines, catalog.QuoteLineInput{OfferingID: offeringID, Quantity: qty})
	}
	return lines, nil
}

func (h *Handler) createQuote(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	body, raw, err := readBody(r)
	if err != nil {
		return err
	}
	return h.idempotent(w, r, p, raw, func(w http.ResponseWriter) error {
		if err := checkType(body, "@type", "Quote"); err != nil {
			return err
		}
		title, err := str(body, "description", "description")
		if err != nil {
			return err
		}
		lines, err := readItems(body, "quoteItem", "QuoteItem")
		if err != nil {
			return err
		}
		q, err := h.Catalog.CreateQuote(r.Context(), p, catalog.QuoteInput{Title: title, Lines: lines})
		if err != nil {
			return err
		}
		var ign []string
		ignored(body, quoteReads, "", &ign)
		created(w, href(QuoteBase, "quote", q.Number), ign, quoteResource(q))
		return nil
	})
}

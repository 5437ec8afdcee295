package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/web/page"
)

func (s *Server) catalogRoutes() []Route {
	return []Route{
		{Pattern: "GET /catalog", Handle: s.catalogHome},
		{Pattern: "GET /catalog/new", Handle: s.serviceForm},
		{Pattern: "POST /catalog", Handle: s.saveService},
		{Pattern: "GET /catalog/{slug}", Handle: s.servicePage},
		{Pattern: "GET /catalog/{slug}/edit", Handle: s.serviceForm},
		{Pattern: "POST /catalog/{slug}", Handle: s.saveService},
		{Pattern: "GET /catalog/{slug}/offerings/new", Handle: s.offeringForm},
		{Pattern: "POST /catalog/{slug}/offerings", Handle: s.saveOffering},
		{Pattern: "GET /offerings/{id}/edit", Handle: s.offeringForm},
		{Pattern: "POST /offerings/{id}", Handle: s.saveOffering},
		{Pattern: "POST /offerings/{id}/prices", Handle: s.addPrice},
		{Pattern: "GET /compare", Handle: s.compare},
		{Pattern: "GET /quotes/new", Handle: s.quoteBuilder},
		{Pattern: "POST /quotes", Handle: s.createQuote},
		{Pattern: "GET /quotes/{number}", Handle: s.quotePage},
		{Pattern: "GET /quotes/{number}/csv", Handle: s.quoteCSV},
		{Pattern: "POST /quotes/{number}/order", Handle: s.orderQuote},
		{Pattern: "GET /orders", Handle: s.orders},
		{Pattern: "GET /orders/{number}", Handle: s.orderPage},
		{Pattern: "GET /subscriptions", Handle: s.subscriptions},
		{Pattern: "POST /subscriptions/{id}/change", Handle: s.changeSubscription},
		{Pattern: "POST /subscriptions/{id}/cancel", Handle: s.cancelSubscription},
		{Pattern: "GET /announcements", Handle: s.announcements},
		{Pattern: "POST /announcements", Handle: s.announce},
		{Pattern: "GET /announcements/{id}/go", Handle: s.followAnnouncement},
		{Pattern: "GET /announcements/feed", Handle: s.announcementFeed},
	}
}

// catalogHome is the catalog: search first, facets, cards with prices.
func (s *Server) catalogHome(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		page = n
	}
	f := catalog.ListFilter{Query: q.Get("q"), Families: q["family"], Kinds: q["kind"], DeliveryModels: q["delivery"],
		Sourcings: q["sourcing"], Lifecycles: q["lifecycle"], Limit: 24, Offset: (page - 1) * 24}
	res, err := s.Catalog.ListServices(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	news, err := s.Catalog.Announcements(r.Context(), principal(r), catalog.AnnouncementFilter{Limit: 5, Record: true})
	if err != nil {
		return err
	}
	next := ""
	if f.Offset+len(res.Cards) < res.Total {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(page+1))
		next = "/catalog?" + v.Encode()
	}
	p := principal(r)
	s.render(w, r, "catalog.html", "Catalog", "catalog",
		s.catalogData(f.Query, res, q, news, next, p.HasAny(access.Admin, access.ServiceOwner)))
	return nil
}

// catalogData is what catalog.html shows. The page is the catalog's most
// requested one, and walking each card and facet through the template
// engine cost more than the search: the facets are worked out here, and
// each card and facet is rendered once and kept (see keptFragments).
func (s *Server) catalogData(query string, res catalog.Page, selected url.Values, news []catalog.Announcement, next string, canAdd bool) map[string]any {
	facets := []facet{
		{Name: "family", Label: "Family", choices: catalog.Families},
		{Name: "delivery", Label: "Delivery", choices: catalog.DeliveryModels},
		{Name: "kind", Label: "Kind", choices: catalog.Kinds},
		{Name: "sourcing", Label: "Sourcing", choices: catalog.Sourcings},
		{Name: "lifecycle", Label: "Lifecycle", choices: catalog.Lifecycles},
	}
	for i := range facets {
		f := &facets[i]
		for _, c := range f.choices {
			n, checked := res.Facets[f.Name+":"+c.Value], slices.Contains(selected[f.Name], c.Value)
			if n > 0 || checked {
				f.Choices = append(f.Choices, facetChoice{Value: c.Value, Label: c.Label, N: n, Checked: checked})
			}
		}
	}
	cards := make([]template.HTML, len(res.Cards))
	for i := range res.Cards {
		cards[i] = s.cardHTML(&res.Cards[i])
	}
	fieldsets := make([]template.HTML, len(facets))
	for i := range facets {
		fieldsets[i] = s.facetHTML(&facets[i])
	}
	return map[string]any{"Query": query, "Total": res.Total, "Cards": cards, "Facets": fieldsets,
		"News": news, "Next": next, "CanAdd": canAdd}
}

type facet struct {
	Name, Label string
	Choices     []facetChoice // those with services, and those selected
	choices     []catalog.Choice
}

type facetChoice struct {
	Value, Label string
	N            int
	Checked      bool
}

// cardKey is everything a service card shows.
type cardKey struct {
	Slug, Name, Summary, Price, Delivery, Lifecycle, Family string
	Consumers                                               int
}

// renderedCards keeps service cards as rendered, by what they show, so a
// card is rendered again only when its service, price or consumers change.
var renderedCards keptFragments[cardKey]

// renderedFacets keeps the facets' fieldsets as rendered, by what they show
// (see facetKey): they were half of the page's rendering.
var renderedFacets keptFragments[string]

// maxCardsKept bounds the rendered cards (and facets) kept; past it they
// are dropped and rendered again when asked for.
const maxCardsKept = 50000

// keptFragments keeps parts of the catalog page as rendered, by a key that
// stands for everything the part shows.
type keptFragments[K comparable] struct {
	mu   sync.Mutex
	html map[K]template.HTML
}

// render returns the part kept for k, or renders the catalog page's
// template name with data and keeps it.
func (kf *keptFragments[K]) render(s *Server, k K, name string, data any) (template.HTML, error) {
	kf.mu.Lock()
	h, ok := kf.html[k]
	kf.mu.Unlock()
	if ok {
		return h, nil
	}
	var b bytes.Buffer
	if err := s.kit.Partial(&b, "catalog.html", name, data); err != nil {
		return "", err
	}
	h = template.HTML(b.String()) //nolint:gosec // rendered by html/template
	kf.mu.Lock()
	if kf.html == nil || len(kf.html) >= maxCardsKept {
		kf.html = map[K]template.HTML{}
	}
	kf.html[k] = h
	kf.mu.Unlock()
	return h, nil
}

func (s *Server) cardHTML(c *catalog.ServiceCard) template.HTML {
	k := cardKey{Slug: c.Slug, Name: c.Name, Summary: c.Summary, Delivery: c.DeliveryModel, Lifecycle: c.Lifecycle, Family: c.Family,
		Consumers: c.Consumers}
	if c.PriceFrom != nil {
		k.Price = catalog.FormatPrice(*c.PriceFrom)
	}
	h, err := renderedCards.render(s, k, "card", k)
	if err != nil {
		s.Logger.Error("rendering a service card", "service", c.Slug, "err", err)
		return template.HTML(`<li class="card">` + template.HTMLEscapeString(c.Name) + `</li>`)
	}
	return h
}

// facetKey stands for what a facet's fieldset shows: its name (which gives
// its label) and each choice's value (which gives its label), count and
// whether it is ticked.
func facetKey(f *facet) string {
	k := []byte(f.Name)
	for _, c := range f.Choices {
		k = append(k, 0)
		k = append(k, c.Value...)
		k = append(k, 0)
		k = strconv.AppendInt(k, int64(c.N), 10)
		k = strconv.AppendBool(k, c.Checked)
	}
	return string(k)
}

func (s *Server) facetHTML(f *facet) template.HTML {
	h, err := renderedFacets.render(s, facetKey(f), "facet", f)
	if err != nil {
		s.Logger.Error("rendering a catalog facet", "facet", f.Name, "err", err)
		return ""
	}
	return h
}

func (s *Server) servicePage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Catalog.FindService(r.Context(), principal(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	news, err := s.Catalog.Announcements(r.Context(), principal(r), catalog.AnnouncementFilter{ServiceID: d.Service.ID, Limit: 10})
	if err != nil {
		return err
	}
	today := catalog.DateOf(s.Clock.Now())
	alternatives, allAlternatives, err := s.Catalog.Alternatives(r.Context(), principal(r), d.Service.ID, alternativesShown)
	if err != nil {
		return err
	}
	type offeringRow struct {
		catalog.Offering
		Current   *catalog.RatePlan
		Upcoming  []catalog.RatePlan
		Orderable bool
		// WhyNot says why an offering cannot be ordered.
		WhyNot string
	}
	var rows []offeringRow
	for _, o := range d.Offerings {
		row := offeringRow{Offering: o, Orderable: catalog.Orderable(o.Lifecycle) && catalog.Orderable(d.Service.Lifecycle)}
		switch {
		case !catalog.Orderable(d.Service.Lifecycle):
			row.WhyNot = "The service is " + strings.ToLower(catalog.Label(catalog.Lifecycles, d.Service.Lifecycle)) + ": it takes no new orders."
		case !catalog.Orderable(o.Lifecycle):
			row.WhyNot = "This offering is " + strings.ToLower(catalog.Label(catalog.Lifecycles, o.Lifecycle)) + ": it takes no new orders."
		}
		if pl, ok := catalog.PlanOn(o.Plans, today); ok {
			row.Current = &pl
		}
		for _, pl := range o.Plans {
			if pl.EffectiveFrom.After(today.Time) {
				row.Upcoming = append(row.Upcoming, pl)
			}
		}
		rows = append(rows, row)
	}
	s.render(w, r, "service.html", d.Service.Name, "catalog", map[string]any{"D": d, "Offerings": rows, "News": news,
		"Description": page.Markdown(d.Service.Description), "Alternatives": alternativeLinks(d, alternatives),
		"AllAlternatives": allAlternatives, "AlternativesLink": alternativesLink(d.Service.Family)})
	return nil
}

// alternativesShown is how many cloud alternatives a service page names; a
// family can have hundreds, and the rest are one link away in the catalog.
const alternativesShown = 5

// alternativesLink lists in the catalog every cloud service of a family
// that takes orders, in the order the service page names them.
func alternativesLink(family string) string {
	return "/catalog?" + url.Values{"family": {family}, "delivery": {"cloud"}, "lifecycle": {"pilot", "live"}}.Encode()
}

// alternativeLink is a service to move to, with the link that puts it
// beside the service shown.
type alternativeLink struct {
	catalog.Alternative
	Compare string
}

// alternativeLinks pair each alternative with the service shown: its
// first offering not retired beside up to three of the alternative's.
func alternativeLinks(d catalog.ServiceDetail, alts []catalog.Alternative) []alternativeLink {
	var own int64
	for _, o := range d.Offerings {
		if o.Lifecycle != "retired" {
			own = o.ID
			break
		}
	}
	var out []alternativeLink
	for _, a := range alts {
		v := url.Values{"qty": {"1"}}
		if own != 0 {
			v.Add("o", strconv.FormatInt(own, 10))
		}
		for i, o := range a.Offerings {
			if i == 3 {
				break
			}
			v.Add("o", strconv.FormatInt(o.ID, 10))
		}
		out = append(out, alternativeLink{Alternative: a, Compare: "/compare?" + v.Encode()})
	}
	return out
}

// compare shows two to four offerings side by side for one quantity.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var ids []int64
	for _, v := range q["o"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	qtyText := q.Get("qty")
	if qtyText == "" {
		qtyText = "1"
	}
	data := map[string]any{"IDs": ids, "Qty": qtyText}
	qty, err := decimal.NewFromString(strings.TrimSpace(qtyText))
	var errs []engage.FieldError
	if err != nil {
		errs = append(errs, engage.FieldError{Field: "qty", Message: "Enter a number, such as 20."})
	} else if len(ids) > 1 {
		cmp, cerr := s.Catalog.Compare(r.Context(), principal(r), ids, qty)
		if code := engage.ErrorCode(cerr); code == engage.EINVALID {
			errs = engage.ErrorFields(cerr)
			for i := range errs {
				if errs[i].Field == "quantity" {
					errs[i].Field = "qty"
				}
			}
		} else if cerr != nil {
			return cerr
		} else {
			data["C"] = cmp
			data["Chart"] = compareChart(cmp)
		}
	}
	// Any offering can be added, so a legacy one is weighed against the
	// cloud one that replaces it.
	choices, err := s.Catalog.ComparableOfferings(r.Context(), principal(r))
	if err != nil {
		return err
	}
	data["Choices"] = slices.DeleteFunc(choices, func(o catalog.OfferingOption) bool { return slices.Contains(ids, o.ID) })
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "compare.html", Page{Title: "Compare offerings", Nav: "catalog", Data: data, Errors: errs,
		Form: map[string]string{"qty": qtyText}})
	return nil
}

// quoteRows reads the offering and quantity rows of the quote form.
func quoteRows(vals url.Values) ([]catalog.QuoteLineInput, []engage.FieldError) {
	var lines []catalog.QuoteLineInput
	var errs []engage.FieldError
	offerings, quantities := vals["o"], vals["q"]
	for i, o := range offerings {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil || id == 0 {
			continue // an empty row
		}
		qty := "1"
		if i < len(quantities) && strings.TrimSpace(quantities[i]) != "" {
			qty = quantities[i]
		}
		d, err := decimal.NewFromString(strings.TrimSpace(qty))
		if err != nil {
			errs = append(errs, engage.FieldError{Field: fmt.Sprintf("q%d", len(lines)), Message: fmt.Sprintf("Line %d: enter a number, such as 20.", len(lines)+1)})
			d = decimal.Zero
		}
		lines = append(lines, catalog.QuoteLineInput{OfferingID: id, Quantity: d})
	}
	return lines, errs
}

// quoteBuilder shows the quote form, priced as it stands.
func (s *Server) quoteBuilder(w http.ResponseWriter, r *http.Request) error {
	return s.showQuoteBuilder(w, r, r.URL.Query(), false)
}

func (s *Server) showQuoteBuilder(w http.ResponseWriter, r *http.Request, vals url.Values, save bool) error {
	lines, errs := quoteRows(vals)
	term, _ := strconv.Atoi(vals.Get("term"))
	in := catalog.QuoteInput{Title: vals.Get("title"), TermMonths: term, Lines: lines}
	data := map[string]any{"Rows": lines}
	p := principal(r)
	if len(lines) > 0 && len(errs) == 0 {
		if save {
			q, err := s.Catalog.CreateQuote(r.Context(), p, in)
			if err == nil {
				s.flash(w, "Quote "+q.Number+" saved. Share its address with anyone who may see your department's quotes.")
				http.Redirect(w, r, "/quotes/"+q.Number, http.StatusSeeOther)
				return nil
			}
			if engage.ErrorCode(err) != engage.EINVALID {
				return err
			}
			errs = quoteErrors(err)
		} else {
			q, err := s.Catalog.PriceQuote(r.Context(), p, in)
			if engage.ErrorCode(err) == engage.EINVALID {
				errs = quoteErrors(err) // no prices shown: they would not match the rows
			} else if err != nil {
				return err
			} else {
				data["Q"] = q
			}
		}
	} else if save && len(lines) == 0 {
		errs = append(errs, engage.FieldError{Field: "o0", Message: "Choose at least one offering."})
	}
	choices, err := s.Catalog.OrderableOfferings(r.Context(), p)
	if err != nil {
		return err
	}
	data["Choices"] = choices
	blank := 3
	if len(lines) >= 3 {
		blank = 1
	}
	data["Blank"] = make([]int, blank)
	form := map[string]string{"title": vals.Get("title"), "term": vals.Get("term")}
	if form["term"] == "" {
		form["term"] = strconv.Itoa(catalog.DefaultTerm)
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "quote_new.html", Page{Title: "Get a quote", Nav: "catalog", Data: data, Errors: errs, Form: form})
	return nil
}

// quoteErrors points line errors at the quote form's row fields.
func quoteErrors(err error) []engage.FieldError {
	var out []engage.FieldError
	for _, f := range engage.ErrorFields(err) {
		field := f.Field
		var i int
		var rest string
		if n, _ := fmt.Sscanf(f.Field, "lines[%d].%s", &i, &rest); n == 2 {
			field = fmt.Sprintf("o%d", i)
			if rest == "quantity" {
				field = fmt.Sprintf("q%d", i)
			}
			f.Message = fmt.Sprintf("Line %d: %s", i+1, f.Message)
		} else if f.Field == "term_months" {
			field = "term"
		} else if f.Field == "lines" {
			field = "o0"
		}
		out = append(out, engage.FieldError{Field: field, Message: f.Message})
	}
	return out
}

func (s *Server) createQuote(w http.ResponseWriter, r *http.Request) error {
	return s.showQuoteBuilder(w, r, r.PostForm, r.PostFormValue("action") == "save")
}

func (s *Server) quotePage(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Catalog.FindQuote(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.renderQuote(w, r, q, nil, map[string]string{"start_date": catalog.DateOf(s.Clock.Now()).String()})
}

func (s *Server) renderQuote(w http.ResponseWriter, r *http.Request, q catalog.Quote, errs []engage.FieldError, form map[string]string) error {
	p := principal(r)
	s.renderPage(w, r, "quote.html", Page{Title: "Quote " + q.Number, Nav: "catalog", Errors: errs, Form: form,
		Data: map[string]any{"Q": q, "CanOrder": !q.Expired && (p.DepartmentID == q.DepartmentID || p.IsAdmin() ||
			p.HoldsBudgetOf(q.DepartmentID))}})
	return nil
}

func (s *Server) quoteCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Catalog.FindQuote(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, q.Number))
	cw := csvfile.NewWriter(w)
	_ = cw.Write([]string{"quote", "line", "service", "offering", "quantity", "unit", "currency", "one_time", "monthly", "term_months", "term_total", "valid_until"})
	for _, l := range q.Lines {
		_ = cw.Write([]string{q.Number, strconv.Itoa(l.Position), l.ServiceName, l.OfferingName, l.Quantity.String(), l.Unit, q.Currency,
			l.OneTime.StringFixed(2), l.Monthly.StringFixed(2), strconv.Itoa(q.TermMonths), l.TermTotal.StringFixed(2), q.ValidUntil.String()})
	}
	_ = cw.Write([]string{q.Number, "total", "", "", "", "", q.Currency, q.OneTime.StringFixed(2), q.Monthly.StringFixed(2),
		strconv.Itoa(q.TermMonths), q.TermTotal.StringFixed(2), q.ValidUntil.String()})
	cw.Flush()
	return cw.Error()
}

func formDate(r *http.Request, field string, v *engage.Validation) *catalog.Date {
	text := strings.TrimSpace(r.PostFormValue(field))
	if text == "" {
		return nil
	}
	d, err := catalog.ParseDate(text)
	if err != nil {
		v.Add(field, "Enter a date as YYYY-MM-DD, for example 2026-04-01.")
		return nil
	}
	return &d
}

func (s *Server) orderQuote(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := catalog.OrderInput{StartDate: formDate(r, "start_date", &v), Note: r.PostFormValue("note")}
	err := v.Err()
	var o catalog.Order
	if q, qerr := s.Catalog.FindQuote(r.Context(), principal(r), r.PathValue("number")); qerr == nil && q.OrderNumber != "" {
		// The form sent again: the quote was ordered, show that order.
		s.flash(w, "Quote "+q.Number+" was already ordered: this is its order.")
		http.Redirect(w, r, "/orders/"+q.OrderNumber, http.StatusSeeOther)
		return nil
	}
	if err == nil {
		o, err = s.Catalog.OrderQuote(r.Context(), principal(r), r.PathValue("number"), in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID {
		q, qerr := s.Catalog.FindQuote(r.Context(), principal(r), r.PathValue("number"))
		if qerr != nil {
			return qerr
		}
		errs := engage.ErrorFields(err)
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "start_date", Message: engage.ErrorMessage(err)}}
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderQuote(w, r, q, errs, formOf(r))
	} else if err != nil {
		return err
	}
	msg := "Order " + o.Number + " placed. "
	if o.Status == catalog.OrderPending {
		msg += "It now waits for approval; you can follow it here."
	} else {
		msg += "No approval was needed: the subscription is in place."
	}
	s.flash(w, msg)
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

func (s *Server) orders(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	mine, err := s.Catalog.ListOrders(r.Context(), p, catalog.OrderFilter{Mine: true, Limit: 50})
	if err != nil {
		return err
	}
	var dept []catalog.Order
	if p.DepartmentID != 0 {
		dept, err = s.Catalog.ListOrders(r.Context(), p, catalog.OrderFilter{DepartmentID: p.DepartmentID, Limit: 50})
		if err != nil {
			return err
		}
	}
	s.render(w, r, "orders.html", "Orders", "catalog", map[string]any{"Mine": mine, "Department": dept})
	return nil
}

func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Catalog.FindOrder(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	s.render(w, r, "order.html", "Order "+o.Number, "catalog", map[string]any{"O": o})
	return nil
}

func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubscriptions(w, r, nil, nil)
}

func (s *Server) renderSubscriptions(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	p := principal(r)
	dept := queryInt(r, "department")
	if dept == 0 {
		dept = p.DepartmentID
	}
	today := catalog.DateOf(s.Clock.Now())
	var subs []catalog.Subscription
	var err error
	if dept != 0 {
		subs, err = s.Catalog.ListSubscriptions(r.Context(), p, catalog.SubscriptionFilter{DepartmentID: dept, ActiveOn: &today})
		if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "subscriptions.html", Page{Title: "Your department's services", Nav: "catalog", Errors: errs, Form: form,
		Data: map[string]any{"Subs": subs, "Today": today.String()}})
	return nil
}

func (s *Server) subscriptionOrder(w http.ResponseWriter, r *http.Request, place func(id int64, in catalog.OrderInput) (catalog.Order, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var v engage.Validation
	in := catalog.OrderInput{StartDate: formDate(r, "start_date", &v), Note: r.PostFormValue("note")}
	err = v.Err()
	var o catalog.Order
	if err == nil {
		o, err = place(id, in)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			errs[i].Message = fmt.Sprintf("Subscription %d: %s", id, errs[i].Message)
		}
		return s.renderSubscriptions(w, r, errs, formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, "Order "+o.Number+" placed.")
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

func (s *Server) changeSubscription(w http.ResponseWriter, r *http.Request) error {
	return s.subscriptionOrder(w, r, func(id int64, in catalog.OrderInput) (catalog.Order, error) {
		qty, err := decimal.NewFromString(strings.TrimSpace(r.PostFormValue("quantity")))
		if err != nil {
			return catalog.Order{}, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
				Fields: []engage.FieldError{{Field: "quantity", Message: "Enter the new quantity as a number."}}}
		}
		return s.Catalog.ChangeQuantity(r.Context(), principal(r), id, qty, in)
	})
}

func (s *Server) cancelSubscription(w http.ResponseWriter, r *http.Request) error {
	return s.subscriptionOrder(w, r, func(id int64, in catalog.OrderInput) (catalog.Order, error) {
		return s.Catalog.CancelSubscription(r.Context(), principal(r), id, in)
	})
}

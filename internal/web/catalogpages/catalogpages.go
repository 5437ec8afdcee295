// Package catalogpages is the web interface's catalog area: the catalog
// and its service pages, comparing offerings, quotes, orders,
// subscriptions, announcements, and the forms that edit services and
// offerings.
package catalogpages

import (
	"context"
	"embed"
	"html/template"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the catalog area.
type Pages struct {
	*page.Kit
	Catalog *catalog.Catalog
	// Org names the people and the audiences of the edit forms.
	Org   *org.Service
	Clock engage.Clock
	// BaseURL is Engage's configured public URL, such as
	// https://engage.example.com, for the absolute links of the feed —
	// never the request's Host, which a client writes. Empty: the feed's
	// links are paths from the root.
	BaseURL string
	// Communities lists the communities an announcement may be meant for;
	// nil leaves them out of the form.
	Communities func(ctx context.Context, p *access.Principal) ([]community.Community, error)
}

// Routes are the catalog area's pages and forms.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
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

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area:  "catalog",
	FS:    templateFS,
	Funcs: template.FuncMap{"plan": describePlan},
	Views: map[string]page.View{
		"catalog.html":       &catalogView{},
		"service.html":       &serviceView{},
		"compare.html":       &compareView{},
		"quote_new.html":     &quoteBuilderView{},
		"quote.html":         &quoteView{},
		"orders.html":        &ordersView{},
		"order.html":         &orderView{},
		"subscriptions.html": &subscriptionsView{},
		"announcements.html": &announcementsView{},
		"service_form.html":  &serviceFormView{},
		"offering_form.html": &offeringFormView{},
	},
}

// catalogView is the catalog: search, facets and the cards of a page of
// services.
type catalogView struct {
	page.Base
	Search string
	Total  int
	Cards  []template.HTML // rendered once and kept (see keptFragments)
	Facets []template.HTML // the facets' fieldsets, rendered once and kept
	News   []catalog.Announcement
	Next   string // the next page's link, "" on the last
	CanAdd bool
}

// serviceView is a service's page.
type serviceView struct {
	page.Base
	D            catalog.ServiceDetail
	Offerings    []offeringRow
	News         []catalog.Announcement
	Description  template.HTML
	Alternatives []alternativeLink // the first alternativesShown
	// AllAlternatives counts the alternatives; AlternativesLink lists them
	// all in the catalog.
	AllAlternatives  int
	AlternativesLink string
}

// compareView puts two to four offerings side by side.
type compareView struct {
	page.Base
	IDs     []int64
	Qty     string
	C       *catalog.Comparison // nil until two offerings are compared
	Chart   *page.BarChart
	Choices []catalog.OfferingOption
}

// quoteBuilderView is the quote form, priced as it stands.
type quoteBuilderView struct {
	page.Base
	Rows    []catalog.QuoteLineInput
	Q       *catalog.Quote // nil until the rows are priced
	Choices []catalog.OfferingOption
	Blank   []int // the empty rows offered
}

// quoteView is a saved quote, with the form that orders it.
type quoteView struct {
	page.Base
	Q        catalog.Quote
	CanOrder bool
}

// ordersView lists the person's orders and their department's.
type ordersView struct {
	page.Base
	Mine       []catalog.Order
	Department []catalog.Order
}

// orderView is one order.
type orderView struct {
	page.Base
	O catalog.Order
}

// subscriptionsView lists a department's services, with the forms that
// change or cancel them.
type subscriptionsView struct {
	page.Base
	Subs  []catalog.Subscription
	Today string
}

// announcementsView lists what's new, with the form that announces.
type announcementsView struct {
	page.Base
	page.OrgChoices
	List        []catalog.Announcement
	CanAnnounce bool
	Services    []catalog.ServiceCard // those the person may announce about
	Communities []community.Community // those an announcement may be meant for
}

// serviceFormView adds or edits a service.
type serviceFormView struct {
	page.Base
	page.OrgChoices
	ID int64 // 0 for a new service
}

// offeringFormView adds or edits an offering, and adds a price to it.
type offeringFormView struct {
	page.Base
	Service  catalog.Service
	Offering catalog.Offering
	Units    []string
}

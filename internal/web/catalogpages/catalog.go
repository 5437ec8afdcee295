package catalogpages

import (
	"bytes"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
)

// catalogHome is the catalog: search first, facets, cards with prices.
func (s *Pages) catalogHome(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pageNo := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		pageNo = n
	}
	f := catalog.ListFilter{Query: q.Get("q"), Families: q["family"], Kinds: q["kind"], DeliveryModels: q["delivery"],
		Sourcings: q["sourcing"], Lifecycles: q["lifecycle"], Limit: 24, Offset: (pageNo - 1) * 24}
	res, err := s.Catalog.ListServices(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	news, err := s.Catalog.Announcements(r.Context(), page.Principal(r), catalog.AnnouncementFilter{Limit: 5, Record: true})
	if err != nil {
		return err
	}
	next := ""
	if f.Offset+len(res.Cards) < res.Total {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(pageNo+1))
		next = "/catalog?" + v.Encode()
	}
	p := page.Principal(r)
	s.Render(w, r, "catalog.html", s.catalogData(f.Query, res, q, news, next, p.HasAny(access.Admin, access.ServiceOwner)))
	return nil
}

// catalogData is what catalog.html shows. The page is the catalog's most
// requested one, and walking each card and facet through the template
// engine cost more than the search: the facets are worked out here, and
// each card and facet is rendered once and kept (see keptFragments).
func (s *Pages) catalogData(query string, res catalog.Page, selected url.Values, news []catalog.Announcement, next string, canAdd bool) *catalogView {
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
	return &catalogView{Base: page.Base{Title: "Catalog", Nav: "catalog"}, Search: query, Total: res.Total, Cards: cards, Facets: fieldsets,
		News: news, Next: next, CanAdd: canAdd}
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
func (kf *keptFragments[K]) render(s *Pages, k K, name string, data any) (template.HTML, error) {
	kf.mu.Lock()
	h, ok := kf.html[k]
	kf.mu.Unlock()
	if ok {
		return h, nil
	}
	var b bytes.Buffer
	if err := s.Partial(&b, "catalog.html", name, data); err != nil {
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

func (s *Pages) cardHTML(c *catalog.ServiceCard) template.HTML {
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

func (s *Pages) facetHTML(f *facet) template.HTML {
	h, err := renderedFacets.render(s, facetKey(f), "facet", f)
	if err != nil {
		s.Logger.Error("rendering a catalog facet", "facet", f.Name, "err", err)
		return ""
	}
	return h
}

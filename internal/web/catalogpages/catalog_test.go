package catalogpages

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
)

// newPages is the catalog area with its templates and no services.
func newPages(t testing.TB) *Pages {
	k := &page.Kit{Logger: slog.New(slog.DiscardHandler)}
	if err := k.Register(Templates); err != nil {
		t.Fatal(err)
	}
	return &Pages{Kit: k}
}

// TestTemplates renders each of the area's templates with its view and
// checks every field the templates name.
func TestTemplates(t *testing.T) {
	if err := newPages(t).CheckTemplates(); err != nil {
		t.Fatal(err)
	}
}

// catalogPageData is a catalog page of 24 cards with every facet counted.
func catalogPageData(s *Pages) *catalogView {
	res := catalog.Page{Total: 503, Facets: map[string]int{}}
	for i := range 24 {
		card := catalog.ServiceCard{Consumers: i % 4}
		card.ID, card.Slug, card.Name = int64(i+1), fmt.Sprintf("managed-linux-%d", i), fmt.Sprintf("Managed Linux servers for Research & Co %d", i)
		card.Summary = "Patched, monitored <Linux> servers with backups, for teams that need them."
		card.DeliveryModel, card.Lifecycle, card.Family = "cloud", "live", "compute"
		if i%3 != 0 {
			card.PriceFrom = &catalog.Price{Amount: decimal.New(int64(1234+i), -2), Currency: "EUR", Unit: "unit-month"}
		}
		res.Cards = append(res.Cards, card)
	}
	for _, l := range []struct {
		name    string
		choices []catalog.Choice
	}{{"family", catalog.Families}, {"delivery", catalog.DeliveryModels}, {"kind", catalog.Kinds}, {"sourcing", catalog.Sourcings}, {"lifecycle", catalog.Lifecycles}} {
		for i, c := range l.choices {
			res.Facets[l.name+":"+c.Value] = 10 * i
		}
	}
	news := []catalog.Announcement{{ID: 1, Kind: "launch", Title: "Bigger mailboxes", ServiceSlug: "e-mail"}, {ID: 2, Kind: "news", Title: "Opening hours"}}
	return s.catalogData("dedicated data warehouse", res, url.Values{"family": {"compute"}}, news, "/catalog?page=2&q=dedicated", false)
}

// TestCatalogPageRenders checks the cards, the facets and the news of the
// catalog page.
func TestCatalogPageRenders(t *testing.T) {
	s := newPages(t)
	r := httptest.NewRequest("GET", "/catalog?q=dedicated", nil)
	r = r.WithContext(access.WithPrincipal(r.Context(), &access.Principal{PersonID: 1, Name: "Riley"}))
	w := httptest.NewRecorder()
	s.Render(w, r, "catalog.html", catalogPageData(s))
	body := w.Body.String()
	for _, want := range []string{
		`<h3><a href="/catalog/managed-linux-0">Managed Linux servers for Research &amp; Co 0</a></h3>`,
		`Patched, monitored &lt;Linux&gt; servers`,
		`<strong>From €12.35`,
		`<span class="muted">Price on request</span>`,
		`Used by 3 departments`,
		`<input type="checkbox" name="family" value="compute" checked>`,
		`<a href="/announcements/1/go">Bigger mailboxes</a>`,
		`<a href="/catalog?page=2&amp;q=dedicated">More services</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("catalog page lacks %s in\n%s", want, body)
		}
	}
	if n := strings.Count(body, `<li class="card">`); n != 24 {
		t.Errorf("catalog page shows %d cards, want 24", n)
	}
}

// BenchmarkCatalogPage renders a catalog page of 24 cards, from the
// search's answer on (the cards and facets kept, as in a running server).
func BenchmarkCatalogPage(b *testing.B) {
	s := newPages(b)
	r := httptest.NewRequest("GET", "/catalog?q=dedicated", nil)
	r = r.WithContext(access.WithPrincipal(r.Context(), &access.Principal{PersonID: 1, Name: "Riley"}))
	b.ReportAllocs()
	for b.Loop() {
		s.Render(httptest.NewRecorder(), r, "catalog.html", catalogPageData(s))
	}
}

// TestCatalogFacetsFollowTheSearch: a facet is kept as rendered, but only
// for the counts and ticks it shows: another search's counts, or a box
// ticked, show at once.
func TestCatalogFacetsFollowTheSearch(t *testing.T) {
	s := newPages(t)
	fieldset := func(n int, ticked url.Values) string {
		t.Helper()
		res := catalog.Page{Facets: map[string]int{"delivery:cloud": n, "delivery:legacy": 2}}
		v := s.catalogData("", res, ticked, nil, "", false)
		for _, h := range v.Facets {
			if strings.Contains(string(h), "<legend>Delivery</legend>") {
				return string(h)
			}
		}
		t.Fatalf("no delivery facet among %q", v.Facets)
		return ""
	}
	for range 2 {
		if got := fieldset(7, nil); !strings.Contains(got, `value="cloud" > Cloud <span class="muted">(7)</span>`) {
			t.Fatalf("the delivery facet with 7 cloud services = %s", got)
		}
		if got := fieldset(9, nil); !strings.Contains(got, `value="cloud" > Cloud <span class="muted">(9)</span>`) {
			t.Fatalf("the delivery facet with 9 cloud services = %s", got)
		}
		if got := fieldset(9, url.Values{"delivery": {"cloud"}}); !strings.Contains(got, `value="cloud" checked> Cloud <span class="muted">(9)</span>`) {
			t.Fatalf("the delivery facet with cloud ticked = %s", got)
		}
	}
}

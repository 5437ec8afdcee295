package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/web"
)

// section is the part of a page from the element with the given id to the
// end of that element's list.
func section(t *testing.T, page, id, end string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	page = page[i:]
	if j := strings.Index(page, end); j >= 0 {
		page = page[:j]
	}
	return page
}

// TestHomeShowsWhatThePersonCanUse: a delivered need waits for its
// requester's acceptance rather than being listed as open, and the costs
// card is offered only to those who may read the statements.
func TestHomeShowsWhatThePersonCanUse(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		_, home := e.SignIn(t, "requester@example.com").Get("/")
		if open := section(t, home, "home-needs", "</ul>"); strings.Contains(open, "Barcode label printer") {
			t.Error("a delivered need is listed among the open ones")
		}
		if !strings.Contains(section(t, home, "home-delivered", "</ul>"), "Barcode label printer") {
			t.Error("the delivered need waiting for acceptance is not shown")
		}
		if strings.Contains(home, "See your department's costs") {
			t.Error("a requester is offered the costs page, which refuses them")
		}
		_, home = e.SignIn(t, "budget@example.com").Get("/")
		if !strings.Contains(home, "See your department's costs") {
			t.Error("a budget holder is not offered the costs page")
		}
	})
}

// TestNeedSaysHowItEnded: needs that ended without the board's decision
// say how (met by the catalog, merged, withdrawn) rather than "not decided".
func TestNeedSaysHowItEnded(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "admin@example.com")
		for title, want := range map[string]string{
			"Shared calendar for booking the flow cytometer": "Closed: met by an offering of the catalog",
			"Sample tracking across Basel and Singapore":     "Closed as a duplicate of another need",
			"Remote access to instrument PCs":                "Withdrawn by the requester",
			"Video meetings with external partners":          "Rejected at triage",
		} {
			list, _, err := e.FrontDoor.List(context.Background(), system, frontdoor.ListFilter{Query: title, Limit: 5})
			if err != nil {
				t.Fatalf("finding %q: %v", title, err)
			}
			i := slices.IndexFunc(list, func(n frontdoor.Need) bool {
				return n.Title == title && frontdoor.Final(n.State) && n.State != frontdoor.Withdrawn == !strings.HasPrefix(want, "Withdrawn")
			})
			if i < 0 {
				t.Fatalf("no need %q in the demo", title)
			}
			res, page := b.Get("/needs/" + list[i].Reference)
			decision := section(t, page, "decision", "</p>")
			if res.StatusCode != http.StatusOK || !strings.Contains(decision, want) || strings.Contains(decision, "Not decided") {
				t.Errorf("%s (%s): decision reads %q; want %q", list[i].Reference, title, decision, want)
			}
		}
	})
}

// TestAdminIndexLinksEveryAdminPage: each admin list page is one click
// from the admin index.
func TestAdminIndexLinksEveryAdminPage(t *testing.T) {
	e := apptest.New(t, "sqlite")
	_, page := e.SignIn(t, "admin@example.com").Get("/admin")
	for _, rt := range (&web.Server{}).Routes() {
		path, ok := strings.CutPrefix(rt.Pattern, "GET ")
		if !ok || !strings.HasPrefix(path, "/admin/") || strings.Contains(path, "{") || strings.HasSuffix(path, "/new") {
			continue
		}
		if !strings.Contains(page, `href="`+path+`"`) {
			t.Errorf("the admin index does not link to %s", path)
		}
	}
}

// TestPricesBelowACentShownExactly: the archive tier costs €0.004 per
// GB-month; the service page and the catalog card say so rather than
// "€0.00".
func TestPricesBelowACentShownExactly(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "requester@example.com")
		_, page := b.Get("/catalog/object-storage")
		if !strings.Contains(page, "€0.004 per GB-month") || strings.Contains(page, "€0.00 ") {
			t.Errorf("the service page rounds the archive tier's price to the cent: %s", section(t, page, "main", "</main>"))
		}
		_, page = b.Get("/catalog?q=object+storage")
		if !strings.Contains(page, "€0.004 per GB-month") || strings.Contains(page, "From €0.00<") {
			t.Error("the catalog card rounds the starting price to the cent")
		}
	})
}

// TestLegacyServiceLeadsToCloudComparison follows, as a requester would,
// the links from a legacy service's page to its cloud alternative side by
// side, and builds a comparison across services on the compare page.
func TestLegacyServiceLeadsToCloudComparison(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "requester@example.com")
		_, page := b.Get("/catalog/physical-server")
		if !strings.Contains(page, "takes no new orders") || !strings.Contains(page, `Use instead: <a href="/catalog/cloud-vm">`) {
			t.Error("the retiring service's offerings do not say why they cannot be ordered and what to use instead")
		}
		var compare string
		for _, l := range apptest.Links(section(t, page, "alternatives", "</section>")) {
			if l.Text == "Compare Physical server (legacy) with Cloud virtual machines" {
				compare = l.Href
			}
		}
		if compare == "" {
			t.Fatalf("the legacy service's page offers no comparison with its cloud alternative: %s", section(t, page, "alternatives", "</section>"))
		}
		res, page := b.Get(compare)
		cols := section(t, page, "summary", "</thead>")
		if res.StatusCode != http.StatusOK || !strings.Contains(cols, "Physical server (legacy)") || !strings.Contains(cols, "Cloud virtual machines") {
			t.Fatalf("%s = %d; want the physical server beside the cloud VMs: %s", compare, res.StatusCode, cols)
		}
		// From an empty comparison, offerings of any services can be added.
		next := "/compare"
		for range 2 {
			_, page = b.Get(next)
			i := slices.IndexFunc(apptest.Forms(page), func(f apptest.Form) bool {
				return slices.ContainsFunc(f.Fields, func(c apptest.Field) bool { return c.ID == "add-offering" })
			})
			if i < 0 {
				t.Fatalf("%s offers no offering to add", next)
			}
			next = "/compare?" + apptest.Forms(page)[i].Values().Encode()
		}
		res, page = b.Get(next)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="summary"`) {
			t.Fatalf("adding two offerings on the compare page = %d, no comparison", res.StatusCode)
		}
	})
}

// TestAPIReference: the account page's token section leads to a readable
// reference of the API, made from the OpenAPI document the API serves.
func TestAPIReference(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "requester@example.com")
		_, account := b.Get("/account")
		if !strings.Contains(section(t, account, "tokens", "</form>"), `href="/api-reference"`) {
			t.Fatal("the account page's token section does not lead to the API reference")
		}
		res, page := b.Get("/api-reference")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/api-reference = %d", res.StatusCode)
		}
		for _, want := range []string{
			`<code>/me</code>`, // an operation, under its path
			`id="tag-accounts"`,
			`<code>cursor</code>`, // a query parameter
			`id="schema-`,         // the schemas, each with an anchor
			`href="#schema-`,      // linked from the operations
			`<span class="label">POST</span>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the API reference lacks %s", want)
			}
		}
		if strings.Contains(page, "<script") || strings.Contains(page, "https://") && strings.Contains(page, "cdn") {
			t.Error("the API reference loads scripts")
		}
	})
}

// TestOfferingUnitName: the owner names an offering's unit on its form,
// and its prices then read per that unit.
func TestOfferingUnitName(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		d, err := e.Catalog.FindService(context.Background(), system, "backup")
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		for _, o := range d.Offerings {
			if o.Slug == "backup-laptop" {
				id = o.ID
			}
		}
		b := e.SignIn(t, "admin@example.com")
		edit := "/offerings/" + strconv.FormatInt(id, 10)
		res, body := b.Submit(edit+"/edit", edit, url.Values{"unit_name": {"GB!"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a unit name with punctuation = %d; want 422: %.3000s", res.StatusCode, body)
		}
		res, _ = b.Submit(edit+"/edit", edit, url.Values{"unit_name": {"device"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the unit name = %d", res.StatusCode)
		}
		_, page := b.Get("/catalog/backup")
		if !strings.Contains(page, "per device-month") {
			t.Errorf("the service page does not price per device: %s", section(t, page, "offerings", "</table>"))
		}
	})
}

// TestLegacyServiceNamesAFewAlternatives: when a family has many cloud
// services, a legacy service's page names the first five by name, each with
// its comparison, and links to the catalog listing every one of them; a new
// cloud service shows on the page at once.
func TestLegacyServiceNamesAFewAlternatives(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx, sys := context.Background(), access.System("test")
		add := func(name string) {
			t.Helper()
			svc, err := e.Catalog.CreateService(ctx, sys, catalog.ServiceInput{Name: name, Summary: "Compute for everyone", Kind: "technical",
				Family: "compute", Sourcing: "built", Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "confidential",
				ArchStatus: "standard", AudienceAll: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Catalog.CreateOffering(ctx, sys, svc.ID, catalog.OfferingInput{Name: "Small", Lifecycle: "live"},
				[]catalog.RatePlan{{Currency: "EUR", Unit: "unit-month", UnitPrice: decimal.NewFromInt(40),
					EffectiveFrom: catalog.DateOf(e.Clock.Now()), Tiers: []catalog.Tier{}}}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 6 {
			add(fmt.Sprintf("Extra cloud compute %d", i+1))
		}
		b := e.SignIn(t, "requester@example.com")
		alternatives := func() (compare []string, all string) {
			t.Helper()
			_, page := b.Get("/catalog/physical-server")
			for _, l := range apptest.Links(section(t, page, "alternatives", "</section>")) {
				switch {
				case strings.HasPrefix(l.Text, "Compare Physical server (legacy) with "):
					compare = append(compare, strings.TrimPrefix(l.Text, "Compare Physical server (legacy) with "))
				case l.Text == "See every cloud service of the compute family":
					all = l.Href
				}
			}
			return compare, all
		}
		// The demo's three and six more: Cloud virtual machines, Container
		// platform, then Extra cloud compute 1 to 6, Serverless functions.
		compare, all := alternatives()
		if want := "Cloud virtual machines, Container platform, Extra cloud compute 1, Extra cloud compute 2, Extra cloud compute 3"; strings.Join(compare, ", ") != want {
			t.Fatalf("the legacy service's page compares it with %q; want %s", compare, want)
		}
		if all == "" {
			t.Fatal("the legacy service's page does not link to the rest of its cloud alternatives")
		}
		_, list := b.Get(all)
		for _, name := range []string{"Cloud virtual machines", "Extra cloud compute 6", "Serverless functions"} {
			if !strings.Contains(list, ">"+name+"<") {
				t.Errorf("%s does not list %s", all, name)
			}
		}
		if strings.Contains(list, ">Physical server (legacy)<") || strings.Contains(list, ">Object storage<") {
			t.Errorf("%s lists services that are not cloud services of the compute family", all)
		}
		add("Aardvark cloud")
		if compare, _ := alternatives(); len(compare) != 5 || compare[0] != "Aardvark cloud" {
			t.Fatalf("after a new cloud service the page compares with %q; want Aardvark cloud first of five", compare)
		}
	})
}

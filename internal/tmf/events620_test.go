package tmf_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/tmf"
)

// labCatalog is a catalog file with one service, one offering and two
// prices (the second, with a one-time fee, a bundle of two charges).
const labCatalog = `apiVersion: engage/v1
kind: Catalog
services:
  - slug: lab-backup
    name: Lab backup
    kind: technical
    family: storage
    owner: %s
    sourcing: built
    lifecycle: live
    delivery_model: cloud
    data_ceiling: internal
    arch_status: standard
    audience: all
    offerings:
      - slug: lab-backup-gb
        name: %s
        lifecycle: %s
        prices:
          - {from: 2026-03-16, currency: EUR, unit: unit-month, unit_price: "0.10"}
          - {from: 2026-05-01, currency: EUR, unit: unit-month, unit_price: "%s", one_time: "50"}
`

// eventTypes counts the TMF events by type.
func eventTypes(events []map[string]any) map[string]int {
	out := map[string]int{}
	for _, ev := range events {
		out[ev["eventType"].(string)]++
	}
	return out
}

// An applied catalog file tells the TMF620 hub what it created and changed
// (specifications, offerings, prices), each event valid by the published
// schema and signed; a dry run, a refused file and a file that changes
// nothing tell of nothing.
func TestTMF620HubHearsAppliedCatalog(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			testCatalogHub(t, apptest.NewWith(t, engine, func(c *config.Config) { c.AllowPrivateWebhooks = true }))
		})
	}
}

func testCatalogHub(t *testing.T, e *apptest.Engage) {
	admin := clientOf(t, e, "admin@example.com")
	wantError(t, clientOf(t, e, "requester@example.com").do("POST", cat+"/hub", `{"callback":"http://127.0.0.1:1/x"}`), 403)
	wantError(t, admin.do("POST", cat+"/hub", `{"callback":"http://127.0.0.1:1/x","query":"eventType=CatalogCreateEvent"}`), 400, "query")
	cb := newCallbacks(t)
	hub := admin.do("POST", cat+"/hub", fmt.Sprintf(`{"@type":"EventSubscriptionInput","callback":%q}`, cb.serv.URL))
	secret := hub.header.Get(tmf.SecretHeader)
	if hub.status != 201 || secret == "" {
		t.Fatalf("hub = %d %s", hub.status, hub.body)
	}
	apply := func(owner, name, lifecycle, price string, dryRun bool) error {
		f, err := catalog.ParseFile("catalog.yaml", strings.NewReader(fmt.Sprintf(labCatalog, owner, name, lifecycle, price)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Catalog.Apply(context.Background(), access.System("test"), f, dryRun)
		return err
	}
	if err := apply("admin@example.com", "Per GB", "pilot", "0.12", true); err != nil {
		t.Fatal(err)
	}
	if err := apply("nobody@example.com", "Per GB", "pilot", "0.12", false); err == nil {
		t.Fatal("a file with an unknown owner was applied")
	}
	if got := cb.tmfEvents(t, secret, e); len(got) != 0 {
		t.Fatalf("a dry run and a refused file told of %v", eventTypes(got))
	}

	if err := apply("admin@example.com", "Per GB", "pilot", "0.12", false); err != nil {
		t.Fatal(err)
	}
	events := cb.tmfEvents(t, secret, e)
	want := map[string]int{"ProductSpecificationCreateEvent": 1, "ProductOfferingCreateEvent": 1,
		"ProductOfferingPriceCreateEvent": 4} // 1, and a bundle of 2 with its 2 charges
	if got := eventTypes(events); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("creating told of %v; want %v", got, want)
	}
	var offeringID string
	for _, ev := range events {
		if o, ok := ev["event"].(map[string]any)["productOffering"].(map[string]any); ok {
			offeringID = o["id"].(string)
			if o["name"] != "Per GB" || o["lifecycleStatus"] != "In Test" || len(o["productOfferingPrice"].([]any)) != 2 {
				t.Errorf("created offering %v", o)
			}
		}
	}
	// The event tells of the offering as TMF620 serves it.
	if got := admin.do("GET", cat+"/productOffering/"+offeringID, "").object(t); got["name"] != "Per GB" {
		t.Fatalf("offering %s = %v", offeringID, got)
	}

	// The offering goes live and is renamed; the future price changes.
	if err := apply("admin@example.com", "Per gigabyte", "live", "0.11", false); err != nil {
		t.Fatal(err)
	}
	events = cb.tmfEvents(t, secret, e)[len(events):]
	want = map[string]int{"ProductOfferingAttributeValueChangeEvent": 1, "ProductOfferingStateChangeEvent": 1,
		"ProductOfferingPriceAttributeValueChangeEvent": 3}
	if got := eventTypes(events); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("changing told of %v; want %v", got, want)
	}
	var titles []string
	for _, ev := range events {
		titles = append(titles, ev["title"].(string))
		if o, ok := ev["event"].(map[string]any)["productOffering"].(map[string]any); ok &&
			(o["name"] != "Per gigabyte" || o["lifecycleStatus"] != "Launched") {
			t.Errorf("changed offering %v", o)
		}
	}
	for _, w := range []string{"Offering Per gigabyte changed: name", "Offering Per gigabyte is Launched"} {
		if !slices.Contains(titles, w) {
			t.Errorf("no event titled %q in %q", w, titles)
		}
	}

	seen := map[string]bool{}
	for _, ev := range cb.tmfEvents(t, secret, e) {
		if id := ev["eventId"].(string); seen[id] {
			t.Errorf("two events with the eventId %s", id)
		} else {
			seen[id] = true
		}
	}

	// The same file again changes nothing and tells of nothing.
	if err := apply("admin@example.com", "Per gigabyte", "live", "0.11", false); err != nil {
		t.Fatal(err)
	}
	if got := cb.tmfEvents(t, secret, e); len(got) != 11 {
		t.Fatalf("re-applying told of %v", eventTypes(got[11:]))
	}
}

// Retiring an offering or a service through the catalog file tells the
// TMF620 hub of its StateChangeEvent and DeleteEvent (a retired offering's
// prices too, a retired service's offerings and their prices too), bringing
// one back of its CreateEvents, and a family losing its last service that is not retired,
// or getting its first, deletes or creates its category and changes the
// catalog's category list; each event is valid by the published schema.
func TestTMF620HubHearsRetirementsAndCategories(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			testRetirementsHub(t, apptest.NewWith(t, engine, func(c *config.Config) { c.AllowPrivateWebhooks = true }))
		})
	}
}

func testRetirementsHub(t *testing.T, e *apptest.Engage) {
	ctx := context.Background()
	admin := clientOf(t, e, "admin@example.com")
	cb := newCallbacks(t)
	hub := admin.do("POST", cat+"/hub", fmt.Sprintf(`{"callback":%q}`, cb.serv.URL))
	secret := hub.header.Get(tmf.SecretHeader)
	if hub.status != 201 {
		t.Fatalf("hub = %d %s", hub.status, hub.body)
	}
	// The demo's one search service, as the catalog file describes it.
	var buf bytes.Buffer
	if err := e.Catalog.Export(ctx, access.System("test"), &buf); err != nil {
		t.Fatal(err)
	}
	f, err := catalog.ParseFile("catalog.yaml", &buf)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(f.Services, func(s catalog.FileService) bool { return s.Slug == "enterprise-search" })
	if i < 0 || f.Services[i].Family != "search" {
		t.Fatal("the demo has no search service enterprise-search")
	}
	svc := f.Services[i]
	f.Services = []catalog.FileService{svc}
	seen := 0
	apply := func(change func(s *catalog.FileService)) []map[string]any {
		t.Helper()
		change(&f.Services[0])
		if _, err := e.Catalog.Apply(ctx, access.System("test"), f, false); err != nil {
			t.Fatal(err)
		}
		events := cb.tmfEvents(t, secret, e)[seen:]
		seen += len(events)
		return events
	}
	of := func(events []map[string]any, eventType, key string) []map[string]any {
		var out []map[string]any
		for _, ev := range events {
			if ev["eventType"] == eventType {
				out = append(out, ev["event"].(map[string]any)[key].(map[string]any))
			}
		}
		return out
	}
	categories := func(c map[string]any) []string {
		var ids []string
		for _, ref := range c["category"].([]any) {
			ids = append(ids, ref.(map[string]any)["id"].(string))
		}
		return ids
	}

	// The connector offering is retired: it and its prices are deleted.
	events := apply(func(s *catalog.FileService) {
		for j := range s.Offerings {
			if s.Offerings[j].Slug == "search-connector" {
				s.Offerings[j].Lifecycle = "retired"
			}
		}
	})
	deleted := of(events, "ProductOfferingDeleteEvent", "productOffering")
	if len(deleted) != 1 || deleted[0]["lifecycleStatus"] != "Obsolete" || len(of(events, "ProductOfferingStateChangeEvent", "productOffering")) != 1 {
		t.Fatalf("retiring an offering told of %v", eventTypes(events))
	}
	pops := of(events, "ProductOfferingPriceDeleteEvent", "productOfferingPrice")
	if len(pops) == 0 || len(pops) < len(deleted[0]["productOfferingPrice"].([]any)) {
		t.Fatalf("retiring an offering deleted %d prices; it has %v", len(pops), deleted[0]["productOfferingPrice"])
	}
	for _, typ := range []string{"CategoryDeleteEvent", "ProductSpecificationDeleteEvent", "CatalogAttributeValueChangeEvent"} {
		if eventTypes(events)[typ] != 0 {
			t.Fatalf("retiring an offering told of %v", eventTypes(events))
		}
	}
	// Retired, it stays readable.
	if got := admin.do("GET", cat+"/productOffering/"+deleted[0]["id"].(string), "").object(t); got["lifecycleStatus"] != "Obsolete" {
		t.Fatalf("retired offering = %v", got)
	}

	// The service moves to the data family: search has no service left.
	events = apply(func(s *catalog.FileService) { s.Family = "data" })
	gone := of(events, "CategoryDeleteEvent", "category")
	changed := of(events, "CatalogAttributeValueChangeEvent", "catalog")
	if len(gone) != 1 || gone[0]["id"] != "search" || len(changed) != 1 || slices.Contains(categories(changed[0]), "search") ||
		!slices.Contains(categories(changed[0]), "data") || eventTypes(events)["CategoryCreateEvent"] != 0 {
		t.Fatalf("moving the last search service told of %v", eventTypes(events))
	}
	for _, ev := range events {
		if ev["eventType"] == "CatalogAttributeValueChangeEvent" && ev["fieldPath"] != "category" {
			t.Errorf("catalog change on %v", ev["fieldPath"])
		}
	}
	wantError(t, admin.do("GET", cat+"/category/search", ""), 404)
	if got := categories(admin.do("GET", cat+"/catalog/engage", "").object(t)); slices.Contains(got, "search") {
		t.Fatalf("the catalog's categories %v still hold search", got)
	}
	if got := admin.do("GET", cat+"/category", "").list(t); slices.ContainsFunc(got, func(c map[string]any) bool { return c["id"] == "search" }) {
		t.Fatal("search is still listed")
	}

	// Back in search: the category is created again.
	events = apply(func(s *catalog.FileService) { s.Family = "search" })
	made := of(events, "CategoryCreateEvent", "category")
	if len(made) != 1 || made[0]["id"] != "search" || eventTypes(events)["CategoryDeleteEvent"] != 0 ||
		len(of(events, "CatalogAttributeValueChangeEvent", "catalog")) != 1 {
		t.Fatalf("moving back told of %v", eventTypes(events))
	}
	if got := admin.do("GET", cat+"/category/search", "").object(t); got["name"] != "Search" {
		t.Fatalf("category search = %v", got)
	}

	// The service is retired: it is deleted, and so is its category.
	events = apply(func(s *catalog.FileService) { s.Lifecycle = "retired" })
	specs := of(events, "ProductSpecificationDeleteEvent", "productSpecification")
	if len(specs) != 1 || specs[0]["lifecycleStatus"] != "Obsolete" || len(of(events, "ProductSpecificationStateChangeEvent", "productSpecification")) != 1 {
		t.Fatalf("retiring the service told of %v", eventTypes(events))
	}
	if gone := of(events, "CategoryDeleteEvent", "category"); len(gone) != 1 || gone[0]["id"] != "search" {
		t.Fatalf("retiring the last search service told of %v", eventTypes(events))
	}
	if got := admin.do("GET", cat+"/productSpecification/"+specs[0]["id"].(string), "").object(t); got["lifecycleStatus"] != "Obsolete" {
		t.Fatalf("retired specification = %v", got)
	}
	// Its offerings leave with it, with their prices; the connector, retired
	// before, is not deleted twice.
	connector := deleted[0]["id"]
	offerings := of(events, "ProductOfferingDeleteEvent", "productOffering")
	if len(offerings) != len(svc.Offerings)-1 || slices.ContainsFunc(offerings, func(o map[string]any) bool { return o["id"] == connector }) ||
		eventTypes(events)["ProductOfferingPriceDeleteEvent"] < len(offerings) || eventTypes(events)["ProductOfferingStateChangeEvent"] != 0 {
		t.Fatalf("retiring the service with %d offerings told of %v", len(svc.Offerings), eventTypes(events))
	}

	// Back from retirement: the service, its offerings that are not
	// retired and their prices are created again, and so is the category.
	events = apply(func(s *catalog.FileService) { s.Lifecycle = "live" })
	back := of(events, "ProductOfferingCreateEvent", "productOffering")
	if specs := of(events, "ProductSpecificationCreateEvent", "productSpecification"); len(specs) != 1 || specs[0]["lifecycleStatus"] != "Launched" ||
		len(back) != len(offerings) || slices.ContainsFunc(back, func(o map[string]any) bool { return o["id"] == connector }) ||
		eventTypes(events)["ProductOfferingPriceCreateEvent"] < max(countPrices(back), 1) ||
		len(of(events, "CategoryCreateEvent", "category")) != 1 {
		t.Fatalf("bringing the service back told of %v", eventTypes(events))
	}
	for _, typ := range []string{"ProductSpecificationStateChangeEvent", "ProductOfferingDeleteEvent", "ProductOfferingPriceDeleteEvent"} {
		if eventTypes(events)[typ] != 0 {
			t.Fatalf("bringing the service back told of %v", eventTypes(events))
		}
	}
	// The connector comes back too: created, with its prices.
	events = apply(func(s *catalog.FileService) {
		for j := range s.Offerings {
			if s.Offerings[j].Slug == "search-connector" {
				s.Offerings[j].Lifecycle = "live"
			}
		}
	})
	if back := of(events, "ProductOfferingCreateEvent", "productOffering"); len(back) != 1 || back[0]["id"] != connector ||
		eventTypes(events)["ProductOfferingPriceCreateEvent"] < max(countPrices(back), 1) || eventTypes(events)["ProductOfferingStateChangeEvent"] != 0 {
		t.Fatalf("bringing the connector back told of %v", eventTypes(events))
	}

	// The same file again tells of nothing.
	if events := apply(func(*catalog.FileService) {}); len(events) != 0 {
		t.Fatalf("re-applying told of %v", eventTypes(events))
	}
}

// countPrices counts the prices the offerings name.
func countPrices(offerings []map[string]any) int {
	n := 0
	for _, o := range offerings {
		n += len(o["productOfferingPrice"].([]any))
	}
	return n
}

package tmf_test

import (
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
	wantError(t, admin.do("POST", cat+"/hub", `{"callback":"http://127.0.0.1:1/x","query":"eventType=ProductOfferingDeleteEvent"}`), 400, "query")
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

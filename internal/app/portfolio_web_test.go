package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
)

var checkedField = regexp.MustCompile(`name="checked" value="([0-9a-f]+)"`)

// TestPortfolioPages: everyone reads the process map, a process's page and
// the applications; an architect sees what an ArchiMate file would change
// before it is applied, applies it by sending the same file again, links a
// process to a catalog service (a weight above 100 % is refused on its
// field) and adds a process; a requester sees no forms and is refused a
// change.
func TestPortfolioPages(t *testing.T) {
	archi, err := os.ReadFile("../process/testdata/archimate/archisurance.xml")
	if err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		riley := e.SignIn(t, "requester@example.com")
		res, body := riley.Get("/portfolio")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Order to cash") || !strings.Contains(body, `id="process-map"`) ||
			strings.Contains(body, `action="/portfolio/processes"`) {
			t.Fatalf("the map as a requester = %d", res.StatusCode)
		}
		m, err := e.Processes.ProcessMap(ctx, principalOf(t, e, "requester@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		var quote int64
		for _, entry := range m.Entries {
			if entry.Ref == "give-a-quote" {
				quote = entry.ID
			}
		}
		path := fmt.Sprintf("/portfolio/processes/%d", quote)
		if res, body := riley.Get(path); res.StatusCode != http.StatusOK || !strings.Contains(body, "Give a quote") || !strings.Contains(body, `id="evidence"`) ||
			strings.Contains(body, "/links") {
			t.Fatalf("a process as a requester = %d", res.StatusCode)
		}
		if res, _ := riley.Post(path+"/links", url.Values{"target": {"service:1"}, "weight": {"5"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester links = %d", res.StatusCode)
		}
		if res, body := riley.Get("/portfolio/applications"); res.StatusCode != http.StatusOK || !strings.Contains(body, "SAP S/4HANA") {
			t.Fatalf("applications = %d", res.StatusCode)
		}
		if res, body := riley.Get("/portfolio/journeys"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Buy our products") {
			t.Fatalf("journeys = %d", res.StatusCode)
		}
		if res, _ := riley.Get("/portfolio/archimate"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the import page as a requester = %d", res.StatusCode)
		}

		architect := e.SignIn(t, "architect@example.com")
		architect.Get("/portfolio/archimate")
		res, body = postFileWith(t, e, architect, "/portfolio/archimate", "archisurance.xml", string(archi), nil)
		checked := checkedField.FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "31 created, 0 changed") || checked == nil {
			t.Fatalf("dry run = %d", res.StatusCode)
		}
		if m2, _ := e.Processes.ProcessMap(ctx, principalOf(t, e, "requester@example.com")); len(m2.Entries) != len(m.Entries) {
			t.Fatalf("the dry run wrote")
		}
		res, _ = postFileWith(t, e, architect, "/portfolio/archimate", "archisurance.xml", string(archi), url.Values{"checked": {checked[1]}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply = %d", res.StatusCode)
		}
		if _, body := architect.Get("/portfolio"); !strings.Contains(body, "Handle Claim") || !strings.Contains(body, "Imported archisurance.xml: 31 created, 0 changed.") {
			t.Fatalf("the map after the import lacks Archisurance")
		}
		res, body = postFileWith(t, e, architect, "/portfolio/archimate", "bad.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE model>\n<model/>", nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "DOCTYPE") {
			t.Fatalf("a DOCTYPE = %d", res.StatusCode)
		}

		// Link the quote to the CRM service, through the page's own form.
		svc, err := e.Catalog.FindService(ctx, principalOf(t, e, "architect@example.com"), "team-chat")
		if err != nil {
			t.Fatal(err)
		}
		res, body = architect.Submit(path, path+"/links", url.Values{"target": {fmt.Sprint("service:", svc.Service.ID)}, "weight": {"100.5"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="weight-error"`) {
			t.Fatalf("weight above 100 = %d", res.StatusCode)
		}
		// The refused link keeps its choice, and the edit form below it
		// still shows the process, not the link form's fields.
		if want := fmt.Sprintf(`value="service:%d" selected`, svc.Service.ID); !strings.Contains(body, want) {
			t.Fatalf("the refused link forgot the service chosen (%s)", want)
		}
		if d, _ := e.Processes.Describe(ctx, principalOf(t, e, "architect@example.com"), quote); !strings.Contains(body, `name="name" value="`+html.EscapeString(d.Entry.Name)+`"`) {
			t.Fatalf("after a refused link the edit form lost the name %q", d.Entry.Name)
		}
		for range 2 { // sent twice, one link
			if res, _ := architect.Submit(path, path+"/links", url.Values{"target": {fmt.Sprint("service:", svc.Service.ID)}, "weight": {"12.5"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("link = %d", res.StatusCode)
			}
		}
		d, err := e.Processes.Describe(ctx, principalOf(t, e, "architect@example.com"), quote)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, l := range d.Services {
			if l.ServiceID == svc.Service.ID && l.Weight.String() == "12.5" {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("services after linking: %+v", d.Services)
		}
		// The process page names the community of the service it now uses.
		if _, body := architect.Get(path); !strings.Contains(body, `its community: <a href="/communities/`+demo.CommunityMessaging+`">`) {
			t.Fatalf("the process page does not name the team chat's community")
		}
		// Changing it on its page keeps what the form does not edit: its owner.
		if res, _ := architect.Submit(path, path, url.Values{"name": {"Give a quote to a customer"}, "enablement": {"automated"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit = %d", res.StatusCode)
		}
		after, err := e.Processes.Get(ctx, principalOf(t, e, "architect@example.com"), quote)
		if err != nil || after.Name != "Give a quote to a customer" || after.Enablement != "automated" || after.OwnerDepartmentID == 0 ||
			after.OwnerDepartmentID != d.Entry.OwnerDepartmentID || after.ExternalCustomers != d.Entry.ExternalCustomers {
			t.Fatalf("after the edit: %+v, %v (before %+v)", after, err, d.Entry)
		}
		res, _ = architect.Submit("/portfolio", "/portfolio/processes", url.Values{"name": {"Send samples"}, "ref": {"send-samples"},
			"kind": {"process"}, "parent_id": {fmt.Sprint(d.Entry.ParentID)}, "enablement": {"manual"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a process = %d", res.StatusCode)
		}
		res, body = architect.Submit("/portfolio", "/portfolio/processes", url.Values{"name": {""}, "ref": {"Bad Ref"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="name-error"`) || !strings.Contains(body, `id="ref-error"`) {
			t.Fatalf("a bad process = %d", res.StatusCode)
		}
	})
}

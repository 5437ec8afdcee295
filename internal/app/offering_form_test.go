package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestOfferingFormErrors: the form that edits an offering shows what went
// wrong — a stale version, a missing name (422), a person who may
// not edit the catalog (403) — instead of an empty page.
func TestOfferingFormErrors(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		var id int64
		var version int
		var name, slug, lifecycle string
		if err := e.DB.QueryRow(context.Background(), "SELECT id, version, name, slug, lifecycle FROM offerings ORDER BY id LIMIT 1").
			Scan(&id, &version, &name, &slug, &lifecycle); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/offerings/%d", id)
		form := func(version int, name string) url.Values {
			return url.Values{"version": {fmt.Sprint(version)}, "name": {name}, "slug": {slug}, "lifecycle": {lifecycle},
				"lead_time_days": {"3"}, "position": {"1"}}
		}
		admin := e.SignIn(t, "admin@example.com")
		admin.Get(path + "/edit")
		if res, body := admin.Post(path, form(version+5, name)); res.StatusCode < 400 || !strings.Contains(body, "Someone else changed this offering") ||
			!strings.Contains(body, `name="version"`) {
			t.Errorf("stale version = %d; want the form again saying why", res.StatusCode)
		}
		if res, body := admin.Post(path, form(version, "")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `name="name"`) {
			t.Errorf("no name = %d; want 422 and the form again", res.StatusCode)
		}
		requester := e.SignIn(t, "requester@example.com")
		if res, _ := requester.Post(path, form(version, name+" (changed)")); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("a requester editing = %d; want 403 or 404", res.StatusCode)
		}
		if res, _ := admin.Post(path, form(version, name+" (renamed)")); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a good edit = %d; want 303", res.StatusCode)
		}
	})
}

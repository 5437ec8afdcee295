package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
)

// testAPI is the API without services, signed in as an administrator: what
// it refuses, it refuses before any service is called.
func testAPI(t *testing.T) (*huma.OpenAPI, *httptest.Server) {
	t.Helper()
	a := &API{Logger: slog.New(slog.DiscardHandler), Version: "test"}
	a.Notify = &notify.Service{EventTypes: []string{"need.submitted", "need.state_changed", "approval.decided"}}
	mux := http.NewServeMux()
	doc := a.Register(mux).OpenAPI()
	srv := httptest.NewServer(signedIn(t, mux, &access.Principal{PersonID: 1, Name: "Ada", Roles: []access.Role{access.Admin}}))
	t.Cleanup(srv.Close)
	return doc, srv
}

// jsonOperation is an operation taking a JSON object, with the schema of
// that object.
type jsonOperation struct {
	method, path string
	schema       *huma.Schema
}

// jsonOperations lists the operations whose body is a JSON object.
func jsonOperations(doc *huma.OpenAPI) []jsonOperation {
	var ops []jsonOperation
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[path]
		for _, op := range operations(item) {
			if s := jsonBody(doc, op); s != nil {
				ops = append(ops, jsonOperation{op.Method, path, s})
			}
		}
	}
	return ops
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// send posts body to the operation, its path parameters filled with 1, and
// returns the status and the locations of the problem's errors.
func send(t *testing.T, srv *httptest.Server, method, path, body string) (int, []string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+Prefix+pathParam.ReplaceAllString(path, "1"), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var problem huma.ErrorModel
	_ = json.Unmarshal(raw, &problem)
	var locations []string
	for _, d := range problem.Errors {
		locations = append(locations, d.Location)
	}
	return res.StatusCode, locations
}

// TestRequiredStringsAreNotEmpty: every required string of every request
// body says it is not empty (minLength 1), or has a pattern, a format or a
// list of values, unless "" is a value its service takes; and the API
// refuses "" for each, naming the field.
func TestRequiredStringsAreNotEmpty(t *testing.T) {
	doc, srv := testAPI(t)
	walkRequestSchemas(doc, func(name string, s *huma.Schema) {
		for _, prop := range s.Required {
			ps := s.Properties[prop]
			if ps == nil || ps.Ref != "" || ps.Type != huma.TypeString {
				continue
			}
			_, empty := mayBeEmpty[name+"."+prop]
			if !empty && (ps.MinLength == nil || *ps.MinLength < 1) && ps.Pattern == "" && ps.Format == "" && len(ps.Enum) == 0 {
				t.Errorf("%s.%s is required but may be empty", name, prop)
			}
		}
	})
	for _, op := range jsonOperations(doc) {
		for _, prop := range op.schema.Required {
			ps := op.schema.Properties[prop]
			if ps == nil || ps.Type != huma.TypeString || ps.MinLength == nil {
				continue
			}
			body, _ := json.Marshal(map[string]string{prop: ""})
			status, locations := send(t, srv, op.method, op.path, string(body))
			if status != http.StatusUnprocessableEntity || !slices.Contains(locations, "body."+prop) {
				t.Errorf(`%s %s {"%s": ""} = %d %v; want 422 naming body.%s`, op.method, op.path, prop, status, locations, prop)
			}
		}
	}
}

// TestFixedListsAreEnums: a service's family, a location's country and a
// webhook's event types are enums of the values the server takes, in
// every request body that holds them, and a time zone has the pattern of
// an IANA name; a value outside them is refused naming the field.
func TestFixedListsAreEnums(t *testing.T) {
	doc, srv := testAPI(t)
	found := map[string]int{}
	walkRequestSchemas(doc, func(name string, s *huma.Schema) {
		for prop, ps := range s.Properties {
			if ps.Items != nil {
				ps = ps.Items
			}
			switch prop {
			case "family", "country", "event_types":
				found[prop]++
				if len(ps.Enum) == 0 {
					t.Errorf("%s.%s is not an enum", name, prop)
				}
			case "time_zone":
				found[prop]++
				if ps.Pattern != timeZonePattern {
					t.Errorf("%s.%s has no time zone pattern", name, prop)
				}
			}
		}
	})
	for _, prop := range []string{"family", "country", "event_types", "time_zone"} {
		if found[prop] < 2 { // the schemas that create and that change
			t.Errorf("%s is in %d request schemas; want at least 2", prop, found[prop])
		}
	}
	if got := len(org.Countries); got != 249 {
		t.Errorf("%d ISO 3166-1 countries; want 249", got)
	}
	for _, c := range []struct{ method, path, body, field string }{
		{http.MethodPost, "/services", `{"family": "plumbing"}`, "body.family"},
		{http.MethodPost, "/locations", `{"country": "UK"}`, "body.country"},
		{http.MethodPost, "/locations", `{"country": "gb"}`, "body.country"},
		{http.MethodPatch, "/locations/{id}", `{"version": 1, "time_zone": "Europe/London; DROP"}`, "body.time_zone"},
		{http.MethodPost, "/webhooks", `{"url": "https://example.com", "event_types": ["need.exploded"]}`, "body.event_types[0]"},
	} {
		status, locations := send(t, srv, c.method, c.path, c.body)
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations, c.field) {
			t.Errorf("%s %s %s = %d %v; want 422 naming %s", c.method, c.path, c.body, status, locations, c.field)
		}
	}
	for _, want := range []string{"*", "need.*", "need.submitted", "approval.*"} {
		if !slices.Contains(eventTypeChoices([]string{"need.submitted", "approval.decided"}), want) {
			t.Errorf("event types offered lack %s", want)
		}
	}
}

// TestNullRefused: no field of a request body is nullable unless its
// schema says so, and a field sent as null where it is not is refused
// with 422 naming it, before anything is done, in every operation that
// takes a JSON object: {"name": null} no longer keeps the name.
func TestNullRefused(t *testing.T) {
	doc, srv := testAPI(t)
	checked := 0
	for _, op := range jsonOperations(doc) {
		for _, prop := range slices.Sorted(maps.Keys(op.schema.Properties)) {
			if nullable(doc.Components.Schemas, op.schema.Properties[prop]) {
				continue
			}
			checked++
			status, locations := send(t, srv, op.method, op.path, `{"`+prop+`": null}`)
			if status != http.StatusUnprocessableEntity || !slices.Contains(locations, "body."+prop) {
				t.Errorf(`%s %s {"%s": null} = %d %v; want 422 naming body.%s`, op.method, op.path, prop, status, locations, prop)
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d fields checked", checked)
	}
	// Deeper in the body too.
	status, locations := send(t, srv, http.MethodPost, "/approval-policies", `{"name": "p", "stages": [{"name": null}]}`)
	if status != http.StatusUnprocessableEntity || !slices.Contains(locations, "body.stages[0].name") {
		t.Errorf("a null in a nested object = %d %v; want 422 naming body.stages[0].name", status, locations)
	}
}

package apptest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/engagehq/engage/internal/apptest"
)

// TestDocumentValid: the document Engage serves is a valid OpenAPI
// document, so that generated clients and the contract checks can read it.
func TestDocumentValid(t *testing.T) {
	e := apptest.New(t, "sqlite")
	if _, err := apptest.LoadContract(e.Handler); err != nil {
		t.Fatal(err)
	}
}

// TestDocumentIsExact: the document says what the server enforces. One
// template per path; every operation whose path names something documents
// 404 and every operation with a body 400 (not well-formed), 413 and 415;
// the CSV exports are text/csv; decimals, months and dates have their
// formats; /compare takes two to four offerings; a change (PATCH or PUT
// /things/{id}) may not empty a string that creating requires not to be
// empty, and a topic's edit has its title.
func TestDocumentIsExact(t *testing.T) {
	e := apptest.New(t, "sqlite")
	c, err := apptest.LoadContract(e.Handler)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range c.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			if strings.Contains(path, "{") && op.Responses.Status(404) == nil {
				t.Errorf("%s %s does not document 404", method, path)
			}
			if op.RequestBody != nil {
				for _, status := range []int{400, 413, 415} {
					if op.Responses.Status(status) == nil {
						t.Errorf("%s %s takes a body but does not document %d", method, path, status)
					}
				}
			}
		}
	}
	nonEmpty := changesKeepingNonEmpty(c.Doc)
	for _, want := range []string{"PATCH /departments/{id} code", "PATCH /departments/{id} name", "PATCH /functions/{id} code",
		"PATCH /locations/{id} name", "PATCH /people/{id} email", "PATCH /people/{id} name", "PATCH /approval-policies/{id} name",
		"PATCH /communities/{id} slug", "PATCH /webhooks/{id} url"} {
		if n, ok := nonEmpty[want]; !ok || n < 1 {
			t.Errorf("%s: minLength %d; want 1, as creating has", want, n)
		}
	}
	for field, n := range nonEmpty {
		if n < 1 {
			t.Errorf("%s: minLength %d; want 1, as creating has", field, n)
		}
	}
	if edit := jsonBody(c.Doc, c.Doc.Paths.Value("/topics/{id}").Put); edit == nil || !slices.Contains(edit.Required, "title") ||
		edit.Properties["title"].Value.MinLength < 1 {
		t.Error("PUT /topics/{id}: the title is not a required, non-empty string")
	}
	for _, path := range []string{"/exports/{kind}", "/cost-pools/export"} {
		item := c.Doc.Paths.Value(path)
		if item == nil || item.Get == nil || item.Get.Responses.Status(200).Value.Content.Get("text/csv") == nil {
			t.Errorf("GET %s is not documented as text/csv", path)
		}
	}
	param := func(path, method, name string) *openapi3.Schema {
		item := c.Doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Fatalf("%s %s is not documented", method, path)
		}
		p := item.GetOperation(method).Parameters.GetByInAndName(openapi3.ParameterInQuery, name)
		if p == nil {
			p = item.GetOperation(method).Parameters.GetByInAndName(openapi3.ParameterInPath, name)
		}
		if p == nil || p.Schema == nil {
			t.Fatalf("%s %s has no parameter %s", method, path, name)
		}
		return p.Schema.Value
	}
	if s := param("/compare", "GET", "offering_id"); s.MinItems != 2 || s.MaxItems == nil || *s.MaxItems != 4 {
		t.Errorf("/compare offering_id: minItems %d, maxItems %v; want 2 and 4", s.MinItems, s.MaxItems)
	}
	if s := param("/statements", "GET", "period"); s.Pattern == "" {
		t.Error("/statements period: no YYYY-MM pattern")
	}
	if s := param("/subscriptions", "GET", "active_on"); s.Format != "date" {
		t.Errorf("/subscriptions active_on: format %q; want date", s.Format)
	}
	if s := param("/compare", "GET", "quantity"); s.Pattern == "" {
		t.Error("/compare quantity: a decimal without a pattern")
	}
	for name, field := range map[string]string{"Quote": "term_total", "Statement": "total"} {
		schema := c.Doc.Components.Schemas[name]
		if schema == nil || schema.Value.Properties[field] == nil || schema.Value.Properties[field].Value.Pattern == "" {
			t.Errorf("%s.%s: a decimal without a pattern", name, field)
		}
	}
}

// changesKeepingNonEmpty are the optional strings of changes (PATCH or PUT
// /things/{id}, as "PATCH /things/{id} name") that creating (POST /things)
// requires not to be empty, with the minLength the change gives them.
func changesKeepingNonEmpty(doc *openapi3.T) map[string]uint64 {
	out := map[string]uint64{}
	for path, item := range doc.Paths.Map() {
		i := strings.LastIndex(path, "/")
		if i <= 0 || !strings.HasPrefix(path[i:], "/{") || doc.Paths.Value(path[:i]) == nil {
			continue
		}
		create := jsonBody(doc, doc.Paths.Value(path[:i]).Post)
		for method, op := range map[string]*openapi3.Operation{"PATCH": item.Patch, "PUT": item.Put} {
			change := jsonBody(doc, op)
			if create == nil || change == nil {
				continue
			}
			for prop, ps := range change.Properties {
				cs := create.Properties[prop]
				if cs == nil || cs.Value.MinLength < 1 || !slices.Contains(create.Required, prop) || slices.Contains(change.Required, prop) ||
					!ps.Value.Type.Is(openapi3.TypeString) {
					continue
				}
				out[method+" "+path+" "+prop] = ps.Value.MinLength
			}
		}
	}
	return out
}

// jsonBody is the schema of an operation's JSON body, or nil.
func jsonBody(doc *openapi3.T, op *openapi3.Operation) *openapi3.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

package tmf_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// spec is a published TMF Swagger document, converted to OpenAPI 3 so that
// its schemas can check Engage's answers.
type spec struct {
	base string
	doc  *openapi3.T
}

var (
	specsOnce sync.Once
	specs     []spec
	specsErr  error
)

// loadSpecs reads the Swagger documents in testdata as published.
func loadSpecs(t testing.TB) []spec {
	t.Helper()
	specsOnce.Do(func() {
		for _, name := range []string{"TMF620-ProductCatalog-v4.1.0.swagger.json", "TMF648-Quote-v4.0.0.swagger.json", "TMF622-ProductOrder-v4.0.0.swagger.json"} {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				specsErr = err
				return
			}
			var doc2 openapi2.T
			if err := json.Unmarshal(raw, &doc2); err != nil {
				specsErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			doc3, err := openapi2conv.ToV3(&doc2)
			if err != nil {
				specsErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			if err := openapi3.NewLoader().ResolveRefsIn(doc3, nil); err != nil {
				specsErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			specs = append(specs, spec{base: strings.TrimSuffix(doc2.BasePath, "/"), doc: doc3})
		}
	})
	if specsErr != nil {
		t.Fatal(specsErr)
	}
	return specs
}

// operation finds the documented operation of a request path.
func operation(t testing.TB, method, path string) *openapi3.Operation {
	t.Helper()
	for _, s := range loadSpecs(t) {
		rest, ok := strings.CutPrefix(path, s.base)
		if !ok {
			continue
		}
		for tmpl, item := range s.doc.Paths.Map() {
			if matchPath(tmpl, rest) {
				if op := item.GetOperation(method); op != nil {
					return op
				}
			}
		}
	}
	t.Fatalf("%s %s is not an operation of the TMF documents", method, path)
	return nil
}

func matchPath(tmpl, path string) bool {
	a, b := strings.Split(strings.Trim(tmpl, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.HasPrefix(a[i], "{") && a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkResponse validates a response body against the schema the TMF
// document gives the operation for its status, and fails when the status
// is not documented.
func checkResponse(t testing.TB, method, path string, status int, body []byte) {
	t.Helper()
	op := operation(t, method, path)
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		t.Fatalf("%s %s answered %d, which its TMF document does not list: %s", method, path, status, body)
	}
	if status == http.StatusNoContent {
		if len(body) != 0 {
			t.Fatalf("%s %s: 204 with a body %s", method, path, body)
		}
		return
	}
	var schema *openapi3.SchemaRef
	for _, mt := range resp.Value.Content {
		schema = mt.Schema
	}
	if schema == nil || schema.Value == nil {
		t.Fatalf("%s %s %d: the TMF document gives no schema", method, path, status)
	}
	checkSchema(t, method+" "+path+" "+strconv.Itoa(status), schema.Value, body)
}

// checkSchema validates a JSON document against a schema.
func checkSchema(t testing.TB, what string, schema *openapi3.Schema, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, body)
	}
	if err := schema.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Fatalf("%s: the answer breaks the TMF schema: %v\n%s", what, err, body)
	}
}

// definition is a named schema of the TMF documents.
func definition(t testing.TB, name string) *openapi3.Schema {
	t.Helper()
	for _, s := range loadSpecs(t) {
		if ref, ok := s.doc.Components.Schemas[name]; ok {
			return ref.Value
		}
	}
	t.Fatalf("no TMF schema %s", name)
	return nil
}

// The published schemas do catch a wrong answer: the checks above are not
// vacuous.
func TestSchemasRefuseWrongShapes(t *testing.T) {
	for _, c := range []struct{ schema, body string }{
		{"ProductOffering", `{"id": 5}`},
		{"ProductOffering", `{"id": "5", "lastUpdate": "yesterday"}`},
		{"ProductOfferingPrice", `{"id": "5", "price": {"unit": "EUR", "value": "12.50"}}`},
		{"Error", `{"reason": "Bad Request"}`},
		{"ProductOrder", `{"id": "ORD-1", "state": "approved", "productOrderItem": []}`},
		{"Quote", `{"id": "Q-1"}`},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		if err := definition(t, c.schema).VisitJSON(v, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation()); err == nil {
			t.Errorf("%s accepted %s", c.schema, c.body)
		}
	}
}

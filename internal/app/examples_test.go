package app_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/engagehq/engage/internal/api"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
)

// examplesPending are the operations that need input but do not document
// an example yet: none now, and it stays so. An operation here that has an
// example fails the test, as does one that needs input, has no example and
// is not here.
var examplesPending = map[string]bool{}

// exampleAbsentOnDemo are the operations without input whose answer on
// the demo data is 404: what they read is made later than the demo.
var exampleAbsentOnDemo = map[string]bool{
	"get-my-digest": true, // digests are made by the weekly job
}

// exampleCall is an operation of the served document with its example.
type exampleCall struct {
	id, method, path string
	op               *openapi3.Operation
}

// exampleOrder sends what creates first, then what reads, then what acts on
// or changes, and what deletes last, so that an example may name what an
// earlier one made. A webhook's deliveries are read and retried after the
// actions, which are what publishes the events the webhook made in the
// first step is sent.
func exampleOrder(c exampleCall) int {
	switch {
	case c.method == "POST" && !strings.Contains(c.path, "{"):
		return 0
	case strings.HasPrefix(c.path, "/notification-deliveries/"):
		return 3
	case c.method == "GET":
		return 1
	case c.method == "POST":
		return 2
	case c.method == "PUT" || c.method == "PATCH":
		return 4
	}
	return 5
}

// TestOperationExamples: every operation that needs input documents an
// example (its required parameters and its body), and each operation,
// sent with its example as the account it is meant for on the demo data,
// succeeds, on both engines.
func TestOperationExamples(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		// The whole demo, as engage serve --demo loads it: with the cloud
		// bill, its allocation rules and the cost pools.
		if err := demo.LoadCosts(context.Background(), e.DB, e.Billing, e.CloudBill, e.Costs); err != nil {
			t.Fatal(err)
		}
		c, err := apptest.LoadContract(e.Handler)
		if err != nil {
			t.Fatal(err)
		}
		var calls []exampleCall
		for path, item := range c.Doc.Paths.Map() {
			for method, op := range item.Operations() {
				calls = append(calls, exampleCall{op.OperationID, method, path, op})
			}
		}
		slices.SortFunc(calls, func(a, b exampleCall) int {
			return cmp.Or(cmp.Compare(exampleOrder(a), exampleOrder(b)), cmp.Compare(a.path, b.path), cmp.Compare(a.method, b.method))
		})
		e.Notify.AllowPrivateTargets = true // the webhook's receiver is loopback
		tokens := map[string]string{}
		for _, call := range calls {
			path, query, body, contentType, complete := exampleInput(call.path, call.op)
			switch {
			case examplesPending[call.id] && complete:
				t.Errorf("%s (%s %s) has an example now: take it off examplesPending", call.id, call.method, call.path)
				continue
			case examplesPending[call.id]:
				continue
			case !complete:
				t.Errorf("%s (%s %s) documents no example", call.id, call.method, call.path)
				continue
			}
			if call.id == "create-webhook" { // a receiver the test machine reaches
				body = strings.Replace(body, "https://hooks.example.com", "http://127.0.0.1:9", 1)
			}
			as := api.ExampleAs(call.id)
			if tokens[as] == "" {
				tokens[as] = e.Token(t, as)
			}
			client := apiClient{t, e, tokens[as]}
			if call.method == "PATCH" || call.method == "PUT" { // the version as it is now
				if status, now := client.do("GET", path, "", ""); status == http.StatusOK {
					body = currentVersion(body, now)
				}
			}
			if len(query) > 0 {
				path += "?" + query.Encode()
			}
			status, out := client.do(call.method, path, contentType, body)
			if exampleAbsentOnDemo[call.id] && status == http.StatusNotFound {
				continue
			}
			if status < 200 || status > 299 {
				t.Errorf("%s: %s %s as %s = %d %v", call.id, call.method, path, as, status, out)
			}
		}
	})
}

// exampleInput builds an operation's request from its documented
// examples; complete is false when it needs input (a path or required
// query parameter, a body) that has no example.
func exampleInput(path string, op *openapi3.Operation) (string, url.Values, string, string, bool) {
	complete := true
	query := url.Values{}
	for _, ref := range op.Parameters {
		p := ref.Value
		if p.In == "header" || (!p.Required && p.In != "path" && p.Example == nil) {
			continue // an optional parameter is sent when it has an example
		}
		if p.Example == nil {
			complete = false
			continue
		}
		v := fmt.Sprint(p.Example)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
		case "query":
			if list, ok := p.Example.([]any); ok {
				var items []string
				for _, item := range list {
					items = append(items, fmt.Sprint(item))
				}
				if p.Explode != nil && !*p.Explode { // offering_id=1,2
					query.Set(p.Name, strings.Join(items, ","))
				} else { // offering_id=1&offering_id=2
					query[p.Name] = items
				}
				continue
			}
			query.Set(p.Name, v)
		}
	}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return path, query, "", "", complete
	}
	for mt, content := range op.RequestBody.Value.Content {
		if content.Example == nil {
			continue
		}
		if s, ok := content.Example.(string); ok && mt != "application/json" {
			return path, query, s, mt, complete
		}
		raw, _ := json.Marshal(content.Example)
		return path, query, string(raw), mt, complete
	}
	return path, query, "", "", false
}

// currentVersion puts the version last read in a change's body: an
// example names version 1, which earlier examples or the demo may have
// moved on.
func currentVersion(body string, read map[string]any) string {
	v, ok := read["version"].(float64)
	if !ok || !strings.Contains(body, `"version"`) {
		return body
	}
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return body
	}
	m["version"] = v
	raw, _ := json.Marshal(m)
	return string(raw)
}

package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// example is the documented input of one operation, written against the
// demo organisation (engage serve --demo): its path and required query
// parameters and its body. A test sends every operation's example and
// expects it to succeed, so examples do not rot.
type example struct {
	// As is the demo account the example is meant for, when it is not
	// the administrator's.
	As     string
	Params map[string]string
	// Body is the request body: JSON, or the text of a CSV file.
	Body string
	// Type is the body's media type when the operation takes several
	// (JSON or NDJSON, one event or a batch): only it documents Body.
	Type string
}

// examples are the operations' examples by operation id. An operation
// whose input is only optional needs none. Each area's file adds its own
// with addExamples.
var examples = map[string]example{
	// Organisation
	"create-department": {Body: `{"code": "ONC", "name": "Oncology", "parent_id": 1, "billing_mode": "chargeback"}`},
	"get-department":    {Params: map[string]string{"id": "1"}},
	"update-department": {Params: map[string]string{"id": "1"}, Body: `{"version": 1, "name": "Information Technology"}`},
	"create-location":   {Body: `{"code": "LYS", "name": "Lyon", "city": "Lyon", "country": "FR", "time_zone": "Europe/Paris"}`},
	"get-location":      {Params: map[string]string{"id": "1"}},
	"update-location":   {Params: map[string]string{"id": "1"}, Body: `{"version": 1, "region": "Europe"}`},
	"create-function":   {Body: `{"code": "QA", "name": "Quality assurance"}`},
	"get-function":      {Params: map[string]string{"id": "1"}},
	"update-function":   {Params: map[string]string{"id": "1"}, Body: `{"version": 1, "name": "Engineering"}`},
	"create-person": {Body: `{"email": "sam.okafor@example.com", "name": "Sam Okafor", "title": "Lab Manager", "department_id": 2, ` +
		`"location_id": 1, "active": true, "roles": ["requester"]}`},
	"get-person":          {Params: map[string]string{"id": "2"}},
	"update-person":       {Params: map[string]string{"id": "2"}, Body: `{"version": 1, "title": "Senior Research Scientist"}`},
	"import-organisation": {Params: map[string]string{"kind": "functions"}, Body: "code,name\nFIN-OPS,Finance operations\n"},
	"export-organisation": {Params: map[string]string{"kind": "departments"}},
	// Catalog
	"get-service":       {Params: map[string]string{"service": "cloud-vm"}},
	"get-offering":      {Params: map[string]string{"id": "1"}},
	"compare-offerings": {Params: map[string]string{"offering_id": "[1, 2]"}},
	// Quotes and needs
	"price-quote":  {As: "requester@example.com", Body: `{"title": "Sequencing cluster", "term_months": 12, "lines": [{"offering_id": 1, "quantity": "4"}]}`},
	"create-quote": {As: "requester@example.com", Body: `{"title": "Sequencing cluster", "term_months": 12, "lines": [{"offering_id": 1, "quantity": "4"}]}`},
	"create-need": {As: "requester@example.com", Body: `{"title": "Share lab results with partner hospitals", ` +
		`"problem": "Results go out by e-mail, one file at a time.", "outcome": "Partners read results the day they are signed off.", ` +
		`"users": 40, "data_class": "confidential"}`},
	"create-announcement": {Body: `{"kind": "news", "title": "Larger virtual machines", "body": "Cloud VMs now go up to 64 GB.", "audience_all": true}`},
	// Accounts
	"create-token": {Body: `{"name": "Reporting script", "scope": "full", "expires_at": "2026-12-31T00:00:00Z"}`},
	"revoke-token": {Params: map[string]string{"id": "2"}},
	// Inbox and webhooks
	"create-webhook":        {Body: `{"url": "https://hooks.example.com/engage", "event_types": ["need.*"], "active": true, "description": "Service desk"}`},
	"get-webhook":           {Params: map[string]string{"id": "1"}},
	"update-webhook":        {Params: map[string]string{"id": "1"}, Body: `{"version": 1, "active": false}`},
	"delete-webhook":        {Params: map[string]string{"id": "1"}},
	"rotate-webhook-secret": {Params: map[string]string{"id": "1"}},
}

// addExamples adds an area's examples; an operation given twice is a
// mistake caught when the program starts.
func addExamples(m map[string]example) {
	for id, ex := range m {
		if _, ok := examples[id]; ok {
			panic("two examples for " + id)
		}
		examples[id] = ex
	}
}

// ExampleAs is the demo account an operation's example is meant for.
func ExampleAs(operationID string) string {
	if as := examples[operationID].As; as != "" {
		return as
	}
	return "admin@example.com"
}

// documentExamples puts each operation's example in the document: on its
// parameters and as the example of its body.
func documentExamples(doc *huma.OpenAPI) {
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		for _, op := range operations(doc.Paths[path]) {
			ex, ok := examples[op.OperationID]
			if !ok {
				continue
			}
			for _, p := range op.Parameters {
				if v, ok := ex.Params[p.Name]; ok && p.In != "header" {
					p.Example = typed(p.Schema, v)
				}
			}
			if ex.Body == "" || op.RequestBody == nil {
				continue
			}
			for mt, content := range op.RequestBody.Content {
				if ex.Type != "" && mt != ex.Type {
					continue
				}
				if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
					content.Example = ex.Body
					continue
				}
				var v any
				if err := json.Unmarshal([]byte(ex.Body), &v); err != nil {
					panic(fmt.Sprintf("the example of %s is not JSON: %v", op.OperationID, err))
				}
				content.Example = v
			}
		}
	}
}

// typed is a parameter's example as a value of its schema's type: 1 for
// an integer, true for a boolean, [1, 2] for a list, the text itself for
// a string.
func typed(s *huma.Schema, v string) any {
	if s == nil || s.Type == huma.TypeString {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return v
	}
	return out
}

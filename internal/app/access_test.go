package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/web"
)

// TestRequesterCannotReachOthersData walks every web route and every API
// operation as a requester in the Biology Laboratory and proves that no
// admin page or operation answers, and that nothing of another department
// (Sales) can be read or changed.
func TestRequesterCannotReachOthersData(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		requester := person(t, e, "requester@example.com")
		sales := departmentByCode(t, e, "SALES")
		bio := departmentByCode(t, e, "BIO")
		// Someone in Sales the requester must not see.
		other := firstPerson(t, e, sales.ID)
		ids := map[string]string{"id": strconv.FormatInt(other.ID, 10), "kind": "people"}

		b := e.SignIn(t, "requester@example.com")
		for _, rt := range (&web.Server{}).Routes() {
			if rt.Pattern == "POST /signout" {
				continue // would end the walk's own session
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			path = strings.TrimSuffix(fill(path, ids), "{$}")
			var res *http.Response
			var body string
			if method == http.MethodGet {
				res, body = b.Get(path)
			} else {
				res, body = b.Post(path, map[string][]string{"name": {"x"}, "code": {"X"}})
			}
			switch {
			case rt.Role == access.Admin:
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s as a requester = %d; want 403", rt.Pattern, res.StatusCode)
				}
			case strings.HasPrefix(path, "/people/"):
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s (a person in Sales) = %d; want 404", path, res.StatusCode)
				}
			case strings.HasPrefix(path, "/billing/cloud"):
				// Cloud bills, rules and unallocated spend are finance's.
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s as a requester = %d; want 403", rt.Pattern, res.StatusCode)
				}
			case path == "/departments/"+ids["id"]:
				// Not a department id; covered below.
			}
			if strings.Contains(body, other.Email) {
				t.Errorf("%s shows %s, who is in another department", rt.Pattern, other.Email)
			}
		}
		// The Sales page shows the department but not its people.
		_, body := b.Get("/departments/" + strconv.FormatInt(sales.ID, 10))
		if !strings.Contains(body, "Sales") || strings.Contains(body, other.Email) || strings.Contains(body, "/people/"+ids["id"]) {
			t.Error("the Sales department page lists its people to a requester from Biology")
		}
		// The requester's own department does list its people.
		_, body = b.Get("/departments/" + strconv.FormatInt(bio.ID, 10))
		if n := strings.Count(body, `<a href="/people/`); n != 100 {
			t.Errorf("the requester's own department page lists %d people; want a first page of 100", n)
		}
		_, body = b.Get("/people?q=riley")
		if !strings.Contains(body, "/people/"+strconv.FormatInt(requester.ID, 10)) {
			t.Error("the requester cannot find themselves in the people directory")
		}

		// The API, operation by operation, from its own OpenAPI document.
		token := e.Token(t, "requester@example.com")
		// What a requester may call, and what each must not reveal.
		allowed := map[string]bool{"get-me": true, "list-departments": true, "get-department": true, "list-locations": true,
			"get-location": true, "list-functions": true, "get-function": true, "list-people": true, "list-tokens": true,
			"create-token": true,
			// The catalog is for everyone; orders and subscriptions are scoped to the requester's department.
			"list-services": true, "get-offering": true, "list-announcements": true, "list-orders": true, "list-subscriptions": true,
			// Policies say why approval is needed; requests and delegations are the person's own.
			"list-approval-policies": true, "list-approval-requests": true, "list-approval-delegations": true,
			// What waits for the person is theirs alone.
			"list-waiting": true,
			// Needs are scoped like orders; suggestions show summaries across departments by design; the gate answers anyone signed in.
			"list-needs": true, "needs-dashboard": true, "suggest-reuse": true, "delivery-gate": true,
			// The process register is read by everyone signed in.
			"list-processes": true, "get-process": true, "get-process-detail": true, "get-process-map": true, "list-applications": true,
			"get-application": true, "list-journeys": true, "get-journey": true, "export-archimate": true, "export-register-csv": true,
			// Objectives are read by everyone signed in; the needs serving them only by those who may read the needs.
			"list-objectives": true, "get-portfolio-by-objective": true,
			// Risks, redundancy and the heatmap read the register; a flag about a need shows only to those who may read it,
			// and the cost view only what the statements allow.
			"list-process-risks": true, "get-process-risks": true, "list-process-redundancy": true, "get-process-heatmap": true,
			// The services as Backstage Components: the catalog is for everyone.
			"export-backstage": true,
			// Statements are filtered to those the person may read; periods are only months and states.
			"list-statements": true, "list-billing-periods": true,
			// The inbox is the person's own.
			"list-inbox": true, "count-inbox": true, "mark-inbox-read": true, "mark-inbox-item-read": true,
			// Cloud charges behind a statement line: only of a department the person may read.
			"list-cloud-charges": true,
			// Topics (and their replies) are read and searched in the communities a person reads; the flag queue holds only those they moderate.
			"search-topics": true, "similar-topics": true, "list-topic-flags": true, "get-topic": true, "list-replies": true,
			// Everyone signed in lists the communities they may see or join.
			"list-communities": true,
			// Pulses: those sent to the person; results only as aggregates (internal/pulse).
			"list-pulses": true}
		for _, op := range operations(t, e) {
			path := fill(op.Path, ids)
			var reqBody io.Reader
			if op.Method == http.MethodPost || op.Method == http.MethodPatch {
				reqBody = strings.NewReader(`{"version":1,"name":"x","code":"X","email":"x@example.com","country":"GB","active":true,"roles":[]}`)
			}
			req, _ := http.NewRequest(op.Method, e.URL+"/api/v1"+path, reqBody)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			ok := res.StatusCode < 300
			if ok && !allowed[op.ID] {
				t.Errorf("%s %s as a requester = %d; want refusal", op.Method, path, res.StatusCode)
			}
			if strings.Contains(string(raw), other.Email) {
				t.Errorf("%s %s reveals %s from another department", op.Method, path, other.Email)
			}
		}
		// Listing people as a requester yields only Biology.
		var page struct {
			Items []struct {
				DepartmentID int64 `json:"department_id"`
			} `json:"items"`
		}
		getJSON(t, e, token, "/api/v1/people?limit=500", &page)
		if len(page.Items) == 0 {
			t.Fatal("a requester sees nobody, not even their own department")
		}
		for _, p := range page.Items {
			if p.DepartmentID != bio.ID {
				t.Fatalf("a requester in Biology sees someone from department %d", p.DepartmentID)
			}
		}
	})
}

func firstPerson(t *testing.T, e *apptest.Engage, deptID int64) struct {
	ID    int64
	Email string
} {
	t.Helper()
	var out struct {
		ID    int64
		Email string
	}
	if err := e.DB.QueryRow(t.Context(), "SELECT id, email FROM people WHERE department_id = ? ORDER BY id LIMIT 1", deptID).Scan(&out.ID, &out.Email); err != nil {
		t.Fatal(err)
	}
	return out
}

// fill replaces {name} path parameters.
func fill(path string, ids map[string]string) string {
	for k, v := range ids {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	return path
}

type operation struct {
	ID, Method, Path string
	Responses        map[string]json.RawMessage
}

func operations(t *testing.T, e *apptest.Engage) []operation {
	t.Helper()
	res, err := http.Get(e.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}
	var ops []operation
	for path, methods := range doc.Paths {
		for method, op := range methods {
			ops = append(ops, operation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path, Responses: op.Responses})
		}
	}
	return ops
}

func getJSON(t *testing.T, e *apptest.Engage, token, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}

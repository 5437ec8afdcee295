package app_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestAPICloudBills uploads FOCUS files through the API, allocates them
// with a rule and drills down from a department's share to its charges.
func TestAPICloudBills(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		requester := clientOf(t, e, "requester@example.com")
		bio, sales := departmentByCode(t, e, "BIO"), departmentByCode(t, e, "SALES")
		sample, err := os.ReadFile("../focus/testdata/focus_sample.csv")
		if err != nil {
			t.Fatal(err)
		}

		status, rep := finance.do("POST", "/cloud-imports?name=focus_sample.csv", "text/csv", string(sample))
		if status != 201 || rep["added"] != 1000.0 || rep["rows"] != 1000.0 || rep["format"] != "csv" || rep["file_name"] != "focus_sample.csv" {
			t.Fatalf("upload = %d %v", status, rep)
		}
		totals, _ := rep["totals"].([]any)
		if len(totals) != 3 {
			t.Fatalf("totals %v", rep["totals"])
		}
		for _, x := range totals {
			m := x.(map[string]any)
			if _, ok := m["billed_cost"].(string); !ok {
				t.Errorf("billed_cost is %T, want a decimal string", m["billed_cost"])
			}
		}
		// The same rows gzip-compressed: all duplicates.
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(sample)
		w.Close()
		status, again := finance.do("POST", "/cloud-imports?name=again.csv.gz", "application/gzip", gz.String())
		if status != 201 || again["added"] != 0.0 || again["duplicates"] != 1000.0 || again["format"] != "csv+gzip" {
			t.Fatalf("gzip upload = %d %v", status, again)
		}
		status, got := finance.do("GET", fmt.Sprintf("/cloud-imports/%v", rep["id"]), "", "")
		if status != 200 || got["sha256"] != rep["sha256"] || got["added"] != 1000.0 {
			t.Errorf("get import = %d %v", status, got)
		}

		// Not a FOCUS file: refused, located on the header line.
		status, problem := finance.do("POST", "/cloud-imports", "text/csv", "BilledCost,Region\n1,x\n")
		if status != 422 || !slices.Contains(locations(problem), "body line 1") {
			t.Errorf("bad file = %d %v", status, problem)
		}
		// Requesters may not import.
		if status, _ := requester.do("POST", "/cloud-imports", "text/csv", string(sample)); status != 403 {
			t.Errorf("requester upload = %d", status)
		}

		// A split that does not add up to 100 is refused, naming the field.
		status, problem = finance.json("POST", "/cloud-allocation-rules", fmt.Sprintf(
			`{"name":"Half","action":"split","splits":[{"department_id":%d,"percent":"50"},{"department_id":%d,"percent":"40"}]}`, bio.ID, sales.ID))
		if status != 422 || !slices.Contains(locations(problem), "body.splits") {
			t.Errorf("split of 90 = %d %v", status, problem)
		}
		status, rule := finance.json("POST", "/cloud-allocation-rules", fmt.Sprintf(
			`{"name":"ViennaAI","match":{"tag_key":"Business_Unit","tag_value":"ViennaAI"},"action":"assign","department_id":%d}`, bio.ID))
		if status != 201 || rule["version"] != 1.0 || rule["position"] != 1.0 {
			t.Fatalf("create rule = %d %v", status, rule)
		}
		status, realloc := finance.json("POST", "/cloud-periods/2024-09/reallocate", "")
		if status != 200 || realloc["charges"] != 1000.0 {
			t.Fatalf("reallocate = %d %v", status, realloc)
		}

		// BIO's budget holder sees BIO's charges; the requester works in
		// BIO but, like for statements, may not; neither sees Sales'.
		budget := apiClient{t, e, e.Token(t, "budget@example.com")}
		status, page := budget.do("GET", fmt.Sprintf("/cloud-charges?period=2024-09&department_id=%d&limit=500", bio.ID), "", "")
		items, _ := page["items"].([]any)
		if status != 200 || len(items) == 0 {
			t.Fatalf("BIO charges for BIO's budget holder = %d, %d items", status, len(items))
		}
		if status, _ := requester.do("GET", fmt.Sprintf("/cloud-charges?period=2024-09&department_id=%d", bio.ID), "", ""); status != 403 {
			t.Errorf("BIO charges for a BIO requester without the budget-holder role = %d; want 403", status)
		}
		if status, _ := budget.do("GET", fmt.Sprintf("/cloud-charges?period=2024-09&department_id=%d", sales.ID), "", ""); status != 403 {
			t.Errorf("Sales charges for BIO's budget holder = %d; want 403", status)
		}
		for _, x := range items {
			tags := x.(map[string]any)["tags"].(map[string]any)
			if tags["business_unit"] != "ViennaAI" {
				t.Errorf("charge with tags %v allocated to BIO", tags)
			}
		}
		if status, _ := requester.do("GET", fmt.Sprintf("/cloud-charges?period=2024-09&department_id=%d", sales.ID), "", ""); status != 403 {
			t.Errorf("Sales charges for a BIO requester = %d", status)
		}
		if status, _ := requester.do("GET", "/cloud-periods/2024-09/unallocated", "", ""); status != 403 {
			t.Errorf("unallocated for a requester = %d", status)
		}
		status, unalloc := finance.do("GET", "/cloud-periods/2024-09/unallocated", "", "")
		if status != 200 || len(unalloc["items"].([]any)) == 0 {
			t.Errorf("unallocated for finance = %d %v", status, unalloc)
		}
		status, _ = finance.do("DELETE", fmt.Sprintf("/cloud-allocation-rules/%v?version=1", rule["id"]), "", "")
		if status != 204 {
			t.Errorf("delete rule = %d", status)
		}
		if status, _ := finance.do("GET", fmt.Sprintf("/cloud-allocation-rules/%v", rule["id"]), "", ""); status != 404 {
			t.Errorf("deleted rule = %d", status)
		}
	})
}

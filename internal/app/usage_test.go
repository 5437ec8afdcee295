package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestAPIUsage sends usage through POST /api/v1/usage as NDJSON and as a
// JSON array: unreadable and invalid records are reported by position, keys
// are stored once, atomic batches store nothing when a record is refused,
// a broken body is refused whole, and the records come back through the
// drill-down.
func TestAPIUsage(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		requester := clientOf(t, e, "requester@example.com")
		bio := departmentByCode(t, e, "BIO")
		var hpc int64
		if err := e.DB.QueryRow(context.Background(), "SELECT id FROM offerings WHERE slug = 'hpc-core-hours'").Scan(&hpc); err != nil {
			t.Fatal(err)
		}
		rec := func(key, dept, unit string) string {
			return fmt.Sprintf(`{"idempotency_key":%q,"time":"2026-03-10T08:00:00Z","department":%q,"offering":"hpc-core-hours","quantity":"2.5","unit":%q,"source":"api test"}`, key, dept, unit)
		}
		body := rec("api-1", "BIO", "unit-hour") + "\n{oops\n" + rec("api-x", "NOPE", "unit-hour") + "\n" + rec("api-2", "BIO", "unit-hour") +
			"\n\n" + rec("api-1", "BIO", "unit-hour") + "\n"
		status, rep := finance.do("POST", "/usage", "application/x-ndjson", body)
		errs, _ := rep["errors"].([]any)
		if status != 200 || rep["received"] != 5.0 || rep["accepted"] != 2.0 || rep["duplicates"] != 1.0 || rep["rejected"] != 2.0 || len(errs) != 2 {
			t.Fatalf("NDJSON = %d %v", status, rep)
		}
		var where []string
		for _, x := range errs {
			m := x.(map[string]any)
			where = append(where, fmt.Sprintf("%v %v", m["position"], m["field"]))
		}
		if !slices.Equal(where, []string{"1 record", "2 department"}) {
			t.Fatalf("errors at %q", where)
		}

		// Atomic: a wrong unit refuses the batch.
		status, rep = finance.json("POST", "/usage?atomic=true", "["+rec("api-3", "BIO", "unit-hour")+","+rec("api-4", "BIO", "request")+"]")
		if status != 200 || rep["accepted"] != 0.0 || rep["rejected"] != 1.0 || rep["atomic"] != true {
			t.Fatalf("atomic batch = %d %v", status, rep)
		}
		status, rep = finance.json("POST", "/usage?atomic=true", "["+rec("api-3", "BIO", "unit-hour")+"]")
		if status != 200 || rep["accepted"] != 1.0 {
			t.Fatalf("atomic batch again = %d %v", status, rep)
		}
		// A body that breaks off is refused whole: api-5 is not stored.
		status, problem := finance.json("POST", "/usage", "["+rec("api-5", "BIO", "unit-hour")+`,{"idempotency_key":`)
		if status != 422 || !slices.Contains(locations(problem), "body") {
			t.Fatalf("broken body = %d %v", status, problem)
		}
		// Over 256 MiB: refused, and nothing of it stored.
		line := rec("api-big", "BIO", "unit-hour") + "\n"
		big := strings.Repeat(line, (256<<20)/len(line)+100)
		status, problem = finance.do("POST", "/usage", "application/x-ndjson", big)
		if status != 413 || !strings.Contains(fmt.Sprint(problem), "at most 256 MiB") {
			t.Fatalf("a body over the limit = %d %.300v", status, problem)
		}
		if status, _ := requester.do("POST", "/usage", "application/x-ndjson", rec("api-6", "BIO", "unit-hour")); status != 403 {
			t.Fatalf("requester = %d", status)
		}

		status, list := finance.do("GET", fmt.Sprintf("/billing/periods/2026-03/usage?department_id=%d&offering_id=%d&limit=5000", bio.ID, hpc), "", "")
		items, _ := list["items"].([]any)
		found := map[string]bool{}
		for _, x := range items {
			found[x.(map[string]any)["idempotency_key"].(string)] = true
		}
		if status != 200 || !found["api-1"] || !found["api-2"] || !found["api-3"] || found["api-5"] || found["api-x"] || found["api-big"] {
			t.Fatalf("drill-down = %d, keys %v", status, found)
		}
	})
}

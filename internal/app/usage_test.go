package app_test

import (
	"context"
	"fmt"
	"regexp"
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
		// By default a batch with a refused record is refused whole, each
		// refusal located.
		status, refused := finance.do("POST", "/usage", "application/x-ndjson", body)
		if status != 422 || !slices.Equal(locations(refused), []string{"body[1].record", "body[2].department"}) {
			t.Fatalf("NDJSON with bad records = %d %v", status, refused)
		}
		status, rep := finance.do("POST", "/usage?accept_partial=true", "application/x-ndjson", body)
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

		// Atomic: a wrong unit refuses the batch, even with accept_partial.
		status, rep = finance.json("POST", "/usage?atomic=true&accept_partial=true", "["+rec("api-3", "BIO", "unit-hour")+","+rec("api-4", "BIO", "request")+"]")
		if status != 422 || !slices.Equal(locations(rep), []string{"body[1].unit"}) {
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
		// NDJSON cut in its last record: refused whole, even when a partial
		// batch is accepted.
		status, problem = finance.do("POST", "/usage?accept_partial=true", "application/x-ndjson", rec("api-5", "BIO", "unit-hour")+"\n"+`{"idempotency_key":"api-7","ti`)
		if status != 422 || !slices.Contains(locations(problem), "body") || !strings.Contains(fmt.Sprint(problem), "Record 1 is cut") {
			t.Fatalf("cut NDJSON = %d %v", status, problem)
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

// TestLateUsageAPIAndWeb: usage sent through the API for a closed month
// (January, in the demo) is charged by an adjustment in February, whose
// statement line leads to the records; late=refuse refuses it instead.
// Months that have not ended cannot be closed through the API.
func TestLateUsageAPIAndWeb(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		finance := clientOf(t, e, "finance@example.com")
		rec := func(key string) string {
			return fmt.Sprintf(`{"idempotency_key":%q,"time":"2026-01-20T08:00:00Z","department":"BIO","offering":"cloud-vm-gpu","quantity":"3","unit":"unit-hour"}`, key)
		}
		status, problem := finance.json("POST", "/usage?late=refuse", "["+rec("late-api-1")+"]")
		if status != 422 || !slices.Equal(locations(problem), []string{"body[0].time"}) {
			t.Fatalf("late usage refused = %d %v", status, problem)
		}
		for range 2 {
			if status, rep := finance.json("POST", "/usage", "["+rec("late-api-1")+"]"); status != 200 || rep["rejected"] != 0.0 {
				t.Fatalf("late usage = %d %v", status, rep)
			}
		}
		bio := departmentByCode(t, e, "BIO")
		statement := func() map[string]any {
			t.Helper()
			status, list := finance.json("GET", fmt.Sprintf("/statements?period=2026-02&department_id=%d", bio.ID), "")
			items, _ := list["items"].([]any)
			if status != 200 || len(items) != 1 {
				t.Fatalf("February's statements of BIO = %d %v", status, list)
			}
			status, st := finance.json("GET", fmt.Sprintf("/statements/%v", items[0].(map[string]any)["id"]), "")
			if status != 200 {
				t.Fatalf("statement = %d %v", status, st)
			}
			return st
		}
		before := statement()
		if status, _ := finance.json("POST", "/billing/periods/2026-02/run", ""); status != 200 {
			t.Fatalf("run February = %d", status)
		}
		// The rerun updated the statement in place and kept its totals.
		after := statement()
		history, _ := after["history"].([]any)
		if after["id"] != before["id"] || len(history) != len(before["history"].([]any))+1 || after["total"] == before["total"] ||
			history[len(history)-1].(map[string]any)["total"] != after["total"] {
			t.Fatalf("statement before the rerun %v, after %v", before, after)
		}
		f := e.SignIn(t, "finance@example.com")
		if _, page := f.Get(fmt.Sprintf("/costs?department=%d&period=2026-02", bio.ID)); !strings.Contains(page, fmt.Sprintf(`id="history-%v"`, after["id"])) {
			t.Fatalf("the statement page does not show its totals by run")
		}
		_, page := f.Get(fmt.Sprintf("/costs?department=%d&period=2026-02", bio.ID))
		// (and the line of the late usage leads to its records)
		link := regexp.MustCompile(`href="(/costs/usage\?adjustment=\d+)">See the late usage records`).FindStringSubmatch(page)
		if !strings.Contains(page, "Late usage for January 2026 (1 record)") || link == nil {
			t.Fatalf("February's statement has no late usage line:\n%s", page)
		}
		id := strings.TrimPrefix(link[1], "/costs/usage?adjustment=")
		if status, late := finance.json("GET", "/billing/adjustments/"+id+"/usage", ""); status != 200 ||
			!strings.Contains(fmt.Sprint(late["records"]), "late-api-1") || late["adjustment"].(map[string]any)["corrects"] != "2026-01" {
			t.Fatalf("late usage through the API = %d %v", status, late)
		}
		res, records := f.Get(link[1])
		if res.StatusCode != 200 || !strings.Contains(records, "late-api-1") || !strings.Contains(records, `id="late-usage"`) {
			t.Fatalf("late usage records = %d\n%s", res.StatusCode, records)
		}
		if res, _ := e.SignIn(t, "requester@example.com").Get(link[1]); res.StatusCode != 404 && res.StatusCode != 403 {
			t.Fatalf("a requester on the late usage = %d", res.StatusCode)
		}
		for _, p := range []string{"2026-03", "2030-01"} {
			if status, problem := finance.json("POST", "/billing/periods/"+p+"/close", ""); status != 422 || !strings.Contains(fmt.Sprint(problem), "has not ended") {
				t.Fatalf("close %s = %d %v", p, status, problem)
			}
		}
	})
}

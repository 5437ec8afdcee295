package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/process"
)

// TestPortfolioRegisterThroughTheAPI: architects keep applications, weighted
// links and journeys through the API, import an ArchiMate file (dry run
// first, then once: a second import changes nothing) and the CSV files; the
// board and requesters read but do not change; errors are problems naming
// the field.
func TestPortfolioRegisterThroughTheAPI(t *testing.T) {
	archi, err := os.ReadFile("../process/testdata/archimate/archisurance.xml")
	if err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		architect := clientOf(t, e, "architect@example.com")
		board := clientOf(t, e, "board@example.com")
		riley := clientOf(t, e, "requester@example.com")
		status, proc := architect.json(http.MethodPost, "/processes", `{"kind":"process","ref":"api-quote","name":"Quote by API","external_customers":true,"enablement":"manual"}`)
		if status != http.StatusCreated || proc["enablement"] != "manual" {
			t.Fatalf("create process = %d %v", status, proc)
		}
		pid := int64(proc["id"].(float64))
		if status, _ := board.json(http.MethodPost, "/processes", `{"kind":"process","ref":"board-one","name":"Board"}`); status != http.StatusForbidden {
			t.Fatalf("the board creates a process = %d", status)
		}
		const appBody = `{"ref":"api-desk","name":"API desk","vendor":"Acme","functional_fit":2,"technical_fit":4}`
		status, app := architect.json(http.MethodPost, "/applications", appBody)
		if status != http.StatusCreated || app["disposition"] != "tolerate" {
			t.Fatalf("create application = %d %v", status, app)
		}
		if status, again := architect.json(http.MethodPost, "/applications", appBody); status != http.StatusCreated || again["id"] != app["id"] {
			t.Fatalf("repeated create = %d %v", status, again)
		}
		aid := int64(app["id"].(float64))
		if status, link := architect.json(http.MethodPut, fmt.Sprintf("/processes/%d/applications/%d", pid, aid), `{"weight":"37.5"}`); status != http.StatusOK || link["weight"] != "37.5" {
			t.Fatalf("link = %d %v", status, link)
		}
		if status, problem := architect.json(http.MethodPut, fmt.Sprintf("/processes/%d/applications/%d", pid, aid), `{"weight":"100.5"}`); status != http.StatusUnprocessableEntity ||
			!strings.Contains(fmt.Sprint(problem), "weight") {
			t.Fatalf("weight above 100 = %d %v", status, problem)
		}
		if status, problem := architect.json(http.MethodPut, fmt.Sprintf("/processes/%d/services/999999", pid), `{"weight":"10"}`); status != http.StatusUnprocessableEntity ||
			!strings.Contains(fmt.Sprint(problem), "999999") {
			t.Fatalf("unknown service = %d %v", status, problem)
		}
		status, j := architect.json(http.MethodPost, "/journeys", fmt.Sprintf(`{"ref":"api-journey","name":"Ask for a quote","process_ids":[%d]}`, pid))
		if status != http.StatusCreated {
			t.Fatalf("create journey = %d %v", status, j)
		}
		status, detail := riley.json(http.MethodGet, fmt.Sprintf("/processes/%d/detail", pid), "")
		if apps, _ := detail["applications"].([]any); status != http.StatusOK || len(apps) != 1 || len(detail["journeys"].([]any)) != 1 {
			t.Fatalf("detail = %d %v", status, detail)
		}
		if status, m := riley.json(http.MethodGet, "/process-map", ""); status != http.StatusOK || len(m["entries"].([]any)) == 0 {
			t.Fatalf("map = %d %v", status, m)
		}

		// ArchiMate: a dry run, the import, and a second import that changes nothing.
		if status, _ := board.do(http.MethodPost, "/archimate-imports", "application/xml", string(archi)); status != http.StatusForbidden {
			t.Fatalf("the board imports = %d", status)
		}
		status, plan := architect.do(http.MethodPost, "/archimate-imports?dry_run=true", "application/xml", string(archi))
		if status != http.StatusOK || plan["created"] != float64(31) || plan["dry_run"] != true {
			t.Fatalf("dry run = %d %v", status, plan)
		}
		if status, plan = architect.do(http.MethodPost, "/archimate-imports", "application/xml", string(archi)); status != http.StatusOK || plan["created"] != float64(31) {
			t.Fatalf("import = %d %v", status, plan)
		}
		if status, plan = architect.do(http.MethodPost, "/archimate-imports", "application/xml", string(archi)); plan["created"] != float64(0) || plan["changed"] != float64(0) {
			t.Fatalf("import again = %d %v", status, plan)
		}
		if status, problem := architect.do(http.MethodPost, "/archimate-imports", "application/xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<x/>"); status != http.StatusUnprocessableEntity ||
			!strings.Contains(fmt.Sprint(problem), "DOCTYPE") {
			t.Fatalf("doctype = %d %v", status, problem)
		}
		status, exported := riley.json(http.MethodGet, "/archimate-export", "")
		if status != http.StatusOK || !strings.Contains(exported["raw"].(string), `identifier="id-556"`) {
			t.Fatalf("export = %d", status)
		}
		// CSV: what is exported imports back unchanged.
		for _, kind := range process.CSVKinds {
			status, csv := riley.json(http.MethodGet, "/process-register/"+kind+"/export", "")
			if status != http.StatusOK || !strings.HasPrefix(csv["raw"].(string), "ref,") {
				t.Fatalf("export %s = %d %v", kind, status, csv)
			}
			if status, plan := architect.do(http.MethodPost, "/process-register/"+kind+"/import", "text/csv", csv["raw"].(string)); status != http.StatusOK ||
				plan["created"] != float64(0) || plan["changed"] != float64(0) {
				t.Fatalf("import %s = %d %v", kind, status, plan)
			}
		}
		if _, err := e.Processes.Get(ctx, principalOf(t, e, "requester@example.com"), pid); err != nil {
			t.Fatal(err)
		}
	})
}

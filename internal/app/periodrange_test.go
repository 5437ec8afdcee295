package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestPeriodsNoBillingPeriodCouldHave: every page and API operation that
// takes a billing period refuses a month Engage cannot hold (year 0, year
// 9999) as it refuses text that is no month — a 422 naming the period —
// rather than showing an empty month or failing.
func TestPeriodsNoBillingPeriodCouldHave(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		client := clientOf(t, e, "admin@example.com")
		var slug string
		var dept, offering int64
		if err := e.DB.QueryRow(t.Context(), `SELECT s.slug, o.id, (SELECT MIN(id) FROM departments) FROM services s
			JOIN offerings o ON o.service_id = s.id ORDER BY o.id LIMIT 1`).Scan(&slug, &offering, &dept); err != nil {
			t.Fatal(err)
		}
		pages := []string{"/costs?period=%s", "/costs/trend.csv?period=%s", "/costs/usage?period=%s", "/billing?period=%s",
			"/billing/periods/%s/journal.csv", "/billing/periods/%s/focus.csv", "/billing/cloud/unallocated?period=%s",
			"/costs/cloud?period=%s", "/billing/cost-pools?period=%s", "/billing/cost-pools/export.csv?period=%s",
			"/catalog/" + slug + "/costs?period=%s"}

		// The API's operations that take a period, from its own document.
		res, err := http.Get(e.URL + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]struct {
				Parameters []struct{ Name, In string } `json:"parameters"`
			} `json:"paths"`
		}
		err = json.NewDecoder(res.Body).Decode(&doc)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		type call struct{ method, path string }
		var calls []call
		for path, methods := range doc.Paths {
			for method, op := range methods {
				for _, p := range op.Parameters {
					switch {
					case p.In == "path" && p.Name == "period":
						path := strings.ReplaceAll(strings.ReplaceAll(path, "{period}", "%s"), "{service}", slug)
						if strings.HasSuffix(path, "/usage") { // what it requires besides
							path += fmt.Sprintf("?department_id=%d&offering_id=%d", dept, offering)
						}
						calls = append(calls, call{strings.ToUpper(method), path})
					case p.In == "query" && (p.Name == "period" || p.Name == "through"):
						path := strings.ReplaceAll(path, "{service}", slug)
						calls = append(calls, call{strings.ToUpper(method), path + "?" + p.Name + "=%s"})
					}
				}
			}
		}
		if len(calls) < 10 {
			t.Fatalf("only %d API operations take a period: %v", len(calls), calls)
		}
		for _, bad := range []string{"0000-01", "9999-12", "1999-12", "2100-01", "2026-13"} {
			for _, page := range pages {
				path := strings.ReplaceAll(page, "%s", url.QueryEscape(bad))
				res, body := admin.Get(path)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad) {
					t.Errorf("GET %s = %d; want 422 naming %s", path, res.StatusCode, bad)
				}
			}
			for _, c := range calls {
				path := strings.ReplaceAll(c.path, "%s", url.QueryEscape(bad))
				status, problem := client.json(c.method, path, `{}`)
				where := strings.Join(locations(problem), ",")
				if status != http.StatusUnprocessableEntity || !strings.Contains(where, "period") && !strings.Contains(where, "through") {
					t.Errorf("%s %s = %d %v; want 422 naming the period", c.method, path, status, problem)
				}
			}
		}
		// A month in range still answers.
		if res, _ := admin.Get("/costs?period=2026-02"); res.StatusCode != http.StatusOK {
			t.Errorf("GET /costs?period=2026-02 = %d", res.StatusCode)
		}
	})
}

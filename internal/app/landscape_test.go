package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/landscape"
)

// TestLandscapePages: on the demo, everyone signed in reads the risk list,
// a flagged process's flags on its page, the redundancy leading to the
// front door, and the heatmap in each view, drawn as a treemap with a
// table; the API says the same.
func TestLandscapePages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		reader := principalOf(t, e, "requester@example.com")
		risks, err := e.Landscape.Risks(ctx, reader)
		if err != nil || len(risks) == 0 {
			t.Fatalf("demo risks = %d, %v", len(risks), err)
		}
		kinds := map[string]bool{}
		for _, r := range risks {
			for _, f := range r.Flags {
				kinds[f.Kind] = true
			}
		}
		for _, k := range []string{landscape.RetiringService, landscape.UnownedApplication} {
			if !kinds[k] {
				t.Errorf("no demo process is flagged %s", k)
			}
		}
		riley := e.SignIn(t, "requester@example.com")
		res, body := riley.Get("/portfolio/risks")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="risks"`) || !strings.Contains(body, risks[0].Process.Name) ||
			!strings.Contains(body, risks[0].Flags[0].Evidence[0].Href) {
			t.Fatalf("risks page = %d", res.StatusCode)
		}
		res, body = riley.Get(fmt.Sprintf("/portfolio/processes/%d", risks[0].Process.ID))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="risk-flags"`) || !strings.Contains(body, `data-flag="`+risks[0].Flags[0].Kind+`"`) {
			t.Fatalf("a flagged process's page = %d", res.StatusCode)
		}
		red, err := e.Landscape.Redundancies(ctx, reader)
		if err != nil || len(red) == 0 {
			t.Fatalf("demo redundancy = %d, %v", len(red), err)
		}
		res, body = riley.Get("/portfolio/redundancy")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="redundant-`+red[0].Process.Ref+`"`) || !strings.Contains(body, `href="/needs/new?title=Consolidate`) {
			t.Fatalf("redundancy page = %d", res.StatusCode)
		}
		for _, view := range []string{"", "enablement", "risk", "disposition", "nonsense"} {
			res, body := riley.Get("/portfolio/heatmap?view=" + view)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<svg id="heatmap"`) || !strings.Contains(body, `id="heatmap-table"`) ||
				!strings.Contains(body, "Order to cash") {
				t.Fatalf("heatmap %q = %d", view, res.StatusCode)
			}
		}
		if res, body := riley.Get("/portfolio/heatmap?view=cost"); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="no-costs"`) ||
			strings.Contains(body, `<svg id="heatmap"`) {
			t.Fatalf("cost heatmap for a requester = %d", res.StatusCode)
		}
		// Finance sees the demo's costs drawn, in the statements' currency.
		fin := e.SignIn(t, "finance@example.com")
		if res, body := fin.Get("/portfolio/heatmap?view=cost"); res.StatusCode != http.StatusOK || strings.Contains(body, `id="no-costs"`) ||
			!strings.Contains(body, `<svg id="heatmap"`) || !strings.Contains(body, " EUR") {
			t.Fatalf("cost heatmap for finance = %d", res.StatusCode)
		}

		api := clientOf(t, e, "requester@example.com")
		if status, out := api.json(http.MethodGet, "/process-risks", ""); status != http.StatusOK || len(out["items"].([]any)) != len(risks) {
			t.Fatalf("API risks = %d", status)
		}
		if status, out := api.json(http.MethodGet, fmt.Sprintf("/processes/%d/risks", risks[0].Process.ID), ""); status != http.StatusOK ||
			len(out["items"].([]any)) != len(risks[0].Flags) {
			t.Fatalf("API process risks = %d %v", status, out)
		}
		if status, _ := api.json(http.MethodGet, "/processes/999999/risks", ""); status != http.StatusNotFound {
			t.Fatalf("API risks of no process = %d", status)
		}
		if status, out := api.json(http.MethodGet, "/process-redundancy", ""); status != http.StatusOK || len(out["items"].([]any)) != len(red) {
			t.Fatalf("API redundancy = %d", status)
		}
		if status, out := api.json(http.MethodGet, "/process-heatmap?view=disposition", ""); status != http.StatusOK || out["view"] != "disposition" ||
			len(out["cells"].([]any)) == 0 {
			t.Fatalf("API heatmap = %d", status)
		}
		if status, _ := api.json(http.MethodGet, "/process-heatmap?view=colour", ""); status != http.StatusUnprocessableEntity {
			t.Fatalf("API heatmap of an unknown view = %d", status)
		}
	})
}

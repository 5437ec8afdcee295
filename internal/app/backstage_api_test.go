package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
)

// backstageExamples is Backstage's example files as one file of several
// documents, and a file whose owner does not exist.
func backstageExamples(t *testing.T) (string, string) {
	t.Helper()
	files, err := filepath.Glob("../backstage/testdata/examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(src))
	}
	bad, err := os.ReadFile("../backstage/testdata/bad/podcast-system.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(docs, "\n---\n"), string(bad)
}

// TestBackstageThroughTheAPI: an administrator imports Backstage's example
// files sent as one body (dry run first; a second import changes nothing;
// the demo already holds their Components' applications, so the files as
// published add their two groups as departments),
// an architect's file with an owner that does not exist is refused naming
// the line, requesters may not import, and everyone reads the services
// back as Components.
func TestBackstageThroughTheAPI(t *testing.T) {
	all, bad := backstageExamples(t)
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := clientOf(t, e, "admin@example.com")
		architect := clientOf(t, e, "architect@example.com")
		riley := clientOf(t, e, "requester@example.com")
		if status, _ := riley.do(http.MethodPost, "/backstage-imports", "application/yaml", all); status != http.StatusForbidden {
			t.Fatalf("a requester imports = %d", status)
		}
		status, rep := admin.do(http.MethodPost, "/backstage-imports?dry_run=true", "application/yaml", all)
		if status != http.StatusOK || rep["dry_run"] != true || rep["created"] != float64(2) || rep["changed"] != float64(0) {
			t.Fatalf("dry run = %d %v", status, rep)
		}
		status, rep = admin.do(http.MethodPost, "/backstage-imports", "application/yaml", all)
		if status != http.StatusOK || rep["created"] != float64(2) || !strings.Contains(fmt.Sprint(rep["warnings"]), "infrastructure-group.yaml: not found") {
			t.Fatalf("import = %d %v", status, rep)
		}
		if status, rep = admin.do(http.MethodPost, "/backstage-imports", "application/yaml", all); status != http.StatusOK || rep["created"] != float64(0) || rep["changed"] != float64(0) {
			t.Fatalf("import again = %d %v", status, rep)
		}
		status, problem := architect.do(http.MethodPost, "/backstage-imports", "application/yaml", bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(problem), "body:1") || !strings.Contains(fmt.Sprint(problem), "user:default/team-b does not exist") {
			t.Fatalf("bad owner = %d %v", status, problem)
		}
		status, out := riley.do(http.MethodGet, "/backstage-export", "", "")
		if raw, _ := out["raw"].(string); status != http.StatusOK || !strings.Contains(raw, "kind: Component") || !strings.Contains(raw, "engage.io/service: ") {
			t.Fatalf("export = %d %.300v", status, out)
		}
	})
}

// TestBackstagePage: the page shows what importing files would change,
// applies the same files only, refuses a bad file naming its line, is
// closed to requesters, and everyone downloads the services as Components.
// With the demo's example files, it offers them: checking them shows that
// the demo holds them already.
func TestBackstagePage(t *testing.T) {
	all, bad := backstageExamples(t)
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		e.Backstage.Examples = demo.BackstageFiles()
		riley := e.SignIn(t, "requester@example.com")
		if res, _ := riley.Get("/backstage"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the page as a requester = %d", res.StatusCode)
		}
		if res, body := riley.Get("/backstage/catalog-info.yaml"); res.StatusCode != http.StatusOK || !strings.Contains(body, "kind: Component") {
			t.Fatalf("download = %d", res.StatusCode)
		}
		architect := e.SignIn(t, "architect@example.com")
		if _, body := architect.Get("/portfolio"); !strings.Contains(body, `href="/backstage"`) {
			t.Fatal("the process map does not lead architects to the Backstage import")
		}
		architect.Get("/backstage")
		if res, body := postFileWith(t, e, architect, "/backstage", "examples.yaml", all, nil); res.StatusCode != http.StatusForbidden ||
			!strings.Contains(body, "only administrators create or change departments") {
			t.Fatalf("an architect's departments = %d", res.StatusCode)
		}
		admin := e.SignIn(t, "admin@example.com")
		admin.Get("/backstage")
		// The demo's example files: already imported, they change nothing.
		if _, body := admin.Get("/backstage"); !strings.Contains(body, "Check the example files") || !strings.Contains(body, "<code>org.yaml</code>") {
			t.Fatal("the page does not offer the demo's example files")
		}
		res, body := postFileWith(t, e, admin, "/backstage", "ignored.yaml", "", url.Values{"examples": {"1"}})
		if checked := checkedField.FindStringSubmatch(body); res.StatusCode != http.StatusOK || checked == nil || !strings.Contains(body, "0 created, 0 changed") ||
			!strings.Contains(body, `name="examples" value="1"`) {
			t.Fatalf("checking the example files = %d\n%s", res.StatusCode, body)
		}
		res, body = postFileWith(t, e, admin, "/backstage", "examples.yaml", all, nil)
		checked := checkedField.FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 created, 0 changed") || !strings.Contains(body, "group:default/acme-corp") || checked == nil {
			t.Fatalf("dry run = %d\n%s", res.StatusCode, body)
		}
		res, _ = postFileWith(t, e, admin, "/backstage", "examples.yaml", all, url.Values{"checked": {checked[1]}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply = %d", res.StatusCode)
		}
		if _, body := admin.Get("/backstage"); !strings.Contains(body, "Imported examples.yaml: 2 created, 0 changed.") {
			t.Fatalf("no flash after the import")
		}
		res, body = postFileWith(t, e, admin, "/backstage", "podcast-system.yaml", bad, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "podcast-system.yaml:1") || !strings.Contains(body, "does not exist") {
			t.Fatalf("bad owner = %d", res.StatusCode)
		}
	})
}

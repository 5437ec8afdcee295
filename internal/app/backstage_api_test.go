package app_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestBackstageThroughTheAPI: an administrator imports Backstage's example
// files sent as one body (dry run first; a second import changes nothing),
// an architect's file with an owner that does not exist is refused naming
// the line, requesters may not import, and everyone reads the services
// back as Components.
func TestBackstageThroughTheAPI(t *testing.T) {
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
	all := strings.Join(docs, "\n---\n")
	bad, err := os.ReadFile("../backstage/testdata/bad/podcast-system.yaml")
	if err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := clientOf(t, e, "admin@example.com")
		architect := clientOf(t, e, "architect@example.com")
		riley := clientOf(t, e, "requester@example.com")
		if status, _ := riley.do(http.MethodPost, "/backstage-imports", "application/yaml", all); status != http.StatusForbidden {
			t.Fatalf("a requester imports = %d", status)
		}
		status, rep := admin.do(http.MethodPost, "/backstage-imports?dry_run=true", "application/yaml", all)
		if status != http.StatusOK || rep["dry_run"] != true || rep["created"] != float64(4) || rep["changed"] != float64(0) {
			t.Fatalf("dry run = %d %v", status, rep)
		}
		status, rep = admin.do(http.MethodPost, "/backstage-imports", "application/yaml", all)
		if status != http.StatusOK || rep["created"] != float64(4) || !strings.Contains(fmt.Sprint(rep["warnings"]), "infrastructure-group.yaml: not found") {
			t.Fatalf("import = %d %v", status, rep)
		}
		if status, rep = admin.do(http.MethodPost, "/backstage-imports", "application/yaml", all); status != http.StatusOK || rep["created"] != float64(0) || rep["changed"] != float64(0) {
			t.Fatalf("import again = %d %v", status, rep)
		}
		status, problem := architect.do(http.MethodPost, "/backstage-imports", "application/yaml", string(bad))
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(problem), "body:1") || !strings.Contains(fmt.Sprint(problem), "user:default/team-b does not exist") {
			t.Fatalf("bad owner = %d %v", status, problem)
		}
		status, out := riley.do(http.MethodGet, "/backstage-export", "", "")
		if raw, _ := out["raw"].(string); status != http.StatusOK || !strings.Contains(raw, "kind: Component") || !strings.Contains(raw, "engage.io/service: ") {
			t.Fatalf("export = %d %.300v", status, out)
		}
	})
}

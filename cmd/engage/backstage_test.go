package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const backstageExamples = "../../internal/backstage/testdata/examples"

// TestBackstageCommands: import backstage reads a directory or a file with
// the files its Location names, says what a dry run would do, changes
// nothing the second time, refuses a bad file naming it; export backstage
// writes Components.
func TestBackstageCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		code, out, errs := runEngage(t, "", with("import", "backstage", backstageExamples, "--dry-run")...)
		if code != 0 || !strings.Contains(out, "Dry run: nothing was written.") || !strings.Contains(out, "4 created, 0 changed") {
			t.Fatalf("dry run = %d %q\n%s", code, errs, out)
		}
		code, out, errs = runEngage(t, "", with("import", "backstage", filepath.Join(backstageExamples, "org.yaml"))...)
		if code != 0 || !strings.Contains(out, "Read 3 files: 3 Group, 5 User, 1 Location") || !strings.Contains(out, "2 created, 0 changed") ||
			!strings.Contains(out, "+ department infrastructure: infrastructure (from group:default/infrastructure)") {
			t.Fatalf("import org.yaml = %d %q\n%s", code, errs, out)
		}
		code, out, _ = runEngage(t, "", with("import", "backstage", backstageExamples)...)
		if code != 0 || !strings.Contains(out, "2 created, 0 changed") || !strings.Contains(out, "+ application playback-order") {
			t.Fatalf("import dir = %d\n%s", code, out)
		}
		if code, out, _ = runEngage(t, "", with("import", "backstage", backstageExamples)...); code != 0 || !strings.Contains(out, "0 created, 0 changed") {
			t.Fatalf("import again = %d\n%s", code, out)
		}
		code, _, errs = runEngage(t, "", with("import", "backstage", "../../internal/backstage/testdata/bad/podcast-system.yaml")...)
		if code != 1 || !strings.Contains(errs, "podcast-system.yaml:1") || !strings.Contains(errs, "The owner user:default/team-b does not exist") {
			t.Fatalf("bad owner = %d %q", code, errs)
		}
		if code, _, errs := runEngage(t, "", with("import", "backstage")...); code != 2 || !strings.Contains(errs, "FILE|DIR") {
			t.Errorf("no file = %d %q", code, errs)
		}
		file := filepath.Join(t.TempDir(), "catalog-info.yaml")
		if code, _, errs := runEngage(t, "", with("export", "backstage", "-o", file)...); code != 0 {
			t.Fatalf("export = %d %q", code, errs)
		}
		if src, err := os.ReadFile(file); err != nil || (len(src) != 0 && !strings.Contains(string(src), "kind: Component")) {
			t.Fatalf("exported %q, %v", src, err)
		}
	})
}

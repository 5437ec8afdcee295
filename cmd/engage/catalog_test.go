package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliCatalog = `apiVersion: engage/v1
kind: Catalog
services:
  - slug: backup
    name: Backup
    kind: technical
    family: storage
    owner: owner@example.com
    sourcing: built
    lifecycle: live
    delivery_model: cloud
    data_ceiling: internal
    arch_status: standard
    audience: all
    offerings:
      - slug: backup-gb
        name: Per GB
        lifecycle: live
        prices:
          - {from: 2025-01-01, currency: EUR, unit: unit-month, unit_price: "0.10"}
`

func TestCatalogApplyAndExport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		dir := t.TempDir()
		write := func(name, body string) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		file := write("catalog.yaml", cliCatalog)

		if code, _, errs := runEngage(t, "a long enough password\n", with("user", "add", "--email", "owner@example.com", "--name", "Owner", "--role", "service-owner")...); code != 0 {
			t.Fatalf("user add = %d %q", code, errs)
		}
		code, out, errs := runEngage(t, "", with("apply", "-f", file, "--dry-run")...)
		if code != 0 || !strings.HasPrefix(out, "Dry run: nothing was written.") || !strings.Contains(out, "+ price backup-gb from 2025-01-01: EUR 0.10 per unit-month\n") {
			t.Fatalf("apply --dry-run = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("export", "catalog")...); code != 0 || strings.Contains(out, "backup") {
			t.Fatalf("export after a dry run = %d %q", code, out)
		}
		code, out, errs = runEngage(t, "", with("apply", "-f", file)...)
		if code != 0 || !strings.Contains(out, "+ service backup\n") || !strings.Contains(out, "services: 1 new, 0 changed, 0 unchanged") {
			t.Fatalf("apply = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("apply", "-f", file)...); code != 0 || !strings.HasPrefix(out, "Nothing to do: the catalog already matches "+file) {
			t.Fatalf("apply again = %d %q", code, out)
		}

		// Export, to a file and to standard output alike, applies as nothing to do.
		exported := filepath.Join(dir, "exported.yaml")
		if code, _, errs := runEngage(t, "", with("export", "catalog", "-o", exported)...); code != 0 {
			t.Fatalf("export -o = %d %q", code, errs)
		}
		body, err := os.ReadFile(exported)
		if err != nil {
			t.Fatal(err)
		}
		if code, out, _ := runEngage(t, "", with("export", "catalog")...); code != 0 || out != string(body) || !strings.Contains(out, "owner: owner@example.com") {
			t.Fatalf("export to stdout = %d %q; file %q", code, out, body)
		}
		if code, out, errs := runEngage(t, "", with("apply", "-f", exported)...); code != 0 || !strings.HasPrefix(out, "Nothing to do") {
			t.Fatalf("apply the export = %d %q %q", code, out, errs)
		}

		// A broken file names file and line for each error, and writes nothing.
		broken := write("broken.yaml", strings.NewReplacer("kind: technical", "kind: magic", `"0.10"`, `"0.12"`, "name: Per GB", "name: Per GB\n        colour: red").Replace(cliCatalog))
		code, out, errs = runEngage(t, "", with("apply", "-f", broken)...)
		if code != 1 || out != "" ||
			!strings.Contains(errs, broken+":6: services[0].kind: unknown kind \"magic\"") ||
			!strings.Contains(errs, broken+":18: services[0].offerings[0].colour: unknown field \"colour\"") ||
			!strings.Contains(errs, "nothing was written") {
			t.Fatalf("broken file = %d %q %q", code, out, errs)
		}
		// A file that parses but breaks a rule is refused whole, too.
		started := write("started.yaml", strings.NewReplacer(`"0.10"`, `"0.12"`, "name: Backup", "name: Backups").Replace(cliCatalog))
		code, _, errs = runEngage(t, "", with("apply", "-f", started)...)
		if code != 1 || !strings.Contains(errs, started+":20: services[0].offerings[0].prices[0].from: the price from 2025-01-01 has already started") {
			t.Fatalf("changing a started price = %d %q", code, errs)
		}
		if code, out, _ := runEngage(t, "", with("export", "catalog")...); code != 0 || out != string(body) {
			t.Fatalf("a refused file changed the catalog:\n%s", out)
		}
		if code, _, errs := runEngage(t, "", with("apply")...); code != 2 || !strings.Contains(errs, "-f FILE") {
			t.Fatalf("apply without a file = %d %q", code, errs)
		}
		if code, _, errs := runEngage(t, "", with("export", "people")...); code != 2 || !strings.Contains(errs, "export catalog") {
			t.Fatalf("export people = %d %q", code, errs)
		}
	})
}

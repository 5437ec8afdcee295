package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliRegister = `kind: engage/process-register
processes:
  - ref: order-to-cash
    kind: value_stream
    name: Order to cash
  - ref: quote
    parent: order-to-cash
    name: Give a quote
    external_customers: true
journeys:
  - ref: get-a-quote
    name: Get a quote
    processes: [quote]
`

// TestRegisterCommands: apply takes a register file by its kind:, import
// archimate shows a dry run, imports once and then changes nothing, and
// export writes the register back in both forms.
func TestRegisterCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "register.yaml")
		if err := os.WriteFile(file, []byte(cliRegister), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := runEngage(t, "", with("apply", "-f", file, "--dry-run")...); code != 0 || !strings.HasPrefix(out, "Dry run") ||
			!strings.Contains(out, "3 created, 0 changed") {
			t.Fatalf("apply --dry-run = %d %q %q", code, out, errs)
		}
		if code, out, errs := runEngage(t, "", with("apply", "-f", file)...); code != 0 || !strings.HasPrefix(out, "3 created") {
			t.Fatalf("apply = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("apply", "-f", file)...); code != 0 || !strings.HasPrefix(out, "0 created, 0 changed") {
			t.Fatalf("apply again = %d %q", code, out)
		}
		archi := filepath.Join("..", "..", "internal", "process", "testdata", "archimate", "archisurance.xml")
		if code, out, errs := runEngage(t, "", with("import", "archimate", archi, "--dry-run")...); code != 0 || !strings.Contains(out, "31 created, 0 changed") {
			t.Fatalf("import --dry-run = %d %q %q", code, out, errs)
		}
		if code, out, errs := runEngage(t, "", with("import", "archimate", archi)...); code != 0 || !strings.HasPrefix(out, "31 created") {
			t.Fatalf("import = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("import", "archimate", archi)...); code != 0 || !strings.HasPrefix(out, "0 created, 0 changed") {
			t.Fatalf("import again = %d %q", code, out)
		}
		exported := filepath.Join(dir, "exported.xml")
		if code, _, errs := runEngage(t, "", with("export", "archimate", "-o", exported)...); code != 0 {
			t.Fatalf("export archimate = %d %q", code, errs)
		}
		if code, out, _ := runEngage(t, "", with("import", "archimate", exported)...); code != 0 || !strings.HasPrefix(out, "0 created, 0 changed") {
			t.Fatalf("import the export = %d %q", code, out)
		}
		code, out, errs := runEngage(t, "", with("export", "register")...)
		if code != 0 || !strings.Contains(out, "kind: engage/process-register") || !strings.Contains(out, "ref: handle-claim") {
			t.Fatalf("export register = %d %q", code, errs)
		}
		bad := filepath.Join(dir, "bad.xml")
		if err := os.WriteFile(bad, []byte("<?xml version=\"1.0\"?>\n<model>\n<x></y>\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runEngage(t, "", with("import", "archimate", bad)...); code != 1 || !strings.Contains(errs, "not an ArchiMate exchange file") {
			t.Fatalf("import a bad file = %d %q", code, errs)
		}
	})
}

package process_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/process"
)

const archiDir = "testdata/archimate"

var (
	elementRE  = regexp.MustCompile(`<element identifier="([^"]+)" xsi:type="([^"]+)"`)
	relationRE = regexp.MustCompile(`<relationship identifier="[^"]+" source="([^"]+)" target="([^"]+)" xsi:type="([^"]+)"`)
)

// countArchiMate counts, without the importer, what an exchange file should
// give the register: processes, applications and distinct application ↔
// process links.
func countArchiMate(t *testing.T, src []byte) (processes, applications, links int) {
	t.Helper()
	types := map[string]string{}
	for _, m := range elementRE.FindAllSubmatch(src, -1) {
		types[string(m[1])] = string(m[2])
		switch string(m[2]) {
		case "BusinessProcess", "BusinessFunction", "BusinessService", "ValueStream":
			processes++
		case "ApplicationComponent":
			applications++
		}
	}
	isProc := func(id string) bool {
		return slices.Contains([]string{"BusinessProcess", "BusinessFunction", "BusinessService", "ValueStream"}, types[id])
	}
	pairs := map[string]bool{}
	for _, m := range relationRE.FindAllSubmatch(src, -1) {
		s, d, kind := string(m[1]), string(m[2]), string(m[3])
		if !slices.Contains([]string{"Serving", "Realization", "Assignment", "Flow"}, kind) {
			continue
		}
		if types[s] == "ApplicationComponent" && isProc(d) {
			pairs[s+" "+d] = true
		} else if types[d] == "ApplicationComponent" && isProc(s) {
			pairs[d+" "+s] = true
		}
	}
	return processes, applications, len(pairs)
}

// validate runs xmllint with the Open Group's schemas over file.
func validate(t *testing.T, file string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing (Debian: libxml2-utils); scripts/test installs it")
		}
		t.Skip("xmllint is missing (Debian: libxml2-utils)")
	}
	dir, _ := filepath.Abs(archiDir)
	cmd := exec.Command(xmllint, "--nonet", "--noout", "--schema", filepath.Join(dir, "validate.xsd"), file)
	cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+filepath.Join(dir, "catalog.xml"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func xpathCount(t *testing.T, file, xpath string) string {
	t.Helper()
	out, err := exec.Command("xmllint", "--xpath", xpath, file).Output()
	if err != nil {
		t.Fatalf("xmllint --xpath %s: %v", xpath, err)
	}
	return strings.TrimSpace(string(out))
}

// TestArchiMateArchisurance: the Archisurance model imports with the
// processes, applications and links counted independently; importing it
// again changes nothing; its export validates against the Open Group's
// schemas and imports back to the same register, here and in an empty one.
func TestArchiMateArchisurance(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(archiDir, "archisurance.xml"))
	if err != nil {
		t.Fatal(err)
	}
	wantP, wantA, wantL := countArchiMate(t, src)
	validate(t, filepath.Join(archiDir, "archisurance.xml"))
	if got := xpathCount(t, filepath.Join(archiDir, "archisurance.xml"),
		"count(//*[local-name()='element'][@*[local-name()='type']='BusinessProcess' or @*[local-name()='type']='BusinessFunction' or @*[local-name()='type']='BusinessService' or @*[local-name()='type']='ValueStream'])"); got != fmt.Sprint(wantP) {
		t.Fatalf("xmllint counts %s processes, the test's reader %d", got, wantP)
	}
	if wantP != 21 || wantA != 10 || wantL == 0 {
		t.Fatalf("Archisurance holds %d processes, %d applications, %d links", wantP, wantA, wantL)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		plan, err := w.s.ImportArchiMate(ctx, w.architect, "archisurance.xml", bytes.NewReader(src), true)
		if err != nil || plan.Created != wantP+wantA || plan.Changed != 0 || !plan.DryRun || len(plan.Warnings) == 0 {
			t.Fatalf("dry run = %d created, %d changed, %v\n%s", plan.Created, plan.Changed, err, plan)
		}
		if m, _ := w.s.ProcessMap(ctx, w.reader); len(m.Entries) != 0 {
			t.Fatalf("the dry run wrote %d entries", len(m.Entries))
		}
		if _, err := w.s.ImportArchiMate(ctx, w.board, "archisurance.xml", bytes.NewReader(src), false); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("the board imports: %v", err)
		}
		if plan, err = w.s.ImportArchiMate(ctx, w.architect, "archisurance.xml", bytes.NewReader(src), false); err != nil || plan.Created != wantP+wantA {
			t.Fatalf("import = %v\n%s", err, plan)
		}
		m, _ := w.s.ProcessMap(ctx, w.reader)
		apps, _ := w.s.ListApplications(ctx, w.reader)
		links := 0
		for _, e := range m.Entries {
			links += e.Applications
		}
		if len(m.Entries) != wantP || len(apps) != wantA || links != wantL {
			t.Fatalf("register holds %d processes, %d applications, %d links; want %d, %d, %d", len(m.Entries), len(apps), links, wantP, wantA, wantL)
		}
		if plan, err = w.s.ImportArchiMate(ctx, w.architect, "archisurance.xml", bytes.NewReader(src), false); err != nil || plan.Created != 0 || plan.Changed != 0 {
			t.Fatalf("import again = %v\n%s", err, plan)
		}
		if !strings.HasPrefix(plan.String(), "0 created, 0 changed") {
			t.Fatalf("report = %s", plan)
		}
		// The export validates and imports back to the same register.
		var out bytes.Buffer
		if err := w.s.ExportArchiMate(ctx, w.reader, &out); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "exported.xml")
		if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		validate(t, file)
		if plan, err = w.s.ImportArchiMate(ctx, w.architect, "exported.xml", bytes.NewReader(out.Bytes()), false); err != nil || plan.Created != 0 || plan.Changed != 0 {
			t.Fatalf("import the export = %v\n%s", err, plan)
		}
		fresh := setup(t, dbtest.OpenSQLite(t))
		if plan, err = fresh.s.ImportArchiMate(ctx, fresh.architect, "exported.xml", bytes.NewReader(out.Bytes()), false); err != nil || plan.Created != wantP+wantA {
			t.Fatalf("import the export elsewhere = %v\n%s", err, plan)
		}
		var again bytes.Buffer
		if err := fresh.s.ExportArchiMate(ctx, fresh.reader, &again); err != nil {
			t.Fatal(err)
		}
		if p2, a2, l2 := countArchiMate(t, again.Bytes()); p2 != wantP || a2 != wantA || l2 != wantL {
			t.Fatalf("exported again: %d, %d, %d", p2, a2, l2)
		}
		// A changed file shows its diff first.
		changed := bytes.Replace(src, []byte(`<name xml:lang="en">Handle Claim</name>`), []byte(`<name xml:lang="en">Handle a claim</name>`), 1)
		if plan, err = w.s.ImportArchiMate(ctx, w.architect, "changed.xml", bytes.NewReader(changed), true); err != nil || plan.Changed != 1 ||
			!strings.Contains(plan.String(), "name: “Handle Claim” → “Handle a claim”") {
			t.Fatalf("changed file = %v\n%s", err, plan)
		}
	})
}

const archiHead = `<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
  <name>M</name>
  <elements>
`

// TestArchiMateBadFiles: what is not an exchange file, malformed XML, a
// DOCTYPE, a file too large and a loop in the tree are refused, naming the
// line or element, and nothing is written; unknown types are warnings.
func TestArchiMateBadFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		loop := archiHead + `    <element identifier="a" xsi:type="BusinessProcess"><name>A</name></element>
    <element identifier="b" xsi:type="BusinessProcess"><name>B</name></element>
    <element identifier="c" xsi:type="BusinessProcess"><name>C</name></element>
  </elements>
  <relationships>
    <relationship identifier="r1" source="a" target="b" xsi:type="Composition"/>
    <relationship identifier="r2" source="b" target="a" xsi:type="Composition"/>
  </relationships>
</model>`
		for name, c := range map[string]struct {
			src  io.Reader
			want string
		}{
			"not archimate": {strings.NewReader(`<?xml version="1.0"?><catalog xmlns="urn:x"/>`), "not an ArchiMate exchange file"},
			"malformed":     {strings.NewReader(archiHead + "    <element identifier=\"a\" xsi:type=\"BusinessProcess\"><name>A</nam>\n"), "line 5"},
			"doctype": {strings.NewReader(`<?xml version="1.0"?>
<!DOCTYPE model [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&lol2;</name></model>`), "DOCTYPE"},
			"too large": {io.MultiReader(strings.NewReader(archiHead), io.LimitReader(neverEnding(' '), process.MaxFileBytes)), "larger than 32 MiB"},
			"loop":      {strings.NewReader(loop), "loops"},
		} {
			_, err := w.s.ImportArchiMate(ctx, w.architect, name, c.src, false)
			text := engage.ErrorMessage(err)
			for _, f := range engage.ErrorFields(err) {
				text += " " + f.Field + ": " + f.Message
			}
			if engage.ErrorCode(err) != engage.EINVALID || !strings.Contains(text, c.want) {
				t.Errorf("%s = %v (%s); want %q", name, err, text, c.want)
			}
		}
		if m, _ := w.s.ProcessMap(ctx, w.reader); len(m.Entries) != 0 {
			t.Fatalf("a refused file wrote %d entries", len(m.Entries))
		}
		unknown := archiHead + `    <element identifier="a" xsi:type="BusinessProcess"><name>A</name></element>
    <element identifier="x" xsi:type="Gadget"><name>X</name></element>
  </elements>
</model>`
		plan, err := w.s.ImportArchiMate(ctx, w.architect, "unknown.xml", strings.NewReader(unknown), false)
		if err != nil || plan.Created != 1 || len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], "Gadget") {
			t.Fatalf("unknown type = %v\n%s", err, plan)
		}
	})
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

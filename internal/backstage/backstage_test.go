package backstage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/process"
)

var sys = access.System("test")

type world struct {
	s         *backstage.Service
	guest     org.Person
	admin     *access.Principal
	architect *access.Principal
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	it, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "IT", Name: "Information technology"})
	if err != nil {
		t.Fatal(err)
	}
	guest, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: "Guest@Example.com", Name: "Gail Guest", DepartmentID: it.ID, Active: true,
		Roles: []access.Role{access.Requester}})
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o}
	p := &process.Service{DB: d, Clock: clock, Org: o, Services: cat}
	return world{s: &backstage.Service{DB: d, Clock: clock, Org: o, Processes: p, Catalog: cat, BaseURL: "https://engage.example.com"}, guest: guest,
		admin:     &access.Principal{PersonID: guest.ID, Name: "admin", Roles: []access.Role{access.Admin}},
		architect: &access.Principal{PersonID: guest.ID, Name: "architect", Roles: []access.Role{access.EnterpriseArchitect}}}
}

func departments(t *testing.T, w world) map[string]org.Department {
	t.Helper()
	list, _, err := w.s.Org.ListDepartments(context.Background(), sys, org.ListFilter{Limit: paging.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]org.Department{}
	for _, d := range list {
		out[d.Code] = d
	}
	return out
}

func applications(t *testing.T, w world) map[string]process.Application {
	t.Helper()
	list, err := w.s.Processes.ListApplications(context.Background(), w.admin)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]process.Application{}
	for _, a := range list {
		out[a.Ref] = a
	}
	return out
}

// kindCounts counts the documents of each kind in the files of a
// directory by reading the text, apart from the importer.
func kindCounts(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	kind := regexp.MustCompile(`(?m)^kind: (\w+)\s*$`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range kind.FindAllStringSubmatch(string(src), -1) {
			out[m[1]]++
		}
	}
	return out
}

func importDir(t *testing.T, w world, dir string, dryRun bool) (backstage.Report, error) {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	set, err := backstage.Read(root.FS(), ".")
	if err != nil {
		return backstage.Report{}, err
	}
	return w.s.Import(context.Background(), w.admin, set, dryRun)
}

// TestImportExamples: Backstage's own example files become two departments
// (the organisation and the department below it) and two applications
// owned by the person whose e-mail a User has; a dry run writes nothing
// and importing again changes nothing.
func TestImportExamples(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		dry, err := importDir(t, w, "testdata/examples", true)
		if err != nil {
			t.Fatal(err)
		}
		if !dry.DryRun || dry.Created != 4 || dry.Changed != 0 || len(departments(t, w)) != 1 || len(applications(t, w)) != 0 {
			t.Fatalf("dry run = %+v; departments %v", dry, departments(t, w))
		}
		rep, err := importDir(t, w, "testdata/examples", false)
		if err != nil {
			t.Fatal(err)
		}
		want := kindCounts(t, "testdata/examples")
		got := map[string]int{}
		for _, k := range rep.Entities {
			got[k.Kind] = k.Count
		}
		if len(got) != len(want) || want["Group"] != 3 || want["User"] != 5 {
			t.Fatalf("entities read = %v, the files have %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Fatalf("entities read = %v, the files have %v", got, want)
			}
		}
		if rep.Files != 6 || rep.Created != 4 || rep.Changed != 0 || rep.PeopleMatched != 2 || rep.DryRun {
			t.Fatalf("report = %+v", rep)
		}
		if !slices.EqualFunc(rep.Changes, dry.Changes, func(a, b backstage.Change) bool { return a.Ref == b.Ref && a.Action == b.Action }) {
			t.Fatalf("the dry run said %+v, the import did %+v", dry.Changes, rep.Changes)
		}
		depts := departments(t, w)
		acme, infra := depts["acme-corp"], depts["infrastructure"]
		if len(depts) != 3 || acme.ID == 0 || acme.ParentID != 0 || infra.ParentID != acme.ID || infra.Name != "infrastructure" {
			t.Fatalf("departments = %+v", depts)
		}
		apps := applications(t, w)
		artist, playback := apps["artist-lookup"], apps["playback-order"]
		if len(apps) != 2 || artist.Name != "artist-lookup" || artist.Description != "Artist Lookup" || artist.Lifecycle != "plan" ||
			artist.OwnerPersonID != w.guest.ID || playback.Lifecycle != "active" || playback.OwnerPersonID != w.guest.ID {
			t.Fatalf("applications = %+v", apps)
		}
		text := strings.Join(rep.Warnings, "\n")
		for _, want := range []string{"boxoffice-group.yaml: not found", "1 Domain entities not imported", "user:default/breanna.davison",
			"child group:default/backstage of group:default/infrastructure is not in the files"} {
			if !strings.Contains(text, want) {
				t.Errorf("warnings lack %q:\n%s", want, text)
			}
		}
		again, err := importDir(t, w, "testdata/examples", false)
		if err != nil || again.Created != 0 || again.Changed != 0 || len(again.Changes) != 0 {
			t.Fatalf("import again = %+v, %v", again, err)
		}
		if !strings.HasPrefix(again.String(), "Read 6 files: 3 Group, 5 User, 1 Domain, 2 Component, 1 Location; 2 users matched to people.\n0 created, 0 changed\n") {
			t.Fatalf("report text:\n%s", again)
		}
	})
}

// TestImportReportListsNeverNull: a file that gives nothing to warn about
// reports empty lists of warnings, not null, as the API documents.
func TestImportReportListsNeverNull(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		set, err := backstage.ReadFiles(backstage.Files{"catalog-info.yaml": []byte(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: ledger-team}
spec: {type: team, profile: {email: guest@example.com}, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger-sync}
spec: {type: service, lifecycle: production, owner: ledger-team}
`)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := w.s.Import(context.Background(), w.architect, set, false)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 1 || !strings.Contains(string(raw), `"warnings":[]`) || !strings.Contains(string(raw), `"entities":[{`) {
			t.Fatalf("report = %s", raw)
		}
	})
}

// TestImportMatchesAndDiff: a Group is matched to a department by its
// code annotation or its name, never duplicated; what differs is shown
// field by field in a dry run, and an application keeps what Backstage
// does not say.
func TestImportMatchesAndDiff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		fin, err := w.s.Org.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "FIN", Name: "Finance"})
		if err != nil {
			t.Fatal(err)
		}
		app, err := w.s.Processes.CreateApplication(ctx, w.admin, process.ApplicationInput{Ref: "ledger", Name: "Ledger", Vendor: "Acme",
			FunctionalFit: 4, TechnicalFit: 3, Lifecycle: "active"})
		if err != nil {
			t.Fatal(err)
		}
		files := backstage.Files{"catalog-info.yaml": []byte(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: finance
spec:
  type: department
  children: [payables]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payables
  annotations:
    engage.io/department-code: PAY
spec:
  type: business-unit
  profile:
    displayName: Accounts payable
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: it-core
  annotations:
    engage.io/department-code: it
spec:
  type: department
  profile:
    displayName: IT
  parent: finance
  children: []
---
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: ledger
  title: General ledger
  description: Books of account
spec:
  owner: group:payables
`), "owners.yaml": []byte(`apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: gail
spec:
  profile:
    email: guest@example.com
  memberOf: [payables]
`)}
		set, err := backstage.ReadFiles(files)
		if err != nil {
			t.Fatal(err)
		}
		dry, err := w.s.Import(ctx, w.admin, set, true)
		if err != nil {
			t.Fatal(err)
		}
		text := dry.String()
		for _, want := range []string{"1 created, 2 changed", "+ department PAY: Accounts payable (from group:default/payables)",
			"~ department IT: IT (from group:default/it-core)", "    name: Information technology → IT", "    parent: (none) → FIN",
			"~ application ledger: General ledger (from system:default/ledger)", "    name: “Ledger” → “General ledger”"} {
			if !strings.Contains(text, want) {
				t.Errorf("dry run lacks %q:\n%s", want, text)
			}
		}
		if len(departments(t, w)) != 2 || applications(t, w)["ledger"].Name != "Ledger" {
			t.Fatal("the dry run wrote")
		}
		if _, err := w.s.Import(ctx, w.admin, set, false); err != nil {
			t.Fatal(err)
		}
		depts := departments(t, w)
		if len(depts) != 3 || depts["FIN"].ID != fin.ID || depts["FIN"].Name != "Finance" || depts["PAY"].ParentID != fin.ID || depts["IT"].ParentID != fin.ID {
			t.Fatalf("departments = %+v", depts)
		}
		got := applications(t, w)["ledger"]
		if got.ID != app.ID || got.Name != "General ledger" || got.Description != "Books of account" || got.Vendor != "Acme" ||
			got.FunctionalFit != 4 || got.OwnerPersonID != w.guest.ID {
			t.Fatalf("ledger = %+v", got)
		}
		if again, err := w.s.Import(ctx, w.admin, set, false); err != nil || again.Created+again.Changed != 0 {
			t.Fatalf("again = %+v, %v", again, err)
		}
		// A Group whose name is a department's code, with no code
		// annotation, is that department and does not rename it; two
		// Groups cannot be one department.
		fin2 := []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: fin\nspec:\n  type: department\n  profile:\n    displayName: Money\n  children: []\n")
		if set2, err := backstage.ReadFiles(backstage.Files{"fin.yaml": fin2}); err != nil {
			t.Fatal(err)
		} else if rep, err := w.s.Import(ctx, w.admin, set2, false); err != nil || rep.Created+rep.Changed != 0 {
			t.Fatalf("fin = %+v, %v", rep, err)
		}
		files["fin.yaml"] = fin2
		if set2, err := backstage.ReadFiles(files); err != nil {
			t.Fatal(err)
		} else if _, err := w.s.Import(ctx, w.admin, set2, false); !strings.Contains(fmt.Sprint(engage.ErrorFields(err)), "are both department FIN (Finance)") {
			t.Fatalf("two groups, one department: %v %+v", err, engage.ErrorFields(err))
		}
		delete(files, "fin.yaml")
		// An architect may import applications but not departments.
		files["catalog-info.yaml"] = bytes.Replace(files["catalog-info.yaml"], []byte("Books of account"), []byte("Books"), 1)
		files["new.yaml"] = []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: hr\nspec:\n  type: department\n  children: []\n")
		set, err = backstage.ReadFiles(files)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Import(ctx, w.architect, set, false); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("architect creating a department: %v", err)
		}
		if applications(t, w)["ledger"].Description != "Books of account" {
			t.Fatal("a refused import wrote the application")
		}
	})
}

// TestImportBadInput: every mistake is named by file and line, and then
// nothing is written.
func TestImportBadInput(t *testing.T) {
	const group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: %s\nspec:\n  type: department\n  parent: %s\n  children: []\n"
	bad, err := os.ReadFile("testdata/bad/podcast-system.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files backstage.Files
		field string
		msg   string
	}{
		{"unknown kind", backstage.Files{"a.yaml": []byte("apiVersion: backstage.io/v1alpha1\nkind: Team\nmetadata:\n  name: x\n")},
			"a.yaml:1", `Unknown kind "Team"`},
		{"cyclic tree", backstage.Files{"a.yaml": []byte(strings.Replace(strings.Replace(group, "%s", "a", 1), "%s", "b", 1) + "---\n" +
			strings.Replace(strings.Replace(group, "%s", "b", 1), "%s", "a", 1))},
			"a.yaml:1", "The group tree has a loop: group:default/a → group:default/b → group:default/a"},
		{"owner missing", backstage.Files{"podcast-system.yaml": bad}, "podcast-system.yaml:1", "The owner user:default/team-b does not exist"},
		{"malformed", backstage.Files{"a.yaml": []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: [x\n")},
			"a.yaml:3", "Not valid YAML: did not find expected"},
		{"wrong shape", backstage.Files{"a.yaml": []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: x\nspec:\n  children: x\n")},
			"a.yaml:1", "cannot unmarshal"},
		{"oversized", backstage.Files{"big.yaml": bytes.Repeat([]byte("# filler\n"), backstage.MaxFileBytes/9+1)}, "big.yaml", "Larger than 4 MiB"},
		{"escaping", backstage.Files{"a.yaml": []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: x\nspec:\n  targets: [../../etc/passwd]\n")},
			"a.yaml:1", "leaves the directory given"},
		{"remote", backstage.Files{"a.yaml": []byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: x\nspec:\n  type: url\n  target: https://example.com/c.yaml\n")},
			"a.yaml:1", "is remote"},
		{"twice", backstage.Files{"a.yaml": []byte(strings.Replace(strings.Replace(group, "%s", "a", 1), "\n  parent: %s", "", 1)),
			"b.yaml": []byte(strings.Replace(strings.Replace(group, "%s", "a", 1), "\n  parent: %s", "", 1))}, "b.yaml:1", "defined twice (first at a.yaml:1)"},
		{"no apiVersion", backstage.Files{"a.yaml": []byte("kind: Group\nmetadata:\n  name: x\n")}, "a.yaml:1", "apiVersion is missing"},
		{"bad code", backstage.Files{"a.yaml": []byte(strings.Replace(strings.Replace(group, "%s", strings.Repeat("long", 9), 1), "\n  parent: %s", "", 1))},
			"a.yaml:1", "cannot be a department code"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		for _, c := range cases {
			set, err := backstage.ReadFiles(c.files)
			if err == nil {
				_, err = w.s.Import(context.Background(), w.admin, set, false)
			}
			var found bool
			for _, f := range engage.ErrorFields(err) {
				found = found || (f.Field == c.field && strings.Contains(f.Message, c.msg))
			}
			if engage.ErrorCode(err) != engage.EINVALID || !found {
				t.Errorf("%s: %v %+v", c.name, err, engage.ErrorFields(err))
			}
		}
		// A department is written before an application fails its checks:
		// the transaction takes both back.
		files := backstage.Files{"a.yaml": []byte(strings.Replace(strings.Replace(group, "%s", "ops", 1), "\n  parent: %s", "", 1) + `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: runner
  annotations:
    engage.io/application-ref: Not A Ref
spec:
  type: service
  lifecycle: production
  owner: ops
`)}
		set, err := backstage.ReadFiles(files)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Import(context.Background(), w.admin, set, false)
		if engage.ErrorCode(err) != engage.EINVALID || !strings.Contains(engage.ErrorFields(err)[0].Field, "a.yaml:9") {
			t.Fatalf("bad application = %v %+v", err, engage.ErrorFields(err))
		}
		if len(departments(t, w)) != 1 {
			t.Fatalf("half written: %+v", departments(t, w))
		}
	})
}

// TestExportRoundTrip: the catalog's services written as Components read
// back with the same names, owners, lifecycles and links, as valid
// multi-document YAML.
func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		for _, s := range []struct{ name, lifecycle string }{{"CRM", "live"}, {"Data lake", "pilot"}, {"Old mail", "retired"}} {
			if _, err := w.s.Catalog.CreateService(ctx, sys, catalog.ServiceInput{Name: s.name, Summary: s.name + " for everyone", Kind: "business",
				Family: "business-applications", Sourcing: "built", Lifecycle: s.lifecycle, DeliveryModel: "cloud", DataCeiling: "confidential",
				ArchStatus: "standard", OwnerID: w.guest.ID, AudienceAll: true, Tags: []string{"Sales CRM"},
				SLA: catalog.SLA{Availability: "99.9", LeadTimeDays: 2}}); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := w.s.Export(ctx, w.admin, &buf); err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(buf.Bytes()))
		docs := 0
		for {
			var v map[string]any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("not YAML: %v\n%s", err, buf.String())
			}
			docs++
		}
		set, err := backstage.ReadFiles(backstage.Files{"catalog-info.yaml": buf.Bytes()})
		if err != nil || docs != 3 || len(set.Entities) != 3 {
			t.Fatalf("read back %d documents, %v, %v:\n%s", docs, set, err, buf.String())
		}
		byName := map[string]*backstage.Entity{}
		for _, e := range set.Entities {
			byName[e.Metadata.Name] = e
		}
		crm, lake, mail := byName["crm"], byName["data-lake"], byName["old-mail"]
		if crm == nil || lake == nil || mail == nil {
			t.Fatalf("entities = %v", byName)
		}
		if crm.Kind != "Component" || crm.Spec.Type != "service" || crm.Spec.Lifecycle != "production" || crm.Metadata.Title != "CRM" ||
			crm.Spec.Owner != "user:default/guest" || crm.Metadata.Annotations["engage.io/owner-email"] != "guest@example.com" ||
			crm.Metadata.Annotations[backstage.ServiceSlug] != "crm" || len(crm.Metadata.Links) != 1 ||
			crm.Metadata.Links[0].URL != "https://engage.example.com/catalog/crm" || !slices.Equal(crm.Metadata.Tags, []string{"sales-crm"}) {
			t.Fatalf("crm = %+v", crm)
		}
		if lake.Spec.Lifecycle != "experimental" || mail.Spec.Lifecycle != "deprecated" {
			t.Fatalf("lifecycles: %s, %s", lake.Spec.Lifecycle, mail.Spec.Lifecycle)
		}
	})
}

// TestReadStaysInside: a directory is read through os.Root, so a link to
// a file outside it is refused, not followed.
func TestReadStaysInside(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: secret\nspec:\n  type: team\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link.yaml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	set, err := backstage.Read(root.FS(), ".")
	if engage.ErrorCode(err) != engage.EINVALID || set != nil || engage.ErrorFields(err)[0].Field != "link.yaml" {
		t.Fatalf("a link out = %+v, %v %+v", set, err, engage.ErrorFields(err))
	}
}

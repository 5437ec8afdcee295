package process_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

type registerWorld struct {
	world
	crm, erp   catalog.Service
	fn         org.Function
	loc        org.Location
	quote, o2c process.Entry
}

func setupRegister(t *testing.T, d *db.DB) registerWorld {
	t.Helper()
	ctx := context.Background()
	w := registerWorld{world: setup(t, d)}
	cat := &catalog.Catalog{DB: d, Clock: w.clock, Org: w.s.Org}
	w.s.Services = cat
	var err error
	for _, s := range []struct {
		into *catalog.Service
		name string
	}{{&w.crm, "CRM"}, {&w.erp, "ERP"}} {
		*s.into, err = cat.CreateService(ctx, sys, catalog.ServiceInput{Name: s.name, Summary: s.name + " for everyone", Kind: "business",
			Family: "business-applications", Sourcing: "built", Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "confidential", ArchStatus: "standard",
			AudienceAll: true, SLA: catalog.SLA{Availability: "99.9", LeadTimeDays: 2}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if w.fn, err = w.s.Org.CreateFunction(ctx, sys, org.FunctionInput{Code: "SALES-OPS", Name: "Sales operations"}); err != nil {
		t.Fatal(err)
	}
	if w.loc, err = w.s.Org.CreateLocation(ctx, sys, org.LocationInput{Code: "PAR", Name: "Paris", City: "Paris", Country: "FR", TimeZone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	if w.o2c, err = w.s.Create(ctx, w.architect, process.Input{Kind: process.ValueStream, Ref: "order-to-cash", Name: "Order to cash"}); err != nil {
		t.Fatal(err)
	}
	if w.quote, err = w.s.Create(ctx, w.architect, process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote", ParentID: w.o2c.ID,
		ExternalCustomers: true, Enablement: "partly_automated"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestApplicationsLinksJourneys: applications with their TIME disposition,
// weighted links to applications and services, the functions and locations
// that perform a process and customer journeys, all checked and repeat-safe.
func TestApplicationsLinksJourneys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setupRegister(t, d)
		in := process.ApplicationInput{Ref: "sales-desk", Name: "Sales desk", Vendor: "Acme", OwnerPersonID: w.owner.ID, FunctionalFit: 4,
			TechnicalFit: 2, ServiceIDs: []int64{w.crm.ID}}
		app, err := w.s.CreateApplication(ctx, w.architect, in)
		if err != nil || app.Disposition != "migrate" || app.Lifecycle != "active" || len(app.Services) != 1 || app.Services[0].Slug != w.crm.Slug {
			t.Fatalf("create application = %+v, %v", app, err)
		}
		if again, err := w.s.CreateApplication(ctx, w.architect, in); err != nil || again.ID != app.ID || again.Version != 1 {
			t.Fatalf("repeated create = %+v, %v", again, err)
		}
		_, err = w.s.CreateApplication(ctx, w.architect, process.ApplicationInput{Ref: "Bad Ref", Lifecycle: "sunset", FunctionalFit: 6, TechnicalFit: -1,
			ServiceIDs: []int64{9999}, OwnerPersonID: 9999})
		if got := fields(err); len(got) != 7 || !got["ref"] || !got["name"] || !got["lifecycle"] || !got["functional_fit"] || !got["technical_fit"] ||
			!got["service_ids"] || !got["owner_person_id"] {
			t.Fatalf("bad application = %v", err)
		}
		if _, err := w.s.CreateApplication(ctx, w.board, process.ApplicationInput{Ref: "x", Name: "X"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("board creates an application: %v", err)
		}
		// Weights are exact percentages from 0 to 100; links name what they link.
		link, err := w.s.LinkApplication(ctx, w.architect, w.quote.ID, app.ID, decimal.RequireFromString("40.5"))
		if err != nil || link.Ref != "sales-desk" || !link.Weight.Equal(decimal.RequireFromString("40.5")) {
			t.Fatalf("link application = %+v, %v", link, err)
		}
		if _, err := w.s.LinkApplication(ctx, w.architect, w.quote.ID, app.ID, decimal.RequireFromString("40.50")); err != nil {
			t.Fatalf("repeated link = %v", err)
		}
		for _, bad := range []string{"-0.01", "100.01"} {
			if _, err := w.s.LinkApplication(ctx, w.architect, w.quote.ID, app.ID, decimal.RequireFromString(bad)); !fields(err)["weight"] {
				t.Fatalf("weight %s = %v", bad, err)
			}
			if _, err := w.s.LinkService(ctx, w.architect, w.quote.ID, w.crm.ID, decimal.RequireFromString(bad)); !fields(err)["weight"] {
				t.Fatalf("service weight %s = %v", bad, err)
			}
		}
		if _, err := w.s.LinkApplication(ctx, w.architect, w.quote.ID, 9999, decimal.NewFromInt(5)); !fields(err)["application_id"] ||
			!strings.Contains(engage.ErrorFields(err)[0].Message, "9999") {
			t.Fatalf("unknown application = %v", err)
		}
		if _, err := w.s.LinkService(ctx, w.architect, w.quote.ID, 9999, decimal.NewFromInt(5)); !fields(err)["service_id"] {
			t.Fatalf("unknown service = %v", err)
		}
		if _, err := w.s.LinkService(ctx, w.architect, w.quote.ID, w.crm.ID, decimal.NewFromInt(100)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.LinkService(ctx, w.architect, w.quote.ID, w.erp.ID, decimal.Zero); err != nil {
			t.Fatal(err)
		}
		if err := w.s.Unlink(ctx, w.architect, w.quote.ID, "service", w.erp.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.s.SetPerformers(ctx, w.architect, w.quote.ID, []int64{w.fn.ID, w.fn.ID}, []int64{w.loc.ID}); err != nil {
			t.Fatal(err)
		}
		if err := w.s.SetPerformers(ctx, w.architect, w.quote.ID, []int64{9999}, nil); !fields(err)["function_ids"] {
			t.Fatalf("unknown function = %v", err)
		}
		// Journeys go only through processes external customers touch.
		if _, err := w.s.CreateJourney(ctx, w.architect, process.JourneyInput{Ref: "buy", Name: "Buy", ProcessIDs: []int64{w.o2c.ID}}); !fields(err)["process_ids"] {
			t.Fatalf("journey through an internal process = %v", err)
		}
		j, err := w.s.CreateJourney(ctx, w.architect, process.JourneyInput{Ref: "get-a-quote", Name: "Get a quote", ProcessIDs: []int64{w.quote.ID}})
		if err != nil || len(j.Processes) != 1 || j.Processes[0].Ref != "quote" {
			t.Fatalf("journey = %+v, %v", j, err)
		}
		// A process on a journey keeps its external customers.
		pin := w.quote.Input()
		pin.ExternalCustomers = false
		if _, err := w.s.Update(ctx, w.architect, w.quote.ID, w.quote.Version, pin); !fields(err)["external_customers"] {
			t.Fatalf("internal process on a journey = %v", err)
		}
		det, err := w.s.Describe(ctx, w.reader, w.quote.ID)
		if err != nil || det.Parent == nil || det.Parent.Ref != "order-to-cash" || len(det.Functions) != 1 || det.Functions[0].Code != "SALES-OPS" ||
			len(det.Locations) != 1 || len(det.Journeys) != 1 || len(det.Applications) != 1 || !det.Applications[0].Weight.Equal(decimal.RequireFromString("40.5")) ||
			len(det.Services) != 1 || det.Services[0].Slug != w.crm.Slug || !det.Services[0].Weight.Equal(decimal.NewFromInt(100)) || det.CanChange ||
			det.Entry.Enablement != "partly_automated" {
			t.Fatalf("describe = %+v, %v", det, err)
		}
		m, err := w.s.ProcessMap(ctx, w.reader)
		if err != nil || len(m.Entries) != 2 || m.Entries[1].Applications != 1 || m.Entries[1].Services != 1 || len(m.Children(w.o2c.ID)) != 1 {
			t.Fatalf("map = %+v, %v", m, err)
		}
	})
}

func TestDisposition(t *testing.T) {
	for _, c := range []struct {
		functional, technical int
		want                  string
	}{{0, 3, ""}, {3, 0, ""}, {3, 3, "invest"}, {5, 5, "invest"}, {3, 2, "migrate"}, {5, 1, "migrate"}, {2, 3, "tolerate"}, {1, 5, "tolerate"},
		{2, 2, "eliminate"}, {1, 1, "eliminate"}} {
		if got := process.Disposition(c.functional, c.technical); got != c.want {
			t.Errorf("Disposition(%d, %d) = %q, want %q", c.functional, c.technical, got, c.want)
		}
	}
}

const registerYAML = `kind: engage/process-register
applications:
  - ref: sales-desk
    name: Sales desk
    vendor: Acme
    functional_fit: 4
    technical_fit: 4
    services: [crm]
processes:
  - ref: quote-check
    parent: quote
    name: Check the quote
    external_customers: true
    enablement: automated
    owner: owner@example.com
    department: sales
    functions: [sales-ops]
    locations: [PAR]
    applications:
      - {ref: sales-desk, weight: "25"}
    services:
      - {ref: crm, weight: 12.5}
journeys:
  - ref: get-a-quote
    name: Get a quote
    processes: [quote, quote-check]
`

// TestRegisterFileApply: a register file is applied in one go, shows its
// diff in a dry run, changes nothing when applied again, and a bad file
// names each line and writes nothing.
func TestRegisterFileApply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setupRegister(t, d)
		f, err := process.ParseRegisterFile("register.yaml", strings.NewReader(registerYAML))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := w.s.ApplyRegister(ctx, w.architect, f, true)
		if err != nil || plan.Created != 3 || plan.Changed != 0 || !plan.DryRun {
			t.Fatalf("dry run = %+v, %v", plan, err)
		}
		if _, err := w.s.GetApplication(ctx, w.reader, 1); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a dry run wrote: %v", err)
		}
		if _, err := w.s.ApplyRegister(ctx, w.board, f, false); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("the board applies a file: %v", err)
		}
		if plan, err = w.s.ApplyRegister(ctx, w.architect, f, false); err != nil || plan.Created != 3 {
			t.Fatalf("apply = %+v, %v", plan, err)
		}
		if plan, err = w.s.ApplyRegister(ctx, w.architect, f, false); err != nil || plan.Created != 0 || plan.Changed != 0 {
			t.Fatalf("apply again = %+v, %v", plan, err)
		}
		// The export applies back unchanged.
		exported, err := w.s.ExportRegister(ctx, w.reader)
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		if err := process.WriteRegisterFile(&buf, exported); err != nil {
			t.Fatal(err)
		}
		back, err := process.ParseRegisterFile("export.yaml", strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		if plan, err = w.s.ApplyRegister(ctx, w.architect, back, true); err != nil || plan.Created != 0 || plan.Changed != 0 {
			t.Fatalf("apply the export = %+v, %v\n%s", plan, err, buf.String())
		}
		// A changed file shows its diff.
		changed := strings.Replace(strings.Replace(registerYAML, `weight: "25"`, `weight: "30"`, 1), "name: Check the quote", "name: Check a quote", 1)
		f2, _ := process.ParseRegisterFile("register.yaml", strings.NewReader(changed))
		plan, err = w.s.ApplyRegister(ctx, w.architect, f2, true)
		if err != nil || plan.Changed != 1 || plan.Created != 0 || !strings.Contains(plan.String(), "applications: sales-desk 25% → 30%") ||
			!strings.Contains(plan.String(), "name: “Check the quote” → “Check a quote”") {
			t.Fatalf("changed file = %v\n%s", err, plan.String())
		}
		// A bad file names each line and writes nothing.
		bad := `kind: engage/process-register
applications:
  - ref: new-app
    name: New app
processes:
  - ref: loop-a
    parent: loop-b
    name: A
  - ref: loop-b
    parent: loop-a
    name: B
  - ref: quote-check
    parent: quote
    name: Check the quote
    external_customers: true
    applications:
      - {ref: nowhere, weight: 10}
      - {ref: sales-desk, weight: 101}
    services:
      - {ref: no-such-service, weight: 1}
`
		fb, err := process.ParseRegisterFile("bad.yaml", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.s.ApplyRegister(ctx, w.architect, fb, false)
		msg := engage.ErrorFields(err)
		text := ""
		for _, f := range msg {
			text += f.Field + ": " + f.Message + "\n"
		}
		if !strings.Contains(text, "bad.yaml:6 (process loop-a): parent") && !strings.Contains(text, "bad.yaml:9 (process loop-b): parent") {
			t.Fatalf("loop not named:\n%s", text)
		}
		fb.Processes = fb.Processes[2:]
		_, err = w.s.ApplyRegister(ctx, w.architect, fb, false)
		text = ""
		for _, f := range engage.ErrorFields(err) {
			text += f.Field + ": " + f.Message + "\n"
		}
		for _, want := range []string{"bad.yaml:12 (process quote-check): applications: No application nowhere", "bad.yaml:12 (process quote-check): applications: The weight of sales-desk",
			"bad.yaml:12 (process quote-check): services: No catalog service \"no-such-service\""} {
			if !strings.Contains(text, want) {
				t.Fatalf("missing %q in:\n%s", want, text)
			}
		}
		if _, err := w.s.ListApplications(ctx, w.reader); err != nil {
			t.Fatal(err)
		} else if apps, _ := w.s.ListApplications(ctx, w.reader); len(apps) != 1 {
			t.Fatalf("a refused file wrote: %+v", apps)
		}
		for name, src := range map[string]string{"no kind": "processes: []\n", "unknown key": "kind: engage/process-register\ncolour: red\n",
			"not yaml": "kind: [\n"} {
			if _, err := process.ParseRegisterFile(name, strings.NewReader(src)); engage.ErrorCode(err) != engage.EINVALID {
				t.Fatalf("%s = %v", name, err)
			}
		}
	})
}

// TestRegisterMigrationReversible: migration 26 goes down and up again.
func TestRegisterMigrationReversible(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.MigrateTo(ctx, 25); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM applications", "SELECT COUNT(*) FROM journeys", "SELECT enablement FROM processes"} {
			if _, err := d.Exec(ctx, q); err == nil {
				t.Fatalf("%s still works after migrating down", q)
			}
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		setupRegister(t, d)
	})
}

// TestRegisterCSV: the processes and applications CSV files export and
// import back unchanged; a bad file names its lines and writes nothing.
func TestRegisterCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setupRegister(t, d)
		f, _ := process.ParseRegisterFile("register.yaml", strings.NewReader(registerYAML))
		if _, err := w.s.ApplyRegister(ctx, w.architect, f, false); err != nil {
			t.Fatal(err)
		}
		for _, kind := range process.CSVKinds {
			var buf strings.Builder
			if err := w.s.ExportCSV(ctx, w.reader, kind, &buf); err != nil {
				t.Fatal(err)
			}
			plan, err := w.s.ImportCSV(ctx, w.architect, kind, strings.NewReader(buf.String()), false)
			if err != nil || plan.Created != 0 || plan.Changed != 0 {
				t.Fatalf("%s: import the export = %v\n%s\n%s", kind, err, plan, buf.String())
			}
		}
		csv := "ref,parent,name,applications,external_customers\nnew-one,quote,New one,sales-desk:150,true\nnew-two,nowhere,New two,,maybe\nnew-three,quote,New three,,\n"
		_, err := w.s.ImportCSV(ctx, w.architect, "processes", strings.NewReader(csv), false)
		text := ""
		for _, f := range engage.ErrorFields(err) {
			text += f.Field + ": " + f.Message + "\n"
		}
		if !strings.Contains(text, "line 3: external_customers") {
			t.Fatalf("bad csv = %v\n%s", err, text)
		}
		csv = strings.Replace(csv, "maybe", "false", 1)
		_, err = w.s.ImportCSV(ctx, w.architect, "processes", strings.NewReader(csv), false)
		text = ""
		for _, f := range engage.ErrorFields(err) {
			text += f.Field + ": " + f.Message + "\n"
		}
		if !strings.Contains(text, "line 3 (process new-two): parent") {
			t.Fatalf("bad csv = %v\n%s", err, text)
		}
		csv = strings.Replace(csv, "nowhere", "quote", 1)
		_, err = w.s.ImportCSV(ctx, w.architect, "processes", strings.NewReader(csv), false)
		if fe := engage.ErrorFields(err); len(fe) != 1 || !strings.HasPrefix(fe[0].Field, "line 2 (process new-one): applications") {
			t.Fatalf("bad weight = %v", err)
		}
		if m, _ := w.s.ProcessMap(ctx, w.reader); len(m.Entries) != 3 {
			t.Fatalf("a refused file wrote: %d entries", len(m.Entries))
		}
		csv = strings.Replace(csv, "150", "15", 1)
		plan, err := w.s.ImportCSV(ctx, w.architect, "processes", strings.NewReader(csv), true)
		if err != nil || plan.Created != 3 || !plan.DryRun {
			t.Fatalf("dry run = %v\n%s", err, plan)
		}
		if _, err := w.s.ImportCSV(ctx, w.architect, "processes", strings.NewReader("ref,colour\n"), false); !strings.Contains(engage.ErrorFields(err)[0].Message, "colour") {
			t.Fatalf("unknown column = %v", err)
		}
	})
}

package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// cfDocExample is the example catalog file of docs/catalog-file.md.
func cfDocExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/catalog-file.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("docs/catalog-file.md has no yaml example")
	}
	return string(m[1])
}

func cfParse(t *testing.T, src string) File {
	t.Helper()
	f, err := ParseFile("catalog.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatalf("parsing:\n%v", err)
	}
	return f
}

// cfErrorLines returns the "file:line: field: message" lines of err, cut
// after the field so that tests do not depend on every word of a message.
func cfErrorLines(err error) []string {
	var fe FileErrors
	if !errors.As(err, &fe) {
		return []string{"not FileErrors: " + fmt.Sprint(err)}
	}
	out := make([]string, len(fe))
	for i, e := range fe {
		out[i] = fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Field)
	}
	return out
}

func TestParseFileErrors(t *testing.T) {
	src := `apiVersion: engage/v1
kind: Catalog
services:
  - slug: team-chat
    name: Team chat
    colour: blue
    kind: business
    family: collaboration
    sourcing: built
    lifecycle: alive
    delivery_model: cloud
    data_ceiling: internal
    arch_status: standard
    audience: all
    offerings:
      - slug: team-chat-standard
        name: Standard
        lifecycle: live
        lead_time_days: soon
        prices:
          - from: 2026-01-01
            currency: EUR
            unit: per-seat
            unit_price: six
          - from: 2026-02-01
            to: 2026-05-01
            currency: EUR
            unit: person-month
            unit_price: "6.50"
          - from: 2026-04-01
            currency: EUR
            unit: person-month
            unit_price: "7.00"
      - slug: team-chat-rooms
        name: Meeting rooms
        lifecycle: live
        prices:
          - from: 2026-01-01
            currency: EUR
            unit: unit-month
            tier_mode: graduated
            tiers: [{unit_price: "5.00"}, {up_to: 100, unit_price: "4.00"}]
  - slug: team-chat
    name: Again
    kind: business
    kind: technical
`
	_, err := ParseFile("catalog.yaml", strings.NewReader(src))
	want := []string{
		"catalog.yaml:6: services[0].colour",
		"catalog.yaml:10: services[0].lifecycle",
		"catalog.yaml:19: services[0].offerings[0].lead_time_days",
		"catalog.yaml:23: services[0].offerings[0].prices[0].unit",
		"catalog.yaml:24: services[0].offerings[0].prices[0].unit_price",
		"catalog.yaml:30: services[0].offerings[0].prices[2].from",
		"catalog.yaml:42: services[0].offerings[1].prices[0].tiers[0].up_to",
		"catalog.yaml:42: services[0].offerings[1].prices[0].tiers[1].up_to",
		"catalog.yaml:43: services[1].family",
		"catalog.yaml:43: services[1].sourcing",
		"catalog.yaml:43: services[1].lifecycle",
		"catalog.yaml:43: services[1].delivery_model",
		"catalog.yaml:43: services[1].data_ceiling",
		"catalog.yaml:43: services[1].arch_status",
		"catalog.yaml:43: services[1].audience",
		"catalog.yaml:43: services[1].slug",
		"catalog.yaml:46: services[1].kind",
	}
	if got := cfErrorLines(err); !slices.Equal(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s\nfull:\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"), err)
	}
	msg := err.Error()
	for _, s := range []string{
		`catalog.yaml:6: services[0].colour: unknown field "colour" in a service`,
		`catalog.yaml:23: services[0].offerings[0].prices[0].unit: unknown unit "per-seat"; choose one of person-month, unit-month`,
		`catalog.yaml:24: services[0].offerings[0].prices[0].unit_price: "six" is not a decimal number`,
		`catalog.yaml:30: services[0].offerings[0].prices[2].from: The plan effective 2026-04-01 onwards overlaps the price from 2026-02-01`,
		`catalog.yaml:42: services[0].offerings[1].prices[0].tiers[0].up_to: Enter where tier 1 ends`,
		`catalog.yaml:46: services[1].kind: kind is given twice (first on line 45)`,
		`catalog.yaml:43: services[1].slug: the service "team-chat" is already described at services[0]`,
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("errors lack %q:\n%s", s, msg)
		}
	}
	if engage.ErrorCode(err) != engage.EINVALID || len(engage.ErrorFields(err)) != len(want) {
		t.Errorf("as an engage error: code %q, %d fields", engage.ErrorCode(err), len(engage.ErrorFields(err)))
	}

	for _, c := range []struct{ src, want string }{
		{"", "catalog.yaml:1: the file is empty"},
		{"apiVersion: engage/v1\nkind: Catalog\nservices:\n  - slug: : x\n", "catalog.yaml:4: mapping values are not allowed"},
		{"apiVersion: engage/v2\nkind: Catalog\n", "catalog.yaml:1: apiVersion: unknown apiVersion \"engage/v2\""},
		{"kind: Catalog\nservices: {}\n", "catalog.yaml:1: apiVersion: missing"},
		{"apiVersion: engage/v1\nkind: Catalog\nservices: {}\n", "catalog.yaml:3: services: expected a list"},
	} {
		_, err := ParseFile("catalog.yaml", strings.NewReader(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseFile(%q) = %v; want %q", c.src, err, c.want)
		}
	}
}

// cfFixture is a catalog with an organisation to point at.
type cfFixture struct {
	cat          *Catalog
	d            *db.DB
	clock        *engage.FixedClock
	admin        *access.Principal
	owner, other *access.Principal // service owners
}

func cfSetup(t *testing.T, d *db.DB) cfFixture {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	clock := engage.NewFixedClock(time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	for _, code := range []string{"BIO", "CHEM"} {
		if _, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: code, Name: code + " department"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "LON", Name: "London", Country: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	person := func(email string) *access.Principal {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: email, Name: email, Active: true, Roles: []access.Role{access.ServiceOwner}})
		if err != nil {
			t.Fatal(err)
		}
		pr, err := o.Principal(ctx, p.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	f := cfFixture{cat: &Catalog{DB: d, Clock: clock, Org: o}, d: d, clock: clock, admin: sys}
	f.owner, f.other = person("owner@example.com"), person("other@example.com")
	return f
}

func (f cfFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// state is a fingerprint of everything apply may write.
func (f cfFixture) state(t *testing.T) string {
	t.Helper()
	gen, err := generation(context.Background(), f.d)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("services=%d offerings=%d plans=%d events=%d generation=%d", f.count(t, "services"), f.count(t, "offerings"),
		f.count(t, "rate_plans"), f.count(t, "audit_events WHERE entity_type IN ('service', 'offering', 'rate_plan')"), gen)
}

func (f cfFixture) apply(t *testing.T, p *access.Principal, src string, dryRun bool) (Plan, error) {
	t.Helper()
	return f.cat.Apply(context.Background(), p, cfParse(t, src), dryRun)
}

func (f cfFixture) offering(t *testing.T, slug string) Offering {
	t.Helper()
	o, err := findOffering(context.Background(), f.d, "o.slug = ?", slug)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestApplyCreatesOnceAndDryRunWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		ctx := context.Background()
		src := cfDocExample(t)
		empty := f.state(t)

		plan, err := f.apply(t, f.admin, src, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.state(t); got != empty {
			t.Fatalf("dry run wrote: %s, was %s", got, empty)
		}
		if plan.Count("service", ActionCreate) != 2 || plan.Count("offering", ActionCreate) != 2 || plan.Count("price", ActionCreate) != 3 || !plan.DryRun {
			t.Fatalf("dry-run plan:\n%s", plan)
		}

		plan, err = f.apply(t, f.admin, src, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			"+ service team-chat\n",
			"+ offering team-chat-standard\n",
			"+ price team-chat-standard from 2025-11-01: EUR 6.50 per person-month, until 2026-05-31\n",
			"+ price team-chat-standard from 2026-06-01: EUR graduated tiers per person-month (up to 100 at 6.00, then 5.00)\n",
			"+ price lab-compute-vcpu from 2026-01-01: EUR 0.045 per unit-hour, minimum 50.00 a month, until 2026-12-31\n",
			"services: 2 new, 0 changed, 0 unchanged; offerings: 2 new, 0 changed, 0 unchanged; prices: 3 new, 0 changed, 0 unchanged; meters: 1 new, 0 changed, 0 unchanged.\n",
		} {
			if !strings.Contains(plan.String(), line) {
				t.Errorf("plan lacks %q:\n%s", line, plan)
			}
		}
		// One audit event per change, the generation bumped once.
		if got, want := f.state(t), "services=2 offerings=2 plans=3 events=8 generation=1"; got != want {
			t.Fatalf("after apply: %s; want %s", got, want)
		}
		chat, err := findService(ctx, d, "s.slug = ?", "team-chat")
		if err != nil {
			t.Fatal(err)
		}
		if chat.OwnerID != f.owner.PersonID || chat.Vendor != "Microsoft" || !strings.HasPrefix(chat.Description, "Persistent chat") ||
			!slices.Equal(chat.Tags, []string{"chat", "meetings"}) || chat.SLA.LeadTimeDays != 1 {
			t.Fatalf("team-chat = %+v", chat)
		}
		lab, err := findService(ctx, d, "s.slug = ?", "lab-compute")
		if err != nil {
			t.Fatal(err)
		}
		if lab.AudienceAll || len(lab.Audience) != 3 || lab.OwnerID != 0 {
			t.Fatalf("lab-compute audience = %+v, owner %d", lab.Audience, lab.OwnerID)
		}
		std := f.offering(t, "team-chat-standard")
		if len(std.Plans) != 2 || std.Plans[0].EffectiveTo == nil || std.Plans[0].EffectiveTo.String() != "2026-06-01" ||
			!std.Plans[0].UnitPrice.Equal(cfDec("6.5")) || len(std.Plans[1].Tiers) != 2 {
			t.Fatalf("team-chat-standard plans = %+v", std.Plans)
		}

		// The same file again: nothing to do, nothing written.
		before := f.state(t)
		plan, err = f.apply(t, f.admin, src, false)
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Empty() || plan.Count("price", ActionUnchanged) != 3 || !strings.HasPrefix(plan.String(), "Nothing to do") {
			t.Fatalf("second apply:\n%s", plan)
		}
		if got := f.state(t); got != before {
			t.Fatalf("second apply wrote: %s, was %s", got, before)
		}
	})
}

func TestApplyFileErrorsWriteNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		src := strings.Replace(cfDocExample(t), "owner: owner@example.com", "owner: nobody@example.com", 1)
		src = strings.Replace(src, "[BIO, CHEM]", "[BIO, PHYS]", 1)
		src = strings.Replace(src, "    vendor: Microsoft\n", "", 1)
		before := f.state(t)
		_, err := f.apply(t, f.admin, src, false)
		want := []string{
			"catalog.yaml:4: services[0].vendor",
			"catalog.yaml:13: services[0].owner",
			"catalog.yaml:50: services[1].audience.departments[1]",
		}
		if got := cfErrorLines(err); !slices.Equal(got, want) {
			t.Fatalf("errors:\n%s\nwant:\n%s\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"), err)
		}
		for _, s := range []string{`no person has the e-mail address "nobody@example.com"`, `no department has the code "PHYS"`} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("errors lack %q:\n%v", s, err)
			}
		}
		if got := f.state(t); got != before {
			t.Fatalf("a file with errors wrote: %s, was %s", got, before)
		}
	})
}

const cfPricedService = `apiVersion: engage/v1
kind: Catalog
services:
  - slug: backup
    name: Backup
    kind: technical
    family: storage
    owner: %s
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
        lead_time_days: %d
        prices:
%s`

func cfPrice(from, amount string) string {
	return fmt.Sprintf("          - {from: %s, currency: EUR, unit: unit-month, unit_price: %q}\n", from, amount)
}

func TestApplyPriceChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		file := func(lead int, prices ...string) string {
			return fmt.Sprintf(cfPricedService, "owner@example.com", lead, strings.Join(prices, ""))
		}
		if _, err := f.apply(t, f.admin, file(1, cfPrice("2026-01-01", "0.10")), false); err != nil {
			t.Fatal(err)
		}
		first := f.offering(t, "backup-gb").Plans[0]

		// Changing the price that started in January is refused, with the
		// harmless lead-time change in the same file: nothing is written.
		before := f.state(t)
		_, err := f.apply(t, f.admin, file(2, cfPrice("2026-01-01", "0.12")), false)
		if got := cfErrorLines(err); !slices.Equal(got, []string{"catalog.yaml:21: services[0].offerings[0].prices[0].from"}) ||
			!strings.Contains(err.Error(), "prices already charged never change — add a new price from a later date") {
			t.Fatalf("changing a started price = %v", err)
		}
		if got := f.state(t); got != before || f.offering(t, "backup-gb").LeadTimeDays != 1 {
			t.Fatalf("refused apply wrote: %s, was %s", got, before)
		}
		// Nor may a new price start before today, since it would end the
		// current one on a day already charged.
		_, err = f.apply(t, f.admin, file(1, cfPrice("2026-01-01", "0.10"), cfPrice("2026-03-01", "0.12")), false)
		if got := cfErrorLines(err); !slices.Equal(got, []string{"catalog.yaml:22: services[0].offerings[0].prices[1].from"}) {
			t.Fatalf("back-dated price change = %v", err)
		}

		// A price from next month closes the current one.
		plan, err := f.apply(t, f.admin, file(2, cfPrice("2026-01-01", "0.10"), cfPrice("2026-04-01", "0.12")), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			"~ offering backup-gb: lead_time_days 1 → 2\n",
			"~ price backup-gb from 2026-01-01: to (open) → 2026-04-01\n",
			"+ price backup-gb from 2026-04-01: EUR 0.12 per unit-month\n",
		} {
			if !strings.Contains(plan.String(), line) {
				t.Errorf("plan lacks %q:\n%s", line, plan)
			}
		}
		plans := f.offering(t, "backup-gb").Plans
		if len(plans) != 2 || plans[0].ID != first.ID || plans[0].EffectiveTo == nil || plans[0].EffectiveTo.String() != "2026-04-01" ||
			plans[1].EffectiveTo != nil || !plans[1].UnitPrice.Equal(cfDec("0.12")) {
			t.Fatalf("plans after a price change = %+v", plans)
		}

		// The future price may still change; it keeps its id.
		future := plans[1]
		plan, err = f.apply(t, f.admin, file(2, cfPrice("2026-01-01", "0.10"), cfPrice("2026-04-01", "0.11")), false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan.String(), "~ price backup-gb from 2026-04-01: unit_price 0.12 → 0.11\n") || plan.Count("price", ActionUnchanged) != 1 {
			t.Fatalf("changing a future price:\n%s", plan)
		}
		plans = f.offering(t, "backup-gb").Plans
		if plans[1].ID != future.ID || !plans[1].UnitPrice.Equal(cfDec("0.11")) {
			t.Fatalf("future plan after change = %+v", plans[1])
		}
		// Leaving the old price out of the file leaves it alone.
		plan, err = f.apply(t, f.admin, file(2, cfPrice("2026-04-01", "0.11")), false)
		if err != nil || !plan.Empty() {
			t.Fatalf("file without the old price = %v\n%s", err, plan)
		}
	})
}

// TestApplyRefusesPricesOutOfRange: a price beyond the range or precision
// of its field, or in a currency the organisation does not use, is an error
// at its line and nothing is written.
func TestApplyRefusesPricesOutOfRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		file := func(price string) string {
			return fmt.Sprintf(cfPricedService, "owner@example.com", 1, price)
		}
		for _, c := range []struct{ price, field, want string }{
			{cfPrice("2026-04-01", "1e400"), "prices[0].unit_price", "10^12"},
			{cfPrice("2026-04-01", "0.00000000001"), "prices[0].unit_price", "10 decimal places"},
			{"          - {from: 2026-04-01, currency: EUR, unit: unit-month, unit_price: 1, minimum: 1e400}\n", "prices[0].minimum", "10^15"},
			{"          - {from: 2026-04-01, currency: ZZZ, unit: unit-month, unit_price: 1}\n", "prices[0].currency", "ISO 4217"},
			{"          - {from: 2026-04-01, currency: SEK, unit: unit-month, unit_price: 1}\n", "prices[0].currency", "not one of the currencies"},
		} {
			before := f.state(t)
			var err error
			if _, err = ParseFile("catalog.yaml", strings.NewReader(file(c.price))); err == nil {
				_, err = f.apply(t, f.admin, file(c.price), false)
			}
			want := "catalog.yaml:21: services[0].offerings[0]." + c.field
			if got := cfErrorLines(err); !slices.Equal(got, []string{want}) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s= %v; want %s saying %q", c.price, err, want, c.want)
			}
			if got := f.state(t); got != before {
				t.Fatalf("a refused file wrote: %s, was %s", got, before)
			}
		}
	})
}

func TestApplyServiceOwners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		ownedBy := func(email string, lead int) string {
			return fmt.Sprintf(cfPricedService, email, lead, cfPrice("2026-01-01", "0.10"))
		}
		if _, err := f.apply(t, f.admin, ownedBy("owner@example.com", 1), false); err != nil {
			t.Fatal(err)
		}
		// Another service owner may not change it, and the file is refused whole.
		before := f.state(t)
		_, err := f.apply(t, f.other, ownedBy("owner@example.com", 3), false)
		if got := cfErrorLines(err); !slices.Equal(got, []string{"catalog.yaml:4: services[0]"}) || engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("someone else's service = %v (%s)", err, engage.ErrorCode(err))
		}
		if got := f.state(t); got != before {
			t.Fatalf("refused apply wrote: %s, was %s", got, before)
		}
		// Mentioning it unchanged is fine; the owner changes it.
		if plan, err := f.apply(t, f.other, ownedBy("owner@example.com", 1), false); err != nil || !plan.Empty() {
			t.Fatalf("unchanged service by another owner = %v\n%s", err, plan)
		}
		if _, err := f.apply(t, f.owner, ownedBy("owner@example.com", 3), false); err != nil {
			t.Fatal(err)
		}
		// A new service made by a service owner without naming an owner is theirs.
		src := strings.NewReplacer("slug: backup\n", "slug: archive\n", "backup-gb", "archive-gb", "    owner: other@example.com\n", "").
			Replace(ownedBy("other@example.com", 1))
		plan, err := f.apply(t, f.other, src, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan.String(), "Not in the file, left alone (to retire one, set lifecycle: retired): service backup.\n") {
			t.Fatalf("plan does not say what it left alone:\n%s", plan)
		}
		archive, err := findService(context.Background(), d, "s.slug = ?", "archive")
		if err != nil || archive.OwnerID != f.other.PersonID {
			t.Fatalf("archive = %+v, %v", archive, err)
		}
		if plan, err := f.apply(t, f.other, src, false); err != nil || !plan.Empty() {
			t.Fatalf("again = %v\n%s", err, plan)
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		ctx := context.Background()
		if _, err := f.apply(t, f.admin, cfDocExample(t), false); err != nil {
			t.Fatal(err)
		}
		// A service made on the web, with text that needs quoting.
		svc, err := f.cat.CreateService(ctx, f.admin, ServiceInput{Name: "Yes: 2025", Summary: "123", Description: "  indented\r\ntrailing  \n\n",
			Kind: "application", Family: "data", Sourcing: "brokered", Vendor: "true", Lifecycle: "planned", DeliveryModel: "legacy",
			DataCeiling: "public", ArchStatus: "sunset", SLA: SLA{Availability: "99.95", SupportHours: "Mon-Fri 08:00-18:00"},
			Audience: []AudienceRef{{Kind: "location", ID: 1}}, Tags: []string{"b", "a"},
			Links: []Link{{Title: "Docs: #1", URL: "https://example.com/a?b=c#d"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.cat.CreateOffering(ctx, f.admin, svc.ID, OfferingInput{Name: "Setup", Lifecycle: "planned", Position: 2},
			[]RatePlan{{Currency: "JPY", Unit: "one-time", OneTime: cfDec("120000"), EffectiveFrom: DateOf(f.clock.Now())}}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := f.cat.Export(ctx, f.admin, &out); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			"  - slug: lab-compute\n", "    audience: {departments: [BIO, CHEM], locations: [LON]}\n",
			"            unit_price: \"0.045\"\n", "            to: 2027-01-01\n", "            one_time: \"120000\"\n",
			"            tiers: [{up_to: \"100\", unit_price: \"6.00\"}, {unit_price: \"5.00\"}]\n",
			"    description: |\n      Persistent chat, video meetings and phone calls.\n\n      Guests",
		} {
			if !strings.Contains(out.String(), s) {
				t.Errorf("export lacks %q:\n%s", s, out.String())
			}
		}
		if i, j := strings.Index(out.String(), "slug: lab-compute\n"), strings.Index(out.String(), "slug: team-chat\n"); i < 0 || j < i {
			t.Errorf("services are not in slug order:\n%s", out.String())
		}
		var again bytes.Buffer
		if err := f.cat.Export(ctx, f.admin, &again); err != nil || again.String() != out.String() {
			t.Fatalf("a second export differs (%v)", err)
		}
		parsed, err := ParseFile("export.yaml", &out)
		if err != nil {
			t.Fatalf("parsing the export: %v\n%s", err, again.String())
		}
		before := f.state(t)
		plan, err := f.cat.Apply(ctx, f.admin, parsed, false)
		if err != nil || !plan.Empty() || plan.Count("service", ActionUnchanged) != 3 || plan.Count("price", ActionUnchanged) != 4 {
			t.Fatalf("applying the export = %v\n%s\n%s", err, plan, again.String())
		}
		if got := f.state(t); got != before {
			t.Fatalf("applying the export wrote: %s, was %s", got, before)
		}
	})
}

func TestFileSchema(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(FileSchema, &schema); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("$schema = %v", schema["$schema"])
	}
	// The schema's enumerations are the package's.
	defs := schema["$defs"].(map[string]any)
	props := func(def string) map[string]any {
		return defs[def].(map[string]any)["properties"].(map[string]any)
	}
	enum := func(v any) []string {
		var out []string
		m := v.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			m = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		for _, e := range m["enum"].([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	for _, c := range []struct {
		def, prop string
		choices   []Choice
	}{{"service", "kind", Kinds}, {"service", "family", Families}, {"service", "sourcing", Sourcings}, {"service", "lifecycle", Lifecycles},
		{"service", "delivery_model", DeliveryModels}, {"service", "data_ceiling", DataClasses}, {"service", "arch_status", ArchStatuses},
		{"offering", "lifecycle", Lifecycles}, {"price", "unit", Units}, {"price", "tier_mode", TierModes}, {"meter", "aggregation", Aggregations}} {
		if got, want := enum(props(c.def)[c.prop]), strings.Split(values(c.choices), ", "); !slices.Equal(got, want) {
			t.Errorf("schema %s.%s = %v; want %v", c.def, c.prop, got, want)
		}
	}
	// The keys the parser knows are the schema's.
	for _, c := range []struct {
		def  string
		keys []string
	}{{"service", serviceKeys}, {"offering", offeringKeys}, {"price", priceKeys}} {
		var got []string
		for k := range props(c.def) {
			got = append(got, k)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.keys))
		if !slices.Equal(got, want) {
			t.Errorf("schema %s keys = %v; parser's = %v", c.def, got, want)
		}
	}

	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(cfDocExample(t)), &doc); err != nil {
		t.Fatal(err)
	}
	v := schemaChecker{defs: defs}
	v.check(schema, doc.Content[0], "")
	if len(v.errs) > 0 {
		t.Fatalf("the documented example does not match the schema:\n%s", strings.Join(v.errs, "\n"))
	}
	// The checker itself catches what it should.
	if err := yaml.Unmarshal([]byte("apiVersion: engage/v1\nkind: Catalog\nservices:\n  - {slug: x, name: X, colour: red, kind: nope}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	v = schemaChecker{defs: defs}
	v.check(schema, doc.Content[0], "")
	joined := strings.Join(v.errs, "\n")
	for _, s := range []string{"services[0].colour: not in the schema", "services[0].kind: not one of", "services[0]: missing family"} {
		if !strings.Contains(joined, s) {
			t.Errorf("checker missed %q:\n%s", s, joined)
		}
	}
}

// schemaChecker checks a YAML document against the parts of JSON Schema
// the catalog schema uses: $ref, type, const, enum, pattern, properties,
// additionalProperties false, required, items and oneOf.
type schemaChecker struct {
	defs map[string]any
	errs []string
}

func (c *schemaChecker) check(s map[string]any, n *yaml.Node, path string) {
	c.errs = append(c.errs, c.problems(s, n, path)...)
}

func (c *schemaChecker) problems(s map[string]any, n *yaml.Node, path string) []string {
	var out []string
	if ref, ok := s["$ref"].(string); ok {
		out = append(out, c.problems(c.defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), n, path)...)
	}
	if alts, ok := s["oneOf"].([]any); ok {
		matched := 0
		for _, alt := range alts {
			if len(c.problems(alt.(map[string]any), n, path)) == 0 {
				matched++
			}
		}
		if matched != 1 {
			out = append(out, fmt.Sprintf("%s: matches %d of the oneOf alternatives", path, matched))
		}
	}
	if t, ok := s["type"]; ok {
		types := []string{}
		if list, ok := t.([]any); ok {
			for _, x := range list {
				types = append(types, x.(string))
			}
		} else {
			types = append(types, t.(string))
		}
		if kind := jsonType(n); !slices.Contains(types, kind) && !(kind == "integer" && slices.Contains(types, "number")) {
			return append(out, fmt.Sprintf("%s: %s, not %v", path, kind, types))
		}
	}
	if v, ok := s["const"]; ok && (n.Kind != yaml.ScalarNode || n.Value != v) {
		out = append(out, fmt.Sprintf("%s: not %v", path, v))
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return n.Kind == yaml.ScalarNode && x == n.Value }) {
		out = append(out, fmt.Sprintf("%s: not one of %v", path, e))
	}
	if p, ok := s["pattern"].(string); ok && n.Kind == yaml.ScalarNode && jsonType(n) == "string" && !regexp.MustCompile(p).MatchString(n.Value) {
		out = append(out, fmt.Sprintf("%s: %q does not match %s", path, n.Value, p))
	}
	if n.Kind == yaml.MappingNode {
		props, _ := s["properties"].(map[string]any)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			seen[key] = true
			sub := path + "." + key
			if path == "" {
				sub = key
			}
			if ps, ok := props[key].(map[string]any); ok {
				out = append(out, c.problems(ps, n.Content[i+1], sub)...)
			} else if s["additionalProperties"] == false {
				out = append(out, sub+": not in the schema")
			}
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if !seen[r.(string)] {
					out = append(out, fmt.Sprintf("%s: missing %s", path, r))
				}
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok && n.Kind == yaml.SequenceNode {
		for i, item := range n.Content {
			out = append(out, c.problems(items, item, path+"["+strconv.Itoa(i)+"]")...)
		}
	}
	return out
}

func jsonType(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "array"
	}
	switch n.Tag {
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	}
	return "string" // !!str and !!timestamp, which JSON writes as a string
}

func cfDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestParseFileRefusesBadText: a NUL written as "\0" is refused at its
// line (bytes that are not UTF-8 are refused by the YAML reader itself).
func TestParseFileRefusesBadText(t *testing.T) {
	for name, src := range map[string]string{
		"NUL":     "apiVersion: engage/v1\nkind: Catalog\nservices:\n  - slug: chat\n    name: \"Team\\0chat\"\n",
		"latin-1": "apiVersion: engage/v1\nkind: Catalog\nservices:\n  - slug: chat\n    name: Caf\xe9\n",
	} {
		_, err := ParseFile("catalog.yaml", strings.NewReader(src))
		if err == nil || (name == "NUL" && !strings.Contains(err.Error(), "catalog.yaml:5")) {
			t.Errorf("%s: %v; want it refused at line 5", name, err)
		}
	}
}

package catalog

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// meterFile is the doc example with the vCPU offering's meters replaced.
func meterFile(t *testing.T, meters string) string {
	t.Helper()
	src := cfDocExample(t)
	i := strings.Index(src, "        meters:\n")
	if i < 0 {
		t.Fatal("the doc example has no meters")
	}
	return src[:i] + meters
}

func TestParseFileMeterErrors(t *testing.T) {
	src := meterFile(t, `        meters:
          - event_type: a
            value: $.x
            unit: unit-hour
            aggregation: count
          - event_type: a
            unit: unit-hour
            aggregation: sum
          - event_type: b c
            value: x.y
            unit: person-month
            aggregation: max
          - event_type: d
            value: $.y
            unit: unit-hour
            aggregation: median
`)
	_, err := ParseFile("catalog.yaml", strings.NewReader(src))
	got := cfErrorLines(err)
	m := "services[1].offerings[0].meters"
	want := []string{
		"catalog.yaml:66: " + m + "[0].value",      // count takes no value
		"catalog.yaml:69: " + m + "[1].value",      // sum needs one
		"catalog.yaml:69: " + m + "[1].event_type", // a again
		"catalog.yaml:72: " + m + "[2].event_type", // a space
		"catalog.yaml:73: " + m + "[2].value",      // not starting with $
		"catalog.yaml:74: " + m + "[2].unit",       // not metered
		"catalog.yaml:79: " + m + "[3].aggregation",
		"catalog.yaml:64: " + m, // max mixed with sum and count
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"), err)
	}
}

func TestPathRead(t *testing.T) {
	data := json.RawMessage(`{"usage": {"hours": 1.5, "list": [3, "4.25"], "odd key": 7, "flag": true, "text": "x"}}`)
	for path, want := range map[string]string{"$.usage.hours": "1.5", "$.usage.list[0]": "3", "$['usage'].list[1]": "4.25", "$.usage['odd key']": "7"} {
		p, err := ParsePath(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d, err := p.Read(data); err != nil || d.String() != want {
			t.Errorf("%s = %v, %v; want %s", path, d, err, want)
		}
	}
	for _, path := range []string{"$.usage.flag", "$.usage.text", "$.usage.none", "$.usage.list[2]", "$.usage.hours.x"} {
		p, err := ParsePath(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d, err := p.Read(data); err == nil {
			t.Errorf("%s = %v; want an error", path, d)
		}
	}
	for _, path := range []string{"", "$", "usage", "$.", "$..a", "$[x]", "$['a'", "$.a[*]", "$[-1]"} {
		if _, err := ParsePath(path); err == nil {
			t.Errorf("%q parsed", path)
		}
	}
}

func TestApplyMeters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := cfSetup(t, d)
		ctx := context.Background()
		plan, err := f.apply(t, f.admin, cfDocExample(t), true)
		if err != nil || plan.Count("meter", ActionCreate) != 1 || !strings.Contains(plan.String(), "+ meter lab-compute-vcpu: org.example.lab.vcpu-hours → sum of $.vcpu_hours in unit-hour") {
			t.Fatalf("dry run = %v\n%s", err, plan)
		}
		if _, ok, _ := f.cat.MeterOf(ctx, "org.example.lab.vcpu-hours"); ok {
			t.Fatal("the dry run stored the meter")
		}
		if _, err := f.apply(t, f.admin, cfDocExample(t), false); err != nil {
			t.Fatal(err)
		}
		m, ok, err := f.cat.MeterOf(ctx, "org.example.lab.vcpu-hours")
		if err != nil || !ok || m.OfferingID != f.offering(t, "lab-compute-vcpu").ID || m.Value != "$.vcpu_hours" || m.Aggregation != "sum" {
			t.Fatalf("meter = %+v %v %v", m, ok, err)
		}
		plan, err = f.apply(t, f.admin, cfDocExample(t), false)
		if err != nil || !plan.Empty() || plan.Count("meter", ActionUnchanged) != 1 {
			t.Fatalf("again = %v\n%s", err, plan)
		}

		// Changed to max; a second meter counting events would mix.
		plan, err = f.apply(t, f.admin, meterFile(t, `        meters:
          - event_type: org.example.lab.vcpu-hours
            value: $.peak
            unit: unit-hour
            aggregation: max
`), false)
		if err != nil || plan.Count("meter", ActionUpdate) != 1 {
			t.Fatalf("max = %v\n%s", err, plan)
		}
		if maxed, _ := f.cat.Maxed(ctx, m.OfferingID); !maxed {
			t.Fatal("the offering is not maxed")
		}

		// A unit the offering has no price in; an event type the team-chat
		// file leaves to lab-compute (not written in this file).
		before := f.state(t)
		_, err = f.apply(t, f.admin, meterFile(t, `        meters:
          - event_type: org.example.lab.requests
            unit: request
            aggregation: count
`), false)
		if got := cfErrorLines(err); !slices.Equal(got, []string{"catalog.yaml:66: services[1].offerings[0].meters[0].unit"}) {
			t.Fatalf("unit: %v", got)
		}
		src := cfDocExample(t)
		chat := src[:strings.Index(src, "  - slug: lab-compute\n")] + `        meters:
          - event_type: org.example.lab.vcpu-hours
            unit: unit-hour
            aggregation: count
`
		_, err = f.cat.Apply(ctx, f.admin, cfParse(t, chat), false)
		if got := strings.Join(cfErrorLines(err), "\n"); !strings.Contains(got, "meters[0].event_type") || !strings.Contains(got, "meters[0].unit") {
			t.Fatalf("taken type: %v", err)
		}
		if f.state(t) != before {
			t.Fatal("a refused file wrote")
		}

		// Written without meters: none left.
		plan, err = f.apply(t, f.admin, meterFile(t, ""), false)
		if err != nil || plan.Count("meter", ActionUpdate) != 1 {
			t.Fatalf("removed = %v\n%s", err, plan)
		}
		if _, ok, _ := f.cat.MeterOf(ctx, "org.example.lab.vcpu-hours"); ok {
			t.Fatal("the meter is still there")
		}
	})
}

var pathSamples = []string{
	`{"usage": {"hours": 1.5, "list": [3, "4.25"], "odd key": 7, "flag": true, "text": "x"}}`,
	`{"core_hours":1}`, ` {"core_hours" : "2.50" } `, `{"core_hours":1,"core_hours":2}`, `{"core_hours":-0.5e1}`,
	`{"core_hours":null}`, `{"core_hours":"a\"b"}`, `{"core_hours":""}`, `{"core_hours":01}`, `{"Core_Hours":1}`,
	`{"core_hours":1} x`, `{"core_hours":1`, `[1]`, `{"usage":{"hours":{"deep":[1,{"a":null}]}}}`, `{"x":"\xff"}`, ``,
}

// TestPathReadPlainMatchesDecoded: what the plain reader reads, encoding/json
// reads the same; what it cannot, Read leaves to encoding/json.
func TestPathReadPlainMatchesDecoded(t *testing.T) {
	for _, data := range pathSamples {
		checkPathRead(t, []byte(data))
	}
}

func checkPathRead(t *testing.T, data []byte) {
	t.Helper()
	for _, path := range []string{"$.core_hours", "$.usage.hours", "$.usage['odd key']", "$.usage.list[1]", "$.usage.text"} {
		p, err := ParsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		plain, ok := p.readPlain(data)
		want, werr := p.readDecoded(data)
		if ok && (werr != nil || !plain.Equal(want)) {
			t.Fatalf("%s in %q: plainly %s; decoded %s, %v", path, data, plain, want, werr)
		}
		if got, err := p.Read(data); (err == nil) != (werr == nil) || !got.Equal(want) {
			t.Fatalf("%s in %q: Read %s, %v; decoded %s, %v", path, data, got, err, want, werr)
		}
	}
}

func FuzzPathRead(f *testing.F) {
	for _, s := range pathSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkPathRead(t, b) })
}

// BenchmarkPathRead: a meter's value read plainly, and by encoding/json.
func BenchmarkPathRead(b *testing.B) {
	data := []byte(`{"core_hours":1,"job":"j-7","node":{"name":"n-1","cores":64}}`)
	p, err := ParsePath("$.core_hours")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Read(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.readDecoded(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

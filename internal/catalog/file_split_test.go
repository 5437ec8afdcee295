package catalog

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestParseFileSplitReadsWhatWholeReads reads files both ways — one
// service at a time, and from the whole node tree — and requires the same
// services, the same field lines and the same errors, for files that can
// be split and files that must be read whole.
func TestParseFileSplitReadsWhatWholeReads(t *testing.T) {
	demoFile, err := os.ReadFile("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	service := func(slug, extra string) string {
		return fmt.Sprintf(`- slug: %s
  name: Service %s
  description: |
    Lines of a block scalar
    - that look like items
    services:
  kind: business
  family: collaboration
  sourcing: built
  lifecycle: live
  delivery_model: cloud
  data_ceiling: internal
  arch_status: standard
  audience: all
%s`, slug, slug, extra)
	}
	offering := `  offerings:
  - slug: %s-std
    name: Standard
    lifecycle: live
    prices:
    - from: 2026-01-01
      currency: EUR
      unit: person-month
      unit_price: "6.50"
`
	header := "# a comment\napiVersion: engage/v1\nkind: Catalog\n"
	cases := []struct {
		name  string
		src   string
		split bool // whether the file is read one service at a time
	}{
		{"demo catalog", string(demoFile), true},
		{"services at column 0", header + "services:\n" + service("a", fmt.Sprintf(offering, "a")) + "\n# between\n" + service("b", fmt.Sprintf(offering, "b")), true},
		{"indented services", header + "services:\n" + indent(service("a", fmt.Sprintf(offering, "a")), "  ") + indent(service("b", ""), "  "), true},
		{"a key after the services", header + "services:\n" + service("a", "") + "colour: blue\n", true},
		{"a NUL in a service", header + "services:\n" + service("a", "  vendor: \"Acme\\0\"\n"), true},
		{"errors in a service", header + "services:\n" + service("a", "  colour: blue\n  kind: technical\n") + service("a", fmt.Sprintf(offering, "a")+"      unit: nope\n"), true},
		{"a syntax error in a service", header + "services:\n" + service("a", "") + "- slug: b\n   name: [unclosed\n", false},
		{"an anchor used across services", header + "services:\n" + service("a", "  tags: &t [x, y]\n") + service("b", "  tags: *t\n"), false},
		{"a flow list", header + "services: [{slug: a}]\n", false},
		{"services given twice", header + "services:\n" + service("a", "") + "services:\n" + service("b", ""), false},
		{"two documents", header + "services:\n" + service("a", "") + "---\napiVersion: engage/v1\n", false},
		{"no services", header, false},
		{"empty list", header + "services:\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			split, ok := splitServices(src)
			if ok {
				_, ok, _ = parseSplit("catalog.yaml", split)
			}
			if ok != c.split {
				t.Fatalf("read one service at a time: %v, want %v", ok, c.split)
			}
			got, gotErr := ParseFile("catalog.yaml", strings.NewReader(c.src))
			want, wantErr := parseWhole("catalog.yaml", src, nil)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("errors differ:\nsplit:\n%v\nwhole:\n%v", gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("the files read differ:\nsplit: %+v\nwhole: %+v", got.Services, want.Services)
			}
			if c.name == "demo catalog" && len(got.Services) < 20 {
				t.Fatalf("the demo catalog read as %d services", len(got.Services))
			}
		})
	}
}

func indent(s, by string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "")
}

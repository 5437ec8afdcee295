package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/engagehq/engage/internal/catalog"
)

var (
	departmentCodes = []string{"RND", "COM", "CORP", "DISC", "CLIN", "SALES", "MKT", "FIN", "HR", "IT", "BIO", "CHEM"}
	offeringNames   = []string{"Standard", "Large", "Small", "Premium", "External users", "Add-on", "Starter", "Enterprise"}
)

// catalogFile writes a catalog file of n services with per offerings each,
// priced from the first day of last year, about the same things the needs
// ask for. Slugs in taken (the demo catalog's) are left alone.
func catalogFile(seed uint64, n, per, year int, taken map[string]bool) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	var b bytes.Buffer
	b.Grow(n * (900 + 250*per))
	b.WriteString("# A synthetic catalog for the reuse benchmark.\napiVersion: engage/v1\nkind: Catalog\nservices:\n")
	used := map[string]bool{}
	for s := range taken {
		used[s] = true
	}
	from := strconv.Itoa(year-1) + "-01-01"
	for i := range n {
		t := &topics[r.IntN(len(topics))]
		subject := pick(r, t.subjects)
		var name string
		switch r.IntN(4) {
		case 0:
			name = pick(r, qualifier) + " " + strings.ToLower(subject[:1]) + subject[1:]
		case 1:
			name = subject + " " + pick(r, contexts)
		case 2:
			name = subject + " " + codeName(r)
		default:
			name = pick(r, qualifier) + " " + strings.ToLower(subject[:1]) + subject[1:] + " " + pick(r, contexts)
		}
		vendor := pick(r, t.vendors)
		slug := catalog.Slugify(name)
		if len(slug) > 48 {
			slug = strings.TrimRight(slug[:48], "-")
		}
		for base, k := slug, 2; used[slug]; k++ {
			slug = base + "-" + strconv.Itoa(k)
		}
		used[slug] = true
		summary := fmt.Sprintf("%s from %s for %s.", subject, vendor, pick(r, teams))
		desc := fmt.Sprintf("%s Use it for %s, %s and %s. It replaces %s that departments set up on their own.",
			summary, pick(r, t.things), pick(r, t.words), pick(r, t.words), pick(r, oldWays))
		fmt.Fprintf(&b, "- slug: %s\n  name: %q\n  summary: %q\n  description: %q\n", slug, name, summary, desc)
		fmt.Fprintf(&b, "  kind: %s\n  family: %s\n  owner: owner@example.com\n", pick(r, []string{"business", "technical", "application"}), t.family)
		fmt.Fprintf(&b, "  sourcing: bought\n  vendor: %q\n", vendor)
		fmt.Fprintf(&b, "  lifecycle: %s\n  delivery_model: cloud\n  data_ceiling: %s\n  arch_status: standard\n",
			[]string{"live", "live", "live", "live", "live", "pilot", "retiring"}[r.IntN(7)], pick(r, []string{"internal", "confidential", "confidential", "restricted"}))
		fmt.Fprintf(&b, "  sla:\n    availability: '99.9'\n    support_hours: Mon-Fri 08:00-18:00\n    lead_time_days: %d\n", 1+r.IntN(20))
		if r.IntN(10) == 0 {
			fmt.Fprintf(&b, "  audience:\n    departments: [%s]\n", pick(r, departmentCodes))
		} else {
			b.WriteString("  audience: all\n")
		}
		b.WriteString("  tags:\n")
		for range 3 + r.IntN(3) {
			fmt.Fprintf(&b, "  - %q\n", strings.ToLower(pick(r, t.words)))
		}
		b.WriteString("  offerings:\n")
		for j := range per {
			price := t.price * (0.5 + r.Float64()) * float64(j+1)
			fmt.Fprintf(&b, "  - slug: %s-o%d\n    name: %q\n    lifecycle: live\n    lead_time_days: %d\n    prices:\n", slug, j+1,
				subject+" — "+offeringNames[(i+j)%len(offeringNames)], r.IntN(10))
			fmt.Fprintf(&b, "    - from: '%s'\n      currency: EUR\n      unit: %s\n", from, t.unit)
			if t.unit == "fixed-month" {
				fmt.Fprintf(&b, "      fixed_monthly: '%.2f'\n", price)
			} else {
				fmt.Fprintf(&b, "      unit_price: '%.4f'\n", price)
			}
		}
	}
	return b.Bytes()
}

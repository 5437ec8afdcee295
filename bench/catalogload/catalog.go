package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/catalog"
)

// generated is a synthetic catalog file and what the load needs to know of
// it.
type generated struct {
	file      []byte
	slugs     []string // every service
	offerings int
	prices    int
}

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// weighted returns the index drawn from weights.
func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// some returns n distinct elements of s in random order (all of s when n
// is larger).
func some(r *rand.Rand, s []string, n int) []string {
	idx := r.Perm(len(s))
	out := make([]string, 0, min(n, len(s)))
	for _, i := range idx[:min(n, len(s))] {
		out = append(out, s[i])
	}
	return out
}

// yamlText quotes a string for YAML: a double-quoted scalar takes the same
// escapes as Go's.
func yamlText(s string) string { return strconv.Quote(s) }

// listText joins words as "a, b and c".
func listText(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func money(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + ".00"
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}

// generate writes a catalog file of n services with per offerings each.
// Prices start on the first day of last year; a third of the offerings
// changed price on the first day of this year and one in ten of the others
// changes on the first day of next year, so pages show current and
// upcoming prices.
// Slugs in taken (those of the demo catalog) are not used, so that the
// file only adds to the catalog.
func generate(seed uint64, n, per int, now time.Time, taken map[string]bool) generated {
	r := rand.New(rand.NewPCG(seed, 1))
	y := now.Year()
	lastYear := fmt.Sprintf("%d-01-01", y-1)
	thisYear := fmt.Sprintf("%d-01-01", y)
	nextYear := fmt.Sprintf("%d-01-01", y+1)

	g := generated{slugs: make([]string, 0, n)}
	var b bytes.Buffer
	b.Grow(n * (1500 + per*400))
	b.WriteString("# A synthetic catalog for the load benchmark.\napiVersion: engage/v1\nkind: Catalog\nservices:\n")
	usedSlugs := map[string]int{}
	usedOfferings := map[string]bool{}
	for slug := range taken {
		usedSlugs[slug], usedOfferings[slug] = 1, true
	}
	for range n {
		f := &families[r.IntN(len(families))]
		subject := pick(r, f.subjects)
		name := subject
		switch weighted(r, 35, 25, 25, 15) {
		case 0:
			name = pick(r, qualifiers) + " " + inSentence(subject)
		case 1:
			name = subject + " " + pick(r, contexts)
		case 2:
			name = pick(r, qualifiers) + " " + inSentence(subject) + " " + pick(r, contexts)
		}
		sourcing := []string{"built", "bought", "brokered"}[weighted(r, 45, 40, 15)]
		vendor := ""
		if sourcing != "built" || r.IntN(3) == 0 {
			vendor = pick(r, f.vendors)
			if r.IntN(4) == 0 {
				name = vendor + " " + name
			}
		}
		if len(name) > 110 {
			name = name[:110]
		}
		slug := catalog.Slugify(name)
		if len(slug) > 52 {
			slug = strings.TrimRight(slug[:52], "-")
		}
		for k := usedSlugs[slug]; k > 0; k = usedSlugs[slug] {
			usedSlugs[slug]++
			slug += "-" + strconv.Itoa(k+1)
		}
		usedSlugs[slug]++
		g.slugs = append(g.slugs, slug)

		lifecycle := []string{"live", "pilot", "planned", "retiring", "retired"}[weighted(r, 78, 7, 5, 6, 4)]
		delivery := []string{"cloud", "legacy"}[weighted(r, 70, 30)]
		features := some(r, f.features, 2+r.IntN(3))
		who := pick(r, audiencesText)
		summary := fmt.Sprintf("%s for %s, %s.", subject, who, pick(r, benefits))
		var desc strings.Builder
		fmt.Fprintf(&desc, "%s %s\n\n", summary, sentence(r, f, subject))
		fmt.Fprintf(&desc, "**What is included:** %s.\n\n", listText(features))
		fmt.Fprintf(&desc, "**Who it is for:** %s", who)
		if r.IntN(2) == 0 {
			fmt.Fprintf(&desc, ", and anyone who needs %s", inSentence(subject))
		}
		desc.WriteString(".\n\n")
		if delivery == "legacy" && r.IntN(2) == 0 {
			fmt.Fprintf(&desc, "New work should use the cloud %s; this service remains for systems that cannot move yet.\n\n", inSentence(subject))
		}
		desc.WriteString("**How to get help:** raise a request with the service desk or ask your business relationship manager.\n")

		b.WriteString("- slug: " + slug + "\n")
		b.WriteString("  name: " + yamlText(name) + "\n")
		b.WriteString("  summary: " + yamlText(summary) + "\n")
		b.WriteString("  description: " + yamlText(desc.String()) + "\n")
		b.WriteString("  kind: " + f.kind[weighted(r, 3, 1)%len(f.kind)] + "\n")
		b.WriteString("  family: " + f.code + "\n")
		b.WriteString("  owner: " + []string{"owner@example.com", "admin@example.com"}[weighted(r, 4, 1)] + "\n")
		b.WriteString("  sourcing: " + sourcing + "\n")
		if vendor != "" {
			b.WriteString("  vendor: " + yamlText(vendor) + "\n")
		}
		b.WriteString("  lifecycle: " + lifecycle + "\n")
		b.WriteString("  delivery_model: " + delivery + "\n")
		b.WriteString("  data_ceiling: " + []string{"public", "internal", "confidential", "restricted"}[weighted(r, 5, 50, 35, 10)] + "\n")
		arch := []string{"standard", "approved", "tolerated", "sunset"}[weighted(r, 45, 30, 15, 10)]
		if lifecycle == "retiring" || lifecycle == "retired" {
			arch = "sunset"
		}
		b.WriteString("  arch_status: " + arch + "\n")
		fmt.Fprintf(&b, "  sla:\n    availability: '%s'\n    support_hours: %s\n    lead_time_days: %d\n",
			pick(r, availabilities), yamlText(pick(r, supportHours)), r.IntN(21))
		// Four services in five are for everyone; the others for some
		// departments, locations or functions of the demo organisation.
		switch weighted(r, 80, 10, 5, 5) {
		case 0:
			b.WriteString("  audience: all\n")
		case 1:
			b.WriteString("  audience:\n    departments: [" + strings.Join(some(r, departmentCodes, 1+r.IntN(3)), ", ") + "]\n")
		case 2:
			b.WriteString("  audience:\n    locations: [" + strings.Join(some(r, locationCodes, 1+r.IntN(2)), ", ") + "]\n")
		case 3:
			b.WriteString("  audience:\n    functions: [" + strings.Join(some(r, functionCodes, 1+r.IntN(2)), ", ") + "]\n")
		}
		b.WriteString("  tags:\n")
		for _, t := range some(r, f.tags, 3+r.IntN(4)) {
			b.WriteString("  - " + yamlText(t) + "\n")
		}
		if r.IntN(2) == 0 {
			b.WriteString("  links:\n  - title: Service description\n    url: https://wiki.example.com/it/services/" + slug + "\n")
		}
		b.WriteString("  offerings:\n")
		variants := pick(r, f.variants)
		short := strings.TrimSuffix(subject, "s")
		base := f.basePrice * (0.6 + r.Float64()*0.9)
		unit := f.units[weighted(r, 3, 1, 1)%len(f.units)]
		for j := range per {
			variant := variants[j%len(variants)]
			if j >= len(variants) {
				variant += " " + strconv.Itoa(j/len(variants)+1)
			}
			oslug := catalog.Slugify(slug + "-" + variant)
			if len(oslug) > 56 || usedOfferings[oslug] {
				oslug = strings.TrimRight(slug[:min(len(slug), 50)], "-") + "-o" + strconv.Itoa(j+1)
			}
			for usedOfferings[oslug] {
				oslug += "x"
			}
			usedOfferings[oslug] = true
			olife := "live"
			switch {
			case lifecycle == "retired":
				olife = "retired"
			case lifecycle == "planned":
				olife = "planned"
			case r.IntN(12) == 0:
				olife = []string{"pilot", "retiring"}[r.IntN(2)]
			}
			b.WriteString("  - slug: " + oslug + "\n")
			b.WriteString("    name: " + yamlText(short+" — "+variant) + "\n")
			b.WriteString("    description: " + yamlText(offeringSentence(r, f, variant)) + "\n")
			b.WriteString("    lifecycle: " + olife + "\n")
			fmt.Fprintf(&b, "    lead_time_days: %d\n    position: %d\n    prices:\n", r.IntN(15), j+1)
			price := base * (1 + float64(j)*0.8)
			unitPrice := func(v float64) string {
				if unit == "fixed-month" {
					return "      fixed_monthly: '" + money(v*20) + "'\n"
				}
				return "      unit_price: '" + money(v) + "'\n"
			}
			g.offerings++
			switch {
			case unit == "unit-month" && f.code == "storage" && r.IntN(4) == 0:
				// Volume discounts on storage.
				fmt.Fprintf(&b, "    - from: '%s'\n      currency: EUR\n      unit: unit-month\n      tier_mode: graduated\n      tiers:\n"+
					"      - up_to: '10000'\n        unit_price: '%s'\n      - up_to: '100000'\n        unit_price: '%s'\n      - unit_price: '%s'\n",
					lastYear, money(price), money(price*0.8), money(price*0.6))
				g.prices++
			case r.IntN(3) == 0:
				// A price change at the start of this year.
				fmt.Fprintf(&b, "    - from: '%s'\n      to: '%s'\n      currency: EUR\n      unit: %s\n", lastYear, thisYear, unit)
				b.WriteString(unitPrice(price * 1.1))
				fmt.Fprintf(&b, "    - from: '%s'\n      currency: EUR\n      unit: %s\n", thisYear, unit)
				b.WriteString(unitPrice(price))
				g.prices += 2
			default:
				fmt.Fprintf(&b, "    - from: '%s'\n      currency: EUR\n      unit: %s\n", lastYear, unit)
				b.WriteString(unitPrice(price))
				g.prices++
				if r.IntN(10) == 0 {
					fmt.Fprintf(&b, "    - from: '%s'\n      currency: EUR\n      unit: %s\n", nextYear, unit)
					b.WriteString(unitPrice(price * 0.92))
					g.prices++
				}
			}
		}
	}
	g.file = b.Bytes()
	return g
}

// properNouns keep their capital inside a sentence.
var properNouns = map[string]bool{"Kubernetes": true, "Oracle": true, "Redis": true, "Linux": true, "Windows": true}

// inSentence writes a subject as it reads after another word: "Laptops"
// becomes "laptops", but "CRM", "Wi-Fi" and "Oracle databases" stay.
func inSentence(subject string) string {
	first, _, _ := strings.Cut(subject, " ")
	if properNouns[first] || strings.ToLower(first[1:]) != first[1:] {
		return subject
	}
	return strings.ToLower(subject[:1]) + subject[1:]
}

func sentence(r *rand.Rand, f *family, subject string) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("IT runs %s together with %s, so that teams do not have to buy their own.", inSentence(subject), pick(r, f.vendors))
	case 1:
		return fmt.Sprintf("Use it for %s, %s and %s.", pick(r, f.tags), pick(r, f.tags), pick(r, f.tags))
	case 2:
		return fmt.Sprintf("It replaces older %s set up by individual departments and comes with %s.", pick(r, f.tags), pick(r, f.features))
	default:
		return fmt.Sprintf("Order it here; the price includes %s and %s.", pick(r, f.features), pick(r, f.features))
	}
}

func offeringSentence(r *rand.Rand, f *family, variant string) string {
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s option with %s.", variant, pick(r, f.features))
	case 1:
		return fmt.Sprintf("The usual choice for %s; includes %s.", pick(r, audiencesText), pick(r, f.features))
	default:
		return fmt.Sprintf("For %s and %s workloads.", pick(r, f.tags), pick(r, f.tags))
	}
}

// queries returns n search phrases of one to three words, as people type
// them: words of service names, tags and vendors, sometimes with a typo or
// an unfinished last word.
func queries(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]string, 0, n)
	for len(out) < n {
		f := &families[r.IntN(len(families))]
		var words []string
		nw := 1 + weighted(r, 45, 40, 15)
		for len(words) < nw {
			var w string
			switch weighted(r, 40, 35, 10, 8, 7) {
			case 0:
				w = strings.ToLower(pick(r, f.subjects))
			case 1:
				w = pick(r, f.tags)
			case 2:
				w = strings.ToLower(pick(r, qualifiers))
			case 3:
				w = strings.ToLower(pick(r, f.vendors))
			default:
				w = pick(r, queryExtras)
			}
			// Long phrases contribute one or two of their words.
			parts := strings.Fields(w)
			if len(parts) > 2 {
				k := r.IntN(len(parts) - 1)
				parts = parts[k : k+2]
			}
			words = append(words, parts...)
		}
		if len(words) > 3 {
			words = words[:3]
		}
		last := words[len(words)-1]
		switch weighted(r, 84, 8, 8) {
		case 1: // a typo: two letters swapped
			if len(last) >= 5 {
				k := 1 + r.IntN(len(last)-3)
				bs := []byte(last)
				bs[k], bs[k+1] = bs[k+1], bs[k]
				words[len(words)-1] = string(bs)
			}
		case 2: // still typing
			if len(last) >= 5 {
				words[len(words)-1] = last[:3+r.IntN(len(last)-3)]
			}
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

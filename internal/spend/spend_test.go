package spend

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalise(t *testing.T) {
	for _, c := range []struct {
		in, name string
		domains  []string
	}{
		{"PAYPAL *EVERNOTE", "evernote", nil},
		{"ZOOM.US 888-799-9666", "zoom", []string{"zoom.us"}},
		{"FS *MIRO", "miro", nil},
		{"MSFT * E0400ABCD", "msft", nil},
		{"msft * e0400abcd", "msft", nil},
		{"SLACK T02K8ABCD", "slack", nil},
		{"NOTION LABS, INC.", "notion labs", nil},
		{"CANVA* 03904-1234567", "canva", nil},
		{"AMZN MKTP US*2K4T71", "amzn mktp", nil},
		{"UBER *TRIP HELP.UBER.C", "uber trip uber", nil},
		{"ZAPIER.COM/CHARGE", "zapier", []string{"zapier.com"}},
		{"PRET A MANGER LONDON", "pret a manger", nil},
		{"STARBUCKS #12345", "starbucks", nil},
		{"PADDLE.NET* DIGITALOCEAN.C", "digitalocean", nil},
		{"1PASSWORD", "1password", nil},
		{"ACME SOFTWARE LTD DUBLIN IE", "acme software", nil},
		{"WWW.FIGMA.COM", "figma", []string{"figma.com"}},
		{"12345 #678", "", nil},
		{"", "", nil},
	} {
		got := Normalise(c.in)
		if got.Name != c.name || strings.Join(got.Domains, ",") != strings.Join(c.domains, ",") {
			t.Errorf("Normalise(%q) = %q %v; want %q %v", c.in, got.Name, got.Domains, c.name, c.domains)
		}
	}
}

func TestMatch(t *testing.T) {
	m := NewMatcher(Shipped())
	for _, c := range []struct {
		merchant, mcc, memo string
		vendor              string
		software, known     bool
		review              bool
	}{
		{"PAYPAL *EVERNOTE", "5734", "", "Evernote", true, true, false},
		{"ZOOM.US 888-799-9666", "4816", "", "Zoom", true, true, false},
		{"ZOOM VIDEO COMMUNICA", "", "", "Zoom", true, true, false}, // cut at 22
		{"FS *MIRO", "", "", "Miro", true, true, false},
		{"MSFT * E0400ABCD", "", "renewal", "Microsoft", true, true, false},
		{"amazon web ser", "4816", "", "Amazon Web Services", true, true, false},
		{"AMZN MKTP US*2K4T71", "5942", "", "Amazon", false, true, false},
		{"UBER *TRIP HELP.UBER.C", "4121", "", "Uber", false, true, false},
		{"MARRIOTT HOTEL BOSTON", "3509", "", "Marriott", false, true, false},
		// Unknown vendors: a software MCC makes them software, grouped by name.
		{"FS *QUILLSTACK", "5734", "", "Quillstack", true, false, false},
		{"QUILLSTACK.IO", "7372", "", "Quillstack", true, false, false},
		{"QUILLSTACK INC 415-555-0100", "5818", "", "Quillstack", true, false, false},
		{"JOE'S DINER 0042", "5812", "", "Joe's", false, false, false},
		// Weak evidence waits for a person.
		{"QUILLSTACK", "", "monthly subscription", "Quillstack", true, false, true},
		{"QUILLSTACK", "", "", "Quillstack", false, false, true},
		{"ZOOM.US", "5812", "", "Zoom", true, true, true}, // a software vendor with a meals code
		{"#12345", "", "", "", false, false, true},
	} {
		got := m.Match(Line{Merchant: c.merchant, MCC: c.mcc, Memo: c.memo})
		if got.Vendor != c.vendor || got.Software != c.software || got.Known != c.known || got.NeedsReview() != c.review || got.Reason == "" {
			t.Errorf("Match(%q, %q, %q) = %+v; want %s software=%v known=%v review=%v", c.merchant, c.mcc, c.memo, got, c.vendor, c.software, c.known, c.review)
		}
		if got.Confidence < 0 || got.Confidence > 1 {
			t.Errorf("Match(%q) confidence %v out of 0–1", c.merchant, got.Confidence)
		}
	}
}

func TestDictionaryLearns(t *testing.T) {
	d := Shipped()
	m := NewMatcher(d)
	if got := m.Match(Line{Merchant: "SQ *KW DATA TOOLS", MCC: "5734"}); got.Known {
		t.Fatalf("before = %+v; want an unknown vendor", got)
	}
	d.Add(Vendor{Name: "Kiwi Data", Category: "analytics", Software: true, Aliases: []string{"kw data tools"}})
	got := m.Match(Line{Merchant: "SQ *KW DATA TOOLS", MCC: "5734"})
	if got.Vendor != "Kiwi Data" || !got.Known || got.NeedsReview() {
		t.Fatalf("after = %+v; want Kiwi Data", got)
	}
	// A correction to an existing vendor adds an alias to it.
	d.Add(Vendor{Name: "zoom", Aliases: []string{"zm vid"}})
	if got := m.Match(Line{Merchant: "ZM VID 1234567", MCC: "4816"}); got.Vendor != "Zoom" {
		t.Fatalf("alias = %+v; want Zoom", got)
	}
	if v := d.Lookup("Zoom"); v == nil || v.Category != "meetings" {
		t.Fatalf("Zoom = %+v; an alias must not clear the category", v)
	}
}

// TestAccuracy holds recognition to the aims on the sample, its
// reprinted variants, unseen and invented vendors.
func TestAccuracy(t *testing.T) {
	f, err := os.Open("testdata/card_transactions_2026.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := ReadLabelled(f)
	if err != nil || len(lines) < 1000 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
	m := NewMatcher(Shipped())
	check := func(name string, s Scores, sp, sr, vp, vr float64) {
		t.Helper()
		if s.SoftwarePrecision() < sp || s.SoftwareRecall() < sr || s.VendorPrecision() < vp || s.VendorRecall() < vr {
			t.Errorf("%s: %s; want software ≥ %.2f/%.2f, vendor ≥ %.2f/%.2f", name, s, sp, sr, vp, vr)
		}
	}
	check("as printed", m.Score(lines), 0.98, 0.95, 0.95, 0.90)
	for _, v := range Variants {
		check(v.Name, m.Score(Reprint(lines, v, 7)), 0.98, 0.95, 0.95, 0.90)
	}
	unseen, groups := m.Unseen(lines)
	check("unseen", unseen, 0.98, 0.90, 0.90, 0.85)
	scattered := 0
	for _, n := range groups {
		if n > 1 {
			scattered++
		}
	}
	if scattered > len(groups)/10 {
		t.Errorf("unseen vendors scattered: %v", groups)
	}
	check("invented", m.Score(Invented(100, 3)), 0.98, 0.95, 0.95, 0.90)
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"PAYPAL *EVERNOTE", "ZOOM.US 888-799-9666", "FS *MIRO", "MSFT * E0400ABCD", "help.uber.c",
		"a.b.c.d/e", "***", "ÄÖÜ GMBH ZÜRICH", "=HYPERLINK(\"x\")", strings.Repeat("X", 10000)} {
		f.Add(s)
	}
	m := NewMatcher(Shipped())
	f.Fuzz(func(t *testing.T, s string) {
		d := Normalise(s)
		if !utf8.ValidString(d.Name) || d.Name != strings.TrimSpace(d.Name) || strings.Contains(d.Name, "  ") {
			t.Fatalf("Normalise(%q).Name = %q", s, d.Name)
		}
		if len(d.Name) > MaxDescriptor*2 {
			t.Fatalf("Normalise(%q).Name is %d bytes", s, len(d.Name))
		}
		if d.Name != strings.ToLower(d.Name) {
			t.Fatalf("Normalise(%q).Name = %q, not lower case", s, d.Name)
		}
		// Normalising is idempotent on names: a name normalises to itself.
		if again := Normalise(d.Name).Name; again != d.Name && !strings.Contains(d.Name, ".") {
			t.Fatalf("Normalise(%q) = %q, then %q", s, d.Name, again)
		}
		m.Match(Line{Merchant: s, MCC: s, Memo: s})
	})
}

// TestShippedCopies: each call of Shipped gives a dictionary of its own,
// equal to the shipped one: extending one leaves the next untouched.
func TestShippedCopies(t *testing.T) {
	a := Shipped()
	zoom := a.Lookup("zoom")
	if zoom == nil {
		t.Fatal("zoom is not shipped")
	}
	a.Add(Vendor{Name: zoom.Name, Category: "changed", Software: false, Aliases: []string{"Quillstack Meetings"}, Domains: []string{"quill.example"}})
	if got := a.Lookup("quillstack meetings"); got == nil || got.Category != "changed" {
		t.Fatalf("the extended copy: %+v", got)
	}
	b := Shipped()
	if got := b.Lookup("zoom"); got == nil || got.Category == "changed" || !got.Software || slices.Contains(got.Aliases, "Quillstack Meetings") {
		t.Fatalf("the next copy was changed: %+v", got)
	}
	if b.Lookup("quillstack meetings") != nil || b.Lookup("quill.example") != nil {
		t.Fatal("the next copy knows what the first learnt")
	}
	if len(b.Vendors()) != len(Shipped().Vendors()) || len(b.Vendors()) < 90 {
		t.Fatalf("%d vendors", len(b.Vendors()))
	}
}

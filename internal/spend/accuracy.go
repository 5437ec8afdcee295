package spend

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
)

// Labelled is a line with the software vendor it really is (empty for
// spend that is not software), for measuring recognition.
type Labelled struct {
	Line
	Vendor string
}

// ReadLabelled reads a card file whose vendor column is the label
// (date,merchant,amount,currency,department,employee_email,mcc,memo,vendor).
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range []string{"merchant", "mcc", "memo", "vendor"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("the file has no %s column", c)
		}
	}
	var out []Labelled
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Labelled{Line: Line{Merchant: rec[col["merchant"]], MCC: rec[col["mcc"]], Memo: rec[col["memo"]]},
			Vendor: rec[col["vendor"]]})
	}
}

// Scores counts how recognition did on labelled lines.
type Scores struct {
	Lines int
	// software or not
	SoftwareTrue, SoftwareFalse, SoftwareMissed int
	// vendor: lines given a vendor while taken for software, and those
	// whose vendor is right
	VendorGiven, VendorRight, Labelled int
	Waiting                            int // below ReviewBelow
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// SoftwarePrecision is the share of lines taken for software that are.
func (s Scores) SoftwarePrecision() float64 {
	return ratio(s.SoftwareTrue, s.SoftwareTrue+s.SoftwareFalse)
}

// SoftwareRecall is the share of software lines taken for software.
func (s Scores) SoftwareRecall() float64 {
	return ratio(s.SoftwareTrue, s.SoftwareTrue+s.SoftwareMissed)
}

// VendorPrecision is the share of vendors given that are right.
func (s Scores) VendorPrecision() float64 { return ratio(s.VendorRight, s.VendorGiven) }

// VendorRecall is the share of software lines given their right vendor.
func (s Scores) VendorRecall() float64 { return ratio(s.VendorRight, s.Labelled) }

func (s Scores) String() string {
	return fmt.Sprintf("%5d lines  software P %.3f R %.3f  vendor P %.3f R %.3f  waiting %.1f%%",
		s.Lines, s.SoftwarePrecision(), s.SoftwareRecall(), s.VendorPrecision(), s.VendorRecall(), 100*ratio(s.Waiting, s.Lines))
}

// Score matches every line and counts. A vendor is right when the label
// is one of the matched vendor's names, or, for a new vendor, when the
// label's first word is the new vendor's name.
func (m *Matcher) Score(lines []Labelled) Scores {
	var s Scores
	for _, l := range lines {
		got := m.Match(l.Line)
		s.Lines++
		if got.NeedsReview() {
			s.Waiting++
		}
		soft := l.Vendor != ""
		switch {
		case got.Software && soft:
			s.SoftwareTrue++
		case got.Software:
			s.SoftwareFalse++
		case soft:
			s.SoftwareMissed++
		}
		if soft {
			s.Labelled++
		}
		if got.Software && got.Vendor != "" {
			s.VendorGiven++
			if soft && m.sameVendor(got, l.Vendor) {
				s.VendorRight++
			}
		}
	}
	return s
}

func (m *Matcher) sameVendor(got Match, label string) bool {
	if got.Known {
		if v := m.Dict.Lookup(got.Vendor); v != nil && v.Names(label) {
			return true
		}
		return strings.EqualFold(got.Vendor, label)
	}
	return strings.EqualFold(newVendorName(Normalise(label).Name), got.Vendor)
}

// Variant makes a line as another card network or export might print it.
type Variant struct {
	Name string
	Make func(r *rand.Rand, merchant string) string
}

var (
	prefixes = []string{"PAYPAL *", "FS *", "PADDLE.NET* ", "SQ *", "2CO.COM*", "PP*"}
	suffixes = []string{" 888-555-0199", " #4412", " 8X77Q21", " LONDON GB", " DUBLIN IE", " INC", " 0800 123 4567", " CA"}
)

// Variants are the ways the accuracy program reprints descriptors:
// lower case, cut at 22 characters, behind a processor's prefix and with
// a reference, phone number or location after the name.
var Variants = []Variant{
	{"lower case", func(_ *rand.Rand, s string) string { return strings.ToLower(s) }},
	{"cut at 22", func(r *rand.Rand, s string) string {
		return cut22(s + suffixes[r.IntN(len(suffixes))])
	}},
	{"processor prefix, cut at 22", func(r *rand.Rand, s string) string {
		return cut22(prefixes[r.IntN(len(prefixes))] + s + suffixes[r.IntN(len(suffixes))])
	}},
	{"lower case, prefix, cut at 22", func(r *rand.Rand, s string) string {
		return strings.ToLower(cut22(prefixes[r.IntN(len(prefixes))] + s))
	}},
}

func cut22(s string) string {
	if len(s) > 22 {
		return s[:22]
	}
	return s
}

// Reprint applies a variant to every line's merchant.
func Reprint(lines []Labelled, v Variant, seed uint64) []Labelled {
	r := rand.New(rand.NewPCG(seed, 16))
	out := make([]Labelled, len(lines))
	for i, l := range lines {
		l.Merchant = v.Make(r, l.Merchant)
		out[i] = l
	}
	return out
}

// Unseen measures vendors the dictionary has never seen: for each vendor
// labelled in lines, that vendor is taken out of the dictionary and its
// lines matched again. It returns the scores over those lines and, per
// vendor, how many new vendors its lines taken for software were grouped
// under (1 is whole; more is scattered).
func (m *Matcher) Unseen(lines []Labelled) (Scores, map[string]int) {
	by := map[string][]Labelled{}
	for _, l := range lines {
		if l.Vendor != "" {
			by[l.Vendor] = append(by[l.Vendor], l)
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	var total Scores
	groups := map[string]int{}
	for _, n := range names {
		v := m.Dict.Lookup(n)
		if v == nil {
			continue
		}
		without := &Matcher{Dict: m.Dict.Without(v.Name)}
		s := without.Score(by[n])
		total.add(s)
		seen := map[string]bool{}
		for _, l := range by[n] {
			if got := without.Match(l.Line); got.Software && !got.Known {
				seen[got.Vendor] = true
			}
		}
		groups[n] = len(seen)
	}
	return total, groups
}

func (s *Scores) add(o Scores) {
	s.Lines += o.Lines
	s.SoftwareTrue += o.SoftwareTrue
	s.SoftwareFalse += o.SoftwareFalse
	s.SoftwareMissed += o.SoftwareMissed
	s.VendorGiven += o.VendorGiven
	s.VendorRight += o.VendorRight
	s.Labelled += o.Labelled
	s.Waiting += o.Waiting
}

// Invented makes lines of n software vendors no dictionary knows, each
// printed in several ways (NAME.IO, FS *NAME, NAME INC 415-555-0100…),
// with a software MCC on most lines and none on the rest.
func Invented(n int, seed uint64) []Labelled {
	r := rand.New(rand.NewPCG(seed, 17))
	syll := []string{"ka", "zo", "lin", "ter", "vo", "qua", "mi", "rex", "dal", "pho", "nu", "sy", "bri", "tor", "fen", "gal"}
	mccs := []string{"5734", "5817", "5818", "7372", "4816", ""}
	forms := []string{"%s.IO", "FS *%s", "%s INC 415-555-0100", "%s SOFTWARE", "PAYPAL *%s", "%s.COM/BILL", "%s LTD LONDON", "%s*AB12CD34"}
	seen := map[string]bool{}
	var out []Labelled
	for len(seen) < n {
		name := ""
		for k := 2 + r.IntN(2); k > 0; k-- {
			name += syll[r.IntN(len(syll))]
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		label := strings.ToUpper(name[:1]) + name[1:]
		for _, f := range forms {
			mcc := mccs[r.IntN(len(mccs))]
			memo := ""
			if mcc == "" {
				memo = "monthly subscription"
			}
			out = append(out, Labelled{Line: Line{Merchant: cut22(fmt.Sprintf(f, strings.ToUpper(name))), MCC: mcc, Memo: memo}, Vendor: label})
		}
	}
	return out
}

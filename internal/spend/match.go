package spend

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ReviewBelow is the confidence under which a match waits for a person to
// confirm or correct it rather than counting on its own.
const ReviewBelow = 0.6

// Line is what recognition reads of a card, expense or invoice line.
type Line struct {
	Merchant string // the descriptor the card network printed, or the invoice's vendor
	MCC      string // merchant category code, may be empty
	Memo     string // the employee's note, may be empty
}

// Match is what recognition makes of a line.
type Match struct {
	// Vendor is the vendor's name: a dictionary vendor, or for an unknown
	// merchant a new vendor named from its descriptor (all descriptors
	// that normalise to the same first word land under one new vendor).
	// Empty when nothing could be made of the descriptor.
	Vendor     string
	Known      bool   // Vendor is in the dictionary
	Category   string // the dictionary's category of a known vendor
	Software   bool
	Confidence float64 // 0 to 1
	Reason     string
}

// NeedsReview says whether the match waits for a person.
func (m Match) NeedsReview() bool { return m.Confidence < ReviewBelow }

// MCC kinds.
const (
	mccUnknown = iota
	mccSoftware
	mccNotSoftware
	mccOther
)

// mccKind sorts a merchant category code: software (computer software
// stores, digital goods, programming and data processing, network and
// information services) or not (travel, lodging, transport, meals,
// supplies, shipping), or other.
func mccKind(code string) (int, string) {
	code = strings.TrimSpace(code)
	if code == "" {
		return mccUnknown, ""
	}
	n, err := strconv.Atoi(code)
	if err != nil || n < 0 || n > 9999 {
		return mccUnknown, ""
	}
	switch {
	case n == 5734 || n == 5817 || n == 5818 || n == 7372 || n == 4816 || n == 7379 || n == 7375:
		return mccSoftware, "software"
	case n >= 3000 && n <= 3350, n == 4511, n == 4722, n == 4112, n == 4131, n == 4111, n == 4121, n == 4411, n == 4789:
		return mccNotSoftware, "travel"
	case n >= 3351 && n <= 3500, n == 7512, n == 7513, n == 7523:
		return mccNotSoftware, "car hire"
	case n >= 3501 && n <= 3999, n == 7011:
		return mccNotSoftware, "lodging"
	case n >= 5811 && n <= 5814, n == 5462, n == 5499:
		return mccNotSoftware, "meals"
	case n == 5111, n == 5943, n == 5942, n == 5044, n == 5021, n == 5912, n == 5200, n == 5251, n == 5310, n == 5311, n == 5331, n == 5399:
		return mccNotSoftware, "supplies"
	case n == 4214, n == 4215, n == 9402:
		return mccNotSoftware, "shipping"
	}
	return mccOther, "other"
}

// memo words that hint at software or not.
var (
	softwareMemo = []string{"licen", "subscription", "seat", "saas", "renewal", "plan", "software", "api", "hosting", "cloud", "user", "workspace", "app"}
	otherMemo    = []string{"travel", "hotel", "flight", "taxi", "train", "lunch", "dinner", "meal", "supplies", "client visit", "conference", "parking", "fuel", "courier", "postage"}
)

func memoHint(memo string) (software, other bool) {
	m := strings.ToLower(memo)
	for _, w := range softwareMemo {
		if strings.Contains(m, w) {
			software = true
		}
	}
	for _, w := range otherMemo {
		if strings.Contains(m, w) {
			other = true
		}
	}
	return software && !other, other && !software
}

// Matcher recognises lines against a dictionary.
type Matcher struct {
	Dict *Dictionary
}

// NewMatcher returns a matcher over d.
func NewMatcher(d *Dictionary) *Matcher { return &Matcher{Dict: d} }

// Match recognises one line.
func (m *Matcher) Match(l Line) Match {
	d := Normalise(l.Merchant)
	kind, kindName := mccKind(l.MCC)
	memoSoft, memoOther := memoHint(l.Memo)
	v, base, how := m.find(d)
	if v != nil {
		out := Match{Vendor: v.Name, Known: true, Category: v.Category, Software: v.Software, Confidence: base, Reason: how}
		switch {
		case kind == mccSoftware && v.Software, kind == mccNotSoftware && !v.Software:
			out.Confidence += 0.05
			out.Reason += fmt.Sprintf("; MCC %s (%s) agrees", strings.TrimSpace(l.MCC), kindName)
		case kind == mccNotSoftware && v.Software:
			out.Confidence -= 0.4
			out.Reason += fmt.Sprintf("; but MCC %s is %s", strings.TrimSpace(l.MCC), kindName)
		case kind == mccSoftware && !v.Software:
			out.Confidence -= 0.4
			out.Reason += fmt.Sprintf("; but MCC %s is software", strings.TrimSpace(l.MCC))
		case kind == mccUnknown && (memoSoft && v.Software || memoOther && !v.Software):
			out.Confidence += 0.02
			out.Reason += "; the memo agrees"
		}
		out.Confidence = clamp(out.Confidence)
		return out
	}
	out := Match{Vendor: newVendorName(d.Name)}
	switch {
	case out.Vendor == "":
		out.Software, out.Confidence = kind == mccSoftware, 0.3
		out.Reason = "nothing recognisable in the descriptor"
	case kind == mccSoftware:
		out.Software, out.Confidence = true, 0.75
		out.Reason = fmt.Sprintf("not in the dictionary; MCC %s is software", strings.TrimSpace(l.MCC))
	case kind == mccNotSoftware:
		out.Software, out.Confidence = false, 0.9
		out.Reason = fmt.Sprintf("not in the dictionary; MCC %s is %s", strings.TrimSpace(l.MCC), kindName)
	case kind == mccOther:
		out.Software, out.Confidence = false, 0.7
		out.Reason = fmt.Sprintf("not in the dictionary; MCC %s is not a software code", strings.TrimSpace(l.MCC))
	case memoSoft:
		out.Software, out.Confidence = true, 0.55
		out.Reason = "not in the dictionary, no MCC; the memo speaks of software"
	case memoOther:
		out.Software, out.Confidence = false, 0.6
		out.Reason = "not in the dictionary, no MCC; the memo speaks of other spend"
	case len(d.Domains) > 0:
		out.Software, out.Confidence = true, 0.45
		out.Reason = "not in the dictionary, no MCC; a web domain in the descriptor"
	default:
		out.Software, out.Confidence = false, 0.4
		out.Reason = "not in the dictionary, no MCC, nothing in the memo"
	}
	return out
}

func clamp(c float64) float64 {
	switch {
	case c > 0.99:
		return 0.99
	case c < 0.05:
		return 0.05
	}
	return c
}

// find looks a descriptor up: by web domain, by the whole name, by the
// longest alias its words start with, by an alias its cut-short name
// starts (ZOOM VIDEO COMMUNICA), then by an alias anywhere among its words.
func (m *Matcher) find(d Descriptor) (*Vendor, float64, string) {
	dict := m.Dict
	if dict == nil || dict.byName == nil {
		return nil, 0, ""
	}
	for _, dom := range d.Domains {
		for h := dom; h != ""; {
			if v := dict.byDom[h]; v != nil {
				return v, 0.95, fmt.Sprintf("web domain %s is %s's", dom, v.Name)
			}
			_, h, _ = strings.Cut(h, ".")
			if !strings.Contains(h, ".") {
				break
			}
		}
	}
	if d.Name == "" {
		return nil, 0, ""
	}
	if v := dict.byName[d.Name]; v != nil {
		return v, 0.95, fmt.Sprintf("“%s” is a name of %s", d.Name, v.Name)
	}
	words := strings.Fields(d.Name)
	var head *Vendor
	var headName string
	for k := min(len(words)-1, dict.longest); k >= 1; k-- {
		h := strings.Join(words[:k], " ")
		if v := dict.byName[h]; v != nil && (k > 1 || len(h) >= 3) {
			head, headName = v, h
			break
		}
	}
	// A longer name cut short wins over a shorter one the words start
	// with: AMAZON WEB SER is Amazon Web Services, not Amazon.
	if len(d.Name) >= 5 {
		if v, alias := dict.cutShort(d.Name); v != nil {
			return v, 0.85, fmt.Sprintf("“%s” is “%s” cut short, a name of %s", d.Name, alias, v.Name)
		}
	}
	if head != nil {
		return head, 0.9, fmt.Sprintf("“%s” starts with “%s”, a name of %s", d.Name, headName, head.Name)
	}
	for i := 1; i < len(words); i++ {
		for k := min(len(words)-i, dict.longest); k >= 1; k-- {
			part := strings.Join(words[i:i+k], " ")
			if v := dict.byName[part]; v != nil && len(part) >= 4 {
				return v, 0.75, fmt.Sprintf("“%s” names %s", part, v.Name)
			}
		}
	}
	return nil, 0, ""
}

// newVendorName names an unknown merchant from its normalised descriptor:
// its first word in title case, so that ACMEFLOW.IO, FS *ACMEFLOW and
// ACMEFLOW INC 415-555-0100 are one new vendor, Acmeflow.
func newVendorName(name string) string {
	first, _, _ := strings.Cut(name, " ")
	if first == "" {
		return ""
	}
	r := []rune(first)
	r[0] = unicode.ToTitle(r[0])
	return string(r)
}

// GroupKey is the key under which an unknown merchant's lines are grouped:
// the lower-case first word of its normalised descriptor.
func GroupKey(merchant string) string {
	return strings.ToLower(newVendorName(Normalise(merchant).Name))
}

// Package spend is the money a company spends on technology outside IT:
// corporate-card, expense and accounts-payable lines, and the recognition
// that turns a card network's merchant descriptor (PAYPAL *EVERNOTE,
// ZOOM.US 888-799-9666) into a vendor, software or not, with a confidence
// and the reason for it.
//
// Recognition is pure Go with no storage: Normalise cleans a descriptor,
// a Dictionary holds the vendors Engage knows (the embedded vendors.csv,
// extended by finance and by people's corrections), and a Matcher weighs
// the dictionary, the merchant category code and the memo.
package spend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDescriptor is the longest descriptor, in bytes, recognition reads;
// card networks print 22 to 25 characters, so anything longer is cut here
// before any work is done on it (imports refuse such lines outright).
const MaxDescriptor = 200

// Descriptor is a merchant descriptor made comparable.
type Descriptor struct {
	// Name is what is left of the merchant's name: lower case, words
	// separated by one space, without processor prefix, reference codes,
	// phone numbers, legal suffixes and trailing locations. It may be
	// empty (a descriptor of only a reference code).
	Name string
	// Domains are the web domains the descriptor names (zoom.us), lower
	// case, without www. or a path.
	Domains []string
	// Processor is the payment processor whose prefix was taken away
	// (paypal, fs, paddle.net…), if any.
	Processor string
}

// processors are payment processors and marketplaces that print their own
// short name, a star, then the merchant's: PAYPAL *EVERNOTE, FS *MIRO.
var processors = map[string]bool{
	"paypal": true, "pp": true, "sq": true, "tst": true, "fs": true, "fastspring": true,
	"paddle": true, "paddle.net": true, "paddle net": true, "2co": true, "2co.com": true, "2co com": true,
	"stripe": true, "sp": true, "bt": true, "braintree": true, "avangate": true, "digitalriver": true,
	"dri": true, "cleverbridge": true, "cb": true, "ckc": true, "gumroad": true, "ls": true,
	"lemonsqueezy": true, "apple.com/bill": true, "itunes.com": true, "google play": true, "wp": true,
	"sumup": true, "zettle": true, "izettle": true, "pos": true, "checkout": true, "adyen": true,
}

// legalWords are company-form words that say nothing about which company.
var legalWords = map[string]bool{
	"inc": true, "inc.": true, "incorporated": true, "llc": true, "l.l.c.": true, "ltd": true, "ltd.": true,
	"limited": true, "pty": true, "gmbh": true, "corp": true, "corp.": true, "corporation": true,
	"plc": true, "sa": true, "s.a.": true, "s.a": true, "l.l.c": true, "b.v": true, "sas": true, "sarl": true, "bv": true, "b.v.": true, "ag": true,
	"ab": true, "oy": true, "srl": true, "spa": true, "nv": true, "kk": true, "co": true, "co.": true,
	"company": true, "lp": true, "llp": true,
}

// noiseWords are words processors add to descriptors around the name.
var noiseWords = map[string]bool{
	"charge": true, "charges": true, "billing": true, "bill": true, "payment": true, "pmt": true,
	"purchase": true, "recurring": true, "subscr": true, "subscription": true, "online": true,
	"help": true, "www": true, "http": true, "https": true, "invoice": true, "inv": true, "ref": true,
	"receipt": true, "order": true, "renewal": true, "txn": true, "trx": true, "store": true,
}

// places are trailing locations a descriptor may end with: country
// codes, a few countries and cities where card descriptors commonly show
// them. Two-letter words (state and country codes) are taken away at the
// end wherever they are not the first word.
var places = map[string]bool{
	"usa": true, "gbr": true, "irl": true, "deu": true, "fra": true, "nld": true, "can": true, "aus": true,
	"che": true, "london": true, "dublin": true, "boston": true, "new york": true, "york": true,
	"san francisco": true, "francisco": true, "seattle": true, "sydney": true, "amsterdam": true,
	"berlin": true, "paris": true, "zurich": true, "geneva": true, "basel": true, "toronto": true,
	"singapore": true, "luxembourg": true, "cork": true, "emea": true, "apac": true, "intl": true,
	"international": true, "ireland": true, "england": true, "germany": true, "switzerland": true,
}

// topDomains are the endings after which a word is a web domain.
var topDomains = map[string]bool{
	"com": true, "net": true, "org": true, "io": true, "ai": true, "co": true, "us": true, "app": true,
	"dev": true, "me": true, "so": true, "tv": true, "uk": true, "de": true, "fr": true, "ie": true,
	"eu": true, "ch": true, "nl": true, "ca": true, "au": true, "info": true, "biz": true, "cloud": true,
	"tech": true, "software": true, "online": true, "site": true, "xyz": true, "ly": true, "to": true,
	"gg": true, "fm": true, "im": true, "cc": true, "sh": true, "is": true, "it": true, "es": true,
}

// subdomains are leading labels that name a part of a vendor's site.
var subdomains = map[string]bool{
	"www": true, "help": true, "app": true, "apps": true, "billing": true, "pay": true, "secure": true,
	"checkout": true, "my": true, "account": true, "store": true, "shop": true, "portal": true, "go": true,
}

// Normalise cleans a merchant descriptor: case, processor prefix,
// reference codes, phone numbers, web domains, legal suffixes, noise words
// and trailing locations.
func Normalise(raw string) Descriptor {
	if len(raw) > MaxDescriptor {
		raw = raw[:MaxDescriptor]
	}
	for !utf8.ValidString(raw) { // a rune cut in two, or bad bytes
		raw = strings.ToValidUTF8(raw, " ")
	}
	s := strings.ToLower(raw)
	var d Descriptor
	// A processor's prefix: PAYPAL *EVERNOTE, PADDLE.NET* N8N. Any other
	// star is a separator between a merchant and a product or reference
	// (GOOGLE *WORKSPACE, AMZN MKTP US*2K4T71).
	if i := strings.IndexByte(s, '*'); i >= 0 {
		p := strings.Join(strings.Fields(s[:i]), " ")
		if processors[p] {
			d.Processor = p
			s = s[i+1:]
		}
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		case r == '.' || r == '/' || r == '-' || r == '&' || r == '+' || r == '\'':
			return r
		}
		return ' '
	}, s)
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.Trim(w, ".-/&+'")
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		w = strings.Trim(w, ".-/&+'")
		if w == "" {
			continue
		}
		if legalWords[w] && len(out) > 0 {
			continue
		}
		if name, domain, ok := webDomain(w); ok {
			if domain != "" {
				d.Domains = append(d.Domains, domain)
			}
			if name == "" {
				continue
			}
			w = name
		}
		w = strings.ReplaceAll(w, "/", " ")
		for _, part := range strings.Fields(w) {
			if reference(part) {
				continue
			}
			part = strings.Trim(part, ".-&+'")
			if part == "" || (len(out) > 0 && (legalWords[part] || noiseWords[part])) {
				continue
			}
			if len(out) > 0 && out[len(out)-1] == part {
				continue
			}
			out = append(out, part)
		}
	}
	if len(out) > 1 && d.Processor == "" && processors[out[0]] { // PAYPAL EVERNOTE
		d.Processor, out = out[0], out[1:]
	}
	out = dropPlaces(out)
	for len(out) > 1 && (legalWords[out[len(out)-1]] || noiseWords[out[len(out)-1]]) {
		out = out[:len(out)-1]
	}
	d.Name = strings.Join(out, " ")
	return d
}

// dropPlaces takes trailing locations away, never the first word.
func dropPlaces(ws []string) []string {
	for len(ws) > 1 {
		last := ws[len(ws)-1]
		switch {
		case len(ws) > 2 && places[ws[len(ws)-2]+" "+last]:
			ws = ws[:len(ws)-2]
		case places[last] || (utf8.RuneCountInString(last) == 2 && isLetters(last)):
			ws = ws[:len(ws)-1]
		default:
			return ws
		}
	}
	return ws
}

// webDomain reads w as a web domain (zoom.us, help.uber.c,
// zapier.com/charge): the vendor's label and the domain. A descriptor cut
// in its ending (help.uber.c) still gives the label. ok is false when w is
// not a domain.
func webDomain(w string) (name, domain string, ok bool) {
	host, _, _ := strings.Cut(w, "/")
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return "", "", false
	}
	for _, l := range labels {
		if l == "" {
			return "", "", false
		}
	}
	last := labels[len(labels)-1]
	cut := false
	switch {
	case topDomains[last]:
	case len(last) <= 2 && isLetters(last) && len(labels[len(labels)-2]) >= 3:
		cut = true // help.uber.c, digitalocean.c: the ending was cut off
	default:
		return "", "", false
	}
	core := labels[:len(labels)-1]
	for len(core) > 1 && (subdomains[core[0]] || topDomains[core[len(core)-1]]) {
		if subdomains[core[0]] {
			core = core[1:]
		} else {
			core = core[:len(core)-1] // amazon.co.uk
		}
	}
	name = core[len(core)-1]
	if !cut {
		domain = strings.TrimPrefix(host, "www.")
	}
	return name, domain, true
}

// reference says whether a word is a reference code, store number or
// phone number rather than a name: no letters at all (12345, 888-799-9666),
// or letters mixed with two digits or more (t02k8abcd, e0400abcd, 2k4t71).
// Short words (8x8, 3m) and names with one digit (1password) are kept.
func reference(w string) bool {
	letters, digits := 0, 0
	for _, r := range w {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	if letters == 0 {
		return true
	}
	return digits >= 2 && utf8.RuneCountInString(w) > 3
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

package spend

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Vendor is a company money is paid to.
type Vendor struct {
	Name     string   `json:"name" minLength:"1" maxLength:"100"`
	Category string   `json:"category" maxLength:"60" doc:"What the vendor's product does (meetings, whiteboard…), or the kind of spend (travel, meals…)"`
	Software bool     `json:"software"`
	Aliases  []string `json:"aliases" nullable:"false" maxItems:"50" doc:"Names a descriptor may show instead of the name"`
	Domains  []string `json:"domains" nullable:"false" maxItems:"20" doc:"Web domains, lower case"`
}

// Dictionary is the vendors recognition knows, indexed by the normalised
// forms of their names, aliases and domains. Its zero value is empty;
// Add extends it (later additions win over earlier ones for the same alias,
// so finance's entries and people's corrections take precedence over the
// shipped list).
type Dictionary struct {
	vendors []*Vendor
	byName  map[string]*Vendor // normalised name or alias → vendor
	byDom   map[string]*Vendor // domain → vendor
	longest int                // most words in a name or alias
	sorted  []string           // the keys of byName in order, nil when to be rebuilt
}

//go:embed vendors.csv
var shippedVendors string

// Shipped returns a dictionary of the common software vendors Engage ships
// with (and the common travel, meal and supply merchants, marked not
// software). Each call returns a new dictionary the caller may extend.
func Shipped() *Dictionary {
	shippedOnce.Do(func() {
		d, err := ReadDictionary(strings.NewReader(shippedVendors))
		if err != nil {
			panic("spend: the shipped vendors.csv is wrong: " + err.Error())
		}
		shipped = d
	})
	return shipped.clone()
}

// The shipped dictionary is read and indexed once (normalising every name
// is most of the work); Shipped hands out copies.
var (
	shippedOnce sync.Once
	shipped     *Dictionary
)

// clone returns a copy of d that shares nothing it may change.
func (d *Dictionary) clone() *Dictionary {
	out := &Dictionary{byName: make(map[string]*Vendor, len(d.byName)), byDom: make(map[string]*Vendor, len(d.byDom)),
		longest: d.longest, sorted: slices.Clone(d.sorted), vendors: make([]*Vendor, 0, len(d.vendors))}
	copies := make(map[*Vendor]*Vendor, len(d.vendors))
	for _, v := range d.vendors {
		c := *v
		c.Aliases, c.Domains = slices.Clone(v.Aliases), slices.Clone(v.Domains)
		copies[v] = &c
		out.vendors = append(out.vendors, &c)
	}
	for k, v := range d.byName {
		out.byName[k] = copies[v]
	}
	for k, v := range d.byDom {
		out.byDom[k] = copies[v]
	}
	return out
}

// ReadDictionary reads vendors from CSV with the columns
// name,category,software,aliases,domains (software yes or no; aliases and
// domains separated by |).
func ReadDictionary(r io.Reader) (*Dictionary, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the vendors' header: %w", err)
	}
	if strings.Join(head, ",") != "name,category,software,aliases,domains" {
		return nil, fmt.Errorf("vendors' header is %q; want name,category,software,aliases,domains", strings.Join(head, ","))
	}
	d := &Dictionary{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return d, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading vendors: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if rec[0] == "" || (rec[2] != "yes" && rec[2] != "no") {
			return nil, fmt.Errorf("vendors line %d: a name and software yes or no are needed", line)
		}
		d.Add(Vendor{Name: rec[0], Category: rec[1], Software: rec[2] == "yes", Aliases: split(rec[3]), Domains: split(rec[4])})
	}
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Add puts a vendor in the dictionary. A vendor of the same name (case
// aside) is extended: its aliases and domains are added to, and its
// category and software flag replaced when v gives a category.
func (d *Dictionary) Add(v Vendor) {
	if d.byName == nil {
		d.byName, d.byDom = map[string]*Vendor{}, map[string]*Vendor{}
	}
	cur := d.Lookup(v.Name)
	if cur == nil || !strings.EqualFold(cur.Name, v.Name) {
		cur = &Vendor{Name: v.Name, Category: v.Category, Software: v.Software}
		d.vendors = append(d.vendors, cur)
	} else if v.Category != "" {
		cur.Category, cur.Software = v.Category, v.Software
	}
	cur.Aliases = append(cur.Aliases, v.Aliases...)
	cur.Domains = append(cur.Domains, v.Domains...)
	for _, a := range append([]string{v.Name}, v.Aliases...) {
		d.index(a, cur)
	}
	for _, dom := range v.Domains {
		dom = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(dom)), "www.")
		d.byDom[dom] = cur
		if name, _, ok := webDomain(dom); ok {
			d.index(name, cur)
		}
	}
}

func (d *Dictionary) index(alias string, v *Vendor) {
	n := Normalise(alias).Name
	if n == "" {
		return
	}
	d.byName[n] = v
	d.sorted = nil
	if w := strings.Count(n, " ") + 1; w > d.longest {
		d.longest = w
	}
}

// Lookup returns the vendor whose name, alias or domain is s, or nil.
func (d *Dictionary) Lookup(s string) *Vendor {
	if d.byName == nil {
		return nil
	}
	if v := d.byDom[strings.ToLower(strings.TrimSpace(s))]; v != nil {
		return v
	}
	return d.byName[Normalise(s).Name]
}

// Vendors returns the dictionary's vendors sorted by name.
func (d *Dictionary) Vendors() []Vendor {
	out := make([]Vendor, 0, len(d.vendors))
	for _, v := range d.vendors {
		c := *v
		c.Aliases, c.Domains = append([]string{}, v.Aliases...), append([]string{}, v.Domains...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Without returns a copy of the dictionary without the named vendor (the
// accuracy program uses it to measure vendors the dictionary has never seen).
func (d *Dictionary) Without(name string) *Dictionary {
	out := &Dictionary{}
	for _, v := range d.vendors {
		if !strings.EqualFold(v.Name, name) {
			out.Add(*v)
		}
	}
	return out
}

// Names says whether s is v's name or one of its aliases, in any case
// or form Normalise makes equal.
func (v Vendor) Names(s string) bool {
	n := Normalise(s).Name
	if n == "" {
		return false
	}
	for _, a := range append([]string{v.Name}, v.Aliases...) {
		if Normalise(a).Name == n {
			return true
		}
	}
	return false
}

// cutShort returns the one vendor with a name or alias that starts with
// prefix and is longer (the first such alias in order), or nil when none
// or several vendors do.
func (d *Dictionary) cutShort(prefix string) (*Vendor, string) {
	if d.sorted == nil {
		d.sorted = make([]string, 0, len(d.byName))
		for n := range d.byName {
			d.sorted = append(d.sorted, n)
		}
		sort.Strings(d.sorted)
	}
	var found *Vendor
	var alias string
	for i := sort.SearchStrings(d.sorted, prefix); i < len(d.sorted) && strings.HasPrefix(d.sorted[i], prefix); i++ {
		a := d.sorted[i]
		if a == prefix {
			continue
		}
		v := d.byName[a]
		if found != nil && found != v {
			return nil, ""
		}
		if found == nil {
			found, alias = v, a
		}
	}
	return found, alias
}

package catalog

// The catalog file: the whole catalog (services, offerings, prices) as one
// YAML document that can live in version control and be applied to Engage.
//
// Decisions:
//   - The file is declarative: a key that is left out means its empty value
//     (no vendor, no tags, lead time 0, position 0), except owner, which,
//     left out, keeps the current owner (a new service gets the person
//     applying the file, as when a service owner creates one on the web).
//   - Services and offerings are matched by slug, prices by their offering
//     and their first day (from). An offering's slug is unique across the
//     whole catalog, so an offering cannot move to another service.
//   - A price without `to` ends where the next price of its offering starts
//     (a price change); the last one is open-ended.
//   - Parsing is strict: unknown keys, duplicate keys, wrong types and unknown
//     values are errors, and every error is reported with the file, line and
//     field path, all at once.
//   - Apply never deletes: services, offerings and prices missing from the
//     file are left alone (retire a service with lifecycle: retired).

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/rating"
)

// FileSchema is the JSON Schema (draft 2020-12) of the catalog file, for
// editors and CI checks.
//
//go:embed catalog.schema.json
var FileSchema []byte

// The header every catalog file starts with.
const (
	FileAPIVersion = "engage/v1"
	FileKind       = "Catalog"
)

// Units are the units a price may be given in, in the order they are shown.
var Units = []Choice{
	{"person-month", "per person per month"}, {"unit-month", "per unit per month"}, {"unit-hour", "per unit-hour"},
	{"request", "per request"}, {"unit", "per unit"}, {"fixed-month", "per month"}, {"one-time", "once"},
}

// TierModes are the ways tiers price a quantity.
var TierModes = []Choice{{"graduated", "Graduated"}, {"volume", "Volume"}}

// File is a parsed catalog file.
type File struct {
	Name     string // the file name used in messages
	Services []FileService

	// lines maps field paths (services[0].offerings[1].name) to the line
	// they are written on, so that errors found later point into the file.
	lines map[string]int
}

// FileService is one service of a catalog file.
type FileService struct {
	Slug          string
	Name          string
	Summary       string
	Description   string
	Kind          string
	Family        string
	Owner         string // e-mail address; empty keeps the current owner
	Sourcing      string
	Vendor        string
	Lifecycle     string
	DeliveryModel string
	DataCeiling   string
	ArchStatus    string
	SLA           SLA
	Audience      FileAudience
	Tags          []string
	Links         []Link
	Offerings     []FileOffering
}

// FileAudience is who a service is for: everyone, or departments,
// locations and functions named by their codes.
type FileAudience struct {
	All         bool
	Departments []string
	Locations   []string
	Functions   []string
}

// FileOffering is one offering of a service in a catalog file.
type FileOffering struct {
	Slug         string
	Name         string
	Description  string
	Lifecycle    string
	LeadTimeDays int
	UnitName     string
	Position     int
	// Prices use EffectiveFrom and EffectiveTo for the file's from and to;
	// their IDs are ignored.
	Prices []RatePlan
	// Meters turn CloudEvents into usage of the offering (meters.go).
	Meters []Meter
}

// FileError is one problem in a catalog file.
type FileError struct {
	File    string
	Line    int    // 0 when the line is not known
	Field   string // path such as services[3].offerings[0].prices[1].unit
	Message string

	forbidden bool
}

func (e FileError) String() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// FileErrors is every problem found in a catalog file, in line order. It
// unwraps to an *engage.Error (EINVALID, or EFORBIDDEN when the caller may
// not make a change the file asks for) whose fields are the located errors.
type FileErrors []FileError

func (fe FileErrors) Error() string {
	lines := make([]string, len(fe))
	for i, e := range fe {
		lines[i] = e.String()
	}
	return strings.Join(lines, "\n")
}

func (fe FileErrors) Unwrap() error {
	code := engage.EINVALID
	fields := make([]engage.FieldError, len(fe))
	for i, e := range fe {
		if e.forbidden {
			code = engage.EFORBIDDEN
		}
		loc := e.File
		if e.Line > 0 {
			loc += ":" + strconv.Itoa(e.Line)
		}
		if e.Field != "" {
			loc += ": " + e.Field
		}
		fields[i] = engage.FieldError{Field: loc, Message: e.Message}
	}
	name := "The catalog file"
	if len(fe) > 0 {
		name = fe[0].File
	}
	return &engage.Error{Code: code, Message: fmt.Sprintf("%s has %s; nothing was changed.", name, countOf(len(fe), "error")), Fields: fields}
}

func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// ParseFile reads a catalog file. It reports every problem it finds, as
// FileErrors, checking the file's structure, its values and the rules that
// need no database (offerings and prices); Apply checks the rest.
func ParseFile(name string, r io.Reader) (File, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return File{Name: name}, fmt.Errorf("reading %s: %w", name, err)
	}
	if split, ok := splitServices(src); ok {
		if f, ok, err := parseSplit(name, split); ok {
			return f, err
		}
	}
	return parseWhole(name, src, nil)
}

// parseSplit reads a file cut into its services, decoding one service at a
// time; false when a service does not decode on its own, and the file must
// be read whole.
func parseSplit(name string, split splitFile) (File, bool, error) {
	whole := true
	f, err := parseWhole(name, split.header, func(r *fileReader, path string) {
		for i, s := range split.services {
			n, ok := decodeService(s)
			if !ok {
				whole = false
				return
			}
			p := indexPath(path, i)
			r.f.lines[p] = n.Line
			r.checkText(n)
			r.f.Services = append(r.f.Services, r.service(deref(n), p))
		}
	})
	return f, whole, err
}

// parseWhole reads a catalog file from its whole node tree. services, when
// not nil, reads the services instead of the tree's services key (whose
// value is then empty: its lines were cut out).
func parseWhole(name string, src []byte, services func(r *fileReader, path string)) (File, error) {
	fr := &fileReader{f: File{Name: name, lines: map[string]int{}}, services: services}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			fr.add(1, "", "the file is empty: start it with apiVersion: %s and kind: %s", FileAPIVersion, FileKind)
		} else {
			fr.syntax(err)
		}
		return fr.f, fr.errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		fr.add(extra.Line, "", "a catalog file holds one YAML document: remove the second")
	} else if !errors.Is(err, io.EOF) {
		fr.syntax(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	fr.checkText(root)
	fr.top(root)
	fr.rules()
	fr.sort()
	if len(fr.errs) > 0 {
		return fr.f, fr.errs
	}
	return fr.f, nil
}

type fileReader struct {
	f        File
	errs     FileErrors
	services func(r *fileReader, path string) // reads the services apart, when set
}

// checkText reports every key or value that is not storable text (not UTF-8,
// or a NUL written as "\0"), by its line.
func (r *fileReader) checkText(n *yaml.Node) {
	if p := engage.TextProblem(n.Value); p != "" {
		r.add(n.Line, "", "%s", strings.ToLower(p[:1])+strings.TrimSuffix(p[1:], "."))
	}
	for _, c := range n.Content {
		r.checkText(c)
	}
}

func (r *fileReader) add(line int, path, format string, args ...any) {
	r.errs = append(r.errs, FileError{File: r.f.Name, Line: line, Field: path, Message: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntax reports a YAML syntax error at its line.
func (r *fileReader) syntax(err error) {
	for _, msg := range strings.Split(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || msg == "yaml: unmarshal errors:" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			r.add(n, "", "%s", m[2])
			continue
		}
		r.add(0, "", "%s", strings.TrimPrefix(msg, "yaml: "))
	}
}

func (r *fileReader) sort() {
	slices.SortStableFunc(r.errs, func(a, b FileError) int { return a.Line - b.Line })
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// fields walks a mapping: it records where each key is, reports unknown and
// repeated keys and keys that must be there, and calls fn for the others.
func (r *fileReader) fields(n *yaml.Node, path, what string, known, required []string, fn func(key string, v *yaml.Node, p string)) bool {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		r.add(n.Line, path, "expected %s (key: value lines), got %s", what, describeNode(n))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		p := joinPath(path, k.Value)
		if !slices.Contains(known, k.Value) {
			r.add(k.Line, p, "unknown field %q in %s; expected one of %s", k.Value, what, strings.Join(known, ", "))
			continue
		}
		if line, ok := seen[k.Value]; ok {
			r.add(k.Line, p, "%s is given twice (first on line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		r.f.lines[p] = k.Line
		fn(k.Value, v, p)
	}
	for _, key := range required {
		if _, ok := seen[key]; !ok {
			r.add(n.Line, joinPath(path, key), "missing: %s needs %s", what, key)
		}
	}
	return true
}

// items walks a list, calling fn for each item with its path.
func (r *fileReader) items(n *yaml.Node, path string, fn func(i int, v *yaml.Node, p string)) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		r.add(n.Line, path, "expected a list, got %s", describeNode(n))
		return
	}
	for i, v := range n.Content {
		p := indexPath(path, i)
		r.f.lines[p] = v.Line
		fn(i, deref(v), p)
	}
}

func (r *fileReader) text(n *yaml.Node, path string) string {
	n = deref(n)
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		r.add(n.Line, path, "expected text, got %s", describeNode(n))
		return ""
	}
	return n.Value
}

func (r *fileReader) whole(n *yaml.Node, path string) int {
	n = deref(n)
	if isNull(n) {
		return 0
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v
		}
	}
	r.add(n.Line, path, "expected a whole number, got %s", describeNode(n))
	return 0
}

func (r *fileReader) decimal(n *yaml.Node, path string) decimal.Decimal {
	n = deref(n)
	if isNull(n) {
		return decimal.Zero
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == "!!int" || n.Tag == "!!float") {
		if d, err := decimal.NewFromString(strings.TrimSpace(n.Value)); err == nil {
			return d
		}
	}
	r.add(n.Line, path, "%s is not a decimal number; write it like \"6.50\"", describeNode(n))
	return decimal.Zero
}

func (r *fileReader) date(n *yaml.Node, path string) Date {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if d, err := ParseDate(n.Value); err == nil {
			return d
		}
	}
	r.add(n.Line, path, "%s is not a date: write YYYY-MM-DD", describeNode(n))
	return Date{}
}

func (r *fileReader) choice(n *yaml.Node, path, what string, choices []Choice) string {
	v := r.text(n, path)
	if !valid(choices, v) {
		r.add(deref(n).Line, path, "unknown %s %q; choose one of %s", what, v, values(choices))
	}
	return v
}

func (r *fileReader) texts(n *yaml.Node, path string) []string {
	var out []string
	r.items(n, path, func(_ int, v *yaml.Node, p string) { out = append(out, r.text(v, p)) })
	return out
}

func (r *fileReader) top(n *yaml.Node) {
	r.fields(n, "", "a catalog file", []string{"apiVersion", "kind", "services"}, []string{"apiVersion", "kind"}, func(key string, v *yaml.Node, p string) {
		switch key {
		case "apiVersion":
			if s := r.text(v, p); s != FileAPIVersion {
				r.add(v.Line, p, "unknown apiVersion %q; write %s", s, FileAPIVersion)
			}
		case "kind":
			if s := r.text(v, p); s != FileKind {
				r.add(v.Line, p, "unknown kind %q; write %s", s, FileKind)
			}
		case "services":
			if r.services != nil && isNull(deref(v)) {
				r.services(r, p)
				return
			}
			r.items(v, p, func(_ int, v *yaml.Node, p string) { r.f.Services = append(r.f.Services, r.service(v, p)) })
		}
	})
}

var (
	serviceKeys = []string{"slug", "name", "summary", "description", "kind", "family", "owner", "sourcing", "vendor", "lifecycle",
		"delivery_model", "data_ceiling", "arch_status", "sla", "audience", "tags", "links", "offerings"}
	serviceRequired = []string{"slug", "name", "kind", "family", "sourcing", "lifecycle", "delivery_model", "data_ceiling", "arch_status", "audience"}
	offeringKeys    = []string{"slug", "name", "description", "lifecycle", "lead_time_days", "unit_name", "position", "prices", "meters"}
	offeringReq     = []string{"slug", "name", "lifecycle"}
	priceKeys       = []string{"from", "to", "currency", "unit", "unit_price", "fixed_monthly", "one_time", "minimum", "tier_mode", "tiers"}
	priceRequired   = []string{"from", "currency", "unit"}
)

func (r *fileReader) service(n *yaml.Node, path string) FileService {
	var s FileService
	r.fields(n, path, "a service", serviceKeys, serviceRequired, func(key string, v *yaml.Node, p string) {
		switch key {
		case "slug":
			s.Slug = r.text(v, p)
		case "name":
			s.Name = r.text(v, p)
		case "summary":
			s.Summary = r.text(v, p)
		case "description":
			s.Description = r.text(v, p)
		case "kind":
			s.Kind = r.choice(v, p, "kind", Kinds)
		case "family":
			s.Family = r.choice(v, p, "family", Families)
		case "owner":
			s.Owner = r.text(v, p)
		case "sourcing":
			s.Sourcing = r.choice(v, p, "sourcing", Sourcings)
		case "vendor":
			s.Vendor = r.text(v, p)
		case "lifecycle":
			s.Lifecycle = r.choice(v, p, "lifecycle", Lifecycles)
		case "delivery_model":
			s.DeliveryModel = r.choice(v, p, "delivery model", DeliveryModels)
		case "data_ceiling":
			s.DataCeiling = r.choice(v, p, "data classification", DataClasses)
		case "arch_status":
			s.ArchStatus = r.choice(v, p, "architecture status", ArchStatuses)
		case "sla":
			r.fields(v, p, "an SLA", []string{"availability", "support_hours", "lead_time_days"}, nil, func(key string, v *yaml.Node, p string) {
				switch key {
				case "availability":
					s.SLA.Availability = r.text(v, p)
				case "support_hours":
					s.SLA.SupportHours = r.text(v, p)
				case "lead_time_days":
					s.SLA.LeadTimeDays = r.whole(v, p)
				}
			})
		case "audience":
			s.Audience = r.audience(v, p)
		case "tags":
			s.Tags = r.texts(v, p)
		case "links":
			r.items(v, p, func(_ int, v *yaml.Node, p string) {
				var l Link
				r.fields(v, p, "a link", []string{"title", "url"}, []string{"title", "url"}, func(key string, v *yaml.Node, p string) {
					if key == "title" {
						l.Title = r.text(v, p)
					} else {
						l.URL = r.text(v, p)
					}
				})
				s.Links = append(s.Links, l)
			})
		case "offerings":
			r.items(v, p, func(_ int, v *yaml.Node, p string) { s.Offerings = append(s.Offerings, r.offering(v, p)) })
		}
	})
	return s
}

func (r *fileReader) audience(n *yaml.Node, path string) FileAudience {
	var a FileAudience
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		if n.Value != "all" {
			r.add(n.Line, path, "write audience: all, or name departments, locations or functions by code")
		}
		a.All = true
		return a
	}
	r.fields(n, path, "an audience", []string{"departments", "locations", "functions"}, nil, func(key string, v *yaml.Node, p string) {
		switch key {
		case "departments":
			a.Departments = r.texts(v, p)
		case "locations":
			a.Locations = r.texts(v, p)
		case "functions":
			a.Functions = r.texts(v, p)
		}
	})
	return a
}

func (r *fileReader) offering(n *yaml.Node, path string) FileOffering {
	var o FileOffering
	r.fields(n, path, "an offering", offeringKeys, offeringReq, func(key string, v *yaml.Node, p string) {
		switch key {
		case "slug":
			o.Slug = r.text(v, p)
		case "name":
			o.Name = r.text(v, p)
		case "description":
			o.Description = r.text(v, p)
		case "lifecycle":
			o.Lifecycle = r.choice(v, p, "lifecycle", Lifecycles)
		case "lead_time_days":
			o.LeadTimeDays = r.whole(v, p)
		case "unit_name":
			o.UnitName = r.text(v, p)
		case "position":
			o.Position = r.whole(v, p)
		case "prices":
			r.items(v, p, func(_ int, v *yaml.Node, p string) { o.Prices = append(o.Prices, r.price(v, p)) })
		case "meters":
			r.items(v, p, func(_ int, v *yaml.Node, p string) { o.Meters = append(o.Meters, r.meter(v, p)) })
		}
	})
	return o
}

func (r *fileReader) price(n *yaml.Node, path string) RatePlan {
	p := RatePlan{Tiers: []Tier{}}
	r.fields(n, path, "a price", priceKeys, priceRequired, func(key string, v *yaml.Node, fp string) {
		switch key {
		case "from":
			p.EffectiveFrom = r.date(v, fp)
		case "to":
			if !isNull(deref(v)) {
				d := r.date(v, fp)
				p.EffectiveTo = &d
			}
		case "currency":
			p.Currency = r.text(v, fp)
		case "unit":
			p.Unit = r.choice(v, fp, "unit", Units)
		case "unit_price":
			p.UnitPrice = r.decimal(v, fp)
		case "fixed_monthly":
			p.FixedMonthly = r.decimal(v, fp)
		case "one_time":
			p.OneTime = r.decimal(v, fp)
		case "minimum":
			p.Minimum = r.decimal(v, fp)
		case "tier_mode":
			if s := r.text(v, fp); s != "" {
				p.TierMode = r.choice(v, fp, "tier mode", TierModes)
			}
		case "tiers":
			r.items(v, fp, func(_ int, v *yaml.Node, tp string) {
				var t Tier
				r.fields(v, tp, "a tier", []string{"up_to", "unit_price"}, []string{"unit_price"}, func(key string, v *yaml.Node, kp string) {
					if key == "up_to" {
						if !isNull(deref(v)) {
							d := r.decimal(v, kp)
							t.UpTo = &d
						}
					} else {
						t.UnitPrice = r.decimal(v, kp)
					}
				})
				p.Tiers = append(p.Tiers, t)
			})
		}
	})
	return p
}

// rules checks what needs no database: unique slugs and dates, and the
// package's own offering and price rules, located in the file. A rule is
// not checked where the file already has an error, to say each thing once.
func (r *fileReader) rules() {
	parsed := slices.Clone(r.errs)
	flawed := func(path string) bool {
		return slices.ContainsFunc(parsed, func(e FileError) bool {
			return e.Field == path || strings.HasPrefix(e.Field, path+".") || strings.HasPrefix(e.Field, path+"[")
		})
	}
	services, offerings := map[string]string{}, map[string]string{}
	for i, s := range r.f.Services {
		sp := indexPath("services", i)
		if first, ok := services[s.Slug]; ok && s.Slug != "" {
			r.add(r.f.line(sp+".slug"), sp+".slug", "the service %q is already described at %s", s.Slug, first)
		}
		services[s.Slug] = sp
		for j, o := range s.Offerings {
			op := indexPath(sp+".offerings", j)
			if first, ok := offerings[o.Slug]; ok && o.Slug != "" {
				r.add(r.f.line(op+".slug"), op+".slug", "the offering %q is already described at %s", o.Slug, first)
			}
			offerings[o.Slug] = op
			in := o.input()
			for _, e := range r.f.locate(op, stateless.checkOffering(&in, s.Slug), nil) {
				if !flawed(e.Field) {
					r.errs = append(r.errs, e)
				}
			}
			// Prices with an error of their own are left out of the
			// price rules; the others are checked among themselves.
			var plans []RatePlan
			var paths []string
			froms := map[Date]string{}
			for k, p := range closeOpen(o.Prices) {
				pp := indexPath(op+".prices", k)
				if flawed(pp) {
					continue
				}
				if first, ok := froms[p.EffectiveFrom]; ok {
					r.add(r.f.line(pp+".from"), pp+".from", "another price of this offering starts on %s (%s)", p.EffectiveFrom, first)
					continue
				}
				froms[p.EffectiveFrom] = pp
				plans, paths = append(plans, p), append(paths, pp)
			}
			r.errs = append(r.errs, r.f.planErrors(plans, paths)...)
		}
	}
	r.meterRules()
}

// stateless lets the parser use the catalog's rules that need no database
// or clock.
var stateless = &Catalog{}

func (o FileOffering) input() OfferingInput {
	return OfferingInput{Slug: o.Slug, Name: o.Name, Description: o.Description, Lifecycle: o.Lifecycle, LeadTimeDays: o.LeadTimeDays, UnitName: o.UnitName, Position: o.Position}
}

// line returns the line of path, or of the nearest enclosing field that is
// written in the file, or 0.
func (f *File) line(path string) int {
	for path != "" {
		if n, ok := f.lines[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// fieldNames maps the field names of the package's checks to the file's.
var fieldNames = map[string]string{"owner_id": "owner", "effective_from": "from", "effective_to": "to", "rate_plan": "", "rate_plans": "prices"}

// locate turns the field errors of err, named as the package's checks name
// them, into located file errors under base. rename maps whole field
// names (audience[0].id) to file paths; other errors are located by name.
func (f *File) locate(base string, err error, rename map[string]string) FileErrors {
	if err == nil {
		return nil
	}
	fields := engage.ErrorFields(err)
	if len(fields) == 0 {
		return FileErrors{{File: f.Name, Line: f.line(base), Field: base, Message: engage.ErrorMessage(err),
			forbidden: engage.ErrorCode(err) == engage.EFORBIDDEN}}
	}
	var out FileErrors
	for _, fe := range fields {
		path, ok := rename[fe.Field]
		if !ok {
			parts := strings.Split(fe.Field, ".")
			for i, part := range parts {
				if to, ok := fieldNames[part]; ok {
					parts[i] = to
				}
			}
			path = base
			for _, part := range parts {
				if part != "" {
					path = joinPath(path, part)
				}
			}
		}
		out = append(out, FileError{File: f.Name, Line: f.line(path), Field: path, Message: fe.Message})
	}
	return out
}

var planIndex = regexp.MustCompile(`plans\[(\d+)\]`)

// planErrors checks an offering's plans with checkPlans, naming the price
// each error is about: paths[i] is where plans[i] is written.
func (f *File) planErrors(plans []RatePlan, paths []string) FileErrors {
	err := checkPlans(plans, "plans")
	if err == nil {
		return nil
	}
	var out FileErrors
	for _, fe := range engage.ErrorFields(err) {
		if fe.Field != "plans" {
			// plans[i].field: a plan on its own.
			m := planIndex.FindStringSubmatch(fe.Field)
			if m == nil {
				out = append(out, f.locate(paths[0], &engage.Error{Fields: []engage.FieldError{fe}}, nil)...)
				continue
			}
			i, _ := strconv.Atoi(m[1])
			rest := strings.TrimPrefix(fe.Field, m[0])
			out = append(out, f.locate(paths[i], &engage.Error{Fields: []engage.FieldError{{Field: strings.TrimPrefix(rest, "."), Message: fe.Message}}}, nil)...)
			continue
		}
		// Plans that overlap: name each clash at the later price, and
		// the other price by its date rather than by its index.
		rp := make([]rating.RatePlan, len(plans))
		for i, p := range plans {
			rp[i] = p.Rating(0)
		}
		var ve *rating.ValidationError
		if !errors.As(rating.CheckNoOverlap(rp), &ve) {
			out = append(out, FileError{File: f.Name, Field: paths[0], Line: f.line(paths[0]), Message: fe.Message})
			continue
		}
		for _, clash := range ve.Fields {
			m := planIndex.FindStringSubmatch(clash.Field)
			if m == nil {
				continue
			}
			i, _ := strconv.Atoi(m[1])
			msg := planIndex.ReplaceAllStringFunc(clash.Message, func(s string) string {
				j, _ := strconv.Atoi(planIndex.FindStringSubmatch(s)[1])
				return "the price from " + plans[j].EffectiveFrom.String()
			})
			p := paths[i]
			if strings.HasSuffix(p, "]") {
				p = joinPath(p, "from")
			}
			out = append(out, FileError{File: f.Name, Line: f.line(p), Field: p, Message: msg})
		}
	}
	return out
}

// closeOpen returns plans with their implicit ends: a plan without an end
// ends where the next plan (by start) begins.
func closeOpen(plans []RatePlan) []RatePlan {
	out := slices.Clone(plans)
	for i := range out {
		if out[i].EffectiveTo != nil {
			continue
		}
		var next *Date
		for j := range out {
			if out[j].EffectiveFrom.After(out[i].EffectiveFrom.Time) && (next == nil || out[j].EffectiveFrom.Before(next.Time)) {
				d := out[j].EffectiveFrom
				next = &d
			}
		}
		out[i].EffectiveTo = next
	}
	return out
}

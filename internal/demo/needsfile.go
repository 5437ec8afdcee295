package demo

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
)

// The needs file, needs.yaml: the demo's needs as data. Its header
// describes the fields; readNeeds parses it strictly, so that a mistake is
// reported with its line, need and field before anything is loaded.

//go:embed needs.yaml
var needsYAML []byte

// needsData is the needs file.
type needsData struct {
	Processes         map[string]string          `yaml:"processes"`
	Needs             []needSpec                 `yaml:"needs"`
	ReuseAlternatives map[string]alternativeSpec `yaml:"reuse_alternatives"`
	ReviewNotes       struct {
		Architecture []string            `yaml:"architecture"`
		Security     map[string][]string `yaml:"security"` // by data class
		Finance      []string            `yaml:"finance"`
	} `yaml:"review_notes"`
	DecisionReasons map[string][]string `yaml:"decision_reasons"` // by kind of option
}

// needSpec is one demo need and where its story ends.
type needSpec struct {
	Title      string    `yaml:"title"`
	Department string    `yaml:"department"`
	Requester  string    `yaml:"requester"` // a named account; empty: someone of the department
	Problem    string    `yaml:"problem"`
	Outcome    string    `yaml:"outcome"`
	Users      int       `yaml:"users"`
	DataClass  string    `yaml:"data_class"`
	Budget     *budget   `yaml:"budget"`
	Sponsor    string    `yaml:"sponsor"`
	Ways       []way     `yaml:"ways"` // the first is chosen when decided
	Story      storySpec `yaml:"story"`
}

// budget is what the requester expects to spend, in whole euros.
type budget struct {
	Min int64 `yaml:"min"`
	Max int64 `yaml:"max"`
}

// way is one way to meet a need: reuse a catalog offering, or buy, build
// or broker something. Exactly one of Reuse (the offering's slug), Buy,
// Build and Broker (the option's title) is set. Amounts are whole euros.
type way struct {
	Reuse   string `yaml:"reuse"`
	Buy     string `yaml:"buy"`
	Build   string `yaml:"build"`
	Broker  string `yaml:"broker"`
	Vendor  string `yaml:"vendor"`
	OneTime int64  `yaml:"one_time"`
	Monthly int64  `yaml:"monthly"`
}

// Kinds of way, as need options name them.
const (
	wayReuse  = "reuse"
	wayBuy    = "buy"
	wayBuild  = "build"
	wayBroker = "broker"
)

// kind is reuse, buy, build or broker; title is the offering's slug for
// reuse.
func (w way) kind() (kind, title string) {
	for _, k := range []struct{ kind, title string }{{wayReuse, w.Reuse}, {wayBuy, w.Buy}, {wayBuild, w.Build}, {wayBroker, w.Broker}} {
		if k.title != "" {
			return k.kind, k.title
		}
	}
	return "", ""
}

// storySpec is where a need's story ends (a state) and how it got there: At is
// the state a need was rejected or withdrawn in; Via is info (sent back
// for more information), catalog (sent to the catalog offering of the
// first way) or merge (merged into the need titled Into). Reason is the
// reason of the last move, or the BRM's question.
type storySpec struct {
	Ends   frontdoor.State `yaml:"ends"`
	At     string          `yaml:"at"`
	Via    string          `yaml:"via"`
	Into   string          `yaml:"into"`
	Reason string          `yaml:"reason"`
}

// how is At or Via, whichever is given.
func (s storySpec) how() string { return cmp.Or(s.At, s.Via) }

// alternativeSpec is what a department would otherwise buy instead of
// reusing an offering: priced per user per month plus a fixed monthly fee.
type alternativeSpec struct {
	Title       string `yaml:"buy"`
	Vendor      string `yaml:"vendor"`
	OneTime     string `yaml:"one_time"` // euros, exact
	PerUser     string `yaml:"per_user"` // euros, exact
	Fixed       int64  `yaml:"fixed"`
	Days        int64  `yaml:"delivery_days"`
	DataCeiling string `yaml:"data_ceiling"`

	oneTime, perUser decimal.Decimal
}

// readNeeds parses the demo's needs file against the offerings of the demo
// catalog.
func readNeeds(cf catalog.File) (*needsData, error) {
	slugs := map[string]bool{}
	for _, s := range cf.Services {
		for _, o := range s.Offerings {
			slugs[o.Slug] = true
		}
	}
	return parseNeeds("needs.yaml", needsYAML, slugs)
}

// parseNeeds reads a needs file strictly: unknown keys, departments,
// offerings, accounts, data classes, kinds of way and endings are errors,
// each reported with the line, the need and the field.
func parseNeeds(name string, src []byte, offerings map[string]bool) (*needsData, error) {
	var data needsData
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	v := &needsCheck{lines: map[string]int{}}
	fieldLines(&doc, "", v.lines)
	v.check(&data, offerings)
	if len(v.problems) > 0 {
		slices.SortStableFunc(v.problems, func(a, b problem) int { return a.line - b.line })
		errs := make([]error, len(v.problems))
		for i, p := range v.problems {
			if p.line > 0 {
				errs[i] = fmt.Errorf("%s:%d: %s", name, p.line, p.text)
			} else {
				errs[i] = fmt.Errorf("%s: %s", name, p.text)
			}
		}
		return nil, errors.Join(errs...)
	}
	return &data, nil
}

// fieldLines records the line of every field under n by its path:
// needs[3].ways[0].reuse.
func fieldLines(n *yaml.Node, path string, lines map[string]int) {
	if _, ok := lines[path]; !ok {
		lines[path] = n.Line
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			fieldLines(c, path, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			fieldLines(c, fmt.Sprintf("%s[%d]", path, i), lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if path != "" {
				key = path + "." + key
			}
			lines[key] = n.Content[i].Line
			fieldLines(n.Content[i+1], key, lines)
		}
	}
}

// needsCheck collects the problems of a needs file.
type needsCheck struct {
	lines    map[string]int // by field path
	problems []problem
}

// problem is a mistake in a needs file, at a line (0: not known).
type problem struct {
	line int
	text string
}

// fail reports a problem with a field (a path under the file's root).
func (v *needsCheck) fail(path, format string, args ...any) {
	v.problems = append(v.problems, problem{v.lines[path], path + ": " + fmt.Sprintf(format, args...)})
}

// failNeed reports a problem with a field of need i.
func (v *needsCheck) failNeed(i int, s needSpec, field, format string, args ...any) {
	path := fmt.Sprintf("needs[%d]", i)
	line := v.lines[path]
	// The field's line, or its nearest written parent's.
	for f := field; f != ""; f = f[:max(strings.LastIndexAny(f, ".["), 0)] {
		if l, ok := v.lines[path+"."+f]; ok {
			line = l
			break
		}
	}
	v.problems = append(v.problems, problem{line, fmt.Sprintf("need %q (%s): %s: %s", s.Title, path, field, fmt.Sprintf(format, args...))})
}

func (v *needsCheck) check(data *needsData, offerings map[string]bool) {
	codes := map[string]bool{}
	for _, d := range departments {
		codes[d.code] = true
	}
	people := map[string]bool{}
	for _, a := range Accounts {
		people[a.Email] = true
	}
	for _, d := range departments {
		people[headEmail(d.code)] = true
	}
	classes := map[string]bool{}
	for _, c := range catalog.DataClasses {
		classes[c.Value] = true
	}
	for code := range data.Processes {
		if !codes[code] {
			v.fail("processes."+code, "no demo department %q", code)
		}
	}
	titles := map[string]int{}
	for i, s := range data.Needs {
		if _, dup := titles[s.Title]; !dup {
			titles[s.Title] = i
		}
	}
	for i, s := range data.Needs {
		need := func(field, format string, args ...any) { v.failNeed(i, s, field, format, args...) }
		for _, f := range []struct{ field, value string }{{"title", s.Title}, {"problem", s.Problem}, {"outcome", s.Outcome}} {
			if strings.TrimSpace(f.value) == "" {
				need(f.field, "missing")
			}
		}
		switch {
		case !codes[s.Department]:
			need("department", "no demo department %q", s.Department)
		case data.Processes[s.Department] == "":
			need("department", "no processes for %s under processes", s.Department)
		}
		if s.Requester != "" && !slices.ContainsFunc(Accounts, func(a Account) bool { return a.Email == s.Requester }) {
			need("requester", "%q is not a named demo account", s.Requester)
		}
		if s.Sponsor != "" && !people[s.Sponsor] {
			need("sponsor", "%q is neither a department head nor a named demo account", s.Sponsor)
		}
		if s.Users < 1 || s.Users > People {
			need("users", "%d: want 1 to %d", s.Users, People)
		}
		if !classes[s.DataClass] {
			need("data_class", "%q: want public, internal, confidential or restricted", s.DataClass)
		}
		if b := s.Budget; b != nil && (b.Min < 0 || b.Max < b.Min) {
			need("budget", "%d to %d: want 0 ≤ min ≤ max", b.Min, b.Max)
		}
		for k, w := range s.Ways {
			field := fmt.Sprintf("ways[%d]", k)
			kind, title := w.kind()
			set := 0
			for _, t := range []string{w.Reuse, w.Buy, w.Build, w.Broker} {
				if t != "" {
					set++
				}
			}
			switch {
			case set != 1:
				need(field, "give exactly one of reuse (an offering), buy, build or broker (a title)")
			case kind == wayReuse && !offerings[title]:
				need(field+".reuse", "no offering %q in the demo catalog", title)
			case kind == wayReuse && (w.Vendor != "" || w.OneTime != 0 || w.Monthly != 0):
				need(field, "reuse takes the offering's vendor and prices: no vendor, one_time or monthly")
			case w.OneTime < 0 || w.Monthly < 0:
				need(field, "amounts cannot be negative")
			}
		}
		v.checkStory(i, s, titles)
	}
	for slug, alt := range data.ReuseAlternatives {
		path := "reuse_alternatives." + slug
		if !offerings[slug] {
			v.fail(path, "no offering %q in the demo catalog", slug)
		}
		var err error
		if alt.oneTime, err = decimal.NewFromString(alt.OneTime); err != nil || alt.oneTime.IsNegative() {
			v.fail(path+".one_time", "%q is not an amount", alt.OneTime)
		}
		if alt.perUser, err = decimal.NewFromString(alt.PerUser); err != nil || alt.perUser.IsNegative() {
			v.fail(path+".per_user", "%q is not an amount", alt.PerUser)
		}
		if !classes[alt.DataCeiling] {
			v.fail(path+".data_ceiling", "%q: want public, internal, confidential or restricted", alt.DataCeiling)
		}
		data.ReuseAlternatives[slug] = alt
	}
	for class := range data.ReviewNotes.Security {
		if !classes[class] {
			v.fail("review_notes.security."+class, "%q: want a data class", class)
		}
	}
	if len(data.ReviewNotes.Architecture) == 0 || len(data.ReviewNotes.Finance) == 0 {
		v.fail("review_notes", "architecture and finance need at least one note each")
	}
	for _, kind := range []string{wayReuse, wayBuy, wayBuild, wayBroker} {
		if len(data.DecisionReasons[kind]) == 0 {
			v.fail("decision_reasons", "no reason for %s", kind)
		}
	}
}

// checkStory checks that a need's story has an ending the demo can play.
func (v *needsCheck) checkStory(i int, s needSpec, titles map[string]int) {
	st := s.Story
	need := func(field, format string, args ...any) { v.failNeed(i, s, "story."+field, format, args...) }
	if !slices.Contains(frontdoor.States, st.Ends) {
		need("ends", "unknown state %q", st.Ends)
		return
	}
	if st.At != "" && st.Via != "" {
		need("via", "give at (where it was rejected or withdrawn) or via, not both")
		return
	}
	if _, err := stepsFor(s, i); err != nil {
		// The state is known: how it got there is not.
		field := "ends"
		switch {
		case st.At != "":
			field = "at"
		case st.Via != "":
			field = "via"
		}
		need(field, "%s %s is not a story the demo plays: a need ends in a state, sent back (draft via info), "+
			"closed via catalog or merge, rejected at triage, assessment or decision, or withdrawn at a state", st.Ends, st.how())
		return
	}
	needsReason := st.Via == "info" || st.Via == "catalog" || st.Ends == frontdoor.Rejected || st.Ends == frontdoor.Withdrawn
	switch {
	case st.Via == "merge":
		j, ok := titles[st.Into]
		if !ok || j == i {
			need("into", "%q is not another demo need", st.Into)
		}
		if st.Reason != "" {
			need("reason", "a merge gives its own reason")
		}
	case st.Into != "":
		need("into", "only a merge goes into another need")
	case needsReason && strings.TrimSpace(st.Reason) == "":
		need("reason", "missing: this ending says why")
	case !needsReason && st.Reason != "":
		need("reason", "this ending gives no reason")
	}
	if st.Via == "catalog" && (len(s.Ways) == 0 || s.Ways[0].Reuse == "") {
		need("via", "sent to the catalog, its first way must be a reuse")
	}
}

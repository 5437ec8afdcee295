package catalog

// Meters: how a CloudEvent becomes usage of an offering. A meter is
// declared in the catalog file under the offering it feeds:
//
//	meters:
//	  - event_type: com.example.vm.hours   # the CloudEvent's type, unique in the catalog
//	    value: $.hours                     # where the quantity is in the event's data
//	    unit: unit-hour                    # the unit of the offering's price
//	    aggregation: sum                   # sum | count | max
//
// Decisions:
//   - One event type feeds one offering; an offering may have several
//     meters (one per event type).
//   - value is a small subset of JSONPath: $ followed by .name or ['name']
//     steps and [n] array indexes (no wildcards, filters or slices). The
//     value found must be a JSON number or a string holding a decimal.
//     count takes no value: each event counts 1.
//   - sum and count add up over the billing period; max keeps the largest
//     value of the period (per department and offering): rating prices
//     that largest value, as if it were the period's quantity. An offering
//     is metered one way: max cannot be mixed with sum or count on one
//     offering, and usage sent to /usage for a max offering is maxed too.
//   - The unit must be the unit of the offering's metered prices.
//   - Meters are replaced as a whole per offering written in the file: an
//     offering in the file without meters has none after applying.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/jsonscan"
	"github.com/engagehq/engage/internal/rating"
)

// Aggregations are the ways a meter adds up a period's events.
var Aggregations = []Choice{{"sum", "Sum of the values"}, {"count", "Number of events"}, {"max", "Largest value"}}

// Meter maps a CloudEvent type to usage of an offering.
type Meter struct {
	OfferingID  int64  `json:"offering_id"`
	EventType   string `json:"event_type"`
	Value       string `json:"value,omitempty" doc:"JSONPath subset to the quantity in the event's data; empty for count"`
	Unit        string `json:"unit"`
	Aggregation string `json:"aggregation" enum:"sum,count,max"`
}

// maxEventType bounds an event type's length.
const maxEventType = 200

// meterKeys are the fields of a meter in the catalog file.
var (
	meterKeys     = []string{"event_type", "value", "unit", "aggregation"}
	meterRequired = []string{"event_type", "unit", "aggregation"}
)

func (r *fileReader) meter(n *yaml.Node, path string) Meter {
	var m Meter
	r.fields(n, path, "a meter", meterKeys, meterRequired, func(key string, v *yaml.Node, p string) {
		switch key {
		case "event_type":
			m.EventType = r.text(v, p)
		case "value":
			m.Value = r.text(v, p)
		case "unit":
			m.Unit = r.choice(v, p, "unit", Units)
		case "aggregation":
			m.Aggregation = r.choice(v, p, "aggregation", Aggregations)
		}
	})
	return m
}

// checkMeter checks a meter on its own; the problems are located at path.
func (r *fileReader) checkMeter(m Meter, path string) {
	switch {
	case strings.TrimSpace(m.EventType) == "":
		r.add(r.f.line(path+".event_type"), path+".event_type", "give the CloudEvents type this meter counts")
	case len(m.EventType) > maxEventType || strings.ContainsAny(m.EventType, " \t\r\n"):
		r.add(r.f.line(path+".event_type"), path+".event_type", "an event type is at most %d characters, without spaces", maxEventType)
	}
	if m.Unit != "" && valid(Units, m.Unit) && !rating.Unit(m.Unit).Metered() {
		r.add(r.f.line(path+".unit"), path+".unit", "%s is not a metered unit; a meter feeds a unit-hour, request or unit price", m.Unit)
	}
	if m.Aggregation == "count" {
		if m.Value != "" {
			r.add(r.f.line(path+".value"), path+".value", "a count meter counts events and takes no value; remove value")
		}
	} else if valid(Aggregations, m.Aggregation) {
		if m.Value == "" {
			r.add(r.f.line(path+".value"), path+".value", "a %s meter needs value: the path to the quantity in the event's data, such as $.hours", m.Aggregation)
		} else if _, err := ParsePath(m.Value); err != nil {
			r.add(r.f.line(path+".value"), path+".value", "%v", err)
		}
	}
}

// meterRules checks the meters of every offering of the file: each on its
// own, event types unique in the file, and one way of aggregating per
// offering.
func (r *fileReader) meterRules() {
	types := map[string]string{}
	for i, s := range r.f.Services {
		for j, o := range s.Offerings {
			op := indexPath(indexPath("services", i)+".offerings", j)
			kinds := map[bool]bool{}
			for k, m := range o.Meters {
				mp := indexPath(op+".meters", k)
				r.checkMeter(m, mp)
				if first, ok := types[m.EventType]; ok && m.EventType != "" {
					r.add(r.f.line(mp+".event_type"), mp+".event_type", "the event type %q is already metered at %s", m.EventType, first)
				}
				types[m.EventType] = mp
				if m.Aggregation != "" {
					kinds[m.Aggregation == "max"] = true
				}
			}
			if len(kinds) > 1 {
				r.add(r.f.line(op+".meters"), op+".meters", "an offering is metered by max, or by sum and count, not both: its period's quantity is one or the other")
			}
		}
	}
}

// Path is a parsed meter value path.
type Path []pathStep

type pathStep struct {
	key   string
	index int // when key is empty
}

// maxPathSteps bounds a path.
const maxPathSteps = 16

// ParsePath reads the JSONPath subset meters use: $ then .name, ['name']
// or [n] steps.
func ParsePath(s string) (Path, error) {
	bad := func(why string) (Path, error) {
		return nil, fmt.Errorf("%q is not a value path (%s); write $ then .name, ['name'] or [0] steps, such as $.usage.hours", s, why)
	}
	if !strings.HasPrefix(s, "$") {
		return bad("it must start with $")
	}
	rest := s[1:]
	var p Path
	for rest != "" {
		if len(p) == maxPathSteps {
			return bad(fmt.Sprintf("at most %d steps", maxPathSteps))
		}
		switch {
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" || name == "*" {
				return bad("a name after . is missing")
			}
			p, rest = append(p, pathStep{key: name}), rest[1+end:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest[2:], "']")
			if end <= 0 {
				return bad("an unclosed or empty ['name']")
			}
			p, rest = append(p, pathStep{key: rest[2 : 2+end]}), rest[2+end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return bad("an unclosed [")
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 || n > 1<<20 {
				return bad("an index is a whole number from 0")
			}
			p, rest = append(p, pathStep{index: n}), rest[end+1:]
		default:
			return bad(fmt.Sprintf("unexpected %q", rest[:1]))
		}
	}
	if len(p) == 0 {
		return bad("it names nothing inside the data")
	}
	return p, nil
}

// Read finds the value at the path in data (JSON) and reads it as a
// decimal: a JSON number, or a string holding one.
func (p Path) Read(data json.RawMessage) (decimal.Decimal, error) {
	if d, ok := p.readPlain(data); ok {
		return d, nil
	}
	return p.readDecoded(data)
}

// readDecoded is Read by encoding/json, for any data; it names what is
// wrong.
func (p Path) readDecoded(data json.RawMessage) (decimal.Decimal, error) {
	cur := data
	for _, st := range p {
		if st.key != "" {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(cur, &obj); err != nil {
				return decimal.Zero, fmt.Errorf("the data holds no object where %q is looked for", st.key)
			}
			v, ok := obj[st.key]
			if !ok {
				return decimal.Zero, fmt.Errorf("the data has no %q", st.key)
			}
			cur = v
			continue
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(cur, &arr); err != nil || st.index >= len(arr) {
			return decimal.Zero, fmt.Errorf("the data has no item [%d]", st.index)
		}
		cur = arr[st.index]
	}
	s := strings.TrimSpace(string(cur))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(cur, &s); err != nil {
			return decimal.Zero, fmt.Errorf("the value is not readable text")
		}
	} else if s == "" || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return decimal.Zero, fmt.Errorf("the value %s is not a number", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("the value %q is not a number", s)
	}
	return d, nil
}

// readPlain reads a number (or a string holding one) at a path of names in
// plainly written data without decoding the objects on the way, and says
// whether it could; Read then says why not.
func (p Path) readPlain(data []byte) (decimal.Decimal, bool) {
	cur := data
	for _, st := range p {
		if st.key == "" {
			return decimal.Zero, false
		}
		var found []byte
		i, end := jsonscan.Space(cur, 0), 0
		if !jsonscan.Members(cur, i, func(name, v []byte) bool {
			if string(name) == st.key {
				found = v
			}
			return true
		}, &end, 0) || found == nil || jsonscan.Space(cur, end) != len(cur) {
			return decimal.Zero, false
		}
		cur = found
	}
	switch {
	case len(cur) > 1 && cur[0] == '"':
		cur = cur[1 : len(cur)-1]
	case len(cur) > 0 && (cur[0] == '-' || cur[0] >= '0' && cur[0] <= '9'):
	default:
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(string(cur))
	return d, err == nil
}

// allMeters reads every meter, by offering then event type.
func allMeters(ctx context.Context, q db.Querier) ([]Meter, error) {
	rows, err := q.Query(ctx, "SELECT offering_id, event_type, value_path, unit, aggregation FROM meters ORDER BY offering_id, event_type")
	if err != nil {
		return nil, fmt.Errorf("reading meters: %w", err)
	}
	defer rows.Close()
	var out []Meter
	for rows.Next() {
		var m Meter
		if err := rows.Scan(&m.OfferingID, &m.EventType, &m.Value, &m.Unit, &m.Aggregation); err != nil {
			return nil, fmt.Errorf("reading meters: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// meterText describes a meter in a plan.
func meterText(m Meter) string {
	s := m.EventType + " → " + m.Aggregation
	if m.Value != "" {
		s += " of " + m.Value
	}
	return s + " in " + m.Unit
}

// sortMeters puts an offering's meters in event type order.
func sortMeters(ms []Meter) {
	slices.SortFunc(ms, func(a, b Meter) int { return strings.Compare(a.EventType, b.EventType) })
}

// meterWrite replaces an offering's meters.
type meterWrite struct {
	offeringID *int64
	name       string
	stored     []Meter
	want       []Meter
}

// meters compares an offering's meters in the file with the stored ones,
// checks them against the offering's prices and the other offerings'
// meters, and queues their replacement.
func (a *applier) meters(fo *FileOffering, op string, prices []RatePlan, offeringID *int64, cur *Offering) {
	var stored []Meter
	if cur != nil {
		stored = a.metersOf[cur.ID]
	}
	for k, m := range fo.Meters {
		mp := indexPath(op+".meters", k)
		// An event type may move between offerings the file writes (their
		// meters are all replaced), not take one another keeps.
		if owner, ok := a.meterOwner[m.EventType]; ok && (cur == nil || owner != cur.ID) && !a.written[owner] {
			a.fail(mp+".event_type", false, "the event type %q already feeds the offering %q", m.EventType, a.slugOf[owner])
		}
		if !slices.ContainsFunc(prices, func(p RatePlan) bool { return p.Unit == m.Unit }) {
			a.fail(mp+".unit", false, "%s has no price in %s; a meter's unit is the unit of the offering's metered price", fo.Name, m.Unit)
		}
	}
	want := slices.Clone(fo.Meters)
	sortMeters(want)
	before := map[string]Meter{}
	for _, m := range stored {
		before[m.EventType] = m
	}
	changed := len(want) != len(stored)
	for _, m := range want {
		old, ok := before[m.EventType]
		delete(before, m.EventType)
		old.OfferingID = 0
		switch {
		case !ok:
			changed = true
			a.change(Change{Action: ActionCreate, Kind: "meter", Slug: fo.Slug, Details: []string{meterText(m)}})
		case old != m:
			changed = true
			a.change(Change{Action: ActionUpdate, Kind: "meter", Slug: fo.Slug, Details: []string{meterText(old) + " → " + meterText(m)}})
		default:
			a.change(Change{Action: ActionUnchanged, Kind: "meter", Slug: fo.Slug, Details: []string{meterText(m)}})
		}
	}
	for _, m := range stored {
		if _, gone := before[m.EventType]; gone {
			a.change(Change{Action: ActionUpdate, Kind: "meter", Slug: fo.Slug, Details: []string{"removed " + meterText(m)}})
		}
	}
	if changed {
		a.meterWrites = append(a.meterWrites, meterWrite{offeringID: offeringID, name: fo.Name, stored: stored, want: want})
	}
}

// writeMeters replaces the meters of the offerings the file changes them
// for: all removals first, so that an event type can move from one
// offering to another.
func (a *applier) writeMeters(ctx context.Context) error {
	for _, w := range a.meterWrites {
		if _, err := a.tx.Exec(ctx, "DELETE FROM meters WHERE offering_id = ?", *w.offeringID); err != nil {
			return fmt.Errorf("replacing meters: %w", err)
		}
	}
	for _, w := range a.meterWrites {
		for _, m := range w.want {
			if _, err := a.tx.Exec(ctx, "INSERT INTO meters(offering_id, event_type, value_path, unit, aggregation) VALUES (?, ?, ?, ?, ?)",
				*w.offeringID, m.EventType, m.Value, m.Unit, m.Aggregation); err != nil {
				return fmt.Errorf("storing meter %s: %w", m.EventType, err)
			}
		}
		if err := a.record(ctx, "update", "offering", *w.offeringID, "Set the meters of "+w.name, w.stored, w.want); err != nil {
			return err
		}
	}
	return nil
}

// loadMeters reads the stored meters for the applier.
func (a *applier) loadMeters(ctx context.Context) error {
	ms, err := allMeters(ctx, a.tx)
	if err != nil {
		return err
	}
	a.metersOf, a.meterOwner, a.slugOf, a.written = map[int64][]Meter{}, map[string]int64{}, map[int64]string{}, map[int64]bool{}
	for _, m := range ms {
		owner := m.OfferingID
		m.OfferingID = 0 // compared with the file's, which have none
		a.metersOf[owner] = append(a.metersOf[owner], m)
		a.meterOwner[m.EventType] = owner
	}
	for slug, o := range a.offerings {
		a.slugOf[o.ID] = slug
	}
	for _, s := range a.f.Services {
		for _, o := range s.Offerings {
			if cur := a.offerings[o.Slug]; cur != nil {
				a.written[cur.ID] = true
			}
		}
	}
	return nil
}

// MeterOf returns the meter of a CloudEvent type; false when no meter has
// that type.
func (c *Catalog) MeterOf(ctx context.Context, eventType string) (Meter, bool, error) {
	s, err := c.snapshot(ctx)
	if err != nil {
		return Meter{}, false, err
	}
	m, ok := s.meters[eventType]
	if !ok {
		return Meter{}, false, nil
	}
	return *m, true, nil
}

// Maxed reports whether an offering's usage is aggregated by its largest
// value in the period (a max meter) rather than added up.
func (c *Catalog) Maxed(ctx context.Context, offeringID int64) (bool, error) {
	s, err := c.snapshot(ctx)
	if err != nil {
		return false, err
	}
	return s.maxed[offeringID], nil
}

// snapshotMeters adds the meters to a snapshot being built.
func snapshotMeters(ctx context.Context, q db.Querier, s *snapshot) error {
	ms, err := allMeters(ctx, q)
	if err != nil {
		return err
	}
	s.meters, s.maxed = map[string]*Meter{}, map[int64]bool{}
	for i := range ms {
		s.meters[ms[i].EventType] = &ms[i]
		if ms[i].Aggregation == "max" {
			s.maxed[ms[i].OfferingID] = true
		}
	}
	return nil
}

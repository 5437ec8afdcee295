package page

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// funcs are the template functions every page has. An area's own
// functions are given with its templates (Templates.Funcs); the functions
// that depend on the reader's time zone are zoneFuncs.
var funcs = template.FuncMap{
	"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"roleLabel": func(r access.Role) string {
		if l, ok := access.RoleLabels[r]; ok {
			return l
		}
		return string(r)
	},
	"allRoles": func() []access.Role { return access.AllRoles },
	"hasRole":  func(roles []access.Role, r access.Role) bool { return slices.Contains(roles, r) },
	"plural":   Plural,
	"str":      func(v any) string { return fmt.Sprint(v) },
	// field describes one labelled input for the "field" template:
	// field . name label hint [type [autocomplete]].
	"field": Field,
	// next builds the link to the next page ("?…"), keeping the filters.
	"next": NextPage,
	// formKey makes the key of one sending of a form that creates
	// something (see OnceForm).
	"formKey": RandomString,
	// csvLink is the link to the CSV of what a page lists: its filters,
	// every page.
	"csvLink": func(q url.Values) template.URL {
		v := url.Values{}
		for k, vs := range q {
			if k != "cursor" && k != "format" {
				v[k] = vs
			}
		}
		v.Set("format", "csv")
		return template.URL("?" + v.Encode())
	},
	"words":    Words,
	"list":     func(xs ...string) []string { return xs },
	"selected": func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"inList":   func(list, item string) bool { return slices.Contains(strings.Split(list, ","), item) },
	"idIn":     func(csv string, id int64) bool { return slices.Contains(strings.Split(csv, ","), fmt.Sprint(id)) },
	"checked":  func(selected []string, v string) bool { return slices.Contains(selected, v) },
	"count":    func(m map[string]int, key string) int { return m[key] },
	"add":      func(a, b int) int { return a + b },
	"lower":    strings.ToLower,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"markdown": Markdown,
	"safeHTML": func(h template.HTML) template.HTML { return h },

	// Money and numbers (format.go).
	"money": catalog.FormatMoney,
	"price": func(p *catalog.Price) string {
		if p == nil {
			return ""
		}
		return catalog.FormatPrice(*p)
	},
	"approvalMoney": PreciseMoney,
	"quantity":      FormatQuantity,
	"thousands":     func(n int64) string { return FormatQuantity(decimal.NewFromInt(n)) },
	"perUnit":       PerUnitMoney,
	"unitQty":       func(unit string) string { return catalog.UnitLabels[unit].Quantity },
	// unitPer: unit [unit name] — "per unit per month", "per GB-month".
	"unitPer": func(unit string, name ...string) string { return catalog.UnitPer(unit, strings.Join(name, "")) },

	// Lists of choices, by name: label list value, choices list.
	"label":   func(list, value string) string { return catalog.Label(ChoiceLists[list], value) },
	"choices": func(list string) []catalog.Choice { return ChoiceLists[list] },

	// The stage of a need in words (the home page, the front door).
	"needState": NeedState,
}

// ChoiceLists are the lists of choices templates name (label, choices).
var ChoiceLists = map[string][]catalog.Choice{
	"kind": catalog.Kinds, "family": catalog.Families, "sourcing": catalog.Sourcings, "lifecycle": catalog.Lifecycles,
	"delivery": catalog.DeliveryModels, "data": catalog.DataClasses, "arch": catalog.ArchStatuses, "announcement": catalog.AnnouncementKinds,
	"needkind": {{Value: "reuse", Label: "Reuse a catalog service"}, {Value: "buy", Label: "Buy"},
		{Value: "build", Label: "Build in-house"}, {Value: "broker", Label: "Broker from a vendor"}},
}

// Field describes one labelled input for the "field" and "fieldhead"
// partials: its name, label and hint, its type and autocomplete ("text"
// and none unless given), what was typed and the error of the page's
// rejected form.
func Field(v View, name, label, hint string, rest ...string) map[string]any {
	b := v.PageBase()
	typ, auto := "text", ""
	if len(rest) > 0 {
		typ = rest[0]
	}
	if len(rest) > 1 {
		auto = rest[1]
	}
	errMsg := b.FieldError(name)
	var ids []string
	if hint != "" {
		ids = append(ids, name+"-hint")
	}
	if errMsg != "" {
		ids = append(ids, name+"-error")
	}
	return map[string]any{"Name": name, "Label": label, "Hint": hint, "Type": typ, "Auto": auto,
		"Value": b.Form[name], "Error": errMsg, "DescribedBy": strings.Join(ids, " ")}
}

// NextPage is the relative link to the next page of a list: the request's
// query with the cursor replaced, or "" on the last page. It is a whole
// URL, made here and marked safe, because html/template escapes a value
// placed after a literal "?" as one query value: the "=" and "&" between
// the parameters would be escaped and the server would see no cursor.
func NextPage(q url.Values, cursor string) template.URL {
	if cursor == "" {
		return ""
	}
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("cursor", cursor)
	return template.URL("?" + v.Encode())
}

// Words writes a field or kind name for people: "api_token" is "API
// token", "parent_id" is "Parent ID".
func Words(name string) string {
	parts := strings.Split(strings.ReplaceAll(name, "-", "_"), "_")
	for i, w := range parts {
		switch w {
		case "id", "api", "url", "csv", "sso", "brm", "sla":
			parts[i] = strings.ToUpper(w)
		default:
			if i == 0 && w != "" {
				parts[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(parts, " ")
}

// Dates and times read the same on every page: "7 Dec 2026", and
// "7 Dec 2026, 10:30 CET" in the reader's time zone, named.
const (
	DateLayout     = "2 Jan 2006"
	dateTimeLayout = "2 Jan 2006, 15:04 MST"
)

// instant returns the time a template value holds: a time.Time, a
// *time.Time, a calendar date (catalog.Date or YYYY-MM-DD text). ok is
// false for nil, zero and anything else; isDay says it is a calendar date,
// which no time zone moves.
func instant(v any) (t time.Time, isDay, ok bool) {
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	case catalog.Date:
		t, isDay = x.Time, true
	case *catalog.Date:
		if x != nil {
			t, isDay = x.Time, true
		}
	case string:
		d, err := time.Parse(time.DateOnly, x)
		if err != nil {
			return time.Time{}, false, false
		}
		t, isDay = d, true
	}
	return t, isDay, !t.IsZero()
}

// ReaderZone is the time zone of p's location, UTC when none is known.
func ReaderZone(p *access.Principal) *time.Location {
	if p == nil || p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DayRange reads the days a page is filtered to, the query's from and to
// (YYYY-MM-DD, as <input type="date"> sends them), as instants in the
// reader's time zone: from the start of the first day to the end of the
// last. An empty day leaves its end zero.
func DayRange(r *http.Request, now time.Time) (fromText, toText string, from, until time.Time, err error) {
	loc := ReaderZone(access.FromContext(r.Context()))
	q := r.URL.Query()
	fromText, toText = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	for _, d := range []struct {
		label, text string
		into        *time.Time
		days        int
	}{{"From", fromText, &from, 0}, {"To", toText, &until, 1}} {
		if d.text == "" {
			continue
		}
		day, perr := time.ParseInLocation(time.DateOnly, d.text, loc)
		if perr != nil {
			return fromText, toText, from, until, engage.Errorf(engage.EINVALID, "%s: %q is not a date; choose a day such as %s.", d.label, d.text, now.In(loc).Format(time.DateOnly))
		}
		*d.into = day.AddDate(0, 0, d.days)
	}
	return fromText, toText, from, until, nil
}

// zoneFuncs are the template functions that depend on the reader's time
// zone: date and datetime (and needWhen, the front door's name for date).
func zoneFuncs(loc *time.Location) template.FuncMap {
	date := func(v any) string {
		t, isDay, ok := instant(v)
		if !ok {
			if s, isText := v.(string); isText {
				return s // not a date: shown as it is
			}
			return ""
		}
		if isDay {
			return t.Format(DateLayout)
		}
		return t.In(loc).Format(DateLayout)
	}
	return template.FuncMap{
		"date":     date,
		"needWhen": date,
		"datetime": func(v any) string {
			t, isDay, ok := instant(v)
			if !ok || isDay {
				return date(v)
			}
			return t.In(loc).Format(dateTimeLayout)
		},
	}
}

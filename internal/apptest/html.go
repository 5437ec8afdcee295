package apptest

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// Engage's pages are read here with a small tag scanner rather than a full
// HTML parser: the templates write well-formed tags with quoted attributes,
// and the tests only need links, forms and their fields.

var (
	tagPattern  = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--.*?-->`)
	attrPattern = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
)

// Tag is one start or end tag of a page.
type Tag struct {
	Name  string // lower case
	End   bool
	Attrs map[string]string
	// Text is the text after the tag, up to the next tag.
	Text string
}

// Has reports whether the tag carries the attribute.
func (t Tag) Has(name string) bool { _, ok := t.Attrs[name]; return ok }

// Tags lists the tags of a page in order, skipping comments and the insides
// of scripts and styles.
func Tags(page string) []Tag {
	var tags []Tag
	locs := tagPattern.FindAllStringSubmatchIndex(page, -1)
	skipUntil := ""
	for i, loc := range locs {
		if loc[4] < 0 { // a comment
			continue
		}
		name := strings.ToLower(page[loc[4]:loc[5]])
		end := loc[3] > loc[2]
		if skipUntil != "" {
			if end && name == skipUntil {
				skipUntil = ""
			} else {
				continue
			}
		}
		t := Tag{Name: name, End: end, Attrs: map[string]string{}}
		if !end {
			for _, m := range attrPattern.FindAllStringSubmatch(page[loc[6]:loc[7]], -1) {
				v := m[2] + m[3] + m[4]
				t.Attrs[strings.ToLower(m[1])] = html.UnescapeString(v)
			}
			if name == "script" || name == "style" {
				skipUntil = name
			}
		}
		next := len(page)
		if i+1 < len(locs) {
			next = locs[i+1][0]
		}
		t.Text = html.UnescapeString(page[loc[1]:next])
		tags = append(tags, t)
	}
	return tags
}

// Link is one <a href> of a page.
type Link struct {
	Href string
	Text string
	Rel  string
}

// Links lists the page's links with their visible text.
func Links(page string) []Link {
	var links []Link
	tags := Tags(page)
	for i, t := range tags {
		if t.Name != "a" || t.End || !t.Has("href") {
			continue
		}
		var text strings.Builder
		for j := i; j < len(tags); j++ {
			if j > i && tags[j].Name == "a" {
				break
			}
			text.WriteString(tags[j].Text)
		}
		links = append(links, Link{Href: t.Attrs["href"], Text: strings.Join(strings.Fields(text.String()), " "), Rel: t.Attrs["rel"]})
	}
	return links
}

// Field is one control of a form.
type Field struct {
	Tag      string // input, select, textarea, button
	Type     string
	Name, ID string
	Value    string
	Checked  bool
	Options  []string // a select's option values
	Labelled bool     // has a label, or an aria-label
	// Multiple is a list that takes several options; Selected are those
	// chosen as rendered (a browser sends none when none is chosen).
	Multiple bool
	Selected []string
}

// Form is one <form> of a page.
type Form struct {
	Action, Method string
	Fields         []Field
}

// Values is what the form sends as rendered: hidden and typed-in values,
// ticked boxes, the selected (or first) option of each list, and the
// selected options (perhaps none) of a list that takes several.
func (f Form) Values() url.Values {
	v := url.Values{}
	for _, c := range f.Fields {
		switch {
		case c.Name == "" || c.Tag == "button" || c.Type == "submit" || c.Type == "file":
		case c.Tag == "select" && c.Multiple:
			for _, s := range c.Selected {
				v.Add(c.Name, s)
			}
		case c.Type == "checkbox" || c.Type == "radio":
			if c.Checked {
				val := c.Value
				if val == "" {
					val = "on"
				}
				v.Add(c.Name, val)
			}
		default:
			v.Add(c.Name, c.Value)
		}
	}
	return v
}

// Unlabelled lists the names (or ids) of the form's controls that a screen
// reader could not name.
func (f Form) Unlabelled() []string {
	var out []string
	for _, c := range f.Fields {
		if c.Tag == "button" || c.Type == "hidden" || c.Type == "submit" || c.Type == "button" || c.Labelled {
			continue
		}
		out = append(out, c.Tag+" "+c.Name+"#"+c.ID)
	}
	return out
}

// Forms lists the page's forms with their controls.
func Forms(page string) []Form {
	tags := Tags(page)
	labelFor := map[string]bool{}
	for _, t := range tags {
		if t.Name == "label" && !t.End && t.Attrs["for"] != "" {
			labelFor[t.Attrs["for"]] = true
		}
	}
	var forms []Form
	var cur *Form
	inLabel := 0
	var sel *Field
	for i, t := range tags {
		switch {
		case t.Name == "form" && !t.End:
			method := strings.ToUpper(t.Attrs["method"])
			if method == "" {
				method = "GET"
			}
			forms = append(forms, Form{Action: t.Attrs["action"], Method: method})
			cur = &forms[len(forms)-1]
		case t.Name == "form" && t.End:
			cur = nil
		case t.Name == "label":
			if t.End {
				inLabel--
			} else {
				inLabel++
			}
		case cur == nil:
		case (t.Name == "input" || t.Name == "select" || t.Name == "textarea" || t.Name == "button") && !t.End:
			typ := strings.ToLower(t.Attrs["type"])
			if typ == "" && t.Name == "input" {
				typ = "text"
			}
			c := Field{Tag: t.Name, Type: typ, Name: t.Attrs["name"], ID: t.Attrs["id"], Value: t.Attrs["value"], Checked: t.Has("checked"),
				Multiple: t.Name == "select" && t.Has("multiple")}
			c.Labelled = inLabel > 0 || (c.ID != "" && labelFor[c.ID]) || t.Attrs["aria-label"] != "" || t.Attrs["aria-labelledby"] != "" || t.Attrs["title"] != ""
			if t.Name == "textarea" {
				c.Value = strings.TrimPrefix(t.Text, "\n")
			}
			cur.Fields = append(cur.Fields, c)
			if t.Name == "select" {
				sel = &cur.Fields[len(cur.Fields)-1]
			}
		case t.Name == "select" && t.End:
			sel = nil
		case t.Name == "option" && !t.End && sel != nil:
			v, ok := t.Attrs["value"]
			if !ok {
				v = strings.TrimSpace(tags[i].Text)
			}
			if len(sel.Options) == 0 || t.Has("selected") {
				sel.Value = v
			}
			if t.Has("selected") {
				sel.Selected = append(sel.Selected, v)
			}
			sel.Options = append(sel.Options, v)
		}
	}
	return forms
}

// FormFor returns the page's first form posting to action.
func FormFor(page, action string) (Form, bool) {
	for _, f := range Forms(page) {
		if f.Action == action {
			return f, true
		}
	}
	return Form{}, false
}

func (f Form) hasField(name string) bool {
	for _, c := range f.Fields {
		if c.Name == name {
			return true
		}
	}
	return false
}

package page

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

type sampleView struct {
	Base
	Items []struct{ Name string }
}

func areaOf(content string) Templates {
	return Templates{Area: "sample", FS: fstest.MapFS{"templates/sample.html": {Data: []byte(content)}},
		Views: map[string]View{"sample.html": &sampleView{}}}
}

// TestCheckTemplatesNamesMissingFields: a field the view lacks fails the
// check, even on a branch the sample does not reach.
func TestCheckTemplatesNamesMissingFields(t *testing.T) {
	for _, c := range []struct{ content, missing string }{
		{`{{define "content"}}{{range .Items}}{{.Name}}{{end}}{{.Title}}{{.P.Name}}{{end}}`, ""},
		{`{{define "content"}}{{range .Items}}{{.Nmae}}{{end}}{{end}}`, "Nmae"},
		{`{{define "content"}}{{if .Items}}{{.Count}}{{end}}{{end}}`, "Count"},
		{`{{define "content"}}{{with $x := .Items}}{{range $i, $it := $x}}{{$it.Size}}{{end}}{{end}}{{end}}`, "Size"},
		{`{{define "content"}}{{template "part" .}}{{end}}{{define "part"}}{{if false}}{{.Base.Nope}}{{end}}{{end}}`, "Nope"},
	} {
		var k Kit
		if err := k.Register(areaOf(c.content)); err != nil {
			t.Fatal(err)
		}
		err := k.CheckTemplates()
		switch {
		case c.missing == "" && err != nil:
			t.Errorf("%s: %v", c.content, err)
		case c.missing != "" && (err == nil || !strings.Contains(err.Error(), "has no field or method "+c.missing)):
			t.Errorf("%s: got %v, want %s named", c.content, err, c.missing)
		}
	}
}

// TestRegisterWantsAViewForEachTemplate: a template without a view, or a
// view without a template, is refused; so is rendering with another view.
func TestRegisterWantsAViewForEachTemplate(t *testing.T) {
	ts := areaOf(`{{define "content"}}{{end}}`)
	ts.Views = map[string]View{}
	if err := new(Kit).Register(ts); err == nil || !strings.Contains(err.Error(), "has no view") {
		t.Errorf("a template without a view: %v", err)
	}
	ts.Views = map[string]View{"sample.html": &sampleView{}, "other.html": &sampleView{}}
	if err := new(Kit).Register(ts); err == nil {
		t.Error("a view without a template is accepted")
	}
	var k Kit
	if err := k.Register(areaOf(`{{define "content"}}{{end}}`)); err != nil {
		t.Fatal(err)
	}
	if err := k.Register(areaOf(`{{define "content"}}{{end}}`)); err == nil {
		t.Error("two areas' templates of the same name are accepted")
	}
	if err := k.render(nil, httptestRequest(), "sample.html", &Base{}); err == nil || !strings.Contains(err.Error(), "its view is") {
		t.Errorf("rendering with another view: %v", err)
	}
}

func httptestRequest() *http.Request { return httptest.NewRequest("GET", "/", nil) }

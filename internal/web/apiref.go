package web

import (
	"fmt"
	"github.com/engagehq/engage/internal/web/page"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference is Engage's own reading of the OpenAPI document that
// the API serves, rendered on the server: no script, no outside requests.

type apiReference struct {
	Title, Version, Description string
	Base                        string
	Tags                        []apiTag
	Schemas                     []apiSchema
}

type apiTag struct {
	Name, ID   string
	Operations []apiOperation
}

type apiOperation struct {
	ID, Method, Path, Summary, Description string
	Params                                 []apiField
	Body                                   *apiType
	Responses                              []apiResponse
}

type apiResponse struct {
	Status, Description string
	Body                *apiType
}

// apiType names a schema: a link to a named one, or its kind in words.
type apiType struct {
	Text string
	Ref  string // the named schema linked to, when there is one
}

type apiField struct {
	Name, In    string
	Type        apiType
	Required    bool
	Description string
}

type apiSchema struct {
	Name, Description string
	Type              apiType
	Fields            []apiField
}

const schemaRefPrefix = "#/components/schemas/"

func (s *Server) apiReferencePage(w http.ResponseWriter, r *http.Request) error {
	if s.OpenAPI == nil {
		return fmt.Errorf("the API reference needs the OpenAPI document")
	}
	s.kit.Render(w, r, "api_reference.html", &apiReferenceView{Base: page.Base{Title: "API reference"}, Ref: readAPIReference(s.OpenAPI())})
	return nil
}

// readAPIReference groups the document's operations by tag, in the order
// the tags first appear by path, and lists the named schemas by name.
func readAPIReference(doc *huma.OpenAPI) apiReference {
	ref := apiReference{}
	if doc.Info != nil {
		ref.Title, ref.Version, ref.Description = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	if len(doc.Servers) > 0 {
		ref.Base = doc.Servers[0].URL
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	byTag := map[string]int{}
	for _, p := range paths {
		item := doc.Paths[p]
		for _, m := range []struct {
			method string
			op     *huma.Operation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if m.op == nil || m.op.Hidden {
				continue
			}
			tag := "Other"
			if len(m.op.Tags) > 0 {
				tag = m.op.Tags[0]
			}
			i, ok := byTag[tag]
			if !ok {
				i = len(ref.Tags)
				byTag[tag] = i
				ref.Tags = append(ref.Tags, apiTag{Name: tag, ID: "tag-" + anchor(tag)})
			}
			ref.Tags[i].Operations = append(ref.Tags[i].Operations, readOperation(m.method, p, m.op))
		}
	}
	slices.SortStableFunc(ref.Tags, func(a, b apiTag) int { return strings.Compare(a.Name, b.Name) })
	if doc.Components != nil && doc.Components.Schemas != nil {
		named := doc.Components.Schemas.Map()
		names := make([]string, 0, len(named))
		for n := range named {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			sc := named[n]
			ref.Schemas = append(ref.Schemas, apiSchema{Name: n, Description: sc.Description, Type: typeOf(sc), Fields: fieldsOf(sc)})
		}
	}
	return ref
}

func readOperation(method, path string, op *huma.Operation) apiOperation {
	o := apiOperation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description}
	for _, p := range op.Parameters {
		if p == nil {
			continue
		}
		f := apiField{Name: p.Name, In: p.In, Required: p.Required, Description: p.Description}
		if p.Schema != nil {
			f.Type = typeOf(p.Schema)
			if f.Description == "" {
				f.Description = p.Schema.Description
			}
		}
		o.Params = append(o.Params, f)
	}
	if op.RequestBody != nil {
		if mt := jsonContent(op.RequestBody.Content); mt != nil && mt.Schema != nil {
			t := typeOf(mt.Schema)
			o.Body = &t
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for c := range op.Responses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	// Errors share one problem+json shape: listed once, by status.
	var errs apiResponse
	for _, c := range codes {
		res := op.Responses[c]
		rr := apiResponse{Status: c, Description: res.Description}
		if mt := jsonContent(res.Content); mt != nil && mt.Schema != nil {
			t := typeOf(mt.Schema)
			rr.Body = &t
		}
		if c >= "400" && len(c) == 3 {
			if errs.Status != "" {
				errs.Status += ", "
			}
			errs.Status += c
			errs.Description, errs.Body = "Errors, as problem+json", rr.Body
			continue
		}
		o.Responses = append(o.Responses, rr)
	}
	if errs.Status != "" {
		o.Responses = append(o.Responses, errs)
	}
	return o
}

// jsonContent is the JSON (or problem+json) media type of a body.
func jsonContent(content map[string]*huma.MediaType) *huma.MediaType {
	for _, ct := range []string{"application/json", "application/problem+json"} {
		if mt, ok := content[ct]; ok {
			return mt
		}
	}
	for _, mt := range content {
		return mt
	}
	return nil
}

// typeOf says what a schema is in a few words: "Need", "array of Need",
// "string (date)", "one of: a, b".
func typeOf(sc *huma.Schema) apiType {
	switch {
	case sc == nil:
		return apiType{Text: "any"}
	case sc.Ref != "":
		name := strings.TrimPrefix(sc.Ref, schemaRefPrefix)
		return apiType{Text: name, Ref: name}
	case sc.Type == huma.TypeArray:
		inner := typeOf(sc.Items)
		inner.Text = "array of " + inner.Text
		return inner
	case len(sc.OneOf) > 0 || len(sc.AnyOf) > 0:
		var parts []string
		for _, o := range append(sc.OneOf, sc.AnyOf...) {
			parts = append(parts, typeOf(o).Text)
		}
		return apiType{Text: "one of " + strings.Join(parts, ", ")}
	}
	t := sc.Type
	if t == "" {
		t = "any"
	}
	if sc.Format != "" {
		t += " (" + sc.Format + ")"
	}
	if len(sc.Enum) > 0 {
		var vals []string
		for _, v := range sc.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		t += ": " + strings.Join(vals, ", ")
	}
	if sc.Nullable {
		t += ", or null"
	}
	return apiType{Text: t}
}

// fieldsOf lists an object schema's properties, required ones first.
func fieldsOf(sc *huma.Schema) []apiField {
	var out []apiField
	for name, p := range sc.Properties {
		f := apiField{Name: name, Type: typeOf(p), Required: slices.Contains(sc.Required, name)}
		if p != nil {
			f.Description = p.Description
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b apiField) int {
		if a.Required != b.Required {
			if a.Required {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// anchor makes a fragment id from a name.
func anchor(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}

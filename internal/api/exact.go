package api

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
)

// mayBeEmpty are the required strings of request bodies for which "" is a
// value the services take, by schema and property; every other required
// string is at least one character long.
var mayBeEmpty = map[string]string{
	"Vendor.category": "an empty category keeps the vendor's current one",
}

// timeZonePattern is what an IANA time zone name looks like (UTC,
// Europe/London, America/Argentina/Buenos_Aires, Etc/GMT+5). The list of
// names is that of the time zone database Engage carries (Go's), about 600
// names that change with its releases, so the document gives the pattern
// and the server checks the name itself (422 for a name it does not know).
const timeZonePattern = `^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`

// exactRequests makes the schemas of request bodies say what the services
// enforce, for every operation at once, so that an operation added later
// is covered without a tag of its own:
//   - a required string is not empty (minLength 1), unless mayBeEmpty
//     lists it;
//   - fixed lists are enums taken from their source: a service's family
//     (catalog.Families), a location's country (org.Countries, ISO 3166-1
//     alpha-2), a webhook's event types (what Engage publishes, their
//     prefixes such as need.*, and * for all);
//   - a time zone is an IANA name (timeZonePattern);
//   - a list given as a parameter is not null (a query cannot say null;
//     huma marks every Go slice nullable);
//   - a change's optional string that creating requires not to be empty
//     is not empty either when it is given (see changesKeepNonEmpty).
func (a *API) exactRequests(api huma.API) {
	for _, item := range api.OpenAPI().Paths {
		for _, op := range operations(item) {
			for _, p := range op.Parameters {
				if p.Schema != nil && p.Schema.Type == huma.TypeArray && p.Schema.Nullable {
					p.Schema.Nullable = false
					p.Schema.PrecomputeMessages()
				}
			}
		}
	}
	var families []string
	for _, f := range catalog.Families {
		families = append(families, f.Value)
	}
	fixed := map[string][]any{"family": toAny(families), "country": toAny(org.Countries)}
	if a.Notify != nil && len(a.Notify.EventTypes) > 0 {
		fixed["event_types"] = toAny(eventTypeChoices(a.Notify.EventTypes))
	}
	walkRequestSchemas(api.OpenAPI(), func(name string, s *huma.Schema) {
		for prop, ps := range s.Properties {
			target := ps
			if ps.Type == huma.TypeArray && ps.Items != nil {
				target = ps.Items
			}
			if target.Ref != "" || target.Type != huma.TypeString { // a named type says what it takes
				continue
			}
			changed := false
			if values, ok := fixed[prop]; ok && len(target.Enum) == 0 {
				target.Enum, changed = values, true
			}
			if prop == "time_zone" && target.Pattern == "" {
				target.Pattern, changed = timeZonePattern, true
				target.Description = strings.TrimSpace(target.Description + " An IANA time zone name, such as Europe/London or UTC, " +
					"that the server's time zone database knows (422 otherwise).")
			}
			required := slices.Contains(s.Required, prop) && target == ps
			if _, empty := mayBeEmpty[name+"."+prop]; required && !empty && target.MinLength == nil &&
				len(target.Enum) == 0 && target.Pattern == "" && target.Format == "" {
				one := 1
				target.MinLength, changed = &one, true
			}
			if changed {
				target.PrecomputeMessages()
			}
		}
	})
	changesKeepNonEmpty(api.OpenAPI())
}

// changesKeepNonEmpty gives the optional strings of a change (PATCH or PUT
// /things/{id}) the minLength they have where the thing is created (POST
// /things) as required strings: a change leaves out what it keeps, but
// cannot empty a name or a code that creating requires, so "" is refused
// naming the field before anything is read, as creating refuses it. A
// string that creating takes empty (or does not take) stays as it is.
func changesKeepNonEmpty(doc *huma.OpenAPI) {
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		i := strings.LastIndex(path, "/")
		parent := doc.Paths[path[:max(i, 0)]]
		if i <= 0 || !strings.HasPrefix(path[i:], "/{") || parent == nil || parent.Post == nil {
			continue
		}
		create := jsonBody(doc, parent.Post)
		if create == nil {
			continue
		}
		for _, op := range []*huma.Operation{doc.Paths[path].Patch, doc.Paths[path].Put} {
			change := jsonBody(doc, op)
			if change == nil || change == create {
				continue
			}
			for prop, ps := range change.Properties {
				cs := create.Properties[prop]
				if cs == nil || cs.MinLength == nil || *cs.MinLength < 1 || !slices.Contains(create.Required, prop) ||
					slices.Contains(change.Required, prop) || ps.Ref != "" || ps.Type != huma.TypeString || ps.MinLength != nil {
					continue
				}
				one := 1
				ps.MinLength = &one
				ps.PrecomputeMessages()
			}
		}
	}
}

// jsonBody is the object schema of an operation's JSON body, or nil.
func jsonBody(doc *huma.OpenAPI, op *huma.Operation) *huma.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
		return nil
	}
	s := op.RequestBody.Content["application/json"].Schema
	for s != nil && s.Ref != "" {
		s = doc.Components.Schemas.SchemaFromRef(s.Ref)
	}
	if s == nil || len(s.Properties) == 0 {
		return nil
	}
	return s
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// eventTypeChoices are the values a webhook's event type may take: every
// type published, every prefix of one (need.*), and * for all.
func eventTypeChoices(types []string) []string {
	set := map[string]bool{"*": true}
	for _, t := range types {
		set[t] = true
		for i := range len(t) {
			if t[i] == '.' {
				set[t[:i]+".*"] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// walkRequestSchemas calls fn once for every object schema a request body
// can hold, by the name it is registered under ("" for one written inline).
func walkRequestSchemas(doc *huma.OpenAPI, fn func(name string, s *huma.Schema)) {
	reg := doc.Components.Schemas
	seen := map[*huma.Schema]bool{}
	var walk func(name string, s *huma.Schema)
	walk = func(name string, s *huma.Schema) {
		if s == nil {
			return
		}
		for s.Ref != "" {
			name = strings.TrimPrefix(s.Ref, "#/components/schemas/")
			s = reg.SchemaFromRef(s.Ref)
		}
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if len(s.Properties) > 0 {
			fn(name, s)
		}
		for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
			walk("", s.Properties[prop])
		}
		walk("", s.Items)
		if extra, ok := s.AdditionalProperties.(*huma.Schema); ok {
			walk("", extra)
		}
		for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
			walk("", sub)
		}
	}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		for _, op := range operations(doc.Paths[path]) {
			if op.RequestBody == nil {
				continue
			}
			for _, mt := range slices.Sorted(maps.Keys(op.RequestBody.Content)) {
				walk("", op.RequestBody.Content[mt].Schema)
			}
		}
	}
}

func operations(item *huma.PathItem) []*huma.Operation {
	return slices.DeleteFunc([]*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch}, func(op *huma.Operation) bool { return op == nil })
}

// refuseNulls refuses null for a field of a JSON body that is not
// nullable (422 naming each): huma takes null for an optional field as if
// the field were absent, so {"name": null} in a change would keep the name
// although the document does not allow null there.
func refuseNulls(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if op.RequestBody == nil || op.SkipValidateBody {
			next(ctx)
			return
		}
		mt, _, _ := mime.ParseMediaType(ctx.Header("Content-Type"))
		if mt == "" {
			mt = "application/json"
		}
		content := op.RequestBody.Content[mt]
		if mt != "application/json" || content == nil || content.Schema == nil {
			next(ctx)
			return
		}
		r, _ := humago.Unwrap(ctx)
		limit := op.MaxBodyBytes
		if limit <= 0 {
			limit = MaxBody
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		rest := r.Body
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(raw), rest), rest}
		if err != nil || int64(len(raw)) > limit {
			next(ctx) // huma answers what is wrong with the body
			return
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			next(ctx)
			return
		}
		var details []error
		nullFields(api.OpenAPI().Components.Schemas, content.Schema, v, "body", &details)
		if len(details) > 0 {
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "A field was sent as null.", details...)
			return
		}
		next(ctx)
	}
}

// nullFields adds a detail for every field of v, at path, that is null
// although its schema in s does not allow null.
func nullFields(reg huma.Registry, s *huma.Schema, v any, path string, details *[]error) {
	for s != nil && s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	if s == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			ps := property(s, k)
			if ps == nil {
				continue
			}
			if v[k] == nil {
				if !nullable(reg, ps) {
					*details = append(*details, &huma.ErrorDetail{Location: path + "." + k, Value: nil,
						Message: "null is not a value of this field: give a value or leave the field out."})
				}
				continue
			}
			nullFields(reg, ps, v[k], path+"."+k, details)
		}
	case []any:
		for i, item := range v {
			if item != nil {
				nullFields(reg, s.Items, item, path+"["+strconv.Itoa(i)+"]", details)
			}
		}
	}
}

// property is the schema of an object's property k, matched the way huma
// matches it (its exact name, or else the same name in another case).
func property(s *huma.Schema, k string) *huma.Schema {
	if ps := s.Properties[k]; ps != nil {
		return ps
	}
	for name, ps := range s.Properties {
		if strings.EqualFold(name, k) {
			return ps
		}
	}
	return nil
}

// nullable reports whether null is a value of s: it says so, or it does
// not say what type its values are.
func nullable(reg huma.Registry, s *huma.Schema) bool {
	for s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	return s.Nullable || s.Type == "" || len(s.OneOf) > 0 || len(s.AnyOf) > 0
}

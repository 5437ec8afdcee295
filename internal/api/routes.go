package api

import (
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// refuseShadowedMethods answers 405 for a method that a path with a fixed
// segment does not take but a sibling template with a parameter there
// does: without it PUT /cost-pools/export would reach PUT
// /cost-pools/{id} and be refused as a malformed id.
func refuseShadowedMethods(mux *http.ServeMux, doc *huma.OpenAPI) {
	done := map[string]bool{}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		own := pathMethods(doc.Paths[path])
		for other, item := range doc.Paths {
			if !catches(other, path) {
				continue
			}
			for _, m := range pathMethods(item) {
				pattern := m + " " + Prefix + path
				if slices.Contains(own, m) || done[pattern] {
					continue
				}
				done[pattern] = true
				mux.HandleFunc(pattern, methodNotAllowed(own))
			}
		}
	}
}

// catches reports whether the template tmpl would match path, a different
// template that has a fixed segment where tmpl has a parameter.
func catches(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if tmpl == path || len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		tparam, pparam := strings.HasPrefix(ts[i], "{"), strings.HasPrefix(ps[i], "{")
		switch {
		case tparam && pparam, ts[i] == ps[i]:
		case tparam: // a parameter catching a fixed segment
		default:
			return false
		}
	}
	return true
}

func pathMethods(item *huma.PathItem) []string {
	var ms []string
	for m, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPut: item.Put, http.MethodPost: item.Post,
		http.MethodDelete: item.Delete, http.MethodPatch: item.Patch} {
		if op != nil {
			ms = append(ms, m)
		}
	}
	slices.Sort(ms)
	return ms
}

// methodNotAllowed answers the way the API answers any method a route does
// not take.
func methodNotAllowed(allow []string) http.HandlerFunc {
	list := strings.Join(allow, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", list)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_ = json.NewEncoder(w).Encode(&huma.ErrorModel{Title: http.StatusText(http.StatusMethodNotAllowed), Status: http.StatusMethodNotAllowed,
			Detail: "This API route does not take " + r.Method + "; it takes " + list + "."})
	}
}

// refuseEmptyValues refuses a query parameter sent empty (?limit=) when
// empty is not one of its values: a number, a yes/no or a fixed list. huma
// would take it as absent and use the default; a client that sent it meant
// something, so it is told (422, naming the parameter).
func refuseEmptyValues(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		u := ctx.URL()
		query := u.Query()
		var details []error
		for _, p := range ctx.Operation().Parameters {
			if p == nil || p.In != "query" || p.Schema == nil || !slices.Contains(query[p.Name], "") {
				continue
			}
			s := p.Schema
			if s.Type == "array" && s.Items != nil {
				s = s.Items
			}
			if emptyAllowed(s) {
				continue
			}
			details = append(details, &huma.ErrorDetail{Location: "query." + p.Name, Value: "",
				Message: "Give a value or leave the parameter out."})
		}
		if len(details) > 0 {
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "A query parameter was sent empty.", details...)
			return
		}
		next(ctx)
	}
}

// emptyAllowed reports whether "" is a value of s.
func emptyAllowed(s *huma.Schema) bool {
	switch {
	case len(s.Enum) > 0:
		return slices.Contains(s.Enum, any(""))
	case s.Type == "string":
		return s.MinLength == nil || *s.MinLength == 0
	}
	return false
}

// refuseUndocumentedBodies refuses a body sent as a media type the
// operation does not take (415): an ArchiMate import sent JSON, or a CSV
// import sent a spreadsheet, is not read as if it were what the operation
// expects. A body without a Content-Type is taken as the operation's own.
func refuseUndocumentedBodies(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		rb := ctx.Operation().RequestBody
		sent := ctx.Header("Content-Type")
		if rb == nil || len(rb.Content) == 0 || sent == "" {
			next(ctx)
			return
		}
		mt, _, err := mime.ParseMediaType(sent)
		if err == nil {
			if _, ok := rb.Content[mt]; ok {
				next(ctx)
				return
			}
		}
		_ = huma.WriteErr(api, ctx, http.StatusUnsupportedMediaType, "Send the body as "+strings.Join(slices.Sorted(maps.Keys(rb.Content)), " or ")+".",
			&huma.ErrorDetail{Location: "header.Content-Type", Value: sent, Message: "This operation does not take " + sent + "."})
	}
}

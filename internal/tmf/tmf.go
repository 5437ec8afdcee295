// Package tmf serves TM Forum Open APIs over Engage's own model, under
// /tmf-api/ beside /api/v1: TMF620 Product Catalog Management (read only),
// TMF648 Quote Management and TMF622 Product Ordering, each with the hub
// through which another system registers a callback. A TMF quote is an
// Engage quote and a TMF order an Engage order: this package only
// translates between TMF's JSON shapes and the catalog, whose services hold
// every rule (who sees what, who may order, approval). Callers authenticate
// with the same API tokens as /api/v1.
//
// TMF resources have shapes of their own, so the JSON layer is written here
// by hand rather than generated from Go types; the published Swagger
// documents are the reference, and the tests check every response against
// them.
package tmf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/idempotency"
	"github.com/engagehq/engage/internal/notify"
)

// Base paths of the APIs.
const (
	Prefix      = "/tmf-api/"
	CatalogBase = "/tmf-api/productCatalogManagement/v4"
	QuoteBase   = "/tmf-api/quoteManagement/v4"
	OrderBase   = "/tmf-api/productOrderingManagement/v4"
)

// List bounds: a list answers at most MaxLimit items, DefaultLimit when the
// request does not say.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	maxOffset    = 1_000_000
	maxBody      = 1 << 20
)

// IgnoredHeader lists the fields of a request body that Engage did not use
// (unknown to it, or TMF fields it does not honour), comma-separated.
const IgnoredHeader = "X-Ignored-Fields"

// SecretHeader carries a new hub's signing secret, shown once.
const SecretHeader = "X-Engage-Webhook-Secret"

// Handler serves /tmf-api/.
type Handler struct {
	Catalog     *catalog.Catalog
	Approval    *approval.Service
	Notify      *notify.Service
	Idempotency *idempotency.Store
	Clock       engage.Clock
	Logger      *slog.Logger

	mux   *http.ServeMux
	paths map[string][]string // registered, each with its methods and its 405 answer
}

// New returns the handler of every TMF API.
func New(h Handler) *Handler {
	h.mux, h.paths = http.NewServeMux(), map[string][]string{}
	h.routeCatalog()
	h.routeQuotes()
	h.routeOrders()
	h.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, engage.ENOTFOUND, "There is no such TMF API route. Engage serves "+
			CatalogBase+"/, "+QuoteBase+"/ and "+OrderBase+"/.")
	})
	return &h
}

// ServeHTTP answers a TMF request: every route needs a principal (an API
// token, or a session for reading).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// op is one operation: the principal and the request in, or an error.
type op func(w http.ResponseWriter, r *http.Request, p *access.Principal) error

// handle registers an operation at method and path, and answers the path's
// other methods with 405.
func (h *Handler) handle(method, path string, fn op) {
	h.mux.HandleFunc(method+" "+path, func(w http.ResponseWriter, r *http.Request) {
		p := access.FromContext(r.Context())
		if p == nil {
			writeError(w, http.StatusUnauthorized, engage.EUNAUTHORIZED, "Send an API token: Authorization: Bearer <token>.")
			return
		}
		// A session cookie is enough to read; changes take a token, so that
		// no page of another site can make them.
		if method != http.MethodGet && p.Via != "token" {
			writeError(w, http.StatusForbidden, engage.EFORBIDDEN, "Send an API token to change anything: Authorization: Bearer <token>.")
			return
		}
		if err := fn(w, r, p); err != nil {
			h.writeErr(w, r, err)
		}
	})
	if _, ok := h.paths[path]; !ok {
		h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			allow := strings.Join(h.paths[path], ", ")
			w.Header().Set("Allow", allow)
			msg := "Engage does not take " + r.Method + " here; it takes " + allow + "."
			if catalogReadOnly(path) {
				msg = "TMF620 is read only in Engage: the catalog changes through its catalog file (engage apply FILE), " +
					"reviewed and versioned. Engage takes " + allow + " here."
			}
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", msg)
		})
	}
	h.paths[path] = append(h.paths[path], method)
}

// catalogReadOnly reports whether a path is one of TMF620's resources,
// which the catalog file changes (its hub is not).
func catalogReadOnly(path string) bool {
	rest, ok := strings.CutPrefix(path, CatalogBase+"/")
	return ok && rest != "hub" && !strings.HasPrefix(rest, "hub/")
}

// Error is TMF's Error resource.
type Error struct {
	Code    string `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
	Status  string `json:"status,omitempty"`
	Type    string `json:"@type"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, Error{Code: code, Reason: http.StatusText(status), Message: message, Status: strconv.Itoa(status), Type: "Error"})
}

// writeErr answers a service error in TMF's Error shape, naming each
// invalid field by its TMF name.
func (h *Handler) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status := engage.HTTPStatus(err)
	code := engage.ErrorCode(err)
	if status >= 500 {
		h.Logger.ErrorContext(r.Context(), "TMF request failed", "path", r.URL.Path, "err", err)
		writeError(w, status, code, engage.ErrorMessage(err))
		return
	}
	// TMF's APIs answer bad input with 400; Engage's 422 is that here.
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	msg := engage.ErrorMessage(err)
	var parts []string
	for _, f := range engage.ErrorFields(err) {
		parts = append(parts, tmfField(r.URL.Path, f.Field)+": "+f.Message)
	}
	if len(parts) > 0 {
		msg += " " + strings.Join(parts, " ")
	}
	writeError(w, status, code, msg)
}

// tmfField renames a field of Engage's services to the TMF field it came
// from.
func tmfField(path, field string) string {
	item := "quoteItem"
	if strings.HasPrefix(path, OrderBase) {
		item = "productOrderItem"
	}
	if rest, ok := strings.CutPrefix(field, "lines["); ok {
		i, sub, _ := strings.Cut(rest, "]")
		switch sub {
		case ".offering_id":
			sub = ".productOffering.id"
		case ".quantity":
			sub = ".quantity"
		}
		return item + "[" + i + "]" + sub
	}
	switch field {
	case "lines":
		return item
	case "title", "note":
		return "description"
	case "start_date":
		return "requestedStartDate"
	case "reason":
		return "cancellationReason"
	case "url":
		return "callback"
	case "event_types":
		return "query"
	}
	return field
}

func invalid(field, format string, args ...any) error {
	return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
		Fields: []engage.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","reason":"Internal Server Error","@type":"Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// href is the URL of a resource.
func href(base, kind, id string) string { return base + "/" + kind + "/" + id }

// dateTime writes an instant as TMF does (RFC 3339, UTC).
func dateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// startOf is the first instant of a day.
func startOf(d catalog.Date) string { return dateTime(d.Time) }

// number writes an exact decimal as a JSON number, digit for digit: TMF's
// amounts are JSON numbers, and Engage's are never floating point.
func number(s string) json.Number { return json.Number(s) }

// listQuery is a list request's paging, attribute selection and filters.
type listQuery struct {
	offset, limit int
	fields        []string // empty: every attribute
	filters       map[string]string
	ranges        []dateRange
}

// dateRange is a filter on a date attribute: name.gt=, .gte=, .lt= or
// .lte= a date-time (RFC 3339) or a day (the start of the day, UTC).
type dateRange struct {
	name, op string
	at       time.Time
}

// rangeOps are the comparison operators a date filter takes.
var rangeOps = []string{"gt", "gte", "lt", "lte"}

// isDate says whether a filterable attribute is a date: TMF names them
// …Date, …DateTime or lastUpdate.
func isDate(name string) bool {
	return strings.HasSuffix(name, "Date") || strings.HasSuffix(name, "DateTime") || name == "lastUpdate"
}

// parseInstant reads a filter's date-time, or a day as its first instant.
func parseInstant(v string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// filtered says whether the list is filtered at all.
func (q listQuery) filtered() bool { return len(q.filters) > 0 || len(q.ranges) > 0 }

// parseList reads offset, limit, fields and the attribute filters a
// resource takes (its filters' names).
func parseList(r *http.Request, filters []string) (listQuery, error) {
	q := listQuery{limit: DefaultLimit, filters: map[string]string{}}
	values := r.URL.Query()
	for name, vals := range values {
		v := vals[len(vals)-1]
		switch name {
		case "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > maxOffset {
				return q, invalid("offset", "Give offset as a whole number from 0 to %d.", maxOffset)
			}
			q.offset = n
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxLimit {
				return q, invalid("limit", "Give limit as a whole number from 1 to %d.", MaxLimit)
			}
			q.limit = n
		case "fields":
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f != "" {
					q.fields = append(q.fields, f)
				}
			}
		default:
			if base, op, ok := cutRangeOp(name); ok && slices.Contains(filters, base) {
				if !isDate(base) {
					return q, invalid(name, "Only dates can be compared; filter %s by its value (%s=…).", base, base)
				}
				at, ok := parseInstant(v)
				if !ok {
					return q, invalid(name, "Give a date-time such as 2026-03-16T09:30:00Z, or a day such as 2026-03-16.")
				}
				q.ranges = append(q.ranges, dateRange{name: base, op: op, at: at})
				continue
			}
			if !slices.Contains(filters, name) {
				if len(filters) == 0 {
					return q, invalid(name, "This list takes no filters; it takes offset, limit and fields.")
				}
				return q, invalid(name, "This list cannot be filtered by %s; it can be by %s.", name, strings.Join(filters, ", "))
			}
			q.filters[name] = v
		}
	}
	return q, nil
}

// cutRangeOp splits "quoteDate.gt" into the attribute and the operator.
func cutRangeOp(name string) (base, op string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || !slices.Contains(rangeOps, name[i+1:]) {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

// matches reports whether an item's attributes pass every filter. A filter
// may list several values separated by commas: any of them matches; a date
// filter compares instants, and an item without the date does not match.
func (q listQuery) matches(attr func(string) string) bool {
	for name, want := range q.filters {
		got := attr(name)
		if !slices.Contains(strings.Split(want, ","), got) {
			return false
		}
	}
	for _, r := range q.ranges {
		got, ok := parseInstant(attr(r.name))
		if !ok {
			return false
		}
		c := got.Compare(r.at)
		if !(r.op == "gt" && c > 0 || r.op == "gte" && c >= 0 || r.op == "lt" && c < 0 || r.op == "lte" && c <= 0) {
			return false
		}
	}
	return true
}

// attrOf reads a filterable attribute of a resource struct by its JSON
// path ("state", "validFor.endDateTime", "quote.id"); of a list, its first
// element's. A missing attribute is "".
func attrOf(v any, name string) string {
	rv := reflect.ValueOf(v)
	for _, part := range strings.Split(name, ".") {
		for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice {
			if rv.Len() == 0 && rv.Kind() == reflect.Slice || rv.Kind() == reflect.Pointer && rv.IsNil() {
				return ""
			}
			if rv.Kind() == reflect.Slice {
				rv = rv.Index(0)
			} else {
				rv = rv.Elem()
			}
		}
		if rv.Kind() != reflect.Struct {
			return ""
		}
		i := slices.IndexFunc(attributes(rv.Type()), func(f jsonField) bool { return f.name == part })
		if i < 0 {
			return ""
		}
		rv = rv.Field(attributes(rv.Type())[i].index)
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	}
	return ""
}

// filterAll reads a store's paged list, newest first, a chunk at a time,
// and keeps on the requested page the items whose resource (as render
// shows it) passes the filters, counting every match.
func filterAll[T any](q listQuery, fetch func(offset, limit int) ([]T, error), render func(T) any) (page[T], error) {
	pg := page[T]{q: q}
	for offset := 0; ; offset += MaxLimit {
		items, err := fetch(offset, MaxLimit)
		if err != nil {
			return pg, err
		}
		for _, it := range items {
			res := render(it)
			if q.matches(func(name string) string { return attrOf(res, name) }) {
				pg.add(it)
			}
		}
		if len(items) < MaxLimit {
			return pg, nil
		}
	}
}

// page collects the items of the requested page while counting every match.
type page[T any] struct {
	q     listQuery
	total int
	items []T
}

// wanted says whether the next match falls on the page.
func (p *page[T]) wanted() bool { return p.total >= p.q.offset && len(p.items) < p.q.limit }

func (p *page[T]) add(item T) {
	if p.total >= p.q.offset && len(p.items) < p.q.limit {
		if p.items == nil {
			p.items = make([]T, 0, min(p.q.limit, 128))
		}
		p.items = append(p.items, item)
	}
	p.total++
}

// writeList answers a list: the items, each cut to the requested fields,
// with X-Total-Count (every match) and X-Result-Count (this page).
func writeList[T any](w http.ResponseWriter, q listQuery, total int, items []T, render func(T) any) error {
	var buf bytes.Buffer
	buf.Grow(512 * len(items))
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := appendFields(&buf, render(it), q.fields); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	w.Header().Set("X-Result-Count", strconv.Itoa(len(items)))
	writeRaw(w, http.StatusOK, buf.Bytes())
	return nil
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// alwaysKept are the attributes a fields selection never drops: the
// identity of a resource, and those its published schema makes mandatory
// (a Quote's quoteItem, a ProductOrder's productOrderItem, a
// CancelProductOrder's productOrder).
var alwaysKept = []string{"id", "href", "@type", "quoteItem", "productOrderItem", "productOrder"}

// jsonField is a top-level attribute of a resource type.
type jsonField struct {
	name      string
	quoted    []byte // "name":
	index     int
	omitEmpty bool
}

var fieldsOfType sync.Map // reflect.Type → []jsonField

// attributes lists the JSON attributes of a resource struct, once per type.
func attributes(t reflect.Type) []jsonField {
	if f, ok := fieldsOfType.Load(t); ok {
		return f.([]jsonField)
	}
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" || tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, jsonField{name: name, quoted: []byte(strconv.Quote(name) + ":"), index: i, omitEmpty: opts == "omitempty"})
	}
	fieldsOfType.Store(t, out)
	return out
}

// appendFields writes v as JSON keeping only the named top-level
// attributes (and id, href and @type); every attribute when fields is
// empty. v is a resource struct; only its selected attributes are encoded.
func appendFields(buf *bytes.Buffer, v any, fields []string) error {
	if len(fields) == 0 {
		b, err := json.Marshal(v)
		buf.Write(b)
		return err
	}
	rv := reflect.ValueOf(v)
	buf.WriteByte('{')
	first := true
	for _, f := range attributes(rv.Type()) {
		if !slices.Contains(fields, f.name) && !slices.Contains(alwaysKept, f.name) {
			continue
		}
		fv := rv.Field(f.index)
		if f.omitEmpty && (fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.String) && fv.Len() == 0) {
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return err
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(f.quoted)
		buf.Write(b)
	}
	buf.WriteByte('}')
	return nil
}

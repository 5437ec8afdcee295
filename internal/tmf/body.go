package tmf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idempotency"
)

// Request bodies: what Engage reads of them, what it ignores, and creating
// at most once per Idempotency-Key.

// readBody reads a JSON object body: its decoded form and the raw bytes.
func readBody(r *http.Request) (map[string]any, []byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, nil, engage.Errorf(engage.EINVALID, "The request body could not be read.")
	}
	if len(raw) > maxBody {
		return nil, nil, engage.Errorf(engage.ETOOLARGE, "A request body is at most 1 MB.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, nil, invalid("body", "Send a JSON object.")
	}
	return body, raw, nil
}

// shape is the part of a request body Engage reads: each name maps to the
// shape of its value (nil for a plain value); an array's elements have the
// shape given for the array.
type shape map[string]shape

// ignored lists the fields of v that s does not read, by path.
func ignored(v any, s shape, path string, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(t))
		for name := range t {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			sub, ok := s[name]
			p := name
			if path != "" {
				p = path + "." + name
			}
			switch {
			case !ok:
				*out = append(*out, p)
			case sub != nil:
				ignored(t[name], sub, p, out)
			}
		}
	case []any:
		for i, el := range t {
			ignored(el, s, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// checkType refuses a body whose @type names another resource.
func checkType(body map[string]any, field string, want ...string) error {
	v, ok := body["@type"]
	if !ok {
		return nil
	}
	s, _ := v.(string)
	if !slices.Contains(want, s) {
		return invalid(field, "@type is %q here, not %v.", want[0], v)
	}
	return nil
}

// str reads a string field of a decoded body ("" when absent), refusing
// other types.
func str(body map[string]any, name, field string) (string, error) {
	v, ok := body[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(field, "Give %s as a string.", name)
	}
	return strings.TrimSpace(s), nil
}

// object reads an object field ("nil" when absent).
func object(body map[string]any, name, field string) (map[string]any, error) {
	v, ok := body[name]
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(field, "Give %s as an object.", name)
	}
	return m, nil
}

// array reads an array of objects field.
func array(body map[string]any, name, field string) ([]map[string]any, error) {
	v, ok := body[name]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalid(field, "Give %s as an array.", name)
	}
	out := make([]map[string]any, len(list))
	for i, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			return nil, invalid(fmt.Sprintf("%s[%d]", field, i), "Give each element of %s as an object.", name)
		}
		out[i] = m
	}
	return out, nil
}

// created answers a POST that made (or, repeated, found) a resource.
func created(w http.ResponseWriter, location string, ign []string, v any) {
	if len(ign) > 0 {
		w.Header().Set(IgnoredHeader, strings.Join(ign, ", "))
	}
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

// idempotent runs create at most once per Idempotency-Key (same principal,
// route and body, within a day), as /api/v1 does: a repeat answers with the
// first answer, marked Idempotent-Replayed: true.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, p *access.Principal, raw []byte, create func(w http.ResponseWriter) error) error {
	header := r.Header.Get(idempotency.Header)
	if header == "" || h.Idempotency == nil {
		return create(w)
	}
	key, err := idempotency.NewKey("person:"+strconv.FormatInt(p.PersonID, 10), r.Method+" "+r.URL.Path, header, raw)
	if err != nil {
		return err
	}
	kept, replay, err := h.Idempotency.Begin(r.Context(), key)
	if err != nil {
		return err
	}
	if replay {
		w.Header().Set("Content-Type", kept.ContentType)
		if kept.Location != "" {
			w.Header().Set("Location", kept.Location)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(kept.Status)
		_, _ = w.Write(kept.Body)
		return nil
	}
	rec := &recorder{ResponseWriter: w}
	err = create(rec)
	if err == nil && rec.status >= 200 && rec.status < 300 {
		err = h.Idempotency.Finish(r.Context(), key, idempotency.Response{Status: rec.status, ContentType: w.Header().Get("Content-Type"),
			Location: w.Header().Get("Location"), Body: rec.body.Bytes()})
		if err != nil {
			h.Logger.ErrorContext(r.Context(), "keeping an idempotent answer", "err", err)
		}
		return nil
	}
	if rerr := h.Idempotency.Release(r.Context(), key); rerr != nil {
		h.Logger.ErrorContext(r.Context(), "releasing an idempotency key", "err", rerr)
	}
	return err
}

// recorder passes a response through while keeping a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

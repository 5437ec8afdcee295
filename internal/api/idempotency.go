package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idempotency"
)

// Every POST takes an Idempotency-Key header: the first request with a key
// runs, and a repeat of it (same principal, route and body) within a day
// answers with the first answer, marked Idempotent-Replayed: true, without
// doing anything again. One middleware does it for every POST, so each
// operation that creates something is safe to repeat.

// idempotencyParam documents the header on a POST operation.
var idempotencyParam = &huma.Param{Name: idempotency.Header, In: "header",
	Description: "Makes the request safe to repeat: a repeat with the same key and body within 24 hours answers with the first " +
		"successful answer (marked Idempotent-Replayed: true) and does nothing again. The same key with a different body is refused (422); " +
		"while the first request runs, a repeat gets 409. A failed request releases its key.",
	Schema: &huma.Schema{Type: "string", MinLength: ptr(1), MaxLength: ptr(idempotency.MaxKeyLength)}}

func ptr[T any](v T) *T { return &v }

// idempotent is the huma middleware that honours Idempotency-Key on POSTs.
func (a *API) idempotent(api huma.API) func(ctx huma.Context, next func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		header := ctx.Header(idempotency.Header)
		p := access.FromContext(ctx.Context())
		if a.Idempotency == nil || header == "" || ctx.Method() != http.MethodPost || p == nil {
			next(ctx)
			return
		}
		r, _ := humago.Unwrap(ctx)
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
		if err != nil || len(raw) > 1<<20 {
			_ = huma.WriteErr(api, ctx, http.StatusRequestEntityTooLarge, "A request with an Idempotency-Key has a body of at most 1 MB.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		key, err := idempotency.NewKey("person:"+strconv.FormatInt(p.PersonID, 10), ctx.Method()+" "+r.URL.Path, header, raw)
		if err == nil {
			var kept idempotency.Response
			var replay bool
			if kept, replay, err = a.Idempotency.Begin(ctx.Context(), key); err == nil && replay {
				ctx.SetHeader("Content-Type", kept.ContentType)
				if kept.Location != "" {
					ctx.SetHeader("Location", kept.Location)
				}
				ctx.SetHeader("Idempotent-Replayed", "true")
				ctx.SetStatus(kept.Status)
				_, _ = ctx.BodyWriter().Write(kept.Body)
				return
			}
		}
		if err != nil {
			_ = huma.WriteErr(api, ctx, engage.HTTPStatus(err), engage.ErrorMessage(err))
			return
		}
		rec := &recorder{humaContext: ctx}
		next(rec)
		if rec.status >= 200 && rec.status < 300 {
			err = a.Idempotency.Finish(ctx.Context(), key, idempotency.Response{Status: rec.status, ContentType: rec.contentType,
				Location: rec.location, Body: rec.body.Bytes()})
		} else {
			err = a.Idempotency.Release(ctx.Context(), key)
		}
		if err != nil {
			a.Logger.ErrorContext(ctx.Context(), "keeping an idempotent answer", "err", err)
		}
	}
}

// humaContext names the embedded context, whose Context method would clash
// with a field called Context.
type humaContext = huma.Context

// recorder passes a response through while keeping a copy of it.
type recorder struct {
	humaContext
	status                int
	contentType, location string
	body                  bytes.Buffer
}

func (r *recorder) Unwrap() huma.Context { return r.humaContext }

func (r *recorder) SetStatus(code int) {
	r.status = code
	r.humaContext.SetStatus(code)
}

func (r *recorder) SetHeader(name, value string) {
	r.keep(name, value)
	r.humaContext.SetHeader(name, value)
}

func (r *recorder) AppendHeader(name, value string) {
	r.keep(name, value)
	r.humaContext.AppendHeader(name, value)
}

func (r *recorder) keep(name, value string) {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Type":
		r.contentType = value
	case "Location":
		r.location = value
	}
}

func (r *recorder) BodyWriter() io.Writer { return io.MultiWriter(r.humaContext.BodyWriter(), &r.body) }

package page

import (
	"net/http"
	"strconv"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idempotency"
)

// A form that creates something carries a key of its own (form_key, made
// when the page is drawn), so that sending it twice — a double click, the
// browser's "resend" — creates one thing: the first sending's answer (the
// redirect to what it made) is kept, and a repeat is sent there too. A
// sending that fails (the form comes back with its errors) releases the key.
// An answer that shows something once (a new secret) names the page of what
// it made in Content-Location; a repeat is redirected there.
const formKeyField = "form_key"

// statusRecorder notes the status a handler answers.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// OnceForm runs handle for a POST whose form has a form key at most once
// per key: a repeat is redirected where the first one led. The form must
// have been parsed. The shell runs every POST through it.
func (k *Kit) OnceForm(w http.ResponseWriter, r *http.Request, handle func(http.ResponseWriter, *http.Request) error) error {
	p := access.FromContext(r.Context())
	formKey := r.PostForm.Get(formKeyField)
	if k.FormKeys == nil || p == nil || formKey == "" {
		return handle(w, r)
	}
	// The key alone says which sending of which form it is; what was typed
	// is not compared, as a browser's resend may differ in nothing else.
	key, err := idempotency.NewKey("person:"+strconv.FormatInt(p.PersonID, 10), "WEB POST "+r.URL.Path, formKey, nil)
	if err != nil {
		return err
	}
	kept, replay, err := k.FormKeys.Begin(r.Context(), key)
	if err != nil {
		return err
	}
	if replay {
		http.Redirect(w, r, kept.Location, http.StatusSeeOther)
		return nil
	}
	rec := &statusRecorder{ResponseWriter: w}
	err = handle(rec, r)
	// What was made is where the answer redirects, or, for an answer shown
	// once (a new secret), its Content-Location.
	loc := rec.Header().Get("Location")
	if rec.status < 300 || rec.status >= 400 {
		loc = ""
		if rec.status >= 200 && rec.status < 300 {
			loc = rec.Header().Get("Content-Location")
		}
	}
	if err == nil && loc != "" {
		err = k.FormKeys.Finish(r.Context(), key, idempotency.Response{Status: http.StatusSeeOther, Location: loc})
		if err != nil {
			k.Logger.ErrorContext(r.Context(), "keeping a form's answer", "err", err)
		}
		return nil
	}
	if rerr := k.FormKeys.Release(r.Context(), key); rerr != nil {
		k.Logger.ErrorContext(r.Context(), "releasing a form key", "err", rerr)
	}
	return err
}

package apicontract

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// recordingTB keeps what a check reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

const thingsDocument = `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"/api/v1"}],
"paths":{"/things":{"post":{"operationId":"add","requestBody":{"required":true,"content":{"application/json":{"schema":
{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}}}}},
"responses":{"201":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}}}},
"422":{"description":"refused","content":{"application/problem+json":{"schema":{"type":"object"}}}}}}}}}`

// TestEnforceReportsViolations: an undocumented status, a body that breaks
// its schema and a request the document forbids but the server accepted
// are each reported with method, path and status; a refused bad request
// answered as documented is not.
func TestEnforceReportsViolations(t *testing.T) {
	answer := map[string]func(w http.ResponseWriter){
		`{"name":"ok"}`: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"id":1}`))
		},
		`{"name":"teapot"}`: func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot) },
		`{"name":"bad reply"}`: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"id":"one"}`))
		},
		`{"name":""}`: func(w http.ResponseWriter) { // accepted, though minLength forbids it
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"id":2}`))
		},
		`{}`: func(w http.ResponseWriter) { // refused as documented
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(422)
			_, _ = w.Write([]byte(`{"status":422}`))
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == DocumentPath {
			_, _ = w.Write([]byte(thingsDocument))
			return
		}
		var b strings.Builder
		buf := make([]byte, 512)
		n, _ := r.Body.Read(buf)
		b.Write(buf[:n])
		answer[b.String()](w)
	})
	for body, want := range map[string]string{
		`{"name":"ok"}`:        "",
		`{}`:                   "",
		`{"name":"teapot"}`:    "POST /api/v1/things → 418: the response breaks the document",
		`{"name":"bad reply"}`: "POST /api/v1/things → 201: the response breaks the document",
		`{"name":""}`:          "POST /api/v1/things → 201: the request breaks the document but was accepted",
	} {
		rec := &recordingTB{TB: t}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/things", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		Enforce(rec, h).ServeHTTP(httptest.NewRecorder(), req)
		switch {
		case want == "" && len(rec.errors) > 0:
			t.Errorf("%s: reported %q", body, rec.errors)
		case want != "" && (len(rec.errors) != 1 || !strings.Contains(rec.errors[0], want)):
			t.Errorf("%s: reported %q; want %q", body, rec.errors, want)
		}
	}
}

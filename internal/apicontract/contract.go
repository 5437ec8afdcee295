// Package apicontract checks an API's exchanges against the OpenAPI
// document it serves: each request and response of a test's server, so
// that a test that breaks the contract fails, wherever the server was
// built (internal/apptest for the whole application, internal/api's own
// tests for the API alone).
package apicontract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Prefix is where Engage's API lives (api.Prefix, which this package
// cannot import: the API's own tests use it).
const Prefix = "/api/v1"

// DocumentPath is where Engage serves the OpenAPI document of its API.
const DocumentPath = Prefix + "/openapi.json"

// Contract is the OpenAPI document Engage serves, ready to check requests
// and responses against.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router
}

func init() {
	// Bodies that are files (CSV, NDJSON, YAML, XML, compressed or binary)
	// are checked as the strings their schemas describe.
	for _, ct := range []string{"text/csv", "application/x-ndjson", "application/yaml", "application/xml",
		"application/gzip", "application/vnd.apache.parquet"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

var (
	contractsMu sync.Mutex
	contracts   = map[[32]byte]*Contract{}
)

// Load reads the OpenAPI document h serves. Documents are parsed
// once per content: every Engage of a test binary serves the same one.
func Load(h http.Handler) (*Contract, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, DocumentPath, nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d", DocumentPath, rec.Code)
	}
	raw := rec.Body.Bytes()
	sum := sha256.Sum256(raw)
	contractsMu.Lock()
	defer contractsMu.Unlock()
	if c := contracts[sum]; c != nil {
		return c, nil
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DocumentPath, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", DocumentPath, err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DocumentPath, err)
	}
	c := &Contract{Doc: doc, router: router}
	contracts[sum] = c
	return c, nil
}

// Exchange is one API request and the response it got.
type Exchange struct {
	Request *http.Request
	Body    []byte // the request body
	Status  int
	Header  http.Header
	Reply   []byte // the response body
}

// Check returns what in an exchange breaks the document: a response whose
// status is not documented for its operation or whose body does not match
// its schema, or a request the document forbids that was nonetheless
// accepted. A request that breaks the document may be refused (that is what
// refusal tests send), but its refusal must be documented too.
func (c *Contract) Check(x Exchange) error {
	if x.Status == http.StatusMethodNotAllowed && c.refusesMethod(x) {
		return nil
	}
	route, params, err := c.router.FindRoute(x.Request)
	if err != nil {
		// An unknown path or method: the server must say so.
		var re *routers.RouteError
		if errors.As(err, &re) && (x.Status == http.StatusNotFound || x.Status == http.StatusMethodNotAllowed) {
			return nil
		}
		return fmt.Errorf("no documented operation (%v) but the server answered %d", err, x.Status)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: x.Request, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(x.Request.Context(), in)
	// ValidateRequest reads the body; the response check needs the request
	// as it was.
	x.Request.Body = io.NopCloser(bytes.NewReader(x.Body))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.Header, Options: opts}
	out.SetBodyBytes(x.Reply)
	if err := openapi3filter.ValidateResponse(x.Request.Context(), out); err != nil {
		return fmt.Errorf("the response breaks the document: %w", err)
	}
	if reqErr != nil && x.Status < 400 {
		return fmt.Errorf("the request breaks the document but was accepted: %w", reqErr)
	}
	return nil
}

// refusesMethod reports whether a 405 is right: the request's path is a
// documented path (a fixed one, which a template could otherwise catch)
// without the request's method, and the answer says which methods it takes.
func (c *Contract) refusesMethod(x Exchange) bool {
	item := c.Doc.Paths.Value(strings.TrimPrefix(x.Request.URL.Path, Prefix))
	return item != nil && item.GetOperation(x.Request.Method) == nil && x.Header.Get("Allow") != ""
}

// Enforce wraps h so that every /api/v1 exchange is checked against the
// document h serves; a violation fails t, naming the method, path, status
// and what broke the document. The request body reaches h as it arrives
// (slow uploads stay slow) and is kept for the check.
func Enforce(t testing.TB, h http.Handler) http.Handler {
	var (
		once     sync.Once
		contract *Contract
		loadErr  error
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix+"/") || strings.HasPrefix(r.URL.Path, Prefix+"/openapi") {
			h.ServeHTTP(w, r)
			return
		}
		once.Do(func() { contract, loadErr = Load(h) })
		if loadErr != nil {
			t.Errorf("API contract: %v", loadErr)
			h.ServeHTTP(w, r)
			return
		}
		sent := r.Clone(r.Context())
		var body bytes.Buffer
		// The handler gets a copy of the request: the server's own keeps
		// its body, so it still knows how much of it was read (and closes
		// the connection when a refused body was left unread).
		rest := r.Body
		in := r.WithContext(r.Context())
		in.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(rest, &body), rest}
		rec := &recorder{w: w, header: http.Header{}}
		h.ServeHTTP(rec, in)
		// What the handler left unread is part of the request too.
		_, _ = io.Copy(&body, rest)
		sent.Body = io.NopCloser(bytes.NewReader(body.Bytes()))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if err := contract.Check(Exchange{Request: sent, Body: body.Bytes(), Status: rec.status, Header: rec.header, Reply: rec.body.Bytes()}); err != nil {
			t.Errorf("API contract: %s %s → %d: %v", r.Method, r.URL.RequestURI(), rec.status, err)
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder keeps a response until it has been checked. Unwrap lets the
// handler reach the connection (read deadlines for long uploads).
type recorder struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.w }

package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// TestUsageAcceptsNDJSON posts NDJSON to an operation with the usage
// endpoint's input, configured as Register configures the API: the raw
// body arrives whole and each line is one record.
func TestUsageAcceptsNDJSON(t *testing.T) {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("test", "1")
	cfg.Formats["application/x-ndjson"] = ndjsonFormat
	api := humago.New(mux, cfg)
	var got []string
	huma.Register(api, huma.Operation{OperationID: "usage", Method: http.MethodPost, Path: "/usage"},
		func(ctx context.Context, in *usageInput) (*struct{}, error) {
			records, bad := decodeUsage(in.RawBody)
			if len(bad) > 0 {
				t.Errorf("decode errors %v", bad)
			}
			for _, r := range records {
				got = append(got, r.IdempotencyKey+" "+r.Quantity.String())
			}
			return nil, nil
		})
	for _, ct := range []string{"application/x-ndjson", "application/x-ndjson; charset=utf-8"} {
		got = nil
		body := `{"idempotency_key":"a","time":"2026-03-01T00:00:00Z","quantity":"1.5","unit":"unit-hour"}` + "\n\n" +
			`{"idempotency_key":"b","time":"2026-03-01T01:00:00Z","quantity":2,"unit":"unit-hour"}` + "\n"
		req := httptest.NewRequest(http.MethodPost, "/usage", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s: status %d: %s", ct, rec.Code, rec.Body)
		}
		if strings.Join(got, ",") != "a 1.5,b 2" {
			t.Errorf("%s: records %q; want a 1.5, b 2", ct, got)
		}
	}
}

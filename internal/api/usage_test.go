package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
)

// TestUsageBodyStreamed posts usage to an operation with the usage
// endpoint's input: whatever the content type, huma leaves the body to the
// handler, which reads it a chunk at a time, and a body over the limit is
// refused.
func TestUsageBodyStreamed(t *testing.T) {
	mux := http.NewServeMux()
	api := humago.New(mux, huma.DefaultConfig("test", "1"))
	var got []string
	limit := int64(maxUsageBody)
	huma.Register(api, huma.Operation{OperationID: "usage", Method: http.MethodPost, Path: "/usage"},
		func(ctx context.Context, in *usageInput) (*struct{}, error) {
			rd := billing.NewUsageReader(&limitedBody{r: in.body, max: limit})
			for {
				c, err := rd.Next(1)
				if err != nil {
					return nil, huma.Error400BadRequest(engage.ErrorFields(err)[0].Message)
				}
				if len(c.Records)+len(c.Unreadable) == 0 {
					return nil, nil
				}
				for _, r := range c.Records {
					got = append(got, r.IdempotencyKey+" "+r.Quantity.String())
				}
			}
		})
	post := func(ct, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/usage", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	ndjson := `{"idempotency_key":"a","time":"2026-03-01T00:00:00Z","quantity":"1.5","unit":"unit-hour"}` + "\n\n" +
		`{"idempotency_key":"b","time":"2026-03-01T01:00:00Z","quantity":2,"unit":"unit-hour"}` + "\n"
	for _, c := range []struct{ ct, body string }{
		{"application/x-ndjson", ndjson},
		{"application/x-ndjson; charset=utf-8", ndjson},
		{"application/json", "[" + strings.ReplaceAll(strings.TrimSpace(strings.ReplaceAll(ndjson, "\n\n", ",")), "\n", "") + "]"},
	} {
		got = nil
		if rec := post(c.ct, c.body); rec.Code >= 300 {
			t.Fatalf("%s: status %d: %s", c.ct, rec.Code, rec.Body)
		}
		if strings.Join(got, ",") != "a 1.5,b 2" {
			t.Errorf("%s: records %q; want a 1.5, b 2", c.ct, got)
		}
	}
	limit = int64(len(ndjson) - 10)
	if rec := post("application/x-ndjson", ndjson); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "at most") {
		t.Fatalf("body over the limit: %d %s", rec.Code, rec.Body)
	}
}

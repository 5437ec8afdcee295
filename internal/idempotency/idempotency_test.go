package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/idempotency"
)

func TestKeysAnswerOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := engage.NewFixedClock(time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC))
		s := &idempotency.Store{DB: d, Clock: clock}
		key := func(body string) idempotency.Key {
			k, err := idempotency.NewKey("person:1", "POST /api/v1/quotes", "k1", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		if _, err := idempotency.NewKey("person:1", "POST /x", "  ", nil); engage.ErrorCode(err) != engage.EINVALID {
			t.Errorf("an empty key = %v; want invalid", err)
		}
		k := key(`{"a":1}`)
		if _, replay, err := s.Begin(ctx, k); err != nil || replay {
			t.Fatalf("first claim = %v, replay %v", err, replay)
		}
		if _, _, err := s.Begin(ctx, k); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Errorf("a repeat while the first runs = %v; want conflict", err)
		}
		if err := s.Finish(ctx, k, idempotency.Response{Status: 201, ContentType: "application/json", Location: "/q/1", Body: []byte(`{"n":1}`)}); err != nil {
			t.Fatal(err)
		}
		resp, replay, err := s.Begin(ctx, k)
		if err != nil || !replay || resp.Status != 201 || string(resp.Body) != `{"n":1}` || resp.Location != "/q/1" {
			t.Fatalf("the repeat = %+v, replay %v, %v; want the first answer", resp, replay, err)
		}
		if _, _, err := s.Begin(ctx, key(`{"a":2}`)); engage.ErrorCode(err) != engage.EINVALID {
			t.Errorf("the key with another body = %v; want invalid", err)
		}
		// After a day the key is forgotten.
		clock.Advance(idempotency.KeyTTL + time.Minute)
		if _, replay, err := s.Begin(ctx, key(`{"a":2}`)); err != nil || replay {
			t.Errorf("the key a day later = %v, replay %v; want a fresh claim", err, replay)
		}
		// A failed request releases its key; a claim that never got an
		// answer is abandoned after a while.
		if err := s.Release(ctx, key(`{"a":2}`)); err != nil {
			t.Fatal(err)
		}
		if _, replay, err := s.Begin(ctx, key(`{"a":3}`)); err != nil || replay {
			t.Errorf("the key after a release = %v, replay %v; want a fresh claim", err, replay)
		}
		clock.Advance(idempotency.AbandonAfter + time.Second)
		if _, replay, err := s.Begin(ctx, key(`{"a":4}`)); err != nil || replay {
			t.Errorf("the key after an abandoned claim = %v, replay %v; want a fresh claim", err, replay)
		}
	})
}

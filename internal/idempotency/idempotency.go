// Package idempotency makes a repeated request answer with the first
// answer. A client sends an Idempotency-Key header with a POST; the first
// request with that key (per principal and route) runs and its successful
// answer is kept; a repeat with the same key and the same body gets that
// answer again without running anything, and a repeat with a different body
// is refused. Keys are kept for KeyTTL; a key that was used for a failed
// request is released, so the client may fix the request and send it again.
//
// The package owns the idempotency_keys table.
package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// MaxKeyLength bounds a key.
const MaxKeyLength = 255

// KeyTTL is how long a key is remembered.
const KeyTTL = 24 * time.Hour

// AbandonAfter is how long a claimed key waits for its answer; a request
// that died without one (the process stopped) frees its key after it.
const AbandonAfter = 5 * time.Minute

// Response is a kept answer.
type Response struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// Store keeps keys and their answers.
type Store struct {
	DB    *db.DB
	Clock engage.Clock
}

// Key identifies one use of a key.
type Key struct {
	Principal string // who sent it, e.g. "person:42"
	Route     string // method and path, e.g. "POST /api/v1/quotes/Q-2026-000001/order"
	Key       string
	BodyHash  string
}

// NewKey checks a header value and hashes the body it came with.
func NewKey(principal, route, key string, body []byte) (Key, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > MaxKeyLength {
		var v engage.Validation
		v.Add("Idempotency-Key", "Send a key of 1 to %d characters, unique to the request you may repeat.", MaxKeyLength)
		return Key{}, v.Err()
	}
	sum := sha256.Sum256(body)
	return Key{Principal: principal, Route: route, Key: key, BodyHash: hex.EncodeToString(sum[:])}, nil
}

// Begin claims k for a new request. It returns the kept answer when the
// same request was answered before (replay true); a conflict error when the
// first request with the key is still running; an invalid error when the
// key was used with a different body.
func (s *Store) Begin(ctx context.Context, k Key) (resp Response, replay bool, err error) {
	now := s.Clock.Now()
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE principal = ? AND route = ? AND idem_key = ?
			AND (created_at < ? OR (status = 0 AND created_at < ?))`,
			k.Principal, k.Route, k.Key, now.Add(-KeyTTL), now.Add(-AbandonAfter)); err != nil {
			return fmt.Errorf("expiring idempotency key: %w", err)
		}
		var hash, contentType, location, body string
		var status int
		err := tx.QueryRow(ctx, "SELECT body_hash, status, content_type, location, body FROM idempotency_keys WHERE principal = ? AND route = ? AND idem_key = ?",
			k.Principal, k.Route, k.Key).Scan(&hash, &status, &contentType, &location, &body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.Exec(ctx, "INSERT INTO idempotency_keys(principal, route, idem_key, body_hash, created_at) VALUES (?, ?, ?, ?, ?)",
				k.Principal, k.Route, k.Key, k.BodyHash, now)
			if err != nil {
				return fmt.Errorf("claiming idempotency key: %w", err)
			}
			return nil
		case err != nil:
			return fmt.Errorf("reading idempotency key: %w", err)
		case hash != k.BodyHash:
			return engage.Errorf(engage.EINVALID, "This Idempotency-Key was used for a different request body. Use a new key for a new request.")
		case status == 0:
			return engage.Errorf(engage.ECONFLICT, "A request with this Idempotency-Key is still being processed. Try again in a moment.")
		}
		resp, replay = Response{Status: status, ContentType: contentType, Location: location, Body: []byte(body)}, true
		return nil
	})
	if err != nil && db.IsUniqueViolation(err) {
		// Claimed at the same moment by the same request sent twice.
		return Response{}, false, engage.Errorf(engage.ECONFLICT, "A request with this Idempotency-Key is still being processed. Try again in a moment.")
	}
	return resp, replay, err
}

// Finish keeps the answer to a claimed key.
func (s *Store) Finish(ctx context.Context, k Key, r Response) error {
	_, err := s.DB.Exec(ctx, "UPDATE idempotency_keys SET status = ?, content_type = ?, location = ?, body = ? WHERE principal = ? AND route = ? AND idem_key = ?",
		r.Status, r.ContentType, r.Location, string(r.Body), k.Principal, k.Route, k.Key)
	if err != nil {
		return fmt.Errorf("keeping the answer to idempotency key: %w", err)
	}
	return nil
}

// Release forgets a claimed key whose request failed.
func (s *Store) Release(ctx context.Context, k Key) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM idempotency_keys WHERE principal = ? AND route = ? AND idem_key = ? AND status = 0", k.Principal, k.Route, k.Key)
	if err != nil {
		return fmt.Errorf("releasing idempotency key: %w", err)
	}
	return nil
}

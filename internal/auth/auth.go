// Package auth signs people and programs in: local passwords hashed with
// argon2id, sessions kept in the database behind an HttpOnly cookie, API
// tokens for machines, sign-in rate limiting, and optional OpenID Connect
// single sign-on. It answers "who is this request?" with an
// access.Principal; what that principal may do is decided by each product
// package through the access policy.
//
// Secrets are never stored: session ids and API tokens are kept as SHA-256
// hashes, so a copy of the database cannot be used to sign in.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

// Limits on sign-in attempts: after this many failures inside the window,
// further attempts for that e-mail address, or from that IP address, are
// refused until the window has passed.
const (
	FailureWindow     = 15 * time.Minute
	MaxEmailFailures  = 5
	MaxIPFailures     = 30
	DefaultSessionTTL = 12 * time.Hour
	TokenPrefix       = "eng_"
)

// Service signs people in.
type Service struct {
	DB         *db.DB
	Org        *org.Service
	Clock      engage.Clock
	SessionTTL time.Duration
	// Argon2 is the cost of new password hashes; zero means the
	// production cost. Tests lower it.
	Argon2 Argon2Params

	principals principalCache
	dummy      struct {
		once sync.Once
		hash string
	}
}

// Session is a signed-in browser.
type Session struct {
	Token     string // the cookie value; only its hash is stored
	CSRFToken string
	PersonID  int64
	ExpiresAt time.Time
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

var errBadCredentials = engage.Errorf(engage.EUNAUTHORIZED, "That e-mail address and password do not match an account. Check them and try again.")

// dummyHash is verified against when the account does not exist, so that
// the time taken does not reveal which e-mail addresses have accounts. It
// costs what the service's own hashes cost.
func (s *Service) dummyHash() string {
	s.dummy.once.Do(func() { s.dummy.hash, _ = HashPassword("engage-timing-equaliser", s.Argon2) })
	return s.dummy.hash
}

// HashPassword hashes password at the service's cost, for a password set
// outside SetPassword (the demo's accounts).
func (s *Service) HashPassword(password string) (string, error) {
	return HashPassword(password, s.Argon2)
}

// SignIn checks an e-mail and password and starts a session.
//
// Every password check first takes a slot in the sign-in throttle (see
// reserveAttempt), so that however many requests arrive at once, on however
// many replicas, an address gets at most MaxEmailFailures checks and an IP
// address MaxIPFailures in any FailureWindow. A slot whose password proves
// right is given back; a wrong one stays as the failure.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (Session, error) {
	email = org.NormaliseEmail(email)
	now := s.Clock.Now()
	attempt, err := s.reserveAttempt(ctx, throttleKey(email), ip, now)
	if err != nil {
		return Session{}, err
	}
	var personID int64
	var hash string
	var active bool
	err = s.DB.QueryRow(ctx, `SELECT p.id, c.password_hash, p.active FROM people p JOIN credentials c ON c.person_id = p.id
		WHERE p.email = ?`, email).Scan(&personID, &hash, &active)
	if errors.Is(err, sql.ErrNoRows) {
		VerifyPassword(s.dummyHash(), password)
		return Session{}, s.pruneFailures(ctx, now)
	} else if err != nil {
		return Session{}, fmt.Errorf("reading credentials: %w", err)
	}
	if !VerifyPassword(hash, password) || !active {
		return Session{}, s.pruneFailures(ctx, now)
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM signin_failures WHERE id = ?", attempt); err != nil {
		return Session{}, fmt.Errorf("recording a successful sign-in: %w", err)
	}
	return s.StartSession(ctx, personID)
}

// maxThrottledEmail is the longest address the throttle keeps as it is:
// that of an e-mail address (RFC 5321).
const maxThrottledEmail = 254

// throttleKey is what the throttle records of an address: the address, or
// the hash of one longer than any e-mail address, so that an anonymous
// client's failed sign-ins keep little however long what it sends.
func throttleKey(email string) string {
	if len(email) <= maxThrottledEmail {
		return email
	}
	return "sha256:" + hashSecret(email)
}

// reserveAttempt counts the failures of an address and of an IP address in
// the window and, when both are under their limits, records this attempt as
// a failure in the same transaction, returning its id. Counting and
// recording are one step: on PostgreSQL under per-address and per-IP locks,
// on SQLite under its single writer; so concurrent attempts see each other.
func (s *Service) reserveAttempt(ctx context.Context, email, ip string, now time.Time) (int64, error) {
	since := now.Add(-FailureWindow)
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		// Always the address first, then the IP: two attempts never wait
		// for each other in opposite orders.
		if err := db.LockSubjectTx(ctx, tx, db.LockSignIn, "email:"+email); err != nil {
			return err
		}
		if err := db.LockSubjectTx(ctx, tx, db.LockSignIn, "ip:"+ip); err != nil {
			return err
		}
		var byEmail, byIP int
		err := tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM signin_failures WHERE email = ? AND at > ?),
			(SELECT COUNT(*) FROM signin_failures WHERE ip = ? AND at > ?)`, email, since, ip, since).Scan(&byEmail, &byIP)
		if err != nil {
			return fmt.Errorf("checking sign-in attempts: %w", err)
		}
		if byEmail >= MaxEmailFailures || byIP >= MaxIPFailures {
			return engage.Errorf(engage.ETOOMANY, "Too many failed sign-in attempts. Wait %d minutes and try again.", int(FailureWindow.Minutes()))
		}
		if err := tx.QueryRow(ctx, "INSERT INTO signin_failures(email, ip, at) VALUES (?, ?, ?) RETURNING id", email, ip, now).Scan(&id); err != nil {
			return fmt.Errorf("recording a sign-in attempt: %w", err)
		}
		return nil
	})
	return id, err
}

// pruneFailures drops failures older than a day, of no further use, and
// returns the error a failed sign-in answers.
func (s *Service) pruneFailures(ctx context.Context, now time.Time) error {
	if _, err := s.DB.Exec(ctx, "DELETE FROM signin_failures WHERE at < ?", now.Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("pruning failed sign-ins: %w", err)
	}
	return errBadCredentials
}

// StartSession creates a session for a person who has proved who they are.
func (s *Service) StartSession(ctx context.Context, personID int64) (Session, error) {
	token, err := randomToken(32)
	if err != nil {
		return Session{}, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return Session{}, err
	}
	now := s.Clock.Now()
	ttl := s.SessionTTL
	if ttl == 0 {
		ttl = DefaultSessionTTL
	}
	sess := Session{Token: token, CSRFToken: csrf, PersonID: personID, ExpiresAt: now.Add(ttl)}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions(token_hash, person_id, csrf_token, created_at, expires_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashSecret(token), personID, csrf, now, sess.ExpiresAt, now)
		if err != nil {
			return fmt.Errorf("creating session: %w", err)
		}
		_, err = tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", now)
		return err
	})
	return sess, err
}

// SessionPrincipal returns who a session cookie belongs to and the
// session's CSRF token. An unknown or expired session is EUNAUTHORIZED.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (*access.Principal, string, error) {
	if token == "" {
		return nil, "", engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	now, orgChanges := s.Clock.Now(), s.Org.Changes()
	key := "s:" + hashSecret(token)
	if p, csrf, ok := s.principals.get(key, now, orgChanges); ok {
		return p, csrf, nil
	}
	var personID int64
	var csrf string
	var expires, lastSeen time.Time
	err := s.DB.QueryRow(ctx, "SELECT person_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE token_hash = ?", hashSecret(token)).
		Scan(&personID, &csrf, &expires, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(expires)) {
		return nil, "", engage.Errorf(engage.EUNAUTHORIZED, "Your session has ended. Sign in again.")
	} else if err != nil {
		return nil, "", fmt.Errorf("reading session: %w", err)
	}
	p, err := s.Org.Principal(ctx, personID, "session")
	if err != nil {
		return nil, "", err
	}
	// Sliding expiry, written at most once a minute per session.
	if now.Sub(lastSeen) > time.Minute {
		ttl := s.SessionTTL
		if ttl == 0 {
			ttl = DefaultSessionTTL
		}
		expires = now.Add(ttl)
		_, _ = s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?", now, expires, hashSecret(token))
	}
	s.principals.put(key, p, csrf, expires, orgChanges)
	return p, csrf, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	defer s.principals.forget()
	if _, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashSecret(token)); err != nil {
		return fmt.Errorf("ending session: %w", err)
	}
	return nil
}

// SetPassword sets a person's password. A person may set their own; admins
// and the command line (a system principal) may set anyone's.
func (s *Service) SetPassword(ctx context.Context, actor *access.Principal, personID int64, password string) error {
	if actor == nil || (actor.PersonID != personID && !actor.IsAdmin()) {
		return engage.Errorf(engage.EFORBIDDEN, "You can only change your own password.")
	}
	var email string
	if err := s.DB.QueryRow(ctx, "SELECT email FROM people WHERE id = ?", personID).Scan(&email); errors.Is(err, sql.ErrNoRows) {
		return engage.Errorf(engage.ENOTFOUND, "No person with id %d.", personID)
	} else if err != nil {
		return fmt.Errorf("reading person: %w", err)
	}
	if msg := CheckPasswordStrength(password, email); msg != "" {
		return &engage.Error{Code: engage.EINVALID, Message: "Choose a stronger password.", Fields: []engage.FieldError{{Field: "password", Message: msg}}}
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return err
	}
	defer s.principals.forget()
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, "UPDATE credentials SET password_hash = ?, updated_at = ? WHERE person_id = ?", hash, now, personID)
		if err != nil {
			return fmt.Errorf("saving password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO credentials(person_id, password_hash, updated_at) VALUES (?, ?, ?)", personID, hash, now); err != nil {
				return fmt.Errorf("saving password: %w", err)
			}
		}
		// A new password ends every other session of that person.
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE person_id = ?", personID); err != nil {
			return fmt.Errorf("ending sessions: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "set-password", "person", personID, "Password changed", nil, nil)
	})
}

// SetPasswordHash stores a precomputed hash without auditing; the demo data
// loader uses it to give many accounts one password quickly.
func SetPasswordHash(ctx context.Context, q db.Querier, personID int64, hash string, now time.Time) error {
	_, err := q.Exec(ctx, "INSERT INTO credentials(person_id, password_hash, updated_at) VALUES (?, ?, ?)", personID, hash, now)
	if err != nil {
		return fmt.Errorf("saving password of person %d: %w", personID, err)
	}
	return nil
}

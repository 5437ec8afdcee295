package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// APIToken describes a token; the secret itself is shown once, at creation.
type APIToken struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope" enum:"full,gate" doc:"full acts as the person in everything; gate may only ask the delivery gate"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateToken issues an API token acting as personID in everything they
// may do (see CreateScopedToken).
func (s *Service) CreateToken(ctx context.Context, actor *access.Principal, personID int64, name string, expiresAt *time.Time) (string, APIToken, error) {
	return s.CreateScopedToken(ctx, actor, personID, name, access.ScopeFull, expiresAt)
}

// CreateScopedToken issues an API token acting as personID within scope,
// access.ScopeFull or access.ScopeGate. The scope is always chosen: a
// request that leaves it out is refused rather than given the widest one,
// so a form or a client that loses the field cannot mint a full token by
// accident. People create
// tokens for themselves; admins and the command line for anyone. It returns
// the secret, which is not stored and cannot be shown again.
func (s *Service) CreateScopedToken(ctx context.Context, actor *access.Principal, personID int64, name, scope string, expiresAt *time.Time) (string, APIToken, error) {
	if actor == nil || (actor.PersonID != personID && !actor.IsAdmin()) {
		return "", APIToken{}, engage.Errorf(engage.EFORBIDDEN, "You can only create tokens for yourself.")
	}
	if actor.Scope != "" && actor.Scope != access.ScopeFull {
		return "", APIToken{}, engage.Errorf(engage.EFORBIDDEN, "A token limited to the delivery gate cannot create tokens.")
	}
	name, scope = strings.TrimSpace(name), strings.TrimSpace(scope)
	var v engage.Validation
	v.Require("name", name, "a name that says what the token is for")
	v.MaxLen("name", name, 100)
	if scope == "" {
		v.Add("scope", "Choose what the token may do: full (everything the person may do) or gate (only ask the delivery gate).")
	} else if scope != access.ScopeFull && scope != access.ScopeGate {
		v.Add("scope", "Choose full or gate.")
	}
	now := s.Clock.Now()
	if expiresAt != nil && !expiresAt.After(now) {
		v.Add("expires_at", "Choose a time in the future.")
	}
	if err := v.Err(); err != nil {
		return "", APIToken{}, err
	}
	secret, err := randomToken(32)
	if err != nil {
		return "", APIToken{}, err
	}
	secret = TokenPrefix + secret
	t := APIToken{PersonID: personID, Name: name, Prefix: secret[:len(TokenPrefix)+6], Scope: scope, CreatedAt: now, ExpiresAt: expiresAt}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		var active bool
		if err := tx.QueryRow(ctx, "SELECT active FROM people WHERE id = ?", personID).Scan(&active); errors.Is(err, sql.ErrNoRows) {
			return engage.Errorf(engage.ENOTFOUND, "No person with id %d.", personID)
		} else if err != nil {
			return fmt.Errorf("reading person: %w", err)
		}
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens(person_id, name, prefix, token_hash, scope, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, personID, name, t.Prefix, hashSecret(secret), scope, now, expiresAt).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("saving token: %w", err)
		}
		summary := "Created API token " + name
		if scope != access.ScopeFull {
			summary += " (" + scope + " only)"
		}
		return audit.Record(ctx, tx, now, actor, "create", "api_token", t.ID, summary, nil, t)
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return secret, t, nil
}

// TokenPrincipal returns who a bearer token acts as; a scoped token's
// principal carries its scope (access.Principal.Scope).
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (*access.Principal, error) {
	invalid := engage.Errorf(engage.EUNAUTHORIZED, "The API token is not valid: it is unknown, expired or revoked.")
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, invalid
	}
	now, orgChanges := s.Clock.Now(), s.Org.Changes()
	key := "t:" + hashSecret(secret)
	if p, _, ok := s.principals.get(key, now, orgChanges); ok {
		return p, nil
	}
	var id, personID int64
	var scope string
	var expires, revoked, lastUsed sql.NullTime
	err := s.DB.QueryRow(ctx, "SELECT id, person_id, scope, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?", hashSecret(secret)).
		Scan(&id, &personID, &scope, &expires, &revoked, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked.Valid || (expires.Valid && !now.Before(expires.Time)))) {
		return nil, invalid
	} else if err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Minute {
		_, _ = s.DB.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id)
	}
	p, err := s.Org.Principal(ctx, personID, "token")
	if err != nil {
		return nil, err
	}
	if scope != access.ScopeFull {
		p.Scope = scope
	}
	var until time.Time
	if expires.Valid {
		until = expires.Time
	}
	s.principals.put(key, p, "", until, orgChanges)
	return p, nil
}

// ListTokens lists a person's tokens (without secrets).
func (s *Service) ListTokens(ctx context.Context, actor *access.Principal, personID int64) ([]APIToken, error) {
	if actor == nil || (actor.PersonID != personID && !actor.IsAdmin()) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "You can only see your own tokens.")
	}
	rows, err := s.DB.Query(ctx, `SELECT id, person_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE person_id = ? ORDER BY id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var exp, used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Name, &t.Prefix, &t.Scope, &t.CreatedAt, &exp, &used, &rev); err != nil {
			return nil, fmt.Errorf("reading tokens: %w", err)
		}
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = db.TimePtr(exp), db.TimePtr(used), db.TimePtr(rev)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token working. Its owner or an admin may.
func (s *Service) RevokeToken(ctx context.Context, actor *access.Principal, id int64) error {
	defer s.principals.forget()
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		var owner int64
		var revoked sql.NullTime
		err := tx.QueryRow(ctx, "SELECT person_id, revoked_at FROM api_tokens WHERE id = ?", id).Scan(&owner, &revoked)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && actor.PersonID != owner && !actor.IsAdmin()) {
			return engage.Errorf(engage.ENOTFOUND, "No API token with id %d.", id)
		} else if err != nil {
			return fmt.Errorf("reading token: %w", err)
		}
		if revoked.Valid {
			return nil
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("revoking token: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "revoke", "api_token", id, "Revoked API token", nil, nil)
	})
}

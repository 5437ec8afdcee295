// Package signedlink makes and checks the tokens of links that let one
// person act on one thing without signing in — an approver deciding on a
// request, a recipient answering a pulse. A token is
// "subject.person.expiry.mac": the mac is an HMAC-SHA256 of the rest,
// under a purpose of its own, with a secret generated once and kept in the
// settings table, so every replica signs and checks alike. Whether the
// claim has expired, and what it allows, is for the caller to say.
package signedlink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// Signer signs and checks the tokens of one kind of link.
type Signer struct {
	DB *db.DB
	// Key names the secret in the settings table.
	Key string
	// Purpose is signed with every token, so a token of one kind of link
	// is never valid for another even under the same secret.
	Purpose string

	mu     sync.Mutex
	secret []byte
}

// Claim is what a valid token says.
type Claim struct {
	Subject, Person int64
	Expires         time.Time
}

func (s *Signer) key(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secret == nil {
		secret, err := db.Secret(ctx, s.DB, s.Key)
		if err != nil {
			return nil, err
		}
		s.secret = secret
	}
	return s.secret, nil
}

func (s *Signer) mac(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("engage " + s.Purpose + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns the token of a link for person to act on subject until
// expires.
func (s *Signer) Sign(ctx context.Context, subject, person int64, expires time.Time) (string, error) {
	secret, err := s.key(ctx)
	if err != nil {
		return "", err
	}
	payload := fmt.Sprintf("%d.%d.%d", subject, person, expires.Unix())
	return payload + "." + s.mac(secret, payload), nil
}

// Verify checks a token's shape and signature. ok is false for a token
// that is not one of these links; err is set only when the secret cannot
// be read.
func (s *Signer) Verify(ctx context.Context, token string) (c Claim, ok bool, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return Claim{}, false, nil
	}
	secret, err := s.key(ctx)
	if err != nil {
		return Claim{}, false, err
	}
	if !hmac.Equal([]byte(s.mac(secret, strings.Join(parts[:3], "."))), []byte(parts[3])) {
		return Claim{}, false, nil
	}
	var n [3]int64
	for i := range n {
		if n[i], err = strconv.ParseInt(parts[i], 10, 64); err != nil {
			return Claim{}, false, nil
		}
	}
	return Claim{Subject: n[0], Person: n[1], Expires: time.Unix(n[2], 0).UTC()}, true, nil
}

// Prepare reads (or creates) the secret now, so that later tokens can be
// signed inside another transaction without reaching for the settings.
func (s *Signer) Prepare(ctx context.Context) error {
	_, err := s.key(ctx)
	return err
}

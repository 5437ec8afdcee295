package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery", auth.CheapArgon2())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string at the cost asked for", h)
	}
	if !auth.VerifyPassword(h, "correct horse battery") || auth.VerifyPassword(h, "correct horse battery!") {
		t.Fatal("verification does not distinguish the right password")
	}
	h2, _ := auth.HashPassword("correct horse battery", auth.CheapArgon2())
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	// No cost given: the production one.
	if h, _ := auth.HashPassword("correct horse battery", auth.Argon2Params{}); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") ||
		!auth.VerifyPassword(h, "correct horse battery") {
		t.Fatalf("hash at the default cost = %q", h)
	}
	if auth.VerifyPassword("$argon2id$garbage", "x") {
		t.Fatal("a malformed hash verified")
	}
}

type fixture struct {
	auth  *auth.Service
	org   *org.Service
	clock *engage.FixedClock
	ada   org.Person
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	clock := engage.NewFixedClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	a := &auth.Service{DB: d, Org: o, Clock: clock, SessionTTL: time.Hour, Argon2: auth.CheapArgon2()}
	sys := access.System("test")
	ada, err := o.CreatePerson(context.Background(), sys, org.PersonInput{Email: "ada@example.com", Name: "Ada", Active: true, Roles: []access.Role{access.Requester}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetPassword(context.Background(), sys, ada.ID, "a long enough secret"); err != nil {
		t.Fatal(err)
	}
	return fixture{a, o, clock, ada}
}

func TestSignInAndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.auth.SignIn(ctx, "ada@example.com", "wrong password!!", "10.0.0.1"); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("wrong password = %v; want unauthorized", err)
		}
		sess, err := f.auth.SignIn(ctx, " ADA@example.com ", "a long enough secret", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		p, csrf, err := f.auth.SessionPrincipal(ctx, sess.Token)
		if err != nil || p.PersonID != f.ada.ID || csrf != sess.CSRFToken || !p.Has(access.Requester) {
			t.Fatalf("session principal = %+v, %q, %v", p, csrf, err)
		}
		// The stored session is a hash, not the cookie value.
		var n int
		_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", sess.Token).Scan(&n)
		if n != 0 {
			t.Fatal("the raw session token is stored")
		}
		// Sessions expire after the TTL without activity.
		f.clock.Advance(61 * time.Minute)
		if _, _, err := f.auth.SessionPrincipal(ctx, sess.Token); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("expired session = %v; want unauthorized", err)
		}
		// Sign-out ends a session.
		sess, _ = f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.1")
		if err := f.auth.SignOut(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.auth.SessionPrincipal(ctx, sess.Token); err == nil {
			t.Fatal("a signed-out session still works")
		}
	})
}

func TestSignInRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		for i := 0; i < auth.MaxEmailFailures; i++ {
			if _, err := f.auth.SignIn(ctx, "ada@example.com", "guess", "10.0.0.9"); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
				t.Fatalf("attempt %d = %v", i, err)
			}
		}
		// Now even the right password is refused for this account.
		if _, err := f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.10"); engage.ErrorCode(err) != engage.ETOOMANY {
			t.Fatalf("after %d failures = %v; want too many", auth.MaxEmailFailures, err)
		}
		f.clock.Advance(auth.FailureWindow + time.Second)
		if _, err := f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.10"); err != nil {
			t.Fatalf("after the window = %v; want success", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		me, _ := f.org.Principal(ctx, f.ada.ID, "session")
		if _, _, err := f.auth.CreateToken(ctx, me, f.ada.ID, "", nil); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("nameless token = %v; want a field error", err)
		}
		other := &access.Principal{PersonID: 999, Roles: []access.Role{access.Requester}}
		if _, _, err := f.auth.CreateToken(ctx, other, f.ada.ID, "x", nil); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("token for someone else = %v; want forbidden", err)
		}
		secret, tok, err := f.auth.CreateToken(ctx, me, f.ada.ID, "ci pipeline", nil)
		if err != nil || !strings.HasPrefix(secret, auth.TokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("token = %q %+v %v", secret, tok, err)
		}
		p, err := f.auth.TokenPrincipal(ctx, secret)
		if err != nil || p.PersonID != f.ada.ID || p.Via != "token" {
			t.Fatalf("token principal = %+v, %v", p, err)
		}
		if _, err := f.auth.TokenPrincipal(ctx, secret+"x"); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("altered token = %v", err)
		}
		if err := f.auth.RevokeToken(ctx, me, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.TokenPrincipal(ctx, secret); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("revoked token = %v; want unauthorized", err)
		}
		exp := f.clock.Now().Add(time.Hour)
		secret2, _, _ := f.auth.CreateToken(ctx, me, f.ada.ID, "short", &exp)
		f.clock.Advance(2 * time.Hour)
		if _, err := f.auth.TokenPrincipal(ctx, secret2); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("expired token = %v; want unauthorized", err)
		}
		list, err := f.auth.ListTokens(ctx, me, f.ada.ID)
		if err != nil || len(list) != 2 || list[1].RevokedAt == nil {
			t.Fatalf("tokens = %+v, %v", list, err)
		}
	})
}

func TestSetPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		me, _ := f.org.Principal(ctx, f.ada.ID, "session")
		if err := f.auth.SetPassword(ctx, me, f.ada.ID, "short"); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("weak password = %v; want a field error", err)
		}
		if err := f.auth.SetPassword(ctx, &access.Principal{PersonID: 5}, f.ada.ID, "another long secret"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("setting someone else's password = %v", err)
		}
		if err := f.auth.SetPassword(ctx, me, f.ada.ID, "another long secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.SignIn(ctx, "ada@example.com", "another long secret", "1.1.1.1"); err != nil {
			t.Fatalf("sign in with new password = %v", err)
		}
	})
}

// TestPrincipalsKeptBriefly: what a session or token resolves to is kept
// for a moment, but a change made through this replica — roles, sign-out,
// a revoked token — counts at once; a change made elsewhere (here, straight
// in the database) counts within a second.
func TestPrincipalsKeptBriefly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		sys := access.System("test")
		sess, err := f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		secret, tok, err := f.auth.CreateToken(ctx, sys, f.ada.ID, "ci", nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second time from what is kept
			if p, _, err := f.auth.SessionPrincipal(ctx, sess.Token); err != nil || p.Has(access.Finance) {
				t.Fatalf("session = %+v, %v", p, err)
			}
			if p, err := f.auth.TokenPrincipal(ctx, secret); err != nil || p.Has(access.Finance) {
				t.Fatalf("token = %+v, %v", p, err)
			}
		}
		// A new role counts at once, through the session and the token.
		ada, err := f.org.FindPersonByID(ctx, f.ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.org.UpdatePerson(ctx, sys, ada.ID, ada.Version, org.PersonInput{Email: ada.Email, Name: ada.Name, Active: true,
			Roles: []access.Role{access.Requester, access.Finance}}); err != nil {
			t.Fatal(err)
		}
		if p, _, err := f.auth.SessionPrincipal(ctx, sess.Token); err != nil || !p.Has(access.Finance) {
			t.Fatalf("session right after the new role = %+v, %v; want finance", p, err)
		}
		if p, err := f.auth.TokenPrincipal(ctx, secret); err != nil || !p.Has(access.Finance) {
			t.Fatalf("token right after the new role = %+v, %v; want finance", p, err)
		}
		// Revoking the token and signing out count at once.
		if err := f.auth.RevokeToken(ctx, sys, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.TokenPrincipal(ctx, secret); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("revoked token = %v; want unauthorized", err)
		}
		if err := f.auth.SignOut(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.auth.SessionPrincipal(ctx, sess.Token); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("session after sign-out = %v; want unauthorized", err)
		}
		// A session ended by another replica ends here within a second.
		other, err := f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.auth.SessionPrincipal(ctx, other.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "DELETE FROM sessions WHERE person_id = ?", f.ada.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond)
		if _, _, err := f.auth.SessionPrincipal(ctx, other.Token); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("a session ended elsewhere, a second later = %v; want unauthorized", err)
		}
		// An expired session is refused even when kept.
		last, err := f.auth.SignIn(ctx, "ada@example.com", "a long enough secret", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.auth.SessionPrincipal(ctx, last.Token); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour)
		if _, _, err := f.auth.SessionPrincipal(ctx, last.Token); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("an expired session = %v; want unauthorized", err)
		}
	})
}

// TestSignInFailureKeepsLittle: a failed sign-in with an address far
// longer than any e-mail address keeps a short record of it, and the same
// long address is still throttled like any other.
func TestSignInFailureKeepsLittle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		long := strings.Repeat("a", 15000) + "@example.com"
		for i := 0; i < auth.MaxEmailFailures; i++ {
			if _, err := f.auth.SignIn(ctx, long, "guess", "10.0.0."+string(rune('1'+i))); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
				t.Fatalf("attempt %d = %v", i, err)
			}
		}
		var most int
		if err := d.QueryRow(ctx, "SELECT MAX(LENGTH(email)) FROM signin_failures").Scan(&most); err != nil {
			t.Fatal(err)
		}
		if most > 254 {
			t.Errorf("a failure keeps an address of %d characters, want at most 254", most)
		}
		if _, err := f.auth.SignIn(ctx, long, "guess", "10.0.0.99"); engage.ErrorCode(err) != engage.ETOOMANY {
			t.Errorf("after %d failures with the long address = %v; want too many", auth.MaxEmailFailures, err)
		}
	})
}

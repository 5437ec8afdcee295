package signedlink_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/signedlink"
)

// TestSignAndVerify: a token says what it was signed with, on every replica;
// a changed token, or one of another kind of link, is not valid.
func TestSignAndVerify(t *testing.T) {
	dbtest.EachReplicated(t, 2, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		last := dbs[len(dbs)-1] // SQLite has one
		one := &signedlink.Signer{DB: dbs[0], Key: "test_link_secret", Purpose: "test link"}
		two := &signedlink.Signer{DB: last, Key: "test_link_secret", Purpose: "test link"}
		other := &signedlink.Signer{DB: last, Key: "test_link_secret", Purpose: "other link"}
		expires := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
		token, err := one.Sign(ctx, 42, 7, expires)
		if err != nil {
			t.Fatal(err)
		}
		c, ok, err := two.Verify(ctx, token)
		if err != nil || !ok || c.Subject != 42 || c.Person != 7 || !c.Expires.Equal(expires) {
			t.Fatalf("verified on the other replica: %+v %v %v", c, ok, err)
		}
		parts := strings.Split(token, ".")
		forged := "43." + strings.Join(parts[1:], ".")
		for _, bad := range []string{forged, token + "x", strings.Join(parts[:3], "."), "", "a.b.c.d", "1.2.3." + parts[3]} {
			if _, ok, err := two.Verify(ctx, bad); ok || err != nil {
				t.Errorf("%q verified (%v, %v)", bad, ok, err)
			}
		}
		if _, ok, _ := other.Verify(ctx, token); ok {
			t.Error("a token of one kind of link is valid for another")
		}
	})
}

package auth_test

import (
	"context"
	"sync"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// A burst of wrong passwords for one address, spread over replicas, gets at
// most MaxEmailFailures password checks; the right password sent inside
// the burst or after it is refused once the limit is reached.
func TestSignInThrottleHoldsUnderConcurrency(t *testing.T) {
	dbtest.EachReplicated(t, 3, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		f := setup(t, dbs[0])
		services := make([]*auth.Service, len(dbs))
		for i, d := range dbs {
			services[i] = &auth.Service{DB: d, Org: &org.Service{DB: d, Clock: f.clock}, Clock: f.clock, Argon2: auth.CheapArgon2()}
		}
		const wrong = 30
		var mu sync.Mutex
		var failures, refused, success int
		dbtest.AtOnce(wrong+1, func(i int) {
			password := "wrong password!!"
			if i == wrong/2 {
				password = "a long enough secret"
			}
			_, err := services[i%len(services)].SignIn(ctx, "ada@example.com", password, "10.1.0.1")
			mu.Lock()
			defer mu.Unlock()
			switch engage.ErrorCode(err) {
			case "":
				success++
			case engage.EUNAUTHORIZED:
				failures++
			case engage.ETOOMANY:
				refused++
			default:
				t.Errorf("sign-in: %v", err)
			}
		})
		if failures > auth.MaxEmailFailures || failures+success > auth.MaxEmailFailures+1 {
			t.Fatalf("%d wrong and %d right passwords were checked in one window; want at most %d wrong", failures, success, auth.MaxEmailFailures)
		}
		if failures+success+refused != wrong+1 {
			t.Fatalf("answers: %d failures, %d successes, %d refusals; want %d in all", failures, success, refused, wrong+1)
		}
		if failures < auth.MaxEmailFailures {
			t.Fatalf("only %d failures were counted; want the limit, %d, reached", failures, auth.MaxEmailFailures)
		}
		for _, s := range services {
			if _, err := s.SignIn(ctx, "ada@example.com", "a long enough secret", "10.1.0.2"); engage.ErrorCode(err) != engage.ETOOMANY {
				t.Fatalf("the right password after the burst = %v; want too many", err)
			}
		}
	})
}

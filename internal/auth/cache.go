package auth

import (
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
)

// principalFor is how long a replica keeps what a session or API token
// resolves to. Every request needs the principal — the session, the person,
// their roles and the departments they cover — and reading it from the
// database was most of the work of a simple page. A change made through
// this replica (sign-out, password, token revocation, any organisation
// write: roles, departments, deactivation) drops what is kept at once;
// a change made through another replica shows here within this time.
const principalFor = time.Second

// maxPrincipals bounds the cache; past it, it starts again empty.
const maxPrincipals = 20000

type principalCache struct {
	mu      sync.Mutex
	changes int64 // this replica's sign-outs, password changes and revocations
	m       map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       access.Principal
	csrf    string
	expires time.Time // the session's or token's end; zero for none
	at      time.Time // wall clock
	org     int64     // org.Service.Changes() when read
	changes int64
}

// get returns a copy of the principal kept for key, if still good at now
// (the product clock, for expiry) and fresh (the wall clock).
func (c *principalCache) get(key string, now time.Time, orgChanges int64) (*access.Principal, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.org != orgChanges || e.changes != c.changes || time.Since(e.at) >= principalFor ||
		(!e.expires.IsZero() && !now.Before(e.expires)) {
		return nil, "", false
	}
	p := e.p
	return &p, e.csrf, true
}

func (c *principalCache) put(key string, p *access.Principal, csrf string, expires time.Time, orgChanges int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxPrincipals {
		c.m = map[string]cachedPrincipal{}
	}
	c.m[key] = cachedPrincipal{p: *p, csrf: csrf, expires: expires, at: time.Now(), org: orgChanges, changes: c.changes}
}

// forget drops everything kept: a session ended or a password or token changed.
func (c *principalCache) forget() {
	c.mu.Lock()
	c.changes++
	c.m = nil
	c.mu.Unlock()
}

package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
)

// TestSignInThrottleBehindAProxy: behind a trusted proxy, a client that
// writes a new address at the left of X-Forwarded-For on every attempt is
// still counted by the address the proxy saw, and is throttled before 40
// failed sign-ins, whether the proxy is trusted by its hop count or by its
// network.
func TestSignInThrottleBehindAProxy(t *testing.T) {
	for name, configure := range map[string]func(*config.Config){
		"hops":     func(c *config.Config) { c.TrustProxy = true },
		"networks": func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.0/8", "10.0.0.0/8"} },
	} {
		t.Run(name, func(t *testing.T) {
			for _, engine := range apptest.Engines {
				t.Run(engine, func(t *testing.T) {
					e := apptest.NewWith(t, engine, configure)
					b := e.Browser(t)
					b.Get("/signin")
					var throttled int
					for i := range 40 {
						form := url.Values{"email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"wrong password"}, "csrf_token": {b.CSRF()}}
						req, _ := http.NewRequest(http.MethodPost, e.URL+"/signin", strings.NewReader(form.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						// What the client wrote, then what the proxy saw.
						xff := fmt.Sprintf("198.51.100.%d, 203.0.113.7", i+1)
						if name == "networks" {
							xff += ", 10.0.0.2" // a second, inner proxy
						}
						req.Header.Set("X-Forwarded-For", xff)
						res, err := b.Client.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						res.Body.Close()
						if res.StatusCode == http.StatusTooManyRequests {
							throttled = i + 1
							break
						}
					}
					if throttled == 0 {
						t.Fatal("40 failed sign-ins with a rotating X-Forwarded-For were never throttled")
					}
				})
			}
		})
	}
}

package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/demo"
)

// TestFeedsLinkToTheConfiguredURL: the Atom feeds (a community's, the
// announcements') build their absolute links from the configured public
// URL; a forged Host header reaches none of them, with or without it.
func TestFeedsLinkToTheConfiguredURL(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			for _, base := range []string{"http://engage.example.test", ""} {
				e := apptest.NewWith(t, engine, func(c *config.Config) { c.BaseURL = base })
				token := e.Token(t, "admin@example.com")
				for _, path := range []string{"/communities/" + demo.CommunityIPhone + "/feed.atom", "/announcements/feed"} {
					req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
					req.Host = "evil.example"
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(res.Body)
					res.Body.Close()
					feed := string(raw)
					if res.StatusCode != http.StatusOK || !strings.Contains(feed, "<entry>") {
						t.Fatalf("%s with base %q = %d\n%.300s", path, base, res.StatusCode, feed)
					}
					if strings.Contains(feed, "evil.example") {
						t.Errorf("%s with base %q links to the forged Host:\n%.600s", path, base, feed)
					}
					want := `href="` + base + "/"
					if base == "" {
						want = `href="/`
					}
					if !strings.Contains(feed, want) || strings.Contains(feed, `href="http://127.0.0.1`) {
						t.Errorf("%s with base %q: links not from it:\n%.600s", path, base, feed)
					}
				}
			}
		})
	}
}

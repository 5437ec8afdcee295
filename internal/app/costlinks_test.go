package app_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestCostsLinkOnlyServicesTheReaderSees: a BRM reading a department's
// statement is led only to catalog pages that open for them — services
// offered only to that department are named without a link.
func TestCostsLinkOnlyServicesTheReaderSees(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		brm := e.SignIn(t, "brm@example.com")
		bio := departmentByCode(t, e, "BIO")
		res, body := brm.Get("/costs?department=" + strconv.FormatInt(bio.ID, 10))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the BRM's view of BIO's costs = %d", res.StatusCode)
		}
		links := regexp.MustCompile(`href="(/catalog/[a-z0-9-]+)"`).FindAllStringSubmatch(body, -1)
		if len(links) == 0 {
			t.Fatal("the statement links no service at all")
		}
		for _, l := range links {
			if res, _ := brm.Get(l[1]); res.StatusCode != http.StatusOK {
				t.Errorf("the costs page links %s, which answers the BRM %d", l[1], res.StatusCode)
			}
		}
	})
}

// TestCostsLinksShadowSpend: the costs page leads to shadow spend those who
// may read it, and to the shadow cases those who work them (a BRM, an
// administrator) — not a department head, who reads the spend but has no
// cases to act on.
func TestCostsLinksShadowSpend(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		for _, c := range []struct {
			email         string
			shadow, cases bool
		}{
			{"brm@example.com", true, true},
			{"admin@example.com", true, true},
			{"finance@example.com", true, false},
			{"budget@example.com", true, false},
			{"requester@example.com", false, false},
		} {
			b := e.SignIn(t, c.email)
			_, body := b.Get("/costs")
			if got := strings.Contains(body, `href="/shadow"`); got != c.shadow {
				t.Errorf("%s: the costs page links /shadow: %v, want %v", c.email, got, c.shadow)
			}
			if got := strings.Contains(body, `href="/shadow/cases"`); got != c.cases {
				t.Errorf("%s: the costs page links /shadow/cases: %v, want %v", c.email, got, c.cases)
			}
			for path, linked := range map[string]bool{"/shadow": c.shadow, "/shadow/cases": c.cases} {
				if res, _ := b.Get(path); linked && res.StatusCode != http.StatusOK {
					t.Errorf("%s: the costs page links %s, which answers %d", c.email, path, res.StatusCode)
				}
			}
		}
	})
}

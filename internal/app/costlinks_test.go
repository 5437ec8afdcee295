package app_test

import (
	"net/http"
	"regexp"
	"strconv"
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

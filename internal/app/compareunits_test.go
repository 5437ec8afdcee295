package app_test

import (
	"fmt"
	"html"
	"regexp"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

var compareSummary = regexp.MustCompile(`(?s)<p class="lead" id="summary">(.*?)</p>`)

// TestCompareNamesTheUnit: the comparison's sentence counts in the
// offerings' own unit ("20 VMs", "1 VM"), and when the offerings are counted
// in different units it says what each column prices instead of one
// "for 20 units".
func TestCompareNamesTheUnit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "requester@example.com")
		small, medium, server := offeringID(t, e, "cloud-vm-small"), offeringID(t, e, "cloud-vm-medium"), offeringID(t, e, "physical-server-standard")
		summary := func(qty string, ids ...int64) string {
			t.Helper()
			path := "/compare?qty=" + qty
			for _, id := range ids {
				path += fmt.Sprintf("&o=%d", id)
			}
			_, page := b.Get(path)
			m := compareSummary.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("%s has no summary", path)
			}
			return html.UnescapeString(m[1])
		}
		for _, c := range []struct {
			qty   string
			ids   []int64
			start string
		}{
			{"20", []int64{small, medium}, "For 20 VMs, "},
			{"1", []int64{small, medium}, "For 1 VM, "},
			{"20", []int64{server, medium}, "Counted in different units (20 servers of Rack server — standard, 20 VMs of Cloud VM — medium (4 vCPU, 16 GB)): "},
		} {
			if got := summary(c.qty, c.ids...); len(got) < len(c.start) || got[:len(c.start)] != c.start {
				t.Errorf("comparing %v for %s: %q; want it to start %q", c.ids, c.qty, got, c.start)
			}
		}
	})
}

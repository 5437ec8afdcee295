package community

import (
	"strings"
	"testing"
)

// TestRightsDoNotCountMembers: the query rights read a community with has
// no member count (it scanned every member on each discussion page).
func TestRightsDoNotCountMembers(t *testing.T) {
	if strings.Contains(uncountedColumns, "COUNT(") || !strings.Contains(columns, "COUNT(") {
		t.Fatalf("the member count is still read for rights:\n%s", uncountedColumns)
	}
}

package page

import (
	"testing"
	"time"

	"github.com/engagehq/engage/internal/catalog"
)

// TestDatesInTheReadersZone: an instant is shown in the reader's zone,
// named; a calendar date is the same day everywhere.
func TestDatesInTheReadersZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)
	day := catalog.Date{Time: time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC)}
	utc, jst := zoneFuncs(time.UTC), zoneFuncs(tokyo)
	date := func(f map[string]any, v any) string { return f["date"].(func(any) string)(v) }
	datetime := func(f map[string]any, v any) string { return f["datetime"].(func(any) string)(v) }
	for _, c := range []struct{ got, want string }{
		{datetime(utc, late), "6 Dec 2026, 23:30 UTC"},
		{datetime(jst, late), "7 Dec 2026, 08:30 JST"},
		{datetime(jst, &late), "7 Dec 2026, 08:30 JST"},
		{date(jst, late), "7 Dec 2026"},
		{date(jst, day), "6 Jan 2027"},
		{date(jst, &day), "6 Jan 2027"},
		{datetime(jst, day), "6 Jan 2027"},
		{date(jst, "2027-01-06"), "6 Jan 2027"},
		{date(jst, "not a date"), "not a date"},
		{date(jst, (*time.Time)(nil)), ""},
		{datetime(jst, time.Time{}), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{"api_token": "API token", "parent_id": "Parent ID", "billing_mode": "Billing mode", "name": "Name", "": ""} {
		if got := Words(in); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

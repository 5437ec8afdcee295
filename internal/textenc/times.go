package textenc

import "time"

// StoredTimeLayouts are the forms of a time kept as text inside a JSON
// batch: RFC 3339 as Engage writes them, and SQLite's own form in batches
// made by a migration from rows written earlier.
var StoredTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00"}

// ParseStoredTime reads a time in one of StoredTimeLayouts, in UTC.
func ParseStoredTime(s string) (time.Time, bool) {
	for _, layout := range StoredTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

package org_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// TestLocationZoneIsIANA: a location's time zone is an IANA name, the same
// on every server; "Local" (whatever zone the server runs in) is refused,
// as a name that is no zone is.
func TestLocationZoneIsIANA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		for _, zone := range []string{"Local", "local", "Mars/Olympus", "../etc/passwd"} {
			_, err := s.CreateLocation(ctx, admin, org.LocationInput{Code: "BSL", Name: "Basel", Country: "CH", TimeZone: zone})
			if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "time_zone" {
				t.Errorf("time zone %q: error %v, want a field error on time_zone", zone, err)
			}
		}
		if n := count(t, d, "locations"); n != 0 {
			t.Errorf("%d locations stored, want none", n)
		}
		l, err := s.CreateLocation(ctx, admin, org.LocationInput{Code: "BSL", Name: "Basel", Country: "CH", TimeZone: "Europe/Zurich"})
		if err != nil || l.TimeZone != "Europe/Zurich" {
			t.Fatalf("Europe/Zurich: %+v, %v", l, err)
		}
	})
}

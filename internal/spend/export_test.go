package spend

import (
	"context"
	"time"
)

// SoftwareSpendBoth returns the software spend of the window before now
// read from the kept sums and read from the lines, and whether the sums
// are kept.
func SoftwareSpendBoth(ctx context.Context, s *Service, now time.Time) (kept, lines []ShadowVendor, ok bool, err error) {
	months := shadowWindow(now)
	if ok, err = sumsKept(ctx, s.DB); err != nil {
		return
	}
	if kept, err = s.softwareSpendKept(ctx, months, nil, true, ""); err != nil {
		return
	}
	lines, err = s.softwareSpendFromLines(ctx, months, nil, true, "")
	return
}

// CloudShadowQuery is the statement that reads the window's SaaS charges.
func CloudShadowQuery(months []string) (string, []any) {
	return cloudShadowQuery(months)
}

// CloudSanctionsQuery is the statement that reads the vendors billed through
// IT's cloud account.
const CloudSanctionsQuery = cloudSanctionsQuery

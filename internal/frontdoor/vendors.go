package frontdoor

import (
	"context"
	"fmt"
)

// DecidedVendor is a vendor the portfolio board chose to buy from, or to
// broker, for a need: IT is involved, so spend with that vendor by the
// departments the need was for is not shadow spend.
type DecidedVendor struct {
	Vendor       string
	DepartmentID int64
	Reference    string // the need's
	Kind         string // buy or broker
}

// DecidedVendors lists the vendors of the buy and broker options chosen by
// needs approved or later (in delivery, delivered, closed), once per
// department the need was for: its own and those it affects. It checks no
// access: the caller shows only what its own rules allow.
func (f *Service) DecidedVendors(ctx context.Context) ([]DecidedVendor, error) {
	rows, err := f.DB.Query(ctx, `SELECT o.vendor, n.department_id, n.reference, o.kind FROM needs n
		JOIN need_options o ON o.id = n.decision_option_id
		WHERE o.kind IN ('buy', 'broker') AND o.vendor <> '' AND n.state IN (?, ?, ?, ?)
		UNION SELECT o.vendor, d.department_id, n.reference, o.kind FROM needs n
		JOIN need_options o ON o.id = n.decision_option_id JOIN need_departments d ON d.need_id = n.id
		WHERE o.kind IN ('buy', 'broker') AND o.vendor <> '' AND n.state IN (?, ?, ?, ?)`,
		Approved, InDelivery, Delivered, Closed, Approved, InDelivery, Delivered, Closed)
	if err != nil {
		return nil, fmt.Errorf("reading decided vendors: %w", err)
	}
	defer rows.Close()
	var out []DecidedVendor
	for rows.Next() {
		var v DecidedVendor
		if err := rows.Scan(&v.Vendor, &v.DepartmentID, &v.Reference, &v.Kind); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

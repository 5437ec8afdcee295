package catalog_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
)

func TestQuantityNamesTheUnit(t *testing.T) {
	for _, c := range []struct {
		unit, name, qty, want string
	}{
		{"unit-month", "mailbox", "1", "1 mailbox"},
		{"unit-month", "mailbox", "20", "20 mailboxes"},
		{"unit-month", "GB", "20", "20 GB"},
		{"unit-month", "VM", "2", "2 VMs"},
		{"unit-month", "user licence", "3", "3 user licences"},
		{"unit-month", "", "20", "20 units"},
		{"unit-month", "", "1", "1 unit"},
		{"unit-month", "proxy", "2", "2 proxies"},
		{"unit-month", "day", "2", "2 days"},
		{"unit-hour", "VM", "20", "20 VM-hours per month"},
		{"unit-hour", "", "1", "1 unit-hour per month"},
		{"request", "page", "500", "500 pages per month"},
		{"person-month", "", "1", "1 person"},
		{"person-month", "", "12", "12 people"},
		{"fixed-month", "", "2", "2 instances"},
		{"one-time", "laptop", "2.5", "2.5 laptops"},
	} {
		if got := catalog.Quantity(c.unit, c.name, decimal.RequireFromString(c.qty)); got != c.want {
			t.Errorf("Quantity(%q, %q, %s) = %q; want %q", c.unit, c.name, c.qty, got, c.want)
		}
	}
}

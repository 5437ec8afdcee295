package catalog_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
)

// TestFormatUnitPrice: unit prices keep every decimal they are charged at.
func TestFormatUnitPrice(t *testing.T) {
	for _, c := range []struct{ amount, currency, want string }{
		{"0.008", "EUR", "€0.008"},
		{"0.0080", "EUR", "€0.008"},
		{"0.0000004", "EUR", "€0.0000004"},
		{"6.5", "EUR", "€6.50"},
		{"1234.5678", "EUR", "€1,234.5678"},
		{"1240", "JPY", "¥1,240"},
		{"0.5", "JPY", "¥0.5"},
		{"-0.015", "USD", "−$0.015"},
	} {
		if got := catalog.FormatUnitPrice(decimal.RequireFromString(c.amount), c.currency); got != c.want {
			t.Errorf("FormatUnitPrice(%s %s) = %q; want %q", c.amount, c.currency, got, c.want)
		}
	}
	// Amounts (totals, lines) still round to the currency's minor unit.
	if got := catalog.FormatMoney(decimal.RequireFromString("0.008"), "EUR"); got != "€0.01" {
		t.Errorf("FormatMoney(0.008) = %q", got)
	}
	p := catalog.Price{Amount: decimal.RequireFromString("0.004"), Currency: "EUR", Unit: "unit-month"}
	if got := catalog.FormatPrice(p); got != "€0.004 per unit per month" {
		t.Errorf("FormatPrice = %q", got)
	}
	p.UnitName = "GB"
	if got := catalog.FormatPrice(p); got != "€0.004 per GB-month" {
		t.Errorf("FormatPrice with the unit named = %q", got)
	}
}

// TestUnitWords: an offering's unit name makes the price's words.
func TestUnitWords(t *testing.T) {
	for _, c := range []struct{ unit, name, per string }{
		{"unit-month", "GB", "per GB-month"},
		{"unit-month", "user licence", "per user licence per month"},
		{"unit-hour", "vCPU", "per vCPU-hour"},
		{"unit", "page", "per page"},
		{"person-month", "seat", "per person per month"},
		{"unit-month", "", "per unit per month"},
		{"request", "call", "per request"},
	} {
		if got := catalog.UnitPer(c.unit, c.name); got != c.per {
			t.Errorf("UnitPer(%s, %q) = %q; want %q", c.unit, c.name, got, c.per)
		}
	}
}

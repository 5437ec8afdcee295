package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/product"
)

// spendCards is a year of corporate-card lines for the demo's departments
// (the shared card sample; its last column, vendor, is the answer a
// measurement of recognition checks against, and is left out here).
//
//go:embed spend_cards.csv
var spendCards []byte

// loadSpend imports the card lines, leaving out the vendor column and the
// lines in currencies the organisation does not use.
func loadSpend(ctx context.Context, s product.Services) error {
	recs, err := csv.NewReader(bytes.NewReader(spendCards)).ReadAll()
	if err != nil || len(recs) == 0 || recs[0][len(recs[0])-1] != "vendor" {
		return fmt.Errorf("demo card lines: a CSV file whose last column is vendor is wanted (%v)", err)
	}
	cur := -1
	for i, h := range recs[0] {
		if h == "currency" {
			cur = i
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i, r := range recs {
		if i > 0 && s.Spend.Currencies.Check(r[cur]) != "" {
			continue
		}
		if err := w.Write(r[:len(r)-1]); err != nil {
			return err
		}
	}
	w.Flush()
	if _, err := s.Spend.Import(ctx, access.System("demo data"), "card_transactions_2026.csv", &buf); err != nil {
		return fmt.Errorf("loading demo card lines: %w", err)
	}
	return nil
}

package processcost

import (
	"context"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/rating"
)

// CSVHeader is the first row of the costs file.
var CSVHeader = []string{"period", "ref", "name", "parent_ref", "kind", "currency", "own_charged", "charged", "own_cost", "cost"}

// WriteCSV writes what every process cost in period, as p may see it: one
// row per process and currency (own and rolled up, charged and cost), then
// the unclaimed part and the total, which equals the statements counted.
// Cells a spreadsheet would read as a formula are written as text.
func (s *Service) WriteCSV(ctx context.Context, p *access.Principal, period string, w io.Writer) error {
	m, err := s.Map(ctx, p, period)
	if err != nil {
		return err
	}
	reg, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return err
	}
	refs := map[int64]string{}
	for _, e := range reg.Entries {
		refs[e.ID] = e.Ref
	}
	cw := csvfile.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := func(ref, name, parent, kind string, own, rolled, ownCost, cost []CostAmount) error {
		byCur := map[string][4]string{}
		put := func(ms []CostAmount, i int) {
			for _, a := range ms {
				v := byCur[a.Currency]
				v[i] = rating.FixedAmount(a.Amount, a.Currency)
				byCur[a.Currency] = v
			}
		}
		put(own, 0)
		put(rolled, 1)
		put(ownCost, 2)
		put(cost, 3)
		currencies := make([]string, 0, len(byCur))
		for c := range byCur {
			currencies = append(currencies, c)
		}
		sort.Strings(currencies)
		for _, c := range currencies {
			v := byCur[c]
			for i := range v {
				if v[i] == "" {
					v[i] = rating.FixedAmount(decimal.Zero, c)
				}
			}
			if err := cw.Write([]string{m.Period, ref, name, parent, kind, c, v[0], v[1], v[2], v[3]}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range reg.Entries {
		c, ok := m.by[e.ID]
		if !ok {
			continue
		}
		if err := row(e.Ref, e.Name, refs[e.ParentID], string(e.Kind), c.OwnCharged, c.Charged, c.OwnCost, c.Cost); err != nil {
			return err
		}
	}
	if err := row("", "Unclaimed", "", "unclaimed", m.Unclaimed.Charged, m.Unclaimed.Charged, m.Unclaimed.Cost, m.Unclaimed.Cost); err != nil {
		return err
	}
	if err := row("", "Total", "", "total", m.Total.Charged, m.Total.Charged, m.Total.Cost, m.Total.Cost); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

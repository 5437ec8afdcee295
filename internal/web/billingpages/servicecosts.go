package billingpages

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/web/page"
)

// serviceCostsView is one service's cost, charges and recovery, month by
// month, for its owner and those who see every service's costs.
type serviceCostsView struct {
	page.Base
	SC      costs.ServiceCosts
	Chart   *recoveryChart
	SeesAll bool // links to every service's costs
}

// recoveryChart draws cost beside charges, month by month, in one currency.
type recoveryChart struct {
	Title    string
	Currency string
	Height   int
	Rows     []recoveryRow
}

type recoveryRow struct {
	Label                     string
	LabelY, CostY, ChargedY   float64
	CostW, ChargedW           float64
	CostText, ChargedText     string
	CostTextY, ChargedTextY   float64
	costAmount, chargedAmount decimal.Decimal
	hasFigure                 bool
}

// serviceChart draws the months of one currency: the currency of the last
// month with figures (the first in code order when there are several).
func serviceChart(sc costs.ServiceCosts) *recoveryChart {
	currency := ""
	for i := len(sc.Months) - 1; i >= 0 && currency == ""; i-- {
		if len(sc.Months[i].Figures) > 0 {
			currency = sc.Months[i].Figures[0].Currency
		}
	}
	if currency == "" {
		return nil
	}
	ch := &recoveryChart{Title: "Cost and charges per month in " + currency, Currency: currency, Height: 56*len(sc.Months) + 8}
	most := decimal.Zero
	for _, m := range sc.Months {
		row := recoveryRow{Label: m.Label}
		for _, f := range m.Figures {
			if f.Currency == currency {
				row.costAmount, row.chargedAmount, row.hasFigure = f.Cost, f.Charged, true
				if f.Recovery != nil {
					row.Label += " — recovered " + f.Recovery.StringFixed(1) + "%"
				}
			}
		}
		most = decimal.Max(most, row.costAmount, row.chargedAmount)
		ch.Rows = append(ch.Rows, row)
	}
	for i := range ch.Rows {
		row := &ch.Rows[i]
		y := float64(i * 56)
		row.LabelY, row.CostY, row.ChargedY = y+14, y+20, y+36
		row.CostTextY, row.ChargedTextY = y+31, y+47
		// Drawing only: the amounts shown are exact.
		row.CostW, row.ChargedW = 360*page.BarShare(row.costAmount, most), 360*page.BarShare(row.chargedAmount, most)
		row.CostW, row.ChargedW = math.Max(math.Round(row.CostW*10)/10, 1), math.Max(math.Round(row.ChargedW*10)/10, 1)
		row.CostText = "cost " + catalog.FormatMoney(row.costAmount, currency)
		row.ChargedText = "charged " + catalog.FormatMoney(row.chargedAmount, currency)
		if !row.hasFigure {
			row.CostText, row.ChargedText = "no cost", "no charges"
		}
	}
	return ch
}

// serviceCostsPage is a service's costs; the costs service says who may
// read them.
func (s *Pages) serviceCostsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	months, _ := strconv.Atoi(q.Get("months"))
	sc, err := s.Costs.ServiceCosts(r.Context(), page.Principal(r), r.PathValue("slug"), strings.TrimSpace(q.Get("period")), months)
	if err != nil {
		return err
	}
	s.Render(w, r, "service_costs.html", &serviceCostsView{Base: page.Base{Title: "Costs of " + sc.Service.Name, Nav: "catalog"},
		SC: sc, Chart: serviceChart(sc), SeesAll: costs.SeesAllCosts(page.Principal(r))})
	return nil
}

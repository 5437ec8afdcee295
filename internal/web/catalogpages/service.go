package catalogpages

import (
	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
	"github.com/shopspring/decimal"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

func (s *Pages) servicePage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Catalog.FindService(r.Context(), page.Principal(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	news, err := s.Catalog.Announcements(r.Context(), page.Principal(r), catalog.AnnouncementFilter{ServiceID: d.Service.ID, Limit: 10})
	if err != nil {
		return err
	}
	today := catalog.DateOf(s.Clock.Now())
	alternatives, allAlternatives, err := s.Catalog.Alternatives(r.Context(), page.Principal(r), d.Service.ID, alternativesShown)
	if err != nil {
		return err
	}
	var rows []offeringRow
	for _, o := range d.Offerings {
		row := offeringRow{Offering: o, Orderable: catalog.Orderable(o.Lifecycle) && catalog.Orderable(d.Service.Lifecycle)}
		switch {
		case !catalog.Orderable(d.Service.Lifecycle):
			row.WhyNot = "The service is " + strings.ToLower(catalog.Label(catalog.Lifecycles, d.Service.Lifecycle)) + ": it takes no new orders."
		case !catalog.Orderable(o.Lifecycle):
			row.WhyNot = "This offering is " + strings.ToLower(catalog.Label(catalog.Lifecycles, o.Lifecycle)) + ": it takes no new orders."
		}
		if pl, ok := catalog.PlanOn(o.Plans, today); ok {
			row.Current = &pl
		}
		for _, pl := range o.Plans {
			if pl.EffectiveFrom.After(today.Time) {
				row.Upcoming = append(row.Upcoming, pl)
			}
		}
		rows = append(rows, row)
	}
	s.Render(w, r, "service.html", &serviceView{Base: page.Base{Title: d.Service.Name, Nav: "catalog"}, D: d, Offerings: rows, News: news,
		Description: page.Markdown(d.Service.Description), Alternatives: alternativeLinks(d, alternatives),
		AllAlternatives: allAlternatives, AlternativesLink: alternativesLink(d.Service.Family)})
	return nil
}

// alternativesShown is how many cloud alternatives a service page names; a
// family can have hundreds, and the rest are one link away in the catalog.
const alternativesShown = 5

// alternativesLink lists in the catalog every cloud service of a family
// that takes orders, in the order the service page names them.
func alternativesLink(family string) string {
	return "/catalog?" + url.Values{"family": {family}, "delivery": {"cloud"}, "lifecycle": {"pilot", "live"}}.Encode()
}

// offeringRow is an offering on its service's page, with its current and
// coming prices.
type offeringRow struct {
	catalog.Offering
	Current   *catalog.RatePlan
	Upcoming  []catalog.RatePlan
	Orderable bool
	// WhyNot says why an offering cannot be ordered.
	WhyNot string
}

// alternativeLink is a service to move to, with the link that puts it
// beside the service shown.
type alternativeLink struct {
	catalog.Alternative
	Compare string
}

// alternativeLinks pair each alternative with the service shown: its
// first offering not retired beside up to three of the alternative's.
func alternativeLinks(d catalog.ServiceDetail, alts []catalog.Alternative) []alternativeLink {
	var own int64
	for _, o := range d.Offerings {
		if o.Lifecycle != "retired" {
			own = o.ID
			break
		}
	}
	var out []alternativeLink
	for _, a := range alts {
		v := url.Values{"qty": {"1"}}
		if own != 0 {
			v.Add("o", strconv.FormatInt(own, 10))
		}
		for i, o := range a.Offerings {
			if i == 3 {
				break
			}
			v.Add("o", strconv.FormatInt(o.ID, 10))
		}
		out = append(out, alternativeLink{Alternative: a, Compare: "/compare?" + v.Encode()})
	}
	return out
}

// compare shows two to four offerings side by side for one quantity.
func (s *Pages) compare(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var ids []int64
	for _, v := range q["o"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	qtyText := q.Get("qty")
	if qtyText == "" {
		qtyText = "1"
	}
	v := &compareView{Base: page.Base{Title: "Compare offerings", Nav: "catalog", Form: map[string]string{"qty": qtyText}}, IDs: ids, Qty: qtyText}
	qty, err := decimal.NewFromString(strings.TrimSpace(qtyText))
	var errs []engage.FieldError
	if err != nil {
		errs = append(errs, engage.FieldError{Field: "qty", Message: "Enter a number, such as 20."})
	} else if len(ids) > 1 {
		cmp, cerr := s.Catalog.Compare(r.Context(), page.Principal(r), ids, qty)
		if code := engage.ErrorCode(cerr); code == engage.EINVALID {
			errs = engage.ErrorFields(cerr)
			for i := range errs {
				if errs[i].Field == "quantity" {
					errs[i].Field = "qty"
				}
			}
		} else if cerr != nil {
			return cerr
		} else {
			v.C, v.Chart = &cmp, compareChart(cmp)
		}
	}
	// Any offering can be added, so a legacy one is weighed against the
	// cloud one that replaces it.
	choices, err := s.Catalog.ComparableOfferings(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	v.Choices = slices.DeleteFunc(choices, func(o catalog.OfferingOption) bool { return slices.Contains(ids, o.ID) })
	v.Errors = errs
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "compare.html", v)
	return nil
}

// compareChart draws the three-year cost of each compared offering.
func compareChart(c catalog.Comparison) *page.BarChart {
	if c.Cheapest < 0 || len(c.Columns) == 0 {
		return nil
	}
	max := decimal.Zero
	for _, col := range c.Columns {
		max = decimal.Max(max, col.ThreeYear)
	}
	ch := &page.BarChart{Title: "Three-year cost", Height: 40*len(c.Columns) + 10,
		Describe: "Three-year cost of each offering; the table below has the figures.", Caption: "Three-year cost. The cheapest is highlighted."}
	for i, col := range c.Columns {
		width := 360 * page.BarShare(col.ThreeYear, max) // drawing only: amounts shown are exact
		ch.Bars = append(ch.Bars, page.Bar{Label: col.Offering.Name, Value: catalog.FormatMoney(col.ThreeYear, col.Currency),
			LabelY: float64(i*40 + 14), BarY: float64(i*40 + 20), ValueY: float64(i*40 + 31), Width: math.Max(width, 2), Cheapest: i == c.Cheapest})
	}
	return ch
}

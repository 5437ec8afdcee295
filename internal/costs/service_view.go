package costs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

// ServiceCosts is what a service cost and recovered over recent months,
// and who consumed it: the service owner's view.
type ServiceCosts struct {
	Service     CostedService      `json:"service"`
	Period      string             `json:"period" doc:"The last month shown"`
	PeriodLabel string             `json:"period_label"`
	Months      []ServiceCostMonth `json:"months" nullable:"false" doc:"Oldest first"`
	Consumers   []ServiceConsumer  `json:"consumers" nullable:"false" doc:"Departments using the service in the last month"`
	Offerings   []OfferingUnitCost `json:"offerings" nullable:"false" doc:"Unit cost per offering in the last month"`
}

// CostedService names a service.
type CostedService struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	Family        string `json:"family"`
	DeliveryModel string `json:"delivery_model"`
	OwnerID       int64  `json:"owner_id,omitempty"`
	OwnerName     string `json:"owner_name,omitempty"`
}

// ServiceCostMonth is a service's figures in one month, one per currency.
type ServiceCostMonth struct {
	Period  string       `json:"period"`
	Label   string       `json:"label"`
	Figures []CostFigure `json:"figures" nullable:"false"`
}

// ServiceConsumer is a department's use of one offering in a month.
type ServiceConsumer struct {
	DepartmentID   int64            `json:"department_id"`
	DepartmentName string           `json:"department_name"`
	OfferingID     int64            `json:"offering_id"`
	OfferingName   string           `json:"offering_name"`
	Unit           string           `json:"unit,omitempty"`
	Quantity       decimal.Decimal  `json:"quantity"`
	Charged        []CurrencyAmount `json:"charged" nullable:"false" doc:"One per currency"`
}

// CanReadService reports whether p may read a service's costs: its owner,
// finance, the portfolio board and admins.
func CanReadService(p *access.Principal, ownerID int64) bool {
	return seesAll(p) || (p != nil && p.PersonID != 0 && p.PersonID == ownerID)
}

// LatestPeriod is the newest month with cost pools or statements, or the
// current month when there are none.
func (s *Service) LatestPeriod(ctx context.Context) (string, error) {
	var pools sql.NullString
	if err := s.DB.QueryRow(ctx, "SELECT MAX(period) FROM cost_pools").Scan(&pools); err != nil {
		return "", fmt.Errorf("finding the latest cost period: %w", err)
	}
	statements, err := billing.LatestStatementPeriod(ctx, s.DB)
	if err != nil {
		return "", err
	}
	latest := max(pools.String, statements)
	if latest == "" {
		latest = s.Clock.Now().UTC().Format("2006-01")
	}
	return latest, nil
}

// ServiceCosts returns a service's cost, charges and recovery for months
// months up to period (the latest period when empty), with its consumers
// and unit costs in that last month. Readable by the service's owner,
// finance, the portfolio board and admins.
func (s *Service) ServiceCosts(ctx context.Context, p *access.Principal, idOrSlug, period string, months int) (ServiceCosts, error) {
	if p == nil {
		return ServiceCosts{}, signIn()
	}
	var ref CostedService
	query := `SELECT s.id, s.slug, s.name, s.family, s.delivery_model, COALESCE(s.owner_id, 0), COALESCE(p.name, '')
		FROM services s LEFT JOIN people p ON p.id = s.owner_id WHERE `
	var err error
	if id, perr := strconv.ParseInt(idOrSlug, 10, 64); perr == nil {
		err = s.DB.QueryRow(ctx, query+"s.id = ?", id).Scan(&ref.ID, &ref.Slug, &ref.Name, &ref.Family, &ref.DeliveryModel, &ref.OwnerID, &ref.OwnerName)
	} else {
		err = s.DB.QueryRow(ctx, query+"s.slug = ?", strings.TrimSpace(idOrSlug)).Scan(&ref.ID, &ref.Slug, &ref.Name, &ref.Family, &ref.DeliveryModel, &ref.OwnerID, &ref.OwnerName)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ServiceCosts{}, engage.Errorf(engage.ENOTFOUND, "There is no service %q.", idOrSlug)
	} else if err != nil {
		return ServiceCosts{}, fmt.Errorf("finding service: %w", err)
	}
	if !CanReadService(p, ref.OwnerID) {
		return ServiceCosts{}, engage.Errorf(engage.EFORBIDDEN, "A service's costs are for its owner, finance, the portfolio board and administrators.")
	}
	if period == "" {
		if period, err = s.LatestPeriod(ctx); err != nil {
			return ServiceCosts{}, err
		}
	} else if _, _, err := parsePeriod("period", period); err != nil {
		return ServiceCosts{}, err
	}
	if months <= 0 {
		months = 6
	}
	months = min(months, 24)
	out := ServiceCosts{Service: ref, Period: period, PeriodLabel: PeriodLabel(period), Months: []ServiceCostMonth{}, Consumers: []ServiceConsumer{},
		Offerings: []OfferingUnitCost{}}
	for i := months - 1; i >= 0; i-- {
		pr := addMonths(period, -i)
		f, err := loadFacts(ctx, s.DB, pr)
		if err != nil {
			return ServiceCosts{}, err
		}
		a := allocate(f)
		m := ServiceCostMonth{Period: pr, Label: PeriodLabel(pr), Figures: []CostFigure{}}
		sv := f.serviceBy[ref.ID]
		if sv == nil {
			return ServiceCosts{}, engage.Errorf(engage.ENOTFOUND, "There is no service %q.", idOrSlug)
		}
		if sr, ok := serviceResult(f, a, sv); ok {
			m.Figures = sr.Figures
			if i == 0 {
				out.Offerings = sr.Offerings
			}
		}
		out.Months = append(out.Months, m)
		if i == 0 {
			out.Consumers = consumers(f, sv)
		}
	}
	return out, nil
}

// consumers lists the departments using a service's offerings in a month,
// by department and offering.
func consumers(f *facts, sv *serviceInfo) []ServiceConsumer {
	out := []ServiceConsumer{}
	seen := map[deptOffering]bool{}
	var keys []deptOffering
	mine := map[int64]*offeringInfo{}
	for _, o := range sv.offerings {
		mine[o.ID] = o
	}
	for k := range f.deptQtyNum {
		if mine[k.offering] != nil && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k := range f.deptCharged {
		if mine[k.offering] != nil && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		o := mine[k.offering]
		c := ServiceConsumer{DepartmentID: k.dept, DepartmentName: f.deptNames[k.dept], OfferingID: o.ID, OfferingName: o.Name, Unit: f.unit(o),
			Quantity: f.quantity(o, f.deptQtyNum[k]), Charged: []CurrencyAmount{}}
		for _, cur := range f.deptCharged[k].currencies() {
			c.Charged = append(c.Charged, CurrencyAmount{Amount: f.deptCharged[k][cur], Currency: cur})
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b ServiceConsumer) int {
		if a.DepartmentName != b.DepartmentName {
			return strings.Compare(a.DepartmentName, b.DepartmentName)
		}
		return strings.Compare(a.OfferingName, b.OfferingName)
	})
	return out
}

// ServiceChoices lists every service, by name, for allocation forms.
// Finance and admins only.
func (s *Service) ServiceChoices(ctx context.Context, p *access.Principal) ([]CostedService, error) {
	if err := canWrite(p); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT s.id, s.slug, s.name, s.family, s.delivery_model, COALESCE(s.owner_id, 0), COALESCE(p.name, '')
		FROM services s LEFT JOIN people p ON p.id = s.owner_id ORDER BY s.name, s.id`)
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	defer rows.Close()
	out := []CostedService{}
	for rows.Next() {
		var r CostedService
		if err := rows.Scan(&r.ID, &r.Slug, &r.Name, &r.Family, &r.DeliveryModel, &r.OwnerID, &r.OwnerName); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

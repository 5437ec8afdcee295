package cloudbill

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// ChargePeriod is a billing period that holds imported cloud charges.
type ChargePeriod struct {
	Period string
	Closed bool
}

// ChargePeriods lists the periods that imports put charges in, newest
// first, each with whether it is closed (a closed period cannot be
// reallocated). It reads the import reports, not the charges, so it stays
// quick however many charges there are. Finance and administrators only.
func (s *Service) ChargePeriods(ctx context.Context, p *access.Principal) ([]ChargePeriod, error) {
	if err := requireFinance(p, "read cloud imports"); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT DISTINCT periods FROM cloud_imports WHERE periods <> ''")
	if err != nil {
		return nil, fmt.Errorf("listing cloud periods: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var list string
		if err := rows.Scan(&list); err != nil {
			return nil, fmt.Errorf("listing cloud periods: %w", err)
		}
		for _, period := range strings.Split(list, ",") {
			seen[period] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing cloud periods: %w", err)
	}
	closed, err := closedPeriods(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	out := make([]ChargePeriod, 0, len(seen))
	for period := range seen {
		out = append(out, ChargePeriod{Period: period, Closed: closed[period]})
	}
	slices.SortFunc(out, func(a, b ChargePeriod) int { return strings.Compare(b.Period, a.Period) })
	return out, nil
}

// ChargeDetails are what a list of charges refers to: the names of the
// rules that allocated them (archived rules included) and the basis each
// charge's import allocated.
type ChargeDetails struct {
	RuleNames map[int64]string
	Bases     map[int64]Basis
}

// Details returns the rules and bases behind charges p has read through
// Charges, so that a drill-down can say which rule decided and what share
// of the charge it gave.
func (s *Service) Details(ctx context.Context, p *access.Principal, charges []CloudCharge) (ChargeDetails, error) {
	d := ChargeDetails{RuleNames: map[int64]string{}, Bases: map[int64]Basis{}}
	if err := requireSignedIn(p); err != nil {
		return d, err
	}
	var rules, imports []any
	for _, c := range charges {
		if _, ok := d.RuleNames[c.RuleID]; c.RuleID != 0 && !ok {
			d.RuleNames[c.RuleID] = ""
			rules = append(rules, c.RuleID)
		}
		if _, ok := d.Bases[c.ImportID]; !ok {
			d.Bases[c.ImportID] = ""
			imports = append(imports, c.ImportID)
		}
	}
	read := func(query string, ids []any, fn func(id int64, value string)) error {
		if len(ids) == 0 {
			return nil
		}
		rows, err := s.DB.Query(ctx, query+" IN ("+db.Placeholders(len(ids))+")", ids...)
		if err != nil {
			return fmt.Errorf("reading what cloud charges refer to: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var value sql.NullString
			if err := rows.Scan(&id, &value); err != nil {
				return fmt.Errorf("reading what cloud charges refer to: %w", err)
			}
			fn(id, value.String)
		}
		return rows.Err()
	}
	if err := read("SELECT id, name FROM cloud_allocation_rules WHERE id", rules, func(id int64, v string) { d.RuleNames[id] = v }); err != nil {
		return d, err
	}
	err := read("SELECT id, basis FROM cloud_imports WHERE id", imports, func(id int64, v string) { d.Bases[id] = Basis(v) })
	return d, err
}

// OfferingChoice is an offering a subscriptions driver can divide by.
type OfferingChoice struct {
	ID          int64
	Name        string
	ServiceName string
}

// OfferingChoices lists the offerings, by service, for the rule form.
// Finance and administrators only.
func (s *Service) OfferingChoices(ctx context.Context, p *access.Principal) ([]OfferingChoice, error) {
	if err := requireFinance(p, "read allocation rules"); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT o.id, o.name, s.name FROM offerings o JOIN services s ON s.id = o.service_id
		ORDER BY s.name, o.position, o.name`)
	if err != nil {
		return nil, fmt.Errorf("listing offerings: %w", err)
	}
	defer rows.Close()
	var out []OfferingChoice
	for rows.Next() {
		var o OfferingChoice
		if err := rows.Scan(&o.ID, &o.Name, &o.ServiceName); err != nil {
			return nil, fmt.Errorf("listing offerings: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

package spend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// Dictionary returns the shipped dictionary extended by what finance added
// and what people taught it (spend_vendor_names), which takes precedence.
func (s *Service) Dictionary(ctx context.Context) (*Dictionary, error) {
	d := Shipped()
	rows, err := s.DB.Query(ctx, "SELECT name, vendor, category, software, domain FROM spend_vendor_names ORDER BY created_at, name")
	if err != nil {
		return nil, fmt.Errorf("reading the vendor dictionary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, vendor, category, domain string
		var software bool
		if err := rows.Scan(&name, &vendor, &category, &software, &domain); err != nil {
			return nil, err
		}
		v := Vendor{Name: vendor, Category: category, Software: software, Aliases: []string{name}}
		if domain != "" {
			v.Domains = []string{domain}
		}
		d.Add(v)
	}
	return d, rows.Err()
}

// Correction is what a person says a line's vendor is.
type Correction struct {
	Vendor   string `json:"vendor" minLength:"1" maxLength:"100" doc:"The vendor's name: a dictionary vendor's, or a new one"`
	Software bool   `json:"software" doc:"Whether the spend is software"`
	Category string `json:"category,omitempty" maxLength:"60" doc:"What the vendor's product does (meetings, whiteboard…); for a new vendor"`
}

// Correct confirms or corrects the match of spend line id: the line's
// descriptor becomes a name of the vendor in the dictionary's extension,
// so that later lines with it match that vendor, and the lines already
// stored with the same descriptor take the vendor at once (confidence 1).
// Those who may read the line's department's lines may do it.
func (s *Service) Correct(ctx context.Context, p *access.Principal, lineID int64, in Correction) (Match, error) {
	in.Vendor, in.Category = strings.TrimSpace(in.Vendor), strings.TrimSpace(in.Category)
	var v engage.Validation
	v.Require("vendor", in.Vendor, "the vendor's name")
	v.MaxLen("vendor", in.Vendor, 100)
	v.MaxLen("category", in.Category, 60)
	if err := v.Err(); err != nil {
		return Match{}, err
	}
	var out Match
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var dept int64
		var merchant string
		err := tx.QueryRow(ctx, "SELECT department_id, merchant FROM spend_lines WHERE id = ?", lineID).Scan(&dept, &merchant)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !CanReadLines(p, dept)) {
			return engage.Errorf(engage.ENOTFOUND, "No spend line %d.", lineID)
		}
		if err != nil {
			return err
		}
		name := Normalise(merchant).Name
		if name == "" {
			return engage.Errorf(engage.EINVALID, "The descriptor %q has no name to learn; nothing was changed.", merchant)
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO spend_vendor_names(name, vendor, category, software, domain, created_by, created_at) VALUES (?, ?, ?, ?, '', ?, ?)
			ON CONFLICT (name) DO UPDATE SET vendor = EXCLUDED.vendor, category = EXCLUDED.category, software = EXCLUDED.software,
				created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at`,
			name, in.Vendor, in.Category, in.Software, db.NullID(p.PersonID), now); err != nil {
			return fmt.Errorf("storing the vendor's name: %w", err)
		}
		who := p.Name
		if who == "" {
			who = "a person"
		}
		out = Match{Vendor: in.Vendor, Known: true, Category: in.Category, Software: in.Software, Confidence: 1,
			Reason: fmt.Sprintf("confirmed by %s", who)}
		if _, err := tx.Exec(ctx, "UPDATE spend_lines SET vendor = ?, vendor_known = ?, software = ?, confidence = 100, reason = ? WHERE merchant = ?",
			out.Vendor, true, out.Software, out.Reason, merchant); err != nil {
			return fmt.Errorf("updating the lines of %q: %w", merchant, err)
		}
		if err := resumMerchant(ctx, tx, merchant); err != nil {
			return fmt.Errorf("summing the lines of %q again: %w", merchant, err)
		}
		return audit.Record(ctx, tx, now, p, "spend.match", "spend_line", lineID,
			fmt.Sprintf("%q is %s (software: %v)", merchant, in.Vendor, in.Software), nil, in)
	})
	if err != nil {
		return out, err
	}
	return out, s.keepCases(ctx)
}

// AddVendor extends the dictionary with a vendor, or adds names and
// domains to one it has: finance and administrators.
func (s *Service) AddVendor(ctx context.Context, p *access.Principal, in Vendor) (Vendor, error) {
	if p == nil {
		return Vendor{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to extend the vendor dictionary.")
	}
	if !p.ManagesMoney() {
		return Vendor{}, engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators extend the vendor dictionary.")
	}
	in.Name, in.Category = strings.TrimSpace(in.Name), strings.TrimSpace(in.Category)
	var v engage.Validation
	v.Require("name", in.Name, "the vendor's name")
	v.MaxLen("name", in.Name, 100)
	v.MaxLen("category", in.Category, 60)
	if len(in.Aliases) > 50 || len(in.Domains) > 20 {
		v.Add("aliases", "Give at most 50 aliases and 20 domains.")
	}
	names := map[string]string{} // normalised name → domain
	for i, a := range append([]string{in.Name}, in.Aliases...) {
		if n := Normalise(a).Name; n != "" && len(a) <= 200 {
			names[n] = ""
		} else if i > 0 {
			v.Add(fmt.Sprintf("aliases[%d]", i-1), "%q has no name left once normalised, or is over 200 characters.", clip(a, 40))
		}
	}
	for i, dom := range in.Domains {
		dom = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(dom)), "www.")
		label, _, ok := webDomain(dom)
		if !ok || label == "" || len(dom) > 200 {
			v.Add(fmt.Sprintf("domains[%d]", i), "%q is not a web domain such as example.com.", clip(dom, 40))
			continue
		}
		names[Normalise(label).Name] = dom
	}
	if err := v.Err(); err != nil {
		return Vendor{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		for n, dom := range names {
			if _, err := tx.Exec(ctx, `INSERT INTO spend_vendor_names(name, vendor, category, software, domain, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET vendor = EXCLUDED.vendor, category = EXCLUDED.category, software = EXCLUDED.software,
					domain = EXCLUDED.domain, created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at`,
				n, in.Name, in.Category, in.Software, dom, db.NullID(p.PersonID), now); err != nil {
				return fmt.Errorf("storing the vendor's names: %w", err)
			}
		}
		return audit.Record(ctx, tx, now, p, "spend.vendor", "spend_vendor", 0, "Vendor dictionary: "+in.Name, nil, in)
	})
	if err != nil {
		return Vendor{}, err
	}
	d, err := s.Dictionary(ctx)
	if err != nil {
		return Vendor{}, err
	}
	if got := d.Lookup(in.Name); got != nil {
		return *got, nil
	}
	return in, nil
}

// ListVendors returns the whole dictionary, shipped and extended, to those
// who work with spend: finance, administrators, the board, and BRMs and
// budget holders of some department.
func (s *Service) ListVendors(ctx context.Context, p *access.Principal) ([]Vendor, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to see the vendor dictionary.")
	}
	if !p.ReadsStatements() {
		return nil, engage.Errorf(engage.EFORBIDDEN, "The vendor dictionary is for finance, BRMs and budget holders.")
	}
	d, err := s.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	return d.Vendors(), nil
}

package spend

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/paging"
)

// SpendLine is a stored card, expense or invoice line with its match.
type SpendLine struct {
	ID           int64           `json:"id"`
	Kind         string          `json:"kind" enum:"card,invoice,focus" doc:"focus: a SaaS charge of a cloud bill"`
	Date         string          `json:"date" format:"date"`
	Merchant     string          `json:"merchant"`
	Amount       decimal.Decimal `json:"amount"`
	Currency     string          `json:"currency"`
	DepartmentID int64           `json:"department_id"`
	PersonEmail  string          `json:"person_email,omitempty"`
	MCC          string          `json:"mcc,omitempty"`
	Memo         string          `json:"memo,omitempty"`
	Invoice      string          `json:"invoice,omitempty"`
	GLAccount    string          `json:"gl_account,omitempty"`
	Vendor       string          `json:"vendor"`
	VendorKnown  bool            `json:"vendor_known" doc:"The vendor is in the dictionary (else a new vendor named from the descriptor)"`
	Software     bool            `json:"software"`
	Confidence   float64         `json:"confidence" minimum:"0" maximum:"1"`
	Reason       string          `json:"reason"`
	Waiting      bool            `json:"waiting" doc:"The match waits for a person to confirm or correct it"`
}

// LineFilter selects spend lines.
type LineFilter struct {
	DepartmentID int64
	Waiting      bool   // only lines whose match waits for a person
	Vendor       string // only this vendor's lines (its exact name)
	Period       string // only this month's lines (YYYY-MM)
	Software     *bool  // only software lines, or only the others
	Limit        int
	Cursor       string
}

// ListLines lists a department's spend lines, newest id first: all of them
// for those who may read its lines (CanReadLines), and only their own for
// anyone else.
func (s *Service) ListLines(ctx context.Context, p *access.Principal, f LineFilter) ([]SpendLine, string, error) {
	if p == nil {
		return nil, "", engage.Errorf(engage.EUNAUTHORIZED, "Sign in to see spend.")
	}
	if f.DepartmentID <= 0 {
		return nil, "", &engage.Error{Code: engage.EINVALID, Message: "Choose a department.",
			Fields: []engage.FieldError{{Field: "department_id", Message: "Give the department's id."}}}
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := paging.Limit(f.Limit)
	where, args := []string{"department_id = ?"}, []any{f.DepartmentID}
	if !CanReadLines(p, f.DepartmentID) {
		if p.Email == "" || p.GateOnly() {
			return []SpendLine{}, "", nil
		}
		where, args = append(where, "LOWER(person_email) = ?"), append(args, strings.ToLower(p.Email))
	}
	if f.Waiting {
		where, args = append(where, "confidence < ?"), append(args, int(ReviewBelow*100))
	}
	if f.Vendor != "" {
		where, args = append(where, "vendor = ?"), append(args, f.Vendor)
	}
	if f.Period != "" {
		where, args = append(where, "period = ?"), append(args, f.Period)
	}
	if f.Software != nil {
		where, args = append(where, "software = ?"), append(args, *f.Software)
	}
	if cur != nil {
		where, args = append(where, "id < ?"), append(args, cur.ID)
	}
	rows, err := s.DB.Query(ctx, `SELECT id, kind, spent_on, merchant, CAST(amount AS TEXT), currency, department_id, person_email, mcc, memo,
		invoice, gl_account, vendor, vendor_known, software, confidence, reason FROM spend_lines WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit+1), args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing spend lines: %w", err)
	}
	defer rows.Close()
	out := []SpendLine{}
	for rows.Next() {
		var l SpendLine
		var amount string
		var conf int
		if err := rows.Scan(&l.ID, &l.Kind, &l.Date, &l.Merchant, &amount, &l.Currency, &l.DepartmentID, &l.PersonEmail, &l.MCC, &l.Memo,
			&l.Invoice, &l.GLAccount, &l.Vendor, &l.VendorKnown, &l.Software, &conf, &l.Reason); err != nil {
			return nil, "", err
		}
		if l.Amount, err = decimal.NewFromString(amount); err != nil {
			return nil, "", fmt.Errorf("spend line %d's amount %q: %w", l.ID, amount, err)
		}
		l.Confidence, l.Waiting = float64(conf)/100, float64(conf) < ReviewBelow*100
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	page, next := paging.Trim(out, limit, func(l SpendLine) paging.Cursor { return paging.Cursor{ID: l.ID} })
	return page, next, nil
}

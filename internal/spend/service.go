package spend

import (
	"context"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/rating"
)

// Service imports spend lines and answers for them.
type Service struct {
	DB    *db.DB
	Org   *org.Service
	Clock engage.Clock
	// Currencies are those the organisation uses; lines in others are
	// refused.
	Currencies rating.Currencies
}

// CanImport reports whether p may import spend: finance and administrators.
func CanImport(p *access.Principal) bool { return p.ManagesMoney() }

// CanReadLines reports whether p may read department id's spend lines,
// which name people: the department's heads (and those of departments
// above it), its BRM, finance and administrators. Anyone else sees only
// their own lines (see CanReadOwnLine).
func CanReadLines(p *access.Principal, departmentID int64) bool {
	if p == nil || departmentID == 0 || p.GateOnly() {
		return false
	}
	return p.ManagesMoney() || p.IsBRMOf(departmentID) || p.HoldsBudgetOf(departmentID)
}

// CanReadOwnLine reports whether a line paid by email is p's own.
func CanReadOwnLine(p *access.Principal, email string) bool {
	return p != nil && !p.GateOnly() && p.Email != "" && email != "" && equalFoldASCII(p.Email, email)
}

// CanReadTotals reports whether p may read department id's spend by vendor,
// which follows the statements' rule.
func CanReadTotals(p *access.Principal, departmentID int64) bool {
	return p.CanReadStatements(departmentID)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// departmentCodes maps every department's cost-centre code to its id.
func (s *Service) departmentCodes(ctx context.Context) (map[string]int64, error) {
	sys := access.System("spend import")
	codes := map[string]int64{}
	for cursor := ""; ; {
		list, next, err := s.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, d := range list {
			codes[d.Code] = d.ID
		}
		if next == "" {
			return codes, nil
		}
		cursor = next
	}
}

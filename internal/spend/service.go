package spend

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
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

	// For shadow spend: the catalog and the board's decisions tell what IT
	// is involved with; billing's statements are the rest of a
	// department's technology spend; the front door and the catalog take
	// the shadow cases' actions.
	Catalog *catalog.Catalog
	Needs   *frontdoor.Service
	Billing *billing.Service
	// Logger reports a background sync of the cases that failed.
	Logger *slog.Logger

	casesWanted, casesSyncing atomic.Bool
	casesDone                 sync.WaitGroup // the background syncs running

	kept keptSpend // the kept sums of software spend, read once per change
}

// At returns the service reading the time from clock instead (the demo
// acts in the past with it); it keeps its own copy of the sums.
func (s *Service) At(clock engage.Clock) *Service {
	return &Service{DB: s.DB, Org: s.Org, Clock: clock, Currencies: s.Currencies, Catalog: s.Catalog, Needs: s.Needs, Billing: s.Billing}
}

// SyncCases brings the shadow cases up to date with the shadow spend of
// every department: imports and corrections do it themselves; a change of
// what IT is involved with reaches the cases through it.
func (s *Service) SyncCases(ctx context.Context) error { return s.keepCases(ctx) }

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
	codes := map[string]int64{}
	return codes, s.eachDepartment(ctx, func(d org.Department) { codes[d.Code] = d.ID })
}

// departmentNames maps every department's id to its name.
func (s *Service) departmentNames(ctx context.Context) (map[int64]string, error) {
	names := map[int64]string{}
	return names, s.eachDepartment(ctx, func(d org.Department) { names[d.ID] = d.Name })
}

func (s *Service) eachDepartment(ctx context.Context, fn func(org.Department)) error {
	sys := access.System("spend")
	for cursor := ""; ; {
		list, next, err := s.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, d := range list {
			fn(d)
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// ShadowDepartments are the departments whose shadow spend p may read, in
// the order of the department list: the shadow page's filter offers them.
func (s *Service) ShadowDepartments(ctx context.Context, p *access.Principal) ([]org.Department, error) {
	if _, _, err := shadowAccess(p, 0); err != nil {
		return nil, err
	}
	var out []org.Department
	err := s.eachDepartment(ctx, func(d org.Department) {
		if CanReadTotals(p, d.ID) {
			out = append(out, d)
		}
	})
	return out, err
}

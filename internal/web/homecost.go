package web

import (
	"context"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

// costThisMonth is the home page's "Your department's cost this month":
// the totals of the reader's own department so far, for those who may
// read its statements; nil for everyone else.
func (s *Server) costThisMonth(ctx context.Context, p *access.Principal) *homeCost {
	if s.Billing == nil || p.DepartmentID == 0 || !billing.CanReadStatements(p, p.DepartmentID) {
		return nil
	}
	period := billing.PeriodOf(s.Clock.Now())
	list, err := s.Billing.Statements(ctx, p, billing.StatementFilter{Period: period, DepartmentID: p.DepartmentID})
	if err != nil {
		s.Logger.Warn("home: reading this month's statements", "err", err)
		return nil
	}
	c := &homeCost{Period: period, Label: billing.PeriodLabel(period), Statements: list}
	for _, st := range list {
		c.GeneratedAt = st.GeneratedAt
	}
	return c
}

type homeCost struct {
	Period, Label string
	Statements    []billing.Statement
	GeneratedAt   time.Time
}

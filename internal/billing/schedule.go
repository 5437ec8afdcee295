package billing

import (
	"context"
	"log/slog"
	"time"

	"github.com/engagehq/engage/internal/access"
)

// Schedule runs the current month's billing every interval so that
// statements of the open month stay current without anyone pressing Run;
// the previous month is run too while it is still open. Runs take the
// billing lock, so replicas running the same schedule simply take turns.
func (s *Service) Schedule(ctx context.Context, every time.Duration, logger *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.runOpenMonths(ctx, logger)
		}
	}
}

func (s *Service) runOpenMonths(ctx context.Context, logger *slog.Logger) {
	op := access.System("scheduled billing run")
	now := s.Clock.Now()
	for _, period := range []string{PeriodOf(now.AddDate(0, -1, 0)), PeriodOf(now)} {
		st, err := periodState(ctx, s.DB, period)
		if err != nil || st != "open" {
			continue
		}
		if rep, err := s.Run(ctx, op, period); err != nil {
			logger.Warn("scheduled billing run failed", "period", period, "err", err)
		} else {
			logger.Info("scheduled billing run", "period", period, "statements", rep.Statements, "duration", rep.Duration)
		}
	}
}

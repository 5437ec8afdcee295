package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// scheduleName names the scheduled run of the open months in
// billing_schedule.
const scheduleName = "open-months"

// scheduleCheck is how often Schedule looks whether a run is due.
const scheduleCheck = time.Minute

// Schedule runs the open months' billing every interval so that statements
// of the open month stay current without anyone pressing Run; the previous
// month is run too while it is still open. It goes by the clock and the
// last run recorded in the database, not by how long this replica has been
// up: replicas restarted more often than every interval still run it, and
// only one of them runs it each time. It looks at once and then every
// minute until ctx ends.
func (s *Service) Schedule(ctx context.Context, every time.Duration, logger *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(min(every, scheduleCheck))
	defer t.Stop()
	for {
		if _, err := s.RunScheduled(ctx, every, logger); err != nil && ctx.Err() == nil {
			logger.Warn("scheduled billing run", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunScheduled runs the open months when the last scheduled run is every or
// more ago, and reports whether it ran. The first call on a database only
// records the time, so the first run comes one interval after Engage first
// started. Deciding, running and recording are one transaction under a
// lock that replicas do not wait for: one runs, the others see the run
// recorded. A month whose run fails is left as it was (and logged); the
// run still counts, so a failing month is not retried every minute.
func (s *Service) RunScheduled(ctx context.Context, every time.Duration, logger *slog.Logger) (bool, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ran := false
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		ran = false
		if ok, err := db.TryLockTx(ctx, tx, db.LockBillingSchedule); err != nil || !ok {
			return err // another replica is deciding
		}
		now := s.Clock.Now()
		var last time.Time
		err := tx.QueryRow(ctx, "SELECT last_run_at FROM billing_schedule WHERE name = ?", scheduleName).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.Exec(ctx, "INSERT INTO billing_schedule(name, last_run_at) VALUES (?, ?)", scheduleName, now)
			return err
		} else if err != nil {
			return fmt.Errorf("reading the billing schedule: %w", err)
		}
		if now.Before(last.Add(every)) {
			return nil
		}
		if err := s.runOpenMonths(ctx, tx, logger); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE billing_schedule SET last_run_at = ? WHERE name = ?", now, scheduleName); err != nil {
			return fmt.Errorf("recording the scheduled billing run: %w", err)
		}
		ran = true
		return nil
	})
	return ran, err
}

// runOpenMonths runs the previous and the current month while they are
// open, each under a savepoint so that one failing leaves the other run.
func (s *Service) runOpenMonths(ctx context.Context, tx *db.Tx, logger *slog.Logger) error {
	op := access.System("scheduled billing run")
	now := s.Clock.Now()
	for _, period := range []string{PeriodOf(now.AddDate(0, -1, 0)), PeriodOf(now)} {
		st, err := periodState(ctx, tx, period)
		if err != nil {
			return fmt.Errorf("reading period %s: %w", period, err)
		}
		if st != "open" {
			continue
		}
		if _, err := tx.Exec(ctx, "SAVEPOINT scheduled_run"); err != nil {
			return err
		}
		rep, err := s.run(ctx, tx, op, period)
		if err != nil {
			if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT scheduled_run"); rerr != nil {
				return errors.Join(err, rerr)
			}
			logger.Warn("scheduled billing run failed", "period", period, "err", err)
			continue
		}
		if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT scheduled_run"); err != nil {
			return err
		}
		logger.Info("scheduled billing run", "period", period, "statements", rep.Statements, "duration", rep.Duration)
	}
	return nil
}

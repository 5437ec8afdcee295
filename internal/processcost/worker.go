package processcost

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
)

// Settle is how long a month marked stale stays unchanged, by the clock,
// before the worker recomputes it: the links of a form sent several times
// in a row, or a cost pool edited twice, cost one recompute.
const Settle = time.Second

// Poll is how often the worker looks for months to recompute when nothing
// woke it: months marked stale through another replica.
const Poll = 30 * time.Second

// wakeup wakes the worker when this replica marks months stale.
type wakeup struct {
	once sync.Once
	c    chan struct{}
}

func (w *wakeup) ch() chan struct{} {
	w.once.Do(func() { w.c = make(chan struct{}, 1) })
	return w.c
}

// poke wakes the worker, if it sleeps; it never waits. Called while the
// marking transaction is still open: the worker takes the billing-run lock
// before it looks, so it sees the marks once they are committed.
func (s *Service) poke() {
	select {
	case s.wake.ch() <- struct{}{}:
	default:
	}
}

// Run recomputes, in the background, the months waiting to be computed
// (RecomputeStale) until ctx ends: at once when this replica marks months
// stale, then once they have settled, and every Poll for marks made
// elsewhere.
func (s *Service) Run(ctx context.Context, logger *slog.Logger) {
	for {
		n, wait, err := s.RecomputeStale(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Warn("recomputing the cost of processes", "err", err)
		} else if n > 0 {
			logger.Info("cost of processes recomputed", "months", n)
		}
		if wait <= 0 || wait > Poll {
			wait = Poll
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake.ch():
			// Marked just now: look again once the marks have settled.
			t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-time.After(Settle):
			}
		case <-t.C:
		}
	}
}

// RecomputeStale recomputes every month waiting to be computed: marked
// stale at least Settle ago by the clock, or with statements and never
// computed. Newest first, each in a transaction of its own under the
// billing-run lock. It returns how many months it computed and, when a
// month marked more recently still waits, how long until it settles.
func (s *Service) RecomputeStale(ctx context.Context) (n int, wait time.Duration, err error) {
	return s.recomputePending(ctx, func() time.Time { return s.Clock.Now().Add(-Settle) })
}

// RecomputeNow recomputes every month waiting to be computed, settled or
// not: for a loader that has finished writing (the demo data).
func (s *Service) RecomputeNow(ctx context.Context) (int, error) {
	n, _, err := s.recomputePending(ctx, func() time.Time { return s.Clock.Now().Add(24 * time.Hour) })
	return n, err
}

// recomputePending recomputes the months marked stale up to the instant
// settled returns and those never computed.
func (s *Service) recomputePending(ctx context.Context, settled func() time.Time) (n int, wait time.Duration, err error) {
	for {
		var period string
		err := s.DB.Transact(ctx, func(tx *db.Tx) error {
			if err := db.LockTx(ctx, tx, db.LockBillingRun); err != nil {
				return err
			}
			var err error
			if period, wait, err = s.nextPending(ctx, tx, settled()); err != nil || period == "" {
				return err
			}
			return s.Recompute(ctx, tx, period)
		})
		if err != nil {
			return n, 0, err
		}
		if period == "" {
			return n, wait, nil
		}
		n++
	}
}

// nextPending returns the newest month to compute now, or "" and how long
// until a stale month settles (0: none waits).
func (s *Service) nextPending(ctx context.Context, q db.Querier, settled time.Time) (string, time.Duration, error) {
	if p, err := s.settledStale(ctx, q, settled); err != nil || p != "" {
		return p, 0, err
	}
	missing, err := s.neverComputed(ctx, q, "", "")
	if err != nil {
		return "", 0, err
	} else if len(missing) > 0 {
		return missing[len(missing)-1], 0, nil
	}
	var waiting int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM process_cost_periods WHERE stale = TRUE").Scan(&waiting); err != nil {
		return "", 0, fmt.Errorf("finding the months of process costs to recompute: %w", err)
	}
	if waiting > 0 {
		return "", Settle, nil
	}
	return "", 0, nil
}

// settledStale returns the newest stale month marked at or before
// settled, or "".
func (s *Service) settledStale(ctx context.Context, q db.Querier, settled time.Time) (string, error) {
	var period string
	err := q.QueryRow(ctx, `SELECT period FROM process_cost_periods WHERE stale = TRUE AND (stale_since IS NULL OR stale_since <= ?)
		ORDER BY period DESC LIMIT 1`, settled).Scan(&period)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("finding the months of process costs to recompute: %w", err)
	}
	return period, nil
}

// neverComputed returns the months from..through (every month when empty)
// that have statements but no stored figures, oldest first.
func (s *Service) neverComputed(ctx context.Context, q db.Querier, from, through string) ([]string, error) {
	billed, err := billing.StatementPeriods(ctx, q, from, through)
	if err != nil || len(billed) == 0 {
		return nil, err
	}
	computed, err := s.periodStates(ctx, q, billed[0], billed[len(billed)-1])
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(billed, func(p string) bool { _, ok := computed[p]; return ok }), nil
}

// periodStates returns the months from..through with stored figures, each
// with whether it is stale.
func (s *Service) periodStates(ctx context.Context, q db.Querier, from, through string) (map[string]bool, error) {
	rows, err := q.Query(ctx, "SELECT period, stale FROM process_cost_periods WHERE period >= ? AND period <= ?", from, through)
	if err != nil {
		return nil, fmt.Errorf("reading the months of process costs: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		var stale bool
		if err := rows.Scan(&p, &stale); err != nil {
			return nil, err
		}
		out[p] = stale
	}
	return out, rows.Err()
}

// recomputing returns, of periods (in order), those whose stored figures
// wait to be computed again: stale, or never computed though the month
// has statements.
func (s *Service) recomputing(ctx context.Context, periods []string) ([]string, error) {
	from, through := periods[0], periods[len(periods)-1]
	states, err := s.periodStates(ctx, s.DB, from, through)
	if err != nil {
		return nil, err
	}
	var out []string
	missing := false
	for _, p := range periods {
		stale, ok := states[p]
		missing = missing || !ok
		if stale {
			out = append(out, p)
		}
	}
	if missing {
		never, err := s.neverComputed(ctx, s.DB, from, through)
		if err != nil {
			return nil, err
		}
		out = append(out, never...)
		slices.Sort(out)
	}
	return out, nil
}

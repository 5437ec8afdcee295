package billing

// Group commit (internal/groupcommit): meters send one or a few records a
// request, from many clients at once. Each such request waits in a queue;
// one committer goroutine takes what is queued (gathering for up to
// GroupWait, at most GroupEvents records), checks each request on its own, answers those it
// refuses at once, and stores the others in one transaction. Each request
// is answered only when that transaction has committed: what is
// acknowledged is stored. When the group's transaction fails, each of its
// requests is stored alone, so that one request cannot fail another.
// Should the committer panic, the requests of its group not yet answered
// get an error, and it goes on with the queue.

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/groupcommit"
)

// Group commit's defaults: how long the committer gathers requests before
// a transaction, and how many records one transaction takes at most.
const (
	DefaultGroupWait   = time.Millisecond
	DefaultGroupEvents = 5000
	// groupTimeout bounds one group's work.
	groupTimeout = 30 * time.Second
)

// grouped is what one request asks: its sender and its records.
type grouped struct {
	p   *access.Principal
	ins []UsageInput
}

// committer is the queue of grouped requests and the checks its
// committer keeps.
type committer struct {
	queue *groupcommit.Queue[grouped, IngestReport]
	// validator checks the groups' records; made at validated. Only the
	// committer goroutine uses them.
	validator *validator
	validated time.Time
}

// committers guards making each Service's committer.
var committers sync.Mutex

// committerOf returns the service's committer, made on first use with the
// service's GroupWait and GroupEvents.
func (s *Service) committerOf() *committer {
	committers.Lock()
	defer committers.Unlock()
	if s.group == nil {
		wait, limit := s.groupLimits()
		q := &groupcommit.Queue[grouped, IngestReport]{Wait: wait, Limit: limit,
			Weight: func(g grouped) int { return len(g.ins) }}
		q.Commit = func(group []*groupcommit.Request[grouped, IngestReport]) { s.commitGroup(q, group) }
		s.group = &committer{queue: q}
	}
	return s.group
}

// GroupStats says how many groups the committer took and how many
// transactions stored them.
func (s *Service) GroupStats() (groups, commits int64) {
	return s.committerOf().queue.Stats()
}

func (s *Service) groupLimits() (time.Duration, int) {
	wait, n := s.GroupWait, s.GroupEvents
	if wait == 0 {
		wait = DefaultGroupWait
	}
	if n <= 0 {
		n = DefaultGroupEvents
	}
	return max(wait, 0), n
}

// IngestGrouped stores a small batch of usage records, all or nothing, as
// Ingest does, but committed together with other requests arriving at the
// same time (group commit). It returns once the records are stored (or
// refused: the report lists why, and nothing of the batch was stored).
// When ctx ends first it returns ctx's error: the records may or may not
// have been stored, and sending them again is safe.
func (s *Service) IngestGrouped(ctx context.Context, p *access.Principal, batch []UsageInput) (IngestReport, error) {
	if err := requireFinance(p); err != nil {
		return IngestReport{}, err
	}
	return s.committerOf().queue.Do(ctx, grouped{p: p, ins: batch})
}

// request is one grouped request waiting for its answer.
type request = groupcommit.Request[grouped, IngestReport]

// commitGroup checks each request of a group, answers the refused ones,
// and stores the others in one transaction; if that fails, each alone.
func (s *Service) commitGroup(q *groupcommit.Queue[grouped, IngestReport], group []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	v, reused, err := s.groupValidator(ctx, false)
	if err != nil {
		for _, r := range group {
			r.Answer(IngestReport{}, err)
		}
		return
	}
	var ok []*request
	var recs []resolved
	var ins []UsageInput
	var alone []*request
	for _, r := range group {
		errs, mine, late := checkGrouped(v, r.In)
		if len(errs) > 0 && reused {
			// Refused by what the committer knew: look again, afresh.
			if fresh, _, err := s.groupValidator(ctx, true); err == nil {
				v, reused = fresh, false
				errs, mine, late = checkGrouped(v, r.In)
			}
		}
		switch {
		case len(errs) > 0:
			rep := IngestReport{Received: len(r.In.ins), Rejected: len(errs), Errors: errs, Atomic: true}
			if len(rep.Errors) > maxReported {
				rep.Errors = rep.Errors[:maxReported]
			}
			r.Answer(rep, nil)
		case late:
			alone = append(alone, r) // late usage makes adjustments in the sender's name
		default:
			ok, recs, ins = append(ok, r), append(recs, mine...), append(ins, r.In.ins...)
		}
	}
	if len(ok) > 0 {
		var fresh []bool
		err := s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
			t := totals{}
			var err error
			if fresh, _, _, err = s.store(ctx, tx, ok[0].In.p, recs, ins, t); err != nil {
				return err
			}
			return addTotals(ctx, tx, t)
		})
		if err != nil {
			alone = append(alone, ok...)
		} else {
			q.Committed()
			at := 0
			for _, r := range ok {
				rep := IngestReport{Received: len(r.In.ins), Errors: []RecordError{}, Atomic: true}
				for range r.In.ins {
					if fresh[at] {
						rep.Accepted++
					} else {
						rep.Duplicates++
					}
					at++
				}
				r.Answer(rep, nil)
			}
		}
	}
	for _, r := range alone {
		rep, err := s.Ingest(ctx, r.In.p, r.In.ins, IngestOptions{})
		if err == nil {
			q.Committed()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errClash
		}
		r.Answer(rep, err)
	}
}

// checkGrouped checks a request's records.
func checkGrouped(v *validator, g grouped) (errs []RecordError, recs []resolved, late bool) {
	for i, in := range g.ins {
		if r, good := v.check(i, in, &errs); good {
			recs = append(recs, r)
			late = late || r.late
		}
	}
	return errs, recs, late
}

// validatorFor is how long, by default, the committer checks records with
// the same departments and periods (Service.GroupRecheck). What it accepts
// is safe: a period closed in the meantime fails the group's transaction,
// whose requests are then stored alone, each checked afresh; what it
// refuses is checked again with a fresh validator first.
const validatorFor = time.Second

// groupValidator returns the committer's validator, made again when it is
// older than validatorFor or when fresh is asked; reused says it was not
// made now.
func (s *Service) groupValidator(ctx context.Context, fresh bool) (v *validator, reused bool, err error) {
	c := s.committerOf()
	keep := s.GroupRecheck
	if keep <= 0 {
		keep = validatorFor
	}
	if !fresh && c.validator != nil && time.Since(c.validated) < keep {
		c.validator.ctx = ctx
		return c.validator, true, nil
	}
	if v, err = s.newValidator(ctx); err != nil {
		return nil, false, err
	}
	c.validator, c.validated = v, time.Now()
	return v, false, nil
}

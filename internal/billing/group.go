package billing

// Group commit: meters send one or a few records a request, from many
// clients at once. Each such request waits in a queue; one committer
// goroutine takes what is queued (gathering for up to GroupWait, at most
// GroupEvents records), checks each request on its own, answers those it
// refuses at once, and stores the others in one transaction. Each request
// is answered only when that transaction has committed: what is
// acknowledged is stored. When the group's transaction fails, each of its
// requests is stored alone, so that one request cannot fail another.
//
// The committer runs only while there is work: the first request to find
// the queue idle starts it, and it ends when the queue is empty.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Group commit's defaults: how long the committer gathers requests before
// a transaction, and how many records one transaction takes at most.
const (
	DefaultGroupWait   = time.Millisecond
	DefaultGroupEvents = 5000
	// groupTimeout bounds one group's work.
	groupTimeout = 30 * time.Second
)

// grouped is one request waiting in the queue.
type grouped struct {
	p    *access.Principal
	ins  []UsageInput
	done chan groupResult
}

type groupResult struct {
	rep IngestReport
	err error
}

// committer is the queue of grouped requests.
type committer struct {
	mu      sync.Mutex
	queue   []*grouped
	queued  int           // records in the queue
	running bool          // a committer goroutine works the queue
	full    chan struct{} // told when the queue holds a group's worth
	// groups and commits count the groups taken and the transactions that
	// stored them (for tests and benchmarks).
	groups, commits int64
	// validator checks the groups' records; made at validated. Only the
	// committer goroutine uses them.
	validator *validator
	validated time.Time
}

// committers guards making each Service's committer.
var committers sync.Mutex

// committerOf returns the service's committer, made on first use.
func (s *Service) committerOf() *committer {
	committers.Lock()
	defer committers.Unlock()
	if s.group == nil {
		s.group = &committer{full: make(chan struct{}, 1)}
	}
	return s.group
}

// GroupStats says how many groups the committer took and how many
// transactions stored them.
func (s *Service) GroupStats() (groups, commits int64) {
	c := s.committerOf()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groups, c.commits
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
	g := &grouped{p: p, ins: batch, done: make(chan groupResult, 1)}
	c := s.committerOf()
	_, limit := s.groupLimits()
	c.mu.Lock()
	c.queue = append(c.queue, g)
	c.queued += len(batch)
	start := !c.running
	c.running = true
	if c.queued >= limit {
		select {
		case c.full <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	if start {
		go s.commitQueue()
	}
	select {
	case r := <-g.done:
		return r.rep, r.err
	case <-ctx.Done():
		return IngestReport{}, ctx.Err()
	}
}

// commitQueue works the queue until it is empty.
func (s *Service) commitQueue() {
	c := s.committerOf()
	wait, limit := s.groupLimits()
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		if c.queued < limit && wait > 0 {
			c.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.full:
				t.Stop()
			}
			c.mu.Lock()
		}
		n, taken := 0, 0
		for taken < len(c.queue) && (taken == 0 || n+len(c.queue[taken].ins) <= limit) {
			n += len(c.queue[taken].ins)
			taken++
		}
		group := make([]*grouped, taken)
		copy(group, c.queue)
		c.queue = c.queue[:copy(c.queue, c.queue[taken:])]
		c.queued -= n
		c.groups++
		select { // a full signal left from before this group is stale
		case <-c.full:
		default:
		}
		c.mu.Unlock()
		s.safeCommit(group)
	}
}

// safeCommit commits a group; should that panic, the requests not yet
// answered get an error (nothing of theirs is known to be stored) and the
// committer goes on with the queue.
func (s *Service) safeCommit(group []*grouped) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("storing grouped usage: %v", r)
			for _, g := range group {
				select {
				case g.done <- groupResult{err: err}:
				default: // already answered
				}
			}
		}
	}()
	s.commitGroup(group)
}

// commitGroup checks each request of a group, answers the refused ones,
// and stores the others in one transaction; if that fails, each alone.
func (s *Service) commitGroup(group []*grouped) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	v, reused, err := s.groupValidator(ctx, false)
	if err != nil {
		for _, g := range group {
			g.done <- groupResult{err: err}
		}
		return
	}
	var ok []*grouped
	var recs []resolved
	var ins []UsageInput
	var alone []*grouped
	for _, g := range group {
		errs, mine, late := checkGrouped(v, g)
		if len(errs) > 0 && reused {
			// Refused by what the committer knew: look again, afresh.
			if fresh, _, err := s.groupValidator(ctx, true); err == nil {
				v, reused = fresh, false
				errs, mine, late = checkGrouped(v, g)
			}
		}
		switch {
		case len(errs) > 0:
			rep := IngestReport{Received: len(g.ins), Rejected: len(errs), Errors: errs, Atomic: true}
			if len(rep.Errors) > maxReported {
				rep.Errors = rep.Errors[:maxReported]
			}
			g.done <- groupResult{rep: rep}
		case late:
			alone = append(alone, g) // late usage makes adjustments in the sender's name
		default:
			ok, recs, ins = append(ok, g), append(recs, mine...), append(ins, g.ins...)
		}
	}
	if len(ok) > 0 {
		var fresh []bool
		err := s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
			t := totals{}
			var err error
			if fresh, _, _, err = s.store(ctx, tx, ok[0].p, recs, ins, t); err != nil {
				return err
			}
			return addTotals(ctx, tx, t)
		})
		if err != nil {
			alone = append(alone, ok...)
		} else {
			s.counted()
			at := 0
			for _, g := range ok {
				rep := IngestReport{Received: len(g.ins), Errors: []RecordError{}, Atomic: true}
				for range g.ins {
					if fresh[at] {
						rep.Accepted++
					} else {
						rep.Duplicates++
					}
					at++
				}
				g.done <- groupResult{rep: rep}
			}
		}
	}
	for _, g := range alone {
		rep, err := s.Ingest(ctx, g.p, g.ins, IngestOptions{})
		if err == nil {
			s.counted()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errClash
		}
		g.done <- groupResult{rep: rep, err: err}
	}
}

// counted counts a transaction that stored grouped requests.
func (s *Service) counted() {
	c := s.committerOf()
	c.mu.Lock()
	c.commits++
	c.mu.Unlock()
}

// checkGrouped checks a request's records.
func checkGrouped(v *validator, g *grouped) (errs []RecordError, recs []resolved, late bool) {
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

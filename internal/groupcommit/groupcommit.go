// Package groupcommit commits requests that arrive together in one
// transaction (group commit). Each request waits in a queue; one committer
// goroutine takes what is queued — gathering for up to Wait, at most Limit
// of it — and hands the group to Commit, which checks each request on its
// own, stores the accepted ones together and answers each. A request is
// answered only when Commit says so: what is acknowledged is stored.
//
// The committer runs only while there is work: the first request to find
// the queue idle starts it, and it ends when the queue is empty. Commit
// runs in that goroutine, one group at a time. Should Commit panic, or
// return leaving a request unanswered, that request gets an error.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one request waiting in the queue: In is what the caller
// gave; Commit answers it with Answer.
type Request[In, Out any] struct {
	In       In
	done     chan result[Out]
	answered atomic.Bool
}

type result[Out any] struct {
	out Out
	err error
}

// Answer gives the request's caller its answer. Only the first answer
// counts; later ones are ignored.
func (r *Request[In, Out]) Answer(out Out, err error) {
	if r.answered.CompareAndSwap(false, true) {
		r.done <- result[Out]{out, err}
	}
}

// Answered reports whether the request has its answer.
func (r *Request[In, Out]) Answered() bool { return r.answered.Load() }

// ErrUnanswered is the answer of a request its group's Commit left
// unanswered: nothing of it is known to be stored.
var ErrUnanswered = errors.New("the request was not answered by its group's commit")

// Queue is the queue of requests of one kind. Its zero value with Commit
// set works: it then gathers nothing beyond what is already queued, and
// takes every queued request as one group.
type Queue[In, Out any] struct {
	// Wait is how long the committer gathers requests before handing a
	// group to Commit, unless Limit is reached first; zero or less does
	// not wait.
	Wait time.Duration
	// Limit is the most weight one group takes (a request heavier than
	// Limit is taken alone); zero or less has no limit.
	Limit int
	// Weight is a request's weight (its records, say); nil weighs each
	// request 1.
	Weight func(In) int
	// Commit stores a group and answers each of its requests.
	Commit func(group []*Request[In, Out])

	mu      sync.Mutex
	queue   []*Request[In, Out]
	queued  int           // weight in the queue
	running bool          // a committer goroutine works the queue
	full    chan struct{} // told when the queue holds a group's worth
	// groups and commits count the groups taken and the transactions
	// that stored them (Committed).
	groups, commits int64
	// requests and busy are the requests taken and the time spent in
	// Commit.
	requests int64
	busy     time.Duration
}

func (q *Queue[In, Out]) weight(in In) int {
	if q.Weight == nil {
		return 1
	}
	return q.Weight(in)
}

// Do queues in and waits for its answer. When ctx ends first it returns
// ctx's error: the request stays queued, so what it asked may or may not
// be stored.
func (q *Queue[In, Out]) Do(ctx context.Context, in In) (Out, error) {
	r := &Request[In, Out]{In: in, done: make(chan result[Out], 1)}
	q.mu.Lock()
	if q.full == nil {
		q.full = make(chan struct{}, 1)
	}
	q.queue = append(q.queue, r)
	q.queued += q.weight(in)
	start := !q.running
	q.running = true
	if q.Limit > 0 && q.queued >= q.Limit {
		select {
		case q.full <- struct{}{}:
		default:
		}
	}
	q.mu.Unlock()
	if start {
		go q.work()
	}
	select {
	case res := <-r.done:
		return res.out, res.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// work takes groups from the queue until it is empty.
func (q *Queue[In, Out]) work() {
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		if q.Wait > 0 && (q.Limit <= 0 || q.queued < q.Limit) {
			full := q.full
			q.mu.Unlock()
			t := time.NewTimer(q.Wait)
			select {
			case <-t.C:
			case <-full:
				t.Stop()
			}
			q.mu.Lock()
		}
		n, taken := 0, 0
		for taken < len(q.queue) {
			w := q.weight(q.queue[taken].In)
			if taken > 0 && q.Limit > 0 && n+w > q.Limit {
				break
			}
			n += w
			taken++
		}
		group := make([]*Request[In, Out], taken)
		copy(group, q.queue)
		rest := copy(q.queue, q.queue[taken:])
		clear(q.queue[rest:]) // let the answered requests go
		q.queue = q.queue[:rest]
		q.queued -= n
		q.groups++
		select { // a full signal left from before this group is stale
		case <-q.full:
		default:
		}
		q.mu.Unlock()
		start := time.Now()
		q.commit(group)
		took := time.Since(start)
		q.mu.Lock()
		q.requests += int64(len(group))
		q.busy += took
		q.mu.Unlock()
	}
}

// commit hands a group to Commit; should that panic, or leave requests
// unanswered, they get an error and the committer goes on with the queue.
func (q *Queue[In, Out]) commit(group []*Request[In, Out]) {
	var zero Out
	defer func() {
		var err error = ErrUnanswered
		if r := recover(); r != nil {
			err = fmt.Errorf("committing a group: %v", r)
		}
		for _, r := range group {
			r.Answer(zero, err)
		}
	}()
	q.Commit(group)
}

// Committed counts a transaction that stored requests of a group; Commit
// calls it.
func (q *Queue[In, Out]) Committed() {
	q.mu.Lock()
	q.commits++
	q.mu.Unlock()
}

// Busy says how many requests the committer took and how long it spent
// committing them: over a run, how near it came to being the bottleneck.
func (q *Queue[In, Out]) Busy() (requests int64, busy time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.requests, q.busy
}

// Queued says how many requests wait for a group.
func (q *Queue[In, Out]) Queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}

// Stats says how many groups the committer took and how many
// transactions stored them.
func (q *Queue[In, Out]) Stats() (groups, commits int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.groups, q.commits
}

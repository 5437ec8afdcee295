package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestGroupsConcurrentRequests: requests sent at once are committed in
// fewer groups than requests, each gets its own answer, and a group never
// weighs more than Limit.
func TestGroupsConcurrentRequests(t *testing.T) {
	var mu sync.Mutex
	biggest := 0
	q := &Queue[int, int]{Wait: 5 * time.Millisecond, Limit: 10}
	q.Commit = func(group []*Request[int, int]) {
		mu.Lock()
		biggest = max(biggest, len(group))
		mu.Unlock()
		time.Sleep(time.Millisecond)
		q.Committed()
		for _, r := range group {
			r.Answer(r.In*2, nil)
		}
	}
	const n = 50
	var wg sync.WaitGroup
	got := make([]int, n)
	for i := range n {
		wg.Go(func() {
			v, err := q.Do(context.Background(), i)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for i, v := range got {
		if v != 2*i {
			t.Fatalf("request %d answered %d, want %d", i, v, 2*i)
		}
	}
	groups, commits := q.Stats()
	if groups >= n || groups != commits || biggest > 10 {
		t.Fatalf("%d requests in %d groups (%d commits), biggest %d (limit 10)", n, groups, commits, biggest)
	}
}

// TestUnansweredAndPanic: a request its Commit leaves unanswered, or whose
// Commit panics, gets an error, and the queue goes on working.
func TestUnansweredAndPanic(t *testing.T) {
	q := &Queue[string, string]{}
	q.Commit = func(group []*Request[string, string]) {
		for _, r := range group {
			switch r.In {
			case "panic":
				panic("boom")
			case "ok":
				r.Answer("done", nil)
			}
		}
	}
	if _, err := q.Do(context.Background(), "forget"); !errors.Is(err, ErrUnanswered) {
		t.Fatalf("unanswered request: %v, want ErrUnanswered", err)
	}
	if _, err := q.Do(context.Background(), "panic"); err == nil {
		t.Fatal("a panicking commit answered no error")
	}
	if v, err := q.Do(context.Background(), "ok"); err != nil || v != "done" {
		t.Fatalf("after a panic: %q, %v", v, err)
	}
}

// TestDoReturnsWhenContextEnds: a caller whose context ends stops waiting.
func TestDoReturnsWhenContextEnds(t *testing.T) {
	release := make(chan struct{})
	q := &Queue[int, int]{}
	q.Commit = func(group []*Request[int, int]) {
		<-release
		for _, r := range group {
			r.Answer(1, nil)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := q.Do(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	close(release)
	if v, err := q.Do(context.Background(), 2); err != nil || v != 1 {
		t.Fatalf("next request: %d, %v", v, err)
	}
}

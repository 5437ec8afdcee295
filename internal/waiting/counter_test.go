package waiting

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/access"
)

// items is a source whose list the test sets, counting how often it is asked.
type items struct {
	n     int
	asked int
	// during runs after the list was read, as a write committed meanwhile would.
	during func()
}

func (s *items) WaitingFor(context.Context, *access.Principal) ([]Item, error) {
	s.asked++
	list := make([]Item, s.n)
	if s.during != nil {
		s.during()
	}
	return list, nil
}

func TestCounterKeepsAndForgets(t *testing.T) {
	ctx := context.Background()
	src := &items{n: 2}
	var org int64
	c := &Counter{List: List{src}, Changes: func() int64 { return org }}
	dana, riley := &access.Principal{PersonID: 1}, &access.Principal{PersonID: 2}
	count := func(p *access.Principal) int {
		t.Helper()
		n, err := c.Count(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(dana) != 2 || count(dana) != 2 || src.asked != 1 {
		t.Fatalf("asked %d times for two counts within a second; want once", src.asked)
	}
	src.n = 1
	c.Forget(riley.PersonID) // someone else acting changes nothing kept for Dana
	if count(dana) != 2 {
		t.Fatal("another person's action dropped Dana's count")
	}
	c.Forget(dana.PersonID)
	if got := count(dana); got != 1 {
		t.Fatalf("after Dana acted her count = %d; want 1", got)
	}
	// A full list read for a page is kept as the count.
	src.n = 4
	if list, _ := c.For(ctx, dana); len(list) != 4 || count(dana) != 4 {
		t.Fatal("the list a page read is not the count it shows")
	}
	// An organisation change (a role given or taken) drops every count.
	src.n = 3
	org++
	if got := count(dana); got != 3 {
		t.Fatalf("after an organisation change Dana's count = %d; want 3", got)
	}
	// A count read while Dana acts may predate her change: it is not kept.
	c.Forget(dana.PersonID)
	src.during = func() { src.n = 0; c.Forget(dana.PersonID) }
	if got := count(dana); got != 3 {
		t.Fatalf("the count read during the change = %d; want the 3 it read", got)
	}
	src.during = nil
	if got := count(dana); got != 0 {
		t.Fatalf("after the change the count = %d; want 0 (the one read during it was kept)", got)
	}
}

package discuss_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/notify"
)

// gated keeps signals; its first Record waits for open, so that the
// replies sent meanwhile queue up and are committed as one group. It
// fails every reply signal of topic fail.
type gated struct {
	recorded
	once          sync.Once
	entered, open chan struct{}
	fail          int64
}

func newGated() *gated { return &gated{entered: make(chan struct{}), open: make(chan struct{})} }

// wait lets the first call through once open is closed.
func (g *gated) wait() {
	g.once.Do(func() {
		close(g.entered)
		<-g.open
	})
}

func (g *gated) Record(ctx context.Context, tx *db.Tx, s activity.Signal) error {
	g.wait()
	if g.fail != 0 && s.TopicID == g.fail {
		return errors.New("the engagement store is unwell")
	}
	return g.recorded.Record(ctx, tx, s)
}

type posting struct {
	who   *access.Principal
	topic int64
	in    discuss.ReplyInput
}

type posted struct {
	r   discuss.Reply
	err error
}

// postTogether posts first, waits until its group is being committed,
// sends the others meanwhile, and lets the committer go on once they are
// all queued: the others then make one group.
func postTogether(t *testing.T, w world, g *gated, first posting, others []posting) (posted, []posted) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	var head posted
	wg.Go(func() { head.r, head.err = w.s.Reply(ctx, first.who, first.topic, first.in) })
	select {
	case <-g.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the first reply never reached its transaction")
	}
	out := make([]posted, len(others))
	for i, o := range others {
		wg.Go(func() { out[i].r, out[i].err = w.s.Reply(ctx, o.who, o.topic, o.in) })
	}
	for deadline := time.Now().Add(30 * time.Second); w.s.QueuedReplies() < len(others); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replies queued", w.s.QueuedReplies(), len(others))
		}
	}
	close(g.open)
	wg.Wait()
	return head, out
}

// TestRepliesCommittedTogether: replies sent at once to one topic and to
// several are stored in one transaction, each with its topic's counts,
// following, audit entry, signals and notices; a reply to a locked topic,
// refused inside that transaction, fails alone and writes nothing.
func TestRepliesCommittedTogether(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		pub, sig := &published{}, newGated()
		w.s.Publisher, w.s.Signals, w.s.ReplyLanes = pub, sig, 1
		topic := func(who *access.Principal, title string) discuss.Topic {
			tp, err := w.s.CreateTopic(ctx, who, discuss.TopicInput{CommunityID: w.open.ID, Title: title, Body: "What should I try?"})
			if err != nil {
				t.Fatal(err)
			}
			return tp
		}
		// Creating topics records signals: open the gate for them, then
		// close a new one for the replies.
		close(sig.open)
		t1, t2, t3 := topic(w.ana, "VPN drops"), topic(w.bo, "Printer offline"), topic(w.ana, "Old thread")
		if _, err := w.s.Lock(ctx, w.admin, t3.ID, true); err != nil {
			t.Fatal(err)
		}
		g := newGated()
		g.recorded = sig.recorded
		w.s.Signals = g
		pub.events = nil

		body := discuss.ReplyInput{Body: "Restarting the client fixed it here."}
		others := []posting{{w.bo, t1.ID, body}, {w.bo, t1.ID, body}, {w.bo, t1.ID, body},
			{w.itzel, t1.ID, discuss.ReplyInput{Body: "Known issue, fixed tonight.", Official: true}},
			{w.ana, t2.ID, body}, {w.ana, t2.ID, body}, {w.ana, t2.ID, body},
			{w.bo, t3.ID, body}}
		head, got := postTogether(t, w, g, posting{w.bo, t2.ID, body}, others)
		if head.err != nil {
			t.Fatal(head.err)
		}
		for i, p := range got {
			if i == len(got)-1 {
				if engage.ErrorCode(p.err) != engage.EFORBIDDEN {
					t.Fatalf("a reply to a locked topic: %v", p.err)
				}
				continue
			}
			if p.err != nil || p.r.ID == 0 || p.r.TopicID != others[i].topic || p.r.AuthorID != others[i].who.PersonID {
				t.Fatalf("reply %d: %+v %v", i, p.r, p.err)
			}
		}
		if groups, commits := w.s.ReplyGroups(); groups != 2 || commits != 2 {
			t.Fatalf("%d groups in %d transactions, want 2 and 2", groups, commits)
		}
		for _, c := range []struct {
			topic                   discuss.Topic
			replies, followers, add int
		}{{t1, 4, 3, 4}, {t2, 4, 2, 4}, {t3, 0, 1, 0}} {
			if n := scalar(t, d, "SELECT COUNT(*) FROM discuss_replies WHERE topic_id = ?", c.topic.ID); n != c.replies {
				t.Errorf("topic %q has %d replies stored, want %d", c.topic.Title, n, c.replies)
			}
			if n := scalar(t, d, "SELECT COUNT(*) FROM discuss_followers WHERE topic_id = ?", c.topic.ID); n != c.followers {
				t.Errorf("topic %q has %d followers, want %d", c.topic.Title, n, c.followers)
			}
			now, err := w.s.FindTopic(ctx, w.admin, c.topic.ID)
			if err != nil {
				t.Fatal(err)
			}
			if now.Replies != c.replies || now.Changes-c.topic.Changes < int64(c.add) {
				t.Errorf("topic %q counts %d replies and %d changes (from %d), want %d and %d more", c.topic.Title, now.Replies,
					now.Changes, c.topic.Changes, c.replies, c.add)
			}
			if answered := now.ITAnsweredAt != nil; answered != (c.topic.ID == t1.ID) {
				t.Errorf("topic %q answered by IT: %v", c.topic.Title, answered)
			}
		}
		if n := scalar(t, d, "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'reply' AND action = 'create'"); n != 8 {
			t.Errorf("%d replies audited, want 8", n)
		}
		kinds := map[activity.Kind]int{}
		for _, s := range g.signals {
			kinds[s.Kind]++
		}
		if kinds[activity.Replied] != 8 || kinds[activity.ITAnswered] != 1 {
			t.Errorf("signals: %v", kinds)
		}
		told := 0
		for _, ev := range pub.events {
			if ev.Type == discuss.EventReplied {
				told++
			}
		}
		if told != 7 { // every reply but the first, whose topic's only follower wrote it
			t.Errorf("%d reply notices, want 7: %+v", told, pub.events)
		}
	})
}

// TestGroupFailureStaysWithItsReply: when one reply's writing fails its
// group's transaction, the others of the group are stored each alone and
// answered as stored; only that reply fails, and nothing of it is kept.
func TestGroupFailureStaysWithItsReply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		var ids []int64
		for _, title := range []string{"VPN drops", "Printer offline", "Bad day"} {
			tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: title, Body: "What should I try?"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tp.ID)
		}
		g := newGated()
		g.fail = ids[2]
		w.s.Signals, w.s.ReplyLanes = g, 1
		body := discuss.ReplyInput{Body: "Same here."}
		others := []posting{{w.bo, ids[0], body}, {w.ana, ids[1], body}, {w.bo, ids[2], body}, {w.itzel, ids[0], body}, {w.ana, ids[1], body}}
		head, got := postTogether(t, w, g, posting{w.bo, ids[1], body}, others)
		if head.err != nil {
			t.Fatal(head.err)
		}
		for i, p := range got {
			if others[i].topic == ids[2] {
				if p.err == nil || engage.ErrorCode(p.err) != engage.EINTERNAL {
					t.Fatalf("the failing reply: %+v %v", p.r, p.err)
				}
			} else if p.err != nil || p.r.ID == 0 {
				t.Fatalf("reply %d failed with its group: %v", i, p.err)
			}
		}
		if groups, commits := w.s.ReplyGroups(); groups != 2 || commits != 5 {
			t.Fatalf("%d groups in %d transactions, want 2 groups, then the four good replies alone", groups, commits)
		}
		for i, want := range []int{2, 3, 0} {
			if n := scalar(t, d, "SELECT COUNT(*) FROM discuss_replies WHERE topic_id = ?", ids[i]); n != want {
				t.Errorf("topic %d has %d replies, want %d", i, n, want)
			}
		}
		if n := scalar(t, d, "SELECT replies FROM discuss_topics WHERE id = ?", ids[2]); n != 0 {
			t.Errorf("the failed reply was counted: %d", n)
		}
		if n := scalar(t, d, "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'reply'"); n != 5 {
			t.Errorf("%d replies audited, want 5", n)
		}
	})
}

// TestRepliesInLanes: many replies at once to many topics, stored by
// several groups at once (PostgreSQL's lanes, here on both engines), are
// all stored, each counted once.
func TestRepliesInLanes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		sig := &recorded{}
		var mu sync.Mutex
		w.s.Signals, w.s.ReplyLanes = lockedRecorder{&mu, sig}, 4
		var ids []int64
		for i := range 8 {
			tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: fmt.Sprintf("Topic %d", i), Body: "Why?"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tp.ID)
		}
		people := []*access.Principal{w.ana, w.bo, w.itzel}
		var wg sync.WaitGroup
		errs := make([]error, 48)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = w.s.Reply(ctx, people[i%3], ids[i%8], discuss.ReplyInput{Body: fmt.Sprintf("Reply %d", i)})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("reply %d: %v", i, err)
			}
		}
		for _, id := range ids {
			if n := scalar(t, d, "SELECT COUNT(*) FROM discuss_replies WHERE topic_id = ?", id); n != 6 {
				t.Errorf("topic %d has %d replies stored, want 6", id, n)
			}
			if n := scalar(t, d, "SELECT replies FROM discuss_topics WHERE id = ?", id); n != 6 {
				t.Errorf("topic %d counts %d replies, want 6", id, n)
			}
		}
		if n := scalar(t, d, "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'reply'"); n != 48 {
			t.Errorf("%d replies audited, want 48", n)
		}
		mu.Lock()
		defer mu.Unlock()
		replied := 0
		for _, s := range sig.signals {
			if s.Kind == activity.Replied {
				replied++
			}
		}
		if replied != 48 {
			t.Errorf("%d reply signals, want 48", replied)
		}
	})
}

// lockedRecorder lets several lanes record at once.
type lockedRecorder struct {
	mu *sync.Mutex
	r  *recorded
}

func (l lockedRecorder) Record(ctx context.Context, tx *db.Tx, s activity.Signal) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Record(ctx, tx, s)
}

// gatedBatch is gated over the engagement measurement itself: the first
// call waits for open; signals are recorded for real, in batches.
type gatedBatch struct {
	*gated
	e *engagement.Service
}

func (g gatedBatch) Record(ctx context.Context, tx *db.Tx, s activity.Signal) error {
	g.wait()
	return g.e.Record(ctx, tx, s)
}

func (g gatedBatch) RecordAll(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	g.wait()
	return g.e.RecordAll(ctx, tx, sigs)
}

// TestReplyGroupStatementsBounded: a group of replies — to several topics,
// by several people, an official answer and an @mention among them — is
// stored with the inbox notices and engagement signals in a number of
// statements that does not grow with the group: about twenty, where each
// reply took about twenty before.
func TestReplyGroupStatementsBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.s.Publisher = notify.New(d, w.clock, nil)
		w.s.ReplyLanes = 1
		var ids []int64
		for i := range 5 {
			tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: fmt.Sprintf("Topic %d", i), Body: "Why?"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tp.ID)
		}
		g := gatedBatch{newGated(), &engagement.Service{DB: d, Clock: w.clock}}
		w.s.Signals = g
		const n = 40
		people := []*access.Principal{w.bo, w.itzel, w.ana}
		others := make([]posting, n)
		for i := range others {
			in := discuss.ReplyInput{Body: fmt.Sprintf("Reply %d", i)}
			if i == 7 {
				in = discuss.ReplyInput{Body: "Known issue, fixed tonight; @bo please confirm.", Official: true}
			}
			others[i] = posting{people[i%3], ids[i%5], in}
			if i == 7 {
				others[i].who = w.itzel
			}
		}
		before := d.Statements()
		head, got := postTogether(t, w, g.gated, posting{w.bo, ids[0], discuss.ReplyInput{Body: "First"}}, others)
		stmts := d.Statements() - before
		if head.err != nil {
			t.Fatal(head.err)
		}
		for i, p := range got {
			if p.err != nil || p.r.ID == 0 || p.r.Body != others[i].in.Body || p.r.AuthorID != others[i].who.PersonID || p.r.TopicID != others[i].topic {
				t.Fatalf("reply %d: %+v %v", i, p.r, p.err)
			}
		}
		if groups, commits := w.s.ReplyGroups(); groups != 2 || commits != 2 {
			t.Fatalf("%d groups in %d transactions, want 2 and 2", groups, commits)
		}
		// Two groups: the first reply alone, then the n others.
		if stmts > 2*25 {
			t.Errorf("%d replies in two groups ran %d statements, want at most 50", n+1, stmts)
		}
		t.Logf("%d replies in two groups: %d statements", n+1, stmts)
		for _, id := range ids {
			if c := scalar(t, d, "SELECT COUNT(*) FROM discuss_replies WHERE topic_id = ?", id); c != n/5+b2i(id == ids[0]) {
				t.Errorf("topic %d has %d replies", id, c)
			}
			if c := scalar(t, d, "SELECT replies FROM discuss_topics WHERE id = ?", id); c != n/5+b2i(id == ids[0]) {
				t.Errorf("topic %d counts %d replies", id, c)
			}
		}
		if c := scalar(t, d, "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'reply'"); c != n+1 {
			t.Errorf("%d replies audited, want %d", c, n+1)
		}
		if c := scalar(t, d, "SELECT COUNT(*) FROM engagement_signals WHERE kind IN ('replied', 'it_answered')"); c != n+2 {
			t.Errorf("%d reply signals, want %d", c, n+2)
		}
		if c := scalar(t, d, "SELECT COUNT(*) FROM notify_events WHERE type = ?", discuss.EventMentioned); c != 1 {
			t.Errorf("%d mention notices, want 1", c)
		}
		// Every reply tells its topic's other followers, if any: ana (the
		// author) and whoever replied before it, in the order stored.
		order := slices.Clone(got)
		slices.SortFunc(order, func(a, b posted) int { return cmp.Compare(a.r.ID, b.r.ID) })
		followers := map[int64][]int64{ids[0]: {w.bo.PersonID}}
		want := 1 // the first group's reply told ana
		for _, p := range order {
			f := followers[p.r.TopicID]
			if !slices.Contains(f, w.ana.PersonID) {
				f = append(f, w.ana.PersonID)
			}
			if slices.ContainsFunc(f, func(id int64) bool { return id != p.r.AuthorID }) {
				want++
			}
			if !slices.Contains(f, p.r.AuthorID) {
				f = append(f, p.r.AuthorID)
			}
			followers[p.r.TopicID] = f
		}
		if c := scalar(t, d, "SELECT COUNT(*) FROM notify_events WHERE type = ?", discuss.EventReplied); c != want || want < n/2 {
			t.Errorf("%d reply notices, want %d", c, want)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGroupCountsItsRepliesTowardsTheLimit: a new member's replies in one
// group count towards the posting limit as if stored one after another:
// past the limit, the rest are refused and write nothing.
func TestGroupCountsItsRepliesTowardsTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.s.Limit = discuss.PostLimit{NewFor: 30 * 24 * time.Hour, PerHour: 3} // ana and bo joined 8 days ago: new
		tp, err := w.s.CreateTopic(ctx, w.admin, discuss.TopicInput{CommunityID: w.open.ID, Title: "VPN drops", Body: "Why?"})
		if err != nil {
			t.Fatal(err)
		}
		g := newGated()
		w.s.Signals, w.s.ReplyLanes = g, 1
		body := discuss.ReplyInput{Body: "Same here."}
		others := []posting{{w.ana, tp.ID, body}, {w.ana, tp.ID, body}, {w.ana, tp.ID, body}, {w.ana, tp.ID, body}, {w.ana, tp.ID, body}}
		head, got := postTogether(t, w, g, posting{w.bo, tp.ID, body}, others)
		if head.err != nil {
			t.Fatal(head.err)
		}
		stored, refused := 0, 0
		for _, p := range got {
			switch {
			case p.err == nil:
				stored++
			case engage.ErrorCode(p.err) == engage.ETOOMANY:
				refused++
			default:
				t.Fatalf("a reply: %v", p.err)
			}
		}
		if stored != 3 || refused != 2 {
			t.Errorf("%d stored and %d refused, want 3 and 2", stored, refused)
		}
		if n := scalar(t, d, "SELECT COUNT(*) FROM discuss_replies WHERE author_id = ?", w.ana.PersonID); n != 3 {
			t.Errorf("%d of ana's replies stored, want 3", n)
		}
		if n := scalar(t, d, "SELECT replies FROM discuss_topics WHERE id = ?", tp.ID); n != 4 {
			t.Errorf("the topic counts %d replies, want 4", n)
		}
	})
}

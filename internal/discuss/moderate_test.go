package discuss_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/notify"
)

type published struct{ events []notify.Event }

func (p *published) Publish(_ context.Context, _ *db.Tx, ev notify.Event) error {
	p.events = append(p.events, ev)
	return nil
}

type recorded struct{ signals []activity.Signal }

func (r *recorded) Record(_ context.Context, _ *db.Tx, s activity.Signal) error {
	r.signals = append(r.signals, s)
	return nil
}

func TestMentions(t *testing.T) {
	got := discuss.Mentions("Hi @Ana.Lopez and @bo. Mail ana@example.com, (@itzel) @ana.lopez again")
	if !slices.Equal(got, []string{"ana.lopez", "bo", "itzel"}) {
		t.Fatalf("mentions: %v", got)
	}
}

// TestAnswersAndNotices: @mentions reach those who may read the topic;
// followers hear of replies; the asker accepts a reply; IT marks a
// member's reply official; each step sends its signal.
func TestAnswersAndNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		pub, sig := &published{}, &recorded{}
		w.s.Publisher, w.s.Signals = pub, sig
		tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "VPN drops", Body: "@bo @itzel @nobody have you seen this?"})
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.events) != 1 || pub.events[0].Type != discuss.EventMentioned || !slices.Equal(pub.events[0].Recipients, []int64{w.bo.PersonID, w.itzel.PersonID}) {
			t.Fatalf("mentions told: %+v", pub.events)
		}
		if !strings.HasPrefix(pub.events[0].Link, "/communities/iphone/topics/") {
			t.Fatalf("link: %s", pub.events[0].Link)
		}
		// In a closed community, a mention of a non-member tells no one.
		if _, err := w.s.CreateTopic(ctx, w.admin, discuss.TopicInput{CommunityID: w.closed.ID, Title: "Board", Body: "cc @bo"}); err != nil || len(pub.events) != 1 {
			t.Fatalf("a mention leaked a closed topic: %v %+v", err, pub.events)
		}
		pub.events = nil
		reply, err := w.s.Reply(ctx, w.bo, tp.ID, discuss.ReplyInput{Body: "Yes, restart the client."})
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.events) != 1 || pub.events[0].Type != discuss.EventReplied || !slices.Equal(pub.events[0].Recipients, []int64{w.ana.PersonID}) {
			t.Fatalf("followers told: %+v", pub.events)
		}
		if following, _ := w.s.Following(ctx, w.bo, tp.ID); !following {
			t.Fatal("replying does not follow")
		}
		if err := w.s.Follow(ctx, w.ana, tp.ID, false); err != nil {
			t.Fatal(err)
		}
		pub.events = nil
		if _, err := w.s.Reply(ctx, w.itzel, tp.ID, discuss.ReplyInput{Body: "Known issue, fixed tonight.", Official: true}); err != nil {
			t.Fatal(err)
		}
		if len(pub.events) != 1 || !slices.Equal(pub.events[0].Recipients, []int64{w.bo.PersonID}) {
			t.Fatalf("after unfollowing: %+v", pub.events)
		}
		if _, err := w.s.Accept(ctx, w.bo, tp.ID, reply.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("someone else accepted: %v", err)
		}
		got, err := w.s.Accept(ctx, w.ana, tp.ID, reply.ID)
		if err != nil || got.AcceptedReplyID != reply.ID {
			t.Fatalf("accept: %+v %v", got, err)
		}
		if _, err := w.s.MarkOfficial(ctx, w.bo, reply.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a member made a reply official: %v", err)
		}
		off, err := w.s.MarkOfficial(ctx, w.itzel, reply.ID)
		if err != nil || !off.Official || !off.Accepted {
			t.Fatalf("mark official: %+v %v", off, err)
		}
		var kinds []activity.Kind
		for _, s := range sig.signals {
			if s.TopicID == tp.ID {
				kinds = append(kinds, s.Kind)
			}
		}
		want := []activity.Kind{activity.TopicOpened, activity.Replied, activity.Replied, activity.ITAnswered, activity.Accepted, activity.ITAnswered}
		if !slices.Equal(kinds, want) {
			t.Fatalf("signals: %v", kinds)
		}
		if s := sig.signals[0]; s.CommunityID != w.open.ID || s.PersonID != w.ana.PersonID || !s.At.Equal(tp.CreatedAt) {
			t.Fatalf("signal: %+v", s)
		}
	})
}

// TestModeration: moderators pin, lock, hide, move and edit (history
// kept, readable by moderators only); flags are raised once and resolved
// from the queue; everything is in the audit log.
func TestModeration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "Buy cheap licences here", Body: "spam link"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Lock(ctx, w.itzel, tp.ID, true); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("IT staff locked: %v", err)
		}
		if got, err := w.s.Lock(ctx, w.admin, tp.ID, true); err != nil || !got.Locked {
			t.Fatalf("lock: %+v %v", got, err)
		}
		if _, err := w.s.Reply(ctx, w.bo, tp.ID, discuss.ReplyInput{Body: "+1"}); engage.ErrorCode(err) != engage.EFORBIDDEN || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("reply to a locked topic: %v", err)
		}
		if got, err := w.s.Pin(ctx, w.admin, tp.ID, true); err != nil || !got.Pinned {
			t.Fatalf("pin: %+v %v", got, err)
		}
		if err := w.s.FlagPost(ctx, w.bo, tp.ID, 0, "Spam"); err != nil {
			t.Fatal(err)
		}
		if err := w.s.FlagPost(ctx, w.bo, tp.ID, 0, "Spam again"); err != nil {
			t.Fatal(err)
		}
		if err := w.s.FlagPost(ctx, w.bo, tp.ID, 0, ""); !slices.Equal(fieldNames(err), []string{"reason"}) {
			t.Fatalf("flag without reason: %v", err)
		}
		if q, err := w.s.Flags(ctx, w.itzel); err != nil || len(q) != 0 {
			t.Fatalf("queue of a non-moderator: %v %v", q, err)
		}
		q, err := w.s.Flags(ctx, w.admin)
		if err != nil || len(q) != 1 || q[0].Reason != "Spam" || q[0].TopicTitle != tp.Title {
			t.Fatalf("queue: %+v %v", q, err)
		}
		f, err := w.s.ResolveFlag(ctx, w.admin, q[0].ID, discuss.Hidden)
		if err != nil || f.ResolvedAt == nil || f.Outcome != discuss.Hidden {
			t.Fatalf("resolve: %+v %v", f, err)
		}
		if _, err := w.s.FindTopic(ctx, w.bo, tp.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a hidden topic is read by others: %v", err)
		}
		if got, err := w.s.FindTopic(ctx, w.ana, tp.ID); err != nil || !got.Hidden {
			t.Fatalf("the author reads their hidden topic: %+v %v", got, err)
		}
		for p, want := range map[string]int{"bo": 0, "ana": 1, "admin": 1} {
			who := map[string]*access.Principal{"bo": w.bo, "ana": w.ana, "admin": w.admin}[p]
			if got, err := w.s.TopicsByID(ctx, who, []int64{tp.ID}); err != nil || len(got) != want {
				t.Fatalf("a hidden topic by id for %s: %v %v", p, got, err)
			}
		}
		if got, _ := w.s.SearchTopics(ctx, w.admin, "licences", discuss.SearchFilter{}); len(got) != 0 {
			t.Fatalf("a hidden topic is found: %v", got)
		}
		if ts, _, _ := w.s.ListTopics(ctx, w.bo, w.open.ID, discuss.TopicFilter{}); len(ts) != 0 {
			t.Fatalf("a hidden topic is listed: %v", ts)
		}
		if _, err := w.s.Hide(ctx, w.admin, tp.ID, false); err != nil {
			t.Fatal(err)
		}
		edited, err := w.s.EditTopic(ctx, w.admin, tp.ID, discuss.Edit{Title: "Licences", Body: "Removed: the link was spam.", Version: tp.Version + 4})
		if err != nil || edited.Title != "Licences" {
			t.Fatalf("edit: %+v %v", edited, err)
		}
		if _, err := w.s.EditTopic(ctx, w.ana, tp.ID, discuss.Edit{Title: "x", Body: "y", Version: tp.Version}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("a stale edit: %v", err)
		}
		if _, err := w.s.EditTopic(ctx, w.bo, tp.ID, discuss.Edit{Title: "x", Body: "y"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("someone else edited: %v", err)
		}
		if _, err := w.s.Revisions(ctx, w.ana, tp.ID, 0); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("the author read the history: %v", err)
		}
		revs, err := w.s.Revisions(ctx, w.admin, tp.ID, 0)
		if err != nil || len(revs) != 1 || revs[0].Body != "spam link" || revs[0].Title != "Buy cheap licences here" || revs[0].EditedBy != "admin" {
			t.Fatalf("history: %+v %v", revs, err)
		}
		if got, _ := w.s.SearchTopics(ctx, w.bo, "licence", discuss.SearchFilter{}); len(got) != 1 {
			t.Fatalf("an edited topic is found under its new title: %v", got)
		}
		if _, err := w.s.Move(ctx, w.admin, tp.ID, w.closed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.FindTopic(ctx, w.bo, tp.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a topic moved to a closed community is read by a non-member: %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'topic' AND entity_id = ?", fmt.Sprint(tp.ID)).Scan(&n); err != nil || n != 9 {
			t.Fatalf("%d audit events (%v)", n, err)
		}
	})
}

package discuss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/discuss"
)

// TestKeptRepliesFollowEveryChange: a topic's replies are kept in memory
// between reads, yet every change — a reply, an edit, hiding and showing,
// an official answer, an accepted solution, a lock, a move — made through
// another replica shows on the next read; hidden replies stay with the
// moderators and their author; paging cuts the kept list as the query did.
func TestKeptRepliesFollowEveryChange(t *testing.T) {
	dbtest.EachReplicated(t, 2, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		w := setup(t, dbs[0])
		other := &discuss.Service{DB: dbs[len(dbs)-1], Clock: w.clock, Communities: w.cs}
		tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "Mail on the phone", Body: "How?"})
		if err != nil {
			t.Fatal(err)
		}
		// shows is what p reads of the topic on the first replica, in order:
		// each reply's text with its marks.
		shows := func(p *access.Principal) string {
			t.Helper()
			d, replies, _, err := w.s.Thread(ctx, p, tp.ID, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if d.Topic.Locked {
				b.WriteString("[locked]")
			}
			for _, r := range replies {
				fmt.Fprintf(&b, "%s", r.Body)
				for i, on := range []bool{r.Official, r.Accepted, r.Hidden} {
					if on {
						b.WriteString([]string{"(official)", "(accepted)", "(hidden)"}[i])
					}
				}
				b.WriteString(";")
			}
			return b.String()
		}
		want := func(step string, p *access.Principal, text string) {
			t.Helper()
			if got := shows(p); got != text {
				t.Fatalf("after %s, %s reads %q; want %q", step, p.Name, got, text)
			}
			sameAsRead(t, step, w.s, discuss.KeepingNothing(&discuss.Service{DB: dbs[0], Clock: w.clock, Communities: w.cs}), p, tp.ID)
		}
		want("nothing", w.ana, "")
		first, err := other.Reply(ctx, w.bo, tp.ID, discuss.ReplyInput{Body: "Add the account"})
		if err != nil {
			t.Fatal(err)
		}
		want("a reply on another replica", w.ana, "Add the account;")
		want("a reply on another replica", w.ana, "Add the account;") // kept
		if _, err := other.EditReply(ctx, w.bo, first.ID, discuss.Edit{Body: "Add the account in Settings"}); err != nil {
			t.Fatal(err)
		}
		want("an edit", w.ana, "Add the account in Settings;")
		second, err := other.Reply(ctx, w.itzel, tp.ID, discuss.ReplyInput{Body: "Use Outlook", Official: true})
		if err != nil {
			t.Fatal(err)
		}
		want("an official answer", w.ana, "Add the account in Settings;Use Outlook(official);")
		if _, err := other.HideReply(ctx, w.admin, first.ID, true); err != nil {
			t.Fatal(err)
		}
		want("hiding a reply", w.ana, "Use Outlook(official);")
		want("hiding a reply", w.bo, "Add the account in Settings(hidden);Use Outlook(official);") // its author
		want("hiding a reply", w.admin, "Add the account in Settings(hidden);Use Outlook(official);")
		if _, err := other.HideReply(ctx, w.admin, first.ID, false); err != nil {
			t.Fatal(err)
		}
		want("showing it again", w.ana, "Add the account in Settings;Use Outlook(official);")
		if _, err := other.MarkOfficial(ctx, w.itzel, first.ID); err != nil {
			t.Fatal(err)
		}
		want("making a reply official", w.ana, "Add the account in Settings(official);Use Outlook(official);")
		if _, err := other.Accept(ctx, w.ana, tp.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		want("accepting", w.ana, "Add the account in Settings(official);Use Outlook(official)(accepted);")
		if _, err := other.Lock(ctx, w.admin, tp.ID, true); err != nil {
			t.Fatal(err)
		}
		want("locking", w.ana, "[locked]Add the account in Settings(official);Use Outlook(official)(accepted);")
		if _, err := other.Move(ctx, w.admin, tp.ID, w.closed.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := w.s.Thread(ctx, w.ana, tp.ID, "", 0); err == nil {
			t.Fatal("Ana reads the topic after it moved to a closed community she is not in")
		}
		// Paging cuts the kept list: one reply a page.
		got, next, err := w.s.ListReplies(ctx, w.admin, tp.ID, "", 1)
		if err != nil || len(got) != 1 || got[0].ID != first.ID || next == "" {
			t.Fatalf("first page: %+v %q %v", got, next, err)
		}
		if got, next, err = w.s.ListReplies(ctx, w.admin, tp.ID, next, 1); err != nil || len(got) != 1 || got[0].ID != second.ID || next != "" {
			t.Fatalf("second page: %+v %q %v", got, next, err)
		}
	})
}

// sameAsRead fails unless what kept reads of topic id for p — every page of
// one, two and 200 replies — is what a service that reads each page from
// the database reads,
// field by field, as the API writes it.
func sameAsRead(t *testing.T, step string, kept, fresh *discuss.Service, p *access.Principal, id int64) {
	t.Helper()
	ctx := context.Background()
	for _, limit := range []int{1, 2, 200} {
		var pages [2][]string
		for k, s := range []*discuss.Service{kept, fresh} {
			cursor := ""
			for {
				list, next, err := s.ListReplies(ctx, p, id, cursor, limit)
				if err != nil {
					t.Fatalf("after %s: %v", step, err)
				}
				b, err := json.Marshal(list)
				if err != nil {
					t.Fatal(err)
				}
				pages[k] = append(pages[k], string(b)+" next:"+strings.Repeat("*", min(len(next), 1)))
				if cursor = next; next == "" {
					break
				}
			}
		}
		if !slices.Equal(pages[0], pages[1]) {
			t.Fatalf("after %s, %s reads %d a page from the kept list:\n%v\nand from the database:\n%v", step, p.Name, limit, pages[0], pages[1])
		}
	}
}

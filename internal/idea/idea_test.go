package idea_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

// signals keeps the engagement signals sent.
type signals []activity.Signal

func (s *signals) Record(_ context.Context, _ *db.Tx, sig activity.Signal) error {
	*s = append(*s, sig)
	return nil
}

// world is an open and a closed community, and people: Ana (author, in
// the lab), Bo and Cy (lab members), the lab's BRM, another BRM, a
// moderator, the board and the reviewers.
type world struct {
	s                            *idea.Service
	fd                           *frontdoor.Service
	ds                           *discuss.Service
	cs                           *community.Service
	notify                       *notify.Service
	d                            *db.DB
	clock                        *engage.FixedClock
	sig                          *signals
	admin, ana, bo, cy           *access.Principal
	brm, otherBRM, mod, stranger *access.Principal
	board, arch, sec, fin        *access.Principal
	open, closed                 community.Community
}

func setup(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)) // a Monday
	o := &org.Service{DB: d, Clock: clock}
	lab, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Lab"})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "IT", Name: "IT"})
	sales, _ := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SALES", Name: "Sales"})
	ids := map[string]int64{}
	person := func(name string, dept int64, roles ...access.Role) {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: name + "@example.com", Name: name, DepartmentID: dept, Active: true, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = p.ID
	}
	person("admin", it.ID, access.Admin)
	person("ana", lab.ID, access.Requester)
	person("bo", lab.ID, access.Requester)
	person("cy", lab.ID, access.Requester)
	person("brm", it.ID, access.Requester, access.BRM)
	person("other.brm", it.ID, access.Requester, access.BRM)
	person("mod", sales.ID, access.Requester, access.Moderator)
	person("stranger", sales.ID, access.Requester)
	person("board", it.ID, access.PortfolioBoard)
	person("arch", it.ID, access.ReviewerArchitecture)
	person("sec", it.ID, access.ReviewerSecurity)
	person("fin", it.ID, access.ReviewerFinance)
	labIn := lab.Input()
	labIn.BRMID = ids["brm"]
	if _, err := o.UpdateDepartment(ctx, sys, lab.ID, lab.Version, labIn); err != nil {
		t.Fatal(err)
	}
	salesIn := sales.Input()
	salesIn.BRMID = ids["other.brm"]
	if _, err := o.UpdateDepartment(ctx, sys, sales.ID, sales.Version, salesIn); err != nil {
		t.Fatal(err)
	}
	pr := func(name string) *access.Principal {
		p, err := o.Principal(ctx, ids[name], "test")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	w := &world{d: d, clock: clock, sig: &signals{}}
	w.admin, w.ana, w.bo, w.cy = pr("admin"), pr("ana"), pr("bo"), pr("cy")
	w.brm, w.otherBRM, w.mod, w.stranger = pr("brm"), pr("other.brm"), pr("mod"), pr("stranger")
	w.board, w.arch, w.sec, w.fin = pr("board"), pr("arch"), pr("sec"), pr("fin")

	ap, err := approval.New(ctx, d, clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	w.notify = notify.New(d, clock, nil)
	w.fd = &frontdoor.Service{DB: d, Clock: clock, Org: o, Catalog: cat, Approvals: ap, Publisher: w.notify}
	ap.OnDecided(frontdoor.SubjectNeed, w.fd.Decided)
	w.cs = &community.Service{DB: d, Clock: clock, Org: o, Catalog: cat}
	if w.open, err = w.cs.Create(ctx, w.admin, community.Input{Slug: "lab-tools", Name: "Lab tools", Kind: community.KindProduct}); err != nil {
		t.Fatal(err)
	}
	if w.closed, err = w.cs.Create(ctx, w.admin, community.Input{Slug: "lab-insiders", Name: "Lab insiders", Kind: community.KindProduct,
		Visibility: community.Closed}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*access.Principal{w.ana, w.bo, w.cy} {
		for _, c := range []int64{w.open.ID, w.closed.ID} {
			if _, err := w.cs.Join(ctx, p, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Closed: the requests are granted by hand, as a moderator would.
	if _, err := d.Exec(ctx, "UPDATE community_members SET by_hand = TRUE, requested = FALSE WHERE community_id = ?", w.closed.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * 24 * time.Hour) // past the posting limit of new members
	w.ds = &discuss.Service{DB: d, Clock: clock, Communities: w.cs}
	w.s = &idea.Service{DB: d, Clock: clock, Org: o, Communities: w.cs, Discussions: w.ds, FrontDoor: w.fd, Catalog: cat,
		Publisher: w.notify, Signals: w.sig}
	w.fd.OnStateChange(idea.OriginKind, w.s.NeedMoved)
	return w
}

func (w *world) post(t *testing.T, p *access.Principal, c community.Community, title string) discuss.Topic {
	t.Helper()
	tp, err := w.ds.CreateTopic(context.Background(), p, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea, Title: title,
		Body: "Let us have " + strings.ToLower(title) + "."})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// inbox returns the titles in p's inbox of idea events.
func (w *world) inbox(t *testing.T, p *access.Principal) []string {
	t.Helper()
	items, _, err := w.notify.ListInbox(context.Background(), p, notify.InboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		if strings.HasPrefix(it.Type, "idea.") {
			out = append(out, it.Title)
		}
	}
	return out
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVotesAreIdempotent: one vote per person, voting twice counts once,
// withdrawing twice too; the count is kept on the idea; a vote sends one
// engagement signal; a question takes no votes.
func TestVotesAreIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		tp := w.post(t, w.ana, w.open, "Shared lab notebooks")
		for range 2 {
			got, err := w.s.Vote(ctx, w.bo, tp.ID)
			if err != nil || got.Votes != 1 || !got.Voted {
				t.Fatalf("bo votes = %+v, %v", got, err)
			}
		}
		got, err := w.s.Vote(ctx, w.cy, tp.ID)
		if err != nil || got.Votes != 2 {
			t.Fatalf("cy votes = %+v, %v", got, err)
		}
		if len(*w.sig) != 2 || (*w.sig)[0].Kind != activity.Voted || (*w.sig)[0].TopicID != tp.ID || (*w.sig)[0].CommunityID != w.open.ID {
			t.Fatalf("signals = %+v", *w.sig)
		}
		for range 2 {
			got, err = w.s.Unvote(ctx, w.bo, tp.ID)
			if err != nil || got.Votes != 1 || got.Voted {
				t.Fatalf("bo withdraws = %+v, %v", got, err)
			}
		}
		if n := count(t, d, "SELECT votes FROM idea_ideas WHERE topic_id = ?", tp.ID); n != 1 {
			t.Fatalf("kept count = %d", n)
		}
		// Two votes at once by the same person count once.
		dbtest.AtOnce(4, func(int) { _, _ = w.s.Vote(ctx, w.bo, tp.ID) })
		if d, err := w.s.Get(ctx, w.ana, tp.ID); err != nil || d.Idea.Votes != 2 || d.Idea.Voted {
			t.Fatalf("after votes at once = %+v, %v", d.Idea, err)
		}
		q, err := w.ds.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "How do I print?", Body: "Where?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Vote(ctx, w.bo, q.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("vote on a question = %v", err)
		}
	})
}

// TestVotingAccess: non-members of a closed community neither see nor vote
// on its ideas; locked and hidden ideas take no votes.
func TestVotingAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		secret := w.post(t, w.ana, w.closed, "A quiet room for experiments")
		if _, err := w.s.Vote(ctx, w.stranger, secret.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("stranger votes in a closed community = %v", err)
		}
		if _, err := w.s.Get(ctx, w.stranger, secret.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("stranger reads = %v", err)
		}
		if _, _, err := w.s.List(ctx, w.stranger, w.closed.ID, idea.ListFilter{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("stranger lists = %v", err)
		}
		if _, err := w.s.Vote(ctx, w.bo, secret.ID); err != nil {
			t.Fatalf("member votes = %v", err)
		}
		if _, err := w.s.Vote(ctx, w.cy, secret.ID); err != nil {
			t.Fatalf("member votes = %v", err)
		}
		// A voter who left the closed community is no longer told of the idea.
		if _, err := w.cs.Leave(ctx, w.bo, w.closed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SetStatus(ctx, w.mod, secret.ID, idea.StatusInput{Status: idea.Planned}); err != nil {
			t.Fatal(err)
		}
		if in := w.inbox(t, w.bo); len(in) != 0 {
			t.Fatalf("a former member was told: %q", in)
		}
		if in := w.inbox(t, w.cy); len(in) != 1 || !strings.Contains(in[0], "is now planned") {
			t.Fatalf("a member voter's inbox = %q", in)
		}
		if _, err := w.s.Get(ctx, w.bo, secret.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a former member reads = %v", err)
		}
		// Anyone signed in reads an open community; its members vote, as
		// they post: a stranger is asked to join first, on the page too.
		open := w.post(t, w.ana, w.open, "Longer battery")
		if _, err := w.s.Vote(ctx, w.stranger, open.ID); engage.ErrorCode(err) != engage.EFORBIDDEN || !strings.Contains(err.Error(), "Join the community") {
			t.Fatalf("stranger votes in an open community = %v", err)
		}
		if d, err := w.s.Get(ctx, w.stranger, open.ID); err != nil || d.May.Vote {
			t.Fatalf("a stranger is offered the vote: %+v, %v", d.May, err)
		}
		if _, err := w.cs.Join(ctx, w.stranger, w.open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Vote(ctx, w.stranger, open.ID); err != nil {
			t.Fatalf("a new member votes in an open community = %v", err)
		}
		if _, err := d.Exec(ctx, "UPDATE discuss_topics SET locked = TRUE WHERE id = ?", open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Vote(ctx, w.bo, open.ID); engage.ErrorCode(err) != engage.EFORBIDDEN || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("vote on a locked idea = %v", err)
		}
		if _, err := w.s.Unvote(ctx, w.stranger, open.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("withdraw on a locked idea = %v", err)
		}
		if _, err := d.Exec(ctx, "UPDATE discuss_topics SET locked = FALSE, hidden = TRUE WHERE id = ?", open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Vote(ctx, w.ana, open.ID); engage.ErrorCode(err) != engage.EFORBIDDEN || !strings.Contains(err.Error(), "hidden") {
			t.Fatalf("author votes on a hidden idea = %v", err)
		}
		if _, err := w.s.Vote(ctx, w.bo, open.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("vote on a hidden idea = %v", err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM idea_votes WHERE topic_id = ?", open.ID); n != 1 {
			t.Fatalf("%d votes kept", n)
		}
	})
}

// TestStatusRules: moderators, IT answerers and the author's BRM set the
// status; others do not; declined needs a reason; history is kept; setting
// the same status again changes nothing; voters and the author are told,
// not the one who set it.
func TestStatusRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		tp := w.post(t, w.ana, w.open, "Dark mode for the LIMS")
		if _, err := w.s.Vote(ctx, w.bo, tp.ID); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*access.Principal{w.ana, w.cy, w.otherBRM, w.stranger} {
			if _, err := w.s.SetStatus(ctx, p, tp.ID, idea.StatusInput{Status: idea.Planned}); engage.ErrorCode(err) != engage.EFORBIDDEN {
				t.Fatalf("%s sets the status = %v", p.Name, err)
			}
		}
		_, err := w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: idea.Declined, Reason: "  "})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "reason" {
			t.Fatalf("declined without a reason = %v", err)
		}
		_, err = w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: "maybe", Reason: strings.Repeat("r", idea.MaxReason+1)})
		if f := engage.ErrorFields(err); len(f) != 2 || !strings.Contains(err.Error(), "2000 characters") {
			t.Fatalf("bad status = %v", err)
		}
		got, err := w.s.SetStatus(ctx, w.brm, tp.ID, idea.StatusInput{Status: idea.UnderReview, Version: 1})
		if err != nil || got.Status != idea.UnderReview || got.Version != 2 {
			t.Fatalf("BRM sets under review = %+v, %v", got, err)
		}
		if _, err := w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: idea.Planned, Version: 1}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("stale version = %v", err)
		}
		got, err = w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: idea.Declined, Reason: "The LIMS vendor ships it next year."})
		if err != nil || got.Status != idea.Declined || got.Reason == "" {
			t.Fatalf("moderator declines = %+v, %v", got, err)
		}
		again, err := w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: idea.Declined, Reason: "The LIMS vendor ships it next year."})
		if err != nil || again.Version != got.Version {
			t.Fatalf("same status again = %+v, %v", again, err)
		}
		detail, err := w.s.Get(ctx, w.bo, tp.ID)
		if err != nil || len(detail.History) != 2 || detail.History[0].To != idea.UnderReview || detail.History[1].ActorName != "mod" ||
			detail.History[1].From != idea.UnderReview || detail.May.SetStatus || !detail.May.Vote {
			t.Fatalf("detail = %+v, %v", detail, err)
		}
		if in := w.inbox(t, w.bo); len(in) != 2 || !strings.Contains(in[0], "declined: The LIMS vendor") {
			t.Fatalf("voter's inbox = %q", in)
		}
		if in := w.inbox(t, w.ana); len(in) != 2 {
			t.Fatalf("author's inbox = %q", in)
		}
		if in := w.inbox(t, w.mod); len(in) != 0 {
			t.Fatalf("the moderator was told of their own change: %q", in)
		}
		// The list by status and by votes.
		other := w.post(t, w.bo, w.open, "Barcode printers on every bench")
		for _, p := range []*access.Principal{w.ana, w.cy} {
			if _, err := w.s.Vote(ctx, p, other.ID); err != nil {
				t.Fatal(err)
			}
		}
		third := w.post(t, w.cy, w.open, "A second centrifuge")
		list, next, err := w.s.List(ctx, w.stranger, w.open.ID, idea.ListFilter{})
		if err != nil || next != "" || len(list) != 3 || list[0].TopicID != other.ID || list[1].TopicID != tp.ID || list[2].TopicID != third.ID {
			t.Fatalf("by votes = %+v, %q, %v", list, next, err)
		}
		page, next, err := w.s.List(ctx, w.ana, w.open.ID, idea.ListFilter{Limit: 1})
		if err != nil || len(page) != 1 || next == "" || !page[0].Voted {
			t.Fatalf("first page = %+v, %q, %v", page, next, err)
		}
		page, next, err = w.s.List(ctx, w.ana, w.open.ID, idea.ListFilter{Limit: 1, Cursor: next})
		if err != nil || len(page) != 1 || page[0].TopicID != tp.ID || next == "" {
			t.Fatalf("second page = %+v, %q, %v", page, next, err)
		}
		declined, _, err := w.s.List(ctx, w.ana, w.open.ID, idea.ListFilter{Status: idea.Declined})
		if err != nil || len(declined) != 1 || declined[0].TopicID != tp.ID {
			t.Fatalf("declined = %+v, %v", declined, err)
		}
		newest, _, err := w.s.List(ctx, w.ana, w.open.ID, idea.ListFilter{Sort: idea.ByNewest})
		if err != nil || len(newest) != 3 || newest[0].TopicID != third.ID {
			t.Fatalf("newest = %+v, %v", newest, err)
		}
	})
}

// TestIdeaBecomesANeed: the author's BRM turns the idea into a need in one
// step (again: the same need); others may not; the need's moves set the
// idea's status, and voters are told when it is decided and delivered.
func TestIdeaBecomesANeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		tp := w.post(t, w.ana, w.open, "Electronic lab notebooks")
		for _, p := range []*access.Principal{w.bo, w.cy} {
			if _, err := w.s.Vote(ctx, p, tp.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []*access.Principal{w.otherBRM, w.mod, w.bo} {
			if _, err := w.s.Convert(ctx, p, tp.ID, idea.ConvertInput{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
				t.Fatalf("%s converts = %v", p.Name, err)
			}
		}
		got, err := w.s.Convert(ctx, w.brm, tp.ID, idea.ConvertInput{})
		if err != nil || got.Need == nil || got.Need.State != frontdoor.Draft || got.Status != idea.UnderReview {
			t.Fatalf("convert = %+v, %v", got, err)
		}
		ref := got.Need.Reference
		again, err := w.s.Convert(ctx, w.brm, tp.ID, idea.ConvertInput{Users: 5})
		if err != nil || again.Need == nil || again.Need.Reference != ref {
			t.Fatalf("convert again = %+v, %v", again, err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM needs"); n != 1 {
			t.Fatalf("%d needs", n)
		}
		need, err := w.fd.Find(ctx, w.ana, ref)
		if err != nil || need.Origin == nil || need.Origin.String() != "idea:"+itoa(tp.ID) || need.RequesterID != w.ana.PersonID ||
			need.Title != tp.Title || need.Users != 2 || need.DataClass != "internal" {
			t.Fatalf("need = %+v, %v", need, err)
		}
		if _, err := w.s.SetStatus(ctx, w.mod, tp.ID, idea.StatusInput{Status: idea.Done}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("status by hand with a need = %v", err)
		}
		if in := w.inbox(t, w.ana); !slices.ContainsFunc(in, func(s string) bool { return strings.Contains(s, "complete it and submit it") }) {
			t.Fatalf("author's inbox = %q", in)
		}

		act := func(p *access.Principal, a frontdoor.Action, in frontdoor.ActInput) {
			t.Helper()
			n, err := w.fd.Find(ctx, p, ref)
			if err != nil {
				t.Fatal(err)
			}
			in.Version = n.Version
			if _, err := w.fd.Act(ctx, p, ref, a, in); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		act(w.ana, frontdoor.ActionSubmit, frontdoor.ActInput{})
		act(w.brm, frontdoor.ActionStartTriage, frontdoor.ActInput{})
		act(w.brm, frontdoor.ActionAccept, frontdoor.ActInput{})
		for _, r := range []struct {
			p    *access.Principal
			kind string
		}{{w.arch, "architecture"}, {w.sec, "security"}, {w.fin, "finance"}} {
			if _, err := w.fd.Review(ctx, r.p, ref, r.kind, "approve", "", 0); err != nil {
				t.Fatal(err)
			}
		}
		zero, monthly := decimal.Zero, decimal.RequireFromString("120")
		opt, err := w.fd.AddOption(ctx, w.brm, ref, frontdoor.NeedOptionInput{Kind: "build", Title: "Build on the wiki", DeliveryDays: 30,
			DataCeiling: "internal", OneTime: &zero, Monthly: &monthly})
		if err != nil {
			t.Fatal(err)
		}
		act(w.brm, frontdoor.ActionToDecision, frontdoor.ActInput{})
		if d, _ := w.s.Get(ctx, w.bo, tp.ID); d.Idea.Status != idea.UnderReview || d.Idea.Need.State != frontdoor.Decision {
			t.Fatalf("in decision: %+v", d.Idea)
		}
		act(w.board, frontdoor.ActionDecide, frontdoor.ActInput{OptionID: opt.ID, Reason: "Cheap and quick."})
		detail, err := w.s.Get(ctx, w.bo, tp.ID)
		if err != nil || detail.Idea.Status != idea.Planned || detail.Idea.Need.State != frontdoor.Approved {
			t.Fatalf("decided: %+v, %v", detail.Idea, err)
		}
		act(w.brm, frontdoor.ActionStartDelivery, frontdoor.ActInput{})
		act(w.brm, frontdoor.ActionDeliver, frontdoor.ActInput{})
		act(w.ana, frontdoor.ActionAcceptDelivery, frontdoor.ActInput{})
		detail, err = w.s.Get(ctx, w.bo, tp.ID)
		if err != nil || detail.Idea.Status != idea.Done || detail.Idea.Need.State != frontdoor.Closed {
			t.Fatalf("delivered: %+v, %v", detail.Idea, err)
		}
		var steps []idea.Status
		for _, e := range detail.History {
			steps = append(steps, e.To)
			if e.NeedReference != ref || e.ActorName != "" {
				t.Errorf("history step %+v", e)
			}
		}
		if !slices.Equal(steps, []idea.Status{idea.UnderReview, idea.Planned, idea.Done}) {
			t.Fatalf("history = %v", steps)
		}
		// Voters: told once under review, once decided (planned), once delivered (done).
		in := w.inbox(t, w.cy)
		if len(in) != 3 || !strings.Contains(in[0], "is now done (need "+ref+")") || !strings.Contains(in[1], "is now planned") {
			t.Fatalf("voter's inbox = %q", in)
		}
	})
}

// TestRejectedNeedDeclinesTheIdea: a rejected need declines its idea with
// the front door's reason; a withdrawn one says so.
func TestRejectedNeedDeclinesTheIdea(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		tp := w.post(t, w.ana, w.open, "A robot for every bench")
		got, err := w.s.Convert(ctx, w.admin, tp.ID, idea.ConvertInput{Outcome: "Benches that pipette themselves.", Users: 12, DataClass: "public"})
		if err != nil {
			t.Fatal(err)
		}
		ref := got.Need.Reference
		n, err := w.fd.Act(ctx, w.ana, ref, frontdoor.ActionSubmit, frontdoor.ActInput{Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.fd.Act(ctx, w.brm, ref, frontdoor.ActionRejectTriage, frontdoor.ActInput{Reason: "Far beyond this year's budget.", Version: n.Version}); err != nil {
			t.Fatal(err)
		}
		detail, err := w.s.Get(ctx, w.ana, tp.ID)
		if err != nil || detail.Idea.Status != idea.Declined || detail.Idea.Reason != "Far beyond this year's budget." || detail.Idea.Need.State != frontdoor.Rejected {
			t.Fatalf("rejected: %+v, %v", detail.Idea, err)
		}
		if s, r := idea.StatusOf(frontdoor.Withdrawn, "Not needed"); s != idea.Declined || r != "The need was withdrawn: Not needed" {
			t.Fatalf("withdrawn = %s, %q", s, r)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package engagement_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

// now is a Wednesday.
var now = time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)

type fixture struct {
	s        *engagement.Service
	d        *db.DB
	people   map[string]int64
	depts    map[string]int64
	iphone   community.Community
	sent     *[]notify.Event
	admin    *access.Principal
	brm      *access.Principal // BRM of LAB
	holder   *access.Principal // budget holder of LAB
	plain    *access.Principal // a requester
	modOfOne *access.Principal // moderator of iphone only (no role)
}

type publisher struct{ events *[]notify.Event }

func (p publisher) Publish(_ context.Context, _ *db.Tx, ev notify.Event) error {
	*p.events = append(*p.events, ev)
	return nil
}

// setup builds the small organisation of the hand-computed figures:
// LAB (12 people at Mexico × Science: ana, bo, c1–c8 in the iphone
// community, d1, d2 in none), OPS (10 people at Maine × Finance, one of
// whom joined a community 100 days ago), IT (one person, it, who answers).
func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(now)
	o := &org.Service{DB: d, Clock: clock}
	f := fixture{d: d, people: map[string]int64{}, depts: map[string]int64{}, sent: &[]notify.Event{}}
	mk := func(code, name string) int64 {
		dep, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: code, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		f.depts[code] = dep.ID
		return dep.ID
	}
	lab, ops, it := mk("LAB", "Lab"), mk("OPS", "Operations"), mk("IT", "IT")
	mx, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "MX", Name: "Mexico site", Country: "MX"})
	if err != nil {
		t.Fatal(err)
	}
	me, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "ME", Name: "Maine site", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	sci, err := o.CreateFunction(ctx, sys, org.FunctionInput{Code: "SCI", Name: "Science"})
	if err != nil {
		t.Fatal(err)
	}
	fin, err := o.CreateFunction(ctx, sys, org.FunctionInput{Code: "FIN", Name: "Finance"})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name string, dept, loc, fn int64) {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: name + "@example.com", Name: name, DepartmentID: dept, LocationID: loc,
			FunctionID: fn, Active: true, Roles: []access.Role{access.Requester}})
		if err != nil {
			t.Fatal(err)
		}
		f.people[name] = p.ID
	}
	for _, n := range []string{"ana", "bo", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "d1", "d2"} {
		person(n, lab, mx.ID, sci.ID)
	}
	for i := range 10 {
		person(fmt.Sprintf("ops%d", i), ops, me.ID, fin.ID)
	}
	person("it", it, mx.ID, sci.ID)
	cs := &community.Service{DB: d, Clock: clock, Org: o}
	f.admin = &access.Principal{PersonID: f.people["it"], Name: "admin", Roles: []access.Role{access.Admin}}
	f.iphone, err = cs.Create(ctx, f.admin, community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct})
	if err != nil {
		t.Fatal(err)
	}
	ops1, err := cs.Create(ctx, f.admin, community.Input{Slug: "ops", Name: "Ops corner", Kind: community.KindProduct})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ana", "bo", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"} {
		if _, err := cs.Join(ctx, &access.Principal{PersonID: f.people[n], Name: n, Roles: []access.Role{access.Requester}}, f.iphone.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, "INSERT INTO community_staff(community_id, person_id, role) VALUES (?, ?, 'moderator')", f.iphone.ID, f.people["d1"]); err != nil {
		t.Fatal(err)
	}
	f.s = &engagement.Service{DB: d, Clock: clock, Org: o, Communities: cs, Publisher: publisher{f.sent}}
	f.brm = &access.Principal{PersonID: f.people["d2"], Name: "brm", DepartmentID: lab, Roles: []access.Role{access.BRM}, BRMFor: []int64{lab}, Covered: []int64{lab}}
	f.holder = &access.Principal{PersonID: f.people["c8"], Name: "holder", DepartmentID: lab, Roles: []access.Role{access.BudgetHolder}, Heads: []int64{lab}, Covered: []int64{lab}}
	f.plain = &access.Principal{PersonID: f.people["bo"], Name: "bo", DepartmentID: lab, Roles: []access.Role{access.Requester}}
	f.modOfOne = &access.Principal{PersonID: f.people["d1"], Name: "d1", DepartmentID: lab, Roles: []access.Role{access.Requester}}

	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	c := f.iphone.ID
	p := f.people
	signals := []activity.Signal{
		{Kind: activity.Joined, PersonID: p["ops1"], CommunityID: ops1.ID, At: now.AddDate(0, 0, -100)},
		// March: a closed pulse of five CSAT answers (5, 4, 4, 3, 1), and c3
		// replies.
		{Kind: activity.PulseAnswer, PersonID: p["c1"], CommunityID: c, Survey: "csat", Score: 5, At: day(3, 5, 9), PulseID: 11, PulseOpens: day(3, 1, 9), PulseCloses: day(3, 10, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c2"], CommunityID: c, Survey: "csat", Score: 4, At: day(3, 5, 9), PulseID: 11, PulseOpens: day(3, 1, 9), PulseCloses: day(3, 10, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c3"], CommunityID: c, Survey: "csat", Score: 4, At: day(3, 5, 9), PulseID: 11, PulseOpens: day(3, 1, 9), PulseCloses: day(3, 10, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c4"], CommunityID: c, Survey: "csat", Score: 3, At: day(3, 5, 9), PulseID: 11, PulseOpens: day(3, 1, 9), PulseCloses: day(3, 10, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c5"], CommunityID: c, Survey: "csat", Score: 1, At: day(3, 5, 9), PulseID: 11, PulseOpens: day(3, 1, 9), PulseCloses: day(3, 10, 9)},
		{Kind: activity.Replied, PersonID: p["c3"], CommunityID: c, TopicID: 99, At: now.AddDate(0, 0, -40)},
		// Topic 5, an idea: answered in 24 h, voted on by ana.
		{Kind: activity.TopicOpened, PersonID: p["c2"], CommunityID: c, TopicID: 5, Ref: "topic:5", Title: "Dark mode", At: day(4, 1, 12)},
		{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 5, At: day(4, 2, 12)},
		{Kind: activity.Voted, PersonID: p["ana"], CommunityID: c, TopicID: 5, At: day(4, 8, 12)},
		// Topic 1, answered in 48 h.
		{Kind: activity.TopicOpened, PersonID: p["ana"], CommunityID: c, TopicID: 1, Ref: "topic:1", Title: "Mail on iOS", At: day(4, 5, 12)},
		{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 1, At: day(4, 7, 12)},
		{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 1, At: day(4, 8, 12)}, // a later answer changes nothing
		// Topic 2 (Friday 10:00), never answered: late since Tuesday 10:00.
		{Kind: activity.TopicOpened, PersonID: p["bo"], CommunityID: c, TopicID: 2, Ref: "topic:2", Title: "VPN drops", At: day(4, 10, 10)},
		// Topic 4: answered in 6 h, accepted.
		{Kind: activity.TopicOpened, PersonID: p["c1"], CommunityID: c, TopicID: 4, Ref: "topic:4", Title: "Battery", At: day(4, 10, 12)},
		{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 4, At: day(4, 10, 18)},
		{Kind: activity.Accepted, PersonID: p["c1"], CommunityID: c, TopicID: 4, At: day(4, 11, 9)},
		// April: a closed pulse of three NPS answers, under the floor: it
		// counts in no figure.
		{Kind: activity.PulseAnswer, PersonID: p["c6"], CommunityID: c, Survey: "nps", Score: 10, At: day(4, 13, 9), PulseID: 12, PulseOpens: day(4, 13, 8), PulseCloses: day(4, 14, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c7"], CommunityID: c, Survey: "nps", Score: 9, At: day(4, 13, 9), PulseID: 12, PulseOpens: day(4, 13, 8), PulseCloses: day(4, 14, 9)},
		{Kind: activity.PulseAnswer, PersonID: p["c8"], CommunityID: c, Survey: "nps", Score: 7, At: day(4, 13, 9), PulseID: 12, PulseOpens: day(4, 13, 8), PulseCloses: day(4, 14, 9)},
		// Topic 3 (Tuesday 15:00): not late until Thursday 15:00.
		{Kind: activity.TopicOpened, PersonID: p["bo"], CommunityID: c, TopicID: 3, Ref: "topic:3", Title: "Calendar", At: day(4, 14, 15)},
		// ana's need: submitted and decided.
		{Kind: activity.NeedSent, PersonID: p["ana"], Ref: "need:NEED-2026-0001", Title: "Lab tablets", At: day(4, 1, 10)},
		{Kind: activity.NeedDecided, PersonID: p["ana"], DepartmentID: lab, Ref: "need:NEED-2026-0001", Title: "Lab tablets", At: day(4, 8, 10)},
	}
	for _, sig := range signals {
		if err := d.Transact(ctx, func(tx *db.Tx) error { return f.s.Record(ctx, tx, sig) }); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestCommunityFigures checks every figure of a community against the
// values computed by hand in setup's comments.
func TestCommunityFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		all, err := f.s.CommunityFigures(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		var m engagement.CommunityMetrics
		for _, x := range all {
			if x.Slug == "iphone" {
				m = x
			}
		}
		// Active members: ana, bo, c1, c2, c6, c7, c8 (c3 and c4, c5 last in
		// March; it is not a member). New: ana, bo, c6, c7, c8 and it.
		if m.Members != 10 || m.ActiveMembers != 7 || m.Participation != 70 || !m.Active || m.NewContributors != 6 {
			t.Errorf("members %d, active %d, participation %v, active %v, new %d; want 10, 7, 70, true, 6",
				m.Members, m.ActiveMembers, m.Participation, m.Active, m.NewContributors)
		}
		// Questions 1–4 (5 is an idea); 2 is late; answered 1, 4, 5 in 48 h,
		// 6 h and 24 h: median (rank 2) 24 h, p90 (rank 3) 48 h; 4 accepted.
		med, p90, ok := m.AnswerTimes()
		if m.Questions != 4 || m.Late != 1 || m.Answered != 3 || !ok || med != 24*time.Hour || p90 != 48*time.Hour ||
			m.Accepted != 1 || m.AcceptedShare != 25 {
			t.Errorf("questions %d, late %d, answered %d, median %v, p90 %v, accepted %d (%v%%); want 4, 1, 3, 24h, 48h, 1 (25%%)",
				m.Questions, m.Late, m.Answered, med, p90, m.Accepted, m.AcceptedShare)
		}
		sat := map[string]engagement.MonthSatisfaction{}
		for _, x := range m.Satisfaction {
			sat[x.Month] = x
		}
		if len(m.Satisfaction) != 12 || sat["2026-03"].CSAT != (engagement.Satisfaction{Survey: "csat", Answers: 5, Shown: true, Value: 60}) ||
			sat["2026-04"].NPS != (engagement.Satisfaction{Survey: "nps"}) {
			t.Errorf("satisfaction %+v", m.Satisfaction)
		}

		// The people behind the figures: to moderators only; the topics to
		// those who may read the community.
		mod, err := f.s.Community(ctx, f.modOfOne, "iphone")
		if err != nil {
			t.Fatal(err)
		}
		if len(mod.ActivePeople) != 7 || len(mod.NewPeople) != 6 || len(mod.Topics) != 5 || mod.Topics[0].Ref != "topic:3" {
			t.Errorf("moderator's detail: %d active, %d new, topics %+v", len(mod.ActivePeople), len(mod.NewPeople), mod.Topics)
		}
		brm, err := f.s.Community(ctx, f.brm, "iphone")
		if err != nil {
			t.Fatal(err)
		}
		if brm.ActivePeople != nil || brm.NewPeople != nil || len(brm.Topics) != 5 {
			t.Errorf("a BRM sees people: %+v", brm)
		}
		if _, err := f.s.Community(ctx, f.plain, "iphone"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a member reads the figures: %v", err)
		}
		if _, err := f.s.CommunityFigures(ctx, f.plain); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a requester reads every community's figures: %v", err)
		}
	})
}

// TestCoverageAndDarkPopulations: OPS (ten people at Maine × Finance, the
// last signal 100 days ago) is dark twice over; LAB is not.
func TestCoverageAndDarkPopulations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		c, err := f.s.Coverage(ctx, f.brm)
		if err != nil {
			t.Fatal(err)
		}
		// 23 people, 10 in a community (ops1 joined by signal only, not as a member).
		if c.Total.People != 23 || c.Total.Members != 10 || c.Total.Share != 43.5 {
			t.Errorf("total %+v", c.Total)
		}
		loc := map[string]engagement.CoverageRow{}
		for _, r := range c.ByLocation {
			loc[r.Name] = r
		}
		if loc["Mexico site"].People != 13 || loc["Mexico site"].Share != 76.9 || loc["Maine site"].Share != 0 {
			t.Errorf("by location %+v", c.ByLocation)
		}
		want := []engagement.DarkGroup{
			{Kind: "location_function", Name: "Maine site × Finance", People: 10, LocationID: c.Dark[0].LocationID, FunctionID: c.Dark[0].FunctionID},
			{Kind: "department", Name: "Operations", People: 10, DepartmentID: f.depts["OPS"]},
		}
		if len(c.Dark) != 2 || c.Dark[0] != want[0] || c.Dark[1] != want[1] {
			t.Errorf("dark %+v, want %+v", c.Dark, want)
		}
		if _, err := f.s.Coverage(ctx, f.holder); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a budget holder reads coverage: %v", err)
		}
	})
}

// TestDepartmentScore: LAB's score and trend by hand. Now: adoption 0
// (no seats), front door (1 + 1) ÷ 12 = 0.1667 → 83.3, satisfaction CSAT
// 60 (NPS under the floor), participation 7 ÷ 12 → 100 (capped):
// (0 + 83.33 + 60 + 100) ÷ 4 = 60.8, pulled down by adoption. March: no
// needs yet (0), CSAT 60, five active → 100: 40.0.
func TestDepartmentScore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		lab := f.depts["LAB"]
		sc, err := f.s.Score(ctx, f.holder, lab)
		if err != nil {
			t.Fatal(err)
		}
		scores := map[string]float64{}
		for _, p := range sc.Parts {
			scores[p.Key] = p.Score
		}
		if !sc.HasScore || sc.Score != 60.8 || sc.Weakest != "adoption" || sc.Headcount != 12 ||
			scores["adoption"] != 0 || scores["front_door"] != 83.3 || scores["satisfaction"] != 60 || scores["participation"] != 100 {
			t.Errorf("score %v (weakest %s, headcount %d), parts %v", sc.Score, sc.Weakest, sc.Headcount, scores)
		}
		trend := map[string]engagement.TrendPoint{}
		for _, p := range sc.Trend {
			trend[p.Month] = p
		}
		if len(sc.Trend) != 12 || trend["2026-03"].Score != 40 || trend["2026-04"].Score != 60.8 || !trend["2025-05"].HasScore || trend["2025-05"].Score != 0 {
			t.Errorf("trend %+v", sc.Trend)
		}
		// OPS has no pulse answers: satisfaction has no data and the
		// other parts' weights renormalise: all zero.
		list, err := f.s.Scores(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].Name != "IT" && list[0].Name != "Operations" || list[len(list)-1].Name != "Lab" {
			t.Errorf("worst first: %+v", list)
		}
		for _, x := range list {
			if x.Name == "Operations" {
				if x.Parts[2].HasData || x.Score != 0 || !x.HasScore {
					t.Errorf("operations %+v", x)
				}
			}
		}
		mine, err := f.s.Scores(ctx, f.brm)
		if err != nil || len(mine) != 1 || mine[0].DepartmentID != lab {
			t.Errorf("a BRM's departments: %+v, %v", mine, err)
		}
		if _, err := f.s.Score(ctx, f.brm, f.depts["OPS"]); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a BRM reads another department's score: %v", err)
		}
		if _, err := f.s.Scores(ctx, f.plain); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a requester reads scores: %v", err)
		}
	})
}

// TestSignalOnlyWithItsAction: a signal recorded in a transaction that
// rolls back leaves nothing.
func TestSignalOnlyWithItsAction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		var before int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_signals").Scan(&before); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("the reply failed")
		err := d.Transact(ctx, func(tx *db.Tx) error {
			if err := f.s.Record(ctx, tx, activity.Signal{Kind: activity.Replied, PersonID: f.people["d2"], CommunityID: f.iphone.ID, TopicID: 1}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var after, part int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_signals").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_participation WHERE person_id = ?", f.people["d2"]).Scan(&part); err != nil {
			t.Fatal(err)
		}
		if after != before || part != 0 {
			t.Errorf("signals %d → %d, d2's participation %d", before, after, part)
		}
	})
}

// TestWeeklyDigest: last week (2026-W15, 6–12 April) per person, sent once
// however often the job runs.
func TestWeeklyDigest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		n, err := f.s.SendDigests(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// ana: topics 2 and 4 new, topic 1 answered, her need decided; bo:
		// topic 4 new (his own topic 2 is not news to him); c2: a vote on
		// topic 5; c3–c8: topics 2 and 4 new; c1: topic 2 new.
		if n != 10 {
			t.Errorf("%d digests sent, want 10: %+v", n, *f.sent)
		}
		again, err := f.s.SendDigests(ctx)
		if err != nil || again != 0 {
			t.Errorf("sent again: %d, %v", again, err)
		}
		ana, err := f.s.Digest(ctx, &access.Principal{PersonID: f.people["ana"], Roles: []access.Role{access.Requester}}, "2026-W15")
		if err != nil {
			t.Fatal(err)
		}
		if len(ana.New) != 2 || len(ana.Answered) != 1 || ana.Answered[0].Ref != "topic:1" || len(ana.Needs) != 1 || ana.Needs[0].What != "decided" {
			t.Errorf("ana's digest %+v", ana)
		}
		c2, err := f.s.Digest(ctx, &access.Principal{PersonID: f.people["c2"], Roles: []access.Role{access.Requester}}, "")
		if err != nil || len(c2.Votes) != 1 || c2.Votes[0].Count != 1 {
			t.Errorf("c2's digest %+v, %v", c2, err)
		}
		if _, err := f.s.Digest(ctx, &access.Principal{PersonID: f.people["d1"], Roles: []access.Role{access.Requester}}, ""); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Errorf("d1 has a digest: %v", err)
		}
		if id, week := engagement.Week(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); id != "2026-W53" || week.Day() != 28 {
			t.Errorf("week of 1 January 2027: %s from %v", id, week)
		}
	})
}

// TestWorkingDaysAndNearestRank pins the two definitions down.
func TestWorkingDaysAndNearestRank(t *testing.T) {
	for _, c := range []struct{ from, want time.Time }{
		{time.Date(2026, 4, 10, 10, 0, 0, 0, time.UTC), time.Date(2026, 4, 14, 10, 0, 0, 0, time.UTC)}, // Friday → Tuesday
		{time.Date(2026, 4, 11, 15, 0, 0, 0, time.UTC), time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)},  // Saturday → Wednesday 00:00
		{time.Date(2026, 4, 13, 9, 30, 0, 0, time.UTC), time.Date(2026, 4, 15, 9, 30, 0, 0, time.UTC)},
	} {
		if got := engagement.AfterWorkingDays(c.from, 2); !got.Equal(c.want) {
			t.Errorf("two working days after %v: %v, want %v", c.from, got, c.want)
		}
	}
	values := []int64{15, 20, 35, 40, 50}
	for p, want := range map[float64]int64{5: 15, 30: 20, 40: 20, 50: 35, 90: 50, 100: 50} {
		if got, _ := engagement.NearestRank(append([]int64(nil), values...), p); got != want {
			t.Errorf("p%v = %d, want %d", p, got, want)
		}
	}
}

// shadowSource is a fake source of shadow spend: the shares of the twelve
// months to each month, by that month (the end of the window, exclusive,
// is the first day of the month after it).
type shadowSource struct {
	byMonth map[string]map[int64]engagement.ShadowShare
	windows []string
}

func (f *shadowSource) ShadowShares(_ context.Context, from, to time.Time) (map[int64]engagement.ShadowShare, error) {
	f.windows = append(f.windows, from.Format("2006-01-02")+"/"+to.Format("2006-01-02"))
	return f.byMonth[to.AddDate(0, -1, 0).Format("2006-01")], nil
}

// TestDepartmentScoreWithShadowSpend: LAB spent 1,000.00 on technology in
// the 12 months to April, 150.00 of it outside IT: spend through IT
// 1 − 150 ÷ 1000 = 0.85 → 100 × 0.85 ÷ 0.9 = 94.4. Score (0 + 83.33 + 60 +
// 100 + 94.44) ÷ 5 = 67.6, still pulled down by adoption. March (12
// months to March: 600.00 of 1,000.00 outside IT): 0.4 → 44.4, score
// (0 + 0 + 60 + 100 + 44.44) ÷ 5 = 40.9. OPS has no spend figures: the
// part has no data there and its score is unchanged; without a source the
// part has no data anywhere and every score is today's.
func TestDepartmentScoreWithShadowSpend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		lab := f.depts["LAB"]
		before, err := f.s.Scores(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range before {
			if p := x.Parts[len(x.Parts)-1]; x.Headcount > 0 && (p.Key != "spend_through_it" || p.HasData || len(p.Inputs) != 0) {
				t.Errorf("without a source, %s's spend part: %+v", x.Name, p)
			}
			if x.DepartmentID == lab && x.Score != 60.8 {
				t.Errorf("without a source, Lab's score is %v, want 60.8 as before", x.Score)
			}
		}

		src := &shadowSource{byMonth: map[string]map[int64]engagement.ShadowShare{
			"2026-04": {lab: {Shadow: decimal.RequireFromString("150.00"), Technology: decimal.RequireFromString("1000.00"), Currency: "EUR"}},
			"2026-03": {lab: {Shadow: decimal.RequireFromString("600.00"), Technology: decimal.RequireFromString("1000.00"), Currency: "EUR"},
				f.depts["OPS"]: {Shadow: decimal.Zero, Technology: decimal.Zero, Currency: "EUR"}},
		}}
		f.s.Shadow = src
		sc, err := f.s.Score(ctx, f.holder, lab)
		if err != nil {
			t.Fatal(err)
		}
		part, _ := partOf(sc, "spend_through_it")
		want := []engagement.Input{{Label: "Shadow spend", Value: "150.00 EUR"}, {Label: "Technology spend", Value: "1000.00 EUR"},
			{Label: "Shadow share", Value: "15.0%"}}
		if !part.HasData || part.Measure != 0.85 || part.Score != 94.4 || part.Target != 0.9 || fmt.Sprint(part.Inputs) != fmt.Sprint(want) {
			t.Errorf("spend through IT %+v", part)
		}
		if !sc.HasScore || sc.Score != 67.6 || sc.Weakest != "adoption" {
			t.Errorf("score %v, weakest %s; want 67.6, adoption", sc.Score, sc.Weakest)
		}
		trend := map[string]engagement.TrendPoint{}
		for _, p := range sc.Trend {
			trend[p.Month] = p
		}
		if trend["2026-03"].Score != 40.9 || trend["2026-03"].Parts["spend_through_it"] != 44.4 || trend["2026-04"].Score != 67.6 {
			t.Errorf("trend March %+v, April %+v", trend["2026-03"], trend["2026-04"])
		}
		if _, ok := trend["2026-02"].Parts["spend_through_it"]; ok || !trend["2026-02"].HasScore || trend["2026-02"].Score != 0 {
			t.Errorf("February, without spend figures: %+v", trend["2026-02"])
		}
		if len(src.windows) != 12 || src.windows[0] != "2024-06-01/2025-06-01" || src.windows[11] != "2025-05-01/2026-05-01" {
			t.Errorf("windows asked for: %v", src.windows)
		}

		list, err := f.s.Scores(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.DepartmentID == lab && x.Score != 67.6 || x.Name == "Operations" && (x.Score != 0 || x.Parts[4].HasData) {
				t.Errorf("%s: %v, %+v", x.Name, x.Score, x.Parts)
			}
		}
		// A department with no technology spend has no data for the part.
		src.byMonth["2026-04"][f.depts["OPS"]] = engagement.ShadowShare{Shadow: decimal.Zero, Technology: decimal.Zero, Currency: "EUR"}
		ops, err := f.s.Score(ctx, f.admin, f.depts["OPS"])
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := partOf(ops, "spend_through_it"); p.HasData || ops.Score != 0 {
			t.Errorf("no technology spend: %+v, score %v", p, ops.Score)
		}
	})
}

func partOf(sc engagement.DepartmentScore, key string) (engagement.Part, bool) {
	for _, p := range sc.Parts {
		if p.Key == key {
			return p, true
		}
	}
	return engagement.Part{}, false
}

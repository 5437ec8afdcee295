package pulse_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/pulse"
)

var sys = access.System("test")

// signals keeps what the pulses send for engagement measurement.
type signals struct{ got []activity.Signal }

func (s *signals) Record(_ context.Context, _ *db.Tx, sig activity.Signal) error {
	s.got = append(s.got, sig)
	return nil
}

type world struct {
	s       *pulse.Service
	clock   *engage.FixedClock
	sig     *signals
	admin   *access.Principal
	members []*access.Principal // eight members of the community
	outside *access.Principal   // not a member
	club    community.Community
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Lab"})
	if err != nil {
		t.Fatal(err)
	}
	var people []*access.Principal
	for i := range 10 {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("Person %d", i),
			DepartmentID: dept.ID, Active: true, Roles: []access.Role{access.Requester}})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, &access.Principal{PersonID: p.ID, Name: p.Name, DepartmentID: dept.ID, Roles: []access.Role{access.Requester}})
	}
	admin := &access.Principal{PersonID: people[0].PersonID, Name: "Admin", Roles: []access.Role{access.Admin}}
	cs := &community.Service{DB: d, Clock: clock, Org: o}
	club, err := cs.Create(ctx, admin, community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people[1:9] {
		if _, err := cs.Join(ctx, p, club.ID); err != nil {
			t.Fatal(err)
		}
	}
	sig := &signals{}
	return world{s: &pulse.Service{DB: d, Clock: clock, Org: o, Communities: cs, Signals: sig}, clock: clock, sig: sig,
		admin: admin, members: people[1:9], outside: people[9], club: club}
}

func (w world) send(t *testing.T, survey pulse.Survey) pulse.Pulse {
	t.Helper()
	p, err := w.s.Create(context.Background(), w.admin, pulse.SendInput{Survey: survey, CommunityID: w.club.ID, ClosesAt: w.clock.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w world) answer(t *testing.T, id int64, scores []int, comments ...string) {
	t.Helper()
	for i, score := range scores {
		in := pulse.AnswerInput{Score: score}
		if i < len(comments) {
			in.Comment = comments[i]
		}
		if _, err := w.s.Answer(context.Background(), w.members[i], id, in); err != nil {
			t.Fatalf("answer %d (%d): %v", i, score, err)
		}
	}
}

// TestFiguresAgainstHandComputedValues: NPS, CSAT and response rate on a
// small fixture, with the five-answer floor before the fifth answer.
func TestFiguresAgainstHandComputedValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		nps := w.send(t, pulse.NPS)
		if nps.Recipients != 8 || nps.Question != "How likely are you to recommend iPhone to a colleague?" {
			t.Fatalf("sent: %+v", nps)
		}
		w.answer(t, nps.ID, []int{10, 9, 8, 6}, "Works well", "", "battery")
		r, err := w.s.Results(ctx, w.admin, nps.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Open: counts only.
		if f := r.Figures; !f.Hidden || f.Answers != 4 || f.ResponseRate != "50.0" || f.Score != "" || f.Distribution != nil || len(r.Comments) != 0 ||
			f.Promoters != 0 || !strings.HasPrefix(f.Note, "Results appear when the pulse closes") {
			t.Fatalf("open: %+v %v", f, r.Comments)
		}
		for i, score := range []int{3, 10} {
			if _, err := w.s.Answer(ctx, w.members[4+i], nps.ID, pulse.AnswerInput{Score: score, Comment: []string{"apps crash", "Zoom is slow"}[i]}); err != nil {
				t.Fatal(err)
			}
		}
		if r, err = w.s.Results(ctx, w.admin, nps.ID); err != nil || !r.Figures.Hidden || r.Figures.Answers != 6 || r.Figures.Score != "" {
			t.Fatalf("six answers, still open: %+v %v", r.Figures, err)
		}
		w.clock.Advance(7 * 24 * time.Hour)             // closed
		r, err = w.s.Results(ctx, w.members[7], nps.ID) // a recipient who did not answer reads the aggregate
		if err != nil {
			t.Fatal(err)
		}
		// 10, 9, 8, 6, 3, 10: promoters 3, passives 1, detractors 2;
		// NPS = (3 − 2) ÷ 6 = 16.666…% → 16.7; response 6 ÷ 8 = 75.0%.
		f := r.Figures
		if f.Hidden || f.Answers != 6 || f.Promoters != 3 || f.Passives != 1 || f.Detractors != 2 || f.Score != "16.7" || f.ResponseRate != "75.0" {
			t.Fatalf("NPS figures: %+v", f)
		}
		if want := []pulse.ScoreCount{{0, 0}, {1, 0}, {2, 0}, {3, 1}, {4, 0}, {5, 0}, {6, 1}, {7, 0}, {8, 1}, {9, 1}, {10, 2}}; !slices.Equal(f.Distribution, want) {
			t.Fatalf("distribution: %v", f.Distribution)
		}
		if want := []string{"Works well", "Zoom is slow", "apps crash", "battery"}; !slices.Equal(r.Comments, want) {
			t.Fatalf("comments: %q", r.Comments)
		}
		if s := w.sig.got[5]; s.Kind != activity.PulseAnswer || s.PersonID != w.members[5].PersonID || s.CommunityID != w.club.ID ||
			s.Survey != "nps" || s.Score != 10 || !s.At.Equal(w.clock.Now().Add(-7*24*time.Hour)) {
			t.Fatalf("signal: %+v", s)
		}

		csat := w.send(t, pulse.CSAT)
		w.answer(t, csat.ID, []int{5, 4, 4, 3, 1})
		w.clock.Advance(7 * 24 * time.Hour)
		r, err = w.s.Results(ctx, w.admin, csat.ID)
		// 4 and 5: 3 of 5 = 60.0%; response 5 ÷ 8 = 62.5%.
		if err != nil || r.Figures.Score != "60.0" || r.Figures.Satisfied != 3 || r.Figures.ResponseRate != "62.5" || r.Figures.Hidden {
			t.Fatalf("CSAT figures: %+v %v", r.Figures, err)
		}

		few := w.send(t, pulse.CSAT)
		w.answer(t, few.ID, []int{5, 5, 4, 1}, "Great")
		w.clock.Advance(7 * 24 * time.Hour)
		r, err = w.s.Results(ctx, w.admin, few.ID)
		// Four answers, closed: counts only, under the floor.
		if f := r.Figures; err != nil || !f.Hidden || f.Answers != 4 || f.ResponseRate != "50.0" || f.Score != "" || f.Distribution != nil ||
			f.Satisfied != 0 || len(r.Comments) != 0 || f.Note != pulse.HiddenMessage {
			t.Fatalf("under the floor: %+v %v %v", f, r.Comments, err)
		}
	})
}

// TestAnswerRules: answering twice, after close, out of range, with a long
// comment or without being a recipient is refused and changes nothing.
func TestAnswerRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		p := w.send(t, pulse.CSAT)
		if again, err := w.s.Create(ctx, w.admin, pulse.SendInput{Survey: pulse.CSAT, CommunityID: w.club.ID, ClosesAt: p.ClosesAt}); err != nil || again.ID != p.ID {
			t.Fatalf("sending again: %v %v", again.ID, err)
		}
		if _, err := w.s.Create(ctx, w.members[0], pulse.SendInput{Survey: pulse.CSAT, CommunityID: w.club.ID, ClosesAt: p.ClosesAt}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a member sent a pulse: %v", err)
		}
		if _, err := w.s.Create(ctx, w.admin, pulse.SendInput{Survey: "stars", ClosesAt: w.clock.Now().Add(-time.Hour)}); !slices.Equal(fields(err), []string{"closes_at", "service_id", "survey"}) {
			t.Fatalf("bad pulse: %v", err)
		}
		cases := []struct {
			who  *access.Principal
			in   pulse.AnswerInput
			code string
			want string
		}{
			{w.outside, pulse.AnswerInput{Score: 4}, engage.EFORBIDDEN, "not sent to you"},
			{w.members[0], pulse.AnswerInput{Score: 6}, engage.EINVALID, "from 1 to 5"},
			{w.members[0], pulse.AnswerInput{Score: 0}, engage.EINVALID, "from 1 to 5"},
			{w.members[0], pulse.AnswerInput{Score: 4, Comment: strings.Repeat("é", pulse.MaxComment+1)}, engage.EINVALID, "2000 characters"},
		}
		for _, c := range cases {
			_, err := w.s.Answer(ctx, c.who, p.ID, c.in)
			if engage.ErrorCode(err) != c.code || !strings.Contains(fmt.Sprint(err, engage.ErrorFields(err)), c.want) {
				t.Fatalf("%+v: %v %v", c.in, err, engage.ErrorFields(err))
			}
		}
		if _, err := w.s.Answer(ctx, w.members[0], p.ID, pulse.AnswerInput{Score: 4, Comment: strings.Repeat("é", pulse.MaxComment)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Answer(ctx, w.members[0], p.ID, pulse.AnswerInput{Score: 1}); engage.ErrorCode(err) != engage.ECONFLICT ||
			!strings.Contains(err.Error(), "already answered") {
			t.Fatalf("answering twice: %v", err)
		}
		got, err := w.s.Find(ctx, w.members[0], p.ID)
		if err != nil || got.Answers != 1 || !got.Answered {
			t.Fatalf("after answering twice: %+v %v", got, err)
		}
		if _, err := w.s.Find(ctx, w.outside, p.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("an outsider read the pulse: %v", err)
		}
		if _, err := w.s.Results(ctx, w.outside, p.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("an outsider read the results: %v", err)
		}
		w.clock.Advance(7 * 24 * time.Hour) // closes_at: closed
		if _, err := w.s.Answer(ctx, w.members[1], p.ID, pulse.AnswerInput{Score: 5}); engage.ErrorCode(err) != engage.ECONFLICT ||
			!strings.Contains(err.Error(), "closed") {
			t.Fatalf("answering after close: %v", err)
		}
		if len(w.sig.got) != 1 {
			t.Fatalf("signals: %d", len(w.sig.got))
		}
	})
}

// TestSignedLink: a recipient's link answers without signing in, for that
// person only; a tampered link is not valid; it expires when the pulse closes.
func TestSignedLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		p := w.send(t, pulse.NPS)
		if _, err := w.s.SignedLink(ctx, w.outside, p.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("an outsider got a link: %v", err)
		}
		link, err := w.s.SignedLink(ctx, w.members[2], p.ID)
		if err != nil || !strings.HasPrefix(link, pulse.LinkPrefix) {
			t.Fatalf("link %q: %v", link, err)
		}
		token := strings.TrimPrefix(link, pulse.LinkPrefix)
		other, _ := w.s.SignedLink(ctx, w.members[3], p.ID)
		parts, otherParts := strings.Split(token, "."), strings.Split(strings.TrimPrefix(other, pulse.LinkPrefix), ".")
		for _, bad := range []string{token + "x", "1.2.3", strings.Join([]string{parts[0], otherParts[1], parts[2], parts[3]}, "."),
			strings.Join([]string{parts[0], parts[1], fmt.Sprint(p.ClosesAt.Unix() + 86400), parts[3]}, ".")} {
			if _, err := w.s.OpenLink(ctx, bad); engage.ErrorCode(err) != engage.ENOTFOUND {
				t.Fatalf("tampered link %q: %v", bad, err)
			}
			if _, err := w.s.AnswerByLink(ctx, bad, pulse.AnswerInput{Score: 9}); engage.ErrorCode(err) != engage.ENOTFOUND {
				t.Fatalf("answer by tampered link %q: %v", bad, err)
			}
		}
		v, err := w.s.OpenLink(ctx, token)
		if err != nil || v.Person != w.members[2].Name || v.Pulse.ID != p.ID || v.Pulse.Answered {
			t.Fatalf("open link: %+v %v", v, err)
		}
		if _, err := w.s.AnswerByLink(ctx, token, pulse.AnswerInput{Score: 9}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AnswerByLink(ctx, token, pulse.AnswerInput{Score: 9}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("answering twice by link: %v", err)
		}
		if w.sig.got[0].PersonID != w.members[2].PersonID {
			t.Fatalf("the link answered as %d", w.sig.got[0].PersonID)
		}
		w.clock.Advance(7 * 24 * time.Hour)
		other = strings.TrimPrefix(other, pulse.LinkPrefix)
		if _, err := w.s.AnswerByLink(ctx, other, pulse.AnswerInput{Score: 9}); engage.ErrorCode(err) != engage.EFORBIDDEN ||
			!strings.Contains(err.Error(), "closed") {
			t.Fatalf("expired link: %v", err)
		}
	})
}

// TestTrendByMonth: each month's figures merge its pulses and obey the
// floor; months without pulses are listed empty; only runners read it.
func TestTrendByMonth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		// February: two pulses of 3 answers each (6 together: shown).
		w.clock.Advance(-45 * 24 * time.Hour) // 16 February
		for _, scores := range [][]int{{5, 4, 2}, {5, 5, 3}} {
			p, err := w.s.Create(ctx, w.admin, pulse.SendInput{Survey: pulse.CSAT, CommunityID: w.club.ID, ClosesAt: w.clock.Now().Add(time.Duration(len(scores)) * 24 * time.Hour),
				Question: fmt.Sprint(scores)})
			if err != nil {
				t.Fatal(err)
			}
			w.answer(t, p.ID, scores)
		}
		// March: one pulse of 4 answers (hidden) and one of 6 (shown): the
		// month is hidden, or it would show the four by difference.
		w.clock.Advance(30 * 24 * time.Hour)
		p := w.send(t, pulse.CSAT)
		w.answer(t, p.ID, []int{5, 5, 5, 5})
		six, err := w.s.Create(ctx, w.admin, pulse.SendInput{Survey: pulse.CSAT, CommunityID: w.club.ID, Question: "Six", ClosesAt: w.clock.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		w.answer(t, six.ID, []int{1, 1, 2, 2, 3, 3})
		// April: a pulse still open is not counted yet.
		w.clock.Advance(15 * 24 * time.Hour) // 2 April
		open := w.send(t, pulse.CSAT)
		w.answer(t, open.ID, []int{5, 5, 5, 5, 5, 5})
		tr, err := w.s.Trend(ctx, w.admin, pulse.TrendFilter{CommunityID: w.club.ID, Survey: pulse.CSAT, Months: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Months) != 3 || tr.Months[0].Month != "2026-02" || tr.Months[2].Month != "2026-04" {
			t.Fatalf("months: %+v", tr.Months)
		}
		// February: 5, 4, 2, 5, 5, 3 → 4 of 6 = 66.666…% → 66.7; 6 of 16 asked = 37.5%.
		feb, mar, apr := tr.Months[0], tr.Months[1], tr.Months[2]
		if feb.Pulses != 2 || feb.Figures.Hidden || feb.Figures.Score != "66.7" || feb.Figures.ResponseRate != "37.5" {
			t.Fatalf("February: %+v", feb)
		}
		if mar.Pulses != 2 || !mar.Figures.Hidden || mar.Figures.Score != "" || mar.Figures.Answers != 10 || mar.Figures.Distribution != nil ||
			mar.Figures.Note != pulse.HiddenMessage {
			t.Fatalf("March: %+v", mar)
		}
		if apr.Pulses != 1 || apr.Open != 1 || !apr.Figures.Hidden || apr.Figures.Answers != 0 || apr.Figures.Note == "" {
			t.Fatalf("April: %+v", apr)
		}
		if _, err := w.s.Trend(ctx, w.members[0], pulse.TrendFilter{CommunityID: w.club.ID, Survey: pulse.CSAT}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a member read the trend: %v", err)
		}
		if _, err := w.s.Trend(ctx, w.admin, pulse.TrendFilter{CommunityID: w.club.ID, Survey: pulse.CSAT, Months: 37}); !slices.Equal(fields(err), []string{"months"}) {
			t.Fatalf("37 months: %v", err)
		}
		lists, err := w.s.List(ctx, w.members[0])
		if err != nil || len(lists.ToAnswer) != 5 || len(lists.Running) != 0 || !lists.ToAnswer[0].Answered {
			t.Fatalf("lists: %+v %v", lists, err)
		}
	})
}

func fields(err error) []string {
	var out []string
	for _, f := range engage.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// TestPercentRoundsHalfUp: one decimal, half up (towards +∞), exactly.
func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		num, den int64
		want     string
	}{{49, 400, "12.3"}, {-49, 400, "-12.2"}, {1, 3, "33.3"}, {2, 3, "66.7"}, {-2, 3, "-66.7"}, {0, 7, "0.0"}, {7, 7, "100.0"},
		{-1, 1, "-100.0"}, {1, 2000, "0.1"}, {-1, 2000, "0.0"}, {1, 0, ""}} {
		if got := pulse.Percent(c.num, c.den); got != c.want {
			t.Errorf("%d/%d = %s; want %s", c.num, c.den, got, c.want)
		}
	}
}

package engagement_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/org"
)

// TestKeptFiguresEqualARescan records a seeded random year of signals and
// checks that every community's figures, coverage, the dark populations and
// the signal-borne inputs of every department's score — all read from the
// tables kept as signals arrive — equal the same figures computed here from
// a full rescan of the signals kept.
func TestKeptFiguresEqualARescan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pulses := map[string]schedule{} // every seed's, by ref
		scores := &[]int{}              // every pulse answer's, in order
		for seed := range uint64(3) {
			t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { checkRescan(t, d, seed, pulses, scores) })
		}
	})
}

// schedule is a pulse's as its answers' signals carry it.
type schedule struct {
	id            int64
	survey        string
	community     int64
	opens, closes time.Time
}

func checkRescan(t *testing.T, d *db.DB, seed uint64, pulses map[string]schedule, sent *[]int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 42))
	clock := engage.NewFixedClock(now)
	o := &org.Service{DB: d, Clock: clock}
	cs := &community.Service{DB: d, Clock: clock, Org: o}
	s := &engagement.Service{DB: d, Clock: clock, Org: o, Communities: cs}
	admin := &access.Principal{Name: "admin", Roles: []access.Role{access.Admin}}
	tag := fmt.Sprintf("s%d", seed)

	// The same database serves each seed: earlier seeds' people and
	// signals stay, so the comparison covers them too.
	var depts, locs, fns []int64
	for i := range 3 {
		dep, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: fmt.Sprintf("%sD%d", tag, i), Name: fmt.Sprintf("Dept %s-%d", tag, i)})
		if err != nil {
			t.Fatal(err)
		}
		depts = append(depts, dep.ID)
		loc, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: fmt.Sprintf("%sL%d", tag, i), Name: fmt.Sprintf("Site %s-%d", tag, i), Country: "GB"})
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc.ID)
		fn, err := o.CreateFunction(ctx, sys, org.FunctionInput{Code: fmt.Sprintf("%sF%d", tag, i), Name: fmt.Sprintf("Function %s-%d", tag, i)})
		if err != nil {
			t.Fatal(err)
		}
		fns = append(fns, fn.ID)
	}
	var people []int64
	for i := range 60 {
		// Groups of at least ten, some of them silent: dark populations.
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: fmt.Sprintf("%s-%d@example.com", tag, i), Name: fmt.Sprintf("Person %s-%d", tag, i),
			DepartmentID: depts[i%3], LocationID: locs[(i/20)%3], FunctionID: fns[(i/20)%3], Active: i%17 != 5, Roles: []access.Role{access.Requester}})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, p.ID)
	}
	var communities []int64
	for i := range 5 {
		c, err := cs.Create(ctx, admin, community.Input{Slug: fmt.Sprintf("%s-c%d", tag, i), Name: fmt.Sprintf("Community %s-%d", tag, i), Kind: community.KindProduct})
		if err != nil {
			t.Fatal(err)
		}
		communities = append(communities, c.ID)
	}
	for i, p := range people {
		if i >= 40 {
			continue // the last third in no community, and silent
		}
		for _, c := range communities {
			if rng.IntN(3) == 0 {
				if _, err := cs.Join(ctx, &access.Principal{PersonID: p, Name: "p", Roles: []access.Role{access.Requester}}, c); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	// A year and a month of signals, recorded in a shuffled order of time
	// (a topic always before what answers it), with repeated answers and
	// votes, pulses of both kinds, orders and needs.
	// Pulses of both surveys, about a community or a service: some still
	// open, some closed under the floor.
	var seeded []schedule
	for i := range 30 {
		sc := schedule{id: int64(seed*1000) + int64(i) + 1, survey: []string{"csat", "nps"}[i%2]}
		sc.opens = now.Add(-time.Duration(rng.Int64N(int64(390 * 24 * time.Hour))))
		sc.closes = sc.opens.Add(time.Duration(1+rng.IntN(20)) * 24 * time.Hour)
		if i%3 != 2 {
			sc.community = communities[rng.IntN(len(communities))]
		}
		seeded = append(seeded, sc)
		pulses[fmt.Sprint("pulse:", sc.id)] = sc
	}
	var topics []struct {
		id, community int64
		at            time.Time
	}
	topicBase := int64(seed * 100000)
	for range 600 {
		at := now.Add(-time.Duration(rng.Int64N(int64(395 * 24 * time.Hour))))
		person := people[rng.IntN(40)]
		c := communities[rng.IntN(len(communities))]
		sig := activity.Signal{PersonID: person, CommunityID: c, At: at}
		switch r := rng.IntN(100); {
		case r < 20 || len(topics) == 0:
			id := topicBase + int64(len(topics)+1)
			topics = append(topics, struct {
				id, community int64
				at            time.Time
			}{id, c, at})
			sig.Kind, sig.TopicID, sig.Ref, sig.Title = activity.TopicOpened, id, fmt.Sprintf("topic:%d", id), fmt.Sprintf("Topic %d", id)
		case r < 55:
			tp := topics[rng.IntN(len(topics))]
			sig.CommunityID, sig.TopicID = tp.community, tp.id
			if sig.At = tp.at.Add(time.Duration(rng.Int64N(int64(6 * 24 * time.Hour)))); sig.At.After(now) {
				sig.At = now
			}
			switch rng.IntN(5) {
			case 4: // renamed and moved by a moderator
				sig.Kind, sig.PersonID, sig.CommunityID = activity.TopicChanged, 0, communities[rng.IntN(len(communities))]
				sig.Ref, sig.Title = fmt.Sprintf("topic:%d", tp.id), fmt.Sprintf("Topic %d, renamed", tp.id)
			case 0:
				sig.Kind = activity.ITAnswered
			case 1:
				sig.Kind = activity.Accepted
			case 2:
				sig.Kind = activity.Voted
			default:
				sig.Kind = activity.Replied
			}
		case r < 88:
			sc := seeded[rng.IntN(len(seeded))]
			sig.Kind, sig.Survey, sig.CommunityID, sig.Ref = activity.PulseAnswer, sc.survey, sc.community, fmt.Sprint("pulse:", sc.id)
			sig.PulseID, sig.PulseOpens, sig.PulseCloses = sc.id, sc.opens, sc.closes
			if sig.Score = rng.IntN(11); sc.survey == "csat" {
				sig.Score = 1 + rng.IntN(5)
			}
			if sig.At = sc.opens.Add(time.Duration(rng.Int64N(int64(sc.closes.Sub(sc.opens))))); sig.At.After(now) {
				sig.At = now
			}
		case r < 92:
			sig.Kind, sig.CommunityID = activity.Ordered, 0
		case r < 96:
			sig.Kind, sig.CommunityID = activity.NeedSent, 0
		default:
			sig.Kind, sig.CommunityID, sig.DepartmentID = activity.NeedDecided, 0, depts[rng.IntN(len(depts))]
		}
		if err := d.Transact(ctx, func(tx *db.Tx) error { return s.Record(ctx, tx, sig) }); err != nil {
			t.Fatal(err)
		}
		if sig.Kind == activity.PulseAnswer {
			*sent = append(*sent, sig.Score)
		}
	}

	want := rescan(t, d, pulses, *sent)
	figures, err := s.CommunityFigures(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range figures {
		w, ok := want.communities[m.ID]
		if !ok {
			t.Errorf("community %d: no figures in the rescan", m.ID)
			continue
		}
		med, p90, hasAnswer := m.AnswerTimes()
		got := communityFigures{m.Members, m.ActiveMembers, m.NewContributors, m.Questions, m.Late, m.Answered, m.Accepted, med, p90, hasAnswer,
			fmt.Sprint(m.Satisfaction)}
		if got != w {
			t.Errorf("community %s: kept %+v, rescan %+v", m.Slug, got, w)
		}
		if m.Participation != round1(pct(m.ActiveMembers, m.Members)) || m.AcceptedShare != round1(pct(m.Accepted, m.Questions)) {
			t.Errorf("community %s: participation %v, accepted %v", m.Slug, m.Participation, m.AcceptedShare)
		}
	}
	if len(figures) != len(want.communities) {
		t.Errorf("%d communities measured, %d in the rescan", len(figures), len(want.communities))
	}

	cov, err := s.Coverage(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if cov.Total.People != want.total[0] || cov.Total.Members != want.total[1] {
		t.Errorf("total %+v, rescan %v", cov.Total, want.total)
	}
	for _, g := range []struct {
		rows []engagement.CoverageRow
		want map[int64][2]int
	}{{cov.ByLocation, want.byLocation}, {cov.ByFunction, want.byFunction}, {cov.ByDepartment, want.byDepartment}} {
		got := map[int64][2]int{}
		for _, r := range g.rows {
			got[r.ID] = [2]int{r.People, r.Members}
		}
		if fmt.Sprint(got) != fmt.Sprint(g.want) {
			t.Errorf("coverage %v, rescan %v", got, g.want)
		}
	}
	var dark []string
	for _, g := range cov.Dark {
		dark = append(dark, fmt.Sprintf("%s %d/%d/%d: %d", g.Kind, g.LocationID, g.FunctionID, g.DepartmentID, g.People))
	}
	slices.Sort(dark)
	if fmt.Sprint(dark) != fmt.Sprint(want.dark) {
		t.Errorf("dark populations %v, rescan %v", dark, want.dark)
	}
	if len(want.dark) == 0 {
		t.Error("the fixture has no dark population")
	}

	scores, err := s.Scores(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scores {
		got := map[string]string{}
		for _, p := range sc.Parts {
			if p.Key == "front_door" || p.Key == "satisfaction" || p.Key == "participation" {
				got[p.Key] = fmt.Sprint(p.HasData, p.Inputs)
			}
		}
		if w := want.parts[sc.DepartmentID]; fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("department %s's parts %v, rescan %v", sc.Name, got, w)
		}
	}
}

// communityFigures are one community's figures as the rescan computes them.
type communityFigures struct {
	members, active, fresh, questions, late, answered, accepted int
	median, p90                                                 time.Duration
	hasAnswer                                                   bool
	satisfaction                                                string
}

type rescanned struct {
	communities                          map[int64]communityFigures
	total                                [2]int
	byLocation, byFunction, byDepartment map[int64][2]int
	dark                                 []string
	parts                                map[int64]map[string]string
}

type signalRow struct {
	kind                         activity.Kind
	person, dept, community, tpc int64
	survey, ref                  string
	score                        int
	at                           time.Time
}

// rescan computes the figures from every signal kept, in the order they
// were recorded, and the pulses' schedules, without the tables kept beside
// them: a pulse's answers count in the month it opened, once it has closed
// with at least five answers.
func rescan(t *testing.T, d *db.DB, schedules map[string]schedule, scores []int) rescanned {
	t.Helper()
	ctx := context.Background()
	var sigs []signalRow
	rows, err := d.Query(ctx, "SELECT kind, person_id, department_id, community_id, topic_id, survey, score, ref, at FROM engagement_signals ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r signalRow
		if err := rows.Scan(&r.kind, &r.person, &r.dept, &r.community, &r.tpc, &r.survey, &r.score, &r.ref, &r.at); err != nil {
			t.Fatal(err)
		}
		r.at = r.at.UTC()
		if r.kind == activity.PulseAnswer {
			// Kept signals carry no score (answers apart from names):
			// the scores are the ones sent, in the order they were.
			if r.score != 0 {
				t.Fatalf("a pulse answer's signal keeps its score %d beside the person %d", r.score, r.person)
			}
			r.score, scores = scores[0], scores[1:]
		}
		sigs = append(sigs, r)
	}
	rows.Close()
	answers := map[string]int{}
	for _, r := range sigs {
		if r.kind == activity.PulseAnswer {
			answers[r.ref]++
		}
	}
	type person struct {
		dept, loc, fn int64
		active        bool
	}
	people := map[int64]person{}
	rows, err = d.Query(ctx, "SELECT id, COALESCE(department_id, 0), COALESCE(location_id, 0), COALESCE(function_id, 0), active FROM people")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var p person
		if err := rows.Scan(&id, &p.dept, &p.loc, &p.fn, &p.active); err != nil {
			t.Fatal(err)
		}
		people[id] = p
	}
	rows.Close()
	list, err := community.Listing(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	members, err := community.Memberships(ctx, d)
	if err != nil {
		t.Fatal(err)
	}

	contributes := func(k activity.Kind) bool {
		return k == activity.TopicOpened || k == activity.Replied || k == activity.ITAnswered || k == activity.Voted || k == activity.PulseAnswer
	}
	active28, topicWindow, dark90 := now.AddDate(0, 0, -engagement.ActiveDays), now.AddDate(0, 0, -engagement.TopicDays), now.AddDate(0, 0, -engagement.DarkDays)
	month := func(t time.Time) string { return t.Format("2006-01") }
	type span struct{ first, last time.Time }
	type topic struct {
		community          int64
		opened             time.Time
		answered, accepted *time.Time
		idea               bool
	}
	type pulse struct{ answers, high, low int }
	parts := map[[2]int64]*span{}
	topics := map[int64]*topic{}
	pulses := map[string]*pulse{}   // scope/id/month/survey
	perPulse := map[string]*pulse{} // scope/id/month/survey|pulse
	lastOwn := map[int64]time.Time{}
	lastContribution := map[int64]time.Time{}
	deptMonths := map[int64]map[string]*[3]int{} // needs sent, needs decided, active people
	personMonths := map[[2]string]bool{}
	count := func(dept int64, mo string, i int) {
		if deptMonths[dept] == nil {
			deptMonths[dept] = map[string]*[3]int{}
		}
		if deptMonths[dept][mo] == nil {
			deptMonths[dept][mo] = &[3]int{}
		}
		deptMonths[dept][mo][i]++
	}
	for _, sg := range sigs {
		dept := sg.dept
		if dept == 0 {
			dept = people[sg.person].dept
		}
		if sg.person != 0 && sg.kind != activity.NeedDecided && sg.at.After(lastOwn[sg.person]) {
			lastOwn[sg.person] = sg.at
		}
		switch sg.kind {
		case activity.NeedSent:
			count(dept, month(sg.at), 0)
		case activity.NeedDecided:
			count(dept, month(sg.at), 1)
		}
		if contributes(sg.kind) && sg.community != 0 && sg.person != 0 {
			k := [2]int64{sg.community, sg.person}
			if p := parts[k]; p == nil {
				parts[k] = &span{sg.at, sg.at}
			} else {
				p.first, p.last = minTime(p.first, sg.at), maxTime(p.last, sg.at)
			}
			if sg.at.After(lastContribution[sg.person]) {
				lastContribution[sg.person] = sg.at
			}
			if pm := [2]string{fmt.Sprint(sg.person), month(sg.at)}; !personMonths[pm] {
				personMonths[pm] = true
				count(dept, month(sg.at), 2)
			}
		}
		tp := topics[sg.tpc]
		switch {
		case sg.kind == activity.TopicOpened && sg.tpc != 0:
			if tp == nil {
				tp = &topic{}
				topics[sg.tpc] = tp
			}
			tp.community, tp.opened = sg.community, sg.at
		case tp == nil:
		case sg.kind == activity.TopicChanged:
			tp.community = sg.community
		case sg.kind == activity.ITAnswered:
			if tp.answered == nil || sg.at.Before(*tp.answered) {
				at := sg.at
				tp.answered = &at
			}
		case sg.kind == activity.Accepted:
			if tp.accepted == nil {
				at := sg.at
				tp.accepted = &at
			}
		case sg.kind == activity.Voted:
			tp.idea = true
		}
		if sc, ok := schedules[sg.ref]; sg.kind == activity.PulseAnswer && ok && !now.Before(sc.closes) && answers[sg.ref] >= engagement.PulseFloor {
			for _, scope := range []string{fmt.Sprint("community/", sg.community), fmt.Sprint("department/", dept)} {
				if scope == "community/0" || scope == "department/0" {
					continue
				}
				// Per pulse first: a scope's answers to one pulse count
				// only when there are at least PulseFloor of them.
				k := scope + "/" + month(sc.opens) + "/" + sg.survey + "|" + sg.ref
				p := perPulse[k]
				if p == nil {
					p = &pulse{}
					perPulse[k] = p
				}
				p.answers++
				if sg.survey == "csat" && sg.score >= 4 || sg.survey == "nps" && sg.score >= 9 {
					p.high++
				}
				if sg.survey == "csat" && sg.score <= 2 || sg.survey == "nps" && sg.score <= 6 {
					p.low++
				}
			}
		}
	}
	for k, pp := range perPulse {
		if pp.answers < engagement.PulseFloor {
			continue
		}
		k, _, _ = strings.Cut(k, "|")
		p := pulses[k]
		if p == nil {
			p = &pulse{}
			pulses[k] = p
		}
		p.answers, p.high, p.low = p.answers+pp.answers, p.high+pp.high, p.low+pp.low
	}
	var months []string
	for i := range 12 {
		months = append(months, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, i-11, 0).Format("2006-01"))
	}
	sat := func(survey string, p *pulse) engagement.Satisfaction {
		if p == nil {
			p = &pulse{}
		}
		out := engagement.Satisfaction{Survey: survey, Answers: p.answers, Shown: p.answers >= engagement.PulseFloor}
		if out.Shown && survey == "csat" {
			out.Value = round1(pct(p.high, p.answers))
		} else if out.Shown {
			out.Value = round1(pct(p.high-p.low, p.answers))
		}
		return out
	}

	out := rescanned{communities: map[int64]communityFigures{}, byLocation: map[int64][2]int{}, byFunction: map[int64][2]int{},
		byDepartment: map[int64][2]int{}, parts: map[int64]map[string]string{}}
	covered := map[int64]bool{}
	for _, c := range list {
		f := communityFigures{members: len(members[c.ID])}
		for _, p := range members[c.ID] {
			covered[p] = true
			if sp := parts[[2]int64{c.ID, p}]; sp != nil && !sp.last.Before(active28) {
				f.active++
			}
		}
		for k, sp := range parts {
			if k[0] == c.ID && !sp.first.Before(active28) {
				f.fresh++
			}
		}
		var waits []time.Duration
		for _, tp := range topics {
			if tp.community != c.ID || tp.opened.Before(topicWindow) {
				continue
			}
			if tp.answered != nil {
				f.answered++
				waits = append(waits, tp.answered.Sub(tp.opened))
			}
			if tp.idea {
				continue
			}
			f.questions++
			if tp.answered == nil && !now.Before(engagement.AfterWorkingDays(tp.opened, engagement.AnswerWorkingDays)) {
				f.late++
			}
			if tp.accepted != nil {
				f.accepted++
			}
		}
		slices.Sort(waits)
		if len(waits) > 0 {
			rank := func(p int) time.Duration { return waits[max(1, (p*len(waits)+99)/100)-1] }
			f.median, f.p90, f.hasAnswer = rank(50), rank(90), true
		}
		var ms []engagement.MonthSatisfaction
		for _, mo := range months {
			ms = append(ms, engagement.MonthSatisfaction{Month: mo, CSAT: sat("csat", pulses[fmt.Sprint("community/", c.ID, "/", mo, "/csat")]),
				NPS: sat("nps", pulses[fmt.Sprint("community/", c.ID, "/", mo, "/nps")])})
		}
		f.satisfaction = fmt.Sprint(ms)
		out.communities[c.ID] = f
	}

	type tally struct{ people, engaged int }
	places, depts := map[[2]int64]*tally{}, map[int64]*tally{}
	headcount, active := map[int64]int{}, map[int64]int{}
	for id, p := range people {
		if !p.active {
			continue
		}
		member := 0
		if covered[id] {
			member = 1
		}
		out.total[0]++
		out.total[1] += member
		for _, g := range []struct {
			m  map[int64][2]int
			id int64
		}{{out.byLocation, p.loc}, {out.byFunction, p.fn}, {out.byDepartment, p.dept}} {
			r := g.m[g.id]
			g.m[g.id] = [2]int{r[0] + 1, r[1] + member}
		}
		engaged := 0
		if !lastOwn[id].Before(dark90) {
			engaged = 1
		}
		for _, t := range []*tally{atKey(places, [2]int64{p.loc, p.fn}), atKey(depts, p.dept)} {
			t.people++
			t.engaged += engaged
		}
		if p.dept != 0 {
			headcount[p.dept]++
		}
	}
	for id, at := range lastContribution {
		if dept := people[id].dept; dept != 0 && !at.Before(active28) {
			active[dept]++
		}
	}
	for k, t := range places {
		if k[0] != 0 && k[1] != 0 && t.people >= engagement.DarkMinPeople && t.engaged == 0 {
			out.dark = append(out.dark, fmt.Sprintf("location_function %d/%d/0: %d", k[0], k[1], t.people))
		}
	}
	for id, t := range depts {
		if id != 0 && t.people >= engagement.DarkMinPeople && t.engaged == 0 {
			out.dark = append(out.dark, fmt.Sprintf("department 0/0/%d: %d", id, t.people))
		}
	}
	slices.Sort(out.dark)

	// The signal-borne parts of each department's score, as their inputs.
	for dept, n := range headcount {
		var sent, decided int
		var csat, nps pulse
		for _, mo := range months {
			if c := deptMonths[dept][mo]; c != nil {
				sent, decided = sent+c[0], decided+c[1]
			}
			for _, x := range []struct {
				into   *pulse
				survey string
			}{{&csat, "csat"}, {&nps, "nps"}} {
				if p := pulses[fmt.Sprint("department/", dept, "/", mo, "/", x.survey)]; p != nil {
					x.into.answers, x.into.high, x.into.low = x.into.answers+p.answers, x.into.high+p.high, x.into.low+p.low
				}
			}
		}
		c, p := sat("csat", &csat), sat("nps", &nps)
		satInputs := []engagement.Input{{Label: "CSAT answers", Value: fmt.Sprint(c.Answers)}, {Label: "NPS answers", Value: fmt.Sprint(p.Answers)}}
		if c.Shown {
			satInputs = append(satInputs, engagement.Input{Label: "CSAT", Value: fmt.Sprintf("%.1f%%", c.Value)})
		}
		if p.Shown {
			satInputs = append(satInputs, engagement.Input{Label: "NPS", Value: fmt.Sprintf("%+.1f", p.Value)})
		}
		out.parts[dept] = map[string]string{
			"front_door": fmt.Sprint(true, []engagement.Input{{Label: "Needs submitted", Value: fmt.Sprint(sent)},
				{Label: "Needs decided", Value: fmt.Sprint(decided)}, {Label: "Headcount", Value: fmt.Sprint(n)}}),
			"satisfaction":  fmt.Sprint(c.Shown || p.Shown, satInputs),
			"participation": fmt.Sprint(true, []engagement.Input{{Label: "Active people", Value: fmt.Sprint(active[dept])}, {Label: "Headcount", Value: fmt.Sprint(n)}}),
		}
	}
	return out
}

func atKey[K comparable, V any](m map[K]*V, k K) *V {
	if m[k] == nil {
		m[k] = new(V)
	}
	return m[k]
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func pct(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

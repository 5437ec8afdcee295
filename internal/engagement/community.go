package engagement

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
)

// CommunityMetrics are one community's figures.
type CommunityMetrics struct {
	ID   int64          `json:"id"`
	Slug string         `json:"slug"`
	Name string         `json:"name"`
	Kind community.Kind `json:"kind" enum:"product,service,local"`
	// Members belong to it now; ActiveMembers of them contributed in the
	// last 28 days; Participation is ActiveMembers ÷ Members in percent.
	Members       int     `json:"members"`
	ActiveMembers int     `json:"active_members"`
	Participation float64 `json:"participation" doc:"Active members ÷ members, in percent, one decimal"`
	Active        bool    `json:"active" doc:"At least 5% of members contributed in the last 28 days"`
	// NewContributors made their first contribution in the last 28 days.
	NewContributors int `json:"new_contributors"`
	// Topic figures, over the topics opened in the last 90 days.
	Questions     int     `json:"questions" doc:"Topics that are not ideas, opened in the last 90 days"`
	Late          int     `json:"late" doc:"Questions without an IT answer two working days after they were opened"`
	Answered      int     `json:"answered" doc:"Questions and ideas with an official IT answer"`
	MedianAnswer  *string `json:"median_answer,omitempty" doc:"Median time to the first IT answer (nearest rank), as a Go duration"`
	P90Answer     *string `json:"p90_answer,omitempty" doc:"90th percentile of the time to the first IT answer (nearest rank)"`
	Accepted      int     `json:"accepted" doc:"Questions with an accepted solution"`
	AcceptedShare float64 `json:"accepted_rate" doc:"Accepted ÷ questions, in percent, one decimal"`
	// Satisfaction is CSAT and NPS by month, the last twelve months.
	Satisfaction []MonthSatisfaction `json:"satisfaction" nullable:"false"`

	median, p90 time.Duration
	hasAnswer   bool
}

// AnswerTimes returns the median and 90th-percentile time to the first IT
// answer, and false when no topic was answered.
func (m CommunityMetrics) AnswerTimes() (median, p90 time.Duration, ok bool) {
	return m.median, m.p90, m.hasAnswer
}

// HasAnswers reports whether a topic was answered by IT (in the window).
func (m CommunityMetrics) HasAnswers() bool { return m.hasAnswer }

// Median is the median time to the first IT answer (0 with none).
func (m CommunityMetrics) Median() time.Duration { return m.median }

// P90 is the 90th percentile of the time to the first IT answer.
func (m CommunityMetrics) P90() time.Duration { return m.p90 }

// MonthSatisfaction is one month's CSAT and NPS.
type MonthSatisfaction struct {
	Month string       `json:"month" example:"2026-03"`
	CSAT  Satisfaction `json:"csat"`
	NPS   Satisfaction `json:"nps"`
}

// TopicRef is a topic behind a figure.
type TopicRef struct {
	TopicID  int64      `json:"topic_id"`
	Ref      string     `json:"ref"`
	Title    string     `json:"title"`
	OpenedAt time.Time  `json:"opened_at"`
	Answered *time.Time `json:"answered_at,omitempty"`
	Accepted *time.Time `json:"accepted_at,omitempty"`
	Idea     bool       `json:"idea"`
	Late     bool       `json:"late" doc:"A question without an IT answer after two working days"`
	person   int64
	wait     time.Duration
}

// Label is what a list shows of the topic.
func (t TopicRef) Label() string {
	if t.Title != "" {
		return t.Title
	}
	if t.Ref != "" {
		return t.Ref
	}
	return fmt.Sprintf("topic %d", t.TopicID)
}

// WaitedFor is how long the topic waited for its first IT answer.
func (t TopicRef) WaitedFor() time.Duration { return t.wait }

// PersonRef is a person behind a figure.
type PersonRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CommunityDetail is one community's figures with the topics and people
// behind them.
type CommunityDetail struct {
	CommunityMetrics
	// Topics are the topics opened in the last 90 days, newest first; nil
	// for those who may not read the community.
	Topics []TopicRef `json:"topics,omitempty"`
	// ActivePeople and NewPeople are the people behind the figures, for
	// those who moderate the community only.
	ActivePeople  []PersonRef `json:"active_people,omitempty"`
	NewPeople     []PersonRef `json:"new_people,omitempty"`
	MayReadTopics bool        `json:"-"`
	MaySeePeople  bool        `json:"-"`
}

// participant is one person's part in one community.
type participant struct {
	person int64
	fresh  bool // first contribution in ActiveDays
}

// measureInputs are the rows the figures are computed from.
type measureInputs struct {
	now          time.Time
	participants map[int64][]participant // by community, last contribution in ActiveDays
	topics       map[int64][]TopicRef    // by community, opened in TopicDays
	pulses       map[int64][]pulseRow    // by community, the last twelve months
}

type pulseRow struct {
	scopeID            int64
	month, survey      string
	answers, high, low int
}

// CommunityFigures returns the figures of every community, by name.
func (s *Service) CommunityFigures(ctx context.Context, p *access.Principal) ([]CommunityMetrics, error) {
	if err := signedIn(p); err != nil {
		return nil, err
	}
	if !MayMeasure(p) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Community figures are for administrators, moderators, BRMs, service owners and the portfolio board.")
	}
	// One read of every membership counts members and finds the active
	// ones, rather than a count and a lookup per community.
	list, err := community.Listing(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	members, err := community.Memberships(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	in, err := s.readInputs(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := make([]CommunityMetrics, 0, len(list))
	for _, c := range list {
		c.Members = len(members[c.ID])
		m, _ := measure(c, in, func(recent []int64) []int64 { return among(members[c.ID], recent) })
		out = append(out, m)
	}
	return out, nil
}

// Community returns one community's figures with the topics and people
// behind them (each list only to those who may see it).
func (s *Service) Community(ctx context.Context, p *access.Principal, slug string) (CommunityDetail, error) {
	if err := signedIn(p); err != nil {
		return CommunityDetail{}, err
	}
	c, err := s.Communities.FindBySlug(ctx, p, slug)
	if err != nil {
		return CommunityDetail{}, err
	}
	rights, err := s.Communities.Rights(ctx, p, c.ID)
	if err != nil {
		return CommunityDetail{}, err
	}
	if !MayMeasure(p) && !rights.Moderate {
		return CommunityDetail{}, engage.Errorf(engage.EFORBIDDEN, "The figures of %s are for its moderators and IT.", c.Name)
	}
	in, err := s.readInputs(ctx, c.ID)
	if err != nil {
		return CommunityDetail{}, err
	}
	var lookup error
	m, active := measure(c, in, func(recent []int64) []int64 {
		ids, err := community.MembersAmong(ctx, s.DB, c.ID, recent)
		lookup = err
		return ids
	})
	if lookup != nil {
		return CommunityDetail{}, lookup
	}
	d := CommunityDetail{CommunityMetrics: m, MayReadTopics: rights.Read, MaySeePeople: rights.Moderate}
	if d.MayReadTopics {
		d.Topics = slices.Clone(in.topics[c.ID])
		slices.SortFunc(d.Topics, func(a, b TopicRef) int { return b.OpenedAt.Compare(a.OpenedAt) })
		if d.Topics == nil {
			d.Topics = []TopicRef{}
		}
	}
	if d.MaySeePeople {
		var fresh []int64
		for _, pt := range in.participants[c.ID] {
			if pt.fresh {
				fresh = append(fresh, pt.person)
			}
		}
		if d.ActivePeople, err = s.people(ctx, active); err != nil {
			return CommunityDetail{}, err
		}
		if d.NewPeople, err = s.people(ctx, fresh); err != nil {
			return CommunityDetail{}, err
		}
	}
	return d, nil
}

// readInputs reads the rows behind the figures of one community, or of
// every community when id is 0.
func (s *Service) readInputs(ctx context.Context, id int64) (measureInputs, error) {
	now := s.Clock.Now().UTC()
	in := measureInputs{now: now, participants: map[int64][]participant{}, topics: map[int64][]TopicRef{}, pulses: map[int64][]pulseRow{}}
	where, args := "", []any{}
	if id != 0 {
		where, args = " AND community_id = ?", []any{id}
	}
	// Whether the first contribution is recent is compared in SQL: tens of
	// thousands of timestamps are not turned into times to compare them.
	cutoff := now.AddDate(0, 0, -ActiveDays)
	rows, err := s.DB.Query(ctx, "SELECT community_id, person_id, CASE WHEN first_at >= ? THEN 1 ELSE 0 END FROM engagement_participation WHERE last_at >= ?"+where,
		append([]any{cutoff, cutoff}, args...)...)
	if err != nil {
		return in, fmt.Errorf("reading community participation: %w", err)
	}
	for rows.Next() {
		var c int64
		var pt participant
		if err := rows.Scan(&c, &pt.person, &pt.fresh); err != nil {
			rows.Close()
			return in, err
		}
		in.participants[c] = append(in.participants[c], pt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	// Every community's figures need no names: they are read from an
	// index alone (engagement_topics_opened).
	columns := "0, community_id, 0, '', '', opened_at, answered_at, accepted_at, idea"
	if id != 0 {
		columns = "topic_id, community_id, person_id, ref, title, opened_at, answered_at, accepted_at, idea"
	}
	rows, err = s.DB.Query(ctx, "SELECT "+columns+" FROM engagement_topics WHERE opened_at >= ?"+where,
		append([]any{now.AddDate(0, 0, -TopicDays)}, args...)...)
	if err != nil {
		return in, fmt.Errorf("reading topics: %w", err)
	}
	for rows.Next() {
		var t TopicRef
		var c int64
		var answered, accepted sql.NullTime
		if err := rows.Scan(&t.TopicID, &c, &t.person, &t.Ref, &t.Title, &t.OpenedAt, &answered, &accepted, &t.Idea); err != nil {
			rows.Close()
			return in, err
		}
		t.OpenedAt = t.OpenedAt.UTC()
		t.Answered, t.Accepted = utcPtr(answered), utcPtr(accepted)
		if t.Answered != nil {
			t.wait = t.Answered.Sub(t.OpenedAt)
		}
		t.Late = !t.Idea && t.Answered == nil && !now.Before(AfterWorkingDays(t.OpenedAt, AnswerWorkingDays))
		in.topics[c] = append(in.topics[c], t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	pulses, err := s.readPulses(ctx, "community", id, months(now, 12)[0], now)
	for _, r := range pulses {
		in.pulses[r.scopeID] = append(in.pulses[r.scopeID], r)
	}
	return in, err
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// readPulses reads the pulse counters of a scope (one id, or all for 0)
// from month first on: only the pulses closed at now with at least
// PulseFloor answers count, so that no figure moves while a pulse takes
// answers, nor shows a pulse its own results would not; and of those, a
// community's or a department's answers count only when at least
// PulseFloor of its own people answered, so that a group's figure never
// tells the answers of fewer than PulseFloor people.
func (s *Service) readPulses(ctx context.Context, scope string, id int64, first string, now time.Time) ([]pulseRow, error) {
	query := `SELECT t.scope_id, t.month, t.survey, SUM(t.answers), SUM(t.high), SUM(t.low) FROM engagement_pulse_tallies t
		JOIN engagement_pulse_tallies n ON n.pulse_id = t.pulse_id AND n.scope = 'pulse' AND n.scope_id = t.pulse_id
		WHERE t.scope = ? AND t.month >= ? AND t.closes_at <= ? AND n.answers >= ? AND t.answers >= ?`
	args := []any{scope, first, now, PulseFloor, PulseFloor}
	if id != 0 {
		query, args = query+" AND t.scope_id = ?", append(args, id)
	}
	rows, err := s.DB.Query(ctx, query+" GROUP BY t.scope_id, t.month, t.survey ORDER BY t.scope_id, t.month, t.survey", args...)
	if err != nil {
		return nil, fmt.Errorf("reading pulse answers: %w", err)
	}
	defer rows.Close()
	var out []pulseRow
	for rows.Next() {
		var r pulseRow
		if err := rows.Scan(&r.scopeID, &r.month, &r.survey, &r.answers, &r.high, &r.low); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// months returns the n months ending with now's, oldest first (YYYY-MM).
func months(now time.Time, n int) []string {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, n)
	for i := range n {
		out[i] = first.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out
}

// among returns those of people (in any order) who are in members
// (ascending).
func among(members, people []int64) []int64 {
	var out []int64
	for _, p := range people {
		if _, found := slices.BinarySearch(members, p); found {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// measure computes c's figures from in, and returns its active members;
// members picks the members among the people who contributed recently.
func measure(c community.Community, in measureInputs, members func(recent []int64) []int64) (CommunityMetrics, []int64) {
	m := CommunityMetrics{ID: c.ID, Slug: c.Slug, Name: c.Name, Kind: c.Kind, Members: c.Members}
	var recent []int64
	for _, pt := range in.participants[c.ID] {
		recent = append(recent, pt.person)
		if pt.fresh {
			m.NewContributors++
		}
	}
	active := members(recent)
	m.ActiveMembers = len(active)
	m.Participation = round1(percent(m.ActiveMembers, m.Members))
	m.Active = m.Members > 0 && m.ActiveMembers*100 >= ActiveShare*m.Members
	var waits []time.Duration
	for _, t := range in.topics[c.ID] {
		if t.Answered != nil {
			m.Answered++
			waits = append(waits, t.wait)
		}
		if t.Idea {
			continue
		}
		m.Questions++
		if t.Late {
			m.Late++
		}
		if t.Accepted != nil {
			m.Accepted++
		}
	}
	m.AcceptedShare = round1(percent(m.Accepted, m.Questions))
	if med, ok := NearestRank(slices.Clone(waits), 50); ok {
		p90, _ := NearestRank(waits, 90)
		m.median, m.p90, m.hasAnswer = med, p90, true
		ms, ps := med.String(), p90.String()
		m.MedianAnswer, m.P90Answer = &ms, &ps
	}
	m.Satisfaction = monthly(in.pulses[c.ID], months(in.now, 12))
	return m, active
}

// monthly turns pulse counters into CSAT and NPS for each month.
func monthly(rows []pulseRow, ms []string) []MonthSatisfaction {
	out := make([]MonthSatisfaction, len(ms))
	for i, mo := range ms {
		out[i] = MonthSatisfaction{Month: mo, CSAT: satisfaction("csat", 0, 0, 0), NPS: satisfaction("nps", 0, 0, 0)}
		for _, r := range rows {
			if r.month != mo {
				continue
			}
			switch r.survey {
			case "csat":
				out[i].CSAT = satisfaction("csat", r.answers, r.high, r.low)
			case "nps":
				out[i].NPS = satisfaction("nps", r.answers, r.high, r.low)
			}
		}
	}
	return out
}

// people names people, by name.
func (s *Service) people(ctx context.Context, ids []int64) ([]PersonRef, error) {
	out := []PersonRef{}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := s.DB.Query(ctx, "SELECT id, name FROM people WHERE id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("naming people: %w", err)
		}
		for rows.Next() {
			var p PersonRef
			if err := rows.Scan(&p.ID, &p.Name); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b PersonRef) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

package engagement

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
)

// month is the counters' key of t: YYYY-MM in UTC.
func month(t time.Time) string { return t.UTC().Format("2006-01") }

// contribution reports whether a signal of kind k in a community counts as
// taking part in it.
func contribution(k activity.Kind) bool {
	switch k {
	case activity.TopicOpened, activity.Replied, activity.ITAnswered, activity.Voted, activity.PulseAnswer:
		return true
	}
	return false
}

// Record keeps s inside tx, the sending area's transaction, and updates the
// small tables the measures read: a handful of indexed writes.
func (s *Service) Record(ctx context.Context, tx *db.Tx, sig activity.Signal) error {
	return s.RecordAll(ctx, tx, []activity.Signal{sig})
}

// RecordAll keeps sigs inside tx as Record would keep each in turn, in a
// few multi-row statements whatever their number: the signals, each
// person's last signal, each person's part in each community, the active
// months, the departments' months, the topics and the pulses, each
// written once with the rows of every signal, in the order of their keys
// (so that concurrent transactions take the shared rows in one order).
func (s *Service) RecordAll(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	if len(sigs) == 0 {
		return nil
	}
	sigs = slices.Clone(sigs)
	if err := s.resolve(ctx, tx, sigs); err != nil {
		return err
	}
	if err := insertSignals(ctx, tx, sigs); err != nil {
		return err
	}
	if err := recordPeople(ctx, tx, sigs); err != nil {
		return err
	}
	if err := recordParticipation(ctx, tx, sigs); err != nil {
		return err
	}
	active, err := recordActiveMonths(ctx, tx, sigs)
	if err != nil {
		return err
	}
	if err := recordMonths(ctx, tx, sigs, active); err != nil {
		return err
	}
	if err := recordTopics(ctx, tx, sigs); err != nil {
		return err
	}
	return recordPulses(ctx, tx, sigs)
}

// resolve gives each signal its time, in UTC, and its department: the
// person's at the time when the signal names none (0 for someone unknown
// or without one).
func (s *Service) resolve(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	var unknown []int64
	for i := range sigs {
		if sigs[i].At.IsZero() {
			sigs[i].At = s.Clock.Now()
		}
		sigs[i].At = sigs[i].At.UTC()
		if sigs[i].DepartmentID == 0 && sigs[i].PersonID != 0 && !slices.Contains(unknown, sigs[i].PersonID) {
			unknown = append(unknown, sigs[i].PersonID)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	dept := map[int64]int64{}
	for chunk := range slices.Chunk(unknown, db.RowsPerStatement) {
		rows, err := tx.Query(ctx, "SELECT id, department_id FROM people WHERE id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return fmt.Errorf("reading the departments of %d people: %w", len(chunk), err)
		}
		for rows.Next() {
			var id int64
			var d sql.NullInt64
			if err := rows.Scan(&id, &d); err != nil {
				rows.Close()
				return fmt.Errorf("reading the departments of %d people: %w", len(chunk), err)
			}
			dept[id] = d.Int64
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading the departments of %d people: %w", len(chunk), err)
		}
	}
	for i := range sigs {
		if sigs[i].DepartmentID == 0 {
			sigs[i].DepartmentID = dept[sigs[i].PersonID]
		}
	}
	return nil
}

func insertSignals(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	rows := make([][]any, len(sigs))
	for i, sig := range sigs {
		// A pulse answer's score is counted in its pulse's tallies and
		// never kept beside the person who gave it.
		rows[i] = []any{sig.Kind, sig.PersonID, sig.DepartmentID, sig.CommunityID, sig.TopicID, sig.Survey, 0, sig.Ref, sig.Title, sig.At}
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO engagement_signals(kind, person_id, department_id, community_id, topic_id, survey, score, ref, title, at)", 10, rows, ""); err != nil {
		return fmt.Errorf("keeping %d signals: %w", len(sigs), err)
	}
	return nil
}

// contributes reports whether sig counts as taking part in its community.
func contributes(sig activity.Signal) bool {
	return contribution(sig.Kind) && sig.CommunityID != 0 && sig.PersonID != 0
}

// lastSignal is a person's row of engagement_people as the signals of one
// batch leave it: folded so that writing it once does what writing each
// signal's in turn would.
type lastSignal struct {
	person, dept int64
	last         time.Time
	community    sql.NullTime // the last contribution
}

// then folds the next signal's row into l: the latest signal, the latest
// contribution, and the department of the latest contribution (of the
// first signal while there is none).
func (l *lastSignal) then(n lastSignal) {
	if n.last.After(l.last) {
		l.last = n.last
	}
	if n.community.Valid && (!l.community.Valid || !n.community.Time.Before(l.community.Time)) {
		l.community, l.dept = n.community, n.dept
	}
}

func recordPeople(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	byPerson := map[int64]*lastSignal{}
	for _, sig := range sigs {
		if sig.PersonID == 0 || sig.Kind == activity.NeedDecided {
			continue
		}
		n := lastSignal{person: sig.PersonID, dept: sig.DepartmentID, last: sig.At, community: sql.NullTime{Time: sig.At, Valid: contributes(sig)}}
		if l, ok := byPerson[sig.PersonID]; ok {
			l.then(n)
		} else {
			byPerson[sig.PersonID] = &n
		}
	}
	rows := make([][]any, 0, len(byPerson))
	for _, id := range sortedKeys(byPerson, cmp.Compare[int64]) {
		l := byPerson[id]
		var community any
		if l.community.Valid {
			community = l.community.Time
		}
		rows = append(rows, []any{l.person, l.last, community, l.dept})
	}
	// The department goes with the last contribution: a community
	// signal's department is always the person's own.
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO engagement_people(person_id, last_at, last_community_at, department_id)", 4, rows, `ON CONFLICT (person_id) DO UPDATE SET
			last_at = CASE WHEN excluded.last_at > engagement_people.last_at THEN excluded.last_at ELSE engagement_people.last_at END,
			department_id = CASE WHEN excluded.last_community_at IS NOT NULL AND (engagement_people.last_community_at IS NULL
				OR excluded.last_community_at >= engagement_people.last_community_at)
				THEN excluded.department_id ELSE engagement_people.department_id END,
			last_community_at = CASE WHEN engagement_people.last_community_at IS NULL
				OR excluded.last_community_at > engagement_people.last_community_at
				THEN COALESCE(excluded.last_community_at, engagement_people.last_community_at) ELSE engagement_people.last_community_at END`); err != nil {
		return fmt.Errorf("keeping %d people's last signal: %w", len(rows), err)
	}
	return nil
}

// sortedKeys returns m's keys in the order of compare.
func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}

// pair is a key of two ids: a community and a person, a department and a
// month's index.
type pair struct{ a, b int64 }

func comparePairs(x, y pair) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) }

func recordParticipation(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	type span struct{ first, last time.Time }
	parts := map[pair]*span{}
	for _, sig := range sigs {
		if !contributes(sig) {
			continue
		}
		k := pair{sig.CommunityID, sig.PersonID}
		if p, ok := parts[k]; !ok {
			parts[k] = &span{sig.At, sig.At}
		} else if sig.At.Before(p.first) {
			p.first = sig.At
		} else if sig.At.After(p.last) {
			p.last = sig.At
		}
	}
	if len(parts) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(parts))
	for _, k := range sortedKeys(parts, comparePairs) {
		rows = append(rows, []any{k.a, k.b, parts[k].first, parts[k].last})
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO engagement_participation(community_id, person_id, first_at, last_at)", 4, rows, `ON CONFLICT (community_id, person_id) DO UPDATE SET
			first_at = CASE WHEN excluded.first_at < engagement_participation.first_at THEN excluded.first_at ELSE engagement_participation.first_at END,
			last_at = CASE WHEN excluded.last_at > engagement_participation.last_at THEN excluded.last_at ELSE engagement_participation.last_at END`); err != nil {
		return fmt.Errorf("keeping %d people's part in their communities: %w", len(rows), err)
	}
	return nil
}

// personMonth is a person's active month: its first signal's department
// is the one whose month counts the person as active.
type personMonth struct {
	person int64
	month  string
}

// recordActiveMonths keeps the months in which the signals' people took
// part, and returns, per department and month, how many people became
// active in that month with these signals.
func recordActiveMonths(ctx context.Context, tx *db.Tx, sigs []activity.Signal) (map[deptMonth]int, error) {
	dept := map[personMonth]int64{}
	var keys []personMonth
	for _, sig := range sigs {
		if !contributes(sig) {
			continue
		}
		k := personMonth{sig.PersonID, month(sig.At)}
		if _, ok := dept[k]; !ok {
			dept[k] = sig.DepartmentID
			keys = append(keys, k)
		}
	}
	active := map[deptMonth]int{}
	if len(keys) == 0 {
		return active, nil
	}
	slices.SortFunc(keys, func(x, y personMonth) int {
		return cmp.Or(cmp.Compare(x.person, y.person), cmp.Compare(x.month, y.month))
	})
	for chunk := range slices.Chunk(keys, db.RowsPerStatement) {
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.person, k.month)
		}
		// RETURNING gives the rows inserted, not those already there.
		rows, err := tx.Query(ctx, "INSERT INTO engagement_person_months(person_id, month) VALUES "+db.ValueRows(len(chunk), 2)+
			" ON CONFLICT (person_id, month) DO NOTHING RETURNING person_id, month", args...)
		if err != nil {
			return nil, fmt.Errorf("keeping %d people's active months: %w", len(chunk), err)
		}
		for rows.Next() {
			var k personMonth
			if err := rows.Scan(&k.person, &k.month); err != nil {
				rows.Close()
				return nil, fmt.Errorf("keeping %d people's active months: %w", len(chunk), err)
			}
			active[deptMonth{dept[k], k.month}]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("keeping %d people's active months: %w", len(chunk), err)
		}
	}
	return active, nil
}

// deptMonth is a department's month, the key of engagement_months.
type deptMonth struct {
	dept  int64
	month string
}

// counts are the increments of a department's month.
type counts struct {
	orders, needsSent, needsDecided, contributions, activePeople int
}

func recordMonths(ctx context.Context, tx *db.Tx, sigs []activity.Signal, active map[deptMonth]int) error {
	months := map[deptMonth]*counts{}
	get := func(k deptMonth) *counts {
		c, ok := months[k]
		if !ok {
			c = &counts{}
			months[k] = c
		}
		return c
	}
	for _, sig := range sigs {
		k := deptMonth{sig.DepartmentID, month(sig.At)}
		switch sig.Kind {
		case activity.Ordered:
			get(k).orders++
		case activity.NeedSent:
			get(k).needsSent++
		case activity.NeedDecided:
			get(k).needsDecided++
		}
		if contributes(sig) {
			get(k).contributions++
		}
	}
	for k, n := range active {
		get(k).activePeople += n
	}
	if len(months) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(months))
	for _, k := range sortedKeys(months, func(x, y deptMonth) int { return cmp.Or(cmp.Compare(x.dept, y.dept), cmp.Compare(x.month, y.month)) }) {
		c := months[k]
		rows = append(rows, []any{k.dept, k.month, c.orders, c.needsSent, c.needsDecided, c.contributions, c.activePeople})
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO engagement_months(department_id, month, orders, needs_sent, needs_decided, contributions, active_people)", 7, rows, `ON CONFLICT (department_id, month) DO UPDATE SET
			orders = engagement_months.orders + excluded.orders, needs_sent = engagement_months.needs_sent + excluded.needs_sent,
			needs_decided = engagement_months.needs_decided + excluded.needs_decided,
			contributions = engagement_months.contributions + excluded.contributions,
			active_people = engagement_months.active_people + excluded.active_people`); err != nil {
		return fmt.Errorf("counting %d departments' months: %w", len(rows), err)
	}
	return nil
}

// recordTopics keeps what the signals say of their topics, in their order:
// each run of signals of one kind that joins (see joins) in one statement.
func recordTopics(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	var run []activity.Signal
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		err := recordTopicRun(ctx, tx, run)
		run = run[:0]
		return err
	}
	for _, sig := range sigs {
		switch sig.Kind {
		case activity.TopicOpened, activity.ITAnswered, activity.Accepted, activity.Voted, activity.TopicChanged:
		default:
			continue
		}
		if sig.TopicID == 0 {
			continue
		}
		if len(run) > 0 && (run[0].Kind != sig.Kind || !joins(run, sig)) {
			if err := flush(); err != nil {
				return err
			}
		}
		run = append(run, sig)
	}
	return flush()
}

// joins reports whether sig, of the kind of run, is kept by the same
// statement: a topic opened may be written with others unless its topic
// is among them (the last opening wins); an answer or an acceptance with
// others at the same time; a vote with any others; a rename or a move
// alone.
func joins(run []activity.Signal, sig activity.Signal) bool {
	switch sig.Kind {
	case activity.Voted:
		return true
	case activity.TopicChanged:
		return false
	case activity.ITAnswered, activity.Accepted:
		if !run[0].At.Equal(sig.At) {
			return false
		}
	}
	return !slices.ContainsFunc(run, func(r activity.Signal) bool { return r.TopicID == sig.TopicID })
}

// recordTopicRun keeps a run of signals of one kind (see joins).
func recordTopicRun(ctx context.Context, tx *db.Tx, run []activity.Signal) error {
	ids := make([]int64, len(run))
	for i, sig := range run {
		ids[i] = sig.TopicID
	}
	at := run[0].At
	var err error
	switch run[0].Kind {
	case activity.TopicOpened:
		rows := make([][]any, len(run))
		for i, sig := range run {
			rows[i] = []any{sig.TopicID, sig.CommunityID, sig.PersonID, sig.Ref, sig.Title, sig.At, sig.Idea}
		}
		err = db.InsertRows(ctx, tx,
			"INSERT INTO engagement_topics(topic_id, community_id, person_id, ref, title, opened_at, idea)", 7, rows, `ON CONFLICT (topic_id) DO UPDATE SET community_id = excluded.community_id, person_id = excluded.person_id, ref = excluded.ref,
			title = excluded.title, opened_at = excluded.opened_at, idea = engagement_topics.idea OR excluded.idea`)
	case activity.ITAnswered:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET answered_at = ? WHERE topic_id IN ("+db.Placeholders(len(ids))+
			") AND (answered_at IS NULL OR answered_at > ?)", append(append([]any{at}, db.Args(ids)...), at)...)
	case activity.Accepted:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET accepted_at = ? WHERE topic_id IN ("+db.Placeholders(len(ids))+
			") AND accepted_at IS NULL", append([]any{at}, db.Args(ids)...)...)
	case activity.Voted:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET idea = TRUE WHERE topic_id IN ("+db.Placeholders(len(ids))+") AND NOT idea",
			db.Args(ids)...)
	case activity.TopicChanged: // alone in its run (see joins)
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET title = ?, community_id = ? WHERE topic_id = ?", run[0].Title, run[0].CommunityID, run[0].TopicID)
	}
	if err != nil {
		return fmt.Errorf("keeping %d topics: %w", len(run), err)
	}
	return nil
}

// pulseKey is a row of engagement_pulse_tallies: a pulse's own count, or
// its answers from a community or a department.
type pulseKey struct {
	pulse   int64
	scope   string
	scopeID int64
}

// pulseTally is what a batch adds to a pulseKey's row.
type pulseTally struct {
	survey, month      string
	closes             time.Time
	answers, high, low int
}

// recordPulses counts the pulse answers for their pulse, its community and
// the answerers' departments. The counts are kept by pulse and read only
// once the pulse has closed with at least PulseFloor answers (see
// readPulses): a figure that moved with each answer of an open pulse
// would tell what the latest person answered. An answer is counted in the
// month its pulse opened, so that one pulse's answers go together.
func recordPulses(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	tallies := map[pulseKey]*pulseTally{}
	for _, sig := range sigs {
		if sig.Kind != activity.PulseAnswer || sig.PulseID == 0 {
			continue
		}
		high, low := 0, 0
		switch sig.Survey {
		case "csat":
			high, low = b2i(sig.Score >= 4), b2i(sig.Score <= 2)
		case "nps":
			high, low = b2i(sig.Score >= 9), b2i(sig.Score <= 6)
		default:
			return fmt.Errorf("a pulse answer of unknown survey %q", sig.Survey)
		}
		for _, k := range []pulseKey{{sig.PulseID, "pulse", sig.PulseID}, {sig.PulseID, "community", sig.CommunityID}, {sig.PulseID, "department", sig.DepartmentID}} {
			if k.scopeID == 0 {
				continue
			}
			t, ok := tallies[k]
			if !ok {
				t = &pulseTally{survey: sig.Survey, month: month(sig.PulseOpens), closes: sig.PulseCloses.UTC()}
				tallies[k] = t
			}
			t.answers, t.high, t.low = t.answers+1, t.high+high, t.low+low
		}
	}
	if len(tallies) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(tallies))
	for _, k := range sortedKeys(tallies, func(x, y pulseKey) int {
		return cmp.Or(cmp.Compare(x.pulse, y.pulse), cmp.Compare(x.scope, y.scope), cmp.Compare(x.scopeID, y.scopeID))
	}) {
		t := tallies[k]
		rows = append(rows, []any{k.pulse, k.scope, k.scopeID, t.survey, t.month, t.closes, t.answers, t.high, t.low})
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO engagement_pulse_tallies(pulse_id, scope, scope_id, survey, month, closes_at, answers, high, low)", 9, rows,
		`ON CONFLICT (pulse_id, scope, scope_id) DO UPDATE SET answers = engagement_pulse_tallies.answers + excluded.answers,
			high = engagement_pulse_tallies.high + excluded.high, low = engagement_pulse_tallies.low + excluded.low`); err != nil {
		return fmt.Errorf("counting pulse answers: %w", err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

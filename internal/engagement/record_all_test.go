package engagement_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestRecordAllAsEachInTurn: signals recorded together leave every table
// as recording each in turn does — the same person, community, topic and
// month several times, out of order, across a month's end, of every kind,
// with and without a department — in a few statements whatever their
// number.
func TestRecordAllAsEachInTurn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		p, lab, c := f.people, f.depts["LAB"], f.iphone.ID
		march := now.AddDate(0, -1, 0)
		sigs := []activity.Signal{
			{Kind: activity.TopicOpened, PersonID: p["ana"], CommunityID: c, TopicID: 901, Ref: "topic:901", Title: "VPN", At: march},
			{Kind: activity.TopicOpened, PersonID: p["bo"], CommunityID: c, TopicID: 902, Ref: "topic:902", Title: "Printer", At: now},
			{Kind: activity.Replied, PersonID: p["bo"], DepartmentID: lab, CommunityID: c, TopicID: 901, At: now},
			{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 901, At: now},
			{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 902, At: now},
			{Kind: activity.ITAnswered, PersonID: p["it"], CommunityID: c, TopicID: 901, At: march.Add(time.Hour)},
			{Kind: activity.Replied, PersonID: p["ana"], CommunityID: c, TopicID: 902, At: march.Add(-time.Hour)},
			{Kind: activity.Accepted, PersonID: p["ana"], CommunityID: c, TopicID: 901, At: now},
			{Kind: activity.Accepted, PersonID: p["ana"], CommunityID: c, TopicID: 901, At: now.Add(time.Hour)},
			{Kind: activity.Voted, PersonID: p["c1"], CommunityID: c, TopicID: 902, At: now},
			{Kind: activity.Voted, PersonID: p["c2"], CommunityID: c, TopicID: 902, At: now},
			{Kind: activity.PulseAnswer, PersonID: p["c3"], CommunityID: c, Survey: "csat", Score: 5, At: now, PulseID: 71, PulseOpens: march, PulseCloses: now.Add(time.Hour)},
			{Kind: activity.PulseAnswer, PersonID: p["c4"], CommunityID: c, Survey: "csat", Score: 1, At: now, PulseID: 71, PulseOpens: march, PulseCloses: now.Add(time.Hour)},
			{Kind: activity.PulseAnswer, PersonID: p["ops1"], Survey: "nps", Score: 10, At: march, PulseID: 72, PulseOpens: march, PulseCloses: now},
			{Kind: activity.Ordered, PersonID: p["ops2"], At: now},
			{Kind: activity.NeedSent, PersonID: p["ops2"], DepartmentID: f.depts["OPS"], Ref: "need:1", At: now},
			{Kind: activity.NeedDecided, PersonID: p["ops2"], DepartmentID: f.depts["OPS"], Ref: "need:1", At: now.Add(time.Minute)},
			{Kind: activity.Joined, PersonID: p["c5"], CommunityID: c, At: now},
			{Kind: activity.Replied, PersonID: p["c5"], CommunityID: c, TopicID: 901, At: now.Add(-time.Minute)},
			{Kind: activity.Ordered, PersonID: p["c5"], At: now.Add(time.Hour)},
			{Kind: activity.Replied, PersonID: p["ops3"], DepartmentID: lab, CommunityID: c, TopicID: 902, At: now},
			{Kind: activity.Replied, PersonID: p["ops3"], DepartmentID: f.depts["OPS"], CommunityID: c, TopicID: 902, At: now},
			{Kind: activity.NeedDecided, At: now},
		}
		undo := errors.New("undo")
		var each, all []string
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			for _, s := range sigs {
				if err := f.s.Record(ctx, tx, s); err != nil {
					return err
				}
			}
			each = engagementState(t, ctx, tx)
			return undo
		}); !errors.Is(err, undo) {
			t.Fatal(err)
		}
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			before := d.Statements()
			if err := f.s.RecordAll(ctx, tx, sigs); err != nil {
				return err
			}
			// departments, signals, people, participation, active
			// months, months, pulses, and the topics' runs: opened,
			// answered (twice: two times), accepted (twice), voted
			if n := d.Statements() - before; n != 13 {
				t.Errorf("RecordAll of %d signals ran %d statements, want 13", len(sigs), n)
			}
			all = engagementState(t, ctx, tx)
			return undo
		}); !errors.Is(err, undo) {
			t.Fatal(err)
		}
		if len(each) < 30 || !slices.Equal(each, all) {
			t.Errorf("recorded together:\n%s\none by one:\n%s", strings.Join(all, "\n"), strings.Join(each, "\n"))
		}
	})
}

// engagementState is every row of the engagement tables but the signals'
// ids, in the order of their keys.
func engagementState(t *testing.T, ctx context.Context, tx *db.Tx) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT kind, person_id, department_id, community_id, topic_id, survey, score, ref, title, at FROM engagement_signals ORDER BY id",
		"SELECT person_id, last_at, last_community_at, department_id FROM engagement_people ORDER BY person_id",
		"SELECT community_id, person_id, first_at, last_at FROM engagement_participation ORDER BY community_id, person_id",
		"SELECT topic_id, community_id, person_id, ref, title, opened_at, answered_at, accepted_at, idea FROM engagement_topics ORDER BY topic_id",
		"SELECT department_id, month, orders, needs_sent, needs_decided, contributions, active_people FROM engagement_months ORDER BY department_id, month",
		"SELECT person_id, month FROM engagement_person_months ORDER BY person_id, month",
		"SELECT pulse_id, scope, scope_id, survey, month, closes_at, answers, high, low FROM engagement_pulse_tallies ORDER BY pulse_id, scope, scope_id",
	} {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		all, err := dbtest.RowValues(rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, vals := range all {
			out = append(out, fmt.Sprint(vals...))
		}
		out = append(out, "--")
	}
	return out
}

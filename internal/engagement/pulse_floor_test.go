package engagement_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/engagement"
)

// TestPulseScoresCountOnceClosed: answers to an open pulse move no
// satisfaction figure — a community's month, a department's part — however
// many they are; once the pulse closes at its end date (the clock passing
// it, no job) its five answers appear, as computed by hand; a pulse that
// closes with four answers never shows.
func TestPulseScoresCountOnceClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		clock := f.s.Clock.(*engage.FixedClock)
		lab := f.depts["LAB"]
		// What the figures say: the iphone community's April and the
		// LAB's satisfaction part with its inputs.
		figures := func() string {
			t.Helper()
			c, err := f.s.Community(ctx, f.admin, f.iphone.Slug)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := f.s.Score(ctx, f.admin, lab)
			if err != nil {
				t.Fatal(err)
			}
			var april engagement.MonthSatisfaction
			for _, m := range c.Satisfaction {
				if m.Month == "2026-04" {
					april = m
				}
			}
			for _, p := range sc.Parts {
				if p.Key == "satisfaction" {
					return fmt.Sprintf("%+v %+v %v %v", april.CSAT, april.NPS, p.HasData, p.Inputs)
				}
			}
			t.Fatal("no satisfaction part")
			return ""
		}
		// Before: March's closed pulse of five (CSAT 60%) only.
		before := figures()
		if want := "{Survey:csat Answers:0 Shown:false Value:0} {Survey:nps Answers:0 Shown:false Value:0} true [{CSAT answers 5} {NPS answers 0} {CSAT 60.0%}]"; before != want {
			t.Fatalf("before: %s, want %s", before, want)
		}
		answer := func(pulse int64, who string, score int, closes time.Time) {
			t.Helper()
			sig := activity.Signal{Kind: activity.PulseAnswer, PersonID: f.people[who], CommunityID: f.iphone.ID, Survey: "csat", Score: score,
				Ref: fmt.Sprint("pulse:", pulse), PulseID: pulse, PulseOpens: now.Add(-time.Hour), PulseCloses: closes, At: clock.Now()}
			if err := d.Transact(ctx, func(tx *db.Tx) error { return f.s.Record(ctx, tx, sig) }); err != nil {
				t.Fatal(err)
			}
		}
		closes := now.Add(2 * time.Hour)
		for i, score := range []int{5, 4, 3, 2, 1} {
			answer(21, fmt.Sprint("c", i+1), score, closes)
			if got := figures(); got != before {
				t.Fatalf("after %d answers to an open pulse: %s, was %s", i+1, got, before)
			}
		}
		// Answering counts as activity at once.
		c, err := f.s.Community(ctx, f.admin, f.iphone.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if c.ActiveMembers < 5 {
			t.Errorf("%d active members after five answers", c.ActiveMembers)
		}
		clock.Advance(2*time.Hour - time.Second)
		if got := figures(); got != before {
			t.Fatalf("a second before the close: %s, was %s", got, before)
		}
		// Closed: April CSAT 2 of 5 = 40%; the LAB's CSAT over March's 5
		// (3 satisfied) and April's 5 (2 satisfied): 5 of 10 = 50%.
		clock.Advance(time.Second)
		if got, want := figures(), "{Survey:csat Answers:5 Shown:true Value:40} {Survey:nps Answers:0 Shown:false Value:0} true [{CSAT answers 10} {NPS answers 0} {CSAT 50.0%}]"; got != want {
			t.Errorf("once closed: %s, want %s", got, want)
		}
		// A pulse that closes with four answers adds nothing, then or later.
		closed := figures()
		for i, score := range []int{5, 5, 5, 5} {
			answer(22, fmt.Sprint("c", i+5), score, clock.Now().Add(time.Hour))
		}
		clock.Advance(24 * time.Hour)
		if got := figures(); got != closed {
			t.Errorf("a pulse closed with four answers shows: %s, was %s", got, closed)
		}
		// A pulse closed with six answers, one of them the LAB's: the
		// LAB's part stays as it was (one person's answer would show),
		// the OPS's five count.
		part := func(dept int64) string {
			t.Helper()
			sc, err := f.s.Score(ctx, f.admin, dept)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range sc.Parts {
				if p.Key == "satisfaction" {
					return fmt.Sprintf("%v %v", p.HasData, p.Inputs)
				}
			}
			return ""
		}
		labBefore := part(lab)
		for i, who := range []string{"c8", "ops0", "ops1", "ops2", "ops3", "ops4"} {
			answer(23, who, 5-i%2, clock.Now().Add(time.Hour))
		}
		clock.Advance(2 * time.Hour)
		if got := part(lab); got != labBefore {
			t.Errorf("the LAB's one answer shows in its part: %s, was %s", got, labBefore)
		}
		if got, want := part(f.depts["OPS"]), "true [{CSAT answers 5} {NPS answers 0} {CSAT 100.0%}]"; got != want {
			t.Errorf("the OPS's part: %s, want %s", got, want)
		}
	})
}

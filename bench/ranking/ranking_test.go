package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/process"
)

// oneByOne is the front door read one need at a time, as the ranking read
// it before it read every need's reviews and options in a few queries.
type oneByOne struct{ *frontdoor.Service }

func (o oneByOne) ReviewsAndOptions(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]frontdoor.NeedReview,
	map[int64][]frontdoor.NeedOption, error) {
	reviews, options := map[int64][]frontdoor.NeedReview{}, map[int64][]frontdoor.NeedOption{}
	for _, n := range needs {
		d, err := o.Get(ctx, p, n.Reference)
		if err != nil {
			return nil, nil, err
		}
		reviews[n.ID], options[n.ID] = d.Reviews, d.Options
	}
	return reviews, options, nil
}

func (o oneByOne) ProcessesOf(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for _, n := range needs {
		d, err := o.Get(ctx, p, n.Reference)
		if err != nil {
			return nil, err
		}
		out[n.ID] = d.Need.ProcessIDs
	}
	return out, nil
}

// TestBatchRankingIsTheOneByOneRanking: with the demo and 40 more needs
// in decision (processes, classifications, verdicts, options and dates
// varied), the ranking read in a few set queries is the ranking read one
// need at a time, figure for figure.
func TestBatchRankingIsTheOneByOneRanking(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		ps, err := demoPeople(ctx, e.App)
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.Processes.ProcessMap(ctx, ps.board)
		if err != nil {
			t.Fatal(err)
		}
		var processes []int64
		for _, en := range m.Entries {
			processes = append(processes, en.ID)
		}
		if err := seedNeeds(ctx, e.App, ps, 40, processes, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		batch, err := e.Portfolio.Ranking(ctx, ps.board)
		if err != nil {
			t.Fatal(err)
		}
		slow := &portfolio.Service{DB: e.DB, Clock: e.Clock, Org: e.Org, Processes: e.Processes, Needs: oneByOne{e.FrontDoor}}
		want, err := slow.Ranking(ctx, ps.board)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch.Needs) < 40 {
			t.Fatalf("%d needs ranked, want at least the 40 seeded", len(batch.Needs))
		}
		got, _ := json.MarshalIndent(batch, "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		if string(got) != string(exp) {
			t.Fatalf("the batch ranking differs from the one-by-one ranking:\nbatch %s\none by one %s", got, exp)
		}
		costs := map[string]bool{}
		for _, n := range batch.Needs {
			costs[n.Parts[1].Score.String()] = true
		}
		if len(costs) < 10 {
			t.Fatalf("the fixture gives only %d distinct cost parts: it does not vary the options", len(costs))
		}
	})
}

// TestKeptRankingFollowsEveryChange: the ranking is kept between requests;
// after each change it reads — a need linked to a process, a need leaving
// the decision, an objective, the weights, a process's criticality, a
// department's name, the day — the kept ranking is the one computed afresh.
func TestKeptRankingFollowsEveryChange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		ps, err := demoPeople(ctx, e.App)
		if err != nil {
			t.Fatal(err)
		}
		admin := principal(t, e, "admin@example.com")
		m, err := e.Processes.ProcessMap(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var processes []int64
		var critical int64 // a critical process external customers touch, or any process
		for _, en := range m.Entries {
			if en.Kind == process.Process {
				processes = append(processes, en.ID)
				if critical == 0 || en.Criticality == "critical" && en.ExternalCustomers {
					critical = en.ID
				}
			}
		}
		if err := seedNeeds(ctx, e.App, ps, 8, processes, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		var last string
		same := func(step string) portfolio.Ranking {
			t.Helper()
			kept, err := e.Portfolio.Ranking(ctx, ps.board)
			if err != nil {
				t.Fatal(err)
			}
			fresh := &portfolio.Service{DB: e.DB, Clock: e.Clock, Org: e.Org, Processes: e.Processes, Needs: e.FrontDoor}
			want, err := fresh.Ranking(ctx, ps.board)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(kept)
			exp, _ := json.Marshal(want)
			if string(got) != string(exp) {
				t.Fatalf("%s: the kept ranking is not the ranking computed afresh:\nkept  %s\nfresh %s", step, got, exp)
			}
			if step != "kept" && string(got) == last {
				t.Fatalf("%s: the ranking did not change", step)
			}
			last = string(got)
			return kept
		}
		r := same("first read")
		same("kept")
		top, low := r.Needs[0], r.Needs[len(r.Needs)-1]
		for _, n := range r.Needs {
			if n.Parts[0].Score.LessThan(low.Parts[0].Score) { // serves the least
				low = n
			}
		}

		if _, err := e.FrontDoor.LinkProcesses(ctx, admin, low.Reference, []int64{critical}); err != nil {
			t.Fatal(err)
		}
		same("a need linked to a process")

		n, err := e.FrontDoor.Find(ctx, admin, top.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.FrontDoor.Act(ctx, ps.board, top.Reference, frontdoor.ActionReject,
			frontdoor.ActInput{Version: n.Version, Reason: "Not this year."}); err != nil {
			t.Fatal(err)
		}
		same("a need rejected")

		if _, err := e.Portfolio.CreateObjective(ctx, admin, portfolio.ObjectiveInput{Ref: "kept-ranking", Title: "Rank well",
			OwnerPersonID: ps.board.PersonID, Horizon: "2030", Measure: "A ranking", NeedRefs: []string{low.Reference}}); err != nil {
			t.Fatal(err)
		}
		same("an objective serving a need")

		if _, err := e.Portfolio.SetWeights(ctx, ps.board, portfolio.Weights{Value: 1, Cost: 1, Risk: 1, Urgency: 7}); err != nil {
			t.Fatal(err)
		}
		same("the weights")

		cur, err := e.Processes.Get(ctx, admin, processes[0])
		if err != nil {
			t.Fatal(err)
		}
		in := cur.Input()
		in.Criticality = "critical"
		if cur.Criticality == "critical" {
			in.Criticality = "low"
		}
		if _, err := e.Processes.Update(ctx, admin, cur.ID, cur.Version, in); err != nil {
			t.Fatal(err)
		}
		same("a process's criticality")

		dept, err := e.Org.FindDepartment(ctx, admin, ps.requester.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		din := dept.Input()
		din.Name += " (renamed)"
		if _, err := e.Org.UpdateDepartment(ctx, admin, dept.ID, dept.Version, din); err != nil {
			t.Fatal(err)
		}
		same("a department renamed")

		e.Clock.Advance(24 * time.Hour)
		same("the next day")
	})
}

func principal(t *testing.T, e *apptest.Engage, email string) *access.Principal {
	t.Helper()
	person, err := e.Org.FindPersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Org.Principal(context.Background(), person.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

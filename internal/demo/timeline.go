package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/engagehq/engage/internal/frontdoor"
)

// The moments of the demo needs' stories: the steps that take each need to
// where its story ends, and when each happens.

// step is one thing that happens to a need, at a moment.
type step struct {
	need   int
	action string
	arg    int // the way, for add_option
	at     time.Time
}

// stepsFor lists the actions that take a need to where its story ends.
func stepsFor(s needSpec, i int) ([]step, error) {
	state, via := s.Story.Ends, s.Story.how()
	var out []step
	add := func(action string, arg int) { out = append(out, step{need: i, action: action, arg: arg}) }
	options := func() {
		for k := range s.Ways {
			add("add_option", k)
		}
		if len(s.Ways) == 1 {
			add("add_alternative", 0)
		}
	}
	reviews := func(n int) {
		for _, k := range frontdoor.ReviewKinds[:n] {
			add("review_"+k, 0)
		}
	}
	// reach takes the need to state along the usual path.
	reach := func(target frontdoor.State) {
		order := []frontdoor.State{frontdoor.Draft, frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision, frontdoor.Approved,
			frontdoor.InDelivery, frontdoor.Delivered, frontdoor.Closed}
		at := slices.Index(order, target)
		if at < 0 {
			out = nil
			return
		}
		add("create", 0)
		if at >= 1 {
			add("submit", 0)
		}
		if at >= 2 {
			add("start_triage", 0)
		}
		if at == 2 && len(s.Ways) > 0 && s.Ways[0].Reuse != "" {
			add("add_option", 0) // the BRM notes what already exists
		}
		if at >= 3 {
			add("accept", 0)
			options()
		}
		if at == 3 {
			reviews(i % 3)
		}
		if at >= 4 {
			reviews(3)
			add("to_decision", 0)
		}
		if at >= 5 {
			add("decide", 0)
		}
		if at >= 6 {
			add("start_delivery", 0)
		}
		if at >= 7 {
			add("deliver", 0)
		}
		if at >= 8 {
			add("accept_delivery", 0)
		}
	}
	switch {
	case state == frontdoor.Draft && via == "info":
		reach(frontdoor.Triage)
		add("request_info", 0)
		add("edit", 0)
	case state == frontdoor.Closed && via == "catalog":
		reach(frontdoor.Triage)
		add("use_catalog", 0)
	case state == frontdoor.Closed && via == "merge":
		reach(frontdoor.Triage)
		add("merge", 0)
	case state == frontdoor.Rejected && via == "triage":
		reach(frontdoor.Triage)
		add("reject_triage", 0)
	case state == frontdoor.Rejected && via == "assessment":
		add("create", 0)
		add("submit", 0)
		add("start_triage", 0)
		add("accept", 0)
		options()
		add("review_architecture", 0)
		add("review_finance", 0)
		add("reject", 0)
	case state == frontdoor.Rejected && via == "decision":
		reach(frontdoor.Decision)
		add("reject", 0)
	case state == frontdoor.Withdrawn:
		reach(frontdoor.State(via))
		add("withdraw", 0)
	case via == "":
		reach(state)
	default:
		return nil, fmt.Errorf("no story ends %s %s", state, via)
	}
	if len(out) == 0 || out[0].action != "create" || out[len(out)-1].action == "create" && state != frontdoor.Draft {
		return nil, fmt.Errorf("no story ends %s %s", state, via)
	}
	return out, nil
}

// days returns a duration of between lo and hi days.
func days(r *rand.Rand, lo, hi float64) time.Duration {
	return time.Duration((lo + r.Float64()*(hi-lo)) * float64(24*time.Hour))
}

// gapBefore is how long after the previous step an action usually comes.
func gapBefore(r *rand.Rand, action string, deliveryDays int) time.Duration {
	switch action {
	case "submit":
		return days(r, 0.1, 5)
	case "start_triage":
		return days(r, 0.05, 2.5)
	case "accept", "request_info", "use_catalog", "merge", "reject_triage":
		return days(r, 0.2, 4)
	case "edit":
		return days(r, 0.5, 4)
	case "add_option":
		return days(r, 0.05, 2)
	case "review_architecture", "review_security", "review_finance":
		return days(r, 0.5, 5)
	case "to_decision":
		return days(r, 0.2, 2)
	case "decide", "reject":
		return days(r, 1, 8)
	case "start_delivery":
		return days(r, 1, 10)
	case "deliver":
		d := float64(min(max(deliveryDays, 2), 60))
		return days(r, d*0.8, d*1.5)
	case "accept_delivery":
		return days(r, 0.5, 6)
	case "withdraw":
		return days(r, 1, 10)
	}
	return days(r, 0.1, 1)
}

// idleFor is how long ago a need's last step happened. In a stage with a
// service level, one need in three has overstayed it.
func idleFor(r *rand.Rand, s needSpec, i int) time.Duration {
	state, via := s.Story.Ends, s.Story.how()
	if sla, ok := frontdoor.ServiceLevels[state]; ok {
		if i%3 == 0 {
			return days(r, float64(sla)*1.4+3, float64(sla)*1.4+12)
		}
		return days(r, 0.05, float64(sla)*0.8)
	}
	switch {
	case state == frontdoor.Draft:
		return days(r, 0.5, 25)
	case state == frontdoor.InDelivery:
		return days(r, 1, 30)
	case state == frontdoor.Delivered:
		return days(r, 0.5, 5)
	case via == "merge" || via == "catalog" || via == "triage":
		return days(r, 1, 45)
	}
	return days(r, 3, 150)
}

// officeHours moves t back, never forward, into working hours: 08:00 to
// 18:00, Monday to Friday. A moment outside them moves to an hour of the
// working day before that its minutes pick, so that steps do not all
// gather at the end of the day.
func officeHours(t time.Time) time.Time {
	at := func(day time.Time) time.Time {
		y, m, d := day.Date()
		return time.Date(y, m, d, 8+(t.Minute()*7+t.Second())%10, t.Minute(), t.Second(), 0, t.Location())
	}
	for {
		switch {
		case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday || t.Hour() < 8:
			t = at(t.AddDate(0, 0, -1))
		case t.Hour() >= 18:
			t = at(t)
		default:
			return t
		}
	}
}

// settle puts the steps in working hours, last first, keeping each at
// least ten minutes before the next.
func settle(steps []step, last time.Time) {
	next := last.Add(10 * time.Minute)
	for k := len(steps) - 1; k >= 0; k-- {
		at := steps[k].at
		if at.IsZero() || at.After(next.Add(-10*time.Minute)) {
			at = next.Add(-10 * time.Minute)
		}
		steps[k].at = officeHours(at).Truncate(time.Minute)
		next = steps[k].at
	}
}

// timeline gives every step of every need its moment, before now.
func timeline(needs []needSpec, now time.Time) ([][]step, error) {
	stories := make([][]step, len(needs))
	byTitle := map[string]int{}
	for i, s := range needs {
		if _, dup := byTitle[s.Title]; !dup {
			byTitle[s.Title] = i
		}
		steps, err := stepsFor(s, i)
		if err != nil {
			return nil, err
		}
		r := rand.New(rand.NewPCG(2026, uint64(i)+1))
		deliveryDays := 20
		if len(s.Ways) > 0 {
			kind, _ := s.Ways[0].kind()
			deliveryDays = map[string]int{wayReuse: 5, wayBuy: 30, wayBuild: 60, wayBroker: 20}[kind]
		}
		gaps := make([]time.Duration, len(steps))
		for k := 1; k < len(steps); k++ {
			gaps[k] = gapBefore(r, steps[k].action, deliveryDays) + 10*time.Minute
		}
		at := now.Add(-idleFor(r, s, i))
		for k := len(steps) - 1; k >= 0; k-- {
			steps[k].at = at
			at = at.Add(-gaps[k])
		}
		settle(steps, now.Add(-time.Hour))
		stories[i] = steps
	}
	// A need is merged into one written before it: when the story says
	// otherwise, the earlier need's story moves back in time.
	for i, s := range needs {
		if s.Story.Via != "merge" {
			continue
		}
		j, ok := byTitle[s.Story.Into]
		if !ok || j == i {
			return nil, fmt.Errorf("demo need %q merges into %q, which is not a demo need", s.Title, s.Story.Into)
		}
		mergedAt := stories[i][len(stories[i])-1].at
		if first := stories[j][0].at; !first.Before(mergedAt.Add(-24 * time.Hour)) {
			shift := first.Sub(mergedAt) + days(rand.New(rand.NewPCG(2026, uint64(j))), 2, 20)
			for k := range stories[j] {
				stories[j][k].at = stories[j][k].at.Add(-shift)
			}
			settle(stories[j], stories[j][len(stories[j])-1].at)
		}
	}
	return stories, nil
}

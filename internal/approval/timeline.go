package approval

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Step is one line of a request's timeline.
type Step struct {
	Title     string
	Detail    string
	At        *time.Time
	State     string // done, current, upcoming, ended, skipped
	Decisions []Decision
}

// Timeline tells a request's story in order: the submission, each stage with
// its decisions, and how it ended. r must be read with its details.
func (r Request) Timeline() []Step {
	created := r.CreatedAt
	sub := Step{Title: "Submitted by " + r.RequesterName, At: &created, State: "done"}
	if r.PolicyID == 0 {
		sub.Detail = NoPolicyOutcome
	} else {
		sub.Detail = fmt.Sprintf("Approval policy %q applies: %s.", r.PolicyName, plural(len(r.Stages), "stage", "stages"))
	}
	steps := []Step{sub}
	for _, st := range r.Stages {
		step := Step{Title: fmt.Sprintf("Stage %d of %d: %s", st.Position, len(r.Stages), st.Name), At: st.DecidedAt,
			Detail: needs(st) + "." + notes(st)}
		switch st.Status {
		case Approved:
			step.State, step.Title = "done", step.Title+" — approved"
		case Pending:
			step.State, step.Title = "current", step.Title+" — waiting for decisions"
		case Declined:
			step.State, step.Title = "ended", step.Title+" — declined"
		case Cancelled:
			step.State, step.Title = "ended", step.Title+" — cancelled"
		default:
			step.State = "upcoming"
			if r.Status != Pending {
				step.State, step.Title = "skipped", step.Title+" — not reached"
			}
		}
		for _, d := range r.Decisions {
			if d.Stage == st.Position && d.Verdict != Cancel {
				step.Decisions = append(step.Decisions, d)
			}
		}
		steps = append(steps, step)
	}
	switch r.Status {
	case Approved:
		steps = append(steps, Step{Title: "Approved", At: r.DecidedAt, State: "done", Detail: r.Outcome})
	case Declined:
		by := ""
		if d, ok := r.last(Decline); ok {
			by = " by " + d.Who()
		}
		steps = append(steps, Step{Title: "Declined" + by, At: r.DecidedAt, State: "ended", Detail: "Reason: " + r.Outcome})
	case Cancelled:
		by := ""
		if d, ok := r.last(Cancel); ok {
			by = " by " + d.Who()
		}
		steps = append(steps, Step{Title: "Cancelled" + by, At: r.DecidedAt, State: "ended", Detail: "Reason: " + r.Outcome})
	}
	return steps
}

func (r Request) last(verdict string) (Decision, bool) {
	for i := len(r.Decisions) - 1; i >= 0; i-- {
		if r.Decisions[i].Verdict == verdict {
			return r.Decisions[i], true
		}
	}
	return Decision{}, false
}

// WaitingFor returns the approvers of the current stage who have not
// decided yet; empty unless the request is pending.
func (r Request) WaitingFor() []Approver {
	st, ok := r.Stage(r.CurrentStage)
	if r.Status != Pending || !ok {
		return nil
	}
	var out []Approver
	for _, a := range st.Approvers {
		decided := false
		for _, d := range r.Decisions {
			decided = decided || (d.Stage == st.Position && d.ApproverID == a.PersonID)
		}
		if !decided {
			out = append(out, a)
		}
	}
	return out
}

// Next says in plain words what happens next.
func (r Request) Next() string {
	switch r.Status {
	case Approved:
		return fmt.Sprintf("Nothing more is needed: the %s goes ahead.", r.SubjectType)
	case Declined:
		return fmt.Sprintf("The %s does not go ahead. The requester can change it and ask again.", r.SubjectType)
	case Cancelled:
		return fmt.Sprintf("The %s was withdrawn. Nothing more happens.", r.SubjectType)
	}
	st, ok := r.Stage(r.CurrentStage)
	if !ok {
		return ""
	}
	approvals := 0
	for _, d := range r.Decisions {
		if d.Stage == st.Position && d.Verdict == Approve {
			approvals++
		}
	}
	more := st.Needed() - approvals
	next := fmt.Sprintf("Waiting for %s from %s (stage %d, %s).", plural(more, "more approval", "more approvals"),
		approverNames(r.WaitingFor()), st.Position, st.Name)
	if st.Position < len(r.Stages) {
		following := r.Stages[st.Position]
		next += fmt.Sprintf(" Then stage %d, %s.", following.Position, following.Name)
	} else {
		next += fmt.Sprintf(" This is the last stage: once it is approved, the %s goes ahead.", r.SubjectType)
	}
	return next
}

// needs says whose approval a stage needs.
func needs(st RequestStage) string {
	names := approverNames(st.Approvers)
	switch {
	case st.Quorum == QuorumAny && len(st.Approvers) > 1:
		return "Needs one approval, from any of " + names
	case st.Quorum == QuorumN && st.QuorumN < len(st.Approvers):
		return fmt.Sprintf("Needs %d approvals, from any of %s", st.QuorumN, names)
	case len(st.Approvers) == 1:
		return "Needs the approval of " + names
	}
	return "Needs the approval of each of " + names
}

// notes repeats, once each, why approvers were found further than usual.
func notes(st RequestStage) string {
	var out []string
	for _, a := range st.Approvers {
		if a.Note != "" && !slices.Contains(out, a.Note) {
			out = append(out, a.Note)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return " " + strings.Join(out, " ")
}

func approverNames(as []Approver) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

package demo

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
)

// The demo's technology needs: about 150 requests from all twelve
// departments, in every state of the front door, many of them for things
// the catalog already has, so that reuse suggestions, queues, the
// dashboard and the delivery gate have something real to show. They are
// data, in needs.yaml (its header describes the fields); this file plays
// them.
//
// Each need has a story (written, submitted, triaged, reviewed, decided,
// delivered …) that is played through the real front door, acting as the
// right demo person at each step. The stories are spread over the months
// before the clock's now: every step gets a moment in working hours, the
// steps of all needs are played in the order of those moments, and the
// front door used for loading reads a clock set to each moment. So the
// history, reviews, options, decisions, the audit log and the yearly
// references (NEED-2025-…, NEED-2026-…) all carry the time the step
// happened, and catalog prices are those of that day. About a third of the
// needs waiting in a stage with a service level have waited longer than it
// allows.
//
// The loading front door has no publisher: these are past events, and
// notifying about them now would fill the demo people's inboxes (and, with
// SMTP configured, send e-mail).

// stepClock is the time the loading front door reads: the moment of the
// step being played.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

// story is a need being played.
type story struct {
	spec      needSpec
	requester *access.Principal
	brm       *access.Principal
	sponsorID int64 // 0: none
	ref       string
	version   int
	options   []frontdoor.NeedOption // by way
}

// loadNeeds plays the demo needs through fd's rules, once the demo catalog
// cf is applied.
func loadNeeds(ctx context.Context, fd *frontdoor.Service, data *needsData, cf catalog.File) error {
	if fd == nil {
		return fmt.Errorf("loading demo needs: no front door")
	}
	o := fd.Org
	now := fd.Clock.Now()
	clock := &stepClock{t: now}
	loader := &frontdoor.Service{DB: fd.DB, Clock: clock, Org: o, Catalog: fd.Catalog, Approvals: fd.Approvals, Signals: fd.Signals}
	sys := access.System("demo data")

	principal := map[string]*access.Principal{}
	person := func(email string) (*access.Principal, error) {
		if p, ok := principal[email]; ok {
			return p, nil
		}
		who, err := o.FindPersonByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("demo needs: %s: %w", email, err)
		}
		p, err := o.Principal(ctx, who.ID, "demo")
		if err != nil {
			return nil, err
		}
		principal[email] = p
		return p, nil
	}
	architect, err := person("architect@example.com")
	if err != nil {
		return err
	}
	security, err := person("security@example.com")
	if err != nil {
		return err
	}
	finance, err := person("finance.reviewer@example.com")
	if err != nil {
		return err
	}
	board, err := person("board@example.com")
	if err != nil {
		return err
	}
	reviewer := map[string]*access.Principal{"architecture": architect, "security": security, "finance": finance}

	// Requesters: people of each department, heads and named accounts aside.
	depts, _, err := o.ListDepartments(ctx, sys, org.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	deptID := map[string]int64{}
	for _, d := range depts {
		deptID[d.Code] = d.ID
	}
	named := map[string]bool{}
	for _, a := range Accounts {
		named[a.Email] = true
	}
	staff := map[string][]string{}
	for _, dep := range departments {
		people, _, err := o.ListPeople(ctx, sys, org.ListFilter{DepartmentID: deptID[dep.code], Limit: 200})
		if err != nil {
			return err
		}
		for _, p := range people {
			if !named[p.Email] && !strings.HasPrefix(p.Email, "head.") {
				staff[dep.code] = append(staff[dep.code], p.Email)
			}
		}
		if len(staff[dep.code]) == 0 {
			return fmt.Errorf("demo needs: department %s has nobody to write needs", dep.code)
		}
	}

	// The offerings' ids, from the catalog the demo applied.
	offerings := map[string]int64{}
	for _, svc := range cf.Services {
		d, err := fd.Catalog.FindService(ctx, sys, svc.Slug)
		if err != nil {
			return fmt.Errorf("demo needs: service %s: %w", svc.Slug, err)
		}
		for _, off := range d.Offerings {
			offerings[off.Slug] = off.ID
		}
	}

	stories, err := timeline(data.Needs, now)
	if err != nil {
		return err
	}
	pl := &player{fd: loader, data: data, offerings: offerings, board: board, reviewer: reviewer, played: make([]*story, len(data.Needs))}
	var all []step
	for i, s := range data.Needs {
		st := &story{spec: s, options: make([]frontdoor.NeedOption, len(s.Ways))}
		email := cmp.Or(s.Requester, staff[s.Department][(i*37+11)%len(staff[s.Department])])
		if st.requester, err = person(email); err != nil {
			return fmt.Errorf("demo need %q, requester: %w", s.Title, err)
		}
		if st.brm, err = person(brmOf[topOf(s.Department)]); err != nil {
			return err
		}
		if s.Sponsor != "" {
			sponsor, err := o.FindPersonByEmail(ctx, s.Sponsor)
			if err != nil {
				return fmt.Errorf("demo need %q, sponsor %s: %w", s.Title, s.Sponsor, err)
			}
			st.sponsorID = sponsor.ID
		}
		for k, w := range s.Ways {
			if w.Reuse != "" && offerings[w.Reuse] == 0 {
				return fmt.Errorf("demo need %q, ways[%d].reuse: no offering %s", s.Title, k, w.Reuse)
			}
		}
		pl.played[i] = st
		all = append(all, stories[i]...)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].at.Before(all[b].at) })

	for _, stp := range all {
		clock.t = stp.at
		st := pl.played[stp.need]
		if err := pl.play(ctx, st, stp); err != nil {
			return fmt.Errorf("demo need %q, %s: %w", st.spec.Title, stp.action, err)
		}
	}

	// Decisions that no policy covers are approved at once; their approval
	// requests carry the moment of the decision, like everything else.
	if _, err := fd.DB.Exec(ctx, `UPDATE approval_requests SET
		created_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id),
		updated_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id),
		decided_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id)
		WHERE subject_type = ? AND EXISTS (SELECT 1 FROM needs n WHERE n.id = approval_requests.subject_id AND n.decided_at IS NOT NULL)`,
		frontdoor.SubjectNeed); err != nil {
		return fmt.Errorf("demo needs: dating approval requests: %w", err)
	}
	return nil
}

// topOf is the top-level department above code.
func topOf(code string) string {
	for p := parentOf(code); p != ""; p = parentOf(code) {
		code = p
	}
	return code
}

// player plays the needs' stories through a front door whose clock reads
// the moment of each step.
type player struct {
	fd        *frontdoor.Service
	data      *needsData
	offerings map[string]int64 // by slug
	board     *access.Principal
	reviewer  map[string]*access.Principal // by kind of review
	played    []*story                     // by need
}

// refOf is the reference of the first need titled title, once written.
func (pl *player) refOf(title string) string {
	for _, st := range pl.played {
		if st.spec.Title == title {
			return st.ref
		}
	}
	return ""
}

// play takes one step of a need's story as the person who would.
func (pl *player) play(ctx context.Context, st *story, stp step) error {
	fd, s, i := pl.fd, st.spec, stp.need
	board, reviewer := pl.board, pl.reviewer
	act := func(p *access.Principal, action string, in frontdoor.ActInput) error {
		in.Version = st.version
		n, err := fd.Act(ctx, p, st.ref, frontdoor.Action(action), in)
		if err != nil {
			return err
		}
		st.version = n.Version
		return nil
	}
	switch stp.action {
	case "create":
		in := frontdoor.NeedInput{Title: s.Title, Problem: s.Problem, Outcome: s.Outcome, Processes: pl.data.Processes[s.Department],
			Users: s.Users, DataClass: s.DataClass, Currency: "EUR"}
		if s.Budget != nil {
			bottom, top := decimal.NewFromInt(s.Budget.Min), decimal.NewFromInt(s.Budget.Max)
			in.BudgetMin, in.BudgetMax = &bottom, &top
		}
		in.SponsorID = st.sponsorID
		if i%4 == 1 {
			d := catalog.DateOf(stp.at.AddDate(0, 0, 45+i%90))
			in.NeededBy = &d
		}
		n, err := fd.Create(ctx, st.requester, in)
		if err != nil {
			return err
		}
		st.ref, st.version = n.Reference, n.Version
	case "submit", "accept_delivery":
		return act(st.requester, stp.action, frontdoor.ActInput{})
	case "withdraw":
		return act(st.requester, stp.action, frontdoor.ActInput{Reason: s.Story.Reason})
	case "edit":
		n, err := fd.Find(ctx, st.requester, st.ref)
		if err != nil {
			return err
		}
		in := n.Input()
		in.Problem += fmt.Sprintf("\n\nAdded after the question from IT: about %d people would use it, and it holds %s data.", s.Users, s.DataClass)
		n, err = fd.Update(ctx, st.requester, st.ref, st.version, in)
		if err != nil {
			return err
		}
		st.version = n.Version
	case "start_triage", "accept", "to_decision", "start_delivery", "deliver":
		return act(st.brm, stp.action, frontdoor.ActInput{})
	case "request_info", "reject_triage":
		return act(st.brm, stp.action, frontdoor.ActInput{Reason: s.Story.Reason})
	case "use_catalog":
		return act(st.brm, stp.action, frontdoor.ActInput{Reason: s.Story.Reason, OfferingID: pl.offerings[s.Ways[0].Reuse]})
	case "merge":
		target := pl.refOf(s.Story.Into)
		if target == "" {
			return fmt.Errorf("%q has not been written yet", s.Story.Into)
		}
		return act(st.brm, stp.action, frontdoor.ActInput{DuplicateOf: target,
			Reason: fmt.Sprintf("Same need as %s (%s); followed up there.", target, s.Story.Into)})
	case "add_option":
		w := s.Ways[stp.arg]
		in, proposer := optionInput(w, pl.offerings), st.brm
		if w.Build != "" {
			proposer = reviewer["architecture"]
		}
		if w.Reuse != "" {
			if _, _, err := fd.Catalog.FindOffering(ctx, proposer, in.OfferingID); err != nil {
				proposer = board // the service is meant for other departments than the BRM's own
			}
		}
		in.Version = st.version
		o, err := fd.AddOption(ctx, proposer, st.ref, in)
		if err != nil {
			return err
		}
		st.options[stp.arg], st.version = o, st.version+1
	case "add_alternative":
		in, proposer := alternative(s, pl.data.ReuseAlternatives), st.brm
		if in.Kind == "build" {
			proposer = reviewer["architecture"]
		}
		in.Version = st.version
		if _, err := fd.AddOption(ctx, proposer, st.ref, in); err != nil {
			return err
		}
		st.version++
	case "review_architecture", "review_security", "review_finance":
		kind := strings.TrimPrefix(stp.action, "review_")
		verdict, notes := "approve", ""
		switch kind {
		case "architecture":
			notes = pick(pl.data.ReviewNotes.Architecture, i)
		case "security":
			notes = pick(pl.data.ReviewNotes.Security[s.DataClass], i)
		case "finance":
			notes = pick(pl.data.ReviewNotes.Finance, i)
		}
		if notes != "" && i%2 == 0 {
			verdict = "approve_with_conditions"
		}
		if s.Story.Ends == frontdoor.Rejected && kind == "finance" {
			verdict, notes = "reject", "The benefit described does not justify the cost; see the board's decision."
		}
		n, err := fd.Review(ctx, reviewer[kind], st.ref, kind, verdict, notes, st.version)
		if err != nil {
			return err
		}
		st.version = n.Version
	case "decide":
		chosen := st.options[0]
		in := frontdoor.ActInput{OptionID: chosen.ID}
		in.Reason = pick(pl.data.DecisionReasons[chosen.Kind], i)
		if !chosen.CanHoldData {
			in.Exception = "Agreed with the security officer: only pseudonymised or minimal data goes into this service."
		}
		return act(board, stp.action, in)
	case "reject":
		return act(board, stp.action, frontdoor.ActInput{Reason: s.Story.Reason})
	default:
		return fmt.Errorf("unknown step")
	}
	return nil
}

// pick is the text of texts for need i, so that the demo reads differently
// from need to need; "" when there are none.
func pick(texts []string, i int) string {
	if len(texts) == 0 {
		return ""
	}
	return texts[i%len(texts)]
}

// alternative is the option weighed against a need's only way: buying
// something similar instead of reusing, building instead of buying, or
// buying instead of building. Amounts are rounded to what people quote.
func alternative(s needSpec, alternatives map[string]alternativeSpec) frontdoor.NeedOptionInput {
	w := s.Ways[0]
	kind, _ := w.kind()
	thousands := func(v int64) *decimal.Decimal {
		d := decimal.NewFromInt(max(v, 0)).Div(decimal.NewFromInt(1000)).Round(0).Mul(decimal.NewFromInt(1000))
		return &d
	}
	tens := func(v int64) *decimal.Decimal {
		d := decimal.NewFromInt(max(v, 0)).Div(decimal.NewFromInt(10)).Round(0).Mul(decimal.NewFromInt(10))
		return &d
	}
	if alt, ok := alternatives[w.Reuse]; ok && kind == wayReuse {
		one := alt.oneTime
		monthly := alt.perUser.Mul(decimal.NewFromInt(int64(s.Users))).Add(decimal.NewFromInt(alt.Fixed))
		return frontdoor.NeedOptionInput{Kind: "buy", Title: alt.Title, Vendor: alt.Vendor, OneTime: &one, Monthly: &monthly,
			DeliveryDays: int(alt.Days), DataCeiling: alt.DataCeiling, Currency: "EUR",
			Risks: "A second product for the same job: another contract, another sign-in, data in two places."}
	}
	if kind == wayBuild {
		return frontdoor.NeedOptionInput{Kind: "buy", Title: "A packaged product, with the process adapted to it", Vendor: "Shortlisted vendor",
			OneTime: thousands(w.OneTime / 3), Monthly: tens(w.OneTime/30 + w.Monthly), DeliveryDays: 45, DataCeiling: "confidential", Currency: "EUR",
			Risks: "The process changes to fit the product; licence prices rise with use."}
	}
	yearly := w.OneTime + 12*w.Monthly
	if kind == wayReuse {
		yearly = 12000
	}
	return frontdoor.NeedOptionInput{Kind: "build", Title: "Build it with the solution delivery team", Vendor: "Solution delivery team",
		OneTime: thousands(max(2*yearly, 20000)), Monthly: tens(max(w.Monthly/4, 150)), DeliveryDays: 90, DataCeiling: "restricted", Currency: "EUR",
		Risks: "Months before anything is usable; IT maintains it for years after."}
}

// optionInput is how a way is proposed.
func optionInput(w way, offerings map[string]int64) frontdoor.NeedOptionInput {
	kind, title := w.kind()
	if kind == wayReuse {
		return frontdoor.NeedOptionInput{Kind: wayReuse, OfferingID: offerings[title]}
	}
	one, monthly := decimal.NewFromInt(w.OneTime), decimal.NewFromInt(w.Monthly)
	in := frontdoor.NeedOptionInput{Kind: kind, Title: title, Vendor: w.Vendor, OneTime: &one, Monthly: &monthly, Currency: "EUR"}
	switch kind {
	case wayBuy:
		in.DeliveryDays, in.DataCeiling = 30, "confidential"
		in.Risks = "Vendor lock-in: data export and exit terms to be agreed in the contract."
	case wayBuild:
		in.DeliveryDays, in.DataCeiling = 90, "restricted"
		in.Risks = "Needs a product owner in the department, and maintenance by IT after go-live."
	case wayBroker:
		in.DeliveryDays, in.DataCeiling = 20, "confidential"
		in.Risks = "Depends on the partner's capacity; the framework contract is renewed yearly."
	}
	if w.Vendor == "" && kind == wayBuild {
		in.Vendor = "Solution delivery team"
	}
	return in
}

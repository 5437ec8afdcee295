package frontdoor_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

type world struct {
	fd                                                 *frontdoor.Service
	d                                                  *db.DB
	clock                                              *engage.FixedClock
	riley, other, brm, arch, sec, fin, board, stranger *access.Principal
	chat                                               int64 // offering id
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)) // a Monday
	o := &org.Service{DB: d, Clock: clock}
	lab, _ := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Laboratory"})
	it, _ := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "IT", Name: "IT"})
	sales, _ := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SALES", Name: "Sales"})
	person := func(email string, dept int64, roles ...access.Role) *access.Principal {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: email, Name: strings.Split(email, "@")[0], DepartmentID: dept, Active: true, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return &access.Principal{PersonID: p.ID, Name: p.Name, DepartmentID: dept, Roles: roles}
	}
	w := world{d: d, clock: clock}
	w.riley = person("riley@example.com", lab.ID, access.Requester)
	w.other = person("pat@example.com", lab.ID, access.Requester)
	w.stranger = person("sam@example.com", sales.ID, access.Requester)
	w.brm = person("brm@example.com", it.ID, access.Requester, access.BRM)
	w.arch = person("arch@example.com", it.ID, access.ReviewerArchitecture)
	w.sec = person("sec@example.com", it.ID, access.ReviewerSecurity)
	w.fin = person("fin@example.com", it.ID, access.ReviewerFinance)
	w.board = person("board@example.com", it.ID, access.PortfolioBoard)
	labIn := lab.Input()
	labIn.BRMID = w.brm.PersonID
	if _, err := o.UpdateDepartment(ctx, sys, lab.ID, lab.Version, labIn); err != nil {
		t.Fatal(err)
	}
	w.brm.Covered, w.brm.BRMFor = []int64{lab.ID}, []int64{lab.ID}
	ap, err := approval.New(ctx, d, clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	w.fd = &frontdoor.Service{DB: d, Clock: clock, Org: o, Catalog: cat, Approvals: ap}
	ap.OnDecided(frontdoor.SubjectNeed, w.fd.Decided)
	svc, err := cat.CreateService(ctx, sys, catalog.ServiceInput{Name: "Team chat and meetings", Summary: "Chat, meetings and calls",
		Description: "Channels for team collaboration.", Kind: "business", Family: "collaboration", Sourcing: "bought", Vendor: "Microsoft",
		Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: "standard", AudienceAll: true, Tags: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	off, err := cat.CreateOffering(ctx, sys, svc.ID, catalog.OfferingInput{Name: "Licence", Lifecycle: "live", LeadTimeDays: 2},
		[]catalog.RatePlan{{Currency: "EUR", Unit: "person-month", UnitPrice: decimal.RequireFromString("6.50"), EffectiveFrom: catalog.DateOf(clock.Now().AddDate(-1, 0, 0)), Tiers: []catalog.Tier{}}})
	if err != nil {
		t.Fatal(err)
	}
	w.chat = off.ID
	return w
}

func (w world) newNeed(t *testing.T, title string) frontdoor.Need {
	t.Helper()
	n, err := w.fd.Create(context.Background(), w.riley, frontdoor.NeedInput{Title: title, Problem: "We email files around.",
		Outcome: "A shared place to chat and meet.", Users: 40, DataClass: "confidential"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w world) act(t *testing.T, p *access.Principal, ref string, action frontdoor.Action, in frontdoor.ActInput) (frontdoor.Need, error) {
	t.Helper()
	// The requester reads every need of theirs, drafts included.
	n, err := w.fd.Find(context.Background(), w.riley, ref)
	if err != nil {
		t.Fatal(err)
	}
	in.Version = n.Version
	return w.fd.Act(context.Background(), p, ref, action, in)
}

func TestNeedJourneyAndGate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		n := w.newNeed(t, "Team chat for the lab")
		if n.Reference != "NEED-2026-0001" || n.State != frontdoor.Draft {
			t.Fatalf("new need = %+v", n)
		}
		gate := func(want bool) {
			t.Helper()
			a, err := w.fd.Gate(ctx, w.stranger, n.Reference)
			if err != nil || a.Allowed != want || a.Title != "" {
				t.Fatalf("gate in %s = %+v, %v; want allowed %v and no title for a stranger", n.State, a, err, want)
			}
		}
		gate(false)
		// Someone from Sales cannot read the Laboratory's need.
		if _, err := w.fd.Find(ctx, w.stranger, n.Reference); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("stranger reading = %v", err)
		}
		must := func(p *access.Principal, action frontdoor.Action, in frontdoor.ActInput) {
			t.Helper()
			var err error
			if n, err = w.act(t, p, n.Reference, action, in); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
		}
		must(w.riley, "submit", frontdoor.ActInput{})
		if n.BRMName != "brm" || n.SubmittedAt == nil {
			t.Fatalf("submitted need = %+v", n)
		}
		must(w.brm, "start_triage", frontdoor.ActInput{})
		// Asking for information needs a reason, and sends it back.
		if _, err := w.act(t, w.brm, n.Reference, "request_info", frontdoor.ActInput{}); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("request_info without reason = %v", err)
		}
		must(w.brm, "request_info", frontdoor.ActInput{Reason: "How many external guests?"})
		must(w.riley, "submit", frontdoor.ActInput{})
		must(w.brm, "start_triage", frontdoor.ActInput{})
		must(w.brm, "accept", frontdoor.ActInput{})
		if _, err := w.act(t, w.brm, n.Reference, "to_decision", frontdoor.ActInput{}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("to decision without reviews = %v", err)
		}
		// Reviews by their roles; the finance reviewer cannot record the security review.
		if _, err := w.fd.Review(ctx, w.fin, n.Reference, "security", "approve", "", 0); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("wrong reviewer = %v", err)
		}
		for _, r := range []struct {
			p    *access.Principal
			kind string
		}{{w.arch, "architecture"}, {w.sec, "security"}, {w.fin, "finance"}} {
			if _, err := w.fd.Review(ctx, r.p, n.Reference, r.kind, "approve", "Fine.", 0); err != nil {
				t.Fatal(err)
			}
		}
		// Each review took the need's next version: a review or an option on
		// the version read before them is refused and changes nothing.
		stale := n.Version
		if _, err := w.fd.Review(ctx, w.arch, n.Reference, "architecture", "reject", "Too risky.", stale); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("review on a stale version = %v; want a conflict", err)
		}
		if _, err := w.fd.AddOption(ctx, w.arch, n.Reference, frontdoor.NeedOptionInput{Kind: "reuse", OfferingID: w.chat, Version: stale}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("option on a stale version = %v; want a conflict", err)
		}
		detail, err := w.fd.Get(ctx, w.arch, n.Reference)
		if err != nil || detail.Need.Version != stale+3 || len(detail.Options) != 0 || len(detail.Reviews) != 3 {
			t.Fatalf("after stale changes: version %d (read %d), %d options, %d reviews, %v", detail.Need.Version, stale, len(detail.Options), len(detail.Reviews), err)
		}
		for _, r := range detail.Reviews {
			if r.Verdict != "approve" {
				t.Errorf("the stale review replaced the %s review: %+v", r.Kind, r)
			}
		}
		// Options: reuse priced from the catalog for 40 users; build with costs.
		reuse, err := w.fd.AddOption(ctx, w.arch, n.Reference, frontdoor.NeedOptionInput{Kind: "reuse", OfferingID: w.chat, Version: detail.Need.Version})
		if err != nil {
			t.Fatal(err)
		}
		// 40 × 6.50 = 260.00 a month; 36 × 260 = 9,360.00 over three years.
		if !reuse.Monthly.Equal(decimal.RequireFromString("260")) || !reuse.ThreeYear.Equal(decimal.RequireFromString("9360")) || reuse.CanHoldData {
			t.Fatalf("reuse option = %+v (the service holds internal data; the need is confidential)", reuse)
		}
		oneTime, monthly := decimal.RequireFromString("40000"), decimal.RequireFromString("500")
		build, err := w.fd.AddOption(ctx, w.arch, n.Reference, frontdoor.NeedOptionInput{Kind: "build", Title: "Build a chat tool",
			OneTime: &oneTime, Monthly: &monthly, DeliveryDays: 120, DataCeiling: "restricted"})
		if err != nil || !build.ThreeYear.Equal(decimal.RequireFromString("58000")) || !build.CanHoldData {
			t.Fatalf("build option = %+v, %v", build, err)
		}
		must(w.brm, "to_decision", frontdoor.ActInput{})
		// The ranking's read of many needs at once answers as Get does, and
		// nothing of a need the reader may not read.
		full, err := w.fd.Get(ctx, w.board, n.Reference)
		if err != nil {
			t.Fatal(err)
		}
		reviews, options, err := w.fd.ReviewsAndOptions(ctx, w.board, []frontdoor.Need{full.Need})
		if err != nil || !reflect.DeepEqual(reviews[full.Need.ID], full.Reviews) || !reflect.DeepEqual(options[full.Need.ID], full.Options) {
			t.Fatalf("reviews and options read at once: %+v %+v, %v; Get: %+v %+v", reviews, options, err, full.Reviews, full.Options)
		}
		if reviews, options, err := w.fd.ReviewsAndOptions(ctx, w.stranger, []frontdoor.Need{full.Need}); err != nil || len(reviews)+len(options) != 0 {
			t.Fatalf("a stranger reads %d needs' reviews and %d needs' options, %v", len(reviews), len(options), err)
		}
		// The board may not pick the reuse option without an exception: it cannot hold the data.
		if _, err := w.act(t, w.board, n.Reference, "decide", frontdoor.ActInput{OptionID: reuse.ID, Reason: "Reuse"}); len(engage.ErrorFields(err)) != 1 ||
			engage.ErrorFields(err)[0].Field != "exception" {
			t.Fatalf("deciding an option that cannot hold the data = %v", err)
		}
		if _, err := w.act(t, w.brm, n.Reference, "decide", frontdoor.ActInput{OptionID: reuse.ID}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a BRM deciding = %v", err)
		}
		must(w.board, "decide", frontdoor.ActInput{OptionID: reuse.ID, Reason: "Already used by most departments", Exception: "Chat only; documents stay in the document system."})
		if n.State != frontdoor.Approved || n.DecisionOptionID != reuse.ID {
			t.Fatalf("decided need = %+v", n)
		}
		gate(true)
		must(w.brm, "start_delivery", frontdoor.ActInput{})
		gate(true)
		must(w.brm, "deliver", frontdoor.ActInput{})
		gate(false)
		must(w.riley, "reopen", frontdoor.ActInput{Reason: "Guests cannot join yet."})
		must(w.brm, "deliver", frontdoor.ActInput{})
		must(w.riley, "accept_delivery", frontdoor.ActInput{})
		if n.State != frontdoor.Closed {
			t.Fatalf("final state = %s", n.State)
		}
		a, _ := w.fd.Gate(ctx, w.riley, n.Reference)
		if a.Allowed || !strings.HasPrefix(a.Reason, "Closed") || a.Title != "Team chat for the lab" {
			t.Fatalf("gate on a closed need = %+v", a)
		}
		a, _ = w.fd.Gate(ctx, w.riley, "NEED-2026-9999")
		if a.Allowed || !strings.HasPrefix(a.Reason, "Unknown reference") {
			t.Fatalf("gate on an unknown reference = %+v", a)
		}
		detail, err = w.fd.Get(ctx, w.riley, n.Reference)
		if err != nil || len(detail.Events) < 14 || len(detail.Reviews) != 3 || len(detail.Options) != 2 || detail.Options[0].Exception == "" {
			t.Fatalf("detail = %d events, %d reviews, %d options, %v", len(detail.Events), len(detail.Reviews), len(detail.Options), err)
		}
		// A stale version is refused and changes nothing.
		n2 := w.newNeed(t, "Another need")
		if _, err := w.fd.Act(ctx, w.riley, n2.Reference, "submit", frontdoor.ActInput{Version: n2.Version + 1}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("stale submit = %v", err)
		}
		if got, _ := w.fd.Find(ctx, w.riley, n2.Reference); got.State != frontdoor.Draft {
			t.Fatalf("a stale submit moved the need to %s", got.State)
		}
	})
}

// TestBRMActsOnlyWhereTheyAreBRM: the BRM role counts in the departments
// the person is BRM of; heading the laboratory does not make a BRM its BRM,
// nor does a gate-only token act as anyone.
func TestBRMActsOnlyWhereTheyAreBRM(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		n := w.newNeed(t, "Team chat for the lab")
		if _, err := w.act(t, w.riley, n.Reference, "submit", frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		head := *w.brm
		head.PersonID, head.BRMFor, head.Heads, head.Covered = w.board.PersonID, nil, []int64{n.DepartmentID}, []int64{n.DepartmentID}
		if _, err := w.act(t, &head, n.Reference, "start_triage", frontdoor.ActInput{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a BRM who heads the department but is not its BRM starting triage = %v; want forbidden", err)
		}
		gateOnly := *w.brm
		gateOnly.Scope = access.ScopeGate
		if _, err := w.act(t, &gateOnly, n.Reference, "start_triage", frontdoor.ActInput{}); err == nil {
			t.Error("a gate-only token of the BRM started triage")
		}
		if a, err := w.fd.Gate(ctx, &gateOnly, n.Reference); err != nil || a.State != frontdoor.Submitted || a.Title != "" {
			t.Errorf("gate for a gate-only token = %+v, %v; want the state without the title", a, err)
		}
		if _, err := w.act(t, w.brm, n.Reference, "start_triage", frontdoor.ActInput{}); err != nil {
			t.Errorf("the lab's BRM starting triage = %v", err)
		}
	})
}

// TestEveryTransition tries every action from every state with the right
// role and with a wrong one: only the table's moves succeed.
func TestEveryTransition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		actors := map[string]*access.Principal{frontdoor.ByRequester: w.riley, frontdoor.ByBRM: w.brm, frontdoor.ByBoard: w.board, frontdoor.ByDelivery: w.brm}
		wrong := map[string]*access.Principal{frontdoor.ByRequester: w.other, frontdoor.ByBRM: w.riley, frontdoor.ByBoard: w.brm, frontdoor.ByDelivery: w.riley}
		for _, action := range frontdoor.Actions() {
			for _, state := range frontdoor.States {
				n := w.newNeed(t, string(action)+" from "+string(state))
				// Put the need in the state under test, with what that state implies.
				// As if it had been submitted once (a draft: sent back for
				// more information), so that others read it.
				if _, err := d.Exec(ctx, "UPDATE needs SET state = ?, submitted_at = state_since WHERE id = ?", state, n.ID); err != nil {
					t.Fatal(err)
				}
				if state == frontdoor.Decision || state == frontdoor.Assessment {
					for _, r := range []struct {
						p    *access.Principal
						kind string
					}{{w.arch, "architecture"}, {w.sec, "security"}, {w.fin, "finance"}} {
						if state == frontdoor.Assessment {
							if _, err := w.fd.Review(ctx, r.p, n.Reference, r.kind, "approve", "", 0); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
				in := frontdoor.ActInput{Reason: "because"}
				switch action {
				case "merge":
					in.DuplicateOf = "NEED-2026-0001"
				case "use_catalog":
					in.OfferingID = w.chat
				case "decide":
					if state == frontdoor.Decision {
						if _, err := d.Exec(ctx, "UPDATE needs SET state = ? WHERE id = ?", frontdoor.Triage, n.ID); err != nil {
							t.Fatal(err)
						}
						o, err := w.fd.AddOption(ctx, w.brm, n.Reference, frontdoor.NeedOptionInput{Kind: "reuse", OfferingID: w.chat})
						if err != nil {
							t.Fatal(err)
						}
						in.OptionID, in.Exception = o.ID, "accepted"
						d.Exec(ctx, "UPDATE needs SET state = ? WHERE id = ?", state, n.ID)
					}
				}
				tr, allowed := frontdoor.TransitionFor(action, state)
				if !allowed {
					for _, p := range []*access.Principal{w.riley, w.brm, w.board} {
						if _, err := w.act(t, p, n.Reference, action, in); engage.ErrorCode(err) != engage.ECONFLICT {
							t.Errorf("%s from %s by %s = %v; want conflict", action, state, p.Name, err)
						}
					}
					continue
				}
				if _, err := w.act(t, wrong[tr.By], n.Reference, action, in); engage.ErrorCode(err) != engage.EFORBIDDEN {
					t.Errorf("%s from %s by the wrong person = %v; want forbidden", action, state, err)
				}
				if tr.Reason {
					if _, err := w.act(t, actors[tr.By], n.Reference, action, frontdoor.ActInput{DuplicateOf: in.DuplicateOf, OfferingID: in.OfferingID}); engage.ErrorCode(err) != engage.EINVALID {
						t.Errorf("%s from %s without a reason = %v; want invalid", action, state, err)
					}
				}
				got, err := w.act(t, actors[tr.By], n.Reference, action, in)
				if err != nil {
					t.Errorf("%s from %s = %v", action, state, err)
				} else if got.State != tr.To {
					t.Errorf("%s from %s reached %s; want %s", action, state, got.State, tr.To)
				}
			}
		}
		// Final states have no way out.
		for _, tr := range frontdoor.Transitions {
			if slices.ContainsFunc(tr.From, frontdoor.Final) {
				t.Errorf("%s leaves a final state", tr.Action)
			}
		}
	})
}

func TestReuseSuggestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		first := w.newNeed(t, "Chat tool for field sales")
		if _, err := w.act(t, w.riley, first.Reference, "submit", frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		w.newNeed(t, "Team chat draft") // drafts are private: never suggested
		s, err := w.fd.Suggest(ctx, w.stranger, "team chat for the lab", "", 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Services) == 0 || s.Services[0].Name != "Team chat and meetings" {
			t.Fatalf("suggested services = %+v", s.Services)
		}
		if len(s.Needs) != 1 || s.Needs[0].Reference != first.Reference || s.Needs[0].DepartmentName != "Laboratory" {
			t.Fatalf("suggested needs = %+v", s.Needs)
		}
		suggested := func(fd *frontdoor.Service) []string {
			t.Helper()
			s, err := fd.Suggest(ctx, w.stranger, "team chat for the lab", "", 5)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, m := range s.Needs {
				refs = append(refs, m.Reference+" "+string(m.State))
			}
			return refs
		}
		// A change made here shows in the very next suggestion, and a
		// withdrawn need is no longer suggested.
		second := w.newNeed(t, "Chat for the lab's visitors")
		if _, err := w.act(t, w.riley, second.Reference, "submit", frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		if got := suggested(w.fd); len(got) != 2 || !slices.Contains(got, second.Reference+" submitted") {
			t.Fatalf("after submitting %s: suggested %v", second.Reference, got)
		}
		if _, err := w.act(t, w.riley, first.Reference, "withdraw", frontdoor.ActInput{Reason: "Found one."}); err != nil {
			t.Fatal(err)
		}
		if got := suggested(w.fd); !slices.Equal(got, []string{second.Reference + " submitted"}) {
			t.Fatalf("after withdrawing %s: suggested %v", first.Reference, got)
		}
		// Another replica's changes show within a second.
		replica := &frontdoor.Service{DB: w.d, Clock: w.clock, Org: w.fd.Org, Catalog: w.fd.Catalog, Approvals: w.fd.Approvals}
		if got := suggested(replica); !slices.Equal(got, []string{second.Reference + " submitted"}) {
			t.Fatalf("another replica: suggested %v", got)
		}
		if _, err := w.act(t, w.riley, second.Reference, "withdraw", frontdoor.ActInput{Reason: "Found one."}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond)
		if got := suggested(replica); len(got) != 0 {
			t.Fatalf("another replica, a second after %s was withdrawn: suggested %v", second.Reference, got)
		}
	})
}

// Suggestions asked for while needs are written, from many callers at
// once, never fail and never show a need that cannot be suggested.
func TestReuseSuggestionsWhileWriting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		stop := make(chan struct{})
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					s, err := w.fd.Suggest(ctx, w.stranger, "chat for the lab", "", 5)
					if err != nil {
						errs <- err
						return
					}
					for _, m := range s.Needs {
						if m.Reference == "" || m.State == frontdoor.Draft || m.State == frontdoor.Withdrawn {
							errs <- fmt.Errorf("suggested %+v", m)
							return
						}
					}
				}
			})
		}
		var submitted []string
		for i := range 6 {
			n := w.newNeed(t, fmt.Sprintf("Chat number %d for the lab", i))
			if _, err := w.act(t, w.riley, n.Reference, "submit", frontdoor.ActInput{}); err != nil {
				t.Fatal(err)
			}
			if i%2 == 1 {
				if _, err := w.act(t, w.riley, n.Reference, "withdraw", frontdoor.ActInput{Reason: "Not needed."}); err != nil {
					t.Fatal(err)
				}
			} else {
				submitted = append(submitted, n.Reference)
			}
		}
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		s, err := w.fd.Suggest(ctx, w.stranger, "chat for the lab", "", 5)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range s.Needs {
			got = append(got, m.Reference)
		}
		slices.Sort(got)
		if !slices.Equal(got, submitted) {
			t.Fatalf("suggested %v, want %v", got, submitted)
		}
	})
}

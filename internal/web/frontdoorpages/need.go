package frontdoorpages

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/web/page"
)

// actionForm is one workflow action offered on the need page.
type actionForm struct {
	Action, Label string
	Reason        bool // the transition requires a reason
	Danger        bool // it refuses, reverses or ends the need
}

// reviewCard is one of the three reviews of a need.
type reviewCard struct {
	Kind   string
	Review *frontdoor.NeedReview
	Record bool // the person may record it now
}

// resolutions say how a need that was not decided by the board ended, by
// the action that ended it.
var resolutions = map[string]string{
	"merge":         "Closed as a duplicate of another need",
	"use_catalog":   "Closed: met by an offering of the catalog",
	"reject_triage": "Rejected at triage",
	"reject":        "Rejected",
	"withdraw":      "Withdrawn by the requester",
}

func (s *Pages) needPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderNeed(w, r, page.Base{}, http.StatusOK)
}

// renderNeed shows a need with the forms of what the person may do; a
// rejected form comes back with its errors and what was typed.
func (s *Pages) renderNeed(w http.ResponseWriter, r *http.Request, base page.Base, status int) error {
	ctx, p := r.Context(), page.Principal(r)
	d, err := s.FrontDoor.Get(ctx, p, r.PathValue("reference"))
	if err != nil {
		return err
	}
	n := d.Need
	base.Title, base.Nav = n.Reference+": "+n.Title, "frontdoor"
	v := &needView{Base: base, D: d, N: n}

	var forms []actionForm
	for _, t := range frontdoor.Transitions {
		if slices.Contains(d.Actions, string(t.Action)) && slices.Contains(t.From, n.State) && !slices.ContainsFunc(forms, func(f actionForm) bool { return f.Action == string(t.Action) }) {
			forms = append(forms, actionForm{Action: string(t.Action), Label: t.Label, Reason: t.Reason,
				Danger: t.Reason || t.To == frontdoor.Rejected || t.To == frontdoor.Withdrawn})
		}
	}
	// Moves forward first; those that need a reason are folded below them.
	slices.SortStableFunc(forms, func(a, b actionForm) int {
		switch {
		case a.Reason == b.Reason:
			return 0
		case b.Reason:
			return -1
		}
		return 1
	})
	v.Forms, v.CanEdit = forms, slices.Contains(d.Actions, "edit")

	var cards []reviewCard
	for _, k := range frontdoor.ReviewKinds {
		c := reviewCard{Kind: k, Record: slices.Contains(d.Actions, "review_"+k)}
		for i := range d.Reviews {
			if d.Reviews[i].Kind == k {
				c.Review = &d.Reviews[i]
			}
		}
		cards = append(cards, c)
	}
	v.Reviews, v.Verdicts = cards, frontdoor.Verdicts

	v.CanPropose = slices.Contains(d.Actions, "add_option")
	if v.CanPropose || slices.Contains(d.Actions, "use_catalog") {
		if v.Offerings, err = s.Catalog.OrderableOfferings(ctx, p); err != nil {
			return err
		}
	}

	var chosen *frontdoor.NeedOption
	for i := range d.Options {
		if d.Options[i].ID == n.DecisionOptionID {
			chosen = &d.Options[i]
		}
	}
	v.Chosen = chosen
	// The order is the need's department's, whoever places it.
	v.CanOrder = frontdoor.CanOrderReuse(p, d)

	v.HasActions = len(d.Actions) > 0 || v.CanOrder
	if n.CatalogOffering != 0 {
		if o, svc, err := s.Catalog.FindOffering(ctx, p, n.CatalogOffering); err == nil {
			v.CatalogOffering = &offeringLink{Name: svc.Name + " — " + o.Name, Slug: svc.Slug}
		}
	}
	if len(n.Departments) > 0 {
		depts, err := s.departmentsOf(r)
		if err != nil {
			return err
		}
		var names []string
		for _, dep := range depts {
			if slices.Contains(n.Departments, dep.ID) {
				names = append(names, dep.Name)
			}
		}
		v.Affected = strings.Join(names, ", ")
	}
	v.Budget = budgetText(n)
	// Why a need was stopped is the reason of the move that stopped it,
	// and how it ended is what that move was (merged, met by the catalog,
	// withdrawn, rejected).
	if frontdoor.Final(n.State) {
		for _, e := range d.Events {
			if e.To == n.State && e.From != e.To {
				v.Stopped = e.Reason
				v.Resolution = resolutions[e.Action]
			}
		}
	}
	v.Progress = needProgress(n.State, d.Events)
	// The decision's approval is linked only for those who may read it.
	if n.ApprovalID != 0 {
		_, err := s.Approval.FindRequest(ctx, p, n.ApprovalID)
		v.SeesApproval = err == nil
	}
	// What already exists stays in view until the board has decided.
	if slices.Contains([]frontdoor.State{frontdoor.Draft, frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision}, n.State) {
		sg, err := s.suggest(r, n.Title, n.Problem, n.Reference)
		if err != nil {
			return err
		}
		v.Suggest = &sg
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.Render(w, r, "need.html", v)
	return nil
}

// actOnNeed takes one workflow action; the form says which.
func (s *Pages) actOnNeed(w http.ResponseWriter, r *http.Request) error {
	action := r.PostFormValue("action")
	var v engage.Validation
	in := frontdoor.ActInput{Version: page.FormVersion(r), Reason: r.PostFormValue("reason"), DuplicateOf: r.PostFormValue("duplicate_of"),
		OfferingID: page.FormID(r, "offering_id", &v), OptionID: page.FormID(r, "option_id", &v), Exception: r.PostFormValue("exception")}
	err := v.Err()
	var n frontdoor.Need
	if err == nil {
		n, err = s.FrontDoor.Act(r.Context(), page.Principal(r), r.PathValue("reference"), frontdoor.Action(action), in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID && action == "submit" {
		// What a draft lacks is fixed on its form, where the fields are.
		draft, ferr := s.FrontDoor.Find(r.Context(), page.Principal(r), r.PathValue("reference"))
		if ferr != nil {
			return ferr
		}
		return s.showNeedForm(w, r, draft.Reference, page.Base{Form: s.needFormOf(r, draft), Errors: needFieldErrors(err)}, http.StatusUnprocessableEntity)
	} else if code == engage.EINVALID || code == engage.ECONFLICT {
		return s.renderNeed(w, r, refused(err, r, action+"-"), statusOfFormError(err))
	} else if err != nil {
		return err
	}
	s.Flash(w, actedMessage(n, action))
	http.Redirect(w, r, "/needs/"+n.Reference, http.StatusSeeOther)
	return nil
}

// actedMessage confirms an action in plain words.
func actedMessage(n frontdoor.Need, action string) string {
	switch {
	case action == "decide" && n.State == frontdoor.Decision:
		return "Decision recorded for " + n.Reference + ". It now waits for the approvals it needs."
	case n.State == frontdoor.Draft:
		return n.Reference + " is back with " + n.RequesterName + " as a draft, with your question."
	case action == "submit":
		return "Submitted " + n.Reference + ". " + nextAfterSubmit(n)
	}
	return n.Reference + " is now " + strings.ToLower(frontdoor.StateLabels[n.State]) + "."
}

// reviewNeed records a reviewer's verdict.
func (s *Pages) reviewNeed(w http.ResponseWriter, r *http.Request) error {
	kind := r.PostFormValue("kind")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	n, err := s.FrontDoor.Review(r.Context(), page.Principal(r), r.PathValue("reference"), kind, r.PostFormValue("verdict"), r.PostFormValue("notes"), version)
	prefix := "review-" + kind + "-"
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		return s.renderNeed(w, r, refused(err, r, prefix), statusOfFormError(err))
	} else if err != nil {
		return err
	}
	s.Flash(w, "Your "+kind+" review of "+n.Reference+" is recorded.")
	http.Redirect(w, r, "/needs/"+n.Reference+"#reviews", http.StatusSeeOther)
	return nil
}

// addNeedOption proposes a way to meet the need.
func (s *Pages) addNeedOption(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := frontdoor.NeedOptionInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Vendor: r.PostFormValue("vendor"),
		Currency: r.PostFormValue("currency"), OneTime: formAmount(r, "one_time", "1200.50", &v), Monthly: formAmount(r, "monthly", "1200.50", &v),
		Risks:       r.PostFormValue("risks"),
		DataCeiling: r.PostFormValue("data_ceiling")}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if in.Kind == "reuse" {
		in.OfferingID = page.FormID(r, "offering_id", &v)
	}
	if text := strings.TrimSpace(r.PostFormValue("delivery_days")); text != "" {
		days, err := strconv.Atoi(text)
		if err != nil {
			v.Add("delivery_days", "Enter a whole number of days.")
		}
		in.DeliveryDays = days
	}
	err := v.Err()
	var opt frontdoor.NeedOption
	if err == nil {
		opt, err = s.FrontDoor.AddOption(r.Context(), page.Principal(r), r.PathValue("reference"), in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		return s.renderNeed(w, r, refused(err, r, "option-"), statusOfFormError(err))
	} else if err != nil {
		return err
	}
	s.Flash(w, "Option added: "+opt.Title+".")
	http.Redirect(w, r, "/needs/"+r.PathValue("reference")+"#options", http.StatusSeeOther)
	return nil
}

// orderNeed orders the reused catalog offering of a decided need.
func (s *Pages) orderNeed(w http.ResponseWriter, r *http.Request) error {
	o, err := s.FrontDoor.OrderReuse(r.Context(), page.Principal(r), r.PathValue("reference"))
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		return s.renderNeed(w, r, page.Base{Errors: prefixFields(err, "order-")}, statusOfFormError(err))
	} else if err != nil {
		return err
	}
	msg := "Order " + o.Number + " placed for " + r.PathValue("reference") + ". "
	if o.Status == catalog.OrderPending {
		msg += "It now waits for approval; you can follow it here."
	} else {
		msg += "No approval was needed: the subscription is in place."
	}
	s.Flash(w, msg)
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

// gatePage answers the delivery gate for a reference typed in.
func (s *Pages) gatePage(w http.ResponseWriter, r *http.Request) error {
	ref := strings.TrimSpace(r.URL.Query().Get("reference"))
	v := &gateView{Base: page.Base{Title: "Delivery gate", Nav: "frontdoor", Form: map[string]string{"reference": ref}}}
	if ref != "" {
		a, err := s.FrontDoor.Gate(r.Context(), page.Principal(r), ref)
		if err != nil {
			return err
		}
		v.Answer = &a
	} else if r.URL.Query().Has("reference") {
		v.Errors = []engage.FieldError{{Field: "reference", Message: "Enter a need's reference, such as NEED-2026-0042."}}
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "need_gate.html", v)
	return nil
}

// budgetText says a need's budget range.
func budgetText(n frontdoor.Need) string {
	switch {
	case n.BudgetMin != nil && n.BudgetMax != nil && n.BudgetMin.Equal(*n.BudgetMax):
		return catalog.FormatMoney(*n.BudgetMin, n.Currency)
	case n.BudgetMin != nil && n.BudgetMax != nil:
		return catalog.FormatMoney(*n.BudgetMin, n.Currency) + " to " + catalog.FormatMoney(*n.BudgetMax, n.Currency)
	case n.BudgetMax != nil:
		return "Up to " + catalog.FormatMoney(*n.BudgetMax, n.Currency)
	case n.BudgetMin != nil:
		return "From " + catalog.FormatMoney(*n.BudgetMin, n.Currency)
	}
	return ""
}

// progressStep is one stage of a need's way, for the progress indicator.
type progressStep struct {
	Label  string
	Status string // done, current or todo
}

// needPath is the way a need takes when nothing stops it.
var needPath = []frontdoor.State{frontdoor.Draft, frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision,
	frontdoor.Approved, frontdoor.InDelivery, frontdoor.Delivered, frontdoor.Closed}

// needProgress lists the stages of a need: those it went through, the one
// it is in, and those to come. A need that was stopped (rejected,
// withdrawn, or closed before delivery) ends at the stage it left, then
// where it stopped.
func needProgress(state frontdoor.State, events []frontdoor.NeedEvent) []progressStep {
	at := slices.Index(needPath, state)
	var last frontdoor.State // the stage the need left for its final state
	for _, e := range events {
		if e.To == state && e.From != e.To {
			last = e.From
		}
	}
	stopped := at < 0 || (state == frontdoor.Closed && last != "" && last != frontdoor.Delivered)
	var steps []progressStep
	if !stopped {
		for i, st := range needPath {
			status := "todo"
			if i < at {
				status = "done"
			} else if i == at {
				status = "current"
			}
			steps = append(steps, progressStep{Label: frontdoor.StateLabels[st], Status: status})
		}
		return steps
	}
	upTo := slices.Index(needPath, last)
	for i := 0; i <= upTo; i++ {
		steps = append(steps, progressStep{Label: frontdoor.StateLabels[needPath[i]], Status: "done"})
	}
	return append(steps, progressStep{Label: frontdoor.StateLabels[state], Status: "current"})
}

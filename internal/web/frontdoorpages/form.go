package frontdoorpages

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/web/page"
)

// needFormOf fills the form with a saved need.
func (s *Pages) needFormOf(r *http.Request, n frontdoor.Need) map[string]string {
	form := map[string]string{"title": n.Title, "problem": n.Problem, "outcome": n.Outcome, "processes": n.Processes,
		"data_class": n.DataClass, "currency": n.Currency, "version": strconv.Itoa(n.Version), "sponsor_email": page.EmailOf(r, s.Org, n.SponsorID)}
	var ids []string
	for _, id := range n.Departments {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	form["affected_department_ids"] = strings.Join(ids, ",")
	ids = ids[:0]
	for _, id := range n.ProcessIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	form["process_ids"] = strings.Join(ids, ",")
	if n.Users > 0 {
		form["users"] = strconv.Itoa(n.Users)
	}
	if n.BudgetMin != nil {
		form["budget_min"] = n.BudgetMin.String()
	}
	if n.BudgetMax != nil {
		form["budget_max"] = n.BudgetMax.String()
	}
	if n.NeededBy != nil {
		form["needed_by"] = n.NeededBy.String()
	}
	return form
}

// needInputOf reads the need form.
func (s *Pages) needInputOf(r *http.Request, v *engage.Validation) frontdoor.NeedInput {
	in := frontdoor.NeedInput{Title: r.PostFormValue("title"), Problem: r.PostFormValue("problem"), Outcome: r.PostFormValue("outcome"),
		Processes: strings.TrimSpace(r.PostFormValue("processes")), DataClass: r.PostFormValue("data_class"), Currency: r.PostFormValue("currency"),
		NeededBy: page.FormDate(r, "needed_by", v)}
	for _, id := range r.PostForm["affected_department_ids"] {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			in.Departments = append(in.Departments, n)
		}
	}
	if text := strings.TrimSpace(r.PostFormValue("users")); text != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(text, ",", ""))
		if err != nil {
			v.Add("users", "Enter a whole number of people, such as 25.")
		}
		in.Users = n
	}
	// The form lists the register's processes: what it sends is the whole
	// list, none when no box is ticked (a form without the list keeps them).
	if r.PostFormValue("process_ids_shown") != "" {
		in.ProcessIDs = []int64{}
		for _, id := range r.PostForm["process_ids"] {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				n = -1 // not a process: refused on its field
			}
			in.ProcessIDs = append(in.ProcessIDs, n)
		}
	}
	in.BudgetMin, in.BudgetMax = formAmount(r, "budget_min", "12000", v), formAmount(r, "budget_max", "12000", v)
	in.SponsorID = page.PersonByEmail(r, s.Org, "sponsor_email", v)
	return in
}

// formAmount reads an optional amount field (thousands separated by
// commas or not); nil when blank, and a note against the field, with an
// example, when it is not a number.
func formAmount(r *http.Request, field, example string, v *engage.Validation) *decimal.Decimal {
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), ",", ""))
	if text == "" {
		return nil
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		v.Add(field, "Enter an amount such as %s, without the currency.", example)
		return nil
	}
	return &d
}

// needFieldErrors points the front door's field names at the form's.
func needFieldErrors(err error) []engage.FieldError {
	errs := slices.Clone(engage.ErrorFields(err))
	for i := range errs {
		switch f := errs[i].Field; {
		case f == "sponsor_id":
			errs[i].Field = "sponsor_email"
		case strings.HasPrefix(f, "affected_department_ids"):
			errs[i].Field = "affected_department_ids"
		case strings.HasPrefix(f, "process_ids"):
			errs[i].Field = "process_ids"
		}
	}
	if len(errs) == 0 {
		errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
	}
	return errs
}

func (s *Pages) newNeed(w http.ResponseWriter, r *http.Request) error {
	form := map[string]string{"currency": "EUR"}
	// "Ask for something new" from a search keeps the words.
	if q := strings.TrimSpace(r.URL.Query().Get("title")); q != "" {
		form["title"] = q
	}
	return s.showNeedForm(w, r, "", page.Base{Form: form}, http.StatusOK)
}

func (s *Pages) editNeed(w http.ResponseWriter, r *http.Request) error {
	d, err := s.FrontDoor.Get(r.Context(), page.Principal(r), r.PathValue("reference"))
	if err != nil {
		return err
	}
	if !slices.Contains(d.Actions, "edit") {
		s.Flash(w, "Only a draft can be changed, and only by the person who wrote it.")
		http.Redirect(w, r, "/needs/"+d.Need.Reference, http.StatusSeeOther)
		return nil
	}
	return s.showNeedForm(w, r, d.Need.Reference, page.Base{Form: s.needFormOf(r, d.Need)}, http.StatusOK)
}

// showNeedForm shows the form to ask for something new (ref "") or to
// change a draft, with what already exists for its words beside it.
func (s *Pages) showNeedForm(w http.ResponseWriter, r *http.Request, ref string, base page.Base, status int) error {
	depts, err := s.departmentsOf(r)
	if err != nil {
		return err
	}
	sg, err := s.suggest(r, base.Form["title"], base.Form["problem"], ref)
	if err != nil {
		return err
	}
	procs, err := s.processChoices(r, base.Form["processes"])
	if err != nil {
		return err
	}
	base.Title, base.Nav = "Ask for something new", "frontdoor"
	if ref != "" {
		base.Title = "Change " + ref
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.Render(w, r, "need_form.html", &needFormView{Base: base, Reference: ref, Departments: depts, Classes: dataClassHints, Suggest: sg,
		Script: suggestScriptData(page.Principal(r)), Processes: procs})
	return nil
}

// processChoices lists the register's processes for the form: those
// matching what was typed as the processes affected first, marked with
// the words they match, then the others in the register's order.
func (s *Pages) processChoices(r *http.Request, typed string) ([]processChoice, error) {
	if s.Processes == nil {
		return nil, nil
	}
	p := page.Principal(r)
	m, err := s.Processes.ProcessMap(r.Context(), p)
	if err != nil {
		return nil, err
	}
	matches, err := s.Processes.Match(r.Context(), p, typed)
	if err != nil {
		return nil, err
	}
	phrase := map[int64]string{}
	for _, match := range matches {
		phrase[match.ID] = match.Phrase
	}
	var first, rest []processChoice
	for _, e := range m.Entries {
		if e.Kind != process.Process {
			continue
		}
		if ph, ok := phrase[e.ID]; ok {
			first = append(first, processChoice{MapEntry: e, Matches: ph})
		} else {
			rest = append(rest, processChoice{MapEntry: e})
		}
	}
	// Matches in the order of the phrases typed.
	slices.SortStableFunc(first, func(a, b processChoice) int {
		return slices.IndexFunc(matches, func(m process.Match) bool { return m.ID == a.ID }) -
			slices.IndexFunc(matches, func(m process.Match) bool { return m.ID == b.ID })
	})
	return append(first, rest...), nil
}

// saveNeed handles the three buttons of the need form: check what already
// exists (nothing is saved), save as draft, and submit (save, then the
// submit action of the workflow).
func (s *Pages) saveNeed(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	ref := r.PathValue("reference")
	form := page.FormOf(r)
	action := r.PostFormValue("action")
	if action == "check" {
		return s.showNeedForm(w, r, ref, page.Base{Form: form}, http.StatusOK)
	}
	var v engage.Validation
	in := s.needInputOf(r, &v)
	err := v.Err()
	var n frontdoor.Need
	if err == nil {
		if ref == "" {
			n, err = s.FrontDoor.Create(ctx, p, in)
		} else {
			n, err = s.FrontDoor.Update(ctx, p, ref, page.FormVersion(r), in)
		}
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		return s.showNeedForm(w, r, ref, page.Base{Form: form, Errors: needFieldErrors(err)}, statusOfFormError(err))
	} else if err != nil {
		return err
	}
	if action != "submit" {
		s.Flash(w, "Saved as a draft: "+n.Reference+". Nobody else acts on it until you submit it.")
		http.Redirect(w, r, "/needs/"+n.Reference, http.StatusSeeOther)
		return nil
	}
	submitted, err := s.FrontDoor.Act(ctx, p, n.Reference, "submit", frontdoor.ActInput{Version: n.Version})
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		// The draft is saved; what it lacks for submission is shown on
		// the draft's own form, so that the next press changes it.
		form["version"] = strconv.Itoa(n.Version)
		return s.showNeedForm(w, r, n.Reference, page.Base{Form: form, Errors: needFieldErrors(err),
			Flash: "Saved as a draft: " + n.Reference + ". It is not submitted yet: fill in what is missing below, then submit it."},
			statusOfFormError(err))
	} else if err != nil {
		return err
	}
	s.Flash(w, "Submitted "+submitted.Reference+". "+nextAfterSubmit(submitted))
	http.Redirect(w, r, "/needs/"+submitted.Reference, http.StatusSeeOther)
	return nil
}

func nextAfterSubmit(n frontdoor.Need) string {
	if n.BRMName != "" {
		return n.BRMName + ", your business relationship manager, looks at it next."
	}
	return "A business relationship manager looks at it next."
}

package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/frontdoor"
)

// needFormOf fills the form with a saved need.
func (s *Server) needFormOf(r *http.Request, n frontdoor.Need) map[string]string {
	form := map[string]string{"title": n.Title, "problem": n.Problem, "outcome": n.Outcome, "processes": n.Processes,
		"data_class": n.DataClass, "currency": n.Currency, "version": strconv.Itoa(n.Version), "sponsor_email": s.emailOf(r, n.SponsorID)}
	var ids []string
	for _, id := range n.Departments {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	form["affected_department_ids"] = strings.Join(ids, ",")
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
func (s *Server) needInputOf(r *http.Request, v *engage.Validation) frontdoor.NeedInput {
	in := frontdoor.NeedInput{Title: r.PostFormValue("title"), Problem: r.PostFormValue("problem"), Outcome: r.PostFormValue("outcome"),
		Processes: strings.TrimSpace(r.PostFormValue("processes")), DataClass: r.PostFormValue("data_class"), Currency: r.PostFormValue("currency"),
		NeededBy: formDate(r, "needed_by", v)}
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
	amount := func(field string) *decimal.Decimal {
		text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), ",", ""))
		if text == "" {
			return nil
		}
		d, err := decimal.NewFromString(text)
		if err != nil {
			v.Add(field, "Enter an amount such as 12000, without the currency.")
			return nil
		}
		return &d
	}
	in.BudgetMin, in.BudgetMax = amount("budget_min"), amount("budget_max")
	in.SponsorID = s.personByEmail(r, "sponsor_email", v)
	return in
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
		}
	}
	if len(errs) == 0 {
		errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
	}
	return errs
}

func (s *Server) newNeed(w http.ResponseWriter, r *http.Request) error {
	form := map[string]string{"currency": "EUR"}
	// "Ask for something new" from a search keeps the words.
	if q := strings.TrimSpace(r.URL.Query().Get("title")); q != "" {
		form["title"] = q
	}
	return s.showNeedForm(w, r, "", form, nil, http.StatusOK)
}

func (s *Server) editNeed(w http.ResponseWriter, r *http.Request) error {
	d, err := s.FrontDoor.Get(r.Context(), principal(r), r.PathValue("reference"))
	if err != nil {
		return err
	}
	if !slices.Contains(d.Actions, "edit") {
		s.flash(w, "Only a draft can be changed, and only by the person who wrote it.")
		http.Redirect(w, r, "/needs/"+d.Need.Reference, http.StatusSeeOther)
		return nil
	}
	return s.showNeedForm(w, r, d.Need.Reference, s.needFormOf(r, d.Need), nil, http.StatusOK)
}

// showNeedForm shows the form to ask for something new (ref "") or to
// change a draft, with what already exists for its words beside it.
func (s *Server) showNeedForm(w http.ResponseWriter, r *http.Request, ref string, form map[string]string, errs []engage.FieldError, status int) error {
	return s.showNeedFormFlash(w, r, ref, form, errs, status, "")
}

func (s *Server) showNeedFormFlash(w http.ResponseWriter, r *http.Request, ref string, form map[string]string, errs []engage.FieldError, status int, flash string) error {
	depts, err := s.departmentsOf(r)
	if err != nil {
		return err
	}
	sg, err := s.suggest(r, form["title"], form["problem"], ref)
	if err != nil {
		return err
	}
	title := "Ask for something new"
	if ref != "" {
		title = "Change " + ref
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderPage(w, r, "need_form.html", Page{Title: title, Nav: "frontdoor", Form: form, Errors: errs, Flash: flash,
		Data: map[string]any{"Reference": ref, "Departments": depts, "Classes": dataClassHints, "Suggest": sg,
			"Script": suggestScriptData(principal(r))}})
	return nil
}

// saveNeed handles the three buttons of the need form: check what already
// exists (nothing is saved), save as draft, and submit (save, then the
// submit action of the workflow).
func (s *Server) saveNeed(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	ref := r.PathValue("reference")
	form := formOf(r)
	action := r.PostFormValue("action")
	if action == "check" {
		return s.showNeedForm(w, r, ref, form, nil, http.StatusOK)
	}
	var v engage.Validation
	in := s.needInputOf(r, &v)
	err := v.Err()
	var n frontdoor.Need
	if err == nil {
		if ref == "" {
			n, err = s.FrontDoor.Create(ctx, p, in)
		} else {
			n, err = s.FrontDoor.Update(ctx, p, ref, formVersion(r), in)
		}
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		return s.showNeedForm(w, r, ref, form, needFieldErrors(err), statusOfFormError(err))
	} else if err != nil {
		return err
	}
	if action != "submit" {
		s.flash(w, "Saved as a draft: "+n.Reference+". Nobody else acts on it until you submit it.")
		http.Redirect(w, r, "/needs/"+n.Reference, http.StatusSeeOther)
		return nil
	}
	submitted, err := s.FrontDoor.Act(ctx, p, n.Reference, "submit", frontdoor.ActInput{Version: n.Version})
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		// The draft is saved; what it lacks for submission is shown on
		// the draft's own form, so that the next press changes it.
		form["version"] = strconv.Itoa(n.Version)
		return s.showNeedFormFlash(w, r, n.Reference, form, needFieldErrors(err), statusOfFormError(err),
			"Saved as a draft: "+n.Reference+". It is not submitted yet: fill in what is missing below, then submit it.")
	} else if err != nil {
		return err
	}
	s.flash(w, "Submitted "+submitted.Reference+". "+nextAfterSubmit(submitted))
	http.Redirect(w, r, "/needs/"+submitted.Reference, http.StatusSeeOther)
	return nil
}

func nextAfterSubmit(n frontdoor.Need) string {
	if n.BRMName != "" {
		return n.BRMName + ", your business relationship manager, looks at it next."
	}
	return "A business relationship manager looks at it next."
}

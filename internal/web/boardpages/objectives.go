package boardpages

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/web/page"
)

// objectiveForm lists the register's processes for the forms, with those
// chosen.
func (s *Pages) objectiveForm(r *http.Request, chosen []int64) (ObjectiveForm, error) {
	p := page.Principal(r)
	f := ObjectiveForm{Chosen: map[int64]bool{}, CanChange: portfolio.MayChangeObjectives(p)}
	if !f.CanChange {
		return f, nil
	}
	m, err := s.Processes.ProcessMap(r.Context(), p)
	if err != nil {
		return f, err
	}
	f.Processes = m.Entries
	for _, id := range chosen {
		f.Chosen[id] = true
	}
	return f, nil
}

func (s *Pages) objectives(w http.ResponseWriter, r *http.Request) error {
	return s.renderObjectives(w, r, page.Base{Form: map[string]string{}}, nil)
}

func (s *Pages) renderObjectives(w http.ResponseWriter, r *http.Request, base page.Base, chosen []int64) error {
	p := page.Principal(r)
	overview, err := s.Portfolio.ByObjective(r.Context(), p)
	if err != nil {
		return err
	}
	f, err := s.objectiveForm(r, chosen)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Portfolio: strategic objectives", "portfolio"
	s.Render(w, r, "board_objectives.html", &objectivesView{Base: base, ObjectiveForm: f, Overview: overview,
		CanRank: portfolio.MayReadRanking(p)})
	return nil
}

// objectiveInput reads the form: the owner by e-mail, the processes chosen
// and the needs' references separated by commas or spaces. An e-mail no
// one has is an error of its own; the service then refuses the missing
// owner too, so nothing is saved.
func (s *Pages) objectiveInput(r *http.Request) (portfolio.ObjectiveInput, []int64, []engage.FieldError, error) {
	in := portfolio.ObjectiveInput{Ref: r.PostFormValue("ref"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Horizon: r.PostFormValue("horizon"), Measure: r.PostFormValue("measure"), Target: r.PostFormValue("target"),
		NeedRefs: strings.FieldsFunc(r.PostFormValue("need_refs"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' })}
	var errs []engage.FieldError
	for _, v := range r.PostForm["process_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			id = -1 // not a process: refused on its field
		}
		in.ProcessIDs = append(in.ProcessIDs, id)
	}
	if email := strings.TrimSpace(r.PostFormValue("owner_email")); email != "" {
		person, err := s.Org.FindPersonByEmail(r.Context(), email)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			errs = append(errs, engage.FieldError{Field: "owner_email", Message: "No one has the e-mail address " + email + "."})
		} else if err != nil {
			return in, nil, nil, err
		} else {
			in.OwnerPersonID = person.ID
		}
	}
	return in, in.ProcessIDs, errs, nil
}

// rejected names the form's fields in the service's errors: the owner is
// chosen by e-mail, and each process or need error belongs to its list.
func rejected(err error, extra []engage.FieldError) []engage.FieldError {
	out := extra
	for _, f := range engage.ErrorFields(err) {
		switch {
		case f.Field == "owner_person_id":
			if len(extra) > 0 && extra[0].Field == "owner_email" {
				continue
			}
			f.Field = "owner_email"
		case strings.HasPrefix(f.Field, "process_ids"):
			f.Field = "process_ids"
		case strings.HasPrefix(f.Field, "need_refs"):
			f.Field = "need_refs"
		}
		out = append(out, f)
	}
	return out
}

func invalid(err error) bool {
	c := engage.ErrorCode(err)
	return (c == engage.EINVALID || c == engage.ECONFLICT) && len(engage.ErrorFields(err)) > 0
}

func (s *Pages) createObjective(w http.ResponseWriter, r *http.Request) error {
	in, chosen, errs, err := s.objectiveInput(r)
	if err != nil {
		return err
	}
	o, err := s.Portfolio.CreateObjective(r.Context(), page.Principal(r), in)
	if invalid(err) {
		var base page.Base
		base.Rejected(rejected(err, errs), r)
		return s.renderObjectives(w, r, base, chosen)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved “"+o.Title+"”.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/objectives/%d", o.ID), http.StatusSeeOther)
	return nil
}

func (s *Pages) objectivePage(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderObjective(w, r, id, page.Base{}, nil)
}

func (s *Pages) renderObjective(w http.ResponseWriter, r *http.Request, id int64, base page.Base, chosen []int64) error {
	d, err := s.Portfolio.DescribeObjective(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	if base.Form == nil {
		o := d.Objective
		owner := ""
		if person, err := s.Org.FindPersonByID(r.Context(), o.OwnerPersonID); err == nil {
			owner = person.Email
		}
		base.Form = map[string]string{"ref": o.Ref, "title": o.Title, "description": o.Description, "owner_email": owner, "horizon": o.Horizon,
			"measure": o.Measure, "target": o.Target, "need_refs": strings.Join(o.NeedRefs, ", "), "version": strconv.Itoa(o.Version)}
		chosen = o.ProcessIDs
	}
	f, err := s.objectiveForm(r, chosen)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Objective: "+d.Objective.Title, "portfolio"
	s.Render(w, r, "board_objective.html", &objectiveView{Base: base, ObjectiveForm: f, Detail: d})
	return nil
}

func (s *Pages) updateObjective(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	in, chosen, errs, err := s.objectiveInput(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	o, err := s.Portfolio.UpdateObjective(r.Context(), page.Principal(r), id, version, in)
	if invalid(err) {
		var base page.Base
		base.Rejected(rejected(err, errs), r)
		return s.renderObjective(w, r, id, base, chosen)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved “"+o.Title+"”.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/objectives/%d", o.ID), http.StatusSeeOther)
	return nil
}

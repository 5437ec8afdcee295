package spendpages

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/web/page"
)

// seatsView is a department's seats over a window.
type seatsView struct {
	page.Base
	Departments  []org.Department
	DepartmentID int64
	Window       int
	Windows      []int
	Seats        []spend.SeatUse // paid by a subscription, or sanctioned SaaS
	Shadow       []spend.SeatUse // shadow apps
	CanImport    bool
	CanRead      bool
	Columns      []string
}

func (s *Pages) seats(w http.ResponseWriter, r *http.Request) error {
	return s.renderSeats(w, r, page.Base{})
}

func (s *Pages) renderSeats(w http.ResponseWriter, r *http.Request, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	depts, err := s.departments(ctx, p)
	if err != nil {
		return err
	}
	v := &seatsView{Departments: depts, Windows: spend.Windows, Window: 30, CanImport: spend.CanImport(p), Columns: spend.SeatColumns}
	v.DepartmentID = page.QueryInt(r, "department")
	if v.DepartmentID == 0 {
		if i := slices.IndexFunc(depts, func(d org.Department) bool { return spend.CanReadTotals(p, d.ID) }); i >= 0 {
			v.DepartmentID = depts[i].ID
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("window")); err == nil {
		v.Window = n
	}
	if err := spend.CheckWindow(v.Window); err != nil {
		v.Window = 30
	}
	v.CanRead = v.DepartmentID > 0 && spend.CanReadTotals(p, v.DepartmentID)
	if v.CanRead {
		all, err := s.Seats.Utilisation(ctx, p, v.DepartmentID, v.Window)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(u spend.SeatUse) bool { return u.Standing == spend.StandingShadow })
		if i < 0 {
			i = len(all)
		}
		v.Seats, v.Shadow = all[:i], all[i:]
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Seats actually used", "costs"
	v.Base = base
	s.Render(w, r, "spend_seats.html", v)
	return nil
}

func (s *Pages) importSeats(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context() // finance and administrators: the route's MayUpload
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.renderSeats(w, r, page.Base{Errors: []engage.FieldError{{Field: "file", Message: "Choose a single-sign-on export (CSV)."}}})
	}
	defer file.Close()
	rep, err := s.Seats.ImportSeats(ctx, p, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: page.UpperFirst(f.Field) + " — " + f.Message})
		}
		return s.renderSeats(w, r, page.Base{Errors: errs})
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Imported seats of %s: %d new, %d changed, %d unchanged.", page.Plural(rep.Lines, "application", "applications"),
		rep.Added, rep.Updated, rep.Unchanged))
	http.Redirect(w, r, "/spend/seats?department="+r.PostFormValue("department"), http.StatusSeeOther)
	return nil
}

func (s *Pages) rightSize(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	window, _ := strconv.Atoi(r.PostFormValue("window"))
	o, err := s.Seats.RightSize(r.Context(), page.Principal(r), id, window)
	if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Order %s placed: it goes through the order's approvals.", o.Number))
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

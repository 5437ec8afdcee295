package web

import (
	"context"
	"github.com/engagehq/engage/internal/web/page"
	"net/http"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	v := &homeView{Base: page.Base{Title: "Home", Nav: "home"}}
	if p.DepartmentID != 0 {
		d, err := s.Org.FindDepartment(r.Context(), p, p.DepartmentID)
		if err != nil {
			return err
		}
		v.Department = &d
	}
	if s.Catalog != nil {
		news, err := s.Catalog.Announcements(r.Context(), p, catalog.AnnouncementFilter{Limit: 5, Record: true})
		if err != nil {
			return err
		}
		orders, err := s.Catalog.ListOrders(r.Context(), p, catalog.OrderFilter{Mine: true, Status: catalog.OrderPending, Limit: 10})
		if err != nil {
			return err
		}
		v.News, v.Orders = news, orders
	}
	if s.FrontDoor != nil {
		mine, delivered, err := s.homeNeeds(r.Context(), p)
		if err != nil {
			return err
		}
		v.Needs, v.Delivered = mine, delivered
	}
	waiting, err := s.Waiting.For(r.Context(), p)
	if err != nil {
		return err
	}
	v.WaitingList = waiting
	if s.Communities != nil {
		if v.Unsponsored, err = s.Communities.Unsponsored(r.Context(), p); err != nil {
			return err
		}
	}
	v.Cost = s.costThisMonth(r.Context(), p)
	v.SeesCosts = billing.ReadsStatements(p)
	s.kit.Render(w, r, "home.html", v)
	return nil
}

// waitingCount is the navigation's count of what waits for p; a failure
// to count is logged and shows no count rather than failing the page.
func (s *Server) waitingCount(ctx context.Context, p *access.Principal) int {
	if p == nil {
		return 0
	}
	n, err := s.Waiting.Count(ctx, p)
	if err != nil {
		s.Logger.Warn("counting what waits", "person", p.PersonID, "err", err)
		return 0
	}
	return n
}

// homeNeeds are the person's open needs (written or sponsored, not yet
// delivered, closed, rejected or withdrawn; the first five) and those
// delivered and waiting for them to accept. Needs waiting for the
// person's action are in the waiting list.
func (s *Server) homeNeeds(ctx context.Context, p *access.Principal) (mine, delivered []frontdoor.Need, err error) {
	list, _, err := s.FrontDoor.List(ctx, p, frontdoor.ListFilter{Mine: true, Limit: 50})
	if err != nil {
		return nil, nil, err
	}
	for _, n := range list {
		switch {
		case n.State == frontdoor.Delivered && len(delivered) < 5:
			delivered = append(delivered, n)
		case n.State != frontdoor.Delivered && !frontdoor.Final(n.State) && len(mine) < 5:
			mine = append(mine, n)
		}
	}
	return mine, delivered, nil
}

// search looks across what Engage holds: services, departments and the
// people the searcher may see; a need, order or quote reference opens it.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := &searchView{Base: page.Base{Title: "Search", Nav: "home"}, Search: q}
	// A reference opens its record, for those who may read it.
	if s.Catalog != nil {
		page, found, err := s.referencePage(r.Context(), p, q)
		if err != nil {
			return err
		}
		if found {
			http.Redirect(w, r, page, http.StatusSeeOther)
			return nil
		}
		v.Reference = referencePattern.MatchString(strings.TrimSpace(q))
	}
	if q != "" {
		depts, _, err := s.Org.ListDepartments(r.Context(), p, org.ListFilter{Query: q, Limit: 20})
		if err != nil {
			return err
		}
		people, _, err := s.Org.ListPeople(r.Context(), p, org.ListFilter{Query: q, Limit: 20})
		if err != nil {
			return err
		}
		v.Departments, v.People = depts, people
		if s.Catalog != nil {
			services, err := s.Catalog.ListServices(r.Context(), p, catalog.ListFilter{Query: q, Limit: 10})
			if err != nil {
				return err
			}
			v.Services = services.Cards
		}
	}
	s.kit.Render(w, r, "search.html", v)
	return nil
}

func (s *Server) departments(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	f := org.ListFilter{Query: r.URL.Query().Get("q"), Cursor: r.URL.Query().Get("cursor"), Limit: 100}
	list, next, err := s.Org.ListDepartments(r.Context(), p, f)
	if err != nil {
		return err
	}
	s.kit.Render(w, r, "departments.html", &departmentsView{Base: page.Base{Title: "Departments", Nav: "home"}, Departments: list, Next: next, Search: f.Query})
	return nil
}

func (s *Server) department(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Org.FindDepartment(r.Context(), p, id)
	if err != nil {
		return err
	}
	v := &departmentView{Base: page.Base{Title: d.Name, Nav: "home"}, Department: d, CanSeePeople: p.CanReadDepartment(d.ID)}
	v.Children, _, err = s.Org.ListDepartments(r.Context(), p, org.ListFilter{ParentID: d.ID, Limit: 500})
	if err != nil {
		return err
	}
	if p.CanReadDepartment(d.ID) {
		v.People, v.Next, err = s.Org.ListPeople(r.Context(), p, org.ListFilter{DepartmentID: d.ID, Cursor: r.URL.Query().Get("cursor"), Limit: 100})
		if err != nil {
			return err
		}
	}
	s.kit.Render(w, r, "department.html", v)
	return nil
}

func (s *Server) people(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	f := org.ListFilter{Query: r.URL.Query().Get("q"), Cursor: r.URL.Query().Get("cursor"), Limit: 100,
		DepartmentID: page.QueryInt(r, "department")}
	list, next, err := s.Org.ListPeople(r.Context(), p, f)
	if err != nil {
		return err
	}
	s.kit.Render(w, r, "people.html", &peopleView{Base: page.Base{Title: "People", Nav: "home"}, People: list, Next: next, Search: f.Query})
	return nil
}

func (s *Server) person(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	person, err := s.Org.FindPerson(r.Context(), p, id)
	if err != nil {
		return err
	}
	s.kit.Render(w, r, "person.html", &personView{Base: page.Base{Title: person.Name, Nav: "home"}, Person: person})
	return nil
}

// areas are the parts of Engage reached from the navigation.
var areas = map[string]struct{ Title, Lead string }{}

func (s *Server) area(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		a := areas[name]
		s.kit.Render(w, r, "area.html", &areaView{Base: page.Base{Title: a.Title, Nav: name}, Lead: a.Lead})
		return nil
	}
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, page.Base{}, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, base page.Base, newToken string) error {
	p := access.FromContext(r.Context())
	me, err := s.Org.FindPerson(r.Context(), p, p.PersonID)
	if err != nil {
		return err
	}
	tokens, err := s.Auth.ListTokens(r.Context(), p, p.PersonID)
	if err != nil {
		return err
	}
	base.Title, base.Nav = "Your account", "account"
	s.kit.Render(w, r, "account.html", &accountView{Base: base, Me: me, Tokens: tokens, NewToken: newToken})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	current, next, confirm := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	var v engage.Validation
	if _, err := s.Auth.SignIn(r.Context(), p.Email, current, s.clientIP(r)); err != nil {
		if engage.ErrorCode(err) == engage.ETOOMANY {
			v.Add("current_password", "%s", engage.ErrorMessage(err))
		} else {
			v.Add("current_password", "Your current password is not right.")
		}
	}
	if next != confirm {
		v.Add("confirm_password", "The two new passwords are different. Type the same password twice.")
	}
	err := v.Err()
	if err == nil {
		err = s.Auth.SetPassword(r.Context(), p, p.PersonID, next)
	}
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		for i := range fields {
			if fields[i].Field == "password" {
				fields[i].Field = "new_password"
			}
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderAccount(w, r, page.Base{Errors: fields}, "")
	} else if err != nil {
		return err
	}
	// Changing the password ended every session, this one included.
	sess, err := s.Auth.StartSession(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	s.setSession(w, sess)
	s.kit.Flash(w, "Your password has been changed. Other devices have been signed out.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	secret, err := page.CreateToken(r, s.Auth, p.PersonID)
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderAccount(w, r, page.Base{Errors: fields, Form: page.FormOf(r)}, "")
	} else if err != nil {
		return err
	}
	// The secret is shown once, on this response, and never stored; the
	// form sent again leads to the account page, without it.
	w.Header().Set("Content-Location", "/account#tokens")
	return s.renderAccount(w, r, page.Base{Flash: "Token created. Copy it now: it will not be shown again."}, secret)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	s.kit.Flash(w, "The token has been revoked.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

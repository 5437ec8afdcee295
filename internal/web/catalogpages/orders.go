package catalogpages

import (
	"fmt"
	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
	"github.com/shopspring/decimal"
	"net/http"
	"strings"
)

func (s *Pages) orders(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	mine, err := s.Catalog.ListOrders(r.Context(), p, catalog.OrderFilter{Mine: true, Limit: 50})
	if err != nil {
		return err
	}
	var dept []catalog.Order
	if p.DepartmentID != 0 {
		dept, err = s.Catalog.ListOrders(r.Context(), p, catalog.OrderFilter{DepartmentID: p.DepartmentID, Limit: 50})
		if err != nil {
			return err
		}
	}
	s.Render(w, r, "orders.html", &ordersView{Base: page.Base{Title: "Orders", Nav: "catalog"}, Mine: mine, Department: dept})
	return nil
}

func (s *Pages) orderPage(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Catalog.FindOrder(r.Context(), page.Principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	s.Render(w, r, "order.html", &orderView{Base: page.Base{Title: "Order " + o.Number, Nav: "catalog"}, O: o})
	return nil
}

func (s *Pages) subscriptions(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubscriptions(w, r, nil, nil)
}

func (s *Pages) renderSubscriptions(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	p := page.Principal(r)
	dept := page.QueryInt(r, "department")
	if dept == 0 {
		dept = p.DepartmentID
	}
	today := catalog.DateOf(s.Clock.Now())
	var subs []catalog.Subscription
	var err error
	if dept != 0 {
		subs, err = s.Catalog.ListSubscriptions(r.Context(), p, catalog.SubscriptionFilter{DepartmentID: dept, ActiveOn: &today})
		if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "subscriptions.html", &subscriptionsView{Base: page.Base{Title: "Your department's services", Nav: "catalog", Errors: errs, Form: form},
		Subs: subs, Today: today.String()})
	return nil
}

func (s *Pages) subscriptionOrder(w http.ResponseWriter, r *http.Request, place func(id int64, in catalog.OrderInput) (catalog.Order, error)) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	var v engage.Validation
	in := catalog.OrderInput{StartDate: page.FormDate(r, "start_date", &v), Note: r.PostFormValue("note")}
	err = v.Err()
	var o catalog.Order
	if err == nil {
		o, err = place(id, in)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			errs[i].Message = fmt.Sprintf("Subscription %d: %s", id, errs[i].Message)
		}
		return s.renderSubscriptions(w, r, errs, page.FormOf(r))
	} else if err != nil {
		return err
	}
	s.Flash(w, "Order "+o.Number+" placed.")
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

func (s *Pages) changeSubscription(w http.ResponseWriter, r *http.Request) error {
	return s.subscriptionOrder(w, r, func(id int64, in catalog.OrderInput) (catalog.Order, error) {
		qty, err := decimal.NewFromString(strings.TrimSpace(r.PostFormValue("quantity")))
		if err != nil {
			return catalog.Order{}, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
				Fields: []engage.FieldError{{Field: "quantity", Message: "Enter the new quantity as a number."}}}
		}
		return s.Catalog.ChangeQuantity(r.Context(), page.Principal(r), id, qty, in)
	})
}

func (s *Pages) cancelSubscription(w http.ResponseWriter, r *http.Request) error {
	return s.subscriptionOrder(w, r, func(id int64, in catalog.OrderInput) (catalog.Order, error) {
		return s.Catalog.CancelSubscription(r.Context(), page.Principal(r), id, in)
	})
}

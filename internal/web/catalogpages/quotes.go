package catalogpages

import (
	"fmt"
	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/web/page"
	"github.com/shopspring/decimal"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// quoteRows reads the offering and quantity rows of the quote form.
func quoteRows(vals url.Values) ([]catalog.QuoteLineInput, []engage.FieldError) {
	var lines []catalog.QuoteLineInput
	var errs []engage.FieldError
	offerings, quantities := vals["o"], vals["q"]
	for i, o := range offerings {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil || id == 0 {
			continue // an empty row
		}
		qty := "1"
		if i < len(quantities) && strings.TrimSpace(quantities[i]) != "" {
			qty = quantities[i]
		}
		d, err := decimal.NewFromString(strings.TrimSpace(qty))
		if err != nil {
			errs = append(errs, engage.FieldError{Field: fmt.Sprintf("q%d", len(lines)), Message: fmt.Sprintf("Line %d: enter a number, such as 20.", len(lines)+1)})
			d = decimal.Zero
		}
		lines = append(lines, catalog.QuoteLineInput{OfferingID: id, Quantity: d})
	}
	return lines, errs
}

// quoteBuilder shows the quote form, priced as it stands.
func (s *Pages) quoteBuilder(w http.ResponseWriter, r *http.Request) error {
	return s.showQuoteBuilder(w, r, r.URL.Query(), false)
}

func (s *Pages) showQuoteBuilder(w http.ResponseWriter, r *http.Request, vals url.Values, save bool) error {
	lines, errs := quoteRows(vals)
	term, _ := strconv.Atoi(vals.Get("term"))
	in := catalog.QuoteInput{Title: vals.Get("title"), TermMonths: term, Lines: lines}
	v := &quoteBuilderView{Base: page.Base{Title: "Get a quote", Nav: "catalog"}, Rows: lines}
	p := page.Principal(r)
	if len(lines) > 0 && len(errs) == 0 {
		if save {
			q, err := s.Catalog.CreateQuote(r.Context(), p, in)
			if err == nil {
				s.Flash(w, "Quote "+q.Number+" saved. Share its address with anyone who may see your department's quotes.")
				http.Redirect(w, r, "/quotes/"+q.Number, http.StatusSeeOther)
				return nil
			}
			if engage.ErrorCode(err) != engage.EINVALID {
				return err
			}
			errs = quoteErrors(err)
		} else {
			q, err := s.Catalog.PriceQuote(r.Context(), p, in)
			if engage.ErrorCode(err) == engage.EINVALID {
				errs = quoteErrors(err) // no prices shown: they would not match the rows
			} else if err != nil {
				return err
			} else {
				v.Q = &q
			}
		}
	} else if save && len(lines) == 0 {
		errs = append(errs, engage.FieldError{Field: "o0", Message: "Choose at least one offering."})
	}
	choices, err := s.Catalog.OrderableOfferings(r.Context(), p)
	if err != nil {
		return err
	}
	v.Choices = choices
	blank := 3
	if len(lines) >= 3 {
		blank = 1
	}
	v.Blank = make([]int, blank)
	v.Form = map[string]string{"title": vals.Get("title"), "term": vals.Get("term")}
	if v.Form["term"] == "" {
		v.Form["term"] = strconv.Itoa(catalog.DefaultTerm)
	}
	v.Errors = errs
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "quote_new.html", v)
	return nil
}

// quoteErrors points line errors at the quote form's row fields.
func quoteErrors(err error) []engage.FieldError {
	var out []engage.FieldError
	for _, f := range engage.ErrorFields(err) {
		field := f.Field
		var i int
		var rest string
		if n, _ := fmt.Sscanf(f.Field, "lines[%d].%s", &i, &rest); n == 2 {
			field = fmt.Sprintf("o%d", i)
			if rest == "quantity" {
				field = fmt.Sprintf("q%d", i)
			}
			f.Message = fmt.Sprintf("Line %d: %s", i+1, f.Message)
		} else if f.Field == "term_months" {
			field = "term"
		} else if f.Field == "lines" {
			field = "o0"
		}
		out = append(out, engage.FieldError{Field: field, Message: f.Message})
	}
	return out
}

func (s *Pages) createQuote(w http.ResponseWriter, r *http.Request) error {
	return s.showQuoteBuilder(w, r, r.PostForm, r.PostFormValue("action") == "save")
}

func (s *Pages) quotePage(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Catalog.FindQuote(r.Context(), page.Principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.renderQuote(w, r, q, nil, map[string]string{"start_date": catalog.DateOf(s.Clock.Now()).String()})
}

func (s *Pages) renderQuote(w http.ResponseWriter, r *http.Request, q catalog.Quote, errs []engage.FieldError, form map[string]string) error {
	p := page.Principal(r)
	s.Render(w, r, "quote.html", &quoteView{Base: page.Base{Title: "Quote " + q.Number, Nav: "catalog", Errors: errs, Form: form},
		Q: q, CanOrder: !q.Expired && (p.DepartmentID == q.DepartmentID || p.IsAdmin() || p.HoldsBudgetOf(q.DepartmentID))})
	return nil
}

func (s *Pages) quoteCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Catalog.FindQuote(r.Context(), page.Principal(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, q.Number))
	cw := csvfile.NewWriter(w)
	_ = cw.Write([]string{"quote", "line", "service", "offering", "quantity", "unit", "currency", "one_time", "monthly", "term_months", "term_total", "valid_until"})
	for _, l := range q.Lines {
		_ = cw.Write([]string{q.Number, strconv.Itoa(l.Position), l.ServiceName, l.OfferingName, l.Quantity.String(), l.Unit, q.Currency,
			l.OneTime.StringFixed(2), l.Monthly.StringFixed(2), strconv.Itoa(q.TermMonths), l.TermTotal.StringFixed(2), q.ValidUntil.String()})
	}
	_ = cw.Write([]string{q.Number, "total", "", "", "", "", q.Currency, q.OneTime.StringFixed(2), q.Monthly.StringFixed(2),
		strconv.Itoa(q.TermMonths), q.TermTotal.StringFixed(2), q.ValidUntil.String()})
	cw.Flush()
	return cw.Error()
}

func (s *Pages) orderQuote(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := catalog.OrderInput{StartDate: page.FormDate(r, "start_date", &v), Note: r.PostFormValue("note")}
	err := v.Err()
	var o catalog.Order
	if q, qerr := s.Catalog.FindQuote(r.Context(), page.Principal(r), r.PathValue("number")); qerr == nil && q.OrderNumber != "" {
		// The form sent again: the quote was ordered, show that order.
		s.Flash(w, "Quote "+q.Number+" was already ordered: this is its order.")
		http.Redirect(w, r, "/orders/"+q.OrderNumber, http.StatusSeeOther)
		return nil
	}
	if err == nil {
		o, err = s.Catalog.OrderQuote(r.Context(), page.Principal(r), r.PathValue("number"), in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID {
		q, qerr := s.Catalog.FindQuote(r.Context(), page.Principal(r), r.PathValue("number"))
		if qerr != nil {
			return qerr
		}
		errs := engage.ErrorFields(err)
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "start_date", Message: engage.ErrorMessage(err)}}
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderQuote(w, r, q, errs, page.FormOf(r))
	} else if err != nil {
		return err
	}
	msg := "Order " + o.Number + " placed. "
	if o.Status == catalog.OrderPending {
		msg += "It now waits for approval; you can follow it here."
	} else {
		msg += "No approval was needed: the subscription is in place."
	}
	s.Flash(w, msg)
	http.Redirect(w, r, "/orders/"+o.Number, http.StatusSeeOther)
	return nil
}

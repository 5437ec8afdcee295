// Package spendpages is the web interface's spend area, for finance: the
// import of card, expense and invoice files, the spend lines with their
// filters, the review queue where a person confirms or corrects a match,
// and the vendor dictionary.
package spendpages

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the spend area.
type Pages struct {
	*page.Kit
	Spend *spend.Service
	Seats *spend.Seats
	Org   *org.Service
}

// maxSpendUpload bounds a spend file sent from the page (the API and the
// command line take any size, streamed).
const maxSpendUpload = 256 << 20

// Routes are the import, the lines, the review queue and the dictionary.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /spend", Handle: s.lines},
		{Pattern: "GET /spend/import", Handle: s.importPage},
		{Pattern: "POST /spend/import", Handle: s.importFile, MaxBody: maxSpendUpload, MayUpload: mayImport},
		{Pattern: "GET /spend/review", Handle: s.review},
		{Pattern: "POST /spend/lines/{id}/match", Handle: s.correct},
		{Pattern: "GET /spend/vendors", Handle: s.vendors},
		{Pattern: "POST /spend/vendors", Handle: s.addVendor},
		{Pattern: "GET /spend/seats", Handle: s.seats},
		{Pattern: "POST /spend/seats/import", Handle: s.importSeats, MaxBody: page.MaxCSVUpload, MayUpload: mayImport},
		{Pattern: "POST /spend/seats/{id}/right-size", Handle: s.rightSize},
	}
}

func mayImport(p *access.Principal) error {
	if !spend.CanImport(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can import spend.")
	}
	return nil
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "spend",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"percent": func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
		"ratio":   func(d decimal.Decimal) string { return d.Mul(decimal.NewFromInt(100)).StringFixed(0) + " %" },
	},
	Views: map[string]page.View{
		"spend_import.html":  &importView{},
		"spend_lines.html":   &linesView{},
		"spend_review.html":  &reviewView{},
		"spend_vendors.html": &vendorsView{},
		"spend_seats.html":   &seatsView{},
	},
}

// importView is the import page, with the summary of the import just made.
type importView struct {
	page.Base
	CanImport bool
	Done      *spend.SpendImport
	FileName  string
	Card      []string
	Invoice   []string
}

// linesView is a department's spend lines, filtered.
type linesView struct {
	page.Base
	Departments []org.Department
	Filter      lineFilter
	Lines       []spend.SpendLine
	Next        string
	CanImport   bool
}

// lineFilter is what the lines page was asked for, as typed.
type lineFilter struct {
	DepartmentID int64
	Vendor       string
	Period       string
	Software     string // "", "yes" or "no"
	Waiting      bool
}

// reviewView is the queue of matches waiting for a person.
type reviewView struct {
	page.Base
	Departments  []org.Department
	DepartmentID int64
	Lines        []spend.SpendLine
	Next         string
	// Failed is the line whose correction came back with errors: its form
	// shows what was typed and the errors beside the fields.
	Failed int64
}

// vendorsView is the vendor dictionary.
type vendorsView struct {
	page.Base
	Vendors []spend.Vendor
	CanAdd  bool
}

// departments lists every department, for the filters.
func (s *Pages) departments(ctx context.Context, p *access.Principal) ([]org.Department, error) {
	return page.AllPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(ctx, p, org.ListFilter{Limit: paging.MaxLimit, Cursor: c})
	})
}

// chosenDepartment is the department a page shows: the one asked for, or
// the first whose lines p may read, or the first.
func chosenDepartment(r *http.Request, p *access.Principal, depts []org.Department) int64 {
	if id := page.QueryInt(r, "department"); id > 0 {
		return id
	}
	for _, d := range depts {
		if spend.CanReadLines(p, d.ID) {
			return d.ID
		}
	}
	if len(depts) > 0 {
		return depts[0].ID
	}
	return 0
}

// --- import ---

func (s *Pages) importPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, page.Base{}, nil, "")
}

func (s *Pages) renderImport(w http.ResponseWriter, r *http.Request, base page.Base, done *spend.SpendImport, name string) error {
	p := page.Principal(r)
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Import spend", "costs"
	s.Render(w, r, "spend_import.html", &importView{Base: base, CanImport: spend.CanImport(p), Done: done, FileName: name,
		Card: spend.CardColumns, Invoice: spend.InvoiceColumns})
	return nil
}

func (s *Pages) importFile(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context() // finance and administrators: the route's MayUpload
	file, header, err := r.FormFile("file")
	if err != nil {
		return s.renderImport(w, r, page.Base{Errors: []engage.FieldError{{Field: "file", Message: "Choose a CSV file of card, expense or invoice lines."}}}, nil, "")
	}
	defer file.Close()
	rep, err := s.Spend.Import(ctx, p, header.Filename, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: page.UpperFirst(f.Field) + " — " + f.Message})
		}
		return s.renderImport(w, r, page.Base{Errors: errs}, nil, "")
	} else if err != nil {
		return err
	}
	// A repeat of the form (its key) is sent to the lines, which show
	// what the import added.
	w.Header().Set("Content-Location", "/spend")
	return s.renderImport(w, r, page.Base{Flash: "Imported " + header.Filename + "."}, &rep, header.Filename)
}

// --- lines ---

var periodPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

func (s *Pages) lines(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	depts, err := s.departments(ctx, p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := lineFilter{DepartmentID: chosenDepartment(r, p, depts), Vendor: strings.TrimSpace(q.Get("vendor")),
		Period: strings.TrimSpace(q.Get("period")), Software: q.Get("software"), Waiting: q.Get("waiting") == "1"}
	var base page.Base
	lf := spend.LineFilter{DepartmentID: f.DepartmentID, Waiting: f.Waiting, Vendor: clip(f.Vendor, 100), Cursor: q.Get("cursor"), Limit: 100}
	if f.Period != "" {
		if periodPattern.MatchString(f.Period) {
			lf.Period = f.Period
		} else {
			base.Errors = append(base.Errors, engage.FieldError{Field: "period", Message: "A month is written YYYY-MM, such as 2026-03."})
		}
	}
	switch f.Software {
	case "yes", "no":
		soft := f.Software == "yes"
		lf.Software = &soft
	default:
		f.Software = ""
	}
	var lines []spend.SpendLine
	next := ""
	if f.DepartmentID > 0 && len(base.Errors) == 0 {
		if lines, next, err = s.Spend.ListLines(ctx, p, lf); err != nil {
			return err
		}
	}
	base.Title, base.Nav = "Spend lines", "costs"
	s.Render(w, r, "spend_lines.html", &linesView{Base: base, Departments: depts, Filter: f, Lines: lines, Next: next, CanImport: spend.CanImport(p)})
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// --- review ---

func (s *Pages) review(w http.ResponseWriter, r *http.Request) error {
	return s.renderReview(w, r, page.Base{}, 0)
}

// renderReview draws the review queue; failed is the line whose
// correction was rejected, the department the one its form named.
func (s *Pages) renderReview(w http.ResponseWriter, r *http.Request, base page.Base, failed int64) error {
	ctx, p := r.Context(), page.Principal(r)
	depts, err := s.departments(ctx, p)
	if err != nil {
		return err
	}
	dept := chosenDepartment(r, p, depts)
	if failed > 0 {
		if posted, perr := strconv.ParseInt(r.PostFormValue("department"), 10, 64); perr == nil && posted > 0 {
			dept = posted
		}
	}
	var lines []spend.SpendLine
	next := ""
	if dept > 0 {
		if lines, next, err = s.Spend.ListLines(ctx, p, spend.LineFilter{DepartmentID: dept, Waiting: true, Cursor: r.URL.Query().Get("cursor"), Limit: 50}); err != nil {
			return err
		}
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Spend waiting for a person", "costs"
	s.Render(w, r, "spend_review.html", &reviewView{Base: base, Departments: depts, DepartmentID: dept, Lines: lines, Next: next, Failed: failed})
	return nil
}

func (s *Pages) correct(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	in := spend.Correction{Vendor: r.PostFormValue("vendor"), Software: r.PostFormValue("software") == "yes", Category: r.PostFormValue("category")}
	m, err := s.Spend.Correct(r.Context(), page.Principal(r), id, in)
	back := "/spend/review?department=" + url.QueryEscape(r.PostFormValue("department"))
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		if len(base.Errors) == 0 {
			base.Errors = []engage.FieldError{{Field: "vendor", Message: engage.ErrorMessage(err)}}
		}
		// The queue holds a form per line: each error names its line's field.
		for i := range base.Errors {
			base.Errors[i].Field += "-" + strconv.FormatInt(id, 10)
		}
		return s.renderReview(w, r, base, id)
	} else if err != nil {
		return err
	}
	kind := "not software"
	if m.Software {
		kind = "software"
	}
	s.Flash(w, fmt.Sprintf("Recorded: %s (%s). Lines with the same descriptor took it, and later imports will match it.", m.Vendor, kind))
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// --- the vendor dictionary ---

func (s *Pages) vendors(w http.ResponseWriter, r *http.Request) error {
	return s.renderVendors(w, r, page.Base{Form: map[string]string{"software": "yes"}})
}

func (s *Pages) renderVendors(w http.ResponseWriter, r *http.Request, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	list, err := s.Spend.ListVendors(ctx, p)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Vendor dictionary", "costs"
	s.Render(w, r, "spend_vendors.html", &vendorsView{Base: base, Vendors: list, CanAdd: spend.CanImport(p)})
	return nil
}

// splitList reads a comma- or line-separated list.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *Pages) addVendor(w http.ResponseWriter, r *http.Request) error {
	in := spend.Vendor{Name: r.PostFormValue("name"), Category: r.PostFormValue("category"), Software: r.PostFormValue("software") == "yes",
		Aliases: splitList(r.PostFormValue("aliases")), Domains: splitList(r.PostFormValue("domains"))}
	v, err := s.Spend.AddVendor(r.Context(), page.Principal(r), in)
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		for i, e := range base.Errors {
			// aliases[2] and domains[0] are fields of the form's lists.
			if name, _, ok := strings.Cut(e.Field, "["); ok {
				base.Errors[i].Field = name
			}
		}
		return s.renderVendors(w, r, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("%s is in the dictionary; the next imports recognise it.", v.Name))
	http.Redirect(w, r, "/spend/vendors", http.StatusSeeOther)
	return nil
}

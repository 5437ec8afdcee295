package adminpages

import (
	"net/http"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// importPage is the CSV import form with the columns of each kind.
func (s *Pages) importPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, page.Base{}, nil)
}

func (s *Pages) renderImport(w http.ResponseWriter, r *http.Request, base page.Base, rep *org.ImportReport) error {
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Import from CSV", "admin"
	s.Render(w, r, "import.html", &importView{Base: base, Kinds: org.ImportKinds, Columns: org.ImportColumns, Report: rep})
	return nil
}

func (s *Pages) importFile(w http.ResponseWriter, r *http.Request) error {
	kind := r.PostFormValue("kind")
	file, _, err := r.FormFile("file")
	if err != nil {
		var base page.Base
		base.Rejected([]engage.FieldError{{Field: "file", Message: "Choose a CSV file to import."}}, r)
		return s.renderImport(w, r, base, nil)
	}
	defer file.Close()
	rep, err := s.Org.Import(r.Context(), page.Principal(r), kind, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		// Each error names its line; they all point at the file input.
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: page.UpperFirst(f.Field) + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "kind", Message: engage.ErrorMessage(err)}}
		}
		var base page.Base
		base.Rejected(errs, r)
		return s.renderImport(w, r, base, nil)
	} else if err != nil {
		return err
	}
	return s.renderImport(w, r, page.Base{Form: page.FormOf(r)}, &rep)
}

func (s *Pages) exportFile(w http.ResponseWriter, r *http.Request) error {
	kind := strings.TrimSuffix(r.PathValue("kind"), ".csv")
	if _, ok := org.ImportColumns[kind]; !ok {
		return engage.Errorf(engage.ENOTFOUND, "There is no export called %q.", kind)
	}
	page.Attachment(w, "text/csv; charset=utf-8", kind+".csv")
	return s.Org.Export(r.Context(), page.Principal(r), kind, w)
}

package billingpages

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/web/page"
)

// Cloud bills: the imports of FOCUS files and their reports.

// cloudView is finance's cloud bills page: the upload form, the imports
// and the months with charges.
type cloudView struct {
	page.Base
	Imports []cloudbill.CloudImport
	Next    string
	Periods []cloudbill.ChargePeriod
	MaxSize string
}

func (s *Pages) cloudPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCloud(w, r, page.Base{Form: map[string]string{"basis": string(cloudbill.BasisEffective)}}, http.StatusOK)
}

func (s *Pages) renderCloud(w http.ResponseWriter, r *http.Request, base page.Base, status int) error {
	p, ctx := page.Principal(r), r.Context()
	imports, next, err := s.CloudBill.ListImports(ctx, p, r.URL.Query().Get("cursor"), 20) // finance and administrators only
	if err != nil {
		return err
	}
	periods, err := s.CloudBill.ChargePeriods(ctx, p)
	if err != nil {
		return err
	}
	base.Title, base.Nav = "Cloud bills", "costs"
	v := &cloudView{Base: base, Imports: imports, Next: next, Periods: periods, MaxSize: page.ByteSize(MaxCloudBill)}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.Render(w, r, "cloud.html", v)
	return nil
}

// cloudImportOptions reads the upload's options from a form or a query.
func cloudImportOptions(get func(string) string) cloudbill.ImportOptions {
	return cloudbill.ImportOptions{Basis: cloudbill.Basis(strings.TrimSpace(get("basis"))),
		SlashDates: focus.DateOrder(strings.ToUpper(strings.TrimSpace(get("dates")))), DefaultCurrency: get("currency"),
		AcceptPartial: get("accept_partial") == "yes"}
}

// importFieldErrors turns an import's refusal into messages beside the
// form's fields: the options by name, everything about the file on the file.
func importFieldErrors(err error) []engage.FieldError {
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return []engage.FieldError{{Field: "file", Message: fmt.Sprintf(
			"The file is larger than Engage accepts (%s); nothing was imported. Split it into smaller files, such as one per month, or compress it with gzip.", page.ByteSize(tooLarge.Limit))}}
	}
	if engage.ErrorCode(err) != engage.EINVALID {
		return nil
	}
	var out []engage.FieldError
	var file []string
	for _, f := range engage.ErrorFields(err) {
		switch f.Field {
		case "basis", "dates", "currency":
			out = append(out, f)
		default:
			file = append(file, page.UpperFirst(f.Field)+": "+f.Message)
		}
	}
	if len(file) > 0 || len(out) == 0 {
		msg := engage.ErrorMessage(err)
		if len(file) > 0 {
			msg += " " + strings.Join(file, "; ") + "."
		}
		out = append([]engage.FieldError{{Field: "file", Message: msg}}, out...)
	}
	return out
}

func importedFlash(rep cloudbill.CloudImport) string {
	n := func(v int64) string { return page.FormatQuantity(decimal.NewFromInt(v)) }
	return fmt.Sprintf("Imported %s: %s rows added, %s already there, %s rejected.", rep.FileName, n(rep.Added), n(rep.Duplicates), n(rep.Rejected))
}

// cloudImportForm imports the file of the upload form.
func (s *Pages) cloudImportForm(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	if err := s.CloudBill.MayImport(p); err != nil {
		return err
	}
	base := page.Base{Form: page.FormOf(r)}
	file, header, err := r.FormFile("file")
	if err != nil {
		base.Errors = []engage.FieldError{{Field: "file", Message: "Choose the FOCUS file to import: CSV, CSV compressed with gzip, or Parquet."}}
		return s.renderCloud(w, r, base, http.StatusUnprocessableEntity)
	}
	defer file.Close()
	rep, err := s.CloudBill.Import(ctx, p, header.Filename, file, cloudImportOptions(r.PostFormValue))
	if errs := importFieldErrors(err); errs != nil {
		base.Errors = errs
		return s.renderCloud(w, r, base, http.StatusUnprocessableEntity)
	} else if err != nil {
		return err
	}
	s.Flash(w, importedFlash(rep))
	http.Redirect(w, r, fmt.Sprintf("/billing/cloud/imports/%d", rep.ID), http.StatusSeeOther)
	return nil
}

// cloudImportStream imports the request body as it arrives and answers in
// JSON for the page's script: where the report is, or what was wrong.
func (s *Pages) cloudImportStream(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	answer := func(status int, v any) error {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(v)
	}
	refuse := func(err error, errs []engage.FieldError) error {
		status := engage.HTTPStatus(err)
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		if errs == nil {
			errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
		}
		return answer(status, map[string]any{"errors": errs})
	}
	if err := s.CloudBill.MayImport(p); err != nil {
		return refuse(err, nil)
	}
	name := r.URL.Query().Get("name")
	body := bufio.NewReaderSize(r.Body, 64<<10)
	var src io.Reader = body
	// Parquet is read at random offsets, so it is received first.
	if magic, _ := body.Peek(4); focus.IsParquet(magic) {
		f, remove, err := focus.Spool(body)
		if err != nil {
			return refuse(err, importFieldErrors(err))
		}
		defer remove()
		src = f
	}
	rep, err := s.CloudBill.Import(ctx, p, name, src, cloudImportOptions(r.URL.Query().Get))
	if err == nil {
		s.Flash(w, importedFlash(rep))
		return answer(http.StatusCreated, map[string]any{"id": rep.ID, "report": fmt.Sprintf("/billing/cloud/imports/%d", rep.ID)})
	}
	errs := importFieldErrors(err)
	if errs == nil && engage.ErrorCode(err) == engage.EINTERNAL {
		s.Logger.Error("cloud bill upload failed", "err", err)
	}
	return refuse(err, errs)
}

// importView is one import's report.
type importView struct {
	page.Base
	Import cloudbill.CloudImport
}

func (s *Pages) cloudImportReport(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := s.CloudBill.FindImport(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	s.Render(w, r, "cloud_import.html", &importView{Base: page.Base{Title: "Cloud bill import " + rep.FileName, Nav: "costs"}, Import: rep})
	return nil
}

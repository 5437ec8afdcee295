// Package backstagepages is the web interface's Backstage page: importing
// Backstage catalog descriptor files (a dry run first, then the same files
// applied) and downloading the catalog's services as a catalog-info.yaml.
package backstagepages

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the Backstage page.
type Pages struct {
	*page.Kit
	Backstage *backstage.Service
}

// Routes are the import page, the import itself and the download.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /backstage", Handle: s.importPage},
		{Pattern: "POST /backstage", Handle: s.importFiles, MaxBody: backstage.MaxTotalBytes + 1<<20, MayUpload: backstage.MayImport,
			UploadTime: 2 * time.Minute},
		{Pattern: "GET /backstage/catalog-info.yaml", Handle: s.export},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area:  "backstage",
	FS:    templateFS,
	Views: map[string]page.View{"backstage_import.html": &importView{}},
}

// importView is the import page, with what a dry run found.
type importView struct {
	page.Base
	Report *backstage.Report
	// Checked is the fingerprint of the files the dry run read: applying
	// takes the same files, so what is applied is what was shown.
	Checked string
	Names   string
	// Examples name the example files the page offers (the demo's);
	// FromExamples says the report is theirs.
	Examples     []string
	FromExamples bool
}

// examples names the example files on offer.
func (s *Pages) examples() []string {
	names := make([]string, 0, len(s.Backstage.Examples))
	for n := range s.Backstage.Examples {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

const title = "Backstage catalog"

func (s *Pages) importPage(w http.ResponseWriter, r *http.Request) error {
	if err := backstage.MayImport(page.Principal(r)); err != nil {
		return err
	}
	s.Render(w, r, "backstage_import.html", &importView{Base: page.Base{Title: title, Nav: "portfolio"}, Examples: s.examples()})
	return nil
}

// importFiles reads the uploaded files: the first time as a dry run that
// shows what would change; applied only when sent with the fingerprint of
// the files that dry run read.
func (s *Pages) importFiles(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	base := page.Base{Title: title, Nav: "portfolio"}
	refuse := func(status int, errs []engage.FieldError) error {
		base.Errors = errs
		w.WriteHeader(status)
		s.Render(w, r, "backstage_import.html", &importView{Base: base, Examples: s.examples()})
		return nil
	}
	files := backstage.Files{}
	fromExamples := r.PostFormValue("examples") == "1" && len(s.Backstage.Examples) > 0
	if fromExamples {
		for n, b := range s.Backstage.Examples {
			files[n] = b
		}
	} else if r.MultipartForm != nil {
		for _, h := range r.MultipartForm.File["file"] {
			f, err := h.Open()
			if err != nil {
				return err
			}
			src, err := io.ReadAll(io.LimitReader(f, backstage.MaxFileBytes+1))
			f.Close()
			if err != nil {
				return err
			}
			files[path.Base(strings.ReplaceAll(h.Filename, `\`, "/"))] = src
		}
	}
	if len(files) == 0 {
		return refuse(http.StatusUnprocessableEntity, []engage.FieldError{{Field: "file", Message: "Choose one or more Backstage descriptor files (.yaml) to import."}})
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	sum := sha256.New()
	for _, n := range names {
		fmt.Fprintf(sum, "%s\x00%d\x00", n, len(files[n]))
		sum.Write(files[n])
	}
	fingerprint := hex.EncodeToString(sum.Sum(nil))
	apply := r.PostFormValue("checked") == fingerprint
	set, err := backstage.ReadFiles(files)
	var rep backstage.Report
	if err == nil {
		rep, err = s.Backstage.Import(ctx, p, set, !apply)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.EFORBIDDEN {
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: f.Field + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		}
		return refuse(engage.HTTPStatus(err), errs)
	} else if err != nil {
		return err
	}
	if apply {
		s.Flash(w, fmt.Sprintf("Imported %s: %d created, %d changed.", strings.Join(names, ", "), rep.Created, rep.Changed))
		http.Redirect(w, r, "/backstage", http.StatusSeeOther)
		return nil
	}
	s.Render(w, r, "backstage_import.html", &importView{Base: base, Report: &rep, Checked: fingerprint, Names: strings.Join(names, ", "),
		Examples: s.examples(), FromExamples: fromExamples})
	return nil
}

func (s *Pages) export(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := s.Backstage.Export(r.Context(), page.Principal(r), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="catalog-info.yaml"`)
	_, err := w.Write(buf.Bytes())
	return err
}

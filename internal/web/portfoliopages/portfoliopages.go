// Package portfoliopages is the web interface's portfolio area: the process
// map, a process's page with its enablement and evidence, the applications,
// the customer journeys, and the architects' forms and ArchiMate import.
package portfoliopages

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the portfolio area.
type Pages struct {
	*page.Kit
	Processes *process.Service
	Catalog   *catalog.Catalog
	FrontDoor *frontdoor.Service
	// Org lists the functions and locations a process may be performed by
	// and at.
	Org *org.Service
	// Landscape gives a process's risk flags; none are shown while it is nil.
	Landscape *landscape.Service
	// ProcessCosts shows what processes and journeys cost.
	ProcessCosts *processcost.Service
	// Communities lists the communities, so that a process page names the
	// community of each service it uses; none are named while it is nil.
	Communities func(ctx context.Context, p *access.Principal) ([]community.Community, error)

	maps    maps
	details details
}

// Routes are the process map, the process, application and journey pages,
// their forms, and the ArchiMate import and export.
func (s *Pages) Routes() []page.Route {
	return append([]page.Route{
		{Pattern: "GET /portfolio", Handle: s.processMap},
		{Pattern: "POST /portfolio/processes", Handle: s.createProcess},
		{Pattern: "GET /portfolio/processes/{id}", Handle: s.processPage},
		{Pattern: "POST /portfolio/processes/{id}", Handle: s.updateProcess},
		{Pattern: "POST /portfolio/processes/{id}/links", Handle: s.link},
		{Pattern: "POST /portfolio/processes/{id}/unlink", Handle: s.unlink},
		{Pattern: "POST /portfolio/processes/{id}/performers", Handle: s.setPerformers},
		{Pattern: "POST /portfolio/processes/{id}/journeys", Handle: s.setJourneys},
		{Pattern: "GET /portfolio/applications", Handle: s.applications},
		{Pattern: "POST /portfolio/applications", Handle: s.createApplication},
		{Pattern: "GET /portfolio/applications/{id}", Handle: s.applicationPage},
		{Pattern: "POST /portfolio/applications/{id}", Handle: s.updateApplication},
		{Pattern: "GET /portfolio/journeys", Handle: s.journeys},
		{Pattern: "GET /portfolio/archimate", Handle: s.importPage},
		{Pattern: "POST /portfolio/archimate", Handle: s.importArchiMate, MaxBody: process.MaxFileBytes + 1<<20, MayUpload: process.MayWrite,
			UploadTime: 2 * time.Minute},
		{Pattern: "GET /portfolio/archimate/export", Handle: s.exportArchiMate},
	}, s.costRoutes()...)
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "portfolio",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"enablement": func(e string) string { return process.EnablementLabels[e] },
		"percent":    func(d decimal.Decimal) string { return d.String() + " %" },
		"fit": func(n int) string {
			if n == 0 {
				return "—"
			}
			return strconv.Itoa(n)
		},
	},
	Views: map[string]page.View{
		"portfolio_map.html":          &mapView{},
		"portfolio_process.html":      &processView{},
		"portfolio_applications.html": &applicationsView{},
		"portfolio_application.html":  &applicationView{},
		"portfolio_journeys.html":     &journeysView{},
		"portfolio_import.html":       &importView{},
		"portfolio_journey.html":      &journeyView{},
		"portfolio_cost_drill.html":   &drillView{},
	},
}

// node is an entry of the process map with what sits below it.
type node struct {
	process.MapEntry
	Children []node
	Cost     string // rolled up, the month's charged figure
}

// mapView is the process map: value streams and the processes below them.
type mapView struct {
	page.Base
	// Tree is the map drawn (drawMap): empty when the register is.
	Tree      template.HTML
	Count     int
	CanChange bool
	Parents   []process.MapEntry
	Costs     *processcost.CostMap
}

type processView struct {
	page.Base
	Detail       process.ProcessDetail
	Needs        []frontdoor.Need
	Applications []process.Application
	Services     []catalog.ServiceCard
	Parents      []process.MapEntry
	Flags        []landscape.RiskFlag
	// ServiceCommunities is the community of each linked service that has
	// one, by service id.
	ServiceCommunities map[int64]community.Community
	// The choices of the performers' and journeys' forms, and which are
	// chosen (what was sent, when it was refused).
	Functions []org.Function
	Locations []org.Location
	Journeys  []process.Journey
	Chosen    map[string]map[int64]bool
	Cost      *costSection
}

type applicationsView struct {
	page.Base
	Applications []process.Application
	CanChange    bool
}

type applicationView struct {
	page.Base
	Application process.Application
	CanChange   bool
}

type journeysView struct {
	page.Base
	Journeys []process.Journey
}

type importView struct {
	page.Base
	Plan *process.RegisterPlan
	// Checked is the fingerprint of the file the dry run read: applying
	// takes the same file, so what is applied is what was shown.
	Checked string
	Name    string
}

// tree returns the entries of m below id as a tree, reading m once.
func tree(m process.RegisterMap, id int64, depth int) []node {
	below := map[int64][]process.MapEntry{}
	for _, e := range m.Entries {
		below[e.ParentID] = append(below[e.ParentID], e)
	}
	return subtree(below, id, depth)
}

func subtree(below map[int64][]process.MapEntry, id int64, depth int) []node {
	var out []node
	if depth > 64 {
		return out
	}
	for _, e := range below[id] {
		out = append(out, node{MapEntry: e, Children: subtree(below, e.ID, depth+1)})
	}
	return out
}

func (s *Pages) processMap(w http.ResponseWriter, r *http.Request) error {
	return s.renderMap(w, r, page.Base{Form: map[string]string{"kind": "process", "criticality": "medium"}})
}

func (s *Pages) renderMap(w http.ResponseWriter, r *http.Request, base page.Base) error {
	p := page.Principal(r)
	d, m, err := s.drawMap(r.Context(), p, r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Portfolio: the process map", "portfolio"
	v := &mapView{Base: base, Tree: d.Tree, Count: d.Count, CanChange: process.MayChange(p), Costs: d.Costs}
	if v.CanChange {
		v.Parents = m.Entries
	}
	s.Render(w, r, "portfolio_map.html", v)
	return nil
}

func processInput(r *http.Request) process.Input {
	parent, _ := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	// The owner is shown, not edited, on the page: the form carries it back.
	owner, _ := strconv.ParseInt(r.PostFormValue("owner_person_id"), 10, 64)
	dept, _ := strconv.ParseInt(r.PostFormValue("owner_department_id"), 10, 64)
	return process.Input{Kind: process.Kind(r.PostFormValue("kind")), Ref: r.PostFormValue("ref"), Name: r.PostFormValue("name"),
		OwnerPersonID: owner, OwnerDepartmentID: dept,
		Description: r.PostFormValue("description"), ParentID: parent, Criticality: r.PostFormValue("criticality"),
		ExternalCustomers: r.PostFormValue("external_customers") == "on", Enablement: r.PostFormValue("enablement"),
		ArchiMateType: r.PostFormValue("archimate_type"), ArchiMateID: r.PostFormValue("archimate_id")}
}

func invalid(err error) bool {
	c := engage.ErrorCode(err)
	return (c == engage.EINVALID || c == engage.ECONFLICT) && len(engage.ErrorFields(err)) > 0
}

func (s *Pages) createProcess(w http.ResponseWriter, r *http.Request) error {
	e, err := s.Processes.Create(r.Context(), page.Principal(r), processInput(r))
	if invalid(err) {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderMap(w, r, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved "+e.Name+".")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/processes/%d", e.ID), http.StatusSeeOther)
	return nil
}

func (s *Pages) processPage(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderProcess(w, r, id, page.Base{})
}

func (s *Pages) renderProcess(w http.ResponseWriter, r *http.Request, id int64, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	d, gen, err := s.describe(ctx, p, id)
	if err != nil {
		return err
	}
	v := &processView{Detail: d}
	if v.Cost, err = s.processCost(ctx, p, d.Entry, gen, r.URL.Query().Get("period")); err != nil {
		return err
	}
	// One query gives the needs shown and those flagging the process.
	needs, err := s.FrontDoor.NeedsOfProcess(ctx, p, id, 50)
	if err != nil {
		return err
	}
	v.Needs = needs.Needs
	if s.Communities != nil && len(d.Services) > 0 {
		all, err := s.Communities(ctx, p)
		if err != nil {
			return err
		}
		v.ServiceCommunities = map[int64]community.Community{}
		for _, c := range all {
			if c.Kind == community.KindService && c.ServiceID != 0 {
				v.ServiceCommunities[c.ServiceID] = c
			}
		}
	}
	if s.Landscape != nil {
		if v.Flags, err = s.Landscape.FlagsAt(ctx, p, id, gen, needs.Unreviewed); err != nil {
			return err
		}
	}
	if d.CanChange {
		if v.Applications, err = s.Processes.ListApplications(ctx, p); err != nil {
			return err
		}
		cards, err := s.Catalog.ListServices(ctx, p, catalog.ListFilter{Limit: 200})
		if err != nil {
			return err
		}
		v.Services = cards.Cards
		m, err := s.currentRegister(ctx, p)
		if err != nil {
			return err
		}
		v.Parents = m.Entries
		if err := s.performerChoices(r, v); err != nil {
			return err
		}
	}
	// The page has several forms; one refused keeps what was typed in it,
	// and the edit form still shows the process as it is unless it is the
	// one refused (it sends the version).
	if _, edit := base.Form["version"]; !edit {
		e := d.Entry
		ext := ""
		if e.ExternalCustomers {
			ext = "on"
		}
		own := map[string]string{"kind": string(e.Kind), "ref": e.Ref, "name": e.Name, "description": e.Description,
			"parent_id": strconv.FormatInt(e.ParentID, 10), "criticality": e.Criticality, "external_customers": ext, "enablement": e.Enablement,
			"archimate_type": e.ArchiMateType, "archimate_id": e.ArchiMateID, "version": strconv.Itoa(e.Version), "weight": "100",
			"owner_person_id": strconv.FormatInt(e.OwnerPersonID, 10), "owner_department_id": strconv.FormatInt(e.OwnerDepartmentID, 10)}
		for k, v := range base.Form {
			own[k] = v
		}
		base.Form = own
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = d.Entry.Name, "portfolio"
	v.Base = base
	s.Render(w, r, "portfolio_process.html", v)
	return nil
}

func (s *Pages) updateProcess(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.Processes.Update(r.Context(), page.Principal(r), id, version, processInput(r))
	if invalid(err) {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderProcess(w, r, id, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/processes/%d", id), http.StatusSeeOther)
	return nil
}

// link links the process to an application or a catalog service; sending
// it again sets the same weight.
func (s *Pages) link(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), page.Principal(r)
	weight, werr := decimal.NewFromString(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.PostFormValue("weight")), "%")))
	// The target names its kind ("service:12", "application:7"): one list
	// offers both, and an application and a service may share a number.
	kind, number, _ := strings.Cut(r.PostFormValue("target"), ":")
	target, terr := strconv.ParseInt(number, 10, 64)
	if kind != "service" && kind != "application" {
		terr = errors.New("no kind")
	}
	var errs []engage.FieldError
	if werr != nil {
		errs = append(errs, engage.FieldError{Field: "weight", Message: "Enter a percentage from 0 to 100, such as 40 or 12.5."})
	}
	if terr != nil || target <= 0 {
		errs = append(errs, engage.FieldError{Field: "target", Message: "Choose an application or a catalog service."})
	}
	if len(errs) == 0 {
		if kind == "service" {
			_, err = s.Processes.LinkService(ctx, p, id, target, weight)
		} else {
			_, err = s.Processes.LinkApplication(ctx, p, id, target, weight)
		}
		if invalid(err) {
			for _, f := range engage.ErrorFields(err) {
				if f.Field != "weight" {
					f.Field = "target"
				}
				errs = append(errs, f)
			}
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		var base page.Base
		base.Rejected(errs, r)
		return s.renderProcess(w, r, id, base)
	}
	s.Flash(w, "Link saved.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/processes/%d#links", id), http.StatusSeeOther)
	return nil
}

func (s *Pages) unlink(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	target, _ := strconv.ParseInt(r.PostFormValue("target"), 10, 64)
	kind := "application"
	if r.PostFormValue("kind") == "service" {
		kind = "service"
	}
	if err := s.Processes.Unlink(r.Context(), page.Principal(r), id, kind, target); err != nil {
		return err
	}
	s.Flash(w, "Link removed.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/processes/%d#links", id), http.StatusSeeOther)
	return nil
}

func (s *Pages) applications(w http.ResponseWriter, r *http.Request) error {
	return s.renderApplications(w, r, page.Base{Form: map[string]string{"lifecycle": "active"}})
}

func (s *Pages) renderApplications(w http.ResponseWriter, r *http.Request, base page.Base) error {
	p := page.Principal(r)
	list, err := s.Processes.ListApplications(r.Context(), p)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Portfolio: applications", "portfolio"
	s.Render(w, r, "portfolio_applications.html", &applicationsView{Base: base, Applications: list, CanChange: process.MayChange(p)})
	return nil
}

// applicationInput reads the application form; a fit that is not a whole
// number (3.5, "good") is an error of its field, not an empty fit.
func applicationInput(r *http.Request) (process.ApplicationInput, []engage.FieldError) {
	var errs []engage.FieldError
	fit := func(name string) int {
		text := strings.TrimSpace(r.PostFormValue(name))
		if text == "" {
			return 0
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			errs = append(errs, engage.FieldError{Field: name, Message: "Rate from 1 (poor) to 5 (excellent) in whole numbers, or leave it empty."})
		}
		return n
	}
	in := process.ApplicationInput{Ref: r.PostFormValue("ref"), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Vendor: r.PostFormValue("vendor"), Lifecycle: r.PostFormValue("lifecycle"), FunctionalFit: fit("functional_fit"),
		TechnicalFit: fit("technical_fit"), ArchiMateID: r.PostFormValue("archimate_id")}
	if r.PostForm != nil {
		for _, v := range r.PostForm["service_ids"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.ServiceIDs = append(in.ServiceIDs, id)
			}
		}
	}
	return in, errs
}

func (s *Pages) createApplication(w http.ResponseWriter, r *http.Request) error {
	in, errs := applicationInput(r)
	var app process.Application
	var err error
	if len(errs) == 0 {
		app, err = s.Processes.CreateApplication(r.Context(), page.Principal(r), in)
		if invalid(err) {
			errs = engage.ErrorFields(err)
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		var base page.Base
		base.Rejected(errs, r)
		return s.renderApplications(w, r, base)
	}
	s.Flash(w, "Saved "+app.Name+".")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/applications/%d", app.ID), http.StatusSeeOther)
	return nil
}

func (s *Pages) applicationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderApplication(w, r, id, page.Base{})
}

func (s *Pages) renderApplication(w http.ResponseWriter, r *http.Request, id int64, base page.Base) error {
	p := page.Principal(r)
	app, err := s.Processes.GetApplication(r.Context(), p, id)
	if err != nil {
		return err
	}
	if base.Form == nil {
		base.Form = map[string]string{"ref": app.Ref, "name": app.Name, "description": app.Description, "vendor": app.Vendor,
			"lifecycle": app.Lifecycle, "functional_fit": fitText(app.FunctionalFit), "technical_fit": fitText(app.TechnicalFit),
			"archimate_id": app.ArchiMateID, "version": strconv.Itoa(app.Version)}
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = app.Name, "portfolio"
	s.Render(w, r, "portfolio_application.html", &applicationView{Base: base, Application: app, CanChange: process.MayChange(p)})
	return nil
}

// fitText is a fit as its form field shows it: empty when not rated.
func fitText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (s *Pages) updateApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), page.Principal(r)
	cur, err := s.Processes.GetApplication(ctx, p, id)
	if err != nil {
		return err
	}
	in, errs := applicationInput(r)
	// The form does not show the services it runs on: they stay.
	in.OwnerPersonID = cur.OwnerPersonID
	for _, svc := range cur.Services {
		in.ServiceIDs = append(in.ServiceIDs, svc.ID)
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if len(errs) == 0 {
		if _, err = s.Processes.UpdateApplication(ctx, p, id, version, in); invalid(err) {
			errs = engage.ErrorFields(err)
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		var base page.Base
		base.Rejected(errs, r)
		return s.renderApplication(w, r, id, base)
	}
	s.Flash(w, "Saved.")
	http.Redirect(w, r, fmt.Sprintf("/portfolio/applications/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Pages) journeys(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Processes.ListJourneys(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "portfolio_journeys.html", &journeysView{Base: page.Base{Title: "Portfolio: customer journeys", Nav: "portfolio"}, Journeys: list})
	return nil
}

func (s *Pages) importPage(w http.ResponseWriter, r *http.Request) error {
	if err := process.MayWrite(page.Principal(r)); err != nil {
		return err
	}
	s.Render(w, r, "portfolio_import.html", &importView{Base: page.Base{Title: "Portfolio: import an ArchiMate model", Nav: "portfolio"}})
	return nil
}

// importArchiMate reads the uploaded file: the first time as a dry run that
// shows what would change; applied only when sent with the fingerprint of
// the file that dry run read.
func (s *Pages) importArchiMate(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	base := page.Base{Title: "Portfolio: import an ArchiMate model", Nav: "portfolio"}
	file, header, err := r.FormFile("file")
	if err != nil {
		base.Errors = []engage.FieldError{{Field: "file", Message: "Choose an ArchiMate exchange file (.xml) to import."}}
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.Render(w, r, "portfolio_import.html", &importView{Base: base})
		return nil
	}
	defer file.Close()
	src, err := io.ReadAll(io.LimitReader(file, process.MaxFileBytes+1))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	fingerprint := hex.EncodeToString(sum[:])
	apply := r.PostFormValue("checked") == fingerprint
	plan, err := s.Processes.ImportArchiMate(ctx, p, header.Filename, bytes.NewReader(src), !apply)
	if engage.ErrorCode(err) == engage.EINVALID {
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: f.Field + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		}
		base.Errors = errs
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.Render(w, r, "portfolio_import.html", &importView{Base: base})
		return nil
	} else if err != nil {
		return err
	}
	if apply {
		s.Flash(w, fmt.Sprintf("Imported %s: %d created, %d changed.", header.Filename, plan.Created, plan.Changed))
		http.Redirect(w, r, "/portfolio", http.StatusSeeOther)
		return nil
	}
	s.Render(w, r, "portfolio_import.html", &importView{Base: base, Plan: &plan, Checked: fingerprint, Name: header.Filename})
	return nil
}

func (s *Pages) exportArchiMate(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := s.Processes.ExportArchiMate(r.Context(), page.Principal(r), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="engage-register.xml"`)
	_, err := w.Write(buf.Bytes())
	return err
}

// performerChoices fills the performers' and journeys' forms: every
// function, location and journey, those of the process chosen unless the
// form sent others back.
func (s *Pages) performerChoices(r *http.Request, v *processView) error {
	ctx, p := r.Context(), page.Principal(r)
	var err error
	if v.Functions, err = allPages(func(cursor string) ([]org.Function, string, error) {
		return s.Org.ListFunctions(ctx, p, org.ListFilter{Cursor: cursor, Limit: paging.MaxLimit})
	}); err != nil {
		return err
	}
	if v.Locations, err = allPages(func(cursor string) ([]org.Location, string, error) {
		return s.Org.ListLocations(ctx, p, org.ListFilter{Cursor: cursor, Limit: paging.MaxLimit})
	}); err != nil {
		return err
	}
	if v.Journeys, err = s.Processes.ListJourneys(ctx, p); err != nil {
		return err
	}
	d := v.Detail
	v.Chosen = map[string]map[int64]bool{"function_ids": {}, "location_ids": {}, "journey_ids": {}}
	for _, f := range d.Functions {
		v.Chosen["function_ids"][f.ID] = true
	}
	for _, l := range d.Locations {
		v.Chosen["location_ids"][l.ID] = true
	}
	for _, j := range d.Journeys {
		v.Chosen["journey_ids"][j.ID] = true
	}
	// A refused form shows what was sent.
	if r.Method == http.MethodPost && r.PostForm != nil {
		for _, field := range []string{"function_ids", "location_ids", "journey_ids"} {
			if _, sent := r.PostForm[field+"_sent"]; sent {
				v.Chosen[field] = map[int64]bool{}
				for _, id := range postedIDs(r, field) {
					v.Chosen[field][id] = true
				}
			}
		}
	}
	return nil
}

// allPages reads every page of a list.
func allPages[T any](list func(cursor string) ([]T, string, error)) ([]T, error) {
	var out []T
	for cursor, pages := "", 0; pages < 100; pages++ {
		items, next, err := list(cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// postedIDs reads the ids a form's checkboxes sent under field; a value
// that is not an id is left out (the service names unknown ids).
func postedIDs(r *http.Request, field string) []int64 {
	ids := []int64{}
	for _, v := range r.PostForm[field] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// setPerformers saves which functions perform the process and where.
func (s *Pages) setPerformers(w http.ResponseWriter, r *http.Request) error {
	return s.saveChoices(w, r, "performers", "Saved who performs it and where.", func(id int64) error {
		return s.Processes.SetPerformers(r.Context(), page.Principal(r), id, postedIDs(r, "function_ids"), postedIDs(r, "location_ids"))
	})
}

// setJourneys saves which customer journeys the process is part of.
func (s *Pages) setJourneys(w http.ResponseWriter, r *http.Request) error {
	return s.saveChoices(w, r, "journeys-form", "Saved its customer journeys.", func(id int64) error {
		return s.Processes.SetJourneysOf(r.Context(), page.Principal(r), id, postedIDs(r, "journey_ids"))
	})
}

// saveChoices runs save for the process of the path: refused, the page
// shows the errors on their fields with what was sent; saved, it goes back
// to the form's place on the page.
func (s *Pages) saveChoices(w http.ResponseWriter, r *http.Request, anchor, flash string, save func(id int64) error) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := save(id); invalid(err) {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderProcess(w, r, id, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, flash)
	http.Redirect(w, r, fmt.Sprintf("/portfolio/processes/%d#%s", id, anchor), http.StatusSeeOther)
	return nil
}

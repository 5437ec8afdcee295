package process

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// ServiceRef is what the register shows of a catalog service.
type ServiceRef struct {
	ID        int64  `json:"id"`
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	Lifecycle string `json:"lifecycle"`
}

// ServiceDirectory is the catalog as the register sees it: every service,
// by id (*catalog.Catalog).
type ServiceDirectory interface {
	AllServices(ctx context.Context) (map[int64]catalog.Service, error)
	// ServicesGeneration moves whenever what AllServices returns may
	// have changed.
	ServicesGeneration(ctx context.Context) (int64, error)
}

// Lifecycles of an application, in the order they follow each other.
var Lifecycles = []string{"plan", "active", "phase-out", "retired"}

// Application is a business application of the portfolio.
type Application struct {
	ID            int64        `json:"id"`
	Ref           string       `json:"ref" example:"claims-desk"`
	Name          string       `json:"name"`
	Description   string       `json:"description"`
	OwnerPersonID int64        `json:"owner_person_id,omitempty"`
	Vendor        string       `json:"vendor"`
	Lifecycle     string       `json:"lifecycle" enum:"plan,active,phase-out,retired"`
	FunctionalFit int          `json:"functional_fit,omitempty" minimum:"0" maximum:"5" doc:"1 (poor) to 5 (excellent); absent when not rated"`
	TechnicalFit  int          `json:"technical_fit,omitempty" minimum:"0" maximum:"5" doc:"1 (poor) to 5 (excellent); absent when not rated"`
	Disposition   string       `json:"disposition" enum:",tolerate,invest,migrate,eliminate" doc:"TIME, from the two fits; empty until both are rated"`
	ArchiMateID   string       `json:"archimate_id,omitempty"`
	Services      []ServiceRef `json:"services" nullable:"false" doc:"The catalog services it runs on or is delivered as"`
	Version       int          `json:"version"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// ApplicationInput is what is written about an application.
type ApplicationInput struct {
	Ref           string  `json:"ref" maxLength:"64"`
	Name          string  `json:"name" maxLength:"200"`
	Description   string  `json:"description,omitempty" maxLength:"10000"`
	OwnerPersonID int64   `json:"owner_person_id,omitempty"`
	Vendor        string  `json:"vendor,omitempty" maxLength:"200"`
	Lifecycle     string  `json:"lifecycle,omitempty" enum:"plan,active,phase-out,retired" doc:"active when absent"`
	FunctionalFit int     `json:"functional_fit,omitempty" minimum:"0" maximum:"5" doc:"0 or absent: not rated"`
	TechnicalFit  int     `json:"technical_fit,omitempty" minimum:"0" maximum:"5" doc:"0 or absent: not rated"`
	ArchiMateID   string  `json:"archimate_id,omitempty" maxLength:"200"`
	ServiceIDs    []int64 `json:"service_ids,omitempty" maxItems:"100"`
}

// Input returns the editable part of a.
func (a Application) Input() ApplicationInput {
	in := ApplicationInput{Ref: a.Ref, Name: a.Name, Description: a.Description, OwnerPersonID: a.OwnerPersonID, Vendor: a.Vendor,
		Lifecycle: a.Lifecycle, FunctionalFit: a.FunctionalFit, TechnicalFit: a.TechnicalFit, ArchiMateID: a.ArchiMateID}
	for _, s := range a.Services {
		in.ServiceIDs = append(in.ServiceIDs, s.ID)
	}
	return in
}

func (in ApplicationInput) same(o ApplicationInput) bool {
	a, b := slices.Clone(in.ServiceIDs), slices.Clone(o.ServiceIDs)
	slices.Sort(a)
	slices.Sort(b)
	return in.Ref == o.Ref && in.Name == o.Name && in.Description == o.Description && in.OwnerPersonID == o.OwnerPersonID &&
		in.Vendor == o.Vendor && in.Lifecycle == o.Lifecycle && in.FunctionalFit == o.FunctionalFit && in.TechnicalFit == o.TechnicalFit &&
		in.ArchiMateID == o.ArchiMateID && slices.Equal(a, b)
}

// Disposition is the TIME disposition of two fits (1 to 5): see the
// package comment. Empty while either is unrated (0).
func Disposition(functional, technical int) string {
	switch {
	case functional == 0 || technical == 0:
		return ""
	case functional >= 3 && technical >= 3:
		return "invest"
	case functional >= 3:
		return "migrate"
	case technical >= 3:
		return "tolerate"
	}
	return "eliminate"
}

const appColumns = `id, ref, name, description, COALESCE(owner_person_id, 0), vendor, lifecycle, COALESCE(functional_fit, 0),
	COALESCE(technical_fit, 0), archimate_id, version, created_at, updated_at FROM applications`

func (s *Service) applications(ctx context.Context, q db.Querier, where string, args ...any) ([]Application, error) {
	query := "SELECT " + appColumns
	if where != "" {
		query += " WHERE " + where
	}
	rows, err := q.Query(ctx, query+" ORDER BY name, id", args...)
	if err != nil {
		return nil, fmt.Errorf("reading the applications: %w", err)
	}
	out := []Application{}
	byID := map[int64]int{}
	for rows.Next() {
		var a Application
		if err := rows.Scan(&a.ID, &a.Ref, &a.Name, &a.Description, &a.OwnerPersonID, &a.Vendor, &a.Lifecycle, &a.FunctionalFit,
			&a.TechnicalFit, &a.ArchiMateID, &a.Version, &a.CreatedAt, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
		a.Disposition, a.Services = Disposition(a.FunctionalFit, a.TechnicalFit), []ServiceRef{}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	linkQuery, linkArgs := "SELECT application_id, service_id FROM application_services ORDER BY application_id, service_id", []any(nil)
	if where != "" && len(out) <= 500 {
		ids := make([]int64, len(out))
		for i, a := range out {
			ids[i] = a.ID
		}
		linkQuery = "SELECT application_id, service_id FROM application_services WHERE application_id IN (" + db.Placeholders(len(ids)) +
			") ORDER BY application_id, service_id"
		linkArgs = db.Args(ids)
	}
	links, err := q.Query(ctx, linkQuery, linkArgs...)
	if err != nil {
		return nil, fmt.Errorf("reading the applications' services: %w", err)
	}
	var pairs [][2]int64
	for links.Next() {
		var pair [2]int64
		if err := links.Scan(&pair[0], &pair[1]); err != nil {
			links.Close()
			return nil, err
		}
		pairs = append(pairs, pair)
	}
	links.Close()
	if err := links.Err(); err != nil || len(pairs) == 0 {
		return out, err
	}
	refs, err := s.serviceRefs(ctx)
	if err != nil {
		return nil, err
	}
	for _, pair := range pairs {
		if i, ok := byID[pair[0]]; ok {
			out[i].Services = append(out[i].Services, refs[pair[1]])
		}
	}
	return out, nil
}

// serviceRefs names every catalog service by id. The map is shared by
// every caller and kept while the catalog's generation stays (a process
// page reads it, and copying 5,000 services at each page was most of its
// cost): callers only read it.
func (s *Service) serviceRefs(ctx context.Context) (map[int64]ServiceRef, error) {
	if s.Services == nil {
		return map[int64]ServiceRef{}, nil
	}
	gen, err := s.Services.ServicesGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the catalog's services: %w", err)
	}
	s.refsMu.Lock()
	kept := s.refs
	s.refsMu.Unlock()
	if kept != nil && kept.generation == gen {
		return kept.refs, nil
	}
	all, err := s.Services.AllServices(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the catalog's services: %w", err)
	}
	out := make(map[int64]ServiceRef, len(all))
	for id, svc := range all {
		out[id] = ServiceRef{ID: id, Slug: svc.Slug, Name: svc.Name, Lifecycle: svc.Lifecycle}
	}
	// Kept under the generation read before them: a change meanwhile only
	// makes the next call read them again.
	s.refsMu.Lock()
	if s.refs == nil || s.refs.generation <= gen {
		s.refs = &serviceRefsAt{generation: gen, refs: out}
	}
	s.refsMu.Unlock()
	return out, nil
}

// serviceRefsAt is the catalog's services as named at one generation of
// the catalog; shared by every caller, never changed.
type serviceRefsAt struct {
	generation int64
	refs       map[int64]ServiceRef
}

// ListApplications returns every application, by name. Everyone signed in may.
func (s *Service) ListApplications(ctx context.Context, p *access.Principal) ([]Application, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	return s.applications(ctx, s.DB, "")
}

// GetApplication returns one application. Everyone signed in may.
func (s *Service) GetApplication(ctx context.Context, p *access.Principal, id int64) (Application, error) {
	if err := requireReader(p); err != nil {
		return Application{}, err
	}
	return s.application(ctx, s.DB, "id = ?", id)
}

func (s *Service) application(ctx context.Context, q db.Querier, where string, arg any) (Application, error) {
	list, err := s.applications(ctx, q, where, arg)
	if err != nil {
		return Application{}, err
	}
	if len(list) == 0 {
		return Application{}, engage.Errorf(engage.ENOTFOUND, "There is no such application in the register.")
	}
	return list[0], nil
}

func (s *Service) checkApplication(ctx context.Context, in *ApplicationInput, k *known) error {
	in.Ref = strings.ToLower(strings.TrimSpace(in.Ref))
	in.Name, in.Description, in.Vendor = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description), strings.TrimSpace(in.Vendor)
	in.ArchiMateID = strings.TrimSpace(in.ArchiMateID)
	if in.Lifecycle == "" {
		in.Lifecycle = "active"
	}
	var v engage.Validation
	for field, value := range map[string]string{"ref": in.Ref, "name": in.Name, "description": in.Description, "vendor": in.Vendor,
		"archimate_id": in.ArchiMateID} {
		v.Text(field, value)
	}
	checkRef(&v, in.Ref, "claims-desk")
	v.Require("name", in.Name, "the application's name")
	v.MaxLen("name", in.Name, 200)
	v.MaxLen("description", in.Description, 10000)
	v.MaxLen("vendor", in.Vendor, 200)
	v.MaxLen("archimate_id", in.ArchiMateID, 200)
	if !slices.Contains(Lifecycles, in.Lifecycle) {
		v.Add("lifecycle", "Choose plan, active, phase-out or retired.")
	}
	if in.FunctionalFit < 0 || in.FunctionalFit > 5 {
		v.Add("functional_fit", "Rate from 1 (poor) to 5 (excellent), or leave it empty.")
	}
	if in.TechnicalFit < 0 || in.TechnicalFit > 5 {
		v.Add("technical_fit", "Rate from 1 (poor) to 5 (excellent), or leave it empty.")
	}
	if err := s.checkPerson(ctx, &v, in.OwnerPersonID, k); err != nil {
		return err
	}
	slices.Sort(in.ServiceIDs)
	in.ServiceIDs = slices.Compact(in.ServiceIDs)
	if len(in.ServiceIDs) > 100 {
		v.Add("service_ids", "Link at most 100 services.")
	}
	if len(in.ServiceIDs) > 0 {
		var refs map[int64]ServiceRef
		if k != nil && k.services != nil {
			refs = k.services
		} else if r, err := s.serviceRefs(ctx); err != nil {
			return err
		} else {
			refs = r
		}
		for _, id := range in.ServiceIDs {
			if _, ok := refs[id]; !ok {
				v.Add("service_ids", "No catalog service with id %d.", id)
			}
		}
	}
	return v.Err()
}

func checkRef(v *engage.Validation, ref, example string) {
	switch {
	case ref == "":
		v.Add("ref", "Enter a short handle, such as %s.", example)
	case len(ref) > 64 || !refPattern.MatchString(ref):
		v.Add("ref", "Use up to 64 lower-case letters, digits and single hyphens, such as %s.", example)
	}
}

// CreateApplication adds an application. Enterprise architects and
// administrators only. Sending the same application again returns the one
// created.
func (s *Service) CreateApplication(ctx context.Context, p *access.Principal, in ApplicationInput) (Application, error) {
	if err := requireWriter(p); err != nil {
		return Application{}, err
	}
	var out Application
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.createApplication(ctx, tx, p, in, nil)
		return err
	})
	return out, err
}

func (s *Service) createApplication(ctx context.Context, tx *db.Tx, p *access.Principal, in ApplicationInput, k *known) (Application, error) {
	if err := s.checkApplication(ctx, &in, k); err != nil {
		return Application{}, err
	}
	// A register file (k set) creates only refs it found missing.
	if k == nil {
		if existing, err := s.application(ctx, tx, "ref = ?", in.Ref); err == nil {
			if existing.Input().same(in) {
				return existing, nil
			}
			return Application{}, fieldConflict("ref", fmt.Sprintf("%s is already the handle of %s.", in.Ref, existing.Name))
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return Application{}, err
		}
	}
	now := s.Clock.Now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO applications(ref, name, description, owner_person_id, vendor, lifecycle, functional_fit, technical_fit,
		archimate_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Ref, in.Name, in.Description, db.NullID(in.OwnerPersonID), in.Vendor, in.Lifecycle, nullFit(in.FunctionalFit), nullFit(in.TechnicalFit),
		in.ArchiMateID, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Application{}, fieldConflict("archimate_id", in.ArchiMateID+" is already the ArchiMate identifier of another application.")
	} else if err != nil {
		return Application{}, fmt.Errorf("saving application %s: %w", in.Ref, err)
	}
	if err := setApplicationServices(ctx, tx, id, in.ServiceIDs); err != nil {
		return Application{}, err
	}
	if err := audit.Record(ctx, tx, now, p, "create", "application", id, "Application "+in.Ref+": "+in.Name, nil, in); err != nil {
		return Application{}, err
	}
	if k != nil {
		a := Application{ID: id, Ref: in.Ref, Name: in.Name, Description: in.Description, OwnerPersonID: in.OwnerPersonID, Vendor: in.Vendor,
			Lifecycle: in.Lifecycle, FunctionalFit: in.FunctionalFit, TechnicalFit: in.TechnicalFit, Disposition: Disposition(in.FunctionalFit, in.TechnicalFit),
			ArchiMateID: in.ArchiMateID, Services: []ServiceRef{}, Version: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
		for _, sid := range in.ServiceIDs {
			a.Services = append(a.Services, k.services[sid])
		}
		return a, nil
	}
	return s.application(ctx, tx, "id = ?", id)
}

// UpdateApplication changes an application, given the version read.
// Enterprise architects and administrators only.
func (s *Service) UpdateApplication(ctx context.Context, p *access.Principal, id int64, version int, in ApplicationInput) (Application, error) {
	if err := requireWriter(p); err != nil {
		return Application{}, err
	}
	var out Application
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.updateApplication(ctx, tx, p, id, version, in, nil)
		return err
	})
	return out, err
}

func (s *Service) updateApplication(ctx context.Context, tx *db.Tx, p *access.Principal, id int64, version int, in ApplicationInput, k *known) (Application, error) {
	before, err := s.application(ctx, tx, "id = ?", id)
	if err != nil {
		return Application{}, err
	}
	if err := s.checkApplication(ctx, &in, k); err != nil {
		return Application{}, err
	}
	now := s.Clock.Now()
	res, err := tx.Exec(ctx, `UPDATE applications SET ref = ?, name = ?, description = ?, owner_person_id = ?, vendor = ?, lifecycle = ?,
		functional_fit = ?, technical_fit = ?, archimate_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Ref, in.Name, in.Description, db.NullID(in.OwnerPersonID), in.Vendor, in.Lifecycle, nullFit(in.FunctionalFit), nullFit(in.TechnicalFit),
		in.ArchiMateID, now, id, version)
	if db.IsUniqueViolation(err) {
		return Application{}, fieldConflict("ref", in.Ref+" is already the handle, or "+orNone(in.ArchiMateID)+" the ArchiMate identifier, of another application.")
	} else if err != nil {
		return Application{}, fmt.Errorf("saving application %s: %w", in.Ref, err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return Application{}, err
	} else if k == 0 {
		return Application{}, engage.Errorf(engage.ECONFLICT,
			"Someone else changed %s after you opened it (you edited version %d). Reload it to see their change, then make yours again.", before.Name, version)
	}
	if err := setApplicationServices(ctx, tx, id, in.ServiceIDs); err != nil {
		return Application{}, err
	}
	if err := audit.Record(ctx, tx, now, p, "update", "application", id, "Application "+in.Ref+" edited", before.Input(), in); err != nil {
		return Application{}, err
	}
	return s.application(ctx, tx, "id = ?", id)
}

func nullFit(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func setApplicationServices(ctx context.Context, tx *db.Tx, id int64, services []int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM application_services WHERE application_id = ?", id); err != nil {
		return fmt.Errorf("saving the application's services: %w", err)
	}
	for _, svc := range services {
		if _, err := tx.Exec(ctx, "INSERT INTO application_services(application_id, service_id) VALUES (?, ?)", id, svc); err != nil {
			return fmt.Errorf("saving the application's services: %w", err)
		}
	}
	return nil
}

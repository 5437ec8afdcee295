package process

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// AppLink is a process's link to an application.
type AppLink struct {
	ProcessID     int64           `json:"process_id"`
	ApplicationID int64           `json:"application_id"`
	Ref           string          `json:"ref" doc:"The application's handle"`
	Name          string          `json:"name" doc:"The application's name"`
	Lifecycle     string          `json:"lifecycle"`
	Weight        decimal.Decimal `json:"weight" doc:"Percent, 0 to 100"`
}

// ServiceLink is a process's link to a catalog service.
type ServiceLink struct {
	ProcessID int64           `json:"process_id"`
	ServiceID int64           `json:"service_id"`
	Slug      string          `json:"slug"`
	Name      string          `json:"name"`
	Lifecycle string          `json:"lifecycle"`
	Weight    decimal.Decimal `json:"weight" doc:"Percent, 0 to 100"`
}

var hundred = decimal.NewFromInt(100)

// MaxWeightPlaces is how many decimal places a weight may have.
const MaxWeightPlaces = 6

// CheckWeight refuses a weight below 0 or above 100 percent, or with more
// than MaxWeightPlaces decimal places, naming field; a number too long to
// repeat (1e309 is 310 digits) is not repeated.
func CheckWeight(v *engage.Validation, field string, w decimal.Decimal) {
	shown := w.String()
	if len(shown) > 24 {
		shown = "the number given"
	}
	if w.IsNegative() || w.GreaterThan(hundred) {
		v.Add(field, "A weight is a percentage from 0 to 100; %s is outside it.", shown)
	} else if -w.Exponent() > MaxWeightPlaces && !w.Equal(w.Truncate(MaxWeightPlaces)) {
		v.Add(field, "A weight has at most %d decimal places, such as 12.5 or 33.333333; %s has more.", MaxWeightPlaces, shown)
	}
}

// LinkApplication links a process to an application with a weight,
// replacing the weight of an existing link: repeating it changes nothing.
// Enterprise architects and administrators only.
func (s *Service) LinkApplication(ctx context.Context, p *access.Principal, processID, applicationID int64, weight decimal.Decimal) (AppLink, error) {
	if err := requireWriter(p); err != nil {
		return AppLink{}, err
	}
	var out AppLink
	err := s.transact(ctx, func(tx *db.Tx) error {
		proc, err := find(ctx, tx, "id = ?", processID)
		if err != nil {
			return err
		}
		var v engage.Validation
		CheckWeight(&v, "weight", weight)
		app, err := s.application(ctx, tx, "id = ?", applicationID)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("application_id", "No application with id %d.", applicationID)
		} else if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.setAppLink(ctx, tx, p, proc, app.ID, app.Ref, weight); err != nil {
			return err
		}
		links, err := s.appLinks(ctx, tx, "l.process_id = ? AND l.application_id = ?", processID, applicationID)
		if err == nil {
			out = links[0]
		}
		return err
	})
	return out, err
}

func (s *Service) setAppLink(ctx context.Context, tx *db.Tx, p *access.Principal, proc Entry, appID int64, appRef string, weight decimal.Decimal) error {
	var old decimal.Decimal
	err := tx.QueryRow(ctx, "SELECT weight FROM process_applications WHERE process_id = ? AND application_id = ?", proc.ID, appID).Scan(&old)
	switch {
	case err == nil && old.Equal(weight):
		return nil
	case err == nil:
		_, err = tx.Exec(ctx, "UPDATE process_applications SET weight = ? WHERE process_id = ? AND application_id = ?", weight.String(), proc.ID, appID)
	case isNoRows(err):
		_, err = tx.Exec(ctx, "INSERT INTO process_applications(process_id, application_id, weight) VALUES (?, ?, ?)", proc.ID, appID, weight.String())
	}
	if err != nil {
		return fmt.Errorf("linking %s to %s: %w", proc.Ref, appRef, err)
	}
	return audit.Record(ctx, tx, s.Clock.Now(), p, "link", "process", proc.ID,
		fmt.Sprintf("Process %s uses application %s at %s%%", proc.Ref, appRef, weight), nil, map[string]any{"application": appRef, "weight": weight})
}

// LinkService links a process to a catalog service with a weight, replacing
// the weight of an existing link: repeating it changes nothing. Enterprise
// architects and administrators only.
func (s *Service) LinkService(ctx context.Context, p *access.Principal, processID, serviceID int64, weight decimal.Decimal) (ServiceLink, error) {
	if err := requireWriter(p); err != nil {
		return ServiceLink{}, err
	}
	refs, err := s.serviceRefs(ctx)
	if err != nil {
		return ServiceLink{}, err
	}
	var out ServiceLink
	err = s.transact(ctx, func(tx *db.Tx) error {
		proc, err := find(ctx, tx, "id = ?", processID)
		if err != nil {
			return err
		}
		var v engage.Validation
		CheckWeight(&v, "weight", weight)
		svc, ok := refs[serviceID]
		if !ok {
			v.Add("service_id", "No catalog service with id %d.", serviceID)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.setServiceLink(ctx, tx, p, proc, svc, weight); err != nil {
			return err
		}
		out = ServiceLink{ProcessID: proc.ID, ServiceID: svc.ID, Slug: svc.Slug, Name: svc.Name, Lifecycle: svc.Lifecycle, Weight: weight}
		return nil
	})
	return out, err
}

func (s *Service) setServiceLink(ctx context.Context, tx *db.Tx, p *access.Principal, proc Entry, svc ServiceRef, weight decimal.Decimal) error {
	var old decimal.Decimal
	err := tx.QueryRow(ctx, "SELECT weight FROM process_services WHERE process_id = ? AND service_id = ?", proc.ID, svc.ID).Scan(&old)
	switch {
	case err == nil && old.Equal(weight):
		return nil
	case err == nil:
		_, err = tx.Exec(ctx, "UPDATE process_services SET weight = ? WHERE process_id = ? AND service_id = ?", weight.String(), proc.ID, svc.ID)
	case isNoRows(err):
		_, err = tx.Exec(ctx, "INSERT INTO process_services(process_id, service_id, weight) VALUES (?, ?, ?)", proc.ID, svc.ID, weight.String())
	}
	if err != nil {
		return fmt.Errorf("linking %s to %s: %w", proc.Ref, svc.Slug, err)
	}
	if err := s.servicesRelinked(ctx, tx); err != nil {
		return err
	}
	return audit.Record(ctx, tx, s.Clock.Now(), p, "link", "process", proc.ID,
		fmt.Sprintf("Process %s uses service %s at %s%%", proc.Ref, svc.Slug, weight), nil, map[string]any{"service": svc.Slug, "weight": weight})
}

// Unlink removes a process's link to an application (kind "application")
// or to a catalog service (kind "service"). Removing a link that is not
// there changes nothing. Enterprise architects and administrators only.
func (s *Service) Unlink(ctx context.Context, p *access.Principal, processID int64, kind string, targetID int64) error {
	if err := requireWriter(p); err != nil {
		return err
	}
	return s.transact(ctx, func(tx *db.Tx) error {
		proc, err := find(ctx, tx, "id = ?", processID)
		if err != nil {
			return err
		}
		return s.unlinkIn(ctx, tx, p, proc, kind, targetID)
	})
}

func (s *Service) unlinkIn(ctx context.Context, tx *db.Tx, p *access.Principal, proc Entry, kind string, targetID int64) error {
	table, column := "process_applications", "application_id"
	if kind == "service" {
		table, column = "process_services", "service_id"
	}
	res, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE process_id = ? AND "+column+" = ?", proc.ID, targetID)
	if err != nil {
		return fmt.Errorf("unlinking %s: %w", proc.Ref, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if kind == "service" {
		if err := s.servicesRelinked(ctx, tx); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, s.Clock.Now(), p, "unlink", "process", proc.ID, fmt.Sprintf("Process %s no longer uses %s %d", proc.Ref, kind, targetID), nil, nil)
}

func (s *Service) appLinks(ctx context.Context, q db.Querier, where string, args ...any) ([]AppLink, error) {
	rows, err := q.Query(ctx, `SELECT l.process_id, l.application_id, a.ref, a.name, a.lifecycle, l.weight FROM process_applications l
		JOIN applications a ON a.id = l.application_id WHERE `+where+` ORDER BY l.weight DESC, a.name, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the process's applications: %w", err)
	}
	defer rows.Close()
	out := []AppLink{}
	for rows.Next() {
		var l AppLink
		if err := rows.Scan(&l.ProcessID, &l.ApplicationID, &l.Ref, &l.Name, &l.Lifecycle, &l.Weight); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Service) serviceLinks(ctx context.Context, q db.Querier, where string, args ...any) ([]ServiceLink, error) {
	refs, err := s.serviceRefs(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT process_id, service_id, weight FROM process_services WHERE "+where+" ORDER BY weight DESC, service_id", args...)
	if err != nil {
		return nil, fmt.Errorf("reading the process's services: %w", err)
	}
	defer rows.Close()
	out := []ServiceLink{}
	for rows.Next() {
		var l ServiceLink
		if err := rows.Scan(&l.ProcessID, &l.ServiceID, &l.Weight); err != nil {
			return nil, err
		}
		r := refs[l.ServiceID]
		l.Slug, l.Name, l.Lifecycle = r.Slug, r.Name, r.Lifecycle
		out = append(out, l)
	}
	return out, rows.Err()
}

// Named is an organisation function or location a process is performed by
// or at.
type Named struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// SetPerformers says which business functions perform a process and at
// which locations, replacing what was said before. Enterprise architects
// and administrators only.
func (s *Service) SetPerformers(ctx context.Context, p *access.Principal, processID int64, functionIDs, locationIDs []int64) error {
	if err := requireWriter(p); err != nil {
		return err
	}
	return s.transact(ctx, func(tx *db.Tx) error {
		proc, err := find(ctx, tx, "id = ?", processID)
		if err != nil {
			return err
		}
		return s.setPerformers(ctx, tx, p, proc, functionIDs, locationIDs)
	})
}

func (s *Service) setPerformers(ctx context.Context, tx *db.Tx, p *access.Principal, proc Entry, functionIDs, locationIDs []int64) error {
	var v engage.Validation
	sys := access.System("process register")
	functionIDs, locationIDs = sortedSet(functionIDs), sortedSet(locationIDs)
	for _, id := range functionIDs {
		if _, err := s.Org.FindFunction(ctx, sys, id); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("function_ids", "No business function with id %d.", id)
		} else if err != nil {
			return err
		}
	}
	for _, id := range locationIDs {
		if _, err := s.Org.FindLocation(ctx, sys, id); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("location_ids", "No location with id %d.", id)
		} else if err != nil {
			return err
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	oldF, oldL, err := s.performers(ctx, tx, proc.ID)
	if err != nil {
		return err
	}
	if slices.Equal(oldF, functionIDs) && slices.Equal(oldL, locationIDs) {
		return nil
	}
	if err := writePerformers(ctx, tx, proc, functionIDs, locationIDs); err != nil {
		return err
	}
	return audit.Record(ctx, tx, s.Clock.Now(), p, "update", "process", proc.ID, "Process "+proc.Ref+": functions and locations",
		map[string]any{"functions": oldF, "locations": oldL}, map[string]any{"functions": functionIDs, "locations": locationIDs})
}

// writePerformers replaces a process's functions and locations.
func writePerformers(ctx context.Context, tx *db.Tx, proc Entry, functionIDs, locationIDs []int64) error {
	for _, stmt := range []string{"DELETE FROM process_functions WHERE process_id = ?", "DELETE FROM process_locations WHERE process_id = ?"} {
		if _, err := tx.Exec(ctx, stmt, proc.ID); err != nil {
			return fmt.Errorf("saving who performs %s: %w", proc.Ref, err)
		}
	}
	for _, id := range functionIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO process_functions(process_id, function_id) VALUES (?, ?)", proc.ID, id); err != nil {
			return fmt.Errorf("saving who performs %s: %w", proc.Ref, err)
		}
	}
	for _, id := range locationIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO process_locations(process_id, location_id) VALUES (?, ?)", proc.ID, id); err != nil {
			return fmt.Errorf("saving where %s is performed: %w", proc.Ref, err)
		}
	}
	return nil
}

// replaceLinks makes a process's rows in table (process_applications or
// process_services) go from had to want, both by ref, writing only what
// changes: new links in statements of up to 500 rows.
func replaceLinks(ctx context.Context, tx *db.Tx, table, column string, processID int64, had, want map[string]decimal.Decimal, ids map[string]int64) error {
	var fresh []any
	for ref, w := range want {
		old, ok := had[ref]
		switch {
		case !ok:
			fresh = append(fresh, processID, ids[ref], w.String())
		case !old.Equal(w):
			if _, err := tx.Exec(ctx, "UPDATE "+table+" SET weight = ? WHERE process_id = ? AND "+column+" = ?", w.String(), processID, ids[ref]); err != nil {
				return fmt.Errorf("saving a link: %w", err)
			}
		}
	}
	for ref := range had {
		if _, ok := want[ref]; !ok {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE process_id = ? AND "+column+" = ?", processID, ids[ref]); err != nil {
				return fmt.Errorf("removing a link: %w", err)
			}
		}
	}
	for len(fresh) > 0 {
		n := min(len(fresh)/3, 500)
		if _, err := tx.Exec(ctx, "INSERT INTO "+table+"(process_id, "+column+", weight) VALUES "+db.ValueRows(n, 3), fresh[:n*3]...); err != nil {
			return fmt.Errorf("saving links: %w", err)
		}
		fresh = fresh[n*3:]
	}
	return nil
}

func sortedSet(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []int64{}
	}
	return out
}

// Journey is a customer journey: the processes external customers go
// through, in order.
type Journey struct {
	ID          int64     `json:"id"`
	Ref         string    `json:"ref" example:"make-a-claim"`
	Name        string    `json:"name" example:"Make a claim"`
	Description string    `json:"description"`
	Processes   []Ref     `json:"processes" nullable:"false"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// JourneyInput is what is written about a journey.
type JourneyInput struct {
	Ref         string  `json:"ref" maxLength:"64"`
	Name        string  `json:"name" maxLength:"200"`
	Description string  `json:"description,omitempty" maxLength:"10000"`
	ProcessIDs  []int64 `json:"process_ids" maxItems:"200" doc:"In the order the customer meets them; each must be touched by external customers"`
}

// ListJourneys returns every customer journey, by name. Everyone signed in may.
func (s *Service) ListJourneys(ctx context.Context, p *access.Principal) ([]Journey, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	return s.journeys(ctx, s.DB, "")
}

// GetJourney returns one customer journey. Everyone signed in may.
func (s *Service) GetJourney(ctx context.Context, p *access.Principal, id int64) (Journey, error) {
	if err := requireReader(p); err != nil {
		return Journey{}, err
	}
	return s.journey(ctx, s.DB, "id = ?", id)
}

func (s *Service) journey(ctx context.Context, q db.Querier, where string, arg any) (Journey, error) {
	list, err := s.journeys(ctx, q, where, arg)
	if err != nil {
		return Journey{}, err
	}
	if len(list) == 0 {
		return Journey{}, engage.Errorf(engage.ENOTFOUND, "There is no such customer journey.")
	}
	return list[0], nil
}

func (s *Service) journeys(ctx context.Context, q db.Querier, where string, args ...any) ([]Journey, error) {
	query := "SELECT id, ref, name, description, version, created_at, updated_at FROM journeys"
	if where != "" {
		query += " WHERE " + where
	}
	rows, err := q.Query(ctx, query+" ORDER BY name, id", args...)
	if err != nil {
		return nil, fmt.Errorf("reading the customer journeys: %w", err)
	}
	out := []Journey{}
	at := map[int64]int{}
	for rows.Next() {
		var j Journey
		if err := rows.Scan(&j.ID, &j.Ref, &j.Name, &j.Description, &j.Version, &j.CreatedAt, &j.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		j.CreatedAt, j.UpdatedAt, j.Processes = j.CreatedAt.UTC(), j.UpdatedAt.UTC(), []Ref{}
		at[j.ID] = len(out)
		out = append(out, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	steps, err := q.Query(ctx, `SELECT jp.journey_id, p.id, p.kind, p.ref, p.name FROM journey_processes jp JOIN processes p ON p.id = jp.process_id
		ORDER BY jp.journey_id, jp.position`)
	if err != nil {
		return nil, fmt.Errorf("reading the customer journeys: %w", err)
	}
	defer steps.Close()
	for steps.Next() {
		var jid int64
		var r Ref
		if err := steps.Scan(&jid, &r.ID, &r.Kind, &r.Ref, &r.Name); err != nil {
			return nil, err
		}
		if i, ok := at[jid]; ok {
			out[i].Processes = append(out[i].Processes, r)
		}
	}
	return out, steps.Err()
}

func (s *Service) checkJourney(ctx context.Context, q db.Querier, in *JourneyInput) error {
	in.Ref = strings.ToLower(strings.TrimSpace(in.Ref))
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	var v engage.Validation
	for field, value := range map[string]string{"ref": in.Ref, "name": in.Name, "description": in.Description} {
		v.Text(field, value)
	}
	checkRef(&v, in.Ref, "make-a-claim")
	v.Require("name", in.Name, "the journey's name, such as “Make a claim”")
	v.MaxLen("name", in.Name, 200)
	v.MaxLen("description", in.Description, 10000)
	if len(in.ProcessIDs) > 200 {
		v.Add("process_ids", "A journey goes through at most 200 processes.")
	}
	seen := map[int64]bool{}
	for _, id := range in.ProcessIDs {
		if seen[id] {
			v.Add("process_ids", "Process %d is listed twice.", id)
			continue
		}
		seen[id] = true
		e, err := find(ctx, q, "id = ?", id)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("process_ids", "No process with id %d.", id)
		} else if err != nil {
			return err
		} else if !e.ExternalCustomers {
			v.Add("process_ids", "External customers do not touch %s (%s): only such processes are part of a customer journey.", e.Name, e.Ref)
		}
	}
	return v.Err()
}

// CreateJourney adds a customer journey. Enterprise architects and
// administrators only. Sending the same journey again returns the one
// created.
func (s *Service) CreateJourney(ctx context.Context, p *access.Principal, in JourneyInput) (Journey, error) {
	if err := requireWriter(p); err != nil {
		return Journey{}, err
	}
	var out Journey
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.createJourney(ctx, tx, p, in)
		return err
	})
	return out, err
}

func (s *Service) createJourney(ctx context.Context, tx *db.Tx, p *access.Principal, in JourneyInput) (Journey, error) {
	if err := s.checkJourney(ctx, tx, &in); err != nil {
		return Journey{}, err
	}
	if existing, err := s.journey(ctx, tx, "ref = ?", in.Ref); err == nil {
		if existing.Input().same(in) {
			return existing, nil
		}
		return Journey{}, fieldConflict("ref", fmt.Sprintf("%s is already the handle of %s.", in.Ref, existing.Name))
	} else if engage.ErrorCode(err) != engage.ENOTFOUND {
		return Journey{}, err
	}
	now := s.Clock.Now()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO journeys(ref, name, description, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Ref, in.Name, in.Description, now, now).Scan(&id); err != nil {
		return Journey{}, fmt.Errorf("saving journey %s: %w", in.Ref, err)
	}
	if err := setJourneyProcesses(ctx, tx, id, in.ProcessIDs); err != nil {
		return Journey{}, err
	}
	if err := audit.Record(ctx, tx, now, p, "create", "journey", id, "Customer journey "+in.Ref+": "+in.Name, nil, in); err != nil {
		return Journey{}, err
	}
	return s.journey(ctx, tx, "id = ?", id)
}

// UpdateJourney changes a customer journey, given the version read.
// Enterprise architects and administrators only.
func (s *Service) UpdateJourney(ctx context.Context, p *access.Principal, id int64, version int, in JourneyInput) (Journey, error) {
	if err := requireWriter(p); err != nil {
		return Journey{}, err
	}
	var out Journey
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.updateJourney(ctx, tx, p, id, version, in)
		return err
	})
	return out, err
}

func (s *Service) updateJourney(ctx context.Context, tx *db.Tx, p *access.Principal, id int64, version int, in JourneyInput) (Journey, error) {
	before, err := s.journey(ctx, tx, "id = ?", id)
	if err != nil {
		return Journey{}, err
	}
	if err := s.checkJourney(ctx, tx, &in); err != nil {
		return Journey{}, err
	}
	now := s.Clock.Now()
	res, err := tx.Exec(ctx, "UPDATE journeys SET ref = ?, name = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
		in.Ref, in.Name, in.Description, now, id, version)
	if db.IsUniqueViolation(err) {
		return Journey{}, fieldConflict("ref", in.Ref+" is already the handle of another journey.")
	} else if err != nil {
		return Journey{}, fmt.Errorf("saving journey %s: %w", in.Ref, err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return Journey{}, err
	} else if k == 0 {
		return Journey{}, engage.Errorf(engage.ECONFLICT,
			"Someone else changed %s after you opened it (you edited version %d). Reload it to see their change, then make yours again.", before.Name, version)
	}
	if err := setJourneyProcesses(ctx, tx, id, in.ProcessIDs); err != nil {
		return Journey{}, err
	}
	if err := audit.Record(ctx, tx, now, p, "update", "journey", id, "Customer journey "+in.Ref+" edited", before.Input(), in); err != nil {
		return Journey{}, err
	}
	return s.journey(ctx, tx, "id = ?", id)
}

// Input returns the editable part of j.
func (j Journey) Input() JourneyInput {
	in := JourneyInput{Ref: j.Ref, Name: j.Name, Description: j.Description, ProcessIDs: []int64{}}
	for _, r := range j.Processes {
		in.ProcessIDs = append(in.ProcessIDs, r.ID)
	}
	return in
}

func (in JourneyInput) same(o JourneyInput) bool {
	return in.Ref == o.Ref && in.Name == o.Name && in.Description == o.Description && slices.Equal(in.ProcessIDs, o.ProcessIDs)
}

func setJourneyProcesses(ctx context.Context, tx *db.Tx, id int64, processIDs []int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM journey_processes WHERE journey_id = ?", id); err != nil {
		return fmt.Errorf("saving the journey's processes: %w", err)
	}
	for i, pid := range processIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO journey_processes(journey_id, process_id, position) VALUES (?, ?, ?)", id, pid, i+1); err != nil {
			return fmt.Errorf("saving the journey's processes: %w", err)
		}
	}
	return nil
}

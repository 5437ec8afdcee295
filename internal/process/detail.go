package process

import (
	"context"
	"fmt"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// ProcessDetail is everything the register says about one process: the process
// page and the API's detail.
type ProcessDetail struct {
	Entry        Entry         `json:"entry"`
	Parent       *Ref          `json:"parent,omitempty"`
	Children     []Ref         `json:"children" nullable:"false"`
	Functions    []Named       `json:"functions" nullable:"false" doc:"The business functions that perform it"`
	Locations    []Named       `json:"locations" nullable:"false" doc:"Where it is performed"`
	Journeys     []Ref         `json:"journeys" nullable:"false" doc:"The customer journeys it is part of"`
	Applications []AppLink     `json:"applications" nullable:"false" doc:"Evidence of its enablement: the applications linked, with weights"`
	Services     []ServiceLink `json:"services" nullable:"false" doc:"Evidence of its enablement: the catalog services linked, with weights"`
	CanChange    bool          `json:"can_change"`
}

// Describe returns the detail of one process. Everyone signed in may.
func (s *Service) Describe(ctx context.Context, p *access.Principal, id int64) (ProcessDetail, error) {
	if err := requireReader(p); err != nil {
		return ProcessDetail{}, err
	}
	e, err := find(ctx, s.DB, "id = ?", id)
	if err != nil {
		return ProcessDetail{}, err
	}
	d := ProcessDetail{Entry: e, Children: []Ref{}, Functions: []Named{}, Locations: []Named{}, Journeys: []Ref{}, CanChange: MayChange(p)}
	if e.ParentID != 0 {
		refs, err := s.Refs(ctx, s.DB, []int64{e.ParentID})
		if err != nil {
			return ProcessDetail{}, err
		}
		parent := refs[e.ParentID]
		d.Parent = &parent
	}
	if d.Children, err = s.refsWhere(ctx, s.DB, "SELECT id, kind, ref, name FROM processes WHERE parent_id = ? ORDER BY id", id); err != nil {
		return ProcessDetail{}, err
	}
	if d.Journeys, err = s.refsWhere(ctx, s.DB,
		"SELECT j.id, 'journey', j.ref, j.name FROM journeys j JOIN journey_processes jp ON jp.journey_id = j.id WHERE jp.process_id = ? ORDER BY j.name", id); err != nil {
		return ProcessDetail{}, err
	}
	functions, locations, err := s.performers(ctx, s.DB, id)
	if err != nil {
		return ProcessDetail{}, err
	}
	sys := access.System("process register")
	for _, fid := range functions {
		f, err := s.Org.FindFunction(ctx, sys, fid)
		if err != nil {
			return ProcessDetail{}, err
		}
		d.Functions = append(d.Functions, Named{ID: f.ID, Code: f.Code, Name: f.Name})
	}
	for _, lid := range locations {
		l, err := s.Org.FindLocation(ctx, sys, lid)
		if err != nil {
			return ProcessDetail{}, err
		}
		d.Locations = append(d.Locations, Named{ID: l.ID, Code: l.Code, Name: l.Name})
	}
	if d.Applications, err = s.appLinks(ctx, s.DB, "l.process_id = ?", id); err != nil {
		return ProcessDetail{}, err
	}
	d.Services, err = s.serviceLinks(ctx, s.DB, "process_id = ?", id)
	return d, err
}

func (s *Service) performers(ctx context.Context, q db.Querier, id int64) (functions, locations []int64, err error) {
	if functions, err = db.QueryIDs(ctx, q, "SELECT function_id FROM process_functions WHERE process_id = ? ORDER BY function_id", id); err != nil {
		return nil, nil, err
	}
	locations, err = db.QueryIDs(ctx, q, "SELECT location_id FROM process_locations WHERE process_id = ? ORDER BY location_id", id)
	return functions, locations, err
}

func (s *Service) refsWhere(ctx context.Context, q db.Querier, query string, args ...any) ([]Ref, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the process register: %w", err)
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Kind, &r.Ref, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MapEntry is one entry of the process map with its evidence: how many
// applications and catalog services are linked to it.
type MapEntry struct {
	Entry
	Applications int `json:"applications"`
	Services     int `json:"services"`
}

// RegisterMap is the whole register as a tree, for the process map.
type RegisterMap struct {
	Entries []MapEntry `json:"entries" nullable:"false" doc:"Every entry, in creation order"`
}

// Children returns the entries directly below id (0: the top), in order.
func (m RegisterMap) Children(id int64) []MapEntry {
	var out []MapEntry
	for _, e := range m.Entries {
		if e.ParentID == id {
			out = append(out, e)
		}
	}
	return out
}

// ProcessMap returns the whole register with its evidence counts. Everyone
// signed in may.
func (s *Service) ProcessMap(ctx context.Context, p *access.Principal) (RegisterMap, error) {
	if err := requireReader(p); err != nil {
		return RegisterMap{}, err
	}
	entries, err := allEntries(ctx, s.DB)
	if err != nil {
		return RegisterMap{}, err
	}
	apps, svcs := map[int64]int{}, map[int64]int{}
	for table, counts := range map[string]map[int64]int{"process_applications": apps, "process_services": svcs} {
		if err := countBy(ctx, s.DB, "SELECT process_id, COUNT(*) FROM "+table+" GROUP BY process_id", counts); err != nil {
			return RegisterMap{}, err
		}
	}
	m := RegisterMap{Entries: make([]MapEntry, 0, len(entries))}
	for _, e := range entries {
		m.Entries = append(m.Entries, MapEntry{Entry: e, Applications: apps[e.ID], Services: svcs[e.ID]})
	}
	return m, nil
}

func countBy(ctx context.Context, q db.Querier, query string, into map[int64]int) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return fmt.Errorf("reading the process register: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		into[id] = n
	}
	return rows.Err()
}

package engagement

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/org"
)

// CoverageRow is the share of a group's active people who belong to at
// least one community.
type CoverageRow struct {
	ID      int64   `json:"id" doc:"The location, function or department; 0 for people without one"`
	Name    string  `json:"name"`
	People  int     `json:"people"`
	Members int     `json:"members" doc:"Of them, in at least one community"`
	Share   float64 `json:"share" doc:"Members ÷ people, in percent, one decimal"`
}

// DarkGroup is a dark population: at least ten active people of a location
// and function, or of a department, none of whom sent an engagement signal
// (community activity, an order, a need, a pulse answer) in 90 days.
type DarkGroup struct {
	Kind         string `json:"kind" enum:"location_function,department"`
	Name         string `json:"name"`
	People       int    `json:"people"`
	LocationID   int64  `json:"location_id,omitempty"`
	FunctionID   int64  `json:"function_id,omitempty"`
	DepartmentID int64  `json:"department_id,omitempty"`
}

// Coverage is the organisation's coverage by communities and its dark
// populations.
type Coverage struct {
	Total        CoverageRow   `json:"total"`
	ByLocation   []CoverageRow `json:"by_location" nullable:"false"`
	ByFunction   []CoverageRow `json:"by_function" nullable:"false"`
	ByDepartment []CoverageRow `json:"by_department" nullable:"false"`
	// Dark lists the dark populations, largest first.
	Dark []DarkGroup `json:"dark" nullable:"false"`
}

// Coverage measures coverage and finds the dark populations.
func (s *Service) Coverage(ctx context.Context, p *access.Principal) (Coverage, error) {
	if err := signedIn(p); err != nil {
		return Coverage{}, err
	}
	if !MayReadCoverage(p) {
		return Coverage{}, engage.Errorf(engage.EFORBIDDEN, "Coverage is for administrators, moderators and BRMs.")
	}
	names, err := s.names(ctx)
	if err != nil {
		return Coverage{}, err
	}
	cells, err := community.Coverage(ctx, s.DB)
	if err != nil {
		return Coverage{}, err
	}
	var out Coverage
	byLoc, byFn, byDept := map[int64]*CoverageRow{}, map[int64]*CoverageRow{}, map[int64]*CoverageRow{}
	add := func(m map[int64]*CoverageRow, id int64, names map[int64]string, c community.CoverageCell) {
		r := m[id]
		if r == nil {
			r = &CoverageRow{ID: id, Name: names[id]}
			if id == 0 {
				r.Name = "(none)"
			}
			m[id] = r
		}
		r.People += c.People
		r.Members += c.Members
	}
	for _, c := range cells {
		add(byLoc, c.LocationID, names.locations, c)
		add(byFn, c.FunctionID, names.functions, c)
		add(byDept, c.DepartmentID, names.departments, c)
		out.Total.People += c.People
		out.Total.Members += c.Members
	}
	out.Total.Name, out.Total.Share = "Everyone", round1(percent(out.Total.Members, out.Total.People))
	out.ByLocation, out.ByFunction, out.ByDepartment = rowsOf(byLoc), rowsOf(byFn), rowsOf(byDept)
	if out.Dark, err = s.dark(ctx, names); err != nil {
		return Coverage{}, err
	}
	return out, nil
}

func rowsOf(m map[int64]*CoverageRow) []CoverageRow {
	out := make([]CoverageRow, 0, len(m))
	for _, r := range m {
		r.Share = round1(percent(r.Members, r.People))
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b CoverageRow) int {
		return cmp.Or(cmp.Compare(a.Share, b.Share), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// dark finds the dark populations from each person's last signal.
func (s *Service) dark(ctx context.Context, names orgNames) ([]DarkGroup, error) {
	cutoff := s.Clock.Now().UTC().AddDate(0, 0, -DarkDays)
	rows, err := s.DB.Query(ctx, `SELECT COALESCE(p.department_id, 0), COALESCE(p.location_id, 0), COALESCE(p.function_id, 0), COUNT(*),
		SUM(CASE WHEN e.last_at >= ? THEN 1 ELSE 0 END)
		FROM people p LEFT JOIN engagement_people e ON e.person_id = p.id WHERE p.active
		GROUP BY COALESCE(p.department_id, 0), COALESCE(p.location_id, 0), COALESCE(p.function_id, 0)`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("finding dark populations: %w", err)
	}
	defer rows.Close()
	type tally struct{ people, engaged int }
	type place struct{ loc, fn int64 }
	byPlace, byDept := map[place]*tally{}, map[int64]*tally{}
	for rows.Next() {
		var dept, loc, fn int64
		var people, engaged int
		if err := rows.Scan(&dept, &loc, &fn, &people, &engaged); err != nil {
			return nil, err
		}
		for _, t := range []*tally{at(byPlace, place{loc, fn}), at(byDept, dept)} {
			t.people += people
			t.engaged += engaged
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []DarkGroup{}
	for k, t := range byPlace {
		if k.loc != 0 && k.fn != 0 && t.people >= DarkMinPeople && t.engaged == 0 {
			out = append(out, DarkGroup{Kind: "location_function", Name: names.locations[k.loc] + " × " + names.functions[k.fn],
				People: t.people, LocationID: k.loc, FunctionID: k.fn})
		}
	}
	for id, t := range byDept {
		if id != 0 && t.people >= DarkMinPeople && t.engaged == 0 {
			out = append(out, DarkGroup{Kind: "department", Name: names.departments[id], People: t.people, DepartmentID: id})
		}
	}
	slices.SortFunc(out, func(a, b DarkGroup) int { return cmp.Or(-cmp.Compare(a.People, b.People), cmp.Compare(a.Name, b.Name)) })
	return out, nil
}

// at returns m[k], made when missing.
func at[K comparable, V any](m map[K]*V, k K) *V {
	v := m[k]
	if v == nil {
		v = new(V)
		m[k] = v
	}
	return v
}

// orgNames are the names of the organisation's locations, functions and
// departments, by id.
type orgNames struct {
	locations, functions, departments map[int64]string
}

func (s *Service) names(ctx context.Context) (orgNames, error) {
	sys := access.System("engagement")
	n := orgNames{locations: map[int64]string{}, functions: map[int64]string{}, departments: map[int64]string{}}
	for cursor := ""; ; {
		list, next, err := s.Org.ListLocations(ctx, sys, org.ListFilter{Cursor: cursor, Limit: 500})
		if err != nil {
			return n, err
		}
		for _, l := range list {
			n.locations[l.ID] = l.Name
		}
		if cursor = next; next == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := s.Org.ListFunctions(ctx, sys, org.ListFilter{Cursor: cursor, Limit: 500})
		if err != nil {
			return n, err
		}
		for _, f := range list {
			n.functions[f.ID] = f.Name
		}
		if cursor = next; next == "" {
			break
		}
	}
	rows, err := s.DB.Query(ctx, "SELECT id, name FROM departments")
	if err != nil {
		return n, fmt.Errorf("naming departments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return n, err
		}
		n.departments[id] = name
	}
	return n, rows.Err()
}

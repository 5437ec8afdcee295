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

// Coverage measures coverage and finds the dark populations, from one
// read of the memberships and one of the active people with their last
// signal.
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
	list, err := community.Listing(ctx, s.DB)
	if err != nil {
		return Coverage{}, err
	}
	members, err := community.Memberships(ctx, s.DB)
	if err != nil {
		return Coverage{}, err
	}
	covered := map[int64]bool{}
	for _, c := range list {
		for _, id := range members[c.ID] {
			covered[id] = true
		}
	}
	cutoff := s.Clock.Now().UTC().AddDate(0, 0, -DarkDays)
	// The window is in the join, so that each person's last signal is
	// read from the index engagement_people_last alone.
	rows, err := s.DB.Query(ctx, `SELECT p.id, COALESCE(p.department_id, 0), COALESCE(p.location_id, 0), COALESCE(p.function_id, 0),
		CASE WHEN e.person_id IS NULL THEN 0 ELSE 1 END FROM people p
		LEFT JOIN engagement_people e ON e.person_id = p.id AND e.last_at >= ? WHERE p.active`, cutoff)
	if err != nil {
		return Coverage{}, fmt.Errorf("reading people's last signals: %w", err)
	}
	defer rows.Close()
	var out Coverage
	byLoc, byFn, byDept := map[int64]*CoverageRow{}, map[int64]*CoverageRow{}, map[int64]*CoverageRow{}
	type tally struct{ people, engaged int }
	type place struct{ loc, fn int64 }
	placeTally, deptTally := map[place]*tally{}, map[int64]*tally{}
	for rows.Next() {
		var id, dept, loc, fn int64
		var engaged int
		if err := rows.Scan(&id, &dept, &loc, &fn, &engaged); err != nil {
			return Coverage{}, err
		}
		member := b2i(covered[id])
		for _, g := range []struct {
			m     map[int64]*CoverageRow
			id    int64
			names map[int64]string
		}{{byLoc, loc, names.locations}, {byFn, fn, names.functions}, {byDept, dept, names.departments}} {
			r := g.m[g.id]
			if r == nil {
				r = &CoverageRow{ID: g.id, Name: cmp.Or(g.names[g.id], "(none)")}
				g.m[g.id] = r
			}
			r.People++
			r.Members += member
		}
		out.Total.People++
		out.Total.Members += member
		for _, t := range []*tally{at(placeTally, place{loc, fn}), at(deptTally, dept)} {
			t.people++
			t.engaged += engaged
		}
	}
	if err := rows.Err(); err != nil {
		return Coverage{}, err
	}
	out.Total.Name, out.Total.Share = "Everyone", round1(percent(out.Total.Members, out.Total.People))
	out.ByLocation, out.ByFunction, out.ByDepartment = rowsOf(byLoc), rowsOf(byFn), rowsOf(byDept)
	out.Dark = []DarkGroup{}
	for k, t := range placeTally {
		if k.loc != 0 && k.fn != 0 && t.people >= DarkMinPeople && t.engaged == 0 {
			out.Dark = append(out.Dark, DarkGroup{Kind: "location_function", Name: names.locations[k.loc] + " × " + names.functions[k.fn],
				People: t.people, LocationID: k.loc, FunctionID: k.fn})
		}
	}
	for id, t := range deptTally {
		if id != 0 && t.people >= DarkMinPeople && t.engaged == 0 {
			out.Dark = append(out.Dark, DarkGroup{Kind: "department", Name: names.departments[id], People: t.people, DepartmentID: id})
		}
	}
	slices.SortFunc(out.Dark, func(a, b DarkGroup) int { return cmp.Or(-cmp.Compare(a.People, b.People), cmp.Compare(a.Name, b.Name)) })
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

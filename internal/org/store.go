package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

func notFound(what string, id int64) error {
	return engage.Errorf(engage.ENOTFOUND, "No %s with id %d.", what, id)
}

// pageWhere adds the keyset condition for ORDER BY sortCol, idCol.
func pageWhere(where []string, args []any, cur *paging.Cursor, sortCol, idCol string) ([]string, []any) {
	if cur == nil {
		return where, args
	}
	where = append(where, "("+sortCol+" > ? OR ("+sortCol+" = ? AND "+idCol+" > ?))")
	return where, append(args, cur.Key, cur.Key, cur.ID)
}

// --- departments ---

const departmentColumns = `d.id, d.code, d.name, COALESCE(d.parent_id, 0), COALESCE(d.head_id, 0), COALESCE(d.brm_id, 0),
	d.billing_mode, d.version, d.created_at, d.updated_at,
	COALESCE(pd.name, ''), COALESCE(h.name, ''), COALESCE(b.name, ''),
	(SELECT COUNT(*) FROM people x WHERE x.department_id = d.id)
	FROM departments d
	LEFT JOIN departments pd ON pd.id = d.parent_id
	LEFT JOIN people h ON h.id = d.head_id
	LEFT JOIN people b ON b.id = d.brm_id`

func scanDepartment(row db.Scanner) (Department, error) {
	var d Department
	err := row.Scan(&d.ID, &d.Code, &d.Name, &d.ParentID, &d.HeadID, &d.BRMID, &d.BillingMode, &d.Version,
		&d.CreatedAt, &d.UpdatedAt, &d.ParentName, &d.HeadName, &d.BRMName, &d.PeopleCount)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

func findDepartment(ctx context.Context, q db.Querier, id int64) (Department, error) {
	d, err := scanDepartment(q.QueryRow(ctx, "SELECT "+departmentColumns+" WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("department", id)
	} else if err != nil {
		return d, fmt.Errorf("reading department %d: %w", id, err)
	}
	return d, nil
}

func findDepartmentByCode(ctx context.Context, q db.Querier, code string) (Department, error) {
	d, err := scanDepartment(q.QueryRow(ctx, "SELECT "+departmentColumns+" WHERE d.code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return d, engage.Errorf(engage.ENOTFOUND, "No department with code %q.", code)
	} else if err != nil {
		return d, fmt.Errorf("reading department %q: %w", code, err)
	}
	return d, nil
}

func listDepartments(ctx context.Context, q db.Querier, f ListFilter) ([]Department, string, error) {
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if s := strings.TrimSpace(f.Query); s != "" {
		where = append(where, `(LOWER(d.name) LIKE ? ESCAPE '\' OR LOWER(d.code) LIKE ? ESCAPE '\')`)
		args = append(args, db.Like(s), db.Like(s))
	}
	if f.ParentID != 0 {
		where = append(where, "d.parent_id = ?")
		args = append(args, f.ParentID)
	}
	where, args = pageWhere(where, args, cur, "d.name", "d.id")
	limit := paging.Limit(f.Limit)
	rows, err := q.Query(ctx, "SELECT "+departmentColumns+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY d.name, d.id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing departments: %w", err)
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		d, err := scanDepartment(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading departments: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading departments: %w", err)
	}
	out, next := paging.Trim(out, limit, func(d Department) paging.Cursor { return paging.Cursor{Key: d.Name, ID: d.ID} })
	return out, next, nil
}

func insertDepartment(ctx context.Context, q db.Querier, in DepartmentInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO departments(code, name, parent_id, head_id, brm_id, billing_mode, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Code, in.Name, db.NullID(in.ParentID), db.NullID(in.HeadID), db.NullID(in.BRMID), in.BillingMode, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting department %q: %w", in.Code, err)
	}
	return id, nil
}

func updateDepartment(ctx context.Context, q db.Querier, id int64, version int, in DepartmentInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE departments SET code = ?, name = ?, parent_id = ?, head_id = ?, brm_id = ?, billing_mode = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Code, in.Name, db.NullID(in.ParentID), db.NullID(in.HeadID), db.NullID(in.BRMID), in.BillingMode, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating department %d: %w", id, err)
	}
	return res.RowsAffected()
}

// departmentParents returns every department's parent (0 for roots).
func departmentParents(ctx context.Context, q db.Querier) (map[int64]int64, error) {
	rows, err := q.Query(ctx, "SELECT id, COALESCE(parent_id, 0) FROM departments")
	if err != nil {
		return nil, fmt.Errorf("reading department tree: %w", err)
	}
	defer rows.Close()
	m := map[int64]int64{}
	for rows.Next() {
		var id, parent int64
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, fmt.Errorf("reading department tree: %w", err)
		}
		m[id] = parent
	}
	return m, rows.Err()
}

// --- locations ---

const locationColumns = "id, code, name, city, country, region, time_zone, version, created_at, updated_at FROM locations"

func scanLocation(row db.Scanner) (Location, error) {
	var l Location
	err := row.Scan(&l.ID, &l.Code, &l.Name, &l.City, &l.Country, &l.Region, &l.TimeZone, &l.Version, &l.CreatedAt, &l.UpdatedAt)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

func findLocation(ctx context.Context, q db.Querier, where string, arg any) (Location, error) {
	l, err := scanLocation(q.QueryRow(ctx, "SELECT "+locationColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return l, engage.Errorf(engage.ENOTFOUND, "No location with %s %v.", strings.TrimSuffix(where, " = ?"), arg)
	} else if err != nil {
		return l, fmt.Errorf("reading location: %w", err)
	}
	return l, nil
}

func listLocations(ctx context.Context, q db.Querier, f ListFilter) ([]Location, string, error) {
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if s := strings.TrimSpace(f.Query); s != "" {
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(code) LIKE ? ESCAPE '\' OR LOWER(city) LIKE ? ESCAPE '\' OR LOWER(country) LIKE ? ESCAPE '\')`)
		args = append(args, db.Like(s), db.Like(s), db.Like(s), db.Like(s))
	}
	where, args = pageWhere(where, args, cur, "name", "id")
	limit := paging.Limit(f.Limit)
	rows, err := q.Query(ctx, "SELECT "+locationColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY name, id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing locations: %w", err)
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading locations: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading locations: %w", err)
	}
	out, next := paging.Trim(out, limit, func(l Location) paging.Cursor { return paging.Cursor{Key: l.Name, ID: l.ID} })
	return out, next, nil
}

func insertLocation(ctx context.Context, q db.Querier, in LocationInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO locations(code, name, city, country, region, time_zone, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, in.Code, in.Name, in.City, in.Country, in.Region, in.TimeZone, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting location %q: %w", in.Code, err)
	}
	return id, nil
}

func updateLocation(ctx context.Context, q db.Querier, id int64, version int, in LocationInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE locations SET code = ?, name = ?, city = ?, country = ?, region = ?, time_zone = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Code, in.Name, in.City, in.Country, in.Region, in.TimeZone, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating location %d: %w", id, err)
	}
	return res.RowsAffected()
}

// --- functions ---

const functionColumns = "id, code, name, version, created_at, updated_at FROM functions"

func scanFunction(row db.Scanner) (Function, error) {
	var f Function
	err := row.Scan(&f.ID, &f.Code, &f.Name, &f.Version, &f.CreatedAt, &f.UpdatedAt)
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

func findFunction(ctx context.Context, q db.Querier, where string, arg any) (Function, error) {
	f, err := scanFunction(q.QueryRow(ctx, "SELECT "+functionColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return f, engage.Errorf(engage.ENOTFOUND, "No business function with %s %v.", strings.TrimSuffix(where, " = ?"), arg)
	} else if err != nil {
		return f, fmt.Errorf("reading function: %w", err)
	}
	return f, nil
}

func listFunctions(ctx context.Context, q db.Querier, f ListFilter) ([]Function, string, error) {
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if s := strings.TrimSpace(f.Query); s != "" {
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(code) LIKE ? ESCAPE '\')`)
		args = append(args, db.Like(s), db.Like(s))
	}
	where, args = pageWhere(where, args, cur, "name", "id")
	limit := paging.Limit(f.Limit)
	rows, err := q.Query(ctx, "SELECT "+functionColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY name, id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing functions: %w", err)
	}
	defer rows.Close()
	var out []Function
	for rows.Next() {
		fn, err := scanFunction(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading functions: %w", err)
		}
		out = append(out, fn)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading functions: %w", err)
	}
	out, next := paging.Trim(out, limit, func(f Function) paging.Cursor { return paging.Cursor{Key: f.Name, ID: f.ID} })
	return out, next, nil
}

func insertFunction(ctx context.Context, q db.Querier, in FunctionInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO functions(code, name, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?) RETURNING id`,
		in.Code, in.Name, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting function %q: %w", in.Code, err)
	}
	return id, nil
}

func updateFunction(ctx context.Context, q db.Querier, id int64, version int, in FunctionInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE functions SET code = ?, name = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Code, in.Name, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating function %d: %w", id, err)
	}
	return res.RowsAffected()
}

// --- people ---

const personColumns = `p.id, p.email, p.name, p.title, COALESCE(p.department_id, 0), COALESCE(p.location_id, 0),
	COALESCE(p.function_id, 0), COALESCE(p.manager_id, 0), p.active, p.version, p.created_at, p.updated_at,
	COALESCE(d.name, ''), COALESCE(l.name, ''), COALESCE(f.name, ''), COALESCE(m.name, '')
	FROM people p
	LEFT JOIN departments d ON d.id = p.department_id
	LEFT JOIN locations l ON l.id = p.location_id
	LEFT JOIN functions f ON f.id = p.function_id
	LEFT JOIN people m ON m.id = p.manager_id`

func scanPerson(row db.Scanner) (Person, error) {
	var p Person
	err := row.Scan(&p.ID, &p.Email, &p.Name, &p.Title, &p.DepartmentID, &p.LocationID, &p.FunctionID, &p.ManagerID,
		&p.Active, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.DepartmentName, &p.LocationName, &p.FunctionName, &p.ManagerName)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func findPerson(ctx context.Context, q db.Querier, where string, arg any) (Person, error) {
	p, err := scanPerson(q.QueryRow(ctx, "SELECT "+personColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, engage.Errorf(engage.ENOTFOUND, "No person with %s %v.", strings.TrimPrefix(strings.TrimSuffix(where, " = ?"), "p."), arg)
	} else if err != nil {
		return p, fmt.Errorf("reading person: %w", err)
	}
	roles, err := loadRoles(ctx, q, []int64{p.ID})
	if err != nil {
		return p, err
	}
	p.Roles = roles[p.ID]
	return p, nil
}

// peopleScope restricts a people query to what the principal may read.
func peopleScope(where []string, args []any, pr *access.Principal) ([]string, []any) {
	ids, all := pr.ReadableDepartments()
	if all {
		return where, args
	}
	cond := "p.id = ?"
	args = append(args, pr.PersonID)
	if len(ids) > 0 {
		cond += " OR p.department_id IN (" + db.Placeholders(len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	return append(where, "("+cond+")"), args
}

func listPeople(ctx context.Context, q db.Querier, pr *access.Principal, f ListFilter) ([]Person, string, error) {
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := peopleScope([]string{"1=1"}, nil, pr)
	if s := strings.TrimSpace(f.Query); s != "" {
		where = append(where, `(LOWER(p.name) LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\' OR LOWER(p.title) LIKE ? ESCAPE '\')`)
		args = append(args, db.Like(s), db.Like(s), db.Like(s))
	}
	for _, c := range []struct {
		col string
		v   int64
	}{{"p.department_id", f.DepartmentID}, {"p.location_id", f.LocationID}, {"p.function_id", f.FunctionID}} {
		if c.v != 0 {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.Role != "" {
		where = append(where, "EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = ?)")
		args = append(args, string(f.Role))
	}
	where, args = pageWhere(where, args, cur, "p.name", "p.id")
	limit := paging.Limit(f.Limit)
	rows, err := q.Query(ctx, "SELECT "+personColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY p.name, p.id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading people: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading people: %w", err)
	}
	out, next := paging.Trim(out, limit, func(p Person) paging.Cursor { return paging.Cursor{Key: p.Name, ID: p.ID} })
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	roles, err := loadRoles(ctx, q, ids)
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return out, next, nil
}

func loadRoles(ctx context.Context, q db.Querier, ids []int64) (map[int64][]access.Role, error) {
	m := map[int64][]access.Role{}
	if len(ids) == 0 {
		return m, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, "SELECT person_id, role FROM person_roles WHERE person_id IN ("+db.Placeholders(len(ids))+") ORDER BY person_id, role", args...)
	if err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r string
		if err := rows.Scan(&id, &r); err != nil {
			return nil, fmt.Errorf("reading roles: %w", err)
		}
		m[id] = append(m[id], access.Role(r))
	}
	return m, rows.Err()
}

func insertPerson(ctx context.Context, q db.Querier, in PersonInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO people(email, name, title, department_id, location_id, function_id, manager_id, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Email, in.Name, in.Title, db.NullID(in.DepartmentID), db.NullID(in.LocationID), db.NullID(in.FunctionID), db.NullID(in.ManagerID), in.Active, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting person %q: %w", in.Email, err)
	}
	return id, setRoles(ctx, q, id, in.Roles)
}

func updatePerson(ctx context.Context, q db.Querier, id int64, version int, in PersonInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE people SET email = ?, name = ?, title = ?, department_id = ?, location_id = ?, function_id = ?,
		manager_id = ?, active = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Email, in.Name, in.Title, db.NullID(in.DepartmentID), db.NullID(in.LocationID), db.NullID(in.FunctionID), db.NullID(in.ManagerID),
		in.Active, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating person %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	return n, setRoles(ctx, q, id, in.Roles)
}

func setRoles(ctx context.Context, q db.Querier, id int64, roles []access.Role) error {
	if _, err := q.Exec(ctx, "DELETE FROM person_roles WHERE person_id = ?", id); err != nil {
		return fmt.Errorf("replacing roles of person %d: %w", id, err)
	}
	for _, r := range roles {
		if _, err := q.Exec(ctx, "INSERT INTO person_roles(person_id, role) VALUES (?, ?)", id, string(r)); err != nil {
			return fmt.Errorf("adding role %s to person %d: %w", r, id, err)
		}
	}
	return nil
}

// exists reports whether table has a row with the given id.
func exists(ctx context.Context, q db.Querier, table string, id int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking %s %d: %w", table, id, err)
	}
	return n > 0, nil
}

// coveredDepartments returns the departments a person heads and those whose
// BRM they are, each with every department below them.
func coveredDepartments(ctx context.Context, q db.Querier, personID int64) (heads, brmFor []int64, err error) {
	rows, err := q.Query(ctx, "SELECT id, head_id, brm_id FROM departments WHERE head_id = ? OR brm_id = ?", personID, personID)
	if err != nil {
		return nil, nil, fmt.Errorf("reading departments covered by person %d: %w", personID, err)
	}
	var headRoots, brmRoots []int64
	for rows.Next() {
		var id int64
		var head, brm sql.NullInt64
		if err := rows.Scan(&id, &head, &brm); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("reading departments covered by person %d: %w", personID, err)
		}
		if head.Int64 == personID {
			headRoots = append(headRoots, id)
		}
		if brm.Int64 == personID {
			brmRoots = append(brmRoots, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading departments covered by person %d: %w", personID, err)
	}
	if len(headRoots)+len(brmRoots) == 0 {
		return nil, nil, nil
	}
	parents, err := departmentParents(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	if len(headRoots) > 0 {
		heads = descendantsAndSelf(parents, headRoots)
	}
	if len(brmRoots) > 0 {
		brmFor = descendantsAndSelf(parents, brmRoots)
	}
	return heads, brmFor, nil
}

// descendantsAndSelf expands roots to include every department below them.
func descendantsAndSelf(parents map[int64]int64, roots []int64) []int64 {
	children := map[int64][]int64{}
	for id, p := range parents {
		children[p] = append(children[p], id)
	}
	seen := map[int64]bool{}
	var out []int64
	stack := append([]int64(nil), roots...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		stack = append(stack, children[id]...)
	}
	return out
}

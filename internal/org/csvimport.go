package org

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/db"
)

// ImportKinds are the things that can be imported from CSV, in the order a
// whole organisation is best loaded: departments refer to their heads and
// BRMs by e-mail, so load departments without them, then people, then the
// departments file again with heads and BRMs filled in.
var ImportKinds = []string{"locations", "functions", "departments", "people"}

// ImportColumns are the columns of each kind's CSV file; the first listed
// are required.
var ImportColumns = map[string]struct{ Required, Optional []string }{
	"locations":   {[]string{"code", "name", "country"}, []string{"city", "region", "time_zone"}},
	"functions":   {[]string{"code", "name"}, nil},
	"departments": {[]string{"code", "name"}, []string{"parent_code", "head_email", "brm_email", "billing_mode"}},
	"people":      {[]string{"email", "name"}, []string{"title", "department_code", "location_code", "function_code", "manager_email", "roles", "active"}},
}

// ImportReport says what an import did.
type ImportReport struct {
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
}

type csvRow struct {
	line   int
	fields map[string]string
}

// readCSV reads a whole file, checking its header. Errors name the line.
func readCSV(r io.Reader, kind string) ([]csvRow, error) {
	cols, ok := ImportColumns[kind]
	if !ok {
		return nil, engage.Errorf(engage.EINVALID, "Unknown import %q: choose one of %s.", kind, strings.Join(ImportKinds, ", "))
	}
	cr := csvfile.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, invalidLines([]engage.FieldError{{Field: "line 1", Message: "The file is empty; the first line must name the columns."}})
	} else if err != nil {
		return nil, invalidLines([]engage.FieldError{{Field: "line 1", Message: csvMessage(err)}})
	}
	var v []engage.FieldError
	known := append(append([]string{}, cols.Required...), cols.Optional...)
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(known, h) {
			v = append(v, engage.FieldError{Field: "line 1", Message: fmt.Sprintf("Unknown column %q; the columns are %s.", h, strings.Join(known, ", "))})
			continue
		}
		if _, dup := index[h]; dup {
			v = append(v, engage.FieldError{Field: "line 1", Message: fmt.Sprintf("Column %q appears twice.", h)})
		}
		index[h] = i
	}
	for _, c := range cols.Required {
		if _, ok := index[c]; !ok {
			v = append(v, engage.FieldError{Field: "line 1", Message: fmt.Sprintf("Missing required column %q.", c)})
		}
	}
	if len(v) > 0 {
		return nil, invalidLines(v)
	}
	var rows []csvRow
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, invalidLines([]engage.FieldError{{Field: fmt.Sprintf("line %d", line), Message: csvMessage(err)}})
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			v = append(v, engage.FieldError{Field: fmt.Sprintf("line %d", line),
				Message: fmt.Sprintf("Has %d values; the header has %d columns.", len(rec), len(header))})
			continue
		}
		f := map[string]string{}
		for name, i := range index {
			f[name] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, csvRow{line: line, fields: f})
	}
	if len(v) > 0 {
		return nil, invalidLines(v)
	}
	return rows, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "The CSV cannot be read here: " + pe.Err.Error() + "."
	}
	return "The CSV cannot be read: " + err.Error()
}

func invalidLines(fields []engage.FieldError) error {
	return &engage.Error{Code: engage.EINVALID, Message: "The file has errors; nothing was imported. Fix the lines below and import it again.", Fields: fields}
}

// lineErrors prefixes the field errors of err with the line, or passes
// other errors through.
func lineErrors(line int, err error) ([]engage.FieldError, error) {
	var e *engage.Error
	if !errors.As(err, &e) || e.Code != engage.EINVALID {
		return nil, err
	}
	out := make([]engage.FieldError, 0, len(e.Fields))
	for _, f := range e.Fields {
		out = append(out, engage.FieldError{Field: fmt.Sprintf("line %d: %s", line, csvColumn(f.Field)), Message: f.Message})
	}
	if len(e.Fields) == 0 {
		out = append(out, engage.FieldError{Field: fmt.Sprintf("line %d", line), Message: e.Message})
	}
	return out, nil
}

// csvColumn maps an input field to the CSV column that sets it.
func csvColumn(field string) string {
	switch {
	case field == "parent_id":
		return "parent_code"
	case field == "head_id":
		return "head_email"
	case field == "brm_id":
		return "brm_email"
	case field == "department_id":
		return "department_code"
	case field == "location_id":
		return "location_code"
	case field == "function_id":
		return "function_code"
	case field == "manager_id":
		return "manager_email"
	case strings.HasPrefix(field, "roles["):
		return "roles"
	}
	return field
}

// Import loads one kind of organisation data from CSV. Rows are matched to
// existing records by code (e-mail for people) and created or updated; a
// row equal to what is stored changes nothing. The whole file is one
// transaction: if any line is wrong, nothing is written and every wrong line
// is reported.
func (s *Service) Import(ctx context.Context, p *access.Principal, kind string, r io.Reader) (ImportReport, error) {
	if err := requireAdmin(p, "organisation data"); err != nil {
		return ImportReport{}, err
	}
	rows, err := readCSV(r, kind)
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		rep = ImportReport{Kind: kind, Rows: len(rows)}
		imp := importer{s: s, tx: tx, p: p, now: s.Clock.Now(), rep: &rep}
		var err error
		switch kind {
		case "locations":
			err = imp.locations(ctx, rows)
		case "functions":
			err = imp.functions(ctx, rows)
		case "departments":
			err = imp.departments(ctx, rows)
		default:
			err = imp.people(ctx, rows)
		}
		if err != nil {
			return err
		}
		return s.peopleChanged(ctx, tx, imp.moved["person"], imp.moved["department"])
	})
	s.changes.Add(1)
	return rep, err
}

type importer struct {
	s    *Service
	tx   *db.Tx
	p    *access.Principal
	now  time.Time
	rep  *ImportReport
	errs []engage.FieldError
	// moved are the people and departments written, by entity, for the
	// observers of people (see OnPeopleChanged).
	moved map[string][]int64
}

// fail records field errors for a line; other errors abort.
func (im *importer) fail(line int, err error) error {
	fields, other := lineErrors(line, err)
	if other != nil {
		return other
	}
	im.errs = append(im.errs, fields...)
	return nil
}

func (im *importer) failf(line int, column, format string, args ...any) {
	im.errs = append(im.errs, engage.FieldError{Field: fmt.Sprintf("line %d: %s", line, column), Message: fmt.Sprintf(format, args...)})
}

func (im *importer) done() error {
	if len(im.errs) > 0 {
		return invalidLines(im.errs)
	}
	return nil
}

func (im *importer) record(ctx context.Context, action, entity string, id int64, summary string, before, after any) error {
	if action == "create" {
		im.rep.Created++
	} else {
		im.rep.Updated++
	}
	if im.moved == nil {
		im.moved = map[string][]int64{}
	}
	im.moved[entity] = append(im.moved[entity], id)
	return audit.Record(ctx, im.tx, im.now, im.p, action, entity, id, summary+" (CSV import)", before, after)
}

// codeIDs maps codes (or e-mails) to ids for a table.
func codeIDs(ctx context.Context, q db.Querier, query string) (map[string]int64, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("reading keys: %w", err)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		m[k] = id
	}
	return m, rows.Err()
}

// simpleKind describes a kind keyed by code with no references to other
// rows: locations and functions.
type simpleKind[T, I any] struct {
	entity, label string
	build         func(csvRow) I
	code          func(I) string
	name          func(I) string
	check         func(*I) error
	find          func(ctx context.Context, q db.Querier, code string) (T, error)
	current       func(T) (id int64, version int, in I)
	insert        func(ctx context.Context, q db.Querier, in I, now time.Time) (int64, error)
	update        func(ctx context.Context, q db.Querier, id int64, version int, in I, now time.Time) (int64, error)
}

func importSimple[T, I any](ctx context.Context, im *importer, rows []csvRow, k simpleKind[T, I]) error {
	seen := map[string]int{}
	for _, r := range rows {
		in := k.build(r)
		code := k.code(in)
		if prev, dup := seen[code]; dup {
			im.failf(r.line, "code", "Code %q already appeared on line %d.", code, prev)
			continue
		}
		seen[code] = r.line
		if err := k.check(&in); err != nil {
			if err := im.fail(r.line, err); err != nil {
				return err
			}
			continue
		}
		cur, err := k.find(ctx, im.tx, k.code(in))
		switch {
		case engage.ErrorCode(err) == engage.ENOTFOUND:
			id, err := k.insert(ctx, im.tx, in, im.now)
			if err != nil {
				return err
			}
			if err := im.record(ctx, "create", k.entity, id, "Created "+k.label+" "+k.name(in), nil, in); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		id, version, before := k.current(cur)
		if reflect.DeepEqual(before, in) {
			im.rep.Unchanged++
			continue
		}
		if _, err := k.update(ctx, im.tx, id, version, in, im.now); err != nil {
			return err
		}
		if err := im.record(ctx, "update", k.entity, id, "Updated "+k.label+" "+k.name(in), before, in); err != nil {
			return err
		}
	}
	return im.done()
}

func (im *importer) locations(ctx context.Context, rows []csvRow) error {
	return importSimple(ctx, im, rows, simpleKind[Location, LocationInput]{
		entity: "location", label: "location",
		build: func(r csvRow) LocationInput {
			return LocationInput{Code: r.fields["code"], Name: r.fields["name"], City: r.fields["city"], Country: r.fields["country"],
				Region: r.fields["region"], TimeZone: r.fields["time_zone"]}
		},
		code:  func(in LocationInput) string { return in.Code },
		name:  func(in LocationInput) string { return in.Name },
		check: checkLocation,
		find: func(ctx context.Context, q db.Querier, code string) (Location, error) {
			return findLocation(ctx, q, "code = ?", code)
		},
		current: func(l Location) (int64, int, LocationInput) { return l.ID, l.Version, l.Input() },
		insert:  insertLocation,
		update:  updateLocation,
	})
}

func (im *importer) functions(ctx context.Context, rows []csvRow) error {
	return importSimple(ctx, im, rows, simpleKind[Function, FunctionInput]{
		entity: "function", label: "business function",
		build: func(r csvRow) FunctionInput { return FunctionInput{Code: r.fields["code"], Name: r.fields["name"]} },
		code:  func(in FunctionInput) string { return in.Code },
		name:  func(in FunctionInput) string { return in.Name },
		check: checkFunction,
		find: func(ctx context.Context, q db.Querier, code string) (Function, error) {
			return findFunction(ctx, q, "code = ?", code)
		},
		current: func(f Function) (int64, int, FunctionInput) { return f.ID, f.Version, f.Input() },
		insert:  insertFunction,
		update:  updateFunction,
	})
}

// departments creates missing departments first (so that a parent may come
// later in the file), then sets every row's full values.
func (im *importer) departments(ctx context.Context, rows []csvRow) error {
	ids, err := codeIDs(ctx, im.tx, "SELECT code, id FROM departments")
	if err != nil {
		return err
	}
	emails, err := codeIDs(ctx, im.tx, "SELECT email, id FROM people")
	if err != nil {
		return err
	}
	seen := map[string]int{}
	created := map[string]bool{}
	for _, r := range rows {
		code := r.fields["code"]
		if prev, dup := seen[code]; dup {
			im.failf(r.line, "code", "Code %q already appeared on line %d.", code, prev)
			continue
		}
		seen[code] = r.line
		if _, ok := ids[code]; ok || !codePattern.MatchString(code) {
			continue
		}
		id, err := insertDepartment(ctx, im.tx, DepartmentInput{Code: code, Name: code, BillingMode: Showback}, im.now)
		if err != nil {
			return err
		}
		ids[code], created[code] = id, true
	}
	for _, r := range rows {
		in := DepartmentInput{Code: r.fields["code"], Name: r.fields["name"], BillingMode: strings.ToLower(r.fields["billing_mode"])}
		in.ParentID = im.lookup(r.line, "parent_code", r.fields["parent_code"], ids, "No department with code %q in the file or in Engage.")
		in.HeadID = im.lookup(r.line, "head_email", NormaliseEmail(r.fields["head_email"]), emails, "No person with e-mail %q; import people first.")
		in.BRMID = im.lookup(r.line, "brm_email", NormaliseEmail(r.fields["brm_email"]), emails, "No person with e-mail %q; import people first.")
		id := ids[in.Code]
		if err := im.s.checkDepartment(ctx, im.tx, id, &in); err != nil {
			if err := im.fail(r.line, err); err != nil {
				return err
			}
			continue
		}
		cur, err := findDepartment(ctx, im.tx, id)
		if err != nil {
			return err
		}
		if !created[in.Code] && reflect.DeepEqual(cur.Input(), in) {
			im.rep.Unchanged++
			continue
		}
		if _, err := updateDepartment(ctx, im.tx, id, cur.Version, in, im.now); err != nil {
			return err
		}
		if created[in.Code] {
			err = im.record(ctx, "create", "department", id, "Created department "+in.Name, nil, in)
		} else {
			err = im.record(ctx, "update", "department", id, "Updated department "+in.Name, cur.Input(), in)
		}
		if err != nil {
			return err
		}
	}
	return im.done()
}

// lookup resolves a code or e-mail column; blank means none.
func (im *importer) lookup(line int, column, key string, ids map[string]int64, msg string) int64 {
	if key == "" {
		return 0
	}
	id, ok := ids[key]
	if !ok {
		im.failf(line, column, msg, key)
	}
	return id
}

func (im *importer) people(ctx context.Context, rows []csvRow) error {
	depts, err := codeIDs(ctx, im.tx, "SELECT code, id FROM departments")
	if err != nil {
		return err
	}
	locs, err := codeIDs(ctx, im.tx, "SELECT code, id FROM locations")
	if err != nil {
		return err
	}
	funcs, err := codeIDs(ctx, im.tx, "SELECT code, id FROM functions")
	if err != nil {
		return err
	}
	emails, err := codeIDs(ctx, im.tx, "SELECT email, id FROM people")
	if err != nil {
		return err
	}
	// First create everyone new, so managers may appear anywhere in the file.
	seen := map[string]int{}
	created := map[string]bool{}
	for _, r := range rows {
		email := NormaliseEmail(r.fields["email"])
		if prev, dup := seen[email]; dup {
			im.failf(r.line, "email", "%s already appeared on line %d.", email, prev)
			continue
		}
		seen[email] = r.line
		if _, ok := emails[email]; ok || email == "" {
			continue
		}
		id, err := insertPerson(ctx, im.tx, PersonInput{Email: email, Name: email, Active: true}, im.now)
		if err != nil {
			return err
		}
		emails[email], created[email] = id, true
	}
	for _, r := range rows {
		in := PersonInput{Email: r.fields["email"], Name: r.fields["name"], Title: r.fields["title"], Active: true}
		in.DepartmentID = im.lookup(r.line, "department_code", r.fields["department_code"], depts, "No department with code %q.")
		in.LocationID = im.lookup(r.line, "location_code", r.fields["location_code"], locs, "No location with code %q.")
		in.FunctionID = im.lookup(r.line, "function_code", r.fields["function_code"], funcs, "No business function with code %q.")
		in.ManagerID = im.lookup(r.line, "manager_email", NormaliseEmail(r.fields["manager_email"]), emails, "No person with e-mail %q in the file or in Engage.")
		for _, role := range strings.FieldsFunc(r.fields["roles"], func(c rune) bool { return c == ';' || c == '|' || c == ' ' }) {
			in.Roles = append(in.Roles, access.Role(role))
		}
		switch strings.ToLower(r.fields["active"]) {
		case "", "true", "yes", "1":
		case "false", "no", "0":
			in.Active = false
		default:
			im.failf(r.line, "active", "Write true or false.")
		}
		email := NormaliseEmail(in.Email)
		id := emails[email]
		if err := im.s.checkPerson(ctx, im.tx, id, &in); err != nil {
			if err := im.fail(r.line, err); err != nil {
				return err
			}
			continue
		}
		cur, err := findPerson(ctx, im.tx, "p.id = ?", id)
		if err != nil {
			return err
		}
		if !created[email] && reflect.DeepEqual(cur.Input(), in) {
			im.rep.Unchanged++
			continue
		}
		if _, err := updatePerson(ctx, im.tx, id, cur.Version, in, im.now); err != nil {
			return err
		}
		if created[email] {
			err = im.record(ctx, "create", "person", id, "Added "+in.Name, nil, in)
		} else {
			err = im.record(ctx, "update", "person", id, "Updated "+in.Name, cur.Input(), in)
		}
		if err != nil {
			return err
		}
	}
	return im.done()
}

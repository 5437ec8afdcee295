package org

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// Service is the organisation's rules over its store.
type Service struct {
	DB    *db.DB
	Clock engage.Clock

	// changes counts this replica's committed writes, so that what is
	// kept about people elsewhere (signed-in principals) is dropped at
	// once after a change made here.
	changes atomic.Int64

	observersMu sync.Mutex
	observers   []PeopleObserver
}

// Changes is the number of organisation writes this replica committed;
// it moves whenever people, roles or departments may have changed here.
func (s *Service) Changes() int64 { return s.changes.Load() }

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

func requireAdmin(p *access.Principal, what string) error {
	if p == nil {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if !p.IsAdmin() {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators can change %s.", what)
	}
	return nil
}

func requireSignedIn(p *access.Principal) error {
	if p == nil {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

func staleVersion(what string, version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this %s after you opened it (you edited version %d). Reload it to see their change, then make yours again.", what, version)
}

// change is one audited write.
type change struct {
	action, entity string
	id             int64
	summary        string
	before, after  any
}

// write runs fn in a transaction and records the change it returns.
func (s *Service) write(ctx context.Context, p *access.Principal, fn func(tx *db.Tx, now time.Time) (change, error)) (int64, error) {
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		c, err := fn(tx, now)
		if err != nil {
			return err
		}
		id = c.id
		return s.record(ctx, tx, now, p, c)
	})
	s.changes.Add(1) // also after a failed write: it costs one reload
	return id, err
}

// record audits a change made in tx and tells the observers.
func (s *Service) record(ctx context.Context, tx *db.Tx, now time.Time, p *access.Principal, c change) error {
	if err := audit.Record(ctx, tx, now, p, c.action, c.entity, c.id, c.summary, c.before, c.after); err != nil {
		return err
	}
	switch c.entity {
	case "person":
		return s.peopleChanged(ctx, tx, []int64{c.id}, nil)
	case "department":
		return s.peopleChanged(ctx, tx, nil, []int64{c.id})
	}
	return nil
}

func validateCode(v *engage.Validation, code string) {
	if strings.TrimSpace(code) == "" {
		v.Add("code", "Enter a code.")
	} else if !codePattern.MatchString(code) {
		v.Add("code", "Use up to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit.")
	}
}

// uniqueCode turns a duplicate code into a field error.
func uniqueCode(err error, what, code string) error {
	if db.IsUniqueViolation(err) {
		return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: "code", Message: fmt.Sprintf("Another %s already uses the code %q.", what, code)}}}
	}
	return err
}

// --- departments ---

// ListDepartments lists departments; everyone signed in may.
func (s *Service) ListDepartments(ctx context.Context, p *access.Principal, f ListFilter) ([]Department, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	return listDepartments(ctx, s.DB, f)
}

// FindDepartment returns one department.
func (s *Service) FindDepartment(ctx context.Context, p *access.Principal, id int64) (Department, error) {
	if err := requireSignedIn(p); err != nil {
		return Department{}, err
	}
	return findDepartment(ctx, s.DB, id)
}

func (s *Service) checkDepartment(ctx context.Context, q db.Querier, id int64, in *DepartmentInput) error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	if in.BillingMode == "" {
		in.BillingMode = Showback
	}
	var v engage.Validation
	v.Require("name", in.Name, "the department's name")
	v.MaxLen("name", in.Name, 200)
	validateCode(&v, in.Code)
	if in.BillingMode != Showback && in.BillingMode != Chargeback {
		v.Add("billing_mode", "Choose showback or chargeback.")
	}
	if in.ParentID != 0 {
		parents, err := departmentParents(ctx, q)
		if err != nil {
			return err
		}
		if _, ok := parents[in.ParentID]; !ok {
			v.Add("parent_id", "No department with id %d.", in.ParentID)
		} else if id != 0 && slices.Contains(descendantsAndSelf(parents, []int64{id}), in.ParentID) {
			v.Add("parent_id", "A department cannot sit below itself or one of its own sub-departments.")
		}
	}
	for _, ref := range []struct {
		field string
		id    int64
	}{{"head_id", in.HeadID}, {"brm_id", in.BRMID}} {
		if ref.id == 0 {
			continue
		}
		ok, err := exists(ctx, q, "people", ref.id)
		if err != nil {
			return err
		} else if !ok {
			v.Add(ref.field, "No person with id %d.", ref.id)
		}
	}
	return v.Err()
}

// CreateDepartment adds a department. Admins only.
func (s *Service) CreateDepartment(ctx context.Context, p *access.Principal, in DepartmentInput) (Department, error) {
	if err := requireAdmin(p, "departments"); err != nil {
		return Department{}, err
	}
	id, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		return s.createDepartment(ctx, tx, in, now)
	})
	if err != nil {
		return Department{}, err
	}
	return findDepartment(ctx, s.DB, id)
}

// UpdateDepartment replaces a department's fields if version is current.
func (s *Service) UpdateDepartment(ctx context.Context, p *access.Principal, id int64, version int, in DepartmentInput) (Department, error) {
	if err := requireAdmin(p, "departments"); err != nil {
		return Department{}, err
	}
	_, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		return s.updateDepartment(ctx, tx, id, version, in, now)
	})
	if err != nil {
		return Department{}, err
	}
	return findDepartment(ctx, s.DB, id)
}

func (s *Service) createDepartment(ctx context.Context, tx *db.Tx, in DepartmentInput, now time.Time) (change, error) {
	if err := s.checkDepartment(ctx, tx, 0, &in); err != nil {
		return change{}, err
	}
	id, err := insertDepartment(ctx, tx, in, now)
	if err != nil {
		return change{}, uniqueCode(err, "department", in.Code)
	}
	return change{"create", "department", id, "Created department " + in.Name, nil, in}, nil
}

func (s *Service) updateDepartment(ctx context.Context, tx *db.Tx, id int64, version int, in DepartmentInput, now time.Time) (change, error) {
	cur, err := findDepartment(ctx, tx, id)
	if err != nil {
		return change{}, err
	}
	if err := s.checkDepartment(ctx, tx, id, &in); err != nil {
		return change{}, err
	}
	n, err := updateDepartment(ctx, tx, id, version, in, now)
	if err != nil {
		return change{}, uniqueCode(err, "department", in.Code)
	} else if n == 0 {
		return change{}, staleVersion("department", version)
	}
	return change{"update", "department", id, "Updated department " + in.Name, cur.Input(), in}, nil
}

// --- locations ---

// ListLocations lists locations; everyone signed in may.
func (s *Service) ListLocations(ctx context.Context, p *access.Principal, f ListFilter) ([]Location, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	return listLocations(ctx, s.DB, f)
}

// FindLocation returns one location.
func (s *Service) FindLocation(ctx context.Context, p *access.Principal, id int64) (Location, error) {
	if err := requireSignedIn(p); err != nil {
		return Location{}, err
	}
	return findLocation(ctx, s.DB, "id = ?", id)
}

func checkLocation(in *LocationInput) error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	var v engage.Validation
	v.Require("name", in.Name, "the site's name")
	v.MaxLen("name", in.Name, 200)
	validateCode(&v, in.Code)
	if !IsCountry(in.Country) {
		v.Add("country", "Enter the two-letter ISO 3166-1 country code, for example GB or US.")
	}
	// "Local" is whatever zone the server runs in, which differs between
	// hosts; only IANA names mean the same everywhere.
	if _, err := time.LoadLocation(in.TimeZone); err != nil || strings.EqualFold(in.TimeZone, "Local") {
		v.Add("time_zone", "Enter an IANA time zone such as Europe/London or UTC.")
	}
	return v.Err()
}

// CreateLocation adds a location. Admins only.
func (s *Service) CreateLocation(ctx context.Context, p *access.Principal, in LocationInput) (Location, error) {
	if err := requireAdmin(p, "locations"); err != nil {
		return Location{}, err
	}
	id, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		if err := checkLocation(&in); err != nil {
			return change{}, err
		}
		id, err := insertLocation(ctx, tx, in, now)
		if err != nil {
			return change{}, uniqueCode(err, "location", in.Code)
		}
		return change{"create", "location", id, "Created location " + in.Name, nil, in}, nil
	})
	if err != nil {
		return Location{}, err
	}
	return findLocation(ctx, s.DB, "id = ?", id)
}

// UpdateLocation replaces a location's fields if version is current.
func (s *Service) UpdateLocation(ctx context.Context, p *access.Principal, id int64, version int, in LocationInput) (Location, error) {
	if err := requireAdmin(p, "locations"); err != nil {
		return Location{}, err
	}
	_, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		cur, err := findLocation(ctx, tx, "id = ?", id)
		if err != nil {
			return change{}, err
		}
		if err := checkLocation(&in); err != nil {
			return change{}, err
		}
		n, err := updateLocation(ctx, tx, id, version, in, now)
		if err != nil {
			return change{}, uniqueCode(err, "location", in.Code)
		} else if n == 0 {
			return change{}, staleVersion("location", version)
		}
		return change{"update", "location", id, "Updated location " + in.Name, cur.Input(), in}, nil
	})
	if err != nil {
		return Location{}, err
	}
	return findLocation(ctx, s.DB, "id = ?", id)
}

// --- functions ---

// ListFunctions lists business functions; everyone signed in may.
func (s *Service) ListFunctions(ctx context.Context, p *access.Principal, f ListFilter) ([]Function, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	return listFunctions(ctx, s.DB, f)
}

// FindFunction returns one business function.
func (s *Service) FindFunction(ctx context.Context, p *access.Principal, id int64) (Function, error) {
	if err := requireSignedIn(p); err != nil {
		return Function{}, err
	}
	return findFunction(ctx, s.DB, "id = ?", id)
}

func checkFunction(in *FunctionInput) error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	var v engage.Validation
	v.Require("name", in.Name, "the function's name")
	v.MaxLen("name", in.Name, 200)
	validateCode(&v, in.Code)
	return v.Err()
}

// CreateFunction adds a business function. Admins only.
func (s *Service) CreateFunction(ctx context.Context, p *access.Principal, in FunctionInput) (Function, error) {
	if err := requireAdmin(p, "business functions"); err != nil {
		return Function{}, err
	}
	id, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		if err := checkFunction(&in); err != nil {
			return change{}, err
		}
		id, err := insertFunction(ctx, tx, in, now)
		if err != nil {
			return change{}, uniqueCode(err, "business function", in.Code)
		}
		return change{"create", "function", id, "Created business function " + in.Name, nil, in}, nil
	})
	if err != nil {
		return Function{}, err
	}
	return findFunction(ctx, s.DB, "id = ?", id)
}

// UpdateFunction replaces a business function's fields if version is current.
func (s *Service) UpdateFunction(ctx context.Context, p *access.Principal, id int64, version int, in FunctionInput) (Function, error) {
	if err := requireAdmin(p, "business functions"); err != nil {
		return Function{}, err
	}
	_, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		cur, err := findFunction(ctx, tx, "id = ?", id)
		if err != nil {
			return change{}, err
		}
		if err := checkFunction(&in); err != nil {
			return change{}, err
		}
		n, err := updateFunction(ctx, tx, id, version, in, now)
		if err != nil {
			return change{}, uniqueCode(err, "business function", in.Code)
		} else if n == 0 {
			return change{}, staleVersion("business function", version)
		}
		return change{"update", "function", id, "Updated business function " + in.Name, cur.Input(), in}, nil
	})
	if err != nil {
		return Function{}, err
	}
	return findFunction(ctx, s.DB, "id = ?", id)
}

// --- people ---

// ListPeople lists the people p may read.
func (s *Service) ListPeople(ctx context.Context, p *access.Principal, f ListFilter) ([]Person, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	return listPeople(ctx, s.DB, p, f)
}

// FindPerson returns one person if p may read them. A person p may not read
// is reported as not found, so that ids do not reveal who exists.
func (s *Service) FindPerson(ctx context.Context, p *access.Principal, id int64) (Person, error) {
	if err := requireSignedIn(p); err != nil {
		return Person{}, err
	}
	person, err := findPerson(ctx, s.DB, "p.id = ?", id)
	if err != nil {
		return Person{}, err
	}
	if person.ID != p.PersonID && !p.CanReadDepartment(person.DepartmentID) {
		return Person{}, notFound("person", id)
	}
	return person, nil
}

// FindPersonByEmail returns a person by e-mail, for sign-in and the CLI.
// It does no access check: callers are trusted code paths.
func (s *Service) FindPersonByEmail(ctx context.Context, email string) (Person, error) {
	return findPerson(ctx, s.DB, "p.email = ?", NormaliseEmail(email))
}

// NormaliseEmail trims and lower-cases an e-mail address.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (s *Service) checkPerson(ctx context.Context, q db.Querier, id int64, in *PersonInput) error {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	in.Title = strings.TrimSpace(in.Title)
	var v engage.Validation
	if in.Email == "" {
		v.Add("email", "Enter an e-mail address.")
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		v.Add("email", "Enter an e-mail address in the form name@example.com.")
	}
	v.Require("name", in.Name, "the person's name")
	v.MaxLen("name", in.Name, 200)
	v.MaxLen("title", in.Title, 200)
	for _, ref := range []struct {
		field, table, label string
		id                  int64
	}{
		{"department_id", "departments", "department", in.DepartmentID},
		{"location_id", "locations", "location", in.LocationID},
		{"function_id", "functions", "business function", in.FunctionID},
		{"manager_id", "people", "person", in.ManagerID},
	} {
		if ref.id == 0 {
			continue
		}
		ok, err := exists(ctx, q, ref.table, ref.id)
		if err != nil {
			return err
		} else if !ok {
			v.Add(ref.field, "No %s with id %d.", ref.label, ref.id)
		}
	}
	if id != 0 && in.ManagerID == id {
		v.Add("manager_id", "A person cannot be their own manager.")
	} else if id != 0 && in.ManagerID != 0 {
		loop, err := reportsTo(ctx, q, in.ManagerID, id)
		if err != nil {
			return err
		} else if loop {
			v.Add("manager_id", "This manager reports to this person, directly or through others; a person cannot manage their own manager.")
		}
	}
	seen := map[access.Role]bool{}
	var roles []access.Role
	for i, r := range in.Roles {
		role, ok := access.ParseRole(string(r))
		if !ok {
			v.Add(fmt.Sprintf("roles[%d]", i), "Unknown role %q. Roles are: %s.", r, roleList())
			continue
		}
		if !seen[role] {
			seen[role] = true
			roles = append(roles, role)
		}
	}
	slices.Sort(roles)
	in.Roles = roles
	return v.Err()
}

func roleList() string {
	names := make([]string, len(access.AllRoles))
	for i, r := range access.AllRoles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func uniqueEmail(err error, email string) error {
	if db.IsUniqueViolation(err) {
		return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: "email", Message: fmt.Sprintf("Someone else already uses %s.", email)}}}
	}
	return err
}

// CreatePerson adds a person. Admins only.
func (s *Service) CreatePerson(ctx context.Context, p *access.Principal, in PersonInput) (Person, error) {
	if err := requireAdmin(p, "people"); err != nil {
		return Person{}, err
	}
	id, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		if err := s.checkPerson(ctx, tx, 0, &in); err != nil {
			return change{}, err
		}
		id, err := insertPerson(ctx, tx, in, now)
		if err != nil {
			return change{}, uniqueEmail(err, in.Email)
		}
		return change{"create", "person", id, "Added " + in.Name, nil, in}, nil
	})
	if err != nil {
		return Person{}, err
	}
	return findPerson(ctx, s.DB, "p.id = ?", id)
}

// UpdatePerson replaces a person's fields if version is current.
func (s *Service) UpdatePerson(ctx context.Context, p *access.Principal, id int64, version int, in PersonInput) (Person, error) {
	if err := requireAdmin(p, "people"); err != nil {
		return Person{}, err
	}
	_, err := s.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		cur, err := findPerson(ctx, tx, "p.id = ?", id)
		if err != nil {
			return change{}, err
		}
		if err := s.checkPerson(ctx, tx, id, &in); err != nil {
			return change{}, err
		}
		n, err := updatePerson(ctx, tx, id, version, in, now)
		if err != nil {
			return change{}, uniqueEmail(err, in.Email)
		} else if n == 0 {
			return change{}, staleVersion("person", version)
		}
		return change{"update", "person", id, "Updated " + in.Name, cur.Input(), in}, nil
	})
	if err != nil {
		return Person{}, err
	}
	return findPerson(ctx, s.DB, "p.id = ?", id)
}

// Principal builds the principal for a signed-in person.
func (s *Service) Principal(ctx context.Context, personID int64, via string) (*access.Principal, error) {
	person, err := findPerson(ctx, s.DB, "p.id = ?", personID)
	if err != nil {
		return nil, err
	}
	if !person.Active {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "This account is deactivated.")
	}
	heads, brmFor, err := coveredDepartments(ctx, s.DB, personID)
	if err != nil {
		return nil, err
	}
	zone := ""
	if person.LocationID != 0 {
		loc, err := findLocation(ctx, s.DB, "id = ?", person.LocationID)
		if err != nil {
			return nil, err
		}
		zone = loc.TimeZone
	}
	covered := append(slices.Clone(heads), brmFor...)
	slices.Sort(covered)
	return &access.Principal{PersonID: person.ID, Email: person.Email, Name: person.Name,
		DepartmentID: person.DepartmentID, Roles: person.Roles, Covered: slices.Compact(covered),
		Heads: heads, BRMFor: brmFor, Via: via, TimeZone: zone}, nil
}

// Ancestors returns the department and every department above it, nearest
// first. Audience rules use it: something meant for a department is meant
// for the departments below it too.
func (s *Service) Ancestors(ctx context.Context, departmentID int64) ([]int64, error) {
	if departmentID == 0 {
		return nil, nil
	}
	parents, err := departmentParents(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	var out []int64
	for id := departmentID; id != 0 && len(out) <= len(parents); id = parents[id] {
		out = append(out, id)
	}
	return out, nil
}

// FindPersonByID returns a person without an access check, for rules that
// only need to know the person exists (a sponsor, an owner).
func (s *Service) FindPersonByID(ctx context.Context, id int64) (Person, error) {
	return findPerson(ctx, s.DB, "p.id = ?", id)
}

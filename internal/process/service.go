package process

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

// Service is the process register's rules over its store.
type Service struct {
	DB    *db.DB
	Clock engage.Clock
	// Org checks the owners named.
	Org *org.Service
	// Services checks and names the catalog services linked.
	Services ServiceDirectory
	// relinked are called when links to services change
	// (OnServiceLinksChanged).
	relinked []func(ctx context.Context, tx *db.Tx) error

	// refs is the catalog's services as last read (serviceRefs): read
	// only, kept while the catalog's generation stays.
	refsMu sync.Mutex
	refs   *serviceRefsAt
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// MayChange reports whether p may change the register: enterprise
// architects and administrators.
func MayChange(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && (p.IsAdmin() || p.Has(access.EnterpriseArchitect))
}

// MayRead says whether p may read the register: everyone signed in.
func MayRead(p *access.Principal) error { return requireReader(p) }

// MayWrite says whether p may change the register, asked before a file is
// received.
func MayWrite(p *access.Principal) error { return requireWriter(p) }

func requireWriter(p *access.Principal) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !MayChange(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only enterprise architects and administrators change the process register.")
	}
	return nil
}

// List returns a page of the register, in the order entries were created.
// Everyone signed in may.
func (s *Service) List(ctx context.Context, p *access.Principal, f ListFilter) ([]Entry, string, error) {
	if err := requireReader(p); err != nil {
		return nil, "", err
	}
	return list(ctx, s.DB, f)
}

// Get returns one entry. Everyone signed in may.
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Entry, error) {
	if err := requireReader(p); err != nil {
		return Entry{}, err
	}
	return find(ctx, s.DB, "id = ?", id)
}

// Refs returns, of ids, those that are in the register, with what other
// areas show of them. It reads through q (the caller's transaction, or the
// database) and checks no access: the caller does.
func (s *Service) Refs(ctx context.Context, q db.Querier, ids []int64) (map[int64]Ref, error) {
	out := map[int64]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, "SELECT id, kind, ref, name FROM processes WHERE id IN ("+db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("reading the process register: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Kind, &r.Ref, &r.Name); err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

var refPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// known holds what checks look up, for a file that checks many entries
// at once: the tree, and the people and departments found to exist. A nil
// *known looks everything up.
type known struct {
	tree     map[int64]int64
	people   map[int64]bool
	depts    map[int64]bool
	services map[int64]ServiceRef
}

// check validates in for the entry id (0 for a new one), reading through q.
func (s *Service) check(ctx context.Context, q db.Querier, id int64, in *Input, k *known) error {
	in.Ref = strings.ToLower(strings.TrimSpace(in.Ref))
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.ArchiMateType, in.ArchiMateID = strings.TrimSpace(in.ArchiMateType), strings.TrimSpace(in.ArchiMateID)
	if in.Criticality == "" {
		in.Criticality = "medium"
	}
	var v engage.Validation
	for field, value := range map[string]string{"ref": in.Ref, "name": in.Name, "description": in.Description, "archimate_type": in.ArchiMateType,
		"archimate_id": in.ArchiMateID} {
		v.Text(field, value)
	}
	v.Require("name", in.Name, "the process's name, such as “Order to cash”")
	v.MaxLen("name", in.Name, 200)
	v.MaxLen("description", in.Description, 10000)
	switch {
	case in.Ref == "":
		v.Add("ref", "Enter a short handle, such as order-to-cash.")
	case len(in.Ref) > 64 || !refPattern.MatchString(in.Ref):
		v.Add("ref", "Use up to 64 lower-case letters, digits and single hyphens, such as order-to-cash.")
	}
	if in.Kind != ValueStream && in.Kind != Process {
		v.Add("kind", "Choose value_stream or process.")
	}
	if in.Enablement != "" && !slices.Contains(Enablements, in.Enablement) {
		v.Add("enablement", "Choose manual, partly_automated or automated, or leave it empty when not assessed.")
	}
	v.MaxLen("archimate_type", in.ArchiMateType, 64)
	v.MaxLen("archimate_id", in.ArchiMateID, 200)
	if !slices.Contains(Criticalities, in.Criticality) {
		v.Add("criticality", "Choose low, medium, high or critical.")
	}
	if in.Kind == ValueStream && in.ParentID != 0 {
		v.Add("parent_id", "A value stream stands at the top of the register: it has no parent.")
	} else if in.ParentID != 0 {
		var tree map[int64]int64
		if k != nil && k.tree != nil {
			tree = k.tree
		} else if t, err := parents(ctx, q); err != nil {
			return err
		} else {
			tree = t
		}
		if _, ok := tree[in.ParentID]; !ok {
			v.Add("parent_id", "No process with id %d.", in.ParentID)
		} else if id != 0 && below(tree, in.ParentID, id) {
			v.Add("parent_id", "A process cannot sit below itself or one of its own sub-processes.")
		}
	}
	if err := s.checkPerson(ctx, &v, in.OwnerPersonID, k); err != nil {
		return err
	}
	if in.OwnerDepartmentID != 0 && (k == nil || !k.depts[in.OwnerDepartmentID]) {
		if _, err := s.Org.FindDepartment(ctx, access.System("process register"), in.OwnerDepartmentID); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("owner_department_id", "No department with id %d.", in.OwnerDepartmentID)
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// checkPerson records an error when the owner named is not a person.
func (s *Service) checkPerson(ctx context.Context, v *engage.Validation, id int64, k *known) error {
	if id == 0 || (k != nil && k.people[id]) {
		return nil
	}
	if _, err := s.Org.FindPersonByID(ctx, id); engage.ErrorCode(err) == engage.ENOTFOUND {
		v.Add("owner_person_id", "No person with id %d.", id)
	} else if err != nil {
		return err
	} else if k != nil && k.people != nil {
		k.people[id] = true
	}
	return nil
}

// below reports whether node is id or sits somewhere below it.
func below(tree map[int64]int64, node, id int64) bool {
	for seen := 0; node != 0 && seen <= len(tree); seen++ {
		if node == id {
			return true
		}
		node = tree[node]
	}
	return false
}

// Create adds a value stream or process. Enterprise architects and
// administrators only. Sending the same entry again returns the one created.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Entry, error) {
	if err := requireWriter(p); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.create(ctx, tx, p, in, nil)
		return err
	})
	return out, err
}

func (s *Service) create(ctx context.Context, tx *db.Tx, p *access.Principal, in Input, k *known) (Entry, error) {
	if err := s.check(ctx, tx, 0, &in, k); err != nil {
		return Entry{}, err
	}
	// A register file (k set) creates only refs it found missing.
	if k == nil {
		if existing, err := find(ctx, tx, "ref = ?", in.Ref); err == nil {
			if existing.Input() == in {
				return existing, nil
			}
			return Entry{}, fieldConflict("ref", fmt.Sprintf("%s is already the handle of %s.", in.Ref, existing.Name))
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return Entry{}, err
		}
	}
	now := s.Clock.Now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO processes(parent_id, kind, ref, name, description, owner_person_id, owner_department_id,
		criticality, external_customers, enablement, archimate_type, archimate_id, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		db.NullID(in.ParentID), in.Kind, in.Ref, in.Name, in.Description, db.NullID(in.OwnerPersonID), db.NullID(in.OwnerDepartmentID),
		in.Criticality, in.ExternalCustomers, in.Enablement, in.ArchiMateType, in.ArchiMateID, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Entry{}, fieldConflict("archimate_id", in.ArchiMateID+" is already the ArchiMate identifier of another process.")
	} else if err != nil {
		return Entry{}, fmt.Errorf("saving process %s: %w", in.Ref, err)
	}
	if err := audit.Record(ctx, tx, now, p, "create", "process", id, "Process "+in.Ref+": "+in.Name, nil, in); err != nil {
		return Entry{}, err
	}
	if k != nil {
		return Entry{ID: id, ParentID: in.ParentID, Kind: in.Kind, Ref: in.Ref, Name: in.Name, Description: in.Description, OwnerPersonID: in.OwnerPersonID,
			OwnerDepartmentID: in.OwnerDepartmentID, Criticality: in.Criticality, ExternalCustomers: in.ExternalCustomers, Enablement: in.Enablement,
			ArchiMateType: in.ArchiMateType, ArchiMateID: in.ArchiMateID, Version: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}, nil
	}
	return find(ctx, tx, "id = ?", id)
}

// Update changes an entry, given the version read. Enterprise architects
// and administrators only.
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, version int, in Input) (Entry, error) {
	if err := requireWriter(p); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		out, err = s.update(ctx, tx, p, id, version, in, nil)
		return err
	})
	return out, err
}

func (s *Service) update(ctx context.Context, tx *db.Tx, p *access.Principal, id int64, version int, in Input, k *known) (Entry, error) {
	before, err := find(ctx, tx, "id = ?", id)
	if err != nil {
		return Entry{}, err
	}
	if err := s.check(ctx, tx, id, &in, k); err != nil {
		return Entry{}, err
	}
	if !in.ExternalCustomers && before.ExternalCustomers {
		if n, err := count(ctx, tx, "SELECT COUNT(*) FROM journey_processes WHERE process_id = ?", id); err != nil {
			return Entry{}, err
		} else if n > 0 {
			return Entry{}, fieldConflict("external_customers", "Customer journeys go through this process: take it out of them first.")
		}
	}
	now := s.Clock.Now()
	res, err := tx.Exec(ctx, `UPDATE processes SET parent_id = ?, kind = ?, ref = ?, name = ?, description = ?, owner_person_id = ?,
		owner_department_id = ?, criticality = ?, external_customers = ?, enablement = ?, archimate_type = ?, archimate_id = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		db.NullID(in.ParentID), in.Kind, in.Ref, in.Name, in.Description, db.NullID(in.OwnerPersonID), db.NullID(in.OwnerDepartmentID),
		in.Criticality, in.ExternalCustomers, in.Enablement, in.ArchiMateType, in.ArchiMateID, now, id, version)
	if db.IsUniqueViolation(err) {
		return Entry{}, fieldConflict("ref", in.Ref+" is already the handle, or "+orNone(in.ArchiMateID)+" the ArchiMate identifier, of another process.")
	} else if err != nil {
		return Entry{}, fmt.Errorf("saving process %s: %w", in.Ref, err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return Entry{}, err
	} else if k == 0 {
		return Entry{}, engage.Errorf(engage.ECONFLICT,
			"Someone else changed %s after you opened it (you edited version %d). Reload it to see their change, then make yours again.", before.Name, version)
	}
	if err := audit.Record(ctx, tx, now, p, "update", "process", id, "Process "+in.Ref+" edited", before.Input(), in); err != nil {
		return Entry{}, err
	}
	return find(ctx, tx, "id = ?", id)
}

func fieldConflict(field, msg string) error {
	return &engage.Error{Code: engage.ECONFLICT, Message: "Some fields need fixing.", Fields: []engage.FieldError{{Field: field, Message: msg}}}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func count(ctx context.Context, q db.Querier, query string, args ...any) (int, error) {
	var n int
	if err := q.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading the process register: %w", err)
	}
	return n, nil
}

package org

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// PeopleObserver learns that people may now work somewhere else: another
// location, function or department, other roles, or a department moved in
// the tree. It runs inside the transaction that made the change, after it
// is written, so that what another area keeps about those people (a
// community's members by rule) changes with it or not at all; an error
// undoes the change.
type PeopleObserver func(ctx context.Context, tx *db.Tx, personIDs []int64) error

// OnPeopleChanged registers fn for every organisation write that may move
// people: a person created or updated, a department updated (its people and
// the people of the departments below it), and CSV imports of people and
// departments. Register observers when wiring the application, before
// serving; organisation never knows who observes it.
func (s *Service) OnPeopleChanged(fn PeopleObserver) {
	s.observersMu.Lock()
	defer s.observersMu.Unlock()
	s.observers = append(s.observers, fn)
}

// peopleChanged tells the observers about people and about everyone in
// departments or below them. It runs in tx.
func (s *Service) peopleChanged(ctx context.Context, tx *db.Tx, people, departments []int64) error {
	s.observersMu.Lock()
	observers := slices.Clone(s.observers)
	s.observersMu.Unlock()
	if len(observers) == 0 || (len(people) == 0 && len(departments) == 0) {
		return nil
	}
	ids := slices.Clone(people)
	if len(departments) > 0 {
		parents, err := departmentParents(ctx, tx)
		if err != nil {
			return err
		}
		tree := descendantsAndSelf(parents, departments)
		for chunk := range slices.Chunk(tree, 500) {
			in, err := db.QueryIDs(ctx, tx, "SELECT id FROM people WHERE department_id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
			if err != nil {
				return fmt.Errorf("reading the people of moved departments: %w", err)
			}
			ids = append(ids, in...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	for _, fn := range observers {
		if err := fn(ctx, tx, ids); err != nil {
			return err
		}
	}
	return nil
}

// RolesOf returns the roles the given people hold. It reads through q — the
// caller's transaction or the database — and checks no access: the caller
// does. Communities' role rules use it.
func RolesOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]access.Role, error) {
	out := map[int64][]access.Role{}
	for chunk := range slices.Chunk(ids, 500) {
		m, err := loadRoles(ctx, q, chunk)
		if err != nil {
			return nil, err
		}
		for id, roles := range m {
			out[id] = roles
		}
	}
	return out, nil
}

// PeopleWithRole returns the people holding role, by id (reads through q,
// checks no access).
func PeopleWithRole(ctx context.Context, q db.Querier, role access.Role) ([]int64, error) {
	return db.QueryIDs(ctx, q, "SELECT person_id FROM person_roles WHERE role = ? ORDER BY person_id", string(role))
}

package org

import (
	"context"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// CreateDepartmentIn adds a department within the caller's transaction tx,
// for an import that writes several areas all or nothing (a Backstage
// catalog). The same rules and audit as CreateDepartment. Admins only.
func (s *Service) CreateDepartmentIn(ctx context.Context, tx *db.Tx, p *access.Principal, in DepartmentInput) (int64, error) {
	return s.writeIn(ctx, tx, p, func() (change, error) { return s.createDepartment(ctx, tx, in, s.Clock.Now()) })
}

// UpdateDepartmentIn replaces a department's fields within the caller's
// transaction tx, like UpdateDepartment. Admins only.
func (s *Service) UpdateDepartmentIn(ctx context.Context, tx *db.Tx, p *access.Principal, id int64, version int, in DepartmentInput) error {
	_, err := s.writeIn(ctx, tx, p, func() (change, error) { return s.updateDepartment(ctx, tx, id, version, in, s.Clock.Now()) })
	return err
}

func (s *Service) writeIn(ctx context.Context, tx *db.Tx, p *access.Principal, fn func() (change, error)) (int64, error) {
	if err := requireAdmin(p, "departments"); err != nil {
		return 0, err
	}
	defer s.changes.Add(1)
	c, err := fn()
	if err != nil {
		return 0, err
	}
	return c.id, s.record(ctx, tx, s.Clock.Now(), p, c)
}

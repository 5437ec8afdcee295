package process

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

const columns = `id, COALESCE(parent_id, 0), kind, ref, name, description, COALESCE(owner_person_id, 0), COALESCE(owner_department_id, 0),
	criticality, external_customers, enablement, archimate_type, archimate_id, version, created_at, updated_at FROM processes`

func scan(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	err := row.Scan(&e.ID, &e.ParentID, &e.Kind, &e.Ref, &e.Name, &e.Description, &e.OwnerPersonID, &e.OwnerDepartmentID,
		&e.Criticality, &e.ExternalCustomers, &e.Enablement, &e.ArchiMateType, &e.ArchiMateID, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

func find(ctx context.Context, q db.Querier, where string, arg any) (Entry, error) {
	e, err := scan(q.QueryRow(ctx, "SELECT "+columns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return e, engage.Errorf(engage.ENOTFOUND, "There is no such process in the register.")
	} else if err != nil {
		return e, fmt.Errorf("reading the process register: %w", err)
	}
	return e, nil
}

func list(ctx context.Context, q db.Querier, f ListFilter) ([]Entry, string, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.ParentID != 0 {
		where, args = append(where, "parent_id = ?"), append(args, f.ParentID)
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		where, args = append(where, "id > ?"), append(args, cur.ID)
	}
	query := "SELECT " + columns
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := paging.Limit(f.Limit)
	rows, err := q.Query(ctx, query+" ORDER BY id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("reading the process register: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = paging.Encode(paging.Cursor{ID: out[limit-1].ID})
	}
	return out, next, nil
}

// parents maps every process to its parent (0 at the top).
func parents(ctx context.Context, q db.Querier) (map[int64]int64, error) {
	rows, err := q.Query(ctx, "SELECT id, COALESCE(parent_id, 0) FROM processes")
	if err != nil {
		return nil, fmt.Errorf("reading the process tree: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, parent int64
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, err
		}
		out[id] = parent
	}
	return out, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

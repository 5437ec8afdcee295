package org

import (
	"context"
	"fmt"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Named is a function or a location as it is named now.
type Named struct {
	ID   int64
	Code string
	Name string
}

// NamesOf returns the functions of functionIDs and the locations of
// locationIDs as they are named now, by id, in one query: a process's
// page names its performers at each request. Ids no longer known are
// left out.
func (s *Service) NamesOf(ctx context.Context, p *access.Principal, functionIDs, locationIDs []int64) (functions, locations map[int64]Named, err error) {
	if err := requireSignedIn(p); err != nil {
		return nil, nil, err
	}
	functions, locations = map[int64]Named{}, map[int64]Named{}
	var parts []string
	var args []any
	if len(functionIDs) > 0 {
		parts = append(parts, "SELECT 'f', id, code, name FROM functions WHERE id IN ("+db.Placeholders(len(functionIDs))+")")
		args = append(args, db.Args(functionIDs)...)
	}
	if len(locationIDs) > 0 {
		parts = append(parts, "SELECT 'l', id, code, name FROM locations WHERE id IN ("+db.Placeholders(len(locationIDs))+")")
		args = append(args, db.Args(locationIDs)...)
	}
	if len(parts) == 0 {
		return functions, locations, nil
	}
	rows, err := s.DB.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("naming functions and locations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n Named
		if err := rows.Scan(&kind, &n.ID, &n.Code, &n.Name); err != nil {
			return nil, nil, fmt.Errorf("naming functions and locations: %w", err)
		}
		if kind == "f" {
			functions[n.ID] = n
		} else {
			locations[n.ID] = n
		}
	}
	return functions, locations, rows.Err()
}

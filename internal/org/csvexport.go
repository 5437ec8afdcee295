package org

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/csvfile"
)

// exportQueries select each kind's columns, in ImportColumns order, so that
// an export can be edited in a spreadsheet and imported back unchanged.
var exportQueries = map[string]string{
	"locations": `SELECT code, name, country, city, region, time_zone FROM locations ORDER BY code`,
	"functions": `SELECT code, name FROM functions ORDER BY code`,
	"departments": `SELECT d.code, d.name, COALESCE(pd.code, ''), COALESCE(h.email, ''), COALESCE(b.email, ''), d.billing_mode
		FROM departments d LEFT JOIN departments pd ON pd.id = d.parent_id
		LEFT JOIN people h ON h.id = d.head_id LEFT JOIN people b ON b.id = d.brm_id ORDER BY d.code`,
	"people": `SELECT p.email, p.name, p.title, COALESCE(d.code, ''), COALESCE(l.code, ''), COALESCE(f.code, ''), COALESCE(m.email, ''),
		COALESCE((SELECT ` + rolesAgg + ` FROM person_roles r WHERE r.person_id = p.id), ''),
		CASE WHEN p.active THEN 'true' ELSE 'false' END
		FROM people p LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN locations l ON l.id = p.location_id
		LEFT JOIN functions f ON f.id = p.function_id LEFT JOIN people m ON m.id = p.manager_id ORDER BY p.email`,
}

// rolesAgg is replaced per engine: both have string_agg-like functions with
// different names.
const rolesAgg = "{{roles}}"

// Export writes one kind of organisation data as CSV in the import format.
// Admins only.
func (s *Service) Export(ctx context.Context, p *access.Principal, kind string, w io.Writer) error {
	if err := requireAdmin(p, "organisation data"); err != nil {
		return err
	}
	q, ok := exportQueries[kind]
	if !ok {
		return fmt.Errorf("unknown export %q", kind)
	}
	agg := "GROUP_CONCAT(r.role, ';' ORDER BY r.role)"
	if s.DB.Engine() == "postgres" {
		agg = "STRING_AGG(r.role, ';' ORDER BY r.role)"
	}
	q = strings.Replace(q, rolesAgg, agg, 1)
	rows, err := s.DB.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("exporting %s: %w", kind, err)
	}
	defer rows.Close()
	cols := ImportColumns[kind]
	header := append(append([]string{}, cols.Required...), cols.Optional...)
	cw := csvfile.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	vals := make([]string, len(header))
	ptrs := make([]any, len(header))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("exporting %s: %w", kind, err)
		}
		if err := cw.Write(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exporting %s: %w", kind, err)
	}
	cw.Flush()
	return cw.Error()
}

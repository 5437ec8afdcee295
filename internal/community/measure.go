package community

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehq/engage/internal/db"
)

// What engagement measurement reads of membership, through these functions
// and never the tables. They read through q and check no access: the
// caller does.

// MembersAmong returns those of people who belong to the community id now,
// by id.
func MembersAmong(ctx context.Context, q db.Querier, id int64, people []int64) ([]int64, error) {
	var out []int64
	for chunk := range slices.Chunk(people, 500) {
		ids, err := db.QueryIDs(ctx, q, "SELECT m.person_id FROM community_members m WHERE m.community_id = ? AND m.person_id IN ("+
			db.Placeholders(len(chunk))+") AND "+memberWhere+" ORDER BY m.person_id", append([]any{id}, db.Args(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("reading members of community %d: %w", id, err)
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	return out, nil
}

// Listing returns every community that is not archived, by name, with its
// id, handle, name and kind only: no member count (see Memberships).
func Listing(ctx context.Context, q db.Querier) ([]Community, error) {
	rows, err := q.Query(ctx, "SELECT id, slug, name, kind FROM communities WHERE NOT archived ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("listing communities: %w", err)
	}
	defer rows.Close()
	var out []Community
	for rows.Next() {
		var c Community
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.Kind); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Memberships returns the current members of every community, by
// community, each list in ascending order: one read of the memberships,
// for counting members and intersecting them with other sets at once.
func Memberships(ctx context.Context, q db.Querier) (map[int64][]int64, error) {
	rows, err := q.Query(ctx, "SELECT m.community_id, m.person_id FROM community_members m WHERE "+memberWhere)
	if err != nil {
		return nil, fmt.Errorf("reading memberships: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var c, p int64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, err
		}
		out[c] = append(out[c], p)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out, rows.Err()
}

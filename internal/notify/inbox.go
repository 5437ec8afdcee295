package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// The inbox is personal: every method reads and changes the principal's own
// items only, administrators included. An item of someone else's is "not
// found".

func requireSignedIn(p *access.Principal) error {
	if p == nil || p.PersonID == 0 {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

const inboxColumns = `i.id, e.id, e.type, e.subject, e.title, e.link, e.at, i.read_at
	FROM notify_inbox i JOIN notify_events e ON e.id = i.event_id`

func scanInboxItem(row db.Scanner) (InboxItem, error) {
	var it InboxItem
	var readAt sql.NullTime
	if err := row.Scan(&it.ID, &it.EventID, &it.Type, &it.Subject, &it.Title, &it.Link, &it.At, &readAt); err != nil {
		return it, err
	}
	it.At = it.At.UTC()
	if readAt.Valid {
		t := readAt.Time.UTC()
		it.ReadAt, it.Read = &t, true
	}
	return it, nil
}

// ListInbox returns p's inbox items, newest first, and the cursor of the
// next page ("" at the end).
func (s *Service) ListInbox(ctx context.Context, p *access.Principal, f InboxFilter) ([]InboxItem, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := paging.Limit(f.Limit)
	where, args := "i.person_id = ?", []any{p.PersonID}
	if f.UnreadOnly {
		where += " AND i.read_at IS NULL"
	}
	if cur != nil {
		where += " AND i.id < ?"
		args = append(args, cur.ID)
	}
	args = append(args, limit+1)
	r, err := s.DB.Query(ctx, "SELECT "+inboxColumns+" WHERE "+where+" ORDER BY i.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing the inbox of person %d: %w", p.PersonID, err)
	}
	defer r.Close()
	var out []InboxItem
	for r.Next() {
		it, err := scanInboxItem(r)
		if err != nil {
			return nil, "", fmt.Errorf("reading an inbox item: %w", err)
		}
		out = append(out, it)
	}
	if err := r.Err(); err != nil {
		return nil, "", fmt.Errorf("listing the inbox of person %d: %w", p.PersonID, err)
	}
	out, next := paging.Trim(out, limit, func(x InboxItem) paging.Cursor { return paging.Cursor{ID: x.ID} })
	return out, next, nil
}

// CountInbox returns how many items p has, and how many are unread.
func (s *Service) CountInbox(ctx context.Context, p *access.Principal) (InboxCounts, error) {
	if err := requireSignedIn(p); err != nil {
		return InboxCounts{}, err
	}
	var c InboxCounts
	var read int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*), COUNT(read_at) FROM notify_inbox WHERE person_id = ?", p.PersonID).Scan(&c.Total, &read)
	if err != nil {
		return c, fmt.Errorf("counting the inbox of person %d: %w", p.PersonID, err)
	}
	c.Unread = c.Total - read
	return c, nil
}

// FindInboxItem returns one of p's items.
func (s *Service) FindInboxItem(ctx context.Context, p *access.Principal, id int64) (InboxItem, error) {
	if err := requireSignedIn(p); err != nil {
		return InboxItem{}, err
	}
	return findInboxItem(ctx, s.DB, p.PersonID, id)
}

func findInboxItem(ctx context.Context, q db.Querier, personID, id int64) (InboxItem, error) {
	it, err := scanInboxItem(q.QueryRow(ctx, "SELECT "+inboxColumns+" WHERE i.id = ? AND i.person_id = ?", id, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return it, engage.Errorf(engage.ENOTFOUND, "There is no item %d in your inbox.", id)
	} else if err != nil {
		return it, fmt.Errorf("reading inbox item %d: %w", id, err)
	}
	return it, nil
}

// MarkRead marks one of p's items read (again is harmless) and returns it.
func (s *Service) MarkRead(ctx context.Context, p *access.Principal, id int64) (InboxItem, error) {
	if err := requireSignedIn(p); err != nil {
		return InboxItem{}, err
	}
	var it InboxItem
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE notify_inbox SET read_at = ? WHERE id = ? AND person_id = ? AND read_at IS NULL",
			s.Clock.Now(), id, p.PersonID); err != nil {
			return fmt.Errorf("marking inbox item %d read: %w", id, err)
		}
		var err error
		it, err = findInboxItem(ctx, tx, p.PersonID, id)
		return err
	})
	return it, err
}

// MarkAllRead marks every unread item of p's read and says how many.
func (s *Service) MarkAllRead(ctx context.Context, p *access.Principal) (int, error) {
	if err := requireSignedIn(p); err != nil {
		return 0, err
	}
	res, err := s.DB.Exec(ctx, "UPDATE notify_inbox SET read_at = ? WHERE person_id = ? AND read_at IS NULL", s.Clock.Now(), p.PersonID)
	if err != nil {
		return 0, fmt.Errorf("marking the inbox of person %d read: %w", p.PersonID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("marking the inbox of person %d read: %w", p.PersonID, err)
	}
	return int(n), nil
}

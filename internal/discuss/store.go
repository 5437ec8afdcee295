package discuss

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

const (
	topicFields = `t.id, t.community_id, t.kind, t.title, t.body, t.author_id, COALESCE(a.name, ''), t.pinned, t.locked, t.hidden,
	COALESCE(t.accepted_reply_id, 0), t.it_answered_at, t.replies, t.last_post_at, t.version, t.created_at, t.updated_at, t.changes`
	topicFrom    = ` FROM discuss_topics t LEFT JOIN people a ON a.id = t.author_id`
	topicColumns = topicFields + topicFrom
)

func scanTopic(row interface{ Scan(...any) error }) (Topic, error) {
	var t Topic
	var answered sql.NullTime
	err := row.Scan(&t.ID, &t.CommunityID, &t.Kind, &t.Title, &t.Body, &t.AuthorID, &t.AuthorName, &t.Pinned, &t.Locked, &t.Hidden,
		&t.AcceptedReplyID, &answered, &t.Replies, &t.LastPostAt, &t.Version, &t.CreatedAt, &t.UpdatedAt, &t.Changes)
	t.ITAnsweredAt = db.TimePtr(answered)
	if t.ITAnsweredAt != nil {
		u := t.ITAnsweredAt.UTC()
		t.ITAnsweredAt = &u
	}
	t.LastPostAt, t.CreatedAt, t.UpdatedAt = t.LastPostAt.UTC(), t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

func findTopic(ctx context.Context, q db.Querier, id int64) (Topic, error) {
	return findOne(ctx, q, "SELECT "+topicColumns+" WHERE t.id = ?", scanTopic, errNoTopic, "a topic", id)
}

// followedColumn, a column of a topic t, says whether the person of its
// argument follows it.
const followedColumn = "EXISTS (SELECT 1 FROM discuss_followers f WHERE f.topic_id = t.id AND f.person_id = ?)"

// topicJoin joins the topics of communities c, with their authors.
const topicJoin = "JOIN discuss_topics t ON t.community_id = c.id LEFT JOIN people a ON a.id = t.author_id"

// scanAlso scans a row's last column into also after the columns its
// caller names.
type scanAlso struct {
	row  interface{ Scan(...any) error }
	also any
}

func (s scanAlso) Scan(dest ...any) error { return s.row.Scan(append(dest, s.also)...) }

func queryTopics(ctx context.Context, q db.Querier, query string, args ...any) ([]Topic, error) {
	return queryAll(ctx, q, "SELECT "+topicColumns+" "+query, scanTopic, "topics", args...)
}

// queryAll reads every row of query with scan.
func queryAll[T any](ctx context.Context, q db.Querier, query string, scan func(interface{ Scan(...any) error }) (T, error),
	what string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// findOne reads the one row of query with scan; no row is notFound.
func findOne[T any](ctx context.Context, q db.Querier, query string, scan func(interface{ Scan(...any) error }) (T, error),
	notFound error, what string, args ...any) (T, error) {
	v, err := scan(q.QueryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound
	} else if err != nil {
		return v, fmt.Errorf("reading %s: %w", what, err)
	}
	return v, nil
}

const replyColumns = `r.id, r.topic_id, r.author_id, COALESCE(a.name, ''), r.body, r.official, r.hidden, r.version, r.created_at, r.updated_at
	FROM discuss_replies r LEFT JOIN people a ON a.id = r.author_id`

func scanReply(row interface{ Scan(...any) error }) (Reply, error) {
	var r Reply
	err := row.Scan(&r.ID, &r.TopicID, &r.AuthorID, &r.AuthorName, &r.Body, &r.Official, &r.Hidden, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

var errNoReply = engage.Errorf(engage.ENOTFOUND, "There is no such reply.")

func findReply(ctx context.Context, q db.Querier, id int64) (Reply, error) {
	return findOne(ctx, q, "SELECT "+replyColumns+" WHERE r.id = ?", scanReply, errNoReply, "a reply", id)
}

func queryReplies(ctx context.Context, q db.Querier, query string, args ...any) ([]Reply, error) {
	return queryAll(ctx, q, "SELECT "+replyColumns+" "+query, scanReply, "replies", args...)
}

func insertTopic(ctx context.Context, tx *db.Tx, in TopicInput, authorID int64, seq int64, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO discuss_topics(community_id, kind, title, body, author_id, pinned, locked, hidden, replies,
		last_post_at, search_seq, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, FALSE, FALSE, FALSE, 0, ?, ?, 1, ?, ?) RETURNING id`,
		in.CommunityID, in.Kind, in.Title, in.Body, authorID, now, seq, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving a topic: %w", err)
	}
	return id, nil
}

func insertReply(ctx context.Context, tx *db.Tx, topicID, authorID int64, in ReplyInput, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO discuss_replies(topic_id, author_id, body, official, hidden, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, FALSE, 1, ?, ?) RETURNING id`, topicID, authorID, in.Body, in.Official, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving a reply: %w", err)
	}
	return id, nil
}

// insertReplies stores the replies of ws, written at now, and sets each
// one's out to the reply as stored: one statement inserts them, one reads
// them back (with their authors' names). A reply is matched to the row of
// its topic, author, body and kind with the lowest id not yet taken: rows
// that share those share everything but their id.
func insertReplies(ctx context.Context, tx *db.Tx, ws []writing, now time.Time) error {
	for lo := 0; lo < len(ws); lo += db.RowsPerStatement {
		chunk := ws[lo:min(lo+db.RowsPerStatement, len(ws))]
		args := make([]any, 0, 6*len(chunk))
		for _, w := range chunk {
			args = append(args, w.topic.ID, w.p.PersonID, w.in.Body, w.in.Official, now, now)
		}
		ids, err := db.QueryIDs(ctx, tx, `INSERT INTO discuss_replies(topic_id, author_id, body, official, hidden, version, created_at, updated_at)
			VALUES `+strings.Repeat("(?, ?, ?, ?, FALSE, 1, ?, ?), ", len(chunk)-1)+"(?, ?, ?, ?, FALSE, 1, ?, ?) RETURNING id", args...)
		if err == nil && len(ids) != len(chunk) {
			err = fmt.Errorf("%d ids for %d replies", len(ids), len(chunk))
		}
		if err != nil {
			return fmt.Errorf("saving %d replies: %w", len(chunk), err)
		}
		stored, err := queryReplies(ctx, tx, "WHERE r.id IN ("+db.Placeholders(len(ids))+") ORDER BY r.id", db.Args(ids)...)
		if err != nil {
			return err
		}
		type key struct {
			topic, author int64
			body          string
			official      bool
		}
		rows := map[key][]Reply{}
		for _, r := range stored {
			k := key{r.TopicID, r.AuthorID, r.Body, r.Official}
			rows[k] = append(rows[k], r)
		}
		for i := range chunk {
			w := &chunk[i]
			k := key{w.topic.ID, w.p.PersonID, w.in.Body, w.in.Official}
			if len(rows[k]) == 0 {
				return fmt.Errorf("saving %d replies: the reply of person %d to topic %d was not read back", len(chunk), w.p.PersonID, w.topic.ID)
			}
			w.out, rows[k] = rows[k][0], rows[k][1:]
		}
	}
	return nil
}

// countReplies counts the replies of ws, posted at now, in their topics
// in one statement: replies, changes, the latest post and, for a topic's
// first official answer, when IT answered.
func countReplies(ctx context.Context, tx *db.Tx, ws []writing, now time.Time) error {
	type count struct{ replies, official int }
	counts := map[int64]*count{}
	var ids []int64
	for _, w := range ws {
		c, ok := counts[w.topic.ID]
		if !ok {
			c = &count{}
			counts[w.topic.ID], ids = c, append(ids, w.topic.ID)
		}
		c.replies++
		if w.in.Official {
			c.official++
		}
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, db.RowsPerStatement) {
		args := make([]any, 0, 3*len(chunk)+2)
		for _, id := range chunk {
			args = append(args, id, counts[id].replies, counts[id].official)
		}
		// The casts type the VALUES for PostgreSQL; SQLite reads them as
		// the integers they are.
		one := "(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS INTEGER))"
		if _, err := tx.Exec(ctx, "WITH v(id, n, official) AS (VALUES "+strings.Repeat(one+", ", len(chunk)-1)+one+`)
			UPDATE discuss_topics SET replies = replies + v.n, last_post_at = ?, changes = changes + v.n,
			it_answered_at = CASE WHEN v.official > 0 AND it_answered_at IS NULL THEN ? ELSE it_answered_at END
			FROM v WHERE discuss_topics.id = v.id`, append(args, now, now)...); err != nil {
			return fmt.Errorf("counting replies to %d topics: %w", len(chunk), err)
		}
	}
	return nil
}

// followersOf returns the followers of the topics of ws, by topic, in one
// read.
func followersOf(ctx context.Context, q db.Querier, ws []writing) (map[int64][]int64, error) {
	var ids []int64
	for _, w := range ws {
		if !slices.Contains(ids, w.topic.ID) {
			ids = append(ids, w.topic.ID)
		}
	}
	out := map[int64][]int64{}
	for chunk := range slices.Chunk(ids, db.RowsPerStatement) {
		rows, err := q.Query(ctx, "SELECT topic_id, person_id FROM discuss_followers WHERE topic_id IN ("+db.Placeholders(len(chunk))+
			") ORDER BY topic_id, person_id", db.Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("reading the followers of %d topics: %w", len(chunk), err)
		}
		for rows.Next() {
			var topic, person int64
			if err := rows.Scan(&topic, &person); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading the followers of %d topics: %w", len(chunk), err)
			}
			out[topic] = append(out[topic], person)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading the followers of %d topics: %w", len(chunk), err)
		}
	}
	return out, nil
}

// followAll makes each person follow each topic of follows (topic,
// person), in one statement.
func followAll(ctx context.Context, tx *db.Tx, follows [][2]int64, now time.Time) error {
	rows := make([][]any, len(follows))
	for i, f := range follows {
		rows[i] = []any{f[0], f[1], now}
	}
	if err := db.InsertRows(ctx, tx, "INSERT INTO discuss_followers(topic_id, person_id, since)", 3, rows,
		"ON CONFLICT (topic_id, person_id) DO NOTHING"); err != nil {
		return fmt.Errorf("following %d topics: %w", len(follows), err)
	}
	return nil
}

func follow(ctx context.Context, q db.Querier, topicID, personID int64, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO discuss_followers(topic_id, person_id, since) VALUES (?, ?, ?)
		ON CONFLICT (topic_id, person_id) DO NOTHING`, topicID, personID, now)
	if err != nil {
		return fmt.Errorf("following topic %d: %w", topicID, err)
	}
	return nil
}

func unfollow(ctx context.Context, q db.Querier, topicID, personID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM discuss_followers WHERE topic_id = ? AND person_id = ?`, topicID, personID); err != nil {
		return fmt.Errorf("unfollowing topic %d: %w", topicID, err)
	}
	return nil
}

func following(ctx context.Context, q db.Querier, topicID, personID int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM discuss_followers WHERE topic_id = ? AND person_id = ?`, topicID, personID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("reading followers of topic %d: %w", topicID, err)
	}
	return n > 0, nil
}

func followers(ctx context.Context, q db.Querier, topicID int64) ([]int64, error) {
	return db.QueryIDs(ctx, q, `SELECT person_id FROM discuss_followers WHERE topic_id = ? ORDER BY person_id`, topicID)
}

// postsSince counts the topics and replies personID wrote in the
// community since from.
func postsSince(ctx context.Context, q db.Querier, communityID, personID int64, from time.Time) (int, time.Time, error) {
	rows, err := q.Query(ctx, `SELECT created_at FROM discuss_topics WHERE author_id = ? AND community_id = ? AND created_at > ?
		UNION ALL SELECT r.created_at FROM discuss_replies r JOIN discuss_topics t ON t.id = r.topic_id
		WHERE r.author_id = ? AND t.community_id = ? AND r.created_at > ?`, personID, communityID, from, personID, communityID, from)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("counting recent posts: %w", err)
	}
	defer rows.Close()
	n, first := 0, time.Time{}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return 0, time.Time{}, fmt.Errorf("counting recent posts: %w", err)
		}
		n++
		if first.IsZero() || at.Before(first) {
			first = at.UTC()
		}
	}
	return n, first, rows.Err()
}

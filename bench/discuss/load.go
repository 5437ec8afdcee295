package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// Loading: people, communities, memberships, topics, replies and followers
// go straight into the tables in large transactions, several hundred rows
// a statement. What discussions read is there: each topic has a distinct
// search_seq from the "topic-search" counter (so the search index loads
// it), its reply count, its latest post and, for most questions, when IT
// answered; every member joined more than a week ago, so that the posting
// limit of new members does not apply.

const rowsPerStatement = 500

// insertRows inserts rows of width columns into table in statements of
// rowsPerStatement rows, inside tx.
func insertRows(ctx context.Context, tx *db.Tx, table, columns string, width int, rows [][]any) error {
	for start := 0; start < len(rows); start += rowsPerStatement {
		chunk := rows[start:min(start+rowsPerStatement, len(rows))]
		args := make([]any, 0, width*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+table+"("+columns+") VALUES "+db.ValueRows(len(chunk), width), args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}

// inBatches writes rows in transactions of perTx rows.
func inBatches(ctx context.Context, d *db.DB, n, perTx int, fn func(tx *db.Tx, from, to int) error) error {
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		if err := d.Transact(ctx, func(tx *db.Tx) error { return fn(tx, start, end) }, db.BulkWrite()); err != nil {
			return err
		}
	}
	return nil
}

// world is what was loaded.
type world struct {
	communities []benchCommunity
	hot         []hotTopic // topics with many replies
	replyable   []int64    // topics the callers reply to
}

type benchCommunity struct {
	id   int64
	slug string
}

type hotTopic struct {
	id   int64
	slug string
}

type loadOptions struct {
	people, communities, topics, replies, hot, perTx int
	seed                                             uint64
	now                                              time.Time
	clients                                          []int64 // the callers' people: members of every community
}

func load(ctx context.Context, d *db.DB, o loadOptions, progress func(string)) (world, error) {
	var w world
	r := rand.New(rand.NewPCG(o.seed, 21))
	var depts []int64
	var err error
	if depts, err = db.QueryIDs(ctx, d, "SELECT id FROM departments ORDER BY id"); err != nil {
		return w, err
	}
	existing, err := db.QueryIDs(ctx, d, "SELECT id FROM people ORDER BY id")
	if err != nil {
		return w, err
	}
	created := o.now.AddDate(-2, 0, 0)
	if extra := o.people - len(existing); extra > 0 {
		if err := inBatches(ctx, d, extra, o.perTx, func(tx *db.Tx, from, to int) error {
			rows := make([][]any, 0, to-from)
			for i := from; i < to; i++ {
				rows = append(rows, []any{fmt.Sprintf("bench.person%d@example.com", i), fmt.Sprintf("Bench Person %d", i), "Colleague",
					depts[r.IntN(len(depts))], true, 1, created, created})
			}
			return insertRows(ctx, tx, "people", "email, name, title, department_id, active, version, created_at, updated_at", 8, rows)
		}); err != nil {
			return w, err
		}
	}
	people, err := db.QueryIDs(ctx, d, "SELECT id FROM people WHERE active ORDER BY id")
	if err != nil {
		return w, err
	}
	progress(fmt.Sprintf("%d people", len(people)))

	if err := d.Transact(ctx, func(tx *db.Tx) error {
		rows := make([][]any, o.communities)
		for i := range rows {
			visibility := "open"
			if i%10 == 9 {
				visibility = "closed"
			}
			rows[i] = []any{fmt.Sprintf("bench-%d", i), fmt.Sprintf("%s users %d", pick(r, subjects), i), "product", visibility,
				"A community for people who use it and the IT staff who run it.", false, 1, created, created}
		}
		return insertRows(ctx, tx, "communities", "slug, name, kind, visibility, description, archived, version, created_at, updated_at", 9, rows)
	}); err != nil {
		return w, err
	}
	rows, err := d.Query(ctx, "SELECT id, slug FROM communities WHERE slug LIKE 'bench-%' ORDER BY id")
	if err != nil {
		return w, err
	}
	for rows.Next() {
		var c benchCommunity
		if err := rows.Scan(&c.id, &c.slug); err != nil {
			rows.Close()
			return w, err
		}
		w.communities = append(w.communities, c)
	}
	rows.Close()

	// Every person is in three communities; the callers in all of them.
	since := o.now.AddDate(-1, 0, 0)
	members := map[[2]int64]bool{}
	var memberRows [][]any
	add := func(c, p int64) {
		if !members[[2]int64{c, p}] {
			members[[2]int64{c, p}] = true
			memberRows = append(memberRows, []any{c, p, true, false, false, false, since})
		}
	}
	for _, p := range people {
		for k := 0; k < 3; k++ {
			add(w.communities[r.IntN(len(w.communities))].id, p)
		}
	}
	for _, p := range o.clients {
		for _, c := range w.communities {
			add(c.id, p)
		}
	}
	if err := inBatches(ctx, d, len(memberRows), o.perTx, func(tx *db.Tx, from, to int) error {
		return insertRows(ctx, tx, "community_members", "community_id, person_id, by_hand, by_rule, opted_out, requested, since", 7, memberRows[from:to])
	}); err != nil {
		return w, err
	}
	progress(fmt.Sprintf("%d communities, %d memberships", len(w.communities), len(memberRows)))

	// Topics, written over the last year; the first o.hot get 200 replies
	// each, the others share what is left.
	perTopic := make([]int, o.topics)
	left := o.replies
	for i := 0; i < o.hot && i < o.topics && left >= 200; i++ {
		perTopic[i], left = 200, left-200
	}
	for left > 0 && o.topics > o.hot {
		perTopic[o.hot+r.IntN(o.topics-o.hot)]++
		left--
	}
	var firstSeq int64
	if err := d.Transact(ctx, func(tx *db.Tx) error {
		var err error
		firstSeq, err = reserve(ctx, tx, "topic-search", o.topics)
		return err
	}); err != nil {
		return w, err
	}
	from := o.now.AddDate(-1, 0, 0)
	type topicMeta struct {
		created time.Time
		author  int64
	}
	metas := make([]topicMeta, o.topics)
	if err := inBatches(ctx, d, o.topics, o.perTx, func(tx *db.Tx, lo, hi int) error {
		rows := make([][]any, 0, hi-lo)
		follows := make([][]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			c := w.communities[i%len(w.communities)]
			at := from.Add(time.Duration(float64(o.now.Sub(from)) * (float64(i) + r.Float64()) / float64(o.topics))).Truncate(time.Second)
			if i < o.hot {
				at = from.Add(time.Duration(i) * time.Hour)
			}
			author := people[r.IntN(len(people))]
			metas[i] = topicMeta{at, author}
			kind := []string{"question", "question", "question", "discussion", "idea"}[r.IntN(5)]
			last := at.Add(time.Duration(perTopic[i]) * 17 * time.Minute)
			var answered any
			if kind == "question" && perTopic[i] > 0 && r.IntN(4) > 0 {
				answered = at.Add(time.Duration(1+r.IntN(96)) * time.Hour)
			}
			title, body := topicText(r)
			rows = append(rows, []any{c.id, kind, title, body, author, false, false, false, answered, perTopic[i], last,
				firstSeq + int64(i), 1, at, at})
			follows = append(follows, []any{nil, author, at})
		}
		if err := insertRows(ctx, tx, "discuss_topics", `community_id, kind, title, body, author_id, pinned, locked, hidden, it_answered_at,
			replies, last_post_at, search_seq, version, created_at, updated_at`, 15, rows); err != nil {
			return err
		}
		ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM discuss_topics WHERE search_seq >= ? AND search_seq < ? ORDER BY search_seq",
			firstSeq+int64(lo), firstSeq+int64(hi))
		if err != nil || len(ids) != hi-lo {
			return fmt.Errorf("reading the topics just inserted (%d of %d): %v", len(ids), hi-lo, err)
		}
		for k, id := range ids {
			follows[k][0] = id
			i := lo + k
			if i < o.hot {
				w.hot = append(w.hot, hotTopic{id, w.communities[i%len(w.communities)].slug})
			} else if len(w.replyable) < 5000 && perTopic[i] < 50 && (i%len(w.communities))%10 != 9 {
				w.replyable = append(w.replyable, id)
			}
		}
		return insertRows(ctx, tx, "discuss_followers", "topic_id, person_id, since", 3, follows)
	}); err != nil {
		return w, err
	}
	progress(fmt.Sprintf("%d topics (%d with 200 replies)", o.topics, len(w.hot)))

	// Replies, in the order of their topics.
	topicIDs, err := db.QueryIDs(ctx, d, "SELECT id FROM discuss_topics WHERE search_seq >= ? ORDER BY search_seq", firstSeq)
	if err != nil {
		return w, err
	}
	type replyRef struct{ topic, k int }
	refs := make([]replyRef, 0, o.replies)
	for i, n := range perTopic {
		for k := 0; k < n; k++ {
			refs = append(refs, replyRef{i, k})
		}
	}
	done := 0
	if err := inBatches(ctx, d, len(refs), o.perTx, func(tx *db.Tx, lo, hi int) error {
		rows := make([][]any, 0, hi-lo)
		for _, rf := range refs[lo:hi] {
			m := metas[rf.topic]
			at := m.created.Add(time.Duration(rf.k+1) * 17 * time.Minute)
			rows = append(rows, []any{topicIDs[rf.topic], people[r.IntN(len(people))], replyText(r), rf.k == 3 && r.IntN(2) == 0, false, 1, at, at})
		}
		done += len(rows)
		if done%200000 < len(rows) {
			progress(fmt.Sprintf("  %d replies …", done))
		}
		return insertRows(ctx, tx, "discuss_replies", "topic_id, author_id, body, official, hidden, version, created_at, updated_at", 8, rows)
	}); err != nil {
		return w, err
	}
	progress(fmt.Sprintf("%d replies", len(refs)))
	return w, nil
}

// reserve takes k consecutive values of a counter in tx and returns the
// first, as k calls of db.NextNumber would.
func reserve(ctx context.Context, tx *db.Tx, name string, k int) (int64, error) {
	first, err := db.NextNumber(ctx, tx, name, 0)
	if err != nil || k <= 1 {
		return first, err
	}
	if _, err := tx.Exec(ctx, "UPDATE counters SET value = value + ? WHERE name = ? AND year = 0", k-1, name); err != nil {
		return 0, fmt.Errorf("advancing counter %s: %w", name, err)
	}
	return first, nil
}

var (
	subjects = []string{"Outlook", "VPN", "Team chat", "Printer", "Laptop", "Wi-Fi", "iPhone", "Chromebook", "SharePoint", "MFA",
		"Password reset", "Badge reader", "Docking station", "Monitor", "LIMS", "ELN", "Calendar", "OneDrive", "Video calls", "Headset"}
	problems = []string{"keeps crashing", "is very slow", "will not sync", "asks for my password every morning", "drops every afternoon",
		"cannot connect", "shows an error", "stopped working after the update", "is blocked", "freezes during calls"}
	contexts = []string{"in the Basel lab", "when working from home", "on the guest network", "since Monday", "during video calls",
		"for the whole team", "at the Boston office", "on my second screen", "after the last update", "when travelling"}
	asks = []string{"Is this a known issue?", "What should I try?", "Does anyone else see this?", "Who can help?",
		"Is there a workaround until it is fixed?", "Should I open a ticket?"}
	answers = []string{"Restarting the app fixed it for me.", "Same here since yesterday.",
		"Check for updates in Company Portal, then restart.", "Clearing the cached credentials helped.",
		"IT pushed a fix last night; please try again.", "It works on the wired network for me.",
		"Try signing out and in again.", "The service desk can reset it in a few minutes."}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func topicText(r *rand.Rand) (string, string) {
	s, p, c := pick(r, subjects), pick(r, problems), pick(r, contexts)
	title := s + " " + p + " " + c
	body := fmt.Sprintf("My %s %s %s. %s\n\nI tried restarting already. %s", strings.ToLower(s), p, c, pick(r, asks), pick(r, asks))
	return title, body
}

func replyText(r *rand.Rand) string {
	return pick(r, answers) + " " + pick(r, answers)
}

package engagement

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
)

// Digest is one person's summary of one ISO week.
type Digest struct {
	Week string    `json:"week" example:"2026-W49"`
	From time.Time `json:"from" doc:"Monday 00:00 UTC"`
	To   time.Time `json:"to" doc:"The next Monday 00:00 UTC, excluded"`
	// New are the topics opened in the person's communities by others.
	New []DigestTopic `json:"new" nullable:"false"`
	// Answered are the person's topics that got an IT answer or an
	// accepted solution.
	Answered []DigestTopic `json:"answered" nullable:"false"`
	// Votes are the votes the person's ideas received.
	Votes []DigestTopic `json:"votes" nullable:"false"`
	// Needs are the person's needs submitted or decided.
	Needs []DigestTopic `json:"needs" nullable:"false"`
}

// DigestTopic is one line of a digest.
type DigestTopic struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
	// What happened: "new", "answered", "accepted", "votes", "submitted",
	// "decided".
	What  string `json:"what"`
	Count int    `json:"count,omitempty" doc:"Votes received"`
	// Community is the topic's community id.
	Community int64 `json:"community_id,omitempty"`
}

// Items counts the digest's lines.
func (d Digest) Items() int { return len(d.New) + len(d.Answered) + len(d.Votes) + len(d.Needs) }

// Summary is the digest in one line: the inbox line and e-mail subject.
func (d Digest) Summary() string {
	var parts []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if n := len(d.New); n > 0 {
		parts = append(parts, plural(n, "new topic", "new topics")+" in your communities")
	}
	if n := len(d.Answered); n > 0 {
		parts = append(parts, plural(n, "of your topics", "of your topics")+" answered")
	}
	votes := 0
	for _, v := range d.Votes {
		votes += v.Count
	}
	if votes > 0 {
		parts = append(parts, plural(votes, "vote", "votes")+" on your ideas")
	}
	if n := len(d.Needs); n > 0 {
		parts = append(parts, plural(n, "need moved", "needs moved"))
	}
	return "Your week in Engage (" + d.Week + "): " + strings.Join(parts, ", ")
}

// Week returns the ISO week that contains t: its key (2026-W49) and its
// Monday 00:00 UTC.
func Week(t time.Time) (string, time.Time) {
	t = t.UTC()
	monday := midnight(t).AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	y, w := monday.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w), monday
}

// digestBatch is how many people one transaction of the digest run serves.
const digestBatch = 200

// Schedule sends the weekly digests while ctx lives: it looks every check
// (an hour in engage serve, so within an hour of Monday 00:00 UTC) and sends last week's digests to everyone who
// has not had them yet. Every replica may run it: the row per person and
// week is written once, so each person gets one digest.
func (s *Service) Schedule(ctx context.Context, check time.Duration, logger *slog.Logger) {
	if check <= 0 || s.Publisher == nil {
		return
	}
	// The first look comes one check after starting, not at once: a
	// process that starts and stops again (a command, a test) sends nothing.
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.SendDigests(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sending weekly digests", "err", err)
		} else if n > 0 {
			logger.Info("weekly digests sent", "people", n)
		}
	}
}

// SendDigests writes last week's digest (the ISO week before the clock's)
// for every active person who has none yet, and puts those with something
// in it in the person's inbox (and e-mail, when configured). It returns how
// many digests it published. Running it again, or on another replica at the
// same moment, sends nobody a second one.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	_, this := Week(s.Clock.Now())
	week, from := Week(this.AddDate(0, 0, -7))
	w, err := s.readWeek(ctx, from, this)
	if err != nil {
		return 0, err
	}
	sent := 0
	for {
		people, err := db.QueryIDs(ctx, s.DB, `SELECT p.id FROM people p WHERE p.active AND NOT EXISTS
			(SELECT 1 FROM engagement_digests d WHERE d.person_id = p.id AND d.week = ?) ORDER BY p.id LIMIT ?`, week, digestBatch)
		if err != nil {
			return sent, fmt.Errorf("finding who awaits the digest of %s: %w", week, err)
		}
		if len(people) == 0 {
			return sent, nil
		}
		err = s.DB.Transact(ctx, func(tx *db.Tx) error {
			n := 0
			for _, id := range people {
				d, err := s.digestOf(ctx, tx, id, week, from, this, w)
				if err != nil {
					return err
				}
				ok, err := s.keepDigest(ctx, tx, id, d)
				if err != nil {
					return err
				}
				if ok && d.Items() > 0 && s.Publisher != nil {
					if err := s.Publisher.Publish(ctx, tx, notify.Event{Type: EventDigest, Subject: week, Title: d.Summary(),
						Link: "/engagement/digest/" + week, Recipients: []int64{id}, Data: d}); err != nil {
						return err
					}
					n++
				}
			}
			sent += n
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
}

// weekRows are the week's happenings the digests are made of.
type weekRows struct {
	newByCommunity map[int64][]topicOf
	answered       map[int64][]DigestTopic // by the topic's author
	votes          map[int64][]DigestTopic // by the idea's author
	needs          map[int64][]DigestTopic // by the requester
}

type topicOf struct {
	author int64
	line   DigestTopic
}

func (s *Service) readWeek(ctx context.Context, from, to time.Time) (weekRows, error) {
	w := weekRows{newByCommunity: map[int64][]topicOf{}, answered: map[int64][]DigestTopic{}, votes: map[int64][]DigestTopic{},
		needs: map[int64][]DigestTopic{}}
	rows, err := s.DB.Query(ctx, `SELECT community_id, person_id, ref, title, opened_at >= ?, answered_at >= ? AND answered_at < ?,
		accepted_at >= ? AND accepted_at < ? FROM engagement_topics
		WHERE (opened_at >= ? AND opened_at < ?) OR (answered_at >= ? AND answered_at < ?) OR (accepted_at >= ? AND accepted_at < ?)
		ORDER BY opened_at, topic_id`, from, from, to, from, to, from, to, from, to, from, to)
	if err != nil {
		return w, fmt.Errorf("reading the week's topics: %w", err)
	}
	for rows.Next() {
		var c, author int64
		var line DigestTopic
		var opened bool
		var answered, accepted sql.NullBool
		if err := rows.Scan(&c, &author, &line.Ref, &line.Title, &opened, &answered, &accepted); err != nil {
			rows.Close()
			return w, err
		}
		line.Community = c
		if opened {
			line.What = "new"
			w.newByCommunity[c] = append(w.newByCommunity[c], topicOf{author, line})
		}
		if accepted.Bool {
			line.What = "accepted"
			w.answered[author] = append(w.answered[author], line)
		} else if answered.Bool {
			line.What = "answered"
			w.answered[author] = append(w.answered[author], line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w, err
	}
	rows, err = s.DB.Query(ctx, `SELECT t.person_id, t.ref, t.title, t.community_id, COUNT(*) FROM engagement_signals g
		JOIN engagement_topics t ON t.topic_id = g.topic_id WHERE g.kind = ? AND g.at >= ? AND g.at < ?
		GROUP BY t.person_id, t.ref, t.title, t.community_id ORDER BY t.person_id, t.ref`, activity.Voted, from, to)
	if err != nil {
		return w, fmt.Errorf("reading the week's votes: %w", err)
	}
	for rows.Next() {
		var author int64
		line := DigestTopic{What: "votes"}
		if err := rows.Scan(&author, &line.Ref, &line.Title, &line.Community, &line.Count); err != nil {
			rows.Close()
			return w, err
		}
		w.votes[author] = append(w.votes[author], line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w, err
	}
	rows, err = s.DB.Query(ctx, `SELECT person_id, kind, ref, title FROM engagement_signals WHERE kind IN (?, ?) AND at >= ? AND at < ?
		ORDER BY at, id`, activity.NeedSent, activity.NeedDecided, from, to)
	if err != nil {
		return w, fmt.Errorf("reading the week's needs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var person int64
		var kind activity.Kind
		var line DigestTopic
		if err := rows.Scan(&person, &kind, &line.Ref, &line.Title); err != nil {
			return w, err
		}
		line.What = map[activity.Kind]string{activity.NeedSent: "submitted", activity.NeedDecided: "decided"}[kind]
		w.needs[person] = append(w.needs[person], line)
	}
	return w, rows.Err()
}

// digestNewLimit is the most new topics a digest lists.
const digestNewLimit = 20

func (s *Service) digestOf(ctx context.Context, tx *db.Tx, person int64, week string, from, to time.Time, w weekRows) (Digest, error) {
	d := Digest{Week: week, From: from, To: to, New: []DigestTopic{}, Answered: w.answered[person], Votes: w.votes[person], Needs: w.needs[person]}
	communities, err := s.Communities.Of(ctx, tx, person)
	if err != nil {
		return d, err
	}
	for _, c := range communities {
		for _, t := range w.newByCommunity[c] {
			if t.author != person && len(d.New) < digestNewLimit {
				d.New = append(d.New, t.line)
			}
		}
	}
	for _, l := range []*[]DigestTopic{&d.Answered, &d.Votes, &d.Needs} {
		if *l == nil {
			*l = []DigestTopic{}
		}
	}
	return d, nil
}

// keepDigest writes d as person's digest of its week, and reports whether
// this call wrote it (false: it was written before, here or elsewhere).
func (s *Service) keepDigest(ctx context.Context, tx *db.Tx, person int64, d Digest) (bool, error) {
	content, err := json.Marshal(d)
	if err != nil {
		return false, err
	}
	res, err := tx.Exec(ctx, `INSERT INTO engagement_digests(person_id, week, sent_at, items, content) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (person_id, week) DO NOTHING`, person, d.Week, s.Clock.Now().UTC(), d.Items(), string(content))
	if err != nil {
		return false, fmt.Errorf("keeping the digest of person %d: %w", person, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Digest returns p's own digest of week (2026-W49), or their latest when
// week is "".
func (s *Service) Digest(ctx context.Context, p *access.Principal, week string) (Digest, error) {
	if err := signedIn(p); err != nil {
		return Digest{}, err
	}
	query, args := "SELECT content FROM engagement_digests WHERE person_id = ? AND items > 0", []any{p.PersonID}
	if week != "" {
		query, args = query+" AND week = ?", append(args, week)
	}
	var content string
	err := s.DB.QueryRow(ctx, query+" ORDER BY week DESC LIMIT 1", args...).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return Digest{}, engage.Errorf(engage.ENOTFOUND, "There is no digest for you%s yet.", map[bool]string{true: " for " + week}[week != ""])
	} else if err != nil {
		return Digest{}, fmt.Errorf("reading a digest: %w", err)
	}
	var d Digest
	if err := json.Unmarshal([]byte(content), &d); err != nil {
		return Digest{}, fmt.Errorf("reading a digest: %w", err)
	}
	return d, nil
}

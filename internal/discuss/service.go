package discuss

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/groupcommit"
	"github.com/engagehq/engage/internal/lru"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/paging"
)

// Publisher tells people that something happened; it runs in the caller's
// transaction (package notify).
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// Service is the discussions' rules over their store.
type Service struct {
	DB          *db.DB
	Clock       engage.Clock
	Communities *community.Service
	Publisher   Publisher         // optional: mentions and followers are told through it
	Signals     activity.Recorder // optional: engagement signals
	// Limit is how fast a new member may post; the zero value is
	// DefaultPostLimit.
	Limit PostLimit

	index    topicIndex
	keptOnce sync.Once
	kept     *lru.Cache[int64, keptReplies] // see kept.go
	// keepNothing reads every page of replies from the database (tests).
	keepNothing bool

	// GroupWait is how long replies are gathered before their group's
	// transaction; zero gathers those that arrive while the previous
	// group commits (see group.go).
	GroupWait time.Duration
	// ReplyLanes is how many groups of replies may be stored at once
	// (group.go); zero is one.
	ReplyLanes int
	groupOnce  sync.Once
	replyGroup []*groupcommit.Queue[replyRequest, Reply]
}

// PostLimit limits how fast a new member of a community posts: someone
// who became a member less than NewFor ago writes at most PerHour topics
// and replies in that community in any hour. Staff, moderators and those
// who give official answers are not limited.
type PostLimit struct {
	NewFor  time.Duration
	PerHour int
}

// DefaultPostLimit: members of less than 7 days post at most 5 times an hour.
var DefaultPostLimit = PostLimit{NewFor: 7 * 24 * time.Hour, PerHour: 5}

func (s *Service) limit() PostLimit {
	if s.Limit.PerHour <= 0 || s.Limit.NewFor <= 0 {
		return DefaultPostLimit
	}
	return s.Limit
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

var errNoTopic = engage.Errorf(engage.ENOTFOUND, "There is no such topic.")

// sees reports whether someone with rights r reads topic t: hidden topics
// are read by moderators and their author only.
func sees(p *access.Principal, r community.Rights, t Topic) bool {
	return r.Read && (!t.Hidden || r.Moderate || t.AuthorID == p.PersonID)
}

// readable returns topic id when p may read it, with p's rights in its
// community.
func (s *Service) readable(ctx context.Context, p *access.Principal, id int64) (Topic, community.Rights, error) {
	rd, err := s.read(ctx, p, id)
	return rd.t, rd.r, err
}

// reading is a topic p may read as read for one request: with its
// community, p's rights in it and whether p follows the topic.
type reading struct {
	t         Topic
	c         community.Community
	r         community.Rights
	following bool
}

// read returns topic id when p may read it, with its community and p's
// rights there, in one query: the topic (with whether p follows it), its
// community, p's membership and staff roles.
func (s *Service) read(ctx context.Context, p *access.Principal, id int64) (reading, error) {
	if err := requireReader(p); err != nil {
		return reading{}, err
	}
	var rd reading
	var err error
	rd.c, rd.r, err = s.Communities.WithRightsJoined(ctx, p, community.Joined{
		Columns:    ", " + topicFields + ", " + followedColumn,
		ColumnArgs: []any{p.PersonID},
		Join:       topicJoin,
		Scan: func(row interface{ Scan(...any) error }) error {
			var err error
			rd.t, err = scanTopic(scanAlso{row, &rd.following})
			return err
		},
	}, "t.id = ?", id)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return reading{}, errNoTopic
	} else if err != nil {
		return reading{}, err
	}
	if !sees(p, rd.r, rd.t) {
		return reading{}, errNoTopic
	}
	return rd, nil
}

// FindTopic returns topic id when p may read it; a topic p may not read is
// not found.
func (s *Service) FindTopic(ctx context.Context, p *access.Principal, id int64) (Topic, error) {
	t, _, err := s.readable(ctx, p, id)
	return t, err
}

// TopicsByID returns the topics among ids that p may read, in the order of
// ids; the others are left out.
func (s *Service) TopicsByID(ctx context.Context, p *access.Principal, ids []int64) ([]Topic, error) {
	if err := requireReader(p); err != nil || len(ids) == 0 {
		return []Topic{}, err
	}
	out, _, _, err := s.topicsByID(ctx, p, ids)
	return out, err
}

// topicsByID is TopicsByID: each topic is read with whether p reads its
// community (community.ReadableAt), in one query for every topic that is
// not hidden; a hidden topic asks the community whether p moderates it.
// unread says whether a topic was left out because p does not read its
// community; latest is the highest value of the topic-search sequence
// among all topics, read in the same query (index.go).
func (s *Service) topicsByID(ctx context.Context, p *access.Principal, ids []int64) (out []Topic, unread bool, latest int64, err error) {
	out = []Topic{}
	if len(ids) == 0 {
		return out, false, 0, nil
	}
	type found struct {
		t      Topic
		read   bool
		latest sql.NullInt64
	}
	cond, condArgs := community.ReadableAt(p, "t.community_id")
	byID := map[int64]found{}
	for chunk := range slices.Chunk(ids, 500) {
		fs, err := queryAll(ctx, s.DB, "SELECT "+topicFields+", "+cond+", (SELECT MAX(l.search_seq) FROM discuss_topics l)"+topicFrom+
			" WHERE t.id IN ("+db.Placeholders(len(chunk))+")",
			func(row interface{ Scan(...any) error }) (found, error) {
				var f found
				var err error
				f.t, err = scanTopic(scanAlso{scanAlso{row, &f.latest}, &f.read})
				return f, err
			}, "topics", append(slices.Clip(condArgs), db.Args(chunk)...)...)
		if err != nil {
			return nil, false, 0, err
		}
		for _, f := range fs {
			byID[f.t.ID] = f
			latest = max(latest, f.latest.Int64)
		}
	}
	rights := map[int64]community.Rights{}
	for _, id := range ids {
		f, ok := byID[id]
		if ok && !f.read {
			unread = true
		}
		if !ok || !f.read {
			continue
		}
		t := f.t
		if t.Hidden && t.AuthorID != p.PersonID {
			r, ok := rights[t.CommunityID]
			if !ok {
				if r, err = s.Communities.Rights(ctx, p, t.CommunityID); err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
					return nil, false, 0, err
				}
				rights[t.CommunityID] = r
			}
			if !sees(p, r, t) {
				continue
			}
		}
		out = append(out, t)
	}
	return out, unread, latest, nil
}

// ListTopics returns a page of the community's topics that p may read:
// pinned topics first, then by latest post.
func (s *Service) ListTopics(ctx context.Context, p *access.Principal, communityID int64, f TopicFilter) ([]Topic, string, error) {
	if err := requireReader(p); err != nil {
		return nil, "", err
	}
	r, err := s.Communities.Rights(ctx, p, communityID)
	if err != nil {
		return nil, "", err
	}
	return s.listTopics(ctx, p, r, communityID, f)
}

// Home returns, when p reads community c, a page of its topics as
// ListTopics lists them: what a community's home shows. c and r, p's
// rights in it, were just read for p (community.BySlugWithRights).
func (s *Service) Home(ctx context.Context, p *access.Principal, c community.Community, r community.Rights, f TopicFilter) ([]Topic, string, error) {
	if err := requireReader(p); err != nil {
		return nil, "", err
	}
	if !r.Read {
		return []Topic{}, "", nil
	}
	return s.listTopics(ctx, p, r, c.ID, f)
}

func (s *Service) listTopics(ctx context.Context, p *access.Principal, r community.Rights, communityID int64, f TopicFilter) ([]Topic, string, error) {
	if !r.Read {
		return nil, "", engage.Errorf(engage.EFORBIDDEN, "Only members of this closed community read its topics; ask to join first.")
	}
	where, args := []string{"t.community_id = ?"}, []any{communityID}
	if !r.Moderate {
		where, args = append(where, "(NOT t.hidden OR t.author_id = ?)"), append(args, p.PersonID)
	}
	if f.Kind != "" {
		if !slices.Contains(Kinds, f.Kind) {
			return nil, "", fieldError("kind", "Choose question, discussion or idea.")
		}
		where, args = append(where, "t.kind = ?"), append(args, f.Kind)
	}
	if f.NoITAnswer {
		where = append(where, "t.kind = 'question' AND t.it_answered_at IS NULL")
	}
	if f.Unanswered {
		where = append(where, "t.replies = 0")
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		pinned, at, err := decodeKey(cur.Key)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(t.pinned < ? OR (t.pinned = ? AND (t.last_post_at < ? OR (t.last_post_at = ? AND t.id < ?))))")
		args = append(args, pinned, pinned, at, at, cur.ID)
	}
	limit := paging.Limit(f.Limit)
	out, err := queryTopics(ctx, s.DB, "WHERE "+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT %d", limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	out, next := paging.Trim(out, limit, func(t Topic) paging.Cursor {
		return paging.Cursor{Key: encodeKey(t.Pinned, t.LastPostAt), ID: t.ID}
	})
	return out, next, nil
}

func encodeKey(pinned bool, at time.Time) string {
	p := "0"
	if pinned {
		p = "1"
	}
	return p + "|" + at.UTC().Format(time.RFC3339Nano)
}

func decodeKey(k string) (bool, time.Time, error) {
	p, ts, ok := strings.Cut(k, "|")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || (p != "0" && p != "1") {
		return false, time.Time{}, fieldError("cursor", "This cursor is not one this list gave.")
	}
	return p == "1", at, nil
}

func fieldError(field, msg string) error {
	var v engage.Validation
	v.Add(field, "%s", msg)
	return v.Err()
}

func checkBody(v *engage.Validation, body *string) {
	*body = strings.TrimSpace(*body)
	v.Text("body", *body)
	v.Require("body", *body, "some text")
	v.MaxLen("body", *body, MaxBody)
}

func checkTopic(in *TopicInput) error {
	in.Title = strings.TrimSpace(in.Title)
	if in.Kind == "" {
		in.Kind = Question
	}
	var v engage.Validation
	v.Text("title", in.Title)
	v.Require("title", in.Title, "a title")
	v.MaxLen("title", in.Title, MaxTitle)
	checkBody(&v, &in.Body)
	if !slices.Contains(Kinds, in.Kind) {
		v.Add("kind", "Choose question, discussion or idea.")
	}
	if in.CommunityID <= 0 {
		v.Add("community_id", "Choose the community to post in.")
	}
	return v.Err()
}

// mayPost refuses what p may not write in community c: posting where they
// may not, and posting too fast as a new member.
func (s *Service) mayPost(ctx context.Context, q db.Querier, p *access.Principal, c community.Community, r community.Rights) error {
	limited, err := mayPostIn(c, r)
	if err != nil || !limited {
		return err
	}
	since, member, err := s.Communities.MemberSince(ctx, q, c.ID, p.PersonID)
	if err != nil || !member {
		return err
	}
	return s.underLimit(ctx, q, p, c, since, s.Clock.Now(), nil)
}

// mayPostIn refuses posting in community c to someone with rights r, and
// says whether the posting limit of new members applies to them.
func mayPostIn(c community.Community, r community.Rights) (limited bool, err error) {
	if !r.Post {
		switch {
		case c.Visibility == community.Announcement:
			return false, engage.Errorf(engage.EFORBIDDEN, "Only the staff of %s post in it: it is an announcement community.", c.Name)
		case c.Visibility == community.Closed:
			return false, engage.Errorf(engage.EFORBIDDEN, "Only members of %s post in it: it is a closed community; ask to join first.", c.Name)
		default:
			return false, engage.Errorf(engage.EFORBIDDEN, "Join %s to post in it.", c.Name)
		}
	}
	return !r.Moderate && !r.Answer, nil
}

// underLimit refuses a post by p, a member of c since since, at now, when
// p is a new member who posted too often in the last hour: the posts
// stored, and those of pending (the times of p's posts in c about to be
// stored with this one).
func (s *Service) underLimit(ctx context.Context, q db.Querier, p *access.Principal, c community.Community, since, now time.Time, pending []time.Time) error {
	lim := s.limit()
	if now.Sub(since) >= lim.NewFor {
		return nil
	}
	n, first, err := postsSince(ctx, q, c.ID, p.PersonID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	for _, at := range pending {
		if n++; first.IsZero() || at.Before(first) {
			first = at
		}
	}
	if n >= lim.PerHour {
		again := first.Add(time.Hour)
		return engage.Errorf(engage.ETOOMANY, "New members of %s post at most %d times an hour during their first %d days; you may post again at %s UTC.",
			c.Name, lim.PerHour, int(lim.NewFor/(24*time.Hour)), again.Format("15:04"))
	}
	return nil
}

// CreateTopic starts a topic in a community where p may post. Its author
// follows it.
func (s *Service) CreateTopic(ctx context.Context, p *access.Principal, in TopicInput) (Topic, error) {
	if err := requireReader(p); err != nil {
		return Topic{}, err
	}
	if err := checkTopic(&in); err != nil {
		return Topic{}, err
	}
	c, err := s.Communities.FindBrief(ctx, p, in.CommunityID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return Topic{}, fieldError("community_id", fmt.Sprintf("No community with id %d.", in.CommunityID))
	} else if err != nil {
		return Topic{}, err
	}
	r, err := s.Communities.Rights(ctx, p, c.ID)
	if err != nil {
		return Topic{}, err
	}
	var out Topic
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := s.mayPost(ctx, tx, p, c, r); err != nil {
			return err
		}
		now := s.Clock.Now()
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		id, err := insertTopic(ctx, tx, in, p.PersonID, seq, now)
		if err != nil {
			return err
		}
		if err := follow(ctx, tx, id, p.PersonID, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "create", "topic", id, fmt.Sprintf("Topic in %s: %s", c.Name, in.Title), nil, in); err != nil {
			return err
		}
		if out, err = findTopic(ctx, tx, id); err != nil {
			return err
		}
		if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.TopicOpened, PersonID: p.PersonID,
			CommunityID: c.ID, TopicID: id, Ref: ref(id), Title: in.Title, Idea: in.Kind == Idea, At: now}); err != nil {
			return err
		}
		err = s.tellMentioned(ctx, tx, p, c, out, in.Body)
		return err
	})
	if err != nil {
		return Topic{}, err
	}
	s.changed()
	return out, nil
}

func ref(topicID int64) string { return fmt.Sprintf("topic:%d", topicID) }

// Reply adds p's reply to a topic p reads, in a community where p may post.
// A locked topic takes replies from moderators only; an official answer
// needs Rights.Answer. Replying follows the topic; its followers are told.
// Replies posted at the same time are committed together (see group.go);
// Reply returns once the reply is stored.
func (s *Service) Reply(ctx context.Context, p *access.Principal, topicID int64, in ReplyInput) (Reply, error) {
	if err := requireReader(p); err != nil {
		return Reply{}, err
	}
	var v engage.Validation
	checkBody(&v, &in.Body)
	if err := v.Err(); err != nil {
		return Reply{}, err
	}
	rd, err := s.read(ctx, p, topicID)
	if err != nil {
		return Reply{}, err
	}
	r, c := rd.r, rd.c
	if in.Official && !r.Answer {
		return Reply{}, engage.Errorf(engage.EFORBIDDEN, "Only the service owner, the IT staff and the moderators of %s give official answers.", c.Name)
	}
	// The answer is waited for even when ctx ends: the reply may be in a
	// group being stored, and a form sent again must find it stored or
	// not, never maybe (a group's work is bounded by replyGroupTimeout).
	return s.replies(topicID).Do(context.WithoutCancel(ctx), replyRequest{p: p, topicID: topicID, in: in, r: r, c: c})
}

// replyRequest is a reply that passed the checks made before its
// transaction.
type replyRequest struct {
	p       *access.Principal
	topicID int64
	in      ReplyInput
	r       community.Rights
	c       community.Community
}

// ListReplies returns a page of a topic's replies that p may read, oldest
// first.
func (s *Service) ListReplies(ctx context.Context, p *access.Principal, topicID int64, cursor string, limit int) ([]Reply, string, error) {
	t, r, err := s.readable(ctx, p, topicID)
	if err != nil {
		return nil, "", err
	}
	return s.listReplies(ctx, p, t, r, cursor, limit)
}

func (s *Service) listReplies(ctx context.Context, p *access.Principal, t Topic, r community.Rights, cursor string, limit int) ([]Reply, string, error) {
	cur, err := paging.Decode(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = paging.Limit(limit)
	all, kept, err := s.allReplies(ctx, t)
	if err != nil {
		return nil, "", err
	}
	var out []Reply
	if kept {
		out = make([]Reply, 0, min(limit+1, len(all.list)))
		for i, rp := range all.list {
			if (cur == nil || rp.id > cur.ID) && (!rp.hidden || r.Moderate || rp.authorID == p.PersonID) {
				if out = append(out, all.reply(t.ID, i)); len(out) > limit {
					break
				}
			}
		}
	} else {
		where, args := "r.topic_id = ?", []any{t.ID}
		if !r.Moderate {
			where, args = where+" AND (NOT r.hidden OR r.author_id = ?)", append(args, p.PersonID)
		}
		if cur != nil {
			where, args = where+" AND r.id > ?", append(args, cur.ID)
		}
		if out, err = queryReplies(ctx, s.DB, "WHERE "+where+fmt.Sprintf(" ORDER BY r.id LIMIT %d", limit+1), args...); err != nil {
			return nil, "", err
		}
	}
	for i := range out {
		out[i].Accepted = out[i].ID == t.AcceptedReplyID
	}
	out, next := paging.Trim(out, limit, func(r Reply) paging.Cursor { return paging.Cursor{ID: r.ID} })
	return out, next, nil
}

// String writes the limit as Set reads it: posts an hour, then how long a
// member counts as new, such as 5,7d.
func (l PostLimit) String() string {
	if l.PerHour <= 0 || l.NewFor <= 0 {
		l = DefaultPostLimit
	}
	d := l.NewFor.String()
	if l.NewFor%(24*time.Hour) == 0 {
		d = strconv.Itoa(int(l.NewFor/(24*time.Hour))) + "d"
	}
	return strconv.Itoa(l.PerHour) + "," + d
}

// Set reads POSTS,NEWFOR (a flag.Value): at most POSTS topics and replies
// an hour for members of less than NEWFOR, a whole number of days such as
// 7d or a duration such as 36h.
func (l *PostLimit) Set(s string) error {
	posts, period, ok := strings.Cut(strings.TrimSpace(s), ",")
	n, err := strconv.Atoi(strings.TrimSpace(posts))
	if !ok || err != nil || n < 1 || n > 10000 {
		return fmt.Errorf("new member limit %q: write POSTS,NEWFOR such as 5,7d (1 to 10000 posts an hour)", s)
	}
	period = strings.TrimSpace(period)
	var d time.Duration
	if days, ok := strings.CutSuffix(period, "d"); ok {
		k, err := strconv.Atoi(days)
		if err != nil || k < 1 || k > 365 {
			return fmt.Errorf("new member limit %q: write the days as a whole number from 1 to 365, such as 7d", s)
		}
		d = time.Duration(k) * 24 * time.Hour
	} else if d, err = time.ParseDuration(period); err != nil || d < time.Hour || d > 365*24*time.Hour {
		return fmt.Errorf("new member limit %q: write how long a member is new as days (7d) or a duration from 1h (36h)", s)
	}
	l.PerHour, l.NewFor = n, d
	return nil
}

// UnmarshalText reads the limit from the configuration file.
func (l *PostLimit) UnmarshalText(b []byte) error { return l.Set(string(b)) }

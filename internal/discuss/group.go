package discuss

// Group commit of replies: fifty people replying at once would otherwise
// wait for one another's transactions (SQLite has one writer; on
// PostgreSQL every reply's transaction updates the same few engagement
// counters). Each reply is checked on its own before it queues (may the
// person read the topic, post in the community, give an official answer),
// then one committer takes the replies queued (internal/groupcommit) and
// stores them in one transaction, each checked again inside it as it is
// written (is the topic locked, is a new member over the posting limit).
// A reply refused there is answered at once and writes nothing; the
// others are answered once the transaction has committed. Should the
// transaction fail, each of its replies is stored alone, in a transaction
// of its own, so that one reply never fails another.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/groupcommit"
)

const (
	// maxReplyGroup bounds the replies one transaction stores.
	maxReplyGroup = 100
	// replyGroupTimeout bounds one group's work.
	replyGroupTimeout = 30 * time.Second
)

// Lanes: Service.ReplyLanes groups of replies may be stored at once (one
// by default). A topic's replies always take the same lane, so that two
// groups never wait for each other's lock on a topic; a group sends its
// replies' engagement signals last, in the order of their departments and
// people (sendSignals), so that groups share the engagement counters'
// rows for the shortest time and take them in the same order. On SQLite,
// which has one writer, more lanes only take turns; on PostgreSQL, under
// load, four lanes stored fewer replies a second than one (BENCHMARKS.md).

// lanes returns the queues of replies waiting to be stored.
func (s *Service) lanes() []*groupcommit.Queue[replyRequest, Reply] {
	s.groupOnce.Do(func() {
		for range max(s.ReplyLanes, 1) {
			q := &groupcommit.Queue[replyRequest, Reply]{Wait: s.GroupWait, Limit: maxReplyGroup}
			q.Commit = func(group []*groupcommit.Request[replyRequest, Reply]) { s.commitReplies(q, group) }
			s.replyGroup = append(s.replyGroup, q)
		}
	})
	return s.replyGroup
}

// replies returns the queue of replies to topic id.
func (s *Service) replies(topicID int64) *groupcommit.Queue[replyRequest, Reply] {
	l := s.lanes()
	return l[int(uint64(topicID)%uint64(len(l)))]
}

// ReplyGroups says how many groups of replies were taken and how many
// transactions stored them.
func (s *Service) ReplyGroups() (groups, commits int64) {
	for _, q := range s.lanes() {
		g, c := q.Stats()
		groups, commits = groups+g, commits+c
	}
	return groups, commits
}

// ReplyCommitter says how many replies the committers took and how long
// they spent storing them, together.
func (s *Service) ReplyCommitter() (replies int64, busy time.Duration) {
	for _, q := range s.lanes() {
		r, b := q.Busy()
		replies, busy = replies+r, busy+b
	}
	return replies, busy
}

// queuedReplies says how many replies wait for their group.
func (s *Service) queuedReplies() int {
	n := 0
	for _, q := range s.lanes() {
		n += q.Queued()
	}
	return n
}

// commitReplies stores a group of replies in one transaction; if that
// fails, each alone.
func (s *Service) commitReplies(q *groupcommit.Queue[replyRequest, Reply], group []*groupcommit.Request[replyRequest, Reply]) {
	ctx, cancel := context.WithTimeout(context.Background(), replyGroupTimeout)
	defer cancel()
	in := make([]replyRequest, len(group))
	for i, g := range group {
		in[i] = g.In
	}
	var done []writing
	err := s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
		ws, refusals, err := s.checkReplies(ctx, tx, in)
		if err != nil {
			return err
		}
		for i, err := range refusals {
			if err != nil {
				group[i].Answer(Reply{}, err)
			}
		}
		done = ws
		return s.writeReplies(ctx, tx, ws)
	})
	if err == nil {
		if len(done) > 0 {
			q.Committed()
		}
		for _, w := range done {
			group[w.i].Answer(w.out, nil)
		}
		return
	}
	for _, g := range group {
		if !g.Answered() {
			g.Answer(s.replyAlone(ctx, q, g.In))
		}
	}
}

// replyAlone stores one reply in a transaction of its own.
func (s *Service) replyAlone(ctx context.Context, q *groupcommit.Queue[replyRequest, Reply], in replyRequest) (Reply, error) {
	var out Reply
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		ws, refusals, err := s.checkReplies(ctx, tx, []replyRequest{in})
		if err != nil {
			return err
		} else if refusals[0] != nil {
			return refusals[0]
		}
		if err := s.writeReplies(ctx, tx, ws); err != nil {
			return err
		}
		out = ws[0].out
		return nil
	})
	if err == nil {
		q.Committed()
	}
	return out, err
}

// writing is a reply that checkReplies let through, on its way to being
// stored.
type writing struct {
	replyRequest
	i     int   // its place in the group
	topic Topic // its topic as the transaction found it
	out   Reply // the reply as stored
}

// checkReplies checks, inside tx, each of a group's replies against its
// topic as it is now (a locked topic takes replies from moderators only)
// and the posting limit of new members, counting the group's earlier
// replies as posted. It only reads: the topics in one statement, the
// memberships in another, and the recent posts of new members only. It
// returns the replies let through, in their order, and the refusal of each
// reply (nil for those let through).
func (s *Service) checkReplies(ctx context.Context, tx *db.Tx, in []replyRequest) ([]writing, []error, error) {
	ids := make([]int64, 0, len(in))
	for _, r := range in {
		if !slices.Contains(ids, r.topicID) {
			ids = append(ids, r.topicID)
		}
	}
	topics := map[int64]Topic{}
	for chunk := range slices.Chunk(ids, 500) {
		ts, err := queryTopics(ctx, tx, "WHERE t.id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range ts {
			topics[t.ID] = t
		}
	}
	refusals, isLimited := make([]error, len(in)), make([]bool, len(in))
	var limited []community.Membership
	for i, r := range in {
		t, ok := topics[r.topicID]
		switch {
		case !ok:
			refusals[i] = errNoTopic
		case t.Locked && !r.r.Moderate:
			refusals[i] = engage.Errorf(engage.EFORBIDDEN, "This topic is locked: it takes no more replies.")
		default:
			lim, err := mayPostIn(r.c, r.r)
			if refusals[i], isLimited[i] = err, lim; lim {
				limited = append(limited, community.Membership{CommunityID: r.c.ID, PersonID: r.p.PersonID})
			}
		}
	}
	since := map[community.Membership]time.Time{}
	if len(limited) > 0 {
		var err error
		if since, err = s.Communities.MembersSince(ctx, tx, limited); err != nil {
			return nil, nil, err
		}
	}
	now := s.Clock.Now()
	pending := map[community.Membership][]time.Time{}
	var out []writing
	for i, r := range in {
		if refusals[i] != nil {
			continue
		}
		m := community.Membership{CommunityID: r.c.ID, PersonID: r.p.PersonID}
		if from, member := since[m]; member && isLimited[i] {
			if err := s.underLimit(ctx, tx, r.p, r.c, from, now, pending[m]); refused(err) {
				refusals[i] = err
				continue
			} else if err != nil {
				return nil, nil, err
			}
			pending[m] = append(pending[m], now)
		}
		out = append(out, writing{replyRequest: r, i: i, topic: topics[r.topicID]})
	}
	return out, refusals, nil
}

// writeReplies stores the replies checkReplies let through, with what
// goes with them — their topics' counts, the following, the audit entries,
// the notices and the engagement signals — in a few multi-row statements
// whatever their number, and sets each one's out.
func (s *Service) writeReplies(ctx context.Context, tx *db.Tx, ws []writing) error {
	if len(ws) == 0 {
		return nil
	}
	now := s.Clock.Now()
	if err := insertReplies(ctx, tx, ws, now); err != nil {
		return err
	}
	if err := countReplies(ctx, tx, ws, now); err != nil {
		return err
	}
	var before map[int64][]int64
	if s.Publisher != nil {
		var err error
		if before, err = followersOf(ctx, tx, ws); err != nil {
			return err
		}
	}
	follows := make([][2]int64, 0, len(ws))
	entries := make([]audit.Entry, len(ws))
	var sigs []activity.Signal
	for i, w := range ws {
		if f := [2]int64{w.topic.ID, w.p.PersonID}; !slices.Contains(follows, f) {
			follows = append(follows, f)
		}
		summary := fmt.Sprintf("Reply to topic %d: %s", w.topic.ID, w.topic.Title)
		if w.in.Official {
			summary = fmt.Sprintf("Official answer to topic %d: %s", w.topic.ID, w.topic.Title)
		}
		entries[i] = audit.Entry{At: now, Actor: w.p, Action: "create", EntityType: "reply", EntityID: w.out.ID, Summary: summary, After: w.in}
		sig := activity.Signal{Kind: activity.Replied, PersonID: w.p.PersonID, DepartmentID: w.p.DepartmentID, CommunityID: w.topic.CommunityID,
			TopicID: w.topic.ID, Ref: ref(w.topic.ID), At: now}
		sigs = append(sigs, sig)
		if w.in.Official {
			sig.Kind = activity.ITAnswered
			sigs = append(sigs, sig)
		}
	}
	if err := followAll(ctx, tx, follows, now); err != nil {
		return err
	}
	if err := audit.RecordAll(ctx, tx, entries); err != nil {
		return err
	}
	if s.Publisher != nil {
		evs, err := s.replyNotices(ctx, tx, ws, before)
		if err != nil {
			return err
		}
		if err := s.publish(ctx, tx, evs); err != nil {
			return err
		}
	}
	return s.sendSignals(ctx, tx, sigs)
}

// sendSignals sends replies' engagement signals in tx, in the order of
// their departments and people: the engagement counters' rows are the
// ones concurrent transactions share, and taken in one order, at the end
// of the transaction, they are held the shortest time and never in
// opposite orders.
func (s *Service) sendSignals(ctx context.Context, tx *db.Tx, sigs []activity.Signal) error {
	slices.SortStableFunc(sigs, func(a, b activity.Signal) int {
		return cmp.Or(cmp.Compare(a.DepartmentID, b.DepartmentID), cmp.Compare(a.PersonID, b.PersonID))
	})
	return activity.SendAll(ctx, s.Signals, tx, sigs)
}

// refused reports whether err is the refusal of one reply (a rule said no),
// rather than a failure of the transaction.
func refused(err error) bool {
	return err != nil && engage.ErrorCode(err) != engage.EINTERNAL
}

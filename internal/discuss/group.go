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
	"context"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/activity"
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
	type written struct {
		req *groupcommit.Request[replyRequest, Reply]
		out Reply
	}
	var done []written
	err := s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
		var sigs []activity.Signal
		for _, g := range group {
			t, err := s.mayReply(ctx, tx, g.In)
			if refused(err) {
				g.Answer(Reply{}, err)
				continue
			} else if err != nil {
				return err
			}
			out, sent, err := s.writeReply(ctx, tx, g.In, t)
			if err != nil {
				return err
			}
			done, sigs = append(done, written{g, out}), append(sigs, sent...)
		}
		return s.sendSignals(ctx, tx, sigs)
	})
	if err == nil {
		if len(done) > 0 {
			q.Committed()
		}
		for _, w := range done {
			w.req.Answer(w.out, nil)
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
		t, err := s.mayReply(ctx, tx, in)
		if err != nil {
			return err
		}
		var sigs []activity.Signal
		if out, sigs, err = s.writeReply(ctx, tx, in, t); err != nil {
			return err
		}
		return s.sendSignals(ctx, tx, sigs)
	})
	if err == nil {
		q.Committed()
	}
	return out, err
}

// refused reports whether err is the refusal of one reply (a rule said no),
// rather than a failure of the transaction.
func refused(err error) bool {
	return err != nil && engage.ErrorCode(err) != engage.EINTERNAL
}

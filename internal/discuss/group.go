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
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/groupcommit"
)

const (
	// maxReplyGroup bounds the replies one transaction stores.
	maxReplyGroup = 100
	// replyGroupTimeout bounds one group's work.
	replyGroupTimeout = 30 * time.Second
)

// replies returns the queue of replies waiting to be stored.
func (s *Service) replies() *groupcommit.Queue[replyRequest, Reply] {
	s.groupOnce.Do(func() {
		s.replyGroup = &groupcommit.Queue[replyRequest, Reply]{Wait: s.GroupWait, Limit: maxReplyGroup, Commit: s.commitReplies}
	})
	return s.replyGroup
}

// ReplyGroups says how many groups of replies were taken and how many
// transactions stored them.
func (s *Service) ReplyGroups() (groups, commits int64) { return s.replies().Stats() }

// ReplyCommitter says how many replies the committer took and how long it
// spent storing them.
func (s *Service) ReplyCommitter() (replies int64, busy time.Duration) { return s.replies().Busy() }

// commitReplies stores a group of replies in one transaction; if that
// fails, each alone.
func (s *Service) commitReplies(group []*groupcommit.Request[replyRequest, Reply]) {
	ctx, cancel := context.WithTimeout(context.Background(), replyGroupTimeout)
	defer cancel()
	type written struct {
		req *groupcommit.Request[replyRequest, Reply]
		out Reply
	}
	var done []written
	err := s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
		for _, g := range group {
			t, err := s.mayReply(ctx, tx, g.In)
			if refused(err) {
				g.Answer(Reply{}, err)
				continue
			} else if err != nil {
				return err
			}
			out, err := s.writeReply(ctx, tx, g.In, t)
			if err != nil {
				return err
			}
			done = append(done, written{g, out})
		}
		return nil
	})
	if err == nil {
		if len(done) > 0 {
			s.replies().Committed()
		}
		for _, w := range done {
			w.req.Answer(w.out, nil)
		}
		return
	}
	for _, g := range group {
		if !g.Answered() {
			g.Answer(s.replyAlone(ctx, g.In))
		}
	}
}

// replyAlone stores one reply in a transaction of its own.
func (s *Service) replyAlone(ctx context.Context, q replyRequest) (Reply, error) {
	var out Reply
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		t, err := s.mayReply(ctx, tx, q)
		if err != nil {
			return err
		}
		out, err = s.writeReply(ctx, tx, q, t)
		return err
	})
	if err == nil {
		s.replies().Committed()
	}
	return out, err
}

// refused reports whether err is the refusal of one reply (a rule said no),
// rather than a failure of the transaction.
func refused(err error) bool {
	return err != nil && engage.ErrorCode(err) != engage.EINTERNAL
}

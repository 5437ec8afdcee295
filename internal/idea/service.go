package idea

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
)

// Publisher tells people that something happened; it runs in the caller's
// transaction (package notify).
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// Service is the ideas' rules over their store.
type Service struct {
	DB          *db.DB
	Clock       engage.Clock
	Org         *org.Service
	Communities *community.Service
	Discussions *discuss.Service
	// FrontDoor takes the needs ideas become.
	FrontDoor *frontdoor.Service
	// Catalog names the owner of a service community's service.
	Catalog   *catalog.Catalog
	Publisher Publisher         // optional: authors and voters are told through it
	Signals   activity.Recorder // optional: engagement signals
}

var errNoIdea = engage.Errorf(engage.ENOTFOUND, "There is no such idea.")

// topic returns the idea topicID when p may read it, with p's rights in
// its community.
func (s *Service) topic(ctx context.Context, p *access.Principal, topicID int64) (discuss.Topic, community.Rights, error) {
	if p == nil || p.GateOnly() {
		return discuss.Topic{}, community.Rights{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	t, err := s.Discussions.FindTopic(ctx, p, topicID)
	if engage.ErrorCode(err) == engage.ENOTFOUND || (err == nil && t.Kind != discuss.Idea) {
		return discuss.Topic{}, community.Rights{}, errNoIdea
	} else if err != nil {
		return discuss.Topic{}, community.Rights{}, err
	}
	r, err := s.Communities.Rights(ctx, p, t.CommunityID)
	return t, r, err
}

// authorDepartment is the department of the idea's author now (0: none).
func (s *Service) authorDepartment(ctx context.Context, t discuss.Topic) (int64, error) {
	who, err := s.Org.FindPersonByID(ctx, t.AuthorID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return 0, nil
	}
	return who.DepartmentID, err
}

// maySetStatus: the community's moderators, those who give official IT
// answers there, and the BRM of the author's department.
func maySetStatus(p *access.Principal, r community.Rights, authorDept int64) bool {
	return r.Moderate || r.Answer || p.IsBRMOf(authorDept)
}

// mayConvert: the BRM of the author's department, the owner of the
// community's catalog service, and administrators.
func (s *Service) mayConvert(ctx context.Context, p *access.Principal, communityID, authorDept int64) (bool, error) {
	if p.IsAdmin() || p.IsBRMOf(authorDept) {
		return true, nil
	}
	c, err := s.Communities.Find(ctx, p, communityID)
	if err != nil || c.ServiceID == 0 || s.Catalog == nil || p.PersonID == 0 {
		return false, err
	}
	svc, err := s.Catalog.FindService(ctx, access.System("ideas"), strconv.FormatInt(c.ServiceID, 10))
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return svc.Service.OwnerID == p.PersonID, nil
}

// mayVote refuses a vote on t, as it is now, by p with rights r in its
// community. Votes follow posting: those who may reply there vote (the
// members of an open or a closed community, the staff of an announcement
// one), as Discourse and idea portals let only those who take part in a
// space vote in it; reading an open community is not enough.
func mayVote(p *access.Principal, t discuss.Topic, r community.Rights) error {
	switch {
	case p.PersonID == 0:
		return engage.Errorf(engage.EFORBIDDEN, "Only people vote for ideas.")
	case t.Hidden:
		return engage.Errorf(engage.EFORBIDDEN, "This idea is hidden by a moderator: it takes no votes.")
	case t.Locked:
		return engage.Errorf(engage.EFORBIDDEN, "This idea is locked: its votes are closed.")
	case r.Post:
		return nil
	case r.Join:
		return engage.Errorf(engage.EFORBIDDEN, "Join the community to vote on its ideas.")
	case !r.Member:
		return engage.Errorf(engage.EFORBIDDEN, "Only members vote on the ideas of a closed community; ask to join first.")
	}
	return engage.Errorf(engage.EFORBIDDEN, "Only the staff of an announcement community post and vote in it.")
}

// MayVote reports whether p, with rights r in the community, may vote on
// its ideas (those neither hidden nor locked): lists ask it once.
func MayVote(p *access.Principal, r community.Rights) bool {
	return mayVote(p, discuss.Topic{}, r) == nil
}

// idea puts a topic and its row together, as p sees it.
func idea(t discuss.Topic, r row, voted bool) Idea {
	out := Idea{TopicID: t.ID, CommunityID: t.CommunityID, Title: t.Title, AuthorID: t.AuthorID, AuthorName: t.AuthorName,
		Locked: t.Locked, Hidden: t.Hidden, Status: r.Status, StatusLabel: r.Status.Label(), Reason: r.Reason, StatusAt: r.StatusAt,
		Votes: r.Votes, Voted: voted, Version: r.Version, CreatedAt: t.CreatedAt}
	if r.NeedRef != "" {
		out.Need = &NeedLink{Reference: r.NeedRef, State: r.NeedSt, Label: r.NeedSt.Label()}
	}
	return out
}

// Get returns an idea p may read, with its history and what p may do.
func (s *Service) Get(ctx context.Context, p *access.Principal, topicID int64) (Detail, error) {
	t, rights, err := s.topic(ctx, p, topicID)
	if err != nil {
		return Detail{}, err
	}
	r, err := readRow(ctx, s.DB, t.ID)
	if err != nil {
		return Detail{}, err
	}
	voted, err := votedBy(ctx, s.DB, p.PersonID, []int64{t.ID})
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Idea: idea(t, r, voted[t.ID])}
	if d.History, err = history(ctx, s.DB, t.ID); err != nil {
		return Detail{}, err
	}
	dept, err := s.authorDepartment(ctx, t)
	if err != nil {
		return Detail{}, err
	}
	d.May.Vote = mayVote(p, t, rights) == nil
	d.May.SetStatus = maySetStatus(p, rights, dept) && r.NeedRef == ""
	if d.May.Convert, err = s.mayConvert(ctx, p, t.CommunityID, dept); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Vote gives p's vote to an idea p reads. Voting again changes nothing.
func (s *Service) Vote(ctx context.Context, p *access.Principal, topicID int64) (Idea, error) {
	return s.vote(ctx, p, topicID, true)
}

// Unvote withdraws p's vote. Withdrawing a vote not given changes nothing.
func (s *Service) Unvote(ctx context.Context, p *access.Principal, topicID int64) (Idea, error) {
	return s.vote(ctx, p, topicID, false)
}

func (s *Service) vote(ctx context.Context, p *access.Principal, topicID int64, up bool) (Idea, error) {
	t, rights, err := s.topic(ctx, p, topicID)
	if err != nil {
		return Idea{}, err
	}
	var out Idea
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		// Locked and hidden as they are now, in this transaction.
		t, err := s.Discussions.ReadTopic(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := mayVote(p, t, rights); err != nil {
			return err
		}
		now := s.Clock.Now()
		if err := ensureRow(ctx, tx, t.ID, now); err != nil {
			return err
		}
		var res interface{ RowsAffected() (int64, error) }
		if up {
			res, err = tx.Exec(ctx, `INSERT INTO idea_votes(topic_id, person_id, at) VALUES (?, ?, ?) ON CONFLICT (topic_id, person_id) DO NOTHING`,
				t.ID, p.PersonID, now)
		} else {
			res, err = tx.Exec(ctx, `DELETE FROM idea_votes WHERE topic_id = ? AND person_id = ?`, t.ID, p.PersonID)
		}
		if err != nil {
			return fmt.Errorf("voting for idea %d: %w", t.ID, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k > 0 {
			change := "votes + 1"
			if !up {
				change = "votes - 1"
			}
			if _, err := tx.Exec(ctx, "UPDATE idea_ideas SET votes = "+change+", updated_at = ? WHERE topic_id = ?", now, t.ID); err != nil {
				return fmt.Errorf("counting the votes of idea %d: %w", t.ID, err)
			}
			if up {
				if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.Voted, PersonID: p.PersonID,
					CommunityID: t.CommunityID, TopicID: t.ID, Ref: fmt.Sprintf("topic:%d", t.ID), At: now}); err != nil {
					return err
				}
			}
		}
		r, err := readRow(ctx, tx, t.ID)
		out = idea(t, r, up)
		return err
	})
	return out, err
}

// SetStatus sets an idea's status by hand. Setting the status it has, with
// the same reason, changes nothing. An idea that became a need follows the
// need instead.
func (s *Service) SetStatus(ctx context.Context, p *access.Principal, topicID int64, in StatusInput) (Idea, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var v engage.Validation
	v.Text("reason", in.Reason)
	v.MaxLen("reason", in.Reason, MaxReason)
	if !slices.Contains(Statuses, in.Status) {
		v.Add("status", "Choose new, under_review, planned, declined or done.")
	} else if in.Status == Declined && in.Reason == "" {
		v.Add("reason", "Say why the idea is declined, so that its author and voters understand.")
	}
	if in.Version < 0 {
		v.Add("version", "Give the version you read, or leave it out.")
	}
	if err := v.Err(); err != nil {
		return Idea{}, err
	}
	t, rights, err := s.topic(ctx, p, topicID)
	if err != nil {
		return Idea{}, err
	}
	dept, err := s.authorDepartment(ctx, t)
	if err != nil {
		return Idea{}, err
	}
	if !maySetStatus(p, rights, dept) {
		return Idea{}, engage.Errorf(engage.EFORBIDDEN, "Only the community's moderators, its IT staff, the service owner and the BRM of the author's department set an idea's status.")
	}
	var out Idea
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := ensureRow(ctx, tx, t.ID, now); err != nil {
			return err
		}
		r, err := readRow(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if r.NeedRef != "" {
			return engage.Errorf(engage.ECONFLICT, "This idea became need %s: its status follows the need's state.", r.NeedRef)
		}
		if in.Version != 0 && in.Version != r.Version {
			return engage.Errorf(engage.ECONFLICT, "This idea's status changed since you read it (version %d, now %d); read it again.", in.Version, r.Version)
		}
		if r.Status != in.Status || r.Reason != in.Reason {
			if err := recordStatus(ctx, tx, r, in.Status, in.Reason, p.PersonID, "", now); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, now, p, "set_status", "idea", t.ID, fmt.Sprintf("Idea %d: %s", t.ID, in.Status.Label()),
				map[string]string{"status": string(r.Status), "reason": r.Reason}, in); err != nil {
				return err
			}
			if r.Status != in.Status {
				if err := s.tellStatus(ctx, tx, t, p.PersonID, in.Status, in.Reason, "", now); err != nil {
					return err
				}
			}
		}
		if r, err = readRow(ctx, tx, t.ID); err != nil {
			return err
		}
		voted, err := votedBy(ctx, tx, p.PersonID, []int64{t.ID})
		out = idea(t, r, voted[t.ID])
		return err
	})
	return out, err
}

// List returns a page of the community's ideas that p may read: most votes
// first (the newest first among equals), or newest first.
func (s *Service) List(ctx context.Context, p *access.Principal, communityID int64, f ListFilter) ([]Idea, string, error) {
	if p == nil || p.GateOnly() {
		return nil, "", engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	var v engage.Validation
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		v.Add("status", "Choose new, under_review, planned, declined or done.")
	}
	if f.Sort == "" {
		f.Sort = ByVotes
	}
	if f.Sort != ByVotes && f.Sort != ByNewest {
		v.Add("sort", "Choose votes or newest.")
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	after := -1
	if cur != nil && f.Sort == ByVotes {
		if after, err = strconv.Atoi(cur.Key); err != nil || after < 0 {
			v.Add("cursor", "Use the next_cursor value from a previous page, unchanged.")
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	ids, err := s.Discussions.IdeaIDs(ctx, p, communityID)
	if err != nil {
		return nil, "", err
	}
	rows, err := readRows(ctx, s.DB, ids)
	if err != nil {
		return nil, "", err
	}
	var list []row
	for _, id := range ids {
		if r := rows[id]; f.Status == "" || r.Status == f.Status {
			list = append(list, r)
		}
	}
	if f.Sort == ByVotes {
		slices.SortStableFunc(list, func(a, b row) int { return b.Votes - a.Votes }) // ids come newest first
	}
	if cur != nil {
		i := slices.IndexFunc(list, func(r row) bool {
			if f.Sort == ByVotes && r.Votes != after {
				return r.Votes < after
			}
			return r.TopicID < cur.ID
		})
		if i < 0 {
			i = len(list)
		}
		list = list[i:]
	}
	limit := paging.Limit(f.Limit)
	list, next := paging.Trim(list, limit, func(r row) paging.Cursor {
		return paging.Cursor{Key: strconv.Itoa(r.Votes), ID: r.TopicID}
	})
	page := make([]int64, len(list))
	for i, r := range list {
		page[i] = r.TopicID
	}
	topics, err := s.Discussions.TopicsByID(ctx, p, page)
	if err != nil {
		return nil, "", err
	}
	voted, err := votedBy(ctx, s.DB, p.PersonID, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]Idea, 0, len(topics))
	for _, t := range topics {
		out = append(out, idea(t, rows[t.ID], voted[t.ID]))
	}
	return out, next, nil
}

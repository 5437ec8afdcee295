package pulse

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/signedlink"
)

// Publisher records a notification inside the caller's transaction
// (notify.Service does).
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// EventSent is the notification that puts a pulse in its recipients' inboxes.
const EventSent = "pulse.sent"

// EventTypes lists the events pulses publish, for the webhooks that may
// subscribe to them.
var EventTypes = []string{EventSent}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Service is the pulses' rules over their store.
type Service struct {
	DB          *db.DB
	Clock       engage.Clock
	Org         *org.Service
	Catalog     *catalog.Catalog
	Communities *community.Service
	// Publisher puts a sent pulse in its recipients' inboxes; nil sends
	// nothing.
	Publisher Publisher
	// Signals records each answer for engagement measurement; nil records
	// nothing.
	Signals activity.Recorder

	linksOnce sync.Once
	signer    *signedlink.Signer // pulse links (links)
}

var system = access.System("pulses")

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// Subject is what a pulse is about, as the rules see it.
type Subject struct {
	ServiceID, CommunityID int64
	Name                   string
	// MayRun says whether the person asking may open pulses on it and read
	// its trend.
	MayRun bool
}

// subject finds the service or community a pulse is about and says whether
// p may open pulses on it: the service's owner, the community's moderators
// and IT staff (community.Rights Moderate or Answer), administrators.
func (s *Service) subject(ctx context.Context, p *access.Principal, serviceID, communityID int64) (Subject, error) {
	sub := Subject{ServiceID: serviceID, CommunityID: communityID}
	if communityID != 0 {
		c, err := s.Communities.Find(ctx, p, communityID)
		if err != nil {
			return sub, err
		}
		r, err := s.Communities.Rights(ctx, p, communityID)
		if err != nil {
			return sub, err
		}
		sub.Name, sub.MayRun = c.Name, r.Moderate || r.Answer || p.IsAdmin()
		return sub, nil
	}
	if s.Catalog == nil {
		return sub, engage.Errorf(engage.ENOTFOUND, "There is no such service.")
	}
	d, err := s.Catalog.FindService(ctx, system, fmt.Sprint(serviceID))
	if err != nil {
		return sub, err
	}
	sub.Name = d.Service.Name
	sub.MayRun = p.IsAdmin() || (d.Service.OwnerID != 0 && d.Service.OwnerID == p.PersonID)
	return sub, nil
}

// SubjectOf returns what the service serviceID or the community
// communityID is, for p, as pulses see it: pages ask it whether to offer
// "Send a pulse" and "Satisfaction trend".
func (s *Service) SubjectOf(ctx context.Context, p *access.Principal, serviceID, communityID int64) (Subject, error) {
	if err := requireReader(p); err != nil {
		return Subject{}, err
	}
	if (serviceID == 0) == (communityID == 0) {
		return Subject{}, engage.Errorf(engage.EINVALID, "Name a service or a community.")
	}
	return s.subject(ctx, p, serviceID, communityID)
}

// Question is the survey's usual question about name.
func (sv Survey) Question(name string) string {
	if sv == NPS {
		return "How likely are you to recommend " + name + " to a colleague?"
	}
	return "How satisfied are you with " + name + "?"
}

func (s *Service) check(in *SendInput, now time.Time) error {
	in.Question = strings.TrimSpace(in.Question)
	var v engage.Validation
	if !slices.Contains(Surveys, in.Survey) {
		v.Add("survey", "Choose csat (1–5) or nps (0–10).")
	}
	switch {
	case in.ServiceID < 0 || in.CommunityID < 0:
		v.Add("service_id", "Ids are positive numbers.")
	case in.ServiceID == 0 && in.CommunityID == 0:
		v.Add("service_id", "Name the catalog service or the community the pulse is about.")
	case in.ServiceID != 0 && in.CommunityID != 0:
		v.Add("community_id", "A pulse is about one service or one community, not both.")
	}
	v.Text("question", in.Question)
	v.MaxLen("question", in.Question, 300)
	opens := now
	if in.OpensAt != nil {
		opens = in.OpensAt.UTC()
		if opens.Before(now.Add(-time.Minute)) {
			v.Add("opens_at", "A pulse cannot open in the past; leave it empty to open it now.")
		}
	}
	closes := in.ClosesAt.UTC()
	switch {
	case in.ClosesAt.IsZero():
		v.Add("closes_at", "Say when the pulse closes.")
	case !closes.After(opens):
		v.Add("closes_at", "The pulse must close after it opens.")
	case closes.Sub(opens) > MaxOpenFor:
		v.Add("closes_at", "A pulse stays open at most 90 days.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	in.OpensAt, in.ClosesAt = &opens, closes
	return nil
}

// Create sends a pulse: it fixes its recipients, puts it in their inboxes
// and records it in the audit log. Sending the same pulse again (same
// subject, survey, question and close, by the same person) returns the one
// sent.
func (s *Service) Create(ctx context.Context, p *access.Principal, in SendInput) (Pulse, error) {
	if err := requireReader(p); err != nil {
		return Pulse{}, err
	}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	if err := s.check(&in, now); err != nil {
		return Pulse{}, err
	}
	sub, err := s.subject(ctx, p, in.ServiceID, in.CommunityID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		field, what := "service_id", "catalog service"
		if in.CommunityID != 0 {
			field, what = "community_id", "community"
		}
		return Pulse{}, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: field, Message: "There is no such " + what + "."}}}
	} else if err != nil {
		return Pulse{}, err
	}
	if !sub.MayRun {
		if in.CommunityID != 0 {
			return Pulse{}, engage.Errorf(engage.EFORBIDDEN, "Only the moderators and IT staff of %s and administrators send it pulses.", sub.Name)
		}
		return Pulse{}, engage.Errorf(engage.EFORBIDDEN, "Only the owner of %s and administrators send pulses about it.", sub.Name)
	}
	if in.Question == "" {
		in.Question = in.Survey.Question(sub.Name)
	}
	var out Pulse
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if id, err := sameSent(ctx, tx, p.PersonID, in); err != nil {
			return err
		} else if id != 0 {
			out, err = findPulse(ctx, tx, id, p.PersonID)
			return err
		}
		people, err := s.recipients(ctx, tx, in, *in.OpensAt)
		if err != nil {
			return err
		}
		if len(people) == 0 {
			field, why := "service_id", "no department holds a running subscription to "+sub.Name
			if in.CommunityID != 0 {
				field, why = "community_id", sub.Name+" has no members"
			}
			return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
				Fields: []engage.FieldError{{Field: field, Message: "No one would receive this pulse: " + why + "."}}}
		}
		id, err := insertPulse(ctx, tx, p.PersonID, in, sub.Name, now, people)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "send", "pulse", id,
			fmt.Sprintf("%s pulse about %s to %d people", in.Survey.Label(), sub.Name, len(people)), nil, in); err != nil {
			return err
		}
		if s.Publisher != nil {
			if err := s.Publisher.Publish(ctx, tx, notify.Event{Type: EventSent, Subject: fmt.Sprintf("PULSE-%d", id),
				Title: fmt.Sprintf("A %s pulse about %s asks for your answer by %s", in.Survey.Label(), truncate(sub.Name, 150),
					in.ClosesAt.Format("2 Jan 2006")),
				Link:       fmt.Sprintf("/pulses/%d", id),
				Recipients: people, Data: map[string]any{"pulse_id": id, "survey": in.Survey}, At: now}); err != nil {
				return err
			}
		}
		out, err = findPulse(ctx, tx, id, p.PersonID)
		return err
	})
	return out, err
}

// recipients are the people a pulse goes to: a community's members, or the
// active people of the departments subscribing to a service on the day it
// opens.
func (s *Service) recipients(ctx context.Context, tx *db.Tx, in SendInput, opens time.Time) ([]int64, error) {
	if in.CommunityID != 0 {
		return s.Communities.MemberIDs(ctx, tx, in.CommunityID)
	}
	depts, err := catalog.SubscribingDepartments(ctx, tx, in.ServiceID, opens)
	if err != nil || len(depts) == 0 {
		return nil, err
	}
	return db.QueryIDs(ctx, tx, "SELECT id FROM people WHERE active AND department_id IN ("+db.Placeholders(len(depts))+") ORDER BY id",
		db.Args(depts)...)
}

// Find returns a pulse to whoever may read its results: the people it was
// sent to and whoever may send pulses on its subject.
func (s *Service) Find(ctx context.Context, p *access.Principal, id int64) (Pulse, error) {
	if err := requireReader(p); err != nil {
		return Pulse{}, err
	}
	pl, err := findPulse(ctx, s.DB, id, p.PersonID)
	if err != nil {
		return Pulse{}, err
	}
	if pl.Recipient {
		return pl, nil
	}
	sub, err := s.subject(ctx, p, pl.ServiceID, pl.CommunityID)
	if err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
		return Pulse{}, err
	}
	if !sub.MayRun && !p.IsAdmin() {
		return Pulse{}, errNoPulse
	}
	return pl, nil
}

var errNoPulse = engage.Errorf(engage.ENOTFOUND, "There is no such pulse, or it was not sent to you.")

// Answer records p's answer to the pulse id. Only the people it was sent
// to answer, once, while it is open.
func (s *Service) Answer(ctx context.Context, p *access.Principal, id int64, in AnswerInput) (Pulse, error) {
	if err := requireReader(p); err != nil {
		return Pulse{}, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var out Pulse
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		pl, err := findPulse(ctx, tx, id, p.PersonID)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		switch {
		case !pl.Recipient:
			return engage.Errorf(engage.EFORBIDDEN, "This pulse was not sent to you, so you cannot answer it.")
		case pl.Answered:
			return engage.Errorf(engage.ECONFLICT, "You have already answered this pulse. An answer cannot be changed; nothing was changed.")
		case now.Before(pl.OpensAt):
			return engage.Errorf(engage.ECONFLICT, "This pulse opens on %s; answer it then.", pl.OpensAt.Format("2 Jan 2006 15:04 UTC"))
		case !now.Before(pl.ClosesAt):
			return engage.Errorf(engage.ECONFLICT, "This pulse closed on %s and takes no more answers.", pl.ClosesAt.Format("2 Jan 2006 15:04 UTC"))
		}
		var v engage.Validation
		if lo, hi := pl.Survey.Range(); in.Score < lo || in.Score > hi {
			v.Add("score", "Choose a score from %d to %d.", lo, hi)
		}
		v.Text("comment", in.Comment)
		v.MaxLen("comment", in.Comment, MaxComment)
		if err := v.Err(); err != nil {
			return err
		}
		if ok, err := markAnswered(ctx, tx, id, p.PersonID); err != nil {
			return err
		} else if !ok { // answered at the same moment elsewhere
			return engage.Errorf(engage.ECONFLICT, "You have already answered this pulse. An answer cannot be changed; nothing was changed.")
		}
		if err := insertAnswer(ctx, tx, id, in); err != nil {
			return err
		}
		if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.PulseAnswer, PersonID: p.PersonID,
			CommunityID: pl.CommunityID, Survey: string(pl.Survey), Score: in.Score, Ref: fmt.Sprintf("pulse:%d", id), At: now,
			PulseID: id, PulseOpens: pl.OpensAt, PulseCloses: pl.ClosesAt}); err != nil {
			return err
		}
		out, err = findPulse(ctx, tx, id, p.PersonID)
		return err
	})
	return out, err
}

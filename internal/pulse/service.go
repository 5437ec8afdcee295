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

	secretMu sync.Mutex
	secret   []byte
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
			CommunityID: pl.CommunityID, Survey: string(pl.Survey), Score: in.Score, Ref: fmt.Sprintf("pulse:%d", id), At: now}); err != nil {
			return err
		}
		out, err = findPulse(ctx, tx, id, p.PersonID)
		return err
	})
	return out, err
}

// Results returns a pulse's aggregates to whoever may find it; under
// MinAnswers answers only the counts.
func (s *Service) Results(ctx context.Context, p *access.Principal, id int64) (PulseResults, error) {
	pl, err := s.Find(ctx, p, id)
	if err != nil {
		return PulseResults{}, err
	}
	counts, err := scoreCounts(ctx, s.DB, []int64{id})
	if err != nil {
		return PulseResults{}, err
	}
	out := PulseResults{Pulse: pl, Figures: figures(pl.Survey, pl.Recipients, counts[id]), Comments: []string{}}
	if s.Clock.Now().Before(pl.ClosesAt) {
		out.Figures.withhold(fmt.Sprintf(openMessage, pl.ClosesAt.Format("2 Jan 2006 15:04 UTC")))
	}
	if !out.Figures.Hidden {
		c, err := comments(ctx, s.DB, id)
		if err != nil {
			return PulseResults{}, err
		}
		out.Comments = sortComments(c)
	}
	return out, nil
}

// MaxTrendMonths is the longest trend.
const MaxTrendMonths = 36

// TrendFilter names a subject, a survey and how many months back.
type TrendFilter struct {
	ServiceID, CommunityID int64
	Survey                 Survey
	Months                 int // 1–36; 12 when 0
}

// Trend returns a subject's figures by month — the pulses that opened in
// each of the last Months months, the current one included — to whoever may
// send pulses on it. Each month's figures obey the five-answer floor.
func (s *Service) Trend(ctx context.Context, p *access.Principal, f TrendFilter) (SubjectTrend, error) {
	if err := requireReader(p); err != nil {
		return SubjectTrend{}, err
	}
	var v engage.Validation
	if !slices.Contains(Surveys, f.Survey) {
		v.Add("survey", "Choose csat or nps.")
	}
	if f.Months == 0 {
		f.Months = 12
	}
	if f.Months < 1 || f.Months > MaxTrendMonths {
		v.Add("months", "Choose from 1 to %d months.", MaxTrendMonths)
	}
	if (f.ServiceID == 0) == (f.CommunityID == 0) {
		v.Add("service_id", "Name a catalog service or a community.")
	}
	if err := v.Err(); err != nil {
		return SubjectTrend{}, err
	}
	sub, err := s.subject(ctx, p, f.ServiceID, f.CommunityID)
	if err != nil {
		return SubjectTrend{}, err
	}
	if !sub.MayRun {
		return SubjectTrend{}, engage.Errorf(engage.EFORBIDDEN, "Only those who send pulses about %s read its trend.", sub.Name)
	}
	now := s.Clock.Now().UTC()
	first := time.Date(now.Year(), now.Month()-time.Month(f.Months-1), 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	pulses, err := subjectPulses(ctx, s.DB, f.ServiceID, f.CommunityID, f.Survey, first, end)
	if err != nil {
		return SubjectTrend{}, err
	}
	ids := make([]int64, len(pulses))
	for i, pl := range pulses {
		ids[i] = pl.ID
	}
	counts, err := scoreCounts(ctx, s.DB, ids)
	if err != nil {
		return SubjectTrend{}, err
	}
	out := SubjectTrend{Survey: f.Survey, ServiceID: f.ServiceID, CommunityID: f.CommunityID, SubjectName: sub.Name, Months: []TrendMonth{}}
	for m := first; m.Before(end); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		month, recipients, merged, small := TrendMonth{Month: key}, 0, map[int]int{}, 0
		for _, pl := range pulses {
			if pl.OpensAt.Format("2006-01") != key {
				continue
			}
			month.Pulses++
			if now.Before(pl.ClosesAt) {
				month.Open++ // counted once closed, as its own results are shown
				continue
			}
			recipients += pl.Recipients
			answers := 0
			for score, n := range counts[pl.ID] {
				merged[score] += n
				answers += n
			}
			if answers < MinAnswers {
				small += answers
			}
		}
		month.Figures = figures(f.Survey, recipients, merged)
		switch {
		case small > 0 && small < MinAnswers:
			// The month less the pulses shown on their own would show the
			// answers of those hidden under the floor.
			month.Figures.withhold(HiddenMessage)
		case month.Pulses == 0:
			month.Figures.Note = "No pulse opened this month."
		case month.Open == month.Pulses:
			month.Figures.Note = "Its pulses are still open: they count once they close."
		}
		out.Months = append(out.Months, month)
	}
	return out, nil
}

// PulseLists are the pulses a person sees on /pulses.
type PulseLists struct {
	// ToAnswer are the pulses sent to them, newest first.
	ToAnswer []Pulse `json:"to_answer" nullable:"false"`
	// Running are the pulses on subjects they may send pulses on, newest
	// first (every pulse for administrators).
	Running []Pulse `json:"running" nullable:"false"`
}

// MaxListed is how many pulses each list shows.
const MaxListed = 200

// List returns the pulses sent to p and the pulses p runs.
func (s *Service) List(ctx context.Context, p *access.Principal) (PulseLists, error) {
	if err := requireReader(p); err != nil {
		return PulseLists{}, err
	}
	out := PulseLists{}
	var err error
	if out.ToAnswer, err = listPulses(ctx, s.DB, p.PersonID, "EXISTS (SELECT 1 FROM pulse_recipients r WHERE r.pulse_id = p.id AND r.person_id = ?)", p.PersonID); err != nil {
		return PulseLists{}, err
	}
	if p.IsAdmin() {
		out.Running, err = listPulses(ctx, s.DB, p.PersonID, "TRUE")
		return out, err
	}
	// The subjects p may run: the services p owns, and those communities
	// that have pulses whose rights make p a runner.
	services := []int64{0}
	owned, err := s.services(ctx, p.PersonID)
	if err != nil {
		return PulseLists{}, err
	}
	for _, c := range owned {
		services = append(services, c.ServiceID)
	}
	ids, err := db.QueryIDs(ctx, s.DB, "SELECT DISTINCT community_id FROM pulses WHERE community_id IS NOT NULL ORDER BY community_id")
	if err != nil {
		return PulseLists{}, err
	}
	communities := []int64{0}
	for _, id := range ids {
		r, err := s.Communities.Rights(ctx, p, id)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			continue
		} else if err != nil {
			return PulseLists{}, err
		}
		if r.Moderate || r.Answer {
			communities = append(communities, id)
		}
	}
	args := append(append(db.Args(services), db.Args(communities)...), p.PersonID)
	out.Running, err = listPulses(ctx, s.DB, p.PersonID, "(p.service_id IN ("+db.Placeholders(len(services))+") OR p.community_id IN ("+
		db.Placeholders(len(communities))+") OR p.created_by = ?)", args...)
	return out, err
}

// services returns the catalog's services (every lifecycle) as subjects,
// by name: those ownerID owns, or all of them when ownerID is 0.
func (s *Service) services(ctx context.Context, ownerID int64) ([]Subject, error) {
	var out []Subject
	if s.Catalog == nil {
		return out, nil
	}
	const step = 200
	for offset := 0; ; offset += step {
		page, err := s.Catalog.ListServices(ctx, system, catalog.ListFilter{OwnerID: ownerID,
			Lifecycles: []string{"planned", "pilot", "live", "retiring", "retired"}, Limit: step, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Cards {
			out = append(out, Subject{ServiceID: c.ID, Name: c.Name, MayRun: true})
		}
		if offset+step >= page.Total {
			return out, nil
		}
	}
}

// Subjects returns what p may send pulses about: the services p owns (every
// service for administrators), then the communities p moderates or serves
// as IT staff (every community for administrators), each by name.
func (s *Service) Subjects(ctx context.Context, p *access.Principal) ([]Subject, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	owner := p.PersonID
	if p.IsAdmin() {
		owner = 0
	}
	out, err := s.services(ctx, owner)
	if err != nil {
		return nil, err
	}
	list, err := s.Communities.List(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		sub := Subject{CommunityID: c.ID, Name: c.Name, MayRun: p.IsAdmin()}
		if !sub.MayRun {
			r, err := s.Communities.Rights(ctx, p, c.ID)
			if err != nil {
				return nil, err
			}
			sub.MayRun = r.Moderate || r.Answer
		}
		if sub.MayRun {
			out = append(out, sub)
		}
	}
	return out, nil
}

// ImportedAnswer is an answer collected before Engage kept pulses (or by
// another survey tool), with who gave it and when.
type ImportedAnswer struct {
	PersonID int64
	Score    int
	Comment  string
	At       time.Time
}

// ImportAnswers records answers to the pulse id collected elsewhere, in one
// transaction, by the rules of Answer: each from a recipient who has not
// answered, within the pulse's open period, in range. Administrators only.
// Anything wrong refuses the whole import, naming the line (1-based).
func (s *Service) ImportAnswers(ctx context.Context, p *access.Principal, id int64, answers []ImportedAnswer) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !p.IsAdmin() {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators import answers.")
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		pl, err := findPulse(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		var v engage.Validation
		lo, hi := pl.Survey.Range()
		people := make([]int64, 0, len(answers))
		for i, a := range answers {
			line := fmt.Sprintf("line %d", i+1)
			if a.Score < lo || a.Score > hi {
				v.Add(line, "Score %d is not from %d to %d.", a.Score, lo, hi)
			}
			if a.At.Before(pl.OpensAt) || !a.At.Before(pl.ClosesAt) {
				v.Add(line, "Answered at %s, outside the pulse's open period.", a.At.UTC().Format(time.RFC3339))
			}
			v.Text(line, a.Comment)
			if len([]rune(a.Comment)) > MaxComment {
				v.Add(line, "The comment is over %d characters.", MaxComment)
			}
			people = append(people, a.PersonID)
		}
		if err := v.Err(); err != nil {
			return err
		}
		n, err := markAllAnswered(ctx, tx, id, people)
		if err != nil {
			return err
		}
		if n != len(answers) {
			return engage.Errorf(engage.EINVALID, "%d of the %d answers come from people the pulse was not sent to, or who answered already (or twice in the import).",
				len(answers)-n, len(answers))
		}
		if err := insertAnswers(ctx, tx, id, answers); err != nil {
			return err
		}
		for _, a := range answers {
			if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.PulseAnswer, PersonID: a.PersonID,
				CommunityID: pl.CommunityID, Survey: string(pl.Survey), Score: a.Score, Ref: fmt.Sprintf("pulse:%d", id), At: a.At.UTC()}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, s.Clock.Now(), p, "import answers", "pulse", id, fmt.Sprintf("%d answers to pulse %d", len(answers), id), nil, nil)
	})
}

// Recipients returns who the pulse id was sent to, by id — never who
// answered. Administrators only.
func (s *Service) Recipients(ctx context.Context, p *access.Principal, id int64) ([]int64, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Only administrators list a pulse's recipients.")
	}
	if _, err := findPulse(ctx, s.DB, id, 0); err != nil {
		return nil, err
	}
	return db.QueryIDs(ctx, s.DB, "SELECT person_id FROM pulse_recipients WHERE pulse_id = ? ORDER BY person_id", id)
}

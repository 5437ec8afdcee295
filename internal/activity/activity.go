// Package activity names the engagement signals that the areas people act
// in — discussions, pulses, the catalog, the front door, communities — send
// as they happen, so that engagement is measured as it happens, never by
// rescanning those areas' tables. It holds types only: the areas send
// through a Recorder, which the engagement measurement implements and the
// application wires; an area with no Recorder sends nothing.
package activity

import (
	"context"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// Kind is what someone did.
type Kind string

// Kinds of signal.
const (
	Joined      Kind = "joined"       // joined a community (by hand)
	TopicOpened Kind = "topic_opened" // started a topic (Topic, Community)
	Replied     Kind = "replied"      // replied to a topic
	ITAnswered  Kind = "it_answered"  // gave an official IT answer to a topic
	Accepted    Kind = "accepted"     // the asker accepted a solution
	Voted       Kind = "voted"        // voted on an idea
	PulseAnswer Kind = "pulse_answer" // answered a pulse (Survey, Score, PulseID)
	Ordered     Kind = "ordered"      // placed a catalog order (Department)
	NeedSent    Kind = "need_sent"    // submitted a need (Department)
	NeedDecided Kind = "need_decided" // a need of the department was decided
	// TopicChanged: a topic was renamed or moved (Topic, Community, Title
	// as they are now). No one's engagement: sent without a person.
	TopicChanged Kind = "topic_changed"
)

// Signal is one thing someone did, as engagement measurement keeps it.
type Signal struct {
	Kind Kind
	// PersonID is who acted (for NeedDecided: the need's requester).
	PersonID int64
	// DepartmentID is the department it counts for; 0 means the person's
	// department at the time.
	DepartmentID int64
	// CommunityID is the community it happened in; 0 outside communities.
	CommunityID int64
	// TopicID is the topic of a topic, reply, answer, acceptance or vote.
	TopicID int64
	// Survey is "csat" or "nps" for a pulse answer; Score its score.
	Survey string
	Score  int
	// PulseID is the pulse a pulse answer answers, PulseOpens and
	// PulseCloses when it opened and closes: a score counts in a figure
	// only once its pulse has closed with enough answers. An answer with
	// no PulseID counts as activity only.
	PulseID                 int64
	PulseOpens, PulseCloses time.Time
	// Ref is the thing's own reference in its area, for the "people and
	// things behind a figure" links: "topic:42", "need:NEED-2026-0001".
	Ref string
	// Title is what a person reads of the thing: a topic's or a need's
	// title, for digests and the lists behind a figure; "" shows Ref.
	Title string
	// Idea marks a TopicOpened signal whose topic is an idea (not a
	// question waiting for an IT answer).
	Idea bool
	At   time.Time
}

// Recorder keeps signals. Record runs inside the area's transaction, so a
// signal is kept if and only if what it reports is.
type Recorder interface {
	Record(ctx context.Context, tx *db.Tx, s Signal) error
}

// Send records s through r when r is set.
func Send(ctx context.Context, r Recorder, tx *db.Tx, s Signal) error {
	if r == nil {
		return nil
	}
	return r.Record(ctx, tx, s)
}

// BatchRecorder is a Recorder that also keeps many signals at once, as
// Record would keep each in turn, with fewer statements.
type BatchRecorder interface {
	Recorder
	RecordAll(ctx context.Context, tx *db.Tx, sigs []Signal) error
}

// SendAll records sigs through r when r is set: at once when r is a
// BatchRecorder, otherwise one after another.
func SendAll(ctx context.Context, r Recorder, tx *db.Tx, sigs []Signal) error {
	if r == nil || len(sigs) == 0 {
		return nil
	}
	if b, ok := r.(BatchRecorder); ok {
		return b.RecordAll(ctx, tx, sigs)
	}
	for _, s := range sigs {
		if err := r.Record(ctx, tx, s); err != nil {
			return err
		}
	}
	return nil
}

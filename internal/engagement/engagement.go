// Package engagement measures how the organisation engages with IT: per
// community (members, active members, participation, new contributors,
// topics left without an IT answer, time to the first IT answer, accepted
// solutions, CSAT and NPS by month), coverage of the organisation by
// communities and the dark populations nobody reaches, an engagement score
// per department, and a weekly digest per person.
//
// Everything is measured from the signals the areas send (package activity)
// inside their own transactions: Record keeps each signal and updates a few
// small tables — each person's last signal, each person's first and last
// contribution per community, each topic's first IT answer and acceptance,
// counters per department and month, pulse answers per community or
// department and month — so that a signal is kept if and only if what it
// reports is, and no metric ever rescans the areas' activity.
//
// Decisions (the README's "Engagement" section gives the formulas):
//   - A contribution is a topic, a reply, an official IT answer, a vote or a
//     pulse answer in a community. Joining, accepting a solution, ordering
//     and needs are signals of engagement but not contributions.
//   - Active members of a community: its members now who contributed to it
//     in the last 28 days. A community is active when at least 5% of its
//     members are; idle otherwise (and when it has no members).
//   - Topic figures cover the topics opened in the last 90 days. A topic
//     that received a vote is an idea, not a question: questions are the
//     other topics. A question is late when it has no IT answer two working
//     days after it was opened: working days are Monday to Friday in UTC;
//     public holidays are not considered.
//   - Percentiles are nearest-rank: the p-th percentile of n ordered values
//     is the value at rank ⌈p/100 × n⌉ (the median is p = 50).
//   - CSAT is the share of answers of 4 or 5 (of 1–5); NPS is the share of
//     9–10 minus the share of 0–6 (of 0–10). A figure over fewer than five
//     answers is never shown ("fewer than 5 answers"). A pulse's scores
//     count only once it has closed with at least five answers, in the
//     month it opened: a figure that moved with each answer of an open
//     pulse would tell what the latest person answered. Answering counts
//     as activity at once.
//   - Who sees what: community figures — administrators, moderators, BRMs,
//     service owners, the portfolio board, and a community's own moderators
//     for it; the people behind a figure only those who moderate the
//     community; its topics only those who may read it. Coverage and dark
//     populations — administrators, moderators and BRMs (counts of people,
//     no one named). A department's score — those who read its costs: its
//     budget holder, its BRM, finance, the board and administrators.
//   - Each person reads only their own digests.
package engagement

import (
	"context"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
)

// Windows of the measures.
const (
	ActiveDays = 28 // active members, new contributors, department participation
	TopicDays  = 90 // topic figures
	DarkDays   = 90 // dark populations
	// ActiveShare is the share of members (in percent) that must have
	// contributed in ActiveDays for a community to be active.
	ActiveShare = 5
	// PulseFloor is the fewest answers a satisfaction figure is shown for.
	PulseFloor = 5
	// DarkMinPeople is the fewest active people a dark population has.
	DarkMinPeople = 10
	// AnswerWorkingDays is how long a question may wait for an IT answer.
	AnswerWorkingDays = 2
)

// Publisher puts an event in people's inboxes (and e-mail), inside tx.
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// Service keeps the signals and measures engagement.
type Service struct {
	DB          *db.DB
	Clock       engage.Clock
	Org         *org.Service
	Communities *community.Service
	// Publisher sends the weekly digests; without it none are sent.
	Publisher Publisher
	// Shadow reports spend outside IT for the score's "Spend through IT"
	// part; without it that part has no data and is left out.
	Shadow ShadowSource
}

// EventDigest is the type of the weekly digest's event.
const EventDigest = "engagement.digest"

// EventTypes lists the events engagement publishes, for webhooks.
var EventTypes = []string{EventDigest}

func signedIn(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// MayMeasure reports whether p reads the figures of every community.
func MayMeasure(p *access.Principal) bool {
	return p.HasAny(access.Admin, access.Moderator, access.BRM, access.ServiceOwner, access.PortfolioBoard)
}

// MayReadCoverage reports whether p reads coverage and dark populations.
func MayReadCoverage(p *access.Principal) bool {
	return p.HasAny(access.Admin, access.Moderator, access.BRM)
}

// MayReadScore reports whether p reads department id's score.
func MayReadScore(p *access.Principal, id int64) bool { return p.CanReadStatements(id) }

// MayReadScores reports whether p reads some department's score.
func MayReadScores(p *access.Principal) bool { return p.ReadsStatements() }

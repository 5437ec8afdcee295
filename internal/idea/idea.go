// Package idea keeps what makes a community's topic of kind idea an idea:
// its votes, its status and the front-door need it became. The topics
// themselves — title, body, replies, who reads them — are package
// discuss's; what a person may do in a community is package community's.
//
// Decisions:
//   - Votes are up-votes only, one per person per idea: voting again
//     changes nothing, withdrawing removes the vote (and withdrawing again
//     changes nothing). Whoever may read the topic votes; a locked or
//     hidden idea takes no vote and gives none back. The count is kept with
//     the idea as votes come and go, never counted on a read.
//   - An idea's status is new, under review, planned, declined (with a
//     reason, required) or done. It is set by the community's moderators,
//     those who give official IT answers there (the service owner, the
//     community's IT staff) and the BRM of the author's department; every
//     change is kept in its history, and the author and the voters who may
//     still read the idea are told in their inbox.
//   - The BRM of the author's department, the owner of the community's
//     catalog service and administrators turn an idea into a front-door
//     need in one step: a draft need for the author (who completes and
//     submits it), created in the same transaction that links it to the
//     idea. Turning it again returns the same need.
//   - Once an idea has a need, the need's state sets the idea's status:
//     draft, submitted, triage, assessment and decision → under review;
//     approved and in delivery → planned; delivered and closed → done;
//     rejected → declined with the front door's reason; withdrawn →
//     declined, saying so. Its status is no longer set by hand.
package idea

import (
	"time"

	"github.com/engagehq/engage/internal/frontdoor"
)

// Status is where an idea stands.
type Status string

// Statuses of an idea.
const (
	New         Status = "new"
	UnderReview Status = "under_review"
	Planned     Status = "planned"
	Declined    Status = "declined"
	Done        Status = "done"
)

// Statuses lists every status, in the order forms show them.
var Statuses = []Status{New, UnderReview, Planned, Declined, Done}

// StatusLabels are the plain words shown for each status.
var StatusLabels = map[Status]string{New: "New", UnderReview: "Under review", Planned: "Planned", Declined: "Declined", Done: "Done"}

// Label is the plain words shown for s.
func (s Status) Label() string { return StatusLabels[s] }

// MaxReason bounds a status's reason.
const MaxReason = 2000

// NeedLink is the front-door need an idea became, as the idea last learnt
// of it.
type NeedLink struct {
	Reference string          `json:"reference" example:"NEED-2026-0042"`
	State     frontdoor.State `json:"state"`
	Label     string          `json:"state_label" doc:"The state in words"`
}

// Idea is one idea: its topic's title and author, with its votes and
// status.
type Idea struct {
	TopicID     int64      `json:"topic_id"`
	CommunityID int64      `json:"community_id"`
	Title       string     `json:"title"`
	AuthorID    int64      `json:"author_id"`
	AuthorName  string     `json:"author_name"`
	Locked      bool       `json:"locked" doc:"A locked idea takes no votes"`
	Hidden      bool       `json:"hidden" doc:"A hidden idea takes no votes"`
	Status      Status     `json:"status" enum:"new,under_review,planned,declined,done"`
	StatusLabel string     `json:"status_label"`
	Reason      string     `json:"reason,omitempty" doc:"Why it was declined, or what its status says"`
	StatusAt    *time.Time `json:"status_at,omitempty" doc:"When its status last changed"`
	Votes       int        `json:"votes"`
	Voted       bool       `json:"voted" doc:"Whether you voted for it"`
	Need        *NeedLink  `json:"need,omitempty" doc:"The front-door need it became"`
	Version     int        `json:"version" doc:"Changes with each change of status"`
	CreatedAt   time.Time  `json:"created_at"`
}

// StatusEvent is one change of an idea's status.
type StatusEvent struct {
	From          Status    `json:"from" enum:"new,under_review,planned,declined,done"`
	To            Status    `json:"to" enum:"new,under_review,planned,declined,done"`
	Reason        string    `json:"reason,omitempty"`
	ActorName     string    `json:"actor_name,omitempty" doc:"Who set it; empty when the need moving set it"`
	NeedReference string    `json:"need_reference,omitempty" doc:"The need whose move set it"`
	At            time.Time `json:"at"`
}

// Detail is an idea with its history and what the caller may do.
type Detail struct {
	Idea    Idea          `json:"idea"`
	History []StatusEvent `json:"history" nullable:"false" doc:"Oldest first"`
	May     Permissions   `json:"may"`
}

// Permissions say what the caller may do with an idea now.
type Permissions struct {
	Vote      bool `json:"vote" doc:"Vote or withdraw a vote"`
	SetStatus bool `json:"set_status" doc:"Set its status by hand (not while a need sets it)"`
	Convert   bool `json:"convert" doc:"Turn it into a front-door need (or open the one it became)"`
}

// StatusInput sets an idea's status.
type StatusInput struct {
	Status Status `json:"status" enum:"new,under_review,planned,declined,done"`
	Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Required for declined"`
	// Version is the idea's version read; 0 skips the check.
	Version int `json:"version,omitempty" minimum:"0" doc:"The version you read; when given, an idea changed since refuses the change (409)."`
}

// ConvertInput completes what the need takes from the idea: its title and
// its problem are the idea's.
type ConvertInput struct {
	Outcome   string `json:"outcome,omitempty" maxLength:"10000" doc:"The outcome wanted; a sentence naming the idea when absent"`
	Users     int    `json:"users,omitempty" minimum:"0" maximum:"1000000" doc:"People who would use it; the idea's votes (at least 1) when absent"`
	DataClass string `json:"data_class,omitempty" enum:"public,internal,confidential,restricted" doc:"internal when absent"`
}

// ListFilter narrows and orders a community's ideas.
type ListFilter struct {
	Status Status `json:"status,omitempty"`
	// Sort is "votes" (most votes first, the default) or "newest".
	Sort   string `json:"sort,omitempty"`
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// Sorts of the list.
const (
	ByVotes  = "votes"
	ByNewest = "newest"
)

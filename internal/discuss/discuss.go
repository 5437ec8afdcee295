// Package discuss holds the discussions of Engage's communities: topics
// (questions, discussions and ideas) and their replies in Markdown, who
// follows a topic, official IT answers, accepted solutions, pinned topics,
// search over the topics a person may read, and moderation (hide, lock,
// move, edit with history kept, flags, and a posting limit for new
// members). What a person may do in a community comes from
// community.Service.Rights; this package never reads the community tables.
//
// Decisions:
//   - A topic is read by whoever reads its community; a hidden topic or
//     reply only by the community's moderators and its author.
//   - Posting needs Rights.Post; a locked topic takes replies from
//     moderators only.
//   - An official IT answer is a reply marked official by someone with
//     Rights.Answer (the service owner, the community's IT staff, its
//     moderators); a topic's first official answer sets when IT answered.
//   - The author of a question (or a moderator) accepts one reply as its
//     solution; accepting another replaces it.
//   - @mentions name a person by the part of their e-mail address before
//     the @ (@ana.lopez for ana.lopez@example.com); a mentioned person
//     is told in their inbox only when they may read the topic.
//   - Every create is made safe to repeat by the layers above (form keys,
//     Idempotency-Key), which answer a repeat with the first answer.
package discuss

import (
	"time"
)

// Kind is what a topic is.
type Kind string

// Kinds of topic.
const (
	Question   Kind = "question"   // asks for an answer; one reply may be accepted
	Discussion Kind = "discussion" // an open conversation
	Idea       Kind = "idea"       // a suggestion; votes and status live in package idea
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{Question, Discussion, Idea}

// Limits on what is written.
const (
	MaxTitle = 200
	MaxBody  = 20000
)

// Topic is one topic of a community.
type Topic struct {
	ID              int64      `json:"id"`
	CommunityID     int64      `json:"community_id"`
	Kind            Kind       `json:"kind" enum:"question,discussion,idea"`
	Title           string     `json:"title"`
	Body            string     `json:"body" doc:"Markdown"`
	AuthorID        int64      `json:"author_id"`
	AuthorName      string     `json:"author_name"`
	Pinned          bool       `json:"pinned"`
	Locked          bool       `json:"locked"`
	Hidden          bool       `json:"hidden"`
	AcceptedReplyID int64      `json:"accepted_reply_id,omitempty"`
	ITAnsweredAt    *time.Time `json:"it_answered_at,omitempty" doc:"When the first official IT answer was given"`
	Replies         int        `json:"replies" doc:"Replies that are not hidden"`
	LastPostAt      time.Time  `json:"last_post_at"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	// Changes counts the changes to the topic and its replies; a kept
	// copy of its replies is current while it is the same.
	Changes int64 `json:"-"`
}

// Answered reports whether IT has given an official answer.
func (t Topic) Answered() bool { return t.ITAnsweredAt != nil }

// Solved reports whether a reply was accepted as the solution.
func (t Topic) Solved() bool { return t.AcceptedReplyID != 0 }

// TopicInput is what is written to start a topic.
type TopicInput struct {
	CommunityID int64  `json:"community_id"`
	Kind        Kind   `json:"kind,omitempty" enum:"question,discussion,idea" doc:"question when absent"`
	Title       string `json:"title" minLength:"1" maxLength:"200"`
	Body        string `json:"body" minLength:"1" maxLength:"20000" doc:"Markdown"`
}

// Reply is one reply to a topic.
type Reply struct {
	ID         int64     `json:"id"`
	TopicID    int64     `json:"topic_id"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body" doc:"Markdown"`
	Official   bool      `json:"official" doc:"An official IT answer"`
	Accepted   bool      `json:"accepted" doc:"The accepted solution of its question"`
	Hidden     bool      `json:"hidden"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ReplyInput is what is written to reply.
type ReplyInput struct {
	Body string `json:"body" minLength:"1" maxLength:"20000" doc:"Markdown"`
	// Official marks the reply as an official IT answer; only those who
	// may give one (Rights.Answer) may set it.
	Official bool `json:"official,omitempty"`
}

// TopicFilter narrows a community's topic list.
type TopicFilter struct {
	Kind Kind `json:"kind,omitempty"`
	// NoITAnswer keeps questions without an official IT answer.
	NoITAnswer bool `json:"no_it_answer,omitempty"`
	// Unanswered keeps topics without any reply.
	Unanswered bool   `json:"unanswered,omitempty"`
	Cursor     string `json:"cursor,omitempty"`
	Limit      int    `json:"limit,omitempty"`
}

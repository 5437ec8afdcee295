// Package discusspages is the web interface's discussions: a community's
// home (its header, pinned and latest topics, filters and the new-topic
// form with "others asked this"), the topic page with its replies and the
// forms of what the reader may do, editing with history, search across
// communities, the moderation queue and each community's Atom feed.
package discusspages

import (
	"embed"
	"html/template"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/lru"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the discussions.
type Pages struct {
	*page.Kit
	Communities *community.Service
	Discussions *discuss.Service
	Clock       engage.Clock
	// BaseURL is Engage's configured public URL, such as
	// https://engage.example.com, for the feed's absolute links — never
	// the request's Host, which a client writes. Empty: the feed's links
	// are paths from the root.
	BaseURL string

	renderedOnce    sync.Once
	renderedReplies *lru.Cache[repliesKey, keptHTML] // see replies.go
	renderedTopics  *lru.Cache[topicsKey, keptHTML]
}

// Routes are the community home, topics and their forms, search, the
// moderation queue and the feeds. Everyone signed in may open them; what
// each person sees and may do comes from the discussions' rules.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /communities/search", Handle: s.search},
		{Pattern: "GET /communities/moderation", Handle: s.moderationQueue},
		{Pattern: "POST /communities/moderation", Handle: s.resolveFlag},
		{Pattern: "GET /communities/{slug}", Handle: s.home},
		{Pattern: "GET /communities/{slug}/feed.atom", Handle: s.feed},
		{Pattern: "POST /communities/{slug}/topics", Handle: s.createTopic},
		{Pattern: "GET /communities/{slug}/topics/{id}", Handle: s.topic},
		{Pattern: "POST /communities/{slug}/topics/{id}/replies", Handle: s.reply},
		{Pattern: "POST /communities/{slug}/topics/{id}/accept", Handle: s.accept},
		{Pattern: "POST /communities/{slug}/topics/{id}/official", Handle: s.official},
		{Pattern: "POST /communities/{slug}/topics/{id}/follow", Handle: s.follow},
		{Pattern: "POST /communities/{slug}/topics/{id}/flag", Handle: s.flag},
		{Pattern: "POST /communities/{slug}/topics/{id}/moderate", Handle: s.moderate},
		{Pattern: "POST /communities/{slug}/topics/{id}/hide-reply", Handle: s.hideReply},
		{Pattern: "GET /communities/{slug}/topics/{id}/edit", Handle: s.editForm},
		{Pattern: "POST /communities/{slug}/topics/{id}/edit", Handle: s.saveEdit},
		{Pattern: "GET /communities/{slug}/topics/{id}/history", Handle: s.history},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "discussions",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"topicKind": KindLabel,
		"topicPath": discuss.TopicPath,
		"communityKind": func(k community.Kind) string {
			switch k {
			case community.KindProduct:
				return "Product community"
			case community.KindService:
				return "Service community"
			case community.KindLocal:
				return "Local community"
			}
			return string(k)
		},
	},
	Views: map[string]page.View{
		"community_home.html": &homeView{C: sampleCommunity, Topics: []discuss.Topic{sampleTopic}, Rows: keptHTML{`<li class="topic-row">Mail</li>`},
			Similar: []discuss.Match{{Topic: sampleTopic, CommunityName: "iPhone", Path: "/communities/iphone/topics/1"}},
			Kinds:   discuss.Kinds},
		"topic.html": &topicView{C: sampleCommunity, D: discuss.TopicDetail{Topic: sampleTopic, Can: discuss.Can{Reply: true, Answer: true, Accept: true,
			Moderate: true, Edit: true}}, Path: "/communities/iphone/topics/1",
			Replies:   keptHTML{`<article id="reply-1"><form><input name="csrf_token" value="`, `"></form></article>`},
			FlagReply: &discuss.Reply{ID: 1, AuthorName: "Bo"},
			MoveTo:    []community.Community{sampleCommunity}},
		"topic_edit.html":    &editView{C: sampleCommunity, T: sampleTopic, ReplyID: 1},
		"topic_history.html": &historyView{C: sampleCommunity, T: sampleTopic, Revisions: []discuss.Revision{{Version: 1, Body: "Old"}}},
		"topic_search.html":  &searchView{Results: []discuss.Match{{Topic: sampleTopic, CommunityName: "iPhone", Path: "/communities/iphone/topics/1"}}, Communities: []community.Community{sampleCommunity}},
		"moderation.html":    &queueView{Flags: []flagRow{{Flag: discuss.Flag{ID: 1, Reason: "Spam"}, C: sampleCommunity}}},
	},
}

// KindLabel names a topic kind for people.
func KindLabel(k discuss.Kind) string {
	switch k {
	case discuss.Question:
		return "Question"
	case discuss.Discussion:
		return "Discussion"
	case discuss.Idea:
		return "Idea"
	}
	return string(k)
}

var (
	sampleCommunity = community.Community{ID: 1, Slug: "iphone", Name: "iPhone", Kind: community.KindService, Visibility: community.Open}
	sampleAt        = time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	sampleTopic     = discuss.Topic{ID: 1, CommunityID: 1, Kind: discuss.Question, Title: "Mail", Body: "Hello", AuthorName: "Ana",
		ITAnsweredAt: &sampleAt, AcceptedReplyID: 1, Pinned: true, Locked: true, Hidden: true, Replies: 1}
)

// homeView is a community's home.
type homeView struct {
	page.Base
	C       community.Community
	Rights  community.Rights
	Topics  []discuss.Topic
	Rows    keptHTML // Topics as rendered
	Next    string
	Show    string // the filter: "", "no-it-answer", "ideas", "unanswered"
	Kinds   []discuss.Kind
	Similar []discuss.Match // others asked this, for the new topic's words
	Checked bool            // the new topic's words were looked up
}

// topicView is a topic with its replies and the forms of what the reader
// may do.
type topicView struct {
	page.Base
	C       community.Community
	D       discuss.TopicDetail
	Path    string // the topic page's path, the base of its forms
	Replies keptHTML
	Next    string
	MoveTo  []community.Community // for moderators
	// FlagReply is the reply the reader asked to flag (?flag=ID).
	FlagReply *discuss.Reply
}

// replyRow is a reply as the topic page shows it (template "reply"): its
// text rendered and what the reader may do with it decided in Go.
type replyRow struct {
	discuss.Reply
	HTML                                   template.HTML
	Path, CSRF                             string // the topic page's path; the reader's CSRF token
	Accept, MakeOfficial, Change, Moderate bool
}

// editView edits a topic (ReplyID 0) or one of its replies.
type editView struct {
	page.Base
	C       community.Community
	T       discuss.Topic
	ReplyID int64
}

// historyView lists the earlier texts of a topic or a reply.
type historyView struct {
	page.Base
	C         community.Community
	T         discuss.Topic
	ReplyID   int64
	Revisions []discuss.Revision
}

// searchView is the search across communities.
type searchView struct {
	page.Base
	Q           string
	Results     []discuss.Match
	Communities []community.Community
	CommunityID int64
}

// flagRow is a flag with its community.
type flagRow struct {
	discuss.Flag
	C community.Community
}

// queueView is the moderation queue.
type queueView struct {
	page.Base
	Flags []flagRow
}

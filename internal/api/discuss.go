package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/discuss"
)

type topicList struct {
	ID int64 `path:"id" minimum:"1" doc:"The community's id"`
	ListParams
	Kind       discuss.Kind `query:"kind" enum:"question,discussion,idea"`
	NoITAnswer bool         `query:"no_it_answer" doc:"Only questions without an official IT answer"`
	Unanswered bool         `query:"unanswered" doc:"Only topics without replies"`
}

type replyList struct {
	ID int64 `path:"id" minimum:"1"`
	ListParams
}

type replyCreate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body discuss.ReplyInput
}

// topicEdit is a topic's new text: unlike a reply's, it has a title, which
// the topic keeps or changes but never leaves out.
type topicEdit struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Title   string `json:"title" maxLength:"200" doc:"The topic's title, changed or not"`
		Body    string `json:"body" minLength:"1" maxLength:"20000"`
		Version int    `json:"version,omitempty" minimum:"0" doc:"The version you read; another edit since refuses this one (409). 0 or absent skips the check."`
	}
}

type replyEdit struct {
	ID   int64 `path:"id" minimum:"1"`
	Body discuss.Edit
}

type topicAccept struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		ReplyID int64 `json:"reply_id" minimum:"0" doc:"The reply to accept; 0 clears the accepted solution"`
	}
}

type topicFollow struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Follow bool `json:"follow" doc:"true to follow (be told of replies), false to stop"`
	}
}

type topicFlag struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		ReplyID int64  `json:"reply_id,omitempty" minimum:"0" doc:"A reply of the topic; absent flags the topic itself"`
		Reason  string `json:"reason" minLength:"1" maxLength:"500"`
	}
}

type topicModerate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Action      string `json:"action" enum:"pin,unpin,lock,unlock,hide,unhide,move"`
		CommunityID int64  `json:"community_id,omitempty" minimum:"0" doc:"Where to move the topic (move only)"`
	}
}

type replyModerate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Action string `json:"action" enum:"hide,unhide"`
	}
}

type revisionList struct {
	ID      int64 `path:"id" minimum:"1"`
	ReplyID int64 `query:"reply_id" minimum:"0" doc:"A reply's history; absent for the topic's own"`
}

type flagResolve struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Outcome string `json:"outcome" enum:"kept,hidden"`
	}
}

type topicSearch struct {
	Query       string       `query:"q" maxLength:"500" doc:"Words to find; typos and other word forms match"`
	CommunityID int64        `query:"community_id" minimum:"0"`
	Kind        discuss.Kind `query:"kind" enum:"question,discussion,idea"`
	Limit       int          `query:"limit" minimum:"0" maximum:"100" default:"20"`
}

type similarInput struct {
	Text  string `query:"text" maxLength:"2000" doc:"The new topic's (or need's) title and text"`
	Limit int    `query:"limit" minimum:"0" maximum:"20" default:"5"`
}

type topicsOutput struct {
	Items []discuss.Topic `json:"items" nullable:"false"`
}

type matchesOutput struct {
	Items []discuss.Match `json:"items" nullable:"false"`
}

func (a *API) registerDiscussions(api huma.API) {
	tags := []string{"Discussions"}
	notFound := []int{http.StatusNotFound}
	register(a, api, huma.Operation{OperationID: "list-topics", Method: http.MethodGet, Path: "/communities/{id}/topics", Tags: tags,
		Summary: "A community's topics: pinned first, then by latest post", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *topicList) (*Page[discuss.Topic], error) {
			list, next, err := a.Discussions.ListTopics(ctx, p, in.ID, discuss.TopicFilter{Kind: in.Kind, NoITAnswer: in.NoITAnswer,
				Unanswered: in.Unanswered, Cursor: in.Cursor, Limit: in.Limit})
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-topic", Method: http.MethodPost, Path: "/topics", Tags: tags,
		Summary: "Start a topic: a question, a discussion or an idea", DefaultStatus: http.StatusCreated,
		Description: "Markdown body; @name (the part of an e-mail address before the @) tells that person when they may read the topic. " +
			"Members of less than a week post at most a few times an hour (429 says when they may post again)."},
		func(ctx context.Context, p *access.Principal, in *Body[discuss.TopicInput]) (*Body[discuss.Topic], error) {
			t, err := a.Discussions.CreateTopic(ctx, p, in.Body)
			return body(t), err
		})
	register(a, api, huma.Operation{OperationID: "get-topic", Method: http.MethodGet, Path: "/topics/{id}", Tags: tags,
		Summary: "A topic with what you may do with it", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[discuss.TopicDetail], error) {
			d, err := a.Discussions.Detail(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "edit-topic", Method: http.MethodPut, Path: "/topics/{id}", Tags: tags,
		Summary: "Edit a topic (its author or a moderator); the earlier text is kept", Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *topicEdit) (*Body[discuss.Topic], error) {
			t, err := a.Discussions.EditTopic(ctx, p, in.ID, discuss.Edit{Title: in.Body.Title, Body: in.Body.Body, Version: in.Body.Version})
			return body(t), err
		})
	register(a, api, huma.Operation{OperationID: "list-replies", Method: http.MethodGet, Path: "/topics/{id}/replies", Tags: tags,
		Summary: "A topic's replies, oldest first", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *replyList) (*Page[discuss.Reply], error) {
			list, next, err := a.Discussions.ListReplies(ctx, p, in.ID, in.Cursor, in.Limit)
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-reply", Method: http.MethodPost, Path: "/topics/{id}/replies", Tags: tags,
		Summary: "Reply to a topic; official marks an official IT answer", DefaultStatus: http.StatusCreated, Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *replyCreate) (*Body[discuss.Reply], error) {
			r, err := a.Discussions.Reply(ctx, p, in.ID, in.Body)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "edit-reply", Method: http.MethodPut, Path: "/replies/{id}", Tags: tags,
		Summary: "Edit a reply (its author or a moderator); the earlier text is kept", Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *replyEdit) (*Body[discuss.Reply], error) {
			r, err := a.Discussions.EditReply(ctx, p, in.ID, in.Body)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "mark-official-answer", Method: http.MethodPost, Path: "/replies/{id}/official", Tags: tags,
		Summary: "Make a reply the official IT answer (service owner, IT staff, moderators)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[discuss.Reply], error) {
			r, err := a.Discussions.MarkOfficial(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "accept-solution", Method: http.MethodPost, Path: "/topics/{id}/accept", Tags: tags,
		Summary: "Accept a reply as the solution of a question (the asker or a moderator)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *topicAccept) (*Body[discuss.Topic], error) {
			t, err := a.Discussions.Accept(ctx, p, in.ID, in.Body.ReplyID)
			return body(t), err
		})
	register(a, api, huma.Operation{OperationID: "follow-topic", Method: http.MethodPost, Path: "/topics/{id}/follow", Tags: tags,
		Summary: "Follow a topic (be told of its replies in your inbox) or stop", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *topicFollow) (*Body[discuss.TopicDetail], error) {
			if err := a.Discussions.Follow(ctx, p, in.ID, in.Body.Follow); err != nil {
				return nil, err
			}
			d, err := a.Discussions.Detail(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "flag-post", Method: http.MethodPost, Path: "/topics/{id}/flags", Tags: tags,
		Summary: "Flag a topic or one of its replies for the moderators (once per person and post)", DefaultStatus: http.StatusNoContent, Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *topicFlag) (*struct{}, error) {
			return nil, a.Discussions.FlagPost(ctx, p, in.ID, in.Body.ReplyID, in.Body.Reason)
		})
	register(a, api, huma.Operation{OperationID: "moderate-topic", Method: http.MethodPost, Path: "/topics/{id}/moderation", Tags: tags,
		Summary: "Pin, lock, hide or move a topic (moderators)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *topicModerate) (*Body[discuss.Topic], error) {
			t, err := a.Discussions.Moderate(ctx, p, in.ID, in.Body.Action, in.Body.CommunityID)
			return body(t), err
		})
	register(a, api, huma.Operation{OperationID: "moderate-reply", Method: http.MethodPost, Path: "/replies/{id}/moderation", Tags: tags,
		Summary: "Hide a reply or show it again (moderators)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *replyModerate) (*Body[discuss.Reply], error) {
			r, err := a.Discussions.HideReply(ctx, p, in.ID, in.Body.Action == "hide")
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "list-revisions", Method: http.MethodGet, Path: "/topics/{id}/revisions", Tags: tags,
		Summary: "The earlier texts of an edited topic or reply (moderators)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *revisionList) (*Page[discuss.Revision], error) {
			v, err := a.Discussions.Revisions(ctx, p, in.ID, in.ReplyID)
			return page(v, ""), err
		})
	register(a, api, huma.Operation{OperationID: "list-topic-flags", Method: http.MethodGet, Path: "/topic-flags", Tags: tags,
		Summary: "The moderation queue: open flags in the communities you moderate, oldest first"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[discuss.Flag], error) {
			f, err := a.Discussions.Flags(ctx, p)
			return page(f, ""), err
		})
	register(a, api, huma.Operation{OperationID: "resolve-topic-flag", Method: http.MethodPost, Path: "/topic-flags/{id}/resolve", Tags: tags,
		Summary: "Resolve the flags on a post: keep it or hide it (moderators)", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *flagResolve) (*Body[discuss.Flag], error) {
			f, err := a.Discussions.ResolveFlag(ctx, p, in.ID, in.Body.Outcome)
			return body(f), err
		})
	register(a, api, huma.Operation{OperationID: "search-topics", Method: http.MethodGet, Path: "/topics-search", Tags: tags,
		Summary: "Search the topics you may read", Description: "Typos and other word forms match, as in the catalog's search. Hidden topics are not searched."},
		func(ctx context.Context, p *access.Principal, in *topicSearch) (*Body[topicsOutput], error) {
			list, err := a.Discussions.SearchTopics(ctx, p, in.Query, discuss.SearchFilter{CommunityID: in.CommunityID, Kind: in.Kind, Limit: in.Limit})
			return body(topicsOutput{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "similar-topics", Method: http.MethodGet, Path: "/topics-similar", Tags: tags,
		Summary: "Others asked this: topics you may read that resemble a new topic's or need's words"},
		func(ctx context.Context, p *access.Principal, in *similarInput) (*Body[matchesOutput], error) {
			list, err := a.Discussions.Similar(ctx, p, in.Text, in.Limit)
			return body(matchesOutput{Items: list}), err
		})
}

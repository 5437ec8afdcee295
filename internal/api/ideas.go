package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idea"
)

type ideaList struct {
	ID int64 `path:"id" minimum:"1" doc:"The community's id"`
	ListParams
	Status idea.Status `query:"status" enum:"new,under_review,planned,declined,done" doc:"Only ideas with this status"`
	Sort   string      `query:"sort" enum:"votes,newest" default:"votes" doc:"votes: most votes first (newest first among equals); newest: newest first"`
}

type ideaStatus struct {
	ID   int64 `path:"id" minimum:"1" doc:"The idea's topic id"`
	Body idea.StatusInput
}

type ideaConvert struct {
	ID   int64 `path:"id" minimum:"1" doc:"The idea's topic id"`
	Body idea.ConvertInput
}

func (a *API) registerIdeas(api huma.API) {
	tags := []string{"Ideas"}
	notFound := []int{http.StatusNotFound}
	register(a, api, huma.Operation{OperationID: "list-ideas", Method: http.MethodGet, Path: "/communities/{id}/ideas", Tags: tags,
		Summary: "List a community's ideas", Errors: notFound,
		Description: "The ideas (topics of kind idea) you may read in the community, with their votes, status and need. " +
			"A closed community's ideas are read by its members, staff and administrators only (403 for others)."},
		func(ctx context.Context, p *access.Principal, in *ideaList) (*Page[idea.Idea], error) {
			items, next, err := a.Ideas.List(ctx, p, in.ID, idea.ListFilter{Status: in.Status, Sort: in.Sort, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-idea", Method: http.MethodGet, Path: "/ideas/{id}", Tags: tags,
		Summary: "Get an idea", Errors: notFound,
		Description: "An idea by its topic's id: votes, whether you voted, status with its history, the need it became, and what you may do. " +
			"An idea you may not read is not found."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[idea.Detail], error) {
			d, err := a.Ideas.Get(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "vote-idea", Method: http.MethodPost, Path: "/ideas/{id}/vote", Tags: tags,
		Summary: "Vote for an idea", Errors: notFound,
		Description: "One up-vote per person: voting again changes nothing. Whoever may read the idea votes; a locked or hidden idea takes no vote (403)."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[idea.Idea], error) {
			it, err := a.Ideas.Vote(ctx, p, in.ID)
			return body(it), err
		})
	register(a, api, huma.Operation{OperationID: "unvote-idea", Method: http.MethodDelete, Path: "/ideas/{id}/vote", Tags: tags,
		Summary: "Withdraw your vote", Errors: notFound,
		Description: "Withdrawing a vote you did not give changes nothing. A locked or hidden idea keeps its votes (403)."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[idea.Idea], error) {
			it, err := a.Ideas.Unvote(ctx, p, in.ID)
			return body(it), err
		})
	register(a, api, huma.Operation{OperationID: "set-idea-status", Method: http.MethodPost, Path: "/ideas/{id}/status", Tags: tags,
		Summary: "Set an idea's status", Errors: notFound,
		Description: "By the community's moderators, its IT staff, the service owner and the BRM of the author's department. " +
			"declined needs a reason. Setting the status it has, with the same reason, changes nothing. The author and the voters are told. " +
			"An idea that became a need follows the need's state (409)."},
		func(ctx context.Context, p *access.Principal, in *ideaStatus) (*Body[idea.Idea], error) {
			it, err := a.Ideas.SetStatus(ctx, p, in.ID, in.Body)
			return body(it), err
		})
	register(a, api, huma.Operation{OperationID: "convert-idea", Method: http.MethodPost, Path: "/ideas/{id}/need", Tags: tags,
		Summary: "Turn an idea into a front-door need", Errors: notFound,
		Description: "By the BRM of the author's department, the owner of the community's catalog service and administrators. " +
			"Creates a draft need for the idea's author (title and problem from the idea; the author completes and submits it), " +
			"with the idea as its origin. From then on the need's state sets the idea's status. Sending it again returns the same need."},
		func(ctx context.Context, p *access.Principal, in *ideaConvert) (*Body[idea.Idea], error) {
			it, err := a.Ideas.Convert(ctx, p, in.ID, in.Body)
			return body(it), err
		})
}

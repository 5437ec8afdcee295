package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/engagement"
)

type communitySlugPath struct {
	Slug string `path:"slug" maxLength:"64" doc:"The community's handle"`
}

type digestQuery struct {
	Week string `query:"week" pattern:"^[0-9]{4}-W[0-9]{2}$" doc:"An ISO week such as 2026-W49; the latest digest when absent"`
}

// registerEngagement serves engagement measurement, read-only: who reads
// what is package engagement's rule.
func (a *API) registerEngagement(api huma.API) {
	tags := []string{"Engagement"}
	forbidden := []int{http.StatusForbidden}
	register(a, api, huma.Operation{OperationID: "list-community-engagement", Method: http.MethodGet, Path: "/engagement/communities", Tags: tags,
		Summary: "Every community's engagement figures, by name (one page)", Errors: forbidden,
		Description: "Members, active members (28 days), participation, active or idle (at least 5% of members contributed in 28 days), " +
			"new contributors, questions late without an IT answer (two working days, Monday to Friday UTC, holidays not considered), " +
			"median and 90th-percentile time to the first IT answer (nearest rank), accepted-solution rate (topics of the last 90 days), " +
			"CSAT and NPS by month of the pulses closed with at least 5 answers (withheld under 5 answers): an open pulse moves no figure. For administrators, moderators, BRMs, service owners and the portfolio board."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[engagement.CommunityMetrics], error) {
			list, err := a.Engagement.CommunityFigures(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-community-engagement", Method: http.MethodGet, Path: "/engagement/communities/{slug}", Tags: tags,
		Summary: "One community's engagement figures, with the topics and people behind them", Errors: []int{http.StatusForbidden, http.StatusNotFound},
		Description: "Also for the community's own moderators. The topics only to those who may read the community; the people only to those who moderate it."},
		func(ctx context.Context, p *access.Principal, in *communitySlugPath) (*Body[engagement.CommunityDetail], error) {
			d, err := a.Engagement.Community(ctx, p, in.Slug)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "get-engagement-coverage", Method: http.MethodGet, Path: "/engagement/coverage", Tags: tags,
		Summary: "Coverage by communities and dark populations", Errors: forbidden,
		Description: "The share of active people in at least one community by location, function and department, and the groups of at least " +
			"ten active people (a location × function, or a department) with no engagement signal in 90 days. For administrators, moderators and BRMs."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[engagement.Coverage], error) {
			c, err := a.Engagement.Coverage(ctx, p)
			return body(c), err
		})
	register(a, api, huma.Operation{OperationID: "list-department-engagement", Method: http.MethodGet, Path: "/engagement/departments", Tags: tags,
		Summary: "The engagement scores of the departments the caller may read, worst first (one page)", Errors: forbidden,
		Description: "Each with its parts, their inputs, and the part that pulls it down (weakest). BRMs get the departments they cover, budget holders theirs, finance, the board and administrators all."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[engagement.DepartmentScore], error) {
			list, err := a.Engagement.Scores(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-department-engagement", Method: http.MethodGet, Path: "/engagement/departments/{id}", Tags: tags,
		Summary: "A department's engagement score with its parts and 12-month trend", Errors: []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[engagement.DepartmentScore], error) {
			s, err := a.Engagement.Score(ctx, p, in.ID)
			return body(s), err
		})
	register(a, api, huma.Operation{OperationID: "get-my-digest", Method: http.MethodGet, Path: "/engagement/digest", Tags: tags,
		Summary: "The caller's weekly digest", Errors: []int{http.StatusNotFound},
		Description: "New topics in the caller's communities, their topics answered, votes on their ideas, their needs submitted or decided."},
		func(ctx context.Context, p *access.Principal, in *digestQuery) (*Body[engagement.Digest], error) {
			d, err := a.Engagement.Digest(ctx, p, in.Week)
			return body(d), err
		})
}

package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/pulse"
)

type pulseAnswer struct {
	ID   int64 `path:"id" minimum:"1"`
	Body pulse.AnswerInput
}

type pulseTrendQuery struct {
	ServiceID   int64  `query:"service_id" minimum:"0" doc:"The catalog service; or community_id"`
	CommunityID int64  `query:"community_id" minimum:"0" doc:"The community; or service_id"`
	Survey      string `query:"survey" enum:"csat,nps" required:"true"`
	Months      int    `query:"months" minimum:"0" maximum:"36" default:"12" doc:"How many months back, the current one included (1–36)"`
}

type pulseLink struct {
	Path string `json:"path" doc:"Append to the site's address. It answers as you, without signing in, until the pulse closes: keep it to yourself."`
}

const pulseFloor = " Scores, distribution and comments are withheld (hidden: true) for any group of fewer than 5 answers; " +
	"answers are never returned per person, to anyone."

func (a *API) registerPulses(api huma.API) {
	tags := []string{"Pulses"}
	notFound := []int{http.StatusNotFound}
	register(a, api, huma.Operation{OperationID: "create-pulse", Method: http.MethodPost, Path: "/pulses", Tags: tags,
		Summary: "Send a pulse", DefaultStatus: http.StatusCreated,
		Description: "A CSAT (1–5) or NPS (0–10) survey about a catalog service (to the active people of the departments subscribing to it) " +
			"or a community (to its members). Sent by the service's owner, the community's moderators and IT staff, and administrators. " +
			"The recipients are fixed now and the pulse lands in their inboxes. Sending the same pulse again returns the one sent."},
		func(ctx context.Context, p *access.Principal, in *Body[pulse.SendInput]) (*Body[pulse.Pulse], error) {
			pl, err := a.Pulses.Create(ctx, p, in.Body)
			return body(pl), err
		})
	register(a, api, huma.Operation{OperationID: "list-pulses", Method: http.MethodGet, Path: "/pulses", Tags: tags,
		Summary: "List your pulses", Description: "The pulses sent to you, and those about services and communities you send pulses on; newest first, at most 200 each."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[pulse.PulseLists], error) {
			l, err := a.Pulses.List(ctx, p)
			return body(l), err
		})
	register(a, api, huma.Operation{OperationID: "pulse-trend", Method: http.MethodGet, Path: "/pulses/trend", Tags: tags,
		Summary:     "A subject's satisfaction by month",
		Description: "The CSAT or NPS of a service or a community by month (the pulses that opened in it), for those who send pulses on it." + pulseFloor},
		func(ctx context.Context, p *access.Principal, in *pulseTrendQuery) (*Body[pulse.SubjectTrend], error) {
			tr, err := a.Pulses.Trend(ctx, p, pulse.TrendFilter{ServiceID: in.ServiceID, CommunityID: in.CommunityID,
				Survey: pulse.Survey(in.Survey), Months: in.Months})
			return body(tr), err
		})
	register(a, api, huma.Operation{OperationID: "get-pulse", Method: http.MethodGet, Path: "/pulses/{id}", Tags: tags,
		Summary: "Get a pulse", Errors: notFound,
		Description: "For the people it was sent to and those who send pulses on its subject. recipient and answered are about you."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[pulse.Pulse], error) {
			pl, err := a.Pulses.Find(ctx, p, in.ID)
			return body(pl), err
		})
	register(a, api, huma.Operation{OperationID: "answer-pulse", Method: http.MethodPost, Path: "/pulses/{id}/answer", Tags: tags,
		Summary: "Answer a pulse", Errors: notFound,
		Description: "Once, while it is open, if it was sent to you. Answering again, or after it closed, is refused (409) and changes nothing. " +
			"Your answer is stored apart from your name."},
		func(ctx context.Context, p *access.Principal, in *pulseAnswer) (*Body[pulse.Pulse], error) {
			pl, err := a.Pulses.Answer(ctx, p, in.ID, in.Body)
			return body(pl), err
		})
	register(a, api, huma.Operation{OperationID: "pulse-results", Method: http.MethodGet, Path: "/pulses/{id}/results", Tags: tags,
		Summary: "A pulse's results", Errors: notFound,
		Description: "Count, response rate, NPS (% promoters 9–10 − % detractors 0–6) or CSAT (% of 4 and 5), distribution and comments " +
			"(without names, alphabetical). Percentages to one decimal, rounded half up." + pulseFloor},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[pulse.PulseResults], error) {
			r, err := a.Pulses.Results(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "pulse-link", Method: http.MethodGet, Path: "/pulses/{id}/link", Tags: tags,
		Summary: "Your signed link to a pulse", Errors: notFound,
		Description: "A link that answers this pulse as you without signing in, until it closes. Only for a pulse sent to you."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[pulseLink], error) {
			path, err := a.Pulses.SignedLink(ctx, p, in.ID)
			return body(pulseLink{Path: path}), err
		})
}

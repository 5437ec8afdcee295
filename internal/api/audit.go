package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
)

type auditList struct {
	ListParams
	EntityType string    `query:"entity_type" doc:"department, location, function, person, api_token, …"`
	EntityID   string    `query:"entity_id"`
	ActorID    int64     `query:"actor_id"`
	Action     string    `query:"action" doc:"create, update, …"`
	Actor      string    `query:"actor" maxLength:"200" doc:"Part of the name of who made the change, in any case"`
	From       time.Time `query:"from" doc:"Changes at or after this instant (RFC 3339)"`
	Until      time.Time `query:"until" doc:"Changes before this instant (RFC 3339)"`
}

func (a *API) registerAudit(api huma.API) {
	register(a, api, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/audit-events", Tags: []string{"Audit"},
		Summary: "Read the audit log", Description: "Administrators only. Newest first; every change with who, when, before and after."},
		func(ctx context.Context, p *access.Principal, in *auditList) (*Page[audit.Event], error) {
			items, next, err := a.Audit.List(ctx, p, audit.Filter{EntityType: in.EntityType, EntityID: in.EntityID, ActorID: in.ActorID,
				Action: in.Action, Actor: in.Actor, From: in.From, Until: in.Until, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
}

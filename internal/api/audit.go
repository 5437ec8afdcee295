package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
)

type auditList struct {
	ListParams
	EntityType string `query:"entity_type" doc:"department, location, function, person, api_token, …"`
	EntityID   string `query:"entity_id"`
	ActorID    int64  `query:"actor_id"`
	Action     string `query:"action" doc:"create, update, …"`
}

func (a *API) registerAudit(api huma.API) {
	register(a, api, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/audit-events", Tags: []string{"Audit"},
		Summary: "Read the audit log", Description: "Administrators only. Newest first; every change with who, when, before and after."},
		func(ctx context.Context, p *access.Principal, in *auditList) (*Page[audit.Event], error) {
			items, next, err := a.Audit.List(ctx, p, audit.Filter{EntityType: in.EntityType, EntityID: in.EntityID, ActorID: in.ActorID,
				Action: in.Action, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
}

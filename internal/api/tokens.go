package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/auth"
)

type tokenCreate struct {
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for."`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When it stops working; never if absent."`
		Scope     string     `json:"scope" enum:"full,gate" doc:"Required, with no default: full acts as you in everything; gate may only ask the delivery gate (GET /gate/{reference}), for a delivery pipeline."`
	}
}

type newToken struct {
	Token string        `json:"token" doc:"The secret. It is shown once and cannot be recovered."`
	Info  auth.APIToken `json:"info"`
}

func (a *API) registerTokens(api huma.API) {
	tags := []string{"Accounts"}
	register(a, api, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/tokens", Tags: tags, Summary: "List your API tokens"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[auth.APIToken], error) {
			items, err := a.Auth.ListTokens(ctx, p, p.PersonID)
			return page(items, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/tokens", Tags: tags,
		Summary: "Create an API token for yourself", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *tokenCreate) (*Body[newToken], error) {
			secret, t, err := a.Auth.CreateScopedToken(ctx, p, p.PersonID, in.Body.Name, in.Body.Scope, in.Body.ExpiresAt)
			return body(newToken{Token: secret, Info: t}), err
		})
	register(a, api, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/tokens/{id}", Tags: tags,
		Summary: "Revoke an API token", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*struct{}, error) {
			return nil, a.Auth.RevokeToken(ctx, p, in.ID)
		})
}

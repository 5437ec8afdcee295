package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/notify"
)

type inboxList struct {
	ListParams
	Unread bool `query:"unread" doc:"Only unread items."`
}

type markedOutput struct {
	Marked int `json:"marked" doc:"How many items were unread and are now read."`
}

type webhookCreated struct {
	notify.Webhook
	Secret string `json:"secret" doc:"Signs every delivery (Engage-Signature). Shown in this response only: store it now."`
}

type webhookPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version     int       `json:"version" minimum:"1" doc:"The version you read; a stale version is refused with 409."`
		URL         *string   `json:"url,omitempty"`
		Description *string   `json:"description,omitempty"`
		EventTypes  *[]string `json:"event_types,omitempty" doc:"Replaces the list; empty for every event."`
		Active      *bool     `json:"active,omitempty"`
	}
}

type deliveryList struct {
	ListParams
	WebhookID int64  `query:"webhook_id" doc:"Only deliveries to this endpoint."`
	State     string `query:"state" enum:"pending,delivered,failed"`
	Channel   string `query:"channel" enum:"webhook,email"`
}

func (a *API) registerNotify(api huma.API) {
	inbox := []string{"Inbox"}
	notFound := []int{http.StatusNotFound}
	register(a, api, huma.Operation{OperationID: "list-inbox", Method: http.MethodGet, Path: "/inbox", Tags: inbox,
		Summary: "List your inbox", Description: "What concerns you, newest first. Everyone sees their own inbox only."},
		func(ctx context.Context, p *access.Principal, in *inboxList) (*Page[notify.InboxItem], error) {
			items, next, err := a.Notify.ListInbox(ctx, p, notify.InboxFilter{UnreadOnly: in.Unread, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "count-inbox", Method: http.MethodGet, Path: "/inbox/counts", Tags: inbox,
		Summary: "Count your inbox", Description: "How many items you have, and how many are unread."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[notify.InboxCounts], error) {
			c, err := a.Notify.CountInbox(ctx, p)
			return body(c), err
		})
	register(a, api, huma.Operation{OperationID: "mark-inbox-item-read", Method: http.MethodPost, Path: "/inbox/{id}/read", Tags: inbox,
		Summary: "Mark an inbox item read", Description: "Marking an item already read changes nothing. Another person's item is not found.", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[notify.InboxItem], error) {
			it, err := a.Notify.MarkRead(ctx, p, in.ID)
			return body(it), err
		})
	register(a, api, huma.Operation{OperationID: "mark-inbox-read", Method: http.MethodPost, Path: "/inbox/read", Tags: inbox,
		Summary: "Mark your whole inbox read"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[markedOutput], error) {
			n, err := a.Notify.MarkAllRead(ctx, p)
			return body(markedOutput{Marked: n}), err
		})

	hooks := []string{"Webhooks"}
	register(a, api, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: "/webhooks", Tags: hooks,
		Summary: "List webhook endpoints", Description: "Administrators only. Oldest first, with how many deliveries wait and how many failed."},
		func(ctx context.Context, p *access.Principal, in *ListParams) (*Page[notify.Webhook], error) {
			items, next, err := a.Notify.ListWebhooks(ctx, p, in.Cursor, in.Limit)
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-webhook", Method: http.MethodPost, Path: "/webhooks", Tags: hooks,
		Summary: "Add a webhook endpoint", DefaultStatus: http.StatusCreated,
		Description: "Administrators only. Engage generates the secret and returns it in this response only. " +
			"Each delivery is a POST of {id, type, subject, title, link, at, data} with the headers Engage-Event, Engage-Delivery, Engage-Timestamp and " +
			"Engage-Signature: sha256=<hex HMAC-SHA256 of \"<Engage-Timestamp>.<raw body>\" keyed with the secret>. Receivers compare in constant time " +
			"and refuse timestamps more than 5 minutes from their clock. Internal (loopback, private, link-local) addresses are refused."},
		func(ctx context.Context, p *access.Principal, in *Body[notify.WebhookInput]) (*Body[webhookCreated], error) {
			w, secret, err := a.Notify.CreateWebhook(ctx, p, in.Body)
			return body(webhookCreated{Webhook: w, Secret: secret}), err
		})
	register(a, api, huma.Operation{OperationID: "get-webhook", Method: http.MethodGet, Path: "/webhooks/{id}", Tags: hooks,
		Summary: "Get a webhook endpoint", Description: "Administrators only. The secret is never returned here.", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[notify.Webhook], error) {
			w, err := a.Notify.FindWebhook(ctx, p, in.ID)
			return body(w), err
		})
	register(a, api, huma.Operation{OperationID: "update-webhook", Method: http.MethodPatch, Path: "/webhooks/{id}", Tags: hooks,
		Summary: "Change a webhook endpoint", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Administrators only. Send the version you read; fields you leave out keep their value. The secret stays; rotate it separately."},
		func(ctx context.Context, p *access.Principal, in *webhookPatch) (*Body[notify.Webhook], error) {
			cur, err := a.Notify.FindWebhook(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v, b := cur.Input(), in.Body
			set(&v.URL, b.URL)
			set(&v.Description, b.Description)
			set(&v.EventTypes, b.EventTypes)
			set(&v.Active, b.Active)
			w, err := a.Notify.UpdateWebhook(ctx, p, in.ID, b.Version, v)
			return body(w), err
		})
	register(a, api, huma.Operation{OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/webhooks/{id}", Tags: hooks,
		Summary: "Delete a webhook endpoint", DefaultStatus: http.StatusNoContent, Errors: notFound,
		Description: "Administrators only. Its deliveries and their attempts go with it; the audit log keeps the deletion."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*struct{}, error) {
			return nil, a.Notify.DeleteWebhook(ctx, p, in.ID)
		})
	register(a, api, huma.Operation{OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/webhooks/{id}/rotate-secret", Tags: hooks,
		Summary: "Replace a webhook endpoint's secret", Errors: notFound,
		Description: "Administrators only. Returns the new secret, in this response only; deliveries are signed with it from now on, retries included."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[webhookCreated], error) {
			w, secret, err := a.Notify.RotateWebhookSecret(ctx, p, in.ID)
			return body(webhookCreated{Webhook: w, Secret: secret}), err
		})

	register(a, api, huma.Operation{OperationID: "list-notification-deliveries", Method: http.MethodGet, Path: "/notification-deliveries", Tags: hooks,
		Summary: "List notification deliveries", Description: "Administrators only. Webhook and e-mail deliveries, newest first."},
		func(ctx context.Context, p *access.Principal, in *deliveryList) (*Page[notify.Delivery], error) {
			items, next, err := a.Notify.ListDeliveries(ctx, p, notify.DeliveryFilter{WebhookID: in.WebhookID, State: in.State, Channel: in.Channel,
				Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-notification-delivery", Method: http.MethodGet, Path: "/notification-deliveries/{id}", Tags: hooks,
		Summary: "Get a notification delivery", Description: "Administrators only. With every attempt: status code, duration, the first 1 KB of the answer, the error.", Errors: notFound},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[notify.Delivery], error) {
			d, err := a.Notify.FindDelivery(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "retry-notification-delivery", Method: http.MethodPost, Path: "/notification-deliveries/{id}/retry", Tags: hooks,
		Summary: "Retry a notification delivery now", Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Administrators only. A waiting delivery is tried at once; a failed one gets one more attempt. 409 when it was delivered or is being sent."},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[notify.Delivery], error) {
			d, err := a.Notify.RetryDelivery(ctx, p, in.ID)
			return body(d), err
		})
}

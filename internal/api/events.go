package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

// CloudEvents media types (CloudEvents 1.0 JSON event format, structured
// and batched content modes).
const (
	eventType      = "application/cloudevents+json"
	eventBatchType = "application/cloudevents-batch+json"
)

// eventsInput is one CloudEvent or a batch; huma does not read the body
// (its media types are not JSON to huma): the handler reads it, bounded.
type eventsInput struct {
	ContentType string `header:"Content-Type" required:"true" doc:"application/cloudevents+json (one event) or application/cloudevents-batch+json (a JSON array); a charset parameter is allowed"`

	body io.Reader
}

// Resolve keeps the request body to read it.
func (in *eventsInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	if mt, _, err := mime.ParseMediaType(ctx.Header("Content-Type")); err == nil {
		in.ContentType = mt
	}
	return nil
}

func (a *API) registerEvents(api huma.API) {
	eventsBody := &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{eventType: {}, eventBatchType: {}}}
	defer func() {
		reg := api.OpenAPI().Components.Schemas
		eventsBody.Content[eventType].Schema = reg.Schema(reflect.TypeOf(billing.CloudEvent{}), true, "")
		// CloudEvents extension attributes are accepted (and ignored).
		if s := reg.Map()["CloudEvent"]; s != nil {
			s.AdditionalProperties = true
			// data is any JSON value, null included (a count meter needs
			// none); said type by type so that null is stated.
			if d := s.Properties["data"]; d != nil {
				for _, t := range []string{huma.TypeObject, huma.TypeArray, huma.TypeString, huma.TypeNumber, huma.TypeBoolean, "null"} {
					d.AnyOf = append(d.AnyOf, &huma.Schema{Type: t})
				}
			}
		}
		batch := reg.Schema(reflect.TypeOf([]billing.CloudEvent{}), true, "")
		batch.MinItems, batch.MaxItems = ptr(1), ptr(billing.MaxEventBatch)
		eventsBody.Content[eventBatchType].Schema = batch
	}()
	register(a, api, huma.Operation{OperationID: "send-events", Method: http.MethodPost, Path: "/events", Tags: []string{"Billing"},
		Summary: "Send usage as CloudEvents", RequestBody: eventsBody, MaxBodyBytes: billing.MaxEventBody,
		Errors: []int{http.StatusConflict, http.StatusRequestEntityTooLarge},
		Description: "Finance role. CloudEvents 1.0 in the JSON format: one event (application/cloudevents+json) or a JSON array of " +
			fmt.Sprintf("1 to %d (application/cloudevents-batch+json), at most %d MiB. ", billing.MaxEventBatch, billing.MaxEventBody>>20) +
			"A meter of the catalog file maps each event's type to an offering and reads its quantity in data (sum and max meters) " +
			"or counts it (count meters); subject names who is charged: department/<cost-centre code> or subscription/<id>. " +
			"id and source identify an event: one sent again is acknowledged and counted once (duplicates). A request is all or " +
			"nothing: any refused event refuses it (422), each refusal located as body[N].attribute; nothing is stored. A 200 " +
			"answer means the events are stored; a request left unanswered (a timeout, a lost connection) may be sent again whole. " +
			"Concurrent requests are stored together (group commit)."},
		func(ctx context.Context, p *access.Principal, in *eventsInput) (*Body[billing.EventReport], error) {
			if in.ContentType != eventType && in.ContentType != eventBatchType {
				return nil, &engage.Error{Code: engage.EINVALID, Message: "Send CloudEvents in the JSON format.", Fields: []engage.FieldError{{Field: "header.Content-Type",
					Message: fmt.Sprintf("%q is not %s or %s.", in.ContentType, eventType, eventBatchType)}}}
			}
			raw, err := io.ReadAll(&limitedBody{r: in.body, max: billing.MaxEventBody,
				hint: "Send at most %d MiB of events a request; split larger batches."})
			if err != nil {
				return nil, err
			}
			if len(raw) == 0 {
				return nil, &engage.Error{Code: engage.EINVALID, Message: "The body is empty.", Fields: []engage.FieldError{{Field: "body", Message: "Send a CloudEvent, or a JSON array of them."}}}
			}
			events, err := billing.DecodeEvents(raw, in.ContentType == eventBatchType)
			if err != nil {
				return nil, err
			}
			rep, err := a.Billing.IngestEvents(ctx, p, events)
			var e *engage.Error
			if in.ContentType == eventType && errors.As(err, &e) {
				// One event: its attributes are the body's fields.
				for i := range e.Fields {
					e.Fields[i].Field = strings.TrimPrefix(e.Fields[i].Field, "[0].")
				}
			}
			return body(rep), err
		})
}

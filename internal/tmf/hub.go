package tmf

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
)

// A hub is one of Engage's webhook endpoints, subscribed to the TMF events
// of its API: it is delivered by the same signed, retried machinery, and
// registering or removing one takes an administrator, as for any webhook.
// Each delivery is Engage's webhook envelope (signed, with its
// Engage-Delivery id), whose data is the TMF event resource
// (ProductOrderStateChangeEvent…).

// event is a TMF event type and the Engage event type that carries it.
type event struct{ tmf, engage string }

var (
	quoteEvents = []event{{"QuoteCreateEvent", "tmf.quote.create"}, {"QuoteStateChangeEvent", "tmf.quote.state_change"}}
	orderEvents = []event{{"ProductOrderCreateEvent", "tmf.product_order.create"},
		{"ProductOrderStateChangeEvent", "tmf.product_order.state_change"}}
)

// EventTypes are the Engage event types the TMF hubs subscribe to.
var EventTypes = func() []string {
	var out []string
	for _, e := range slices.Concat(quoteEvents, orderEvents, catalogEvents) {
		out = append(out, e.engage)
	}
	return out
}()

// EventSubscription is TMF's hub registration.
type EventSubscription struct {
	ID       string `json:"id"`
	Callback string `json:"callback"`
	Query    string `json:"query,omitempty"`
}

var hubReads = shape{"callback": nil, "query": nil, "@type": nil}

func (h *Handler) routeHub(base string, events []event) {
	h.handle(http.MethodPost, base+"/hub", func(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
		return h.createHub(w, r, p, base, events)
	})
	h.handle(http.MethodDelete, base+"/hub/{id}", func(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
		return h.deleteHub(w, r, p, events)
	})
}

// hubEvents reads a hub's query: "eventType=A,B" names some of the API's
// events; empty, all of them.
func hubEvents(query string, events []event) ([]string, error) {
	var out []string
	if query == "" {
		for _, e := range events {
			out = append(out, e.engage)
		}
		return out, nil
	}
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.tmf
	}
	for _, part := range strings.Split(query, "&") {
		key, vals, ok := strings.Cut(part, "=")
		if !ok || (key != "eventType" && key != "eventType.in") {
			return nil, invalid("query", "Engage filters hubs by eventType only, as eventType=%s.", strings.Join(names, ","))
		}
		for _, v := range strings.Split(vals, ",") {
			i := slices.IndexFunc(events, func(e event) bool { return e.tmf == strings.TrimSpace(v) })
			if i < 0 {
				return nil, invalid("query", "This API sends no %s events; it sends %s.", v, strings.Join(names, ", "))
			}
			out = append(out, events[i].engage)
		}
	}
	return out, nil
}

func (h *Handler) createHub(w http.ResponseWriter, r *http.Request, p *access.Principal, base string, events []event) error {
	body, raw, err := readBody(r)
	if err != nil {
		return err
	}
	return h.idempotent(w, r, p, raw, func(w http.ResponseWriter) error {
		if err := checkType(body, "@type", "EventSubscriptionInput", "EventSubscription"); err != nil {
			return err
		}
		callback, err := str(body, "callback", "callback")
		if err != nil {
			return err
		}
		if callback == "" {
			return invalid("callback", "callback is mandatory: give the URL that receives the events.")
		}
		query, err := str(body, "query", "query")
		if err != nil {
			return err
		}
		types, err := hubEvents(query, events)
		if err != nil {
			return err
		}
		hook, secret, err := h.Notify.CreateWebhook(r.Context(), p, notify.WebhookInput{URL: callback, EventTypes: types, Active: true,
			Description: "TM Forum hub of " + strings.TrimPrefix(base, "/tmf-api/")})
		if err != nil {
			return err
		}
		var ign []string
		ignored(body, hubReads, "", &ign)
		id := strconv.FormatInt(hook.ID, 10)
		w.Header().Set(SecretHeader, secret)
		created(w, base+"/hub/"+id, ign, EventSubscription{ID: id, Callback: hook.URL, Query: query})
		return nil
	})
}

// deleteHub removes a hub of this API; other webhooks are not hubs.
func (h *Handler) deleteHub(w http.ResponseWriter, r *http.Request, p *access.Principal, events []event) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	notHub := engage.Errorf(engage.ENOTFOUND, "There is no hub %s.", r.PathValue("id"))
	if err != nil || id <= 0 {
		return notHub
	}
	hook, err := h.Notify.FindWebhook(r.Context(), p, id)
	if err != nil {
		return err
	}
	for _, t := range hook.EventTypes {
		if !slices.ContainsFunc(events, func(e event) bool { return e.engage == t }) {
			return notHub
		}
	}
	if len(hook.EventTypes) == 0 {
		return notHub
	}
	if err := h.Notify.DeleteWebhook(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Event is a TMF event resource: what a hub's callback receives, as the
// data of Engage's webhook envelope.
type Event struct {
	EventID   string         `json:"eventId"`
	EventTime string         `json:"eventTime"`
	EventType string         `json:"eventType"`
	Title     string         `json:"title,omitempty"`
	FieldPath string         `json:"fieldPath,omitempty"`
	Event     map[string]any `json:"event"`
}

// Publisher records TMF events beside Engage's own, in the transaction of
// the change they tell of.
type Publisher struct {
	Notify *notify.Service
	Clock  engage.Clock
}

// Observer is the catalog observer that publishes quotes' and orders' TMF
// events.
func (pub Publisher) Observer() catalog.TradeObserver {
	return catalog.TradeObserver{QuoteChanged: pub.quoteChanged, OrderChanged: pub.orderChanged}
}

func (pub Publisher) publish(ctx context.Context, tx *db.Tx, e event, subject, title, link, key string, resource any) error {
	return pub.publishField(ctx, tx, e, subject, title, link, "", key, resource)
}

// publishField publishes an event that may name the field it changed.
func (pub Publisher) publishField(ctx context.Context, tx *db.Tx, e event, subject, title, link, fieldPath, key string, resource any) error {
	now := pub.Clock.Now()
	return pub.Notify.Publish(ctx, tx, notify.Event{Type: e.engage, Subject: subject, Title: title, Link: link, At: now,
		Data: Event{EventID: fmt.Sprintf("%s-%s-%d", subject, e.tmf, now.UnixNano()), EventTime: now.UTC().Format(time.RFC3339Nano),
			EventType: e.tmf, Title: title, FieldPath: fieldPath, Event: map[string]any{key: resource}}})
}

func (pub Publisher) quoteChanged(ctx context.Context, tx *db.Tx, q catalog.Quote) error {
	e, title := quoteEvents[0], "Quote "+q.Number+" made"
	if q.OrderNumber != "" {
		e, title = quoteEvents[1], "Quote "+q.Number+" accepted: ordered as "+q.OrderNumber
	}
	return pub.publish(ctx, tx, e, q.Number, title, "/quotes/"+q.Number, "quote", quoteResource(q))
}

func (pub Publisher) orderChanged(ctx context.Context, tx *db.Tx, o catalog.Order) error {
	res := orderResource(o, catalog.DateOf(pub.Clock.Now()))
	if o.Status == catalog.OrderPending {
		if err := pub.publish(ctx, tx, orderEvents[0], o.Number, "Order "+o.Number+" placed", "/orders/"+o.Number, "productOrder", res); err != nil {
			return err
		}
	}
	return pub.publish(ctx, tx, orderEvents[1], o.Number, "Order "+o.Number+" is "+res.State, "/orders/"+o.Number, "productOrder", res)
}

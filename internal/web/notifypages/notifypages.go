// Package notifypages is the web interface's notification area: the
// personal inbox, and the webhook administration with its delivery log.
package notifypages

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the notification area.
type Pages struct {
	*page.Kit
	Notify *notify.Service
}

// Routes are the personal inbox and the webhook administration with its
// delivery log.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /inbox", Handle: s.inbox},
		{Pattern: "POST /inbox/read", Handle: s.markInboxRead},
		{Pattern: "POST /inbox/{id}/read", Handle: s.markInboxItemRead},

		{Pattern: "GET /admin/webhooks", Role: access.Admin, Handle: s.adminWebhooks},
		{Pattern: "POST /admin/webhooks", Role: access.Admin, Handle: s.createWebhook},
		{Pattern: "GET /admin/webhooks/{id}", Role: access.Admin, Handle: s.adminWebhook},
		{Pattern: "POST /admin/webhooks/{id}", Role: access.Admin, Handle: s.updateWebhook},
		{Pattern: "POST /admin/webhooks/{id}/rotate", Role: access.Admin, Handle: s.rotateWebhookSecret},
		{Pattern: "POST /admin/webhooks/{id}/delete", Role: access.Admin, Handle: s.deleteWebhook},
		{Pattern: "GET /admin/webhooks/deliveries/{id}", Role: access.Admin, Handle: s.adminDelivery},
		{Pattern: "POST /admin/webhooks/deliveries/{id}/retry", Role: access.Admin, Handle: s.retryDelivery},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "notifications",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"deliveryState": func(state string) string {
			switch state {
			case notify.Pending:
				return "Waiting"
			case notify.Delivered:
				return "Delivered"
			case notify.Failed:
				return "Failed"
			}
			return state
		},
		"deliveryStateClass": func(state string) string {
			switch state {
			case notify.Delivered:
				return "label ok"
			case notify.Failed:
				return "label warn"
			}
			return "label"
		},
		"eventTypes": func(types []string) string {
			if len(types) == 0 {
				return "Every event"
			}
			return strings.Join(types, ", ")
		},
	},
	Views: map[string]page.View{
		"notify_inbox.html":    &inboxView{},
		"notify_webhooks.html": &webhooksView{},
		"notify_webhook.html":  &webhookView{},
		"notify_delivery.html": &deliveryView{},
	},
}

// inboxView is the inbox page.
type inboxView struct {
	page.Base
	Items      []notify.InboxItem
	Next       string
	Counts     notify.InboxCounts
	UnreadOnly bool
}

// webhooksView is the page of every webhook endpoint and the delivery log.
type webhooksView struct {
	page.Base
	Webhooks   []notify.Webhook
	Deliveries []notify.Delivery
	Next       string
	Filter     notify.DeliveryFilter
	Email      bool // inbox items are e-mailed too
	Private    bool // internal addresses are allowed as targets
}

// webhookView is one endpoint's page, with its deliveries.
type webhookView struct {
	page.Base
	Webhook    notify.Webhook
	Deliveries []notify.Delivery
	Next       string
	Filter     notify.DeliveryFilter
	NewSecret  string // shown once, right after creation or rotation
	Private    bool
}

// deliveryView is one delivery's page.
type deliveryView struct {
	page.Base
	Delivery notify.Delivery
}

// --- the inbox ---

func (s *Pages) inbox(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	unread := r.URL.Query().Get("unread") == "1"
	items, next, err := s.Notify.ListInbox(ctx, p, notify.InboxFilter{UnreadOnly: unread, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	counts, err := s.Notify.CountInbox(ctx, p)
	if err != nil {
		return err
	}
	v := &inboxView{Base: page.Base{Title: "Inbox", Nav: "inbox", InboxUnread: counts.Unread},
		Items: items, Next: next, Counts: counts, UnreadOnly: unread}
	s.Render(w, r, "notify_inbox.html", v)
	return nil
}

// markInboxItemRead marks one item read, then opens what it is about when
// the form asks to (the item's title is such a form, so that following it
// marks it read without a GET that changes anything).
func (s *Pages) markInboxItemRead(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	it, err := s.Notify.MarkRead(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	if r.PostFormValue("open") == "1" && it.Link != "" && strings.HasPrefix(it.Link, "/") && !strings.HasPrefix(it.Link, "//") {
		http.Redirect(w, r, it.Link, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, inboxReturn(r), http.StatusSeeOther)
	return nil
}

func (s *Pages) markInboxRead(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Notify.MarkAllRead(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	switch n {
	case 0:
		s.Flash(w, "Everything was already read.")
	case 1:
		s.Flash(w, "1 item marked as read.")
	default:
		s.Flash(w, fmt.Sprintf("%d items marked as read.", n))
	}
	http.Redirect(w, r, inboxReturn(r), http.StatusSeeOther)
	return nil
}

// inboxReturn goes back to the inbox, keeping the unread filter.
func inboxReturn(r *http.Request) string {
	if r.PostFormValue("unread") == "1" {
		return "/inbox?unread=1"
	}
	return "/inbox"
}

// --- webhook administration ---

func deliveryFilter(r *http.Request) notify.DeliveryFilter {
	q := r.URL.Query()
	return notify.DeliveryFilter{WebhookID: page.QueryInt(r, "webhook"), State: q.Get("state"), Channel: q.Get("channel"), Cursor: q.Get("cursor"), Limit: 50}
}

func (s *Pages) adminWebhooks(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, page.Base{Form: map[string]string{"active": "on"}})
}

func (s *Pages) renderWebhooks(w http.ResponseWriter, r *http.Request, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	hooks, err := page.AllPages(func(c string) ([]notify.Webhook, string, error) { return s.Notify.ListWebhooks(ctx, p, c, 500) })
	if err != nil {
		return err
	}
	f := deliveryFilter(r)
	list, next, err := s.Notify.ListDeliveries(ctx, p, f)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Webhooks and notification deliveries", "admin"
	s.Render(w, r, "notify_webhooks.html", &webhooksView{Base: base, Webhooks: hooks, Deliveries: list, Next: next, Filter: f,
		Email: s.Notify.EmailEnabled(), Private: s.Notify.AllowPrivateTargets})
	return nil
}

func webhookInput(r *http.Request) notify.WebhookInput {
	return notify.WebhookInput{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"),
		EventTypes: strings.Split(r.PostFormValue("event_types"), ","), Active: r.PostFormValue("active") == "on"}
}

func (s *Pages) createWebhook(w http.ResponseWriter, r *http.Request) error {
	hook, secret, err := s.Notify.CreateWebhook(r.Context(), page.Principal(r), webhookInput(r))
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderWebhooks(w, r, base)
	} else if err != nil {
		return err
	}
	// The secret is shown on this response only: it is not put in a URL or
	// a cookie on its way to the next page. The form sent again leads to
	// the endpoint's page, without it.
	w.Header().Set("Content-Location", "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10))
	return s.renderWebhook(w, r, hook.ID, page.Base{Flash: "Webhook endpoint added. Copy its secret now: it will not be shown again."}, secret)
}

func (s *Pages) adminWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, id, page.Base{}, "")
}

func (s *Pages) renderWebhook(w http.ResponseWriter, r *http.Request, id int64, base page.Base, secret string) error {
	ctx, p := r.Context(), page.Principal(r)
	hook, err := s.Notify.FindWebhook(ctx, p, id)
	if err != nil {
		return err
	}
	f := deliveryFilter(r)
	f.WebhookID = id
	list, next, err := s.Notify.ListDeliveries(ctx, p, f)
	if err != nil {
		return err
	}
	if base.Form == nil {
		active := ""
		if hook.Active {
			active = "on"
		}
		base.Form = map[string]string{"url": hook.URL, "description": hook.Description, "event_types": strings.Join(hook.EventTypes, ", "),
			"active": active, "version": strconv.Itoa(hook.Version)}
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Webhook "+hook.URL, "admin"
	s.Render(w, r, "notify_webhook.html", &webhookView{Base: base, Webhook: hook, Deliveries: list, Next: next, Filter: f,
		NewSecret: secret, Private: s.Notify.AllowPrivateTargets})
	return nil
}

func (s *Pages) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.Notify.UpdateWebhook(r.Context(), page.Principal(r), id, version, webhookInput(r))
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderWebhook(w, r, id, base, "")
	} else if err != nil {
		return err
	}
	s.Flash(w, "Webhook endpoint saved.")
	http.Redirect(w, r, fmt.Sprintf("/admin/webhooks/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Pages) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	_, secret, err := s.Notify.RotateWebhookSecret(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, id, page.Base{Flash: "New secret made. Deliveries are signed with it from now on: give it to the receiver, and copy it now — it will not be shown again."}, secret)
}

func (s *Pages) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Notify.DeleteWebhook(r.Context(), page.Principal(r), id); err != nil {
		return err
	}
	s.Flash(w, "Webhook endpoint deleted, with its deliveries.")
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}

func (s *Pages) adminDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Notify.FindDelivery(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	s.Render(w, r, "notify_delivery.html", &deliveryView{Base: page.Base{Title: fmt.Sprintf("Delivery %d", d.ID), Nav: "admin"}, Delivery: d})
	return nil
}

func (s *Pages) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Notify.RetryDelivery(r.Context(), page.Principal(r), id); err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Delivery %d will be tried again within a few seconds.", id))
	back := fmt.Sprintf("/admin/webhooks/deliveries/%d", id)
	if r.PostFormValue("back") == "list" {
		back = "/admin/webhooks#deliveries"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

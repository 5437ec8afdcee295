package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/notify"
)

// notifyRoutes are the personal inbox and the webhook administration with
// its delivery log.
func (s *Server) notifyRoutes() []Route {
	return []Route{
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

func init() {
	funcs["deliveryState"] = func(state string) string {
		switch state {
		case notify.Pending:
			return "Waiting"
		case notify.Delivered:
			return "Delivered"
		case notify.Failed:
			return "Failed"
		}
		return state
	}
	funcs["deliveryStateClass"] = func(state string) string {
		switch state {
		case notify.Delivered:
			return "label ok"
		case notify.Failed:
			return "label warn"
		}
		return "label"
	}
	funcs["eventTypes"] = func(types []string) string {
		if len(types) == 0 {
			return "Every event"
		}
		return strings.Join(types, ", ")
	}
}

// inboxView is the data of the inbox page.
type inboxView struct {
	Items      []notify.InboxItem
	Next       string
	Counts     notify.InboxCounts
	UnreadOnly bool
}

// InboxUnread is the unread count the navigation shows beside "Inbox". It is
// known on the inbox page, which counts anyway; other pages do not pay a
// query for it.
func (p Page) InboxUnread() int {
	if v, ok := p.Data.(inboxView); ok {
		return v.Counts.Unread
	}
	return 0
}

// --- the inbox ---

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
	unread := r.URL.Query().Get("unread") == "1"
	items, next, err := s.Notify.ListInbox(ctx, p, notify.InboxFilter{UnreadOnly: unread, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	counts, err := s.Notify.CountInbox(ctx, p)
	if err != nil {
		return err
	}
	s.render(w, r, "notify_inbox.html", "Inbox", "inbox", inboxView{Items: items, Next: next, Counts: counts, UnreadOnly: unread})
	return nil
}

// markInboxItemRead marks one item read, then opens what it is about when
// the form asks to (the item's title is such a form, so that following it
// marks it read without a GET that changes anything).
func (s *Server) markInboxItemRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := s.Notify.MarkRead(r.Context(), access.FromContext(r.Context()), id)
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

func (s *Server) markInboxRead(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Notify.MarkAllRead(r.Context(), access.FromContext(r.Context()))
	if err != nil {
		return err
	}
	switch n {
	case 0:
		s.flash(w, "Everything was already read.")
	case 1:
		s.flash(w, "1 item marked as read.")
	default:
		s.flash(w, fmt.Sprintf("%d items marked as read.", n))
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

// webhooksView is the data of the webhook administration pages.
type webhooksView struct {
	Webhooks   []notify.Webhook
	Webhook    *notify.Webhook // on an endpoint's own page
	Deliveries []notify.Delivery
	Next       string
	Filter     notify.DeliveryFilter
	NewSecret  string // shown once, right after creation or rotation
	Email      bool
	Private    bool
}

func deliveryFilter(r *http.Request) notify.DeliveryFilter {
	q := r.URL.Query()
	return notify.DeliveryFilter{WebhookID: queryInt(r, "webhook"), State: q.Get("state"), Channel: q.Get("channel"), Cursor: q.Get("cursor"), Limit: 50}
}

func (s *Server) adminWebhooks(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, Page{Form: map[string]string{"active": "on"}}, "")
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, pg Page, secret string) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
	hooks, err := allPages(func(c string) ([]notify.Webhook, string, error) { return s.Notify.ListWebhooks(ctx, p, c, 500) })
	if err != nil {
		return err
	}
	f := deliveryFilter(r)
	list, next, err := s.Notify.ListDeliveries(ctx, p, f)
	if err != nil {
		return err
	}
	if len(pg.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	pg.Title, pg.Nav = "Webhooks and notification deliveries", "admin"
	pg.Data = webhooksView{Webhooks: hooks, Deliveries: list, Next: next, Filter: f, NewSecret: secret,
		Email: s.Notify.EmailEnabled(), Private: s.Notify.AllowPrivateTargets}
	s.renderPage(w, r, "notify_webhooks.html", pg)
	return nil
}

func webhookInput(r *http.Request) notify.WebhookInput {
	return notify.WebhookInput{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"),
		EventTypes: strings.Split(r.PostFormValue("event_types"), ","), Active: r.PostFormValue("active") == "on"}
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	hook, secret, err := s.Notify.CreateWebhook(r.Context(), access.FromContext(r.Context()), webhookInput(r))
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderWebhooks(w, r, Page{Errors: engage.ErrorFields(err), Form: formOf(r)}, "")
	} else if err != nil {
		return err
	}
	// The secret is shown on this response only: it is not put in a URL or
	// a cookie on its way to the next page. The form sent again leads to
	// the endpoint's page, without it.
	w.Header().Set("Content-Location", "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10))
	return s.renderWebhook(w, r, hook.ID, Page{Flash: "Webhook endpoint added. Copy its secret now: it will not be shown again."}, secret)
}

func (s *Server) adminWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, id, Page{}, "")
}

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, id int64, pg Page, secret string) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
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
	if pg.Form == nil {
		active := ""
		if hook.Active {
			active = "on"
		}
		pg.Form = map[string]string{"url": hook.URL, "description": hook.Description, "event_types": strings.Join(hook.EventTypes, ", "),
			"active": active, "version": strconv.Itoa(hook.Version)}
	}
	if len(pg.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	pg.Title, pg.Nav = "Webhook "+hook.URL, "admin"
	pg.Data = webhooksView{Webhook: &hook, Deliveries: list, Next: next, Filter: f, NewSecret: secret, Private: s.Notify.AllowPrivateTargets}
	s.renderPage(w, r, "notify_webhook.html", pg)
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.Notify.UpdateWebhook(r.Context(), access.FromContext(r.Context()), id, version, webhookInput(r))
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderWebhook(w, r, id, Page{Errors: engage.ErrorFields(err), Form: formOf(r)}, "")
	} else if err != nil {
		return err
	}
	s.flash(w, "Webhook endpoint saved.")
	http.Redirect(w, r, fmt.Sprintf("/admin/webhooks/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, secret, err := s.Notify.RotateWebhookSecret(r.Context(), access.FromContext(r.Context()), id)
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, id, Page{Flash: "New secret made. Deliveries are signed with it from now on: give it to the receiver, and copy it now — it will not be shown again."}, secret)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Notify.DeleteWebhook(r.Context(), access.FromContext(r.Context()), id); err != nil {
		return err
	}
	s.flash(w, "Webhook endpoint deleted, with its deliveries.")
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}

func (s *Server) adminDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Notify.FindDelivery(r.Context(), access.FromContext(r.Context()), id)
	if err != nil {
		return err
	}
	s.render(w, r, "notify_delivery.html", fmt.Sprintf("Delivery %d", d.ID), "admin", d)
	return nil
}

func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Notify.RetryDelivery(r.Context(), access.FromContext(r.Context()), id); err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Delivery %d will be tried again within a few seconds.", id))
	back := fmt.Sprintf("/admin/webhooks/deliveries/%d", id)
	if r.PostFormValue("back") == "list" {
		back = "/admin/webhooks#deliveries"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

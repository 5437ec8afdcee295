package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
)

// TestWebhookThroughTheAPIAndTheWorker: an administrator adds a webhook
// through the API, an event published in a transaction reaches it through
// the background worker, signed, and the delivery log shows the attempt.
// The inbox is personal and the webhook pages are for administrators only.
func TestWebhookThroughTheAPIAndTheWorker(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			// The demo setting lets webhooks reach the receiver on 127.0.0.1.
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.Demo = true })
			var mu sync.Mutex
			var got []*http.Request
			var bodies [][]byte
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, bodies = append(got, r), append(bodies, b)
				mu.Unlock()
				w.WriteHeader(http.StatusAccepted)
			}))
			defer rcv.Close()

			admin := apiClient{t, e, e.Token(t, "admin@example.com")}
			status, created := admin.json("POST", "/webhooks", fmt.Sprintf(`{"url":%q,"event_types":["need.*"],"active":true,"description":"Service desk"}`, rcv.URL+"/engage"))
			secret, _ := created["secret"].(string)
			if status != http.StatusCreated || !strings.HasPrefix(secret, notify.SecretPrefix) {
				t.Fatalf("create webhook = %d %v", status, created)
			}
			hookID := int64(created["id"].(float64))
			hookPath := "/webhooks/" + strconv.FormatInt(hookID, 10)
			if status, hook := admin.json("GET", hookPath, ""); status != 200 || hook["secret"] != nil || hook["url"] != rcv.URL+"/engage" {
				t.Fatalf("GET %s = %d %v; want the endpoint without its secret", hookPath, status, hook)
			}

			requester := person(t, e, "requester@example.com")
			// What the demo left in the requester's inbox (a pulse of a
			// community they are in) is read first: the counts below are the
			// event's alone.
			rp, err := e.Org.Principal(context.Background(), requester.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Notify.MarkAllRead(context.Background(), rp); err != nil {
				t.Fatal(err)
			}
			before, err := e.Notify.CountInbox(context.Background(), rp)
			if err != nil {
				t.Fatal(err)
			}
			err = e.DB.Transact(context.Background(), func(tx *db.Tx) error {
				return e.Notify.Publish(context.Background(), tx, notify.Event{Type: "need.submitted", Subject: "NEED-2026-0042",
					Title: "Your need for a lab notebook was submitted", Link: "/frontdoor", Recipients: []int64{requester.ID},
					Data: map[string]string{"reference": "NEED-2026-0042"}})
			})
			if err != nil {
				t.Fatal(err)
			}
			// An event no endpoint subscribes to goes to nobody's webhook.
			err = e.DB.Transact(context.Background(), func(tx *db.Tx) error {
				return e.Notify.Publish(context.Background(), tx, notify.Event{Type: "approval.requested", Title: "Not for the desk"})
			})
			if err != nil {
				t.Fatal(err)
			}

			// The worker started with the server delivers within a few polls.
			deadline := time.Now().Add(15 * time.Second)
			for {
				mu.Lock()
				n := len(got)
				mu.Unlock()
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the background worker delivered nothing within 15 s")
				}
				time.Sleep(50 * time.Millisecond)
			}
			mu.Lock()
			req, body := got[0], bodies[0]
			mu.Unlock()
			if req.URL.Path != "/engage" || req.Header.Get("Engage-Event") != "need.submitted" ||
				notify.Verify(secret, req.Header, body, e.Clock.Now(), 0) != nil || !strings.Contains(string(body), `"reference":"NEED-2026-0042"`) {
				t.Fatalf("the receiver got %s %v %s", req.URL.Path, req.Header, body)
			}

			// The delivery log, through the API: delivered, one attempt, 202.
			var logID int64
			for time.Now().Before(deadline) {
				status, list := admin.json("GET", "/notification-deliveries?webhook_id="+strconv.FormatInt(hookID, 10), "")
				items, _ := list["items"].([]any)
				if status != 200 || len(items) != 1 {
					t.Fatalf("delivery log = %d %v; want one delivery", status, list)
				}
				d := items[0].(map[string]any)
				if d["state"] == notify.Delivered {
					logID = int64(d["id"].(float64))
					break
				}
				time.Sleep(50 * time.Millisecond) // the attempt is recorded just after the answer
			}
			if logID == 0 {
				t.Fatal("the delivery was not recorded as delivered")
			}
			status, dl := admin.json("GET", "/notification-deliveries/"+strconv.FormatInt(logID, 10), "")
			attempts, _ := dl["attempts"].([]any)
			if status != 200 || len(attempts) != 1 || attempts[0].(map[string]any)["status_code"] != float64(202) || dl["event_type"] != "need.submitted" {
				t.Fatalf("delivery %d = %d %v", logID, status, dl)
			}
			if status, out := admin.json("POST", "/notification-deliveries/"+strconv.FormatInt(logID, 10)+"/retry", ""); status != http.StatusConflict {
				t.Fatalf("retrying a delivered delivery = %d %v; want 409", status, out)
			}
			if status, audit := admin.json("GET", "/audit-events?entity_type=webhook", ""); status != 200 || !strings.Contains(fmt.Sprint(audit["items"]), "action:create") {
				t.Fatalf("audit of webhooks = %d %v", status, audit)
			}
			// The administrator's pages show the endpoint and its delivery.
			ab := e.SignIn(t, "admin@example.com")
			if res, page := ab.Get("/admin/webhooks"); res.StatusCode != 200 || !strings.Contains(page, rcv.URL+"/engage") ||
				!strings.Contains(page, `href="/admin/webhooks/deliveries/`+strconv.FormatInt(logID, 10)+`"`) {
				t.Fatalf("/admin/webhooks = %d", res.StatusCode)
			}
			if res, page := ab.Get("/admin/webhooks/deliveries/" + strconv.FormatInt(logID, 10)); res.StatusCode != 200 || !strings.Contains(page, "HTTP 202") {
				t.Fatalf("delivery page = %d", res.StatusCode)
			}

			// The same through the pages: a bad URL is named, nothing is added;
			// a good one shows its secret once; then change, rotate, delete.
			res, page := ab.Post("/admin/webhooks", url.Values{"url": {"ftp://desk.example.com"}, "active": {"on"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `<a href="#url">`) {
				t.Fatalf("adding a bad URL = %d", res.StatusCode)
			}
			res, page = ab.Post("/admin/webhooks", url.Values{"url": {rcv.URL + "/second"}, "event_types": {"need.submitted, need.state_changed"}, "active": {"on"}})
			if res.StatusCode != 200 || !strings.Contains(page, `<p class="secret" id="new-secret">whsec_`) || !strings.Contains(page, "need.submitted, need.state_changed") {
				t.Fatalf("adding an endpoint through the page = %d", res.StatusCode)
			}
			status, hooks := admin.json("GET", "/webhooks", "")
			second := hooks["items"].([]any)[1].(map[string]any)
			secondPath := "/admin/webhooks/" + strconv.FormatInt(int64(second["id"].(float64)), 10)
			res, _ = ab.Post(secondPath, url.Values{"url": {rcv.URL + "/second"}, "event_types": {"need.submitted"}, "version": {"1"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("changing the endpoint = %d", res.StatusCode)
			}
			if res, page = ab.Get(secondPath); res.StatusCode != 200 || !strings.Contains(page, `<span class="label">Off</span>`) || strings.Contains(page, "new-secret") {
				t.Fatalf("the changed endpoint's page = %d", res.StatusCode)
			}
			if res, page = ab.Post(secondPath+"/rotate", url.Values{}); res.StatusCode != 200 || !strings.Contains(page, `id="new-secret">whsec_`) {
				t.Fatalf("rotating the secret = %d", res.StatusCode)
			}
			if res, _ = ab.Post(secondPath+"/delete", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("deleting the endpoint = %d", res.StatusCode)
			}
			if status, hooks = admin.json("GET", "/webhooks", ""); status != 200 || len(hooks["items"].([]any)) != 1 {
				t.Fatalf("endpoints after deleting the second = %d %v", status, hooks)
			}

			// A requester may not see or change webhooks…
			b := e.SignIn(t, "requester@example.com")
			for _, path := range []string{"/admin/webhooks", "/admin/webhooks/" + strconv.FormatInt(hookID, 10), "/admin/webhooks/deliveries/" + strconv.FormatInt(logID, 10)} {
				if res, _ := b.Get(path); res.StatusCode != http.StatusForbidden {
					t.Errorf("GET %s as a requester = %d; want 403", path, res.StatusCode)
				}
			}
			if res, _ := b.Post("/admin/webhooks/"+strconv.FormatInt(hookID, 10)+"/delete", url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Errorf("deleting a webhook as a requester = %d; want 403", res.StatusCode)
			}
			reader := apiClient{t, e, e.Token(t, "requester@example.com")}
			for _, op := range [][2]string{{"GET", "/webhooks"}, {"GET", "/notification-deliveries"}, {"POST", hookPath + "/rotate-secret"}} {
				if status, _ := reader.json(op[0], op[1], ""); status != http.StatusForbidden {
					t.Errorf("%s %s as a requester = %d; want 403", op[0], op[1], status)
				}
			}

			// …but has the event in their own inbox, unread, and nobody else does.
			res, page = b.Get("/inbox")
			if res.StatusCode != 200 || !strings.Contains(page, "Your need for a lab notebook was submitted") || !strings.Contains(page, `<span class="label">1<span class="visually-hidden"> unread</span>`) {
				t.Fatalf("the requester's inbox = %d", res.StatusCode)
			}
			if status, c := reader.json("GET", "/inbox/counts", ""); status != 200 || c["unread"] != float64(1) {
				t.Fatalf("requester's counts = %d %v", status, c)
			}
			if status, list := admin.json("GET", "/inbox", ""); status != 200 || strings.Contains(fmt.Sprint(list), "lab notebook") {
				t.Fatalf("the administrator's inbox = %d %v; want it without the requester's item", status, list)
			}
			_, list := reader.json("GET", "/inbox", "")
			itemID := int64(list["items"].([]any)[0].(map[string]any)["id"].(float64))
			if status, _ := admin.json("POST", fmt.Sprintf("/inbox/%d/read", itemID), ""); status != http.StatusNotFound {
				t.Fatalf("the administrator marking the requester's item = %d; want 404", status)
			}
			// Following the item marks it read and opens its page.
			res, _ = b.Post(fmt.Sprintf("/inbox/%d/read", itemID), url.Values{"open": {"1"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/frontdoor" {
				t.Fatalf("opening the item = %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			if status, c := reader.json("GET", "/inbox/counts", ""); status != 200 || c["unread"] != float64(0) || c["total"] != float64(before.Total+1) {
				t.Fatalf("requester's counts after reading = %d %v", status, c)
			}
			if res, page = b.Get("/inbox?unread=1"); res.StatusCode != 200 || !strings.Contains(page, "You have read everything") || strings.Contains(page, "lab notebook") {
				t.Fatalf("the requester's unread items after reading = %d", res.StatusCode)
			}
		})
	}
}

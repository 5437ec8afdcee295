package notify_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/notify"
)

func TestWebhookSignature(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rcv := newReceiver(t)
		w, secret := f.webhook(rcv.URL+"/hook", "need.*")
		if !strings.HasPrefix(secret, notify.SecretPrefix) || len(secret) < 40 || !strings.HasPrefix(secret, strings.TrimSuffix(w.SecretHint, "…")) {
			t.Fatalf("secret %q (hint %q) does not look like a generated secret", secret, w.SecretHint)
		}
		f.publish(notify.Event{Type: "need.submitted", Subject: "NEED-2026-0042", Title: "Lab notebook", Link: "/needs/42",
			Data: map[string]any{"state": "submitted", "department": "BIO"}})
		if n := f.deliverDue(); n != 1 {
			t.Fatalf("DeliverDue attempted %d; want 1", n)
		}
		reqs := rcv.requests()
		if len(reqs) != 1 {
			t.Fatalf("receiver got %d requests; want 1", len(reqs))
		}
		h, body := reqs[0].header, reqs[0].body
		// Verify the way a receiver in any language would, without notify.Sign.
		ts := h.Get("Engage-Timestamp")
		if ts != strconv.FormatInt(start.Unix(), 10) {
			t.Errorf("Engage-Timestamp = %q; want the clock's %d", ts, start.Unix())
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + string(body)))
		if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); h.Get("Engage-Signature") != want {
			t.Fatalf("Engage-Signature = %q; want %q", h.Get("Engage-Signature"), want)
		}
		dl := f.deliveries(w.ID)
		if h.Get("Engage-Event") != "need.submitted" || h.Get("Engage-Delivery") != strconv.FormatInt(dl[0].ID, 10) || h.Get("Content-Type") != "application/json" {
			t.Fatalf("headers = %v", h)
		}
		m := decode(t, body)
		data, _ := m["data"].(map[string]any)
		if m["type"] != "need.submitted" || m["subject"] != "NEED-2026-0042" || m["title"] != "Lab notebook" || m["link"] != "/needs/42" ||
			m["at"] != "2026-03-16T09:30:00Z" || m["id"] != float64(dl[0].EventID) || data["department"] != "BIO" {
			t.Fatalf("body = %s", body)
		}
		// The helper receivers may use agrees, and refuses what it should.
		if err := notify.Verify(secret, h, body, start.Add(time.Minute), 0); err != nil {
			t.Fatalf("Verify of a good request: %v", err)
		}
		if err := notify.Verify(secret, h, append([]byte(nil), append(body, ' ')...), start, 0); err == nil {
			t.Fatal("Verify accepted a changed body")
		}
		if err := notify.Verify("whsec_other", h, body, start, 0); err == nil {
			t.Fatal("Verify accepted another secret")
		}
		if err := notify.Verify(secret, h, body, start.Add(notify.ReplayWindow+time.Second), 0); err == nil {
			t.Fatal("Verify accepted a request older than the replay window")
		}
		if dl := f.delivery(dl[0].ID); dl.State != notify.Delivered || dl.DeliveredAt == nil || len(dl.Attempts) != 1 || dl.Attempts[0].StatusCode != 200 {
			t.Fatalf("delivery after success = %+v", dl)
		}

		// After rotation, deliveries are signed with the new secret.
		_, rotated, err := f.s.RotateWebhookSecret(f.ctx, f.as("admin"), w.ID)
		if err != nil || rotated == secret {
			t.Fatalf("RotateWebhookSecret = %q, %v", rotated, err)
		}
		f.publish(notify.Event{Type: "need.closed", Title: "Closed"})
		f.deliverDue()
		last := rcv.requests()[1]
		if err := notify.Verify(rotated, last.header, last.body, start, 0); err != nil {
			t.Fatalf("delivery after rotation does not verify with the new secret: %v", err)
		}
		if err := notify.Verify(secret, last.header, last.body, start, 0); err == nil {
			t.Fatal("delivery after rotation still verifies with the old secret")
		}
	})
}

func TestRetryDelay(t *testing.T) {
	for attempt, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute, 5: 8 * time.Minute,
		8: 64 * time.Minute, 10: 256 * time.Minute, 11: 6 * time.Hour, 30: 6 * time.Hour,
	} {
		if got := notify.RetryDelay(attempt); got != want {
			t.Errorf("RetryDelay(%d) = %s; want %s", attempt, got, want)
		}
	}
}

func TestRetryWithBackoff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rcv := newReceiver(t, 500, 502, 200)
		w, _ := f.webhook(rcv.URL)
		f.publish(notify.Event{Type: "need.submitted", Title: "Retry me"})
		id := f.deliveries(w.ID)[0].ID

		step := func(advance time.Duration, wantAttempted, wantHits int) {
			t.Helper()
			f.clock.Advance(advance)
			if n := f.deliverDue(); n != wantAttempted {
				t.Fatalf("at +%s DeliverDue attempted %d; want %d", f.clock.Now().Sub(start), n, wantAttempted)
			}
			if got := len(rcv.requests()); got != wantHits {
				t.Fatalf("at +%s the receiver has %d requests; want %d", f.clock.Now().Sub(start), got, wantHits)
			}
		}
		step(0, 1, 1) // 500
		dl := f.delivery(id)
		// The first retry waits 30 s plus up to 10% jitter.
		if dl.State != notify.Pending || dl.NextAttemptAt == nil || dl.NextAttemptAt.Before(start.Add(30*time.Second)) || dl.NextAttemptAt.After(start.Add(33*time.Second)) {
			t.Fatalf("after the first failure = %+v; want pending, next attempt 30–33 s later", dl)
		}
		step(0, 0, 1)              // not due yet
		step(29*time.Second, 0, 1) // +29 s: still not due
		step(5*time.Second, 1, 2)  // +34 s: 502
		second := f.clock.Now()    // the next wait is 60 s plus up to 6 s
		step(59*time.Second, 0, 2) // +59 s after the second: not due
		step(8*time.Second, 1, 3)  // +67 s after the second: 200
		step(24*time.Hour, 0, 3)   // delivered: never again
		dl = f.delivery(id)
		var statuses []int
		for _, a := range dl.Attempts {
			statuses = append(statuses, a.StatusCode)
		}
		if dl.State != notify.Delivered || dl.AttemptCount != 3 || !slices.Equal(statuses, []int{500, 502, 200}) {
			t.Fatalf("delivery = %s after %d attempts with statuses %v; want delivered after 500, 502, 200", dl.State, dl.AttemptCount, statuses)
		}
		if dl.Attempts[0].ResponseBody != "answer 500" || !dl.Attempts[0].At.Equal(start) || !dl.Attempts[2].At.Equal(second.Add(67*time.Second)) {
			t.Fatalf("attempt log = %+v", dl.Attempts)
		}
		if dl.DeliveredAt == nil || !dl.DeliveredAt.Equal(dl.Attempts[2].At) || dl.LastStatus != 200 || dl.LastError != "" {
			t.Fatalf("delivered delivery = %+v", dl)
		}
		// Every retry carries the same delivery id, so receivers can deduplicate.
		if ids := rcv.deliveryIDs(); len(ids) != 1 || ids[strconv.FormatInt(id, 10)] != 3 {
			t.Fatalf("Engage-Delivery ids seen = %v", ids)
		}
	})
}

func TestFailedAfterMaxAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.MaxAttempts = 3
		rcv := newReceiver(t, 503)
		w, _ := f.webhook(rcv.URL)
		f.publish(notify.Event{Type: "need.submitted", Title: "Never arrives"})
		id := f.deliveries(w.ID)[0].ID
		for i := 0; i < 6; i++ {
			f.deliverDue()
			f.clock.Advance(7 * time.Hour) // past any backoff
		}
		dl := f.delivery(id)
		if dl.State != notify.Failed || dl.AttemptCount != 3 || len(dl.Attempts) != 3 || len(rcv.requests()) != 3 || dl.LastStatus != 503 || dl.NextAttemptAt != nil {
			t.Fatalf("after 6 rounds = %s, %d attempts (%d logged), %d requests, last status %d; want failed after 3",
				dl.State, dl.AttemptCount, len(dl.Attempts), len(rcv.requests()), dl.LastStatus)
		}
		if hooks, _, _ := f.s.ListWebhooks(f.ctx, f.as("admin"), "", 0); hooks[0].Failed != 1 || hooks[0].Pending != 0 {
			t.Fatalf("webhook counts = %+v", hooks[0])
		}

		// Only an administrator may retry; a retry is audited and gives one
		// more attempt.
		_, err := f.s.RetryDelivery(f.ctx, f.as("alice"), id)
		wantCode(t, err, engage.EFORBIDDEN)
		dl, err = f.s.RetryDelivery(f.ctx, f.as("admin"), id)
		if err != nil || dl.State != notify.Pending || dl.NextAttemptAt == nil || !dl.NextAttemptAt.Equal(f.clock.Now()) {
			t.Fatalf("RetryDelivery = %+v, %v", dl, err)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'retry' AND entity_type = 'notification_delivery' AND entity_id = ?", strconv.FormatInt(id, 10)); n != 1 {
			t.Fatalf("retry audit events = %d; want 1", n)
		}
		if n := f.deliverDue(); n != 1 || len(rcv.requests()) != 4 {
			t.Fatalf("retry now: attempted %d, requests %d; want 1, 4", n, len(rcv.requests()))
		}
		if dl := f.delivery(id); dl.State != notify.Failed || len(dl.Attempts) != 4 {
			t.Fatalf("after a failed retry = %s with %d attempts; want failed with 4", dl.State, len(dl.Attempts))
		}
	})
}

func TestConcurrentWorkersNeverSendTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rcv := newReceiver(t)
		f.webhook(rcv.URL)
		const events = 60
		for i := 0; i < events; i++ {
			f.publish(notify.Event{Type: "need.submitted", Title: "Event " + strconv.Itoa(i)})
		}
		// Two replicas: separate services (and HTTP clients) over one database.
		other := notify.New(d, f.clock, nil)
		other.AllowPrivateTargets = true
		f.s.BatchSize, other.BatchSize = 7, 7
		var wg sync.WaitGroup
		var mu sync.Mutex
		attempted := 0
		for _, s := range []*notify.Service{f.s, other, f.s, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := s.DeliverDue(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
					mu.Lock()
					attempted += n
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		ids := rcv.deliveryIDs()
		for id, n := range ids {
			if n != 1 {
				t.Errorf("delivery %s was sent %d times", id, n)
			}
		}
		if len(ids) != events || attempted != events {
			t.Fatalf("%d distinct deliveries received, %d attempted; want %d and %d", len(ids), attempted, events, events)
		}
		if n := f.count("SELECT COUNT(*) FROM notify_deliveries WHERE state = 'delivered' AND attempts = 1"); n != events {
			t.Fatalf("%d deliveries delivered at the first attempt; want %d", n, events)
		}
	})
}

func TestPrivateTargetsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.AllowPrivateTargets = false
		admin := f.as("admin")
		for _, u := range []string{
			"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://api.localhost/hook", "http://10.1.2.3/hook",
			"http://172.16.0.1/hook", "http://192.168.1.10/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
			"http://[fd00::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://100.64.0.1/hook",
			"ftp://hooks.example.com/", "hooks.example.com/engage", "https://user:pw@hooks.example.com/", "",
		} {
			_, _, err := f.s.CreateWebhook(f.ctx, admin, notify.WebhookInput{URL: u, Active: true})
			fields := engage.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != "url" {
				t.Errorf("CreateWebhook(%q) = %v; want the url refused", u, err)
			}
		}
		// A public address literal needs no name lookup and is accepted.
		if _, _, err := f.s.CreateWebhook(f.ctx, admin, notify.WebhookInput{URL: "https://93.184.215.14/engage", Active: true}); err != nil {
			t.Fatalf("a public address was refused: %v", err)
		}

		// An endpoint that got in anyway (here written directly, as one
		// whose name later resolves inside would be) is refused when
		// connecting, and the receiver never hears of it.
		rcv := newReceiver(t)
		now := f.clock.Now()
		if _, err := d.Exec(f.ctx, `INSERT INTO notify_webhooks(url, event_types, secret, active, created_at, updated_at) VALUES (?, '[]', 'whsec_x', ?, ?, ?)`,
			rcv.URL, true, now, now); err != nil {
			t.Fatal(err)
		}
		f.publish(notify.Event{Type: "need.submitted", Title: "Inside job"})
		f.deliverDue()
		if len(rcv.requests()) != 0 {
			t.Fatal("a webhook reached a loopback receiver without AllowPrivateTargets")
		}
		var lastErr string
		if err := d.QueryRow(f.ctx, "SELECT a.error FROM notify_attempts a JOIN notify_deliveries d ON d.id = a.delivery_id JOIN notify_webhooks w ON w.id = d.webhook_id WHERE w.url = ?", rcv.URL).Scan(&lastErr); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(lastErr, "internal address") {
			t.Fatalf("attempt error = %q; want it to name the internal address", lastErr)
		}

		// With the option, a loopback receiver is accepted.
		f.s.AllowPrivateTargets = true
		if _, _, err := f.s.CreateWebhook(f.ctx, admin, notify.WebhookInput{URL: rcv.URL, Active: true}); err != nil {
			t.Fatalf("with AllowPrivateTargets, %s was refused: %v", rcv.URL, err)
		}
	})
}

func TestWebhooksAreForAdministratorsAndAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		alice := f.as("alice")
		_, _, err := f.s.CreateWebhook(f.ctx, alice, notify.WebhookInput{URL: "http://127.0.0.1/x", Active: true})
		wantCode(t, err, engage.EFORBIDDEN)
		_, _, err = f.s.ListWebhooks(f.ctx, alice, "", 0)
		wantCode(t, err, engage.EFORBIDDEN)
		_, _, err = f.s.ListDeliveries(f.ctx, alice, notify.DeliveryFilter{})
		wantCode(t, err, engage.EFORBIDDEN)

		w, _ := f.webhook("http://127.0.0.1:9/hook", "need.*", "approval.requested")
		if !slices.Equal(w.EventTypes, []string{"need.*", "approval.requested"}) || !w.Active || w.Version != 1 {
			t.Fatalf("created webhook = %+v", w)
		}
		_, err = f.s.UpdateWebhook(f.ctx, alice, w.ID, w.Version, w.Input())
		wantCode(t, err, engage.EFORBIDDEN)
		in := w.Input()
		in.Description = "Service desk"
		w2, err := f.s.UpdateWebhook(f.ctx, f.as("admin"), w.ID, w.Version, in)
		if err != nil || w2.Version != 2 || w2.Description != "Service desk" {
			t.Fatalf("UpdateWebhook = %+v, %v", w2, err)
		}
		_, err = f.s.UpdateWebhook(f.ctx, f.as("admin"), w.ID, w.Version, in)
		wantCode(t, err, engage.ECONFLICT)
		_, _, err = f.s.RotateWebhookSecret(f.ctx, alice, w.ID)
		wantCode(t, err, engage.EFORBIDDEN)
		if _, _, err := f.s.RotateWebhookSecret(f.ctx, f.as("admin"), w.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.s.DeleteWebhook(f.ctx, alice, w.ID), engage.EFORBIDDEN)
		if err := f.s.DeleteWebhook(f.ctx, f.as("admin"), w.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.FindWebhook(f.ctx, f.as("admin"), w.ID)
		wantCode(t, err, engage.ENOTFOUND)

		var actions []string
		r, err := d.Query(f.ctx, "SELECT action, COALESCE(before_json, ''), COALESCE(after_json, '') FROM audit_events WHERE entity_type = 'webhook' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var action, before, after string
			if err := r.Scan(&action, &before, &after); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(before+after, "whsec_") && !strings.Contains(before+after, "…") {
				t.Errorf("the audit of %s holds a whole secret: %s %s", action, before, after)
			}
			actions = append(actions, action)
		}
		if !slices.Equal(actions, []string{"create", "update", "rotate_secret", "delete"}) {
			t.Fatalf("audited actions = %v", actions)
		}
	})
}

func TestEmailGoesThroughTheQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// Without SMTP nothing is queued and nothing fails.
		f.publish(notify.Event{Type: "need.submitted", Title: "No mail", Recipients: f.ids("alice")})
		if n := f.count("SELECT COUNT(*) FROM notify_deliveries"); n != 0 || f.s.EmailEnabled() {
			t.Fatalf("without SMTP, %d deliveries were queued", n)
		}

		mailer := &fakeMailer{fail: true}
		f.s.Mailer, f.s.BaseURL = mailer, "https://engage.example.com/"
		f.publish(notify.Event{Type: "need.submitted", Subject: "NEED-2026-0042", Title: "Lab notebook\nsubmitted", Link: "/needs/42",
			Recipients: f.ids("alice", "gone")})
		list, _, err := f.s.ListDeliveries(f.ctx, f.as("admin"), notify.DeliveryFilter{Channel: notify.ChannelEmail})
		if err != nil || len(list) != 1 || list[0].Recipient != "alice@example.com" {
			t.Fatalf("e-mail deliveries = %+v, %v; want one, to alice (gone is inactive)", list, err)
		}
		f.deliverDue() // the server is down: retried later
		if dl := f.delivery(list[0].ID); dl.State != notify.Pending || len(dl.Attempts) != 1 || dl.Attempts[0].Error == "" {
			t.Fatalf("after a failed send = %+v", dl)
		}
		mailer.mu.Lock()
		mailer.fail = false
		mailer.mu.Unlock()
		f.clock.Advance(time.Minute)
		f.deliverDue()
		if len(mailer.sent) != 1 {
			t.Fatalf("sent %d e-mails; want 1", len(mailer.sent))
		}
		m := mailer.sent[0]
		if m.To != "alice@example.com" || m.Subject != "NEED-2026-0042: Lab notebook submitted" ||
			!strings.Contains(m.Body, "https://engage.example.com/needs/42") || !strings.Contains(m.Body, "https://engage.example.com/inbox") {
			t.Fatalf("e-mail = %+v", m)
		}
		if dl := f.delivery(list[0].ID); dl.State != notify.Delivered {
			t.Fatalf("e-mail delivery = %s; want delivered", dl.State)
		}
	})
}

// The receiver's answer is kept to 1 KB.
func TestAttemptKeepsOnlyTheStartOfTheAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		big := newBigReceiver(t)
		w, _ := f.webhook(big)
		f.publish(notify.Event{Type: "need.submitted", Title: "Big answer"})
		f.deliverDue()
		dl := f.delivery(f.deliveries(w.ID)[0].ID)
		if len(dl.Attempts) != 1 || len(dl.Attempts[0].ResponseBody) != notify.MaxResponseLog || dl.Attempts[0].StatusCode != 500 {
			t.Fatalf("attempt = %d bytes of answer, status %d; want %d bytes, 500", len(dl.Attempts[0].ResponseBody), dl.Attempts[0].StatusCode, notify.MaxResponseLog)
		}
	})
}

func newBigReceiver(t *testing.T) string {
	rcv := newReceiver(t)
	rcv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(strings.Repeat("x", 5000)))
	})
	return rcv.URL
}

// TestSMTPMailer sends through the real SMTP client to a minimal server
// that records the conversation.
func TestSMTPMailer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		srv := newSMTPServer(t)
		f.s.SMTP = notify.SMTPConfig{Host: "127.0.0.1", Port: srv.port, From: "Engage <engage@example.com>", Username: "engage", Password: "pw"}
		f.s.BaseURL = "https://engage.example.com"
		f.publish(notify.Event{Type: "need.submitted", Subject: "NEED-2026-0042", Title: "Électronique submitted", Link: "/needs/42", Recipients: f.ids("bob")})
		if n := f.deliverDue(); n != 1 {
			t.Fatalf("DeliverDue attempted %d; want 1", n)
		}
		conv := srv.conversation()
		for _, want := range []string{"AUTH PLAIN", "MAIL FROM:<engage@example.com>", "RCPT TO:<bob@example.com>",
			"Subject: =?utf-8?q?NEED-2026-0042:_=C3=89lectronique_submitted?=", "See it in Engage: https://engage.example.com/needs/42", "QUIT"} {
			if !strings.Contains(conv, want) {
				t.Errorf("the SMTP conversation lacks %q:\n%s", want, conv)
			}
		}
		list, _, _ := f.s.ListDeliveries(f.ctx, f.as("admin"), notify.DeliveryFilter{Channel: notify.ChannelEmail})
		if len(list) != 1 || list[0].State != notify.Delivered {
			t.Fatalf("e-mail deliveries = %+v", list)
		}
	})
}

type smtpServer struct {
	port int
	mu   sync.Mutex
	log  strings.Builder
}

func (s *smtpServer) conversation() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func newSMTPServer(t *testing.T) *smtpServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpServer{port: l.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprintf(conn, "%s\r\n", line) }
	say("220 test ESMTP")
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		s.mu.Lock()
		s.log.WriteString(line)
		s.mu.Unlock()
		cmd := strings.TrimRight(line, "\r\n")
		switch {
		case inData:
			if cmd == "." {
				inData = false
				say("250 queued")
			}
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-test")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(cmd, "AUTH"):
			say("235 ok")
		case cmd == "DATA":
			inData = true
			say("354 go on")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

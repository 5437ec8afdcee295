package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
)

// start is the instant the test clock starts at: Monday 16 March 2026.
var start = time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)

// fixture is a service over a fresh database holding four people: alice,
// bob and carol (active) and gone (inactive), plus admin.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	s      *notify.Service
	clock  *engage.FixedClock
	person map[string]int64
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(start)
	f := &fixture{t: t, ctx: ctx, d: d, clock: clock, person: map[string]int64{}}
	f.s = notify.New(d, clock, nil)
	f.s.AllowPrivateTargets = true // the receivers below run on 127.0.0.1
	err := d.Transact(ctx, func(tx *db.Tx) error {
		for _, p := range []struct {
			name   string
			active bool
		}{{"alice", true}, {"bob", true}, {"carol", true}, {"gone", false}, {"admin", true}} {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO people(email, name, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				p.name+"@example.com", p.name, p.active, start, start).Scan(&id); err != nil {
				return err
			}
			f.person[p.name] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// as returns the principal of a fixture person.
func (f *fixture) as(name string) *access.Principal {
	p := &access.Principal{PersonID: f.person[name], Name: name, Via: "session"}
	if name == "admin" {
		p.Roles = []access.Role{access.Admin}
	}
	return p
}

func (f *fixture) ids(names ...string) []int64 {
	var out []int64
	for _, n := range names {
		out = append(out, f.person[n])
	}
	return out
}

// publish publishes ev in a transaction of its own, as a caller would.
func (f *fixture) publish(ev notify.Event) {
	f.t.Helper()
	if err := f.d.Transact(f.ctx, func(tx *db.Tx) error { return f.s.Publish(f.ctx, tx, ev) }); err != nil {
		f.t.Fatalf("publishing %s: %v", ev.Type, err)
	}
}

func (f *fixture) webhook(url string, types ...string) (notify.Webhook, string) {
	f.t.Helper()
	w, secret, err := f.s.CreateWebhook(f.ctx, f.as("admin"), notify.WebhookInput{URL: url, EventTypes: types, Active: true})
	if err != nil {
		f.t.Fatalf("creating webhook %s: %v", url, err)
	}
	return w, secret
}

func (f *fixture) deliverDue() int {
	f.t.Helper()
	n, err := f.s.DeliverDue(f.ctx)
	if err != nil {
		f.t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) deliveries(webhookID int64) []notify.Delivery {
	f.t.Helper()
	list, _, err := f.s.ListDeliveries(f.ctx, f.as("admin"), notify.DeliveryFilter{WebhookID: webhookID, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *fixture) delivery(id int64) notify.Delivery {
	f.t.Helper()
	d, err := f.s.FindDelivery(f.ctx, f.as("admin"), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// receiver is a webhook endpoint that answers with the statuses it is
// given in turn (the last one from then on) and remembers every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), body})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte("answer " + strconv.Itoa(status)))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// deliveryIDs counts the requests per Engage-Delivery header.
func (r *receiver) deliveryIDs() map[string]int {
	out := map[string]int{}
	for _, g := range r.requests() {
		out[g.header.Get("Engage-Delivery")]++
	}
	return out
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := engage.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q); want code %q", err, got, code)
	}
}

// fakeMailer remembers what it was asked to send.
type fakeMailer struct {
	mu   sync.Mutex
	sent []notify.Mail
	fail bool
}

func (m *fakeMailer) Send(_ context.Context, msg notify.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return io.ErrUnexpectedEOF
	}
	m.sent = append(m.sent, msg)
	return nil
}

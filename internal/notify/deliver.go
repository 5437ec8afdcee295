package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// Retry timing.
const (
	FirstRetryDelay = 30 * time.Second
	MaxRetryDelay   = 6 * time.Hour
)

// sendConcurrency is how many deliveries one DeliverDue sends at once.
const sendConcurrency = 4

// RetryDelay is the wait after failed attempt number attempt (1, 2, …)
// before jitter: 30 s × 2^(attempt−1), at most 6 h.
func RetryDelay(attempt int) time.Duration {
	d := FirstRetryDelay
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= MaxRetryDelay {
			return MaxRetryDelay
		}
	}
	return d
}

// retryAfter adds up to 10% jitter to RetryDelay, so that deliveries that
// failed together do not all come back at the same instant.
func retryAfter(attempt int) time.Duration {
	d := RetryDelay(attempt)
	return min(d+rand.N(d/10+1), MaxRetryDelay)
}

// Run sends due deliveries until ctx ends, looking every PollInterval (at
// once again when a full batch was due). Sends in flight when ctx ends are
// finished and recorded, each within SendTimeout, before Run returns.
func (s *Service) Run(ctx context.Context) {
	log := s.logger()
	log.Info("notification delivery worker started", "poll_interval", s.pollInterval(), "email", s.EmailEnabled())
	defer log.Info("notification delivery worker stopped")
	tick := time.NewTicker(s.pollInterval())
	defer tick.Stop()
	for {
		n, err := s.DeliverDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("delivering notifications", "err", err)
		}
		if err == nil && n >= s.batchSize() {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DeliverDue claims the deliveries due now (at most BatchSize), sends them
// and records each attempt; it returns how many it attempted. Several
// workers may call it at once, in one process or many: each row is claimed
// by one of them.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	claims, err := s.claim(ctx, s.Clock.Now())
	if err != nil || len(claims) == 0 {
		return 0, err
	}
	// A claimed row is sent and recorded even if ctx ends meanwhile: the
	// HTTP and SMTP timeouts bound the wait, and an unrecorded attempt
	// would be sent again when the claim expires.
	sendCtx := context.WithoutCancel(ctx)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, sendConcurrency)
	)
	held := newHeldClaims(claims)
	stopRenewing := s.renewWhileSending(sendCtx, held)
	defer stopRenewing()
	for _, c := range claims {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer held.release(c.id)
			if err := s.deliver(sendCtx, c); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(claims), errors.Join(errs...)
}

// heldClaims are the claims of one DeliverDue not yet recorded.
type heldClaims struct {
	mu     sync.Mutex
	claims map[int64]int // delivery id → attempt
}

func newHeldClaims(claims []claim) *heldClaims {
	h := &heldClaims{claims: make(map[int64]int, len(claims))}
	for _, c := range claims {
		h.claims[c.id] = c.attempt
	}
	return h
}

func (h *heldClaims) release(id int64) {
	h.mu.Lock()
	delete(h.claims, id)
	h.mu.Unlock()
}

func (h *heldClaims) list() []claim {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]claim, 0, len(h.claims))
	for id, attempt := range h.claims {
		out = append(out, claim{id: id, attempt: attempt})
	}
	return out
}

// renewWhileSending renews the leases of the held claims every
// LeaseRenewal until the returned function is called, so that claims
// waiting for their turn or on a slow endpoint stay this worker's while it
// lives, and a short lease frees them soon after it dies.
func (s *Service) renewWhileSending(ctx context.Context, held *heldClaims) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(s.leaseRenewal())
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := s.renew(ctx, held.list()); err != nil {
					s.logger().Warn("renewing delivery claims", "err", err)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// renew extends claims to now+ClaimLease. A claim is renewed only while it
// is still this worker's: unrecorded, and not taken over by another worker
// after it lapsed (which counted another attempt).
func (s *Service) renew(ctx context.Context, claims []claim) error {
	if len(claims) == 0 {
		return nil
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		until := s.Clock.Now().Add(ClaimLease)
		for _, c := range claims {
			if _, err := tx.Exec(ctx, `UPDATE notify_deliveries SET claimed_until = ?
				WHERE id = ? AND attempts = ? AND state = ? AND claimed_until IS NOT NULL`, until, c.id, c.attempt, Pending); err != nil {
				return fmt.Errorf("renewing the claim on delivery %d: %w", c.id, err)
			}
		}
		return nil
	})
}

type claim struct {
	id      int64
	attempt int // the number of the attempt about to be made
}

const dueWhere = "state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)"

// claim marks up to BatchSize due deliveries as taken until now+ClaimLease
// and counts the attempt about to be made.
func (s *Service) claim(ctx context.Context, now time.Time) ([]claim, error) {
	// A read first, so that an idle worker does not take SQLite's write
	// lock (or open a PostgreSQL transaction) every second for nothing.
	var due int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM notify_deliveries WHERE "+dueWhere+" LIMIT 1) AS due", now, now).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("looking for due deliveries: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []claim
	until := now.Add(ClaimLease)
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		out = out[:0]
		if tx.Engine() == db.Postgres {
			// SKIP LOCKED: rows another replica is claiming right now are
			// passed over instead of waited for, and never taken twice.
			r, err := tx.Query(ctx, `WITH due AS MATERIALIZED (
					SELECT id FROM notify_deliveries WHERE `+dueWhere+`
					ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE notify_deliveries d SET claimed_until = ?, attempts = d.attempts + 1, updated_at = ?
				FROM due WHERE d.id = due.id RETURNING d.id, d.attempts`, now, now, s.batchSize(), until, now)
			if err != nil {
				return fmt.Errorf("claiming due deliveries: %w", err)
			}
			defer r.Close()
			for r.Next() {
				var c claim
				if err := r.Scan(&c.id, &c.attempt); err != nil {
					return fmt.Errorf("claiming due deliveries: %w", err)
				}
				out = append(out, c)
			}
			return r.Err()
		}
		// SQLite has one writer, and this transaction holds it from its
		// start: the conditional UPDATE below cannot interleave with
		// another claim, in this process or another.
		ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM notify_deliveries WHERE "+dueWhere+" ORDER BY next_attempt_at, id LIMIT ?", now, now, s.batchSize())
		if err != nil {
			return fmt.Errorf("finding due deliveries: %w", err)
		}
		for _, id := range ids {
			c := claim{id: id}
			err := tx.QueryRow(ctx, `UPDATE notify_deliveries SET claimed_until = ?, attempts = attempts + 1, updated_at = ?
				WHERE id = ? AND `+dueWhere+` RETURNING attempts`, until, now, id, now, now).Scan(&c.attempt)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("claiming delivery %d: %w", id, err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// job is a claimed delivery with what sending it needs.
type job struct {
	claim
	channel   string
	recipient string
	event     payload
	url       string
	secret    string
	active    bool
}

// payload is the JSON body of a webhook request.
type payload struct {
	ID      int64           `json:"id"`
	Type    string          `json:"type"`
	Subject string          `json:"subject"`
	Title   string          `json:"title"`
	Link    string          `json:"link"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

func (s *Service) loadJob(ctx context.Context, c claim) (job, error) {
	j := job{claim: c}
	var data string
	var url, secret sql.NullString
	var active sql.NullBool
	err := s.DB.QueryRow(ctx, `SELECT d.channel, d.recipient, e.id, e.type, e.subject, e.title, e.link, e.at, e.data_json, w.url, w.secret, w.active
		FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id LEFT JOIN notify_webhooks w ON w.id = d.webhook_id
		WHERE d.id = ?`, c.id).Scan(&j.channel, &j.recipient, &j.event.ID, &j.event.Type, &j.event.Subject, &j.event.Title, &j.event.Link,
		&j.event.At, &data, &url, &secret, &active)
	if err != nil {
		return j, fmt.Errorf("reading delivery %d: %w", c.id, err)
	}
	j.event.At = j.event.At.UTC()
	j.event.Data = json.RawMessage(data)
	j.url, j.secret, j.active = url.String, secret.String, active.Bool
	return j, nil
}

// deliver sends one claimed delivery and records the attempt.
func (s *Service) deliver(ctx context.Context, c claim) error {
	j, err := s.loadJob(ctx, c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // its endpoint was deleted meanwhile
	} else if err != nil {
		return err
	}
	at := s.Clock.Now()
	started := time.Now()
	var a Attempt
	final := false
	switch {
	case j.channel == ChannelWebhook && !j.active:
		a.Error, final = "The endpoint is switched off; retry once it is on again.", true
	case j.channel == ChannelWebhook:
		a = s.sendWebhook(ctx, j)
	case j.channel == ChannelEmail:
		if m := s.mailer(); m == nil {
			a.Error, final = "E-mail is not configured; retry once it is.", true
		} else if err := m.Send(ctx, s.mail(j)); err != nil {
			a.Error = err.Error()
		}
	default:
		a.Error, final = "Unknown channel "+j.channel, true
	}
	a.Number, a.At, a.DurationMS = j.attempt, at, time.Since(started).Milliseconds()
	a.Error = truncate(a.Error, 1000)
	return s.record(ctx, j, a, final)
}

func (s *Service) sendWebhook(ctx context.Context, j job) Attempt {
	var a Attempt
	body, err := json.Marshal(j.event)
	if err != nil {
		a.Error = "Encoding the event: " + err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, strings.NewReader(string(body)))
	if err != nil {
		a.Error = "Building the request: " + err.Error()
		return a
	}
	ts := s.Clock.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Engage-Webhooks/1")
	req.Header.Set("Engage-Event", j.event.Type)
	req.Header.Set("Engage-Delivery", strconv.FormatInt(j.id, 10))
	req.Header.Set("Engage-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("Engage-Signature", Sign(j.secret, ts, body))
	res, err := s.httpClient().Do(req)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	defer res.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(res.Body, MaxResponseLog))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	a.StatusCode = res.StatusCode
	a.ResponseBody = cleanText(head)
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		a.Error = "Redirects are not followed: point the endpoint at the final URL (" + res.Header.Get("Location") + ")."
	}
	return a
}

// record logs the attempt and moves the delivery on: delivered, failed
// after its last attempt, or pending again after a backoff. The update
// applies only while the row is still this worker's claim.
func (s *Service) record(ctx context.Context, j job, a Attempt, final bool) error {
	log := s.logger().With("delivery_id", j.id, "channel", j.channel, "event_type", j.event.Type, "attempt", a.Number)
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO notify_attempts(delivery_id, number, at, duration_ms, status_code, response_body, error)
			SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM notify_deliveries WHERE id = ?)`,
			j.id, a.Number, a.At, a.DurationMS, a.StatusCode, a.ResponseBody, a.Error, j.id); err != nil {
			return fmt.Errorf("logging attempt %d of delivery %d: %w", a.Number, j.id, err)
		}
		var q string
		var args []any
		switch {
		case a.OK():
			q, args = "state = ?, delivered_at = ?, last_error = ''", []any{Delivered, now}
			log.Info("notification delivered", "status", a.StatusCode, "duration_ms", a.DurationMS)
		case final || a.Number >= s.maxAttempts():
			q, args = "state = ?, last_error = ?", []any{Failed, a.Error}
			log.Warn("notification delivery failed for good", "status", a.StatusCode, "err", a.Error)
		default:
			next := now.Add(retryAfter(a.Number))
			q, args = "next_attempt_at = ?, last_error = ?", []any{next, a.Error}
			log.Info("notification delivery will be retried", "status", a.StatusCode, "err", a.Error, "next_attempt_at", next)
		}
		args = append(args, a.StatusCode, now, j.id, a.Number, Pending)
		if _, err := tx.Exec(ctx, "UPDATE notify_deliveries SET "+q+", last_status = ?, claimed_until = NULL, updated_at = ? WHERE id = ? AND attempts = ? AND state = ?", args...); err != nil {
			return fmt.Errorf("recording attempt %d of delivery %d: %w", a.Number, j.id, err)
		}
		return nil
	})
}

func (s *Service) httpClient() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	s.clientOnce.Do(func() {
		dialer := &net.Dialer{Timeout: SendTimeout, KeepAlive: 30 * time.Second}
		if !s.AllowPrivateTargets {
			dialer.Control = RefuseInternal
		}
		transport := &http.Transport{
			Proxy:                 nil, // a proxy would hide the address the guard checks
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          20,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   SendTimeout,
			ResponseHeaderTimeout: SendTimeout,
		}
		s.client = &http.Client{Transport: transport, Timeout: SendTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	})
	return s.client
}

// RefuseInternal, as a net.Dialer's Control, runs for every connection after
// the name is resolved and refuses loopback, private, link-local, shared,
// unspecified and multicast addresses: a webhook endpoint whose name comes to
// resolve to an internal address is refused here even though it passed when
// saved, and so is any other outgoing request guarded with it (the Backstage
// pull), redirects included.
func RefuseInternal(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || blockedAddr(addr) {
		return fmt.Errorf("refusing to connect to the internal address %s", host)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// cleanText makes a response body storable as text on both engines (valid
// UTF-8, no NUL bytes).
func cleanText(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "")
}

// --- the delivery log ---

const deliveryColumns = `d.id, d.event_id, e.type, e.subject, e.title, d.channel, d.webhook_id, COALESCE(w.url, ''), d.recipient, d.state,
	d.attempts, d.next_attempt_at, d.claimed_until, d.last_status, d.last_error, d.created_at, d.updated_at, d.delivered_at
	FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id LEFT JOIN notify_webhooks w ON w.id = d.webhook_id`

func scanDelivery(row db.Scanner) (Delivery, *time.Time, error) {
	var d Delivery
	var webhookID sql.NullInt64
	var next time.Time
	var claimed, delivered sql.NullTime
	if err := row.Scan(&d.ID, &d.EventID, &d.EventType, &d.Subject, &d.Title, &d.Channel, &webhookID, &d.WebhookURL, &d.Recipient, &d.State,
		&d.AttemptCount, &next, &claimed, &d.LastStatus, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &delivered); err != nil {
		return d, nil, err
	}
	d.WebhookID = webhookID.Int64
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if d.State == Pending {
		n := next.UTC()
		d.NextAttemptAt = &n
	}
	if delivered.Valid {
		t := delivered.Time.UTC()
		d.DeliveredAt = &t
	}
	var claimedUntil *time.Time
	if claimed.Valid {
		t := claimed.Time.UTC()
		claimedUntil = &t
	}
	return d, claimedUntil, nil
}

// ListDeliveries lists deliveries, newest first. Administrators only.
func (s *Service) ListDeliveries(ctx context.Context, p *access.Principal, f DeliveryFilter) ([]Delivery, string, error) {
	if err := requireAdmin(p, "see the delivery log"); err != nil {
		return nil, "", err
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := paging.Limit(f.Limit)
	where, args := []string{"1=1"}, []any{}
	if f.WebhookID != 0 {
		where, args = append(where, "d.webhook_id = ?"), append(args, f.WebhookID)
	}
	switch f.State {
	case "":
	case Pending, Delivered, Failed:
		where, args = append(where, "d.state = ?"), append(args, f.State)
	default:
		return nil, "", invalid("state", "Choose pending, delivered or failed.")
	}
	switch f.Channel {
	case "":
	case ChannelWebhook, ChannelEmail:
		where, args = append(where, "d.channel = ?"), append(args, f.Channel)
	default:
		return nil, "", invalid("channel", "Choose webhook or email.")
	}
	if cur != nil {
		where, args = append(where, "d.id < ?"), append(args, cur.ID)
	}
	args = append(args, limit+1)
	r, err := s.DB.Query(ctx, "SELECT "+deliveryColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY d.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing deliveries: %w", err)
	}
	defer r.Close()
	var out []Delivery
	for r.Next() {
		d, _, err := scanDelivery(r)
		if err != nil {
			return nil, "", fmt.Errorf("reading a delivery: %w", err)
		}
		out = append(out, d)
	}
	if err := r.Err(); err != nil {
		return nil, "", fmt.Errorf("listing deliveries: %w", err)
	}
	out, next := paging.Trim(out, limit, func(x Delivery) paging.Cursor { return paging.Cursor{ID: x.ID} })
	return out, next, nil
}

// FindDelivery returns one delivery with all its attempts. Administrators
// only.
func (s *Service) FindDelivery(ctx context.Context, p *access.Principal, id int64) (Delivery, error) {
	if err := requireAdmin(p, "see the delivery log"); err != nil {
		return Delivery{}, err
	}
	d, _, err := findDelivery(ctx, s.DB, id)
	return d, err
}

func findDelivery(ctx context.Context, q db.Querier, id int64) (Delivery, *time.Time, error) {
	d, claimed, err := scanDelivery(q.QueryRow(ctx, "SELECT "+deliveryColumns+" WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, engage.Errorf(engage.ENOTFOUND, "No delivery with id %d.", id)
	} else if err != nil {
		return d, nil, fmt.Errorf("reading delivery %d: %w", id, err)
	}
	r, err := q.Query(ctx, "SELECT number, at, duration_ms, status_code, response_body, error FROM notify_attempts WHERE delivery_id = ? ORDER BY id", id)
	if err != nil {
		return d, nil, fmt.Errorf("reading the attempts of delivery %d: %w", id, err)
	}
	defer r.Close()
	d.Attempts = []Attempt{}
	for r.Next() {
		var a Attempt
		if err := r.Scan(&a.Number, &a.At, &a.DurationMS, &a.StatusCode, &a.ResponseBody, &a.Error); err != nil {
			return d, nil, fmt.Errorf("reading the attempts of delivery %d: %w", id, err)
		}
		a.At = a.At.UTC()
		d.Attempts = append(d.Attempts, a)
	}
	if err := r.Err(); err != nil {
		return d, nil, fmt.Errorf("reading the attempts of delivery %d: %w", id, err)
	}
	return d, claimed, nil
}

// RetryDelivery makes a pending or failed delivery due now; a failed one
// gets one more attempt (and fails again if that one fails). Administrators
// only; audited.
func (s *Service) RetryDelivery(ctx context.Context, p *access.Principal, id int64) (Delivery, error) {
	if err := requireAdmin(p, "retry deliveries"); err != nil {
		return Delivery{}, err
	}
	var out Delivery
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		d, claimed, err := findDelivery(ctx, tx, id)
		if err != nil {
			return err
		}
		if d.State == Delivered {
			return engage.Errorf(engage.ECONFLICT, "Delivery %d was delivered on %s; there is nothing to retry.", id, d.DeliveredAt.Format("2 Jan 2006 15:04 UTC"))
		}
		if claimed != nil && claimed.After(now) {
			return engage.Errorf(engage.ECONFLICT, "Delivery %d is being sent right now. Look again in a moment.", id)
		}
		before := map[string]any{"state": d.State, "attempts": d.AttemptCount, "next_attempt_at": d.NextAttemptAt}
		if _, err := tx.Exec(ctx, "UPDATE notify_deliveries SET state = ?, next_attempt_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ?",
			Pending, now, now, id); err != nil {
			return fmt.Errorf("retrying delivery %d: %w", id, err)
		}
		if out, _, err = findDelivery(ctx, tx, id); err != nil {
			return err
		}
		target := out.WebhookURL
		if out.Channel == ChannelEmail {
			target = out.Recipient
		}
		after := map[string]any{"state": out.State, "attempts": out.AttemptCount, "next_attempt_at": out.NextAttemptAt}
		return audit.Record(ctx, tx, now, p, "retry", "notification_delivery", id,
			fmt.Sprintf("Asked to retry delivery %d of %s to %s now", id, out.EventType, target), before, after)
	})
	return out, err
}

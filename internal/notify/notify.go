// Package notify tells people and other systems what happened in Engage: a
// personal in-app inbox, signed outbound webhooks and, when SMTP is
// configured, e-mail.
//
// Other packages call Publish inside the transaction that makes the change
// (a need changing state, an approval being requested). Publish writes the
// event, the recipients' inbox items and one delivery row per webhook
// endpoint that subscribes to the event's type (and per recipient when
// e-mail is on) in that same transaction: a change that rolls back notifies
// nobody, and a change that commits is never forgotten (the outbox pattern).
//
// Deliveries are sent by a worker running in every replica (Run, or
// DeliverDue called directly). It claims due rows from the database — on
// PostgreSQL with SELECT … FOR UPDATE SKIP LOCKED, on SQLite through its
// single writer with a conditional UPDATE — so replicas never send the same
// row twice at the same time. A claim is a lease (ClaimLease, 30 s) that the
// sending worker renews while it works: if a worker dies mid-send the row
// becomes due again when the lease ends, and another worker sends it. So
// delivery is at least once, and a receiver may see a delivery again (the
// same Engage-Delivery id) after a replica died; receivers deduplicate on
// that header.
//
// Retries: a non-2xx answer (redirects are not followed), a network error or
// a timeout (10 s) is retried after RetryDelay(attempt) — 30 s × 2^(attempt−1),
// capped at 6 h — plus up to 10% random jitter, until MaxAttempts (8 by
// default) have been made; the delivery is then failed. Every attempt is
// logged with its status code, duration, the first 1 KB of the response and
// the error. An administrator may retry a pending or failed delivery now;
// a failed one then gets one more attempt.
//
// Webhook requests are POSTs of JSON
//
//	{"id": <event id>, "type": "need.submitted", "subject": "NEED-2026-0042",
//	 "title": "…", "link": "/needs/42", "at": "2026-03-16T09:30:00Z", "data": {…}}
//
// with the headers Engage-Event (the type), Engage-Delivery (the delivery id,
// the same on every retry), Engage-Timestamp (Unix seconds when this attempt
// was signed) and Engage-Signature: sha256=<hex HMAC-SHA256 of
// "<Engage-Timestamp>.<body>" keyed with the endpoint's secret>. A receiver
// verifies a request by recomputing the HMAC over the raw body exactly as
// received, comparing it in constant time, and refusing timestamps more than
// five minutes from its own clock (the replay window; Verify does all three).
//
// Endpoint URLs must be http or https. Loopback, private, link-local,
// shared (100.64/10), unspecified and multicast addresses are refused, both
// when an endpoint is saved (its host is resolved) and again at every
// connection (so a name that later resolves to an internal address is still
// refused); environment proxies are not used. Service.AllowPrivateTargets
// lifts this — for tests and the demo, or an installation whose receivers are
// deliberately internal.
//
// Access: an inbox is personal — a person reads and marks only their own
// items. Webhook endpoints and the delivery log are for administrators only.
// Creating, changing and deleting an endpoint, rotating its secret and
// retrying a delivery are audited; marking inbox items read is not (it is a
// person's own reading state, not a change to shared data). Deleting an
// endpoint deletes its deliveries and their attempts; the audit log keeps the
// deletion.
package notify

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

// Defaults of the delivery worker.
const (
	DefaultMaxAttempts  = 8
	DefaultPollInterval = time.Second
	DefaultBatchSize    = 20
	// ClaimLease is how long a claimed delivery stays out of other workers'
	// reach. The worker sending it renews the lease while it works (every
	// ClaimLease/3), so a slow batch keeps its claims; a worker that dies
	// mid-send lets go of its deliveries at most ClaimLease later, and
	// another worker sends them again.
	ClaimLease = 30 * time.Second
	// SendTimeout bounds one webhook request or one e-mail.
	SendTimeout = 10 * time.Second
	// ReplayWindow is how far from its own clock a receiver should accept
	// an Engage-Timestamp.
	ReplayWindow = 5 * time.Minute
	// MaxResponseLog is how much of a response body an attempt keeps.
	MaxResponseLog = 1024
)

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
)

// Event is something that happened, as a publisher describes it.
type Event struct {
	// Type is lower-case words separated by dots, for example
	// "need.submitted", "need.state_changed" or "approval.requested".
	Type string
	// Subject is the human reference of what it is about, for example
	// "NEED-2026-0042".
	Subject string
	// Title says what happened in plain words; it is the inbox line.
	Title string
	// Link is the URL path of the page about it, for example "/needs/42".
	Link string
	// Recipients are the people whose inbox (and e-mail) it goes to.
	Recipients []int64
	// Data is the JSON payload for webhooks; nil sends {}.
	Data any
	// At is when it happened; the service clock's now when zero.
	At time.Time
}

// InboxItem is one event in one person's inbox.
type InboxItem struct {
	ID      int64      `json:"id"`
	EventID int64      `json:"event_id"`
	Type    string     `json:"type"`
	Subject string     `json:"subject"`
	Title   string     `json:"title"`
	Link    string     `json:"link"`
	At      time.Time  `json:"at"`
	Read    bool       `json:"read"`
	ReadAt  *time.Time `json:"read_at,omitempty"`
}

// InboxCounts are the sizes of one person's inbox.
type InboxCounts struct {
	Total  int `json:"total"`
	Unread int `json:"unread"`
}

// InboxFilter narrows a person's inbox; newest first.
type InboxFilter struct {
	UnreadOnly bool
	Cursor     string
	Limit      int
}

// Webhook is an outbound endpoint. Its secret is never part of it: it is
// shown once, when created or rotated.
type Webhook struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	EventTypes  []string  `json:"event_types" nullable:"false" doc:"Event types it receives: exact (need.submitted) or a prefix ending in .* (need.*); empty or * means every event."`
	Active      bool      `json:"active"`
	SecretHint  string    `json:"secret_hint" doc:"The start of the secret, to tell which one a receiver holds."`
	Pending     int       `json:"pending" doc:"Deliveries waiting to be sent or retried."`
	Failed      int       `json:"failed" doc:"Deliveries that gave up."`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// WebhookInput is what an administrator sets on an endpoint.
type WebhookInput struct {
	URL         string   `json:"url" doc:"http or https URL that receives POSTed events."`
	Description string   `json:"description,omitempty"`
	EventTypes  []string `json:"event_types,omitempty" doc:"Event types to receive: exact (need.submitted) or a prefix ending in .* (need.*); empty or * for every event."`
	Active      bool     `json:"active"`
}

// Input returns the settable fields of w.
func (w Webhook) Input() WebhookInput {
	return WebhookInput{URL: w.URL, Description: w.Description, EventTypes: w.EventTypes, Active: w.Active}
}

// Delivery is one event on its way to one webhook endpoint or e-mail address.
type Delivery struct {
	ID            int64      `json:"id"`
	EventID       int64      `json:"event_id"`
	EventType     string     `json:"event_type"`
	Subject       string     `json:"subject"`
	Title         string     `json:"title"`
	Channel       string     `json:"channel" enum:"webhook,email"`
	WebhookID     int64      `json:"webhook_id,omitempty"`
	WebhookURL    string     `json:"webhook_url,omitempty"`
	Recipient     string     `json:"recipient,omitempty" doc:"The e-mail address, for channel email."`
	State         string     `json:"state" enum:"pending,delivered,failed"`
	AttemptCount  int        `json:"attempt_count"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty" doc:"When a pending delivery is next tried."`
	LastStatus    int        `json:"last_status,omitempty" doc:"HTTP status of the last attempt; absent when none came back."`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	Attempts      []Attempt  `json:"attempts,omitempty" doc:"Every attempt, oldest first (when reading one delivery)."`
}

// Attempt is one try at sending a delivery.
type Attempt struct {
	Number       int       `json:"number"`
	At           time.Time `json:"at"`
	DurationMS   int64     `json:"duration_ms"`
	StatusCode   int       `json:"status_code,omitempty"`
	ResponseBody string    `json:"response_body,omitempty" doc:"The first 1 KB of the answer."`
	Error        string    `json:"error,omitempty"`
}

// OK reports whether the attempt succeeded: no error and, for a webhook
// (the only channel with a status), a 2xx answer.
func (a Attempt) OK() bool {
	return a.Error == "" && (a.StatusCode == 0 || a.StatusCode >= 200 && a.StatusCode < 300)
}

// DeliveryFilter narrows the delivery log; newest first.
type DeliveryFilter struct {
	WebhookID int64
	State     string
	Channel   string
	Cursor    string
	Limit     int
}

// Service is notification publishing, the inbox, webhook administration and
// the delivery worker. Set its fields before first use.
type Service struct {
	DB     *db.DB
	Clock  engage.Clock
	Logger *slog.Logger

	// AllowPrivateTargets lets webhook endpoints point at loopback, private
	// and link-local addresses. Off in production; tests and the demo,
	// whose receivers run on the same machine, turn it on.
	AllowPrivateTargets bool
	// SMTP sends inbox items by e-mail when configured.
	SMTP SMTPConfig
	// EventTypes are the event types Engage publishes; a webhook may only
	// ask for these (or a prefix of them, need.*). Each publishing area
	// lists its types here when the application is built. When empty, any
	// well-formed type is taken.
	EventTypes []string
	// Mailer replaces SMTP (tests); nil uses SMTP when it is configured.
	Mailer Mailer
	// BaseURL, such as https://engage.example.com, makes links in e-mails
	// absolute.
	BaseURL string
	// MaxAttempts is how many attempts a delivery gets before it fails;
	// DefaultMaxAttempts when 0.
	MaxAttempts int
	// PollInterval is how often Run looks for due deliveries;
	// DefaultPollInterval when 0.
	PollInterval time.Duration
	// BatchSize is how many deliveries one DeliverDue claims;
	// DefaultBatchSize when 0.
	BatchSize int
	// LeaseRenewal is how often a worker renews the claims it is still
	// sending; ClaimLease/3 when 0.
	LeaseRenewal time.Duration
	// HTTPClient sends webhooks; nil builds one with SendTimeout, no
	// redirects, no proxy and the private-address guard.
	HTTPClient *http.Client

	clientOnce sync.Once
	client     *http.Client
}

// New returns a service with the default settings.
func New(d *db.DB, clock engage.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{DB: d, Clock: clock, Logger: logger}
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (s *Service) batchSize() int {
	if s.BatchSize > 0 {
		return s.BatchSize
	}
	return DefaultBatchSize
}

func (s *Service) leaseRenewal() time.Duration {
	if s.LeaseRenewal > 0 {
		return s.LeaseRenewal
	}
	return ClaimLease / 3
}

func (s *Service) pollInterval() time.Duration {
	if s.PollInterval > 0 {
		return s.PollInterval
	}
	return DefaultPollInterval
}

func (s *Service) mailer() Mailer {
	if s.Mailer != nil {
		return s.Mailer
	}
	if s.SMTP.Enabled() {
		return smtpMailer{cfg: s.SMTP}
	}
	return nil
}

// EmailEnabled reports whether inbox items also go out by e-mail.
func (s *Service) EmailEnabled() bool { return s.mailer() != nil }

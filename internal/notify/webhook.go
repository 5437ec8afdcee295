package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// SecretPrefix starts every webhook secret, so that one is recognisable
// when it leaks into a log or a repository.
const SecretPrefix = "whsec_"

func requireAdmin(p *access.Principal, doing string) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.IsAdmin() {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators can %s.", doing)
	}
	return nil
}

func webhookNotFound(id int64) error {
	return engage.Errorf(engage.ENOTFOUND, "No webhook endpoint with id %d.", id)
}

// webhookState is what the audit log keeps of an endpoint: never its secret.
type webhookState struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	EventTypes  []string `json:"event_types"`
	Active      bool     `json:"active"`
	SecretHint  string   `json:"secret_hint"`
}

func stateOf(w Webhook) webhookState {
	return webhookState{URL: w.URL, Description: w.Description, EventTypes: w.EventTypes, Active: w.Active, SecretHint: w.SecretHint}
}

// --- reading ---

const webhookColumns = `w.id, w.url, w.description, w.event_types, w.secret, w.active, w.version, w.created_at, w.updated_at,
	(SELECT COUNT(*) FROM notify_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending'),
	(SELECT COUNT(*) FROM notify_deliveries d WHERE d.webhook_id = w.id AND d.state = 'failed')
	FROM notify_webhooks w`

func scanWebhook(row db.Scanner) (Webhook, string, error) {
	var w Webhook
	var types, secret string
	if err := row.Scan(&w.ID, &w.URL, &w.Description, &types, &secret, &w.Active, &w.Version, &w.CreatedAt, &w.UpdatedAt, &w.Pending, &w.Failed); err != nil {
		return w, "", err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	w.SecretHint = secretHint(secret)
	var err error
	if w.EventTypes, err = decodeTypes(types); err != nil {
		return w, "", fmt.Errorf("reading the event types of webhook %d: %w", w.ID, err)
	}
	return w, secret, nil
}

func findWebhook(ctx context.Context, q db.Querier, id int64) (Webhook, string, error) {
	w, secret, err := scanWebhook(q.QueryRow(ctx, "SELECT "+webhookColumns+" WHERE w.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, "", webhookNotFound(id)
	} else if err != nil {
		return w, "", fmt.Errorf("reading webhook %d: %w", id, err)
	}
	return w, secret, nil
}

// FindWebhook returns one endpoint. Administrators only.
func (s *Service) FindWebhook(ctx context.Context, p *access.Principal, id int64) (Webhook, error) {
	if err := requireAdmin(p, "see webhooks"); err != nil {
		return Webhook{}, err
	}
	w, _, err := findWebhook(ctx, s.DB, id)
	return w, err
}

// ListWebhooks lists endpoints, oldest first. Administrators only.
func (s *Service) ListWebhooks(ctx context.Context, p *access.Principal, cursor string, limit int) ([]Webhook, string, error) {
	if err := requireAdmin(p, "see webhooks"); err != nil {
		return nil, "", err
	}
	cur, err := paging.Decode(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = paging.Limit(limit)
	where, args := "1=1", []any{}
	if cur != nil {
		where, args = "w.id > ?", append(args, cur.ID)
	}
	args = append(args, limit+1)
	r, err := s.DB.Query(ctx, "SELECT "+webhookColumns+" WHERE "+where+" ORDER BY w.id LIMIT ?", args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing webhooks: %w", err)
	}
	defer r.Close()
	var out []Webhook
	for r.Next() {
		w, _, err := scanWebhook(r)
		if err != nil {
			return nil, "", fmt.Errorf("listing webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := r.Err(); err != nil {
		return nil, "", fmt.Errorf("listing webhooks: %w", err)
	}
	out, next := paging.Trim(out, limit, func(x Webhook) paging.Cursor { return paging.Cursor{ID: x.ID} })
	return out, next, nil
}

// --- changing ---

// CreateWebhook adds an endpoint and returns it with its secret, which is
// shown to the administrator this once. Administrators only; audited.
func (s *Service) CreateWebhook(ctx context.Context, p *access.Principal, in WebhookInput) (Webhook, string, error) {
	if err := requireAdmin(p, "add webhooks"); err != nil {
		return Webhook{}, "", err
	}
	if err := s.checkWebhook(ctx, &in); err != nil {
		return Webhook{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Webhook{}, "", err
	}
	var w Webhook
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO notify_webhooks(url, description, event_types, secret, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.URL, in.Description, encodeTypes(in.EventTypes), secret, in.Active, now, now).Scan(&id); err != nil {
			return fmt.Errorf("adding webhook %s: %w", in.URL, err)
		}
		var err error
		if w, _, err = findWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "webhook", id, "Added webhook endpoint "+w.URL, nil, stateOf(w))
	})
	if err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// UpdateWebhook changes an endpoint read at version. Its secret stays.
// Administrators only; audited.
func (s *Service) UpdateWebhook(ctx context.Context, p *access.Principal, id int64, version int, in WebhookInput) (Webhook, error) {
	if err := requireAdmin(p, "change webhooks"); err != nil {
		return Webhook{}, err
	}
	if err := s.checkWebhook(ctx, &in); err != nil {
		return Webhook{}, err
	}
	var w Webhook
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, _, err := findWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, `UPDATE notify_webhooks SET url = ?, description = ?, event_types = ?, active = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, in.URL, in.Description, encodeTypes(in.EventTypes), in.Active, now, id, version)
		if err != nil {
			return fmt.Errorf("changing webhook %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engage.Errorf(engage.ECONFLICT, "Someone changed this webhook endpoint after you opened it (it is now at version %d). Reload it and make your change again.", before.Version)
		}
		if w, _, err = findWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "update", "webhook", id, "Changed webhook endpoint "+w.URL, stateOf(before), stateOf(w))
	})
	return w, err
}

// DeleteWebhook removes an endpoint with its deliveries and their attempts.
// Administrators only; audited.
func (s *Service) DeleteWebhook(ctx context.Context, p *access.Principal, id int64) error {
	if err := requireAdmin(p, "delete webhooks"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, _, err := findWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM notify_webhooks WHERE id = ?", id); err != nil {
			return fmt.Errorf("deleting webhook %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.Clock.Now(), p, "delete", "webhook", id, "Deleted webhook endpoint "+before.URL, stateOf(before), nil)
	})
}

// RotateWebhookSecret replaces an endpoint's secret and returns the new one,
// shown this once. Deliveries signed from now on use it, retries included.
// Administrators only; audited.
func (s *Service) RotateWebhookSecret(ctx context.Context, p *access.Principal, id int64) (Webhook, string, error) {
	if err := requireAdmin(p, "rotate webhook secrets"); err != nil {
		return Webhook{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Webhook{}, "", err
	}
	var w Webhook
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, _, err := findWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, "UPDATE notify_webhooks SET secret = ?, version = version + 1, updated_at = ? WHERE id = ?", secret, now, id); err != nil {
			return fmt.Errorf("rotating the secret of webhook %d: %w", id, err)
		}
		if w, _, err = findWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "rotate_secret", "webhook", id, "Rotated the secret of webhook endpoint "+w.URL, stateOf(before), stateOf(w))
	})
	if err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// knownEventType says whether t, an event type or a prefix ending in .*,
// names events Engage publishes.
func (s *Service) knownEventType(t string) bool {
	if len(s.EventTypes) == 0 {
		return true
	}
	if prefix, ok := strings.CutSuffix(t, "*"); ok {
		return slices.ContainsFunc(s.EventTypes, func(e string) bool { return strings.HasPrefix(e, prefix) })
	}
	return slices.Contains(s.EventTypes, t)
}

// checkWebhook normalises and validates an endpoint, including the address
// its host resolves to.
func (s *Service) checkWebhook(ctx context.Context, in *WebhookInput) error {
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	var types []string
	for _, t := range in.EventTypes {
		for _, part := range strings.Split(t, ",") {
			if part = strings.ToLower(strings.TrimSpace(part)); part != "" && !slices.Contains(types, part) {
				types = append(types, part)
			}
		}
	}
	in.EventTypes = types
	var v engage.Validation
	v.MaxLen("description", in.Description, 500)
	for _, t := range in.EventTypes {
		if t != "*" && !eventTypePattern.MatchString(strings.TrimSuffix(t, ".*")) {
			v.Add("event_types", "%q is not an event type: use lower-case words separated by dots, for example need.submitted, or need.* for every need event.", t)
			break
		}
		if t != "*" && !s.knownEventType(t) {
			v.Add("event_types", "Engage sends no %q events. The event types are: %s (or a prefix such as need.*, or * for all).", t, strings.Join(s.EventTypes, ", "))
			break
		}
	}
	if msg := s.checkURL(ctx, in.URL); msg != "" {
		v.Add("url", "%s", msg)
	}
	return v.Err()
}

// checkURL returns what is wrong with a webhook URL, or "".
func (s *Service) checkURL(ctx context.Context, raw string) string {
	if raw == "" {
		return "Enter the URL that receives the events, for example https://hooks.example.com/engage."
	}
	if len(raw) > 2000 {
		return "The URL must be 2,000 characters or fewer."
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "Enter a full http:// or https:// URL, for example https://hooks.example.com/engage."
	}
	if u.User != nil {
		return "Leave credentials out of the URL: receivers check the signature made with the secret instead."
	}
	if u.Fragment != "" {
		return "Leave the #fragment out of the URL."
	}
	if s.AllowPrivateTargets {
		return ""
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if blockedAddr(addr) {
			return "This address is internal (loopback, private or link-local): Engage only sends webhooks to public addresses."
		}
		return ""
	}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "This address is internal (loopback, private or link-local): Engage only sends webhooks to public addresses."
	}
	lookupCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lookupCtx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Sprintf("The host %s could not be found. Check the spelling.", host)
	}
	for _, a := range addrs {
		if blockedAddr(a) {
			return fmt.Sprintf("The host %s resolves to an internal address (%s): Engage only sends webhooks to public addresses.", host, a.Unmap())
		}
	}
	return ""
}

// sharedAddressSpace is 100.64.0.0/10 (carrier-grade NAT), and thisNetwork
// 0.0.0.0/8; neither is covered by netip's predicates.
var (
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork        = netip.MustParsePrefix("0.0.0.0/8")
)

// blockedAddr reports whether a webhook must not be sent to addr.
func blockedAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	return !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() ||
		sharedAddressSpace.Contains(addr) || thisNetwork.Contains(addr)
}

// --- secrets and signatures ---

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a webhook secret: %w", err)
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func secretHint(secret string) string {
	n := len(SecretPrefix) + 4
	if len(secret) <= n {
		return ""
	}
	return secret[:n] + "…"
}

// Sign returns the Engage-Signature value of body sent at timestamp (Unix
// seconds): "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>" keyed
// with secret.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a webhook request the way a receiver should: the signature
// over the raw body, compared in constant time, and a timestamp within
// window (ReplayWindow when 0) of now. A receiver that also remembers the
// Engage-Delivery ids it has processed ignores retries it already handled.
func Verify(secret string, h http.Header, body []byte, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = ReplayWindow
	}
	ts, err := strconv.ParseInt(h.Get("Engage-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or malformed Engage-Timestamp header")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > window || d < -window {
		return fmt.Errorf("Engage-Timestamp is %s away from now, outside the replay window of %s", d.Abs().Round(time.Second), window)
	}
	want := Sign(secret, ts, body)
	if subtle.ConstantTimeCompare([]byte(h.Get("Engage-Signature")), []byte(want)) != 1 {
		return errors.New("the Engage-Signature does not match the body and timestamp")
	}
	return nil
}

func encodeTypes(types []string) string {
	if len(types) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(types)
	return string(b)
}

func decodeTypes(raw string) ([]string, error) {
	out := []string{}
	if raw == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, err
	}
	return out, nil
}

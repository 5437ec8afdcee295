package approval_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestSignedLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Board", 1, approval.Conditions{}, stage("Board", approval.QuorumAll, 0, people(f.person["alice"], f.person["bob"])))
		r := f.mustSubmit(f.order("500"))
		link, err := f.s.SignedLink(r.ID, f.person["alice"])
		if err != nil {
			t.Fatal(err)
		}
		token, ok := strings.CutPrefix(link, approval.LinkPrefix)
		if !ok || strings.ContainsAny(token, "/?#+= ") {
			t.Fatalf("link %q is not a URL-safe path under %s", link, approval.LinkPrefix)
		}
		// The secret lives in the database, so another replica verifies the link.
		var secret string
		if err := d.QueryRow(f.ctx, "SELECT value FROM settings WHERE key = ?", "approval_link_secret").Scan(&secret); err != nil || len(secret) < 32 {
			t.Fatalf("secret = %q (%v)", secret, err)
		}
		replica := &approval.Service{DB: d, Clock: f.clock}
		view, err := replica.OpenLink(f.ctx, token)
		if err != nil {
			t.Fatalf("opening a valid link: %v", err)
		}
		if view.Request.ID != r.ID || view.Approver.PersonID != f.person["alice"] || len(view.For) != 1 || view.Said != "" {
			t.Fatalf("link view = %+v", view)
		}

		// Tampering with any part breaks the signature.
		parts := strings.Split(token, ".")
		for _, bad := range []string{
			strings.Join([]string{parts[0], strconv.FormatInt(f.person["bob"], 10), parts[2], parts[3]}, "."), // someone else
			strings.Join([]string{parts[0], parts[1], "9999999999", parts[3]}, "."),                           // a longer life
			strings.Join([]string{parts[0], parts[1], parts[2], flip(parts[3])}, "."),                         // a forged signature
			"nonsense",
		} {
			if _, err := f.s.OpenLink(f.ctx, bad); engage.ErrorCode(err) != engage.ENOTFOUND {
				t.Errorf("tampered link %q: %v; want not found", bad, err)
			}
			if _, err := f.s.DecideByLink(f.ctx, bad, approval.DecideInput{Verdict: approval.Approve}); engage.ErrorCode(err) != engage.ENOTFOUND {
				t.Errorf("deciding with tampered link %q: %v", bad, err)
			}
		}

		// Deciding by link records the channel; reusing the link says it was used.
		r, err = f.s.DecideByLink(f.ctx, token, approval.DecideInput{Verdict: approval.Decline})
		wantField(t, err, "reason")
		r, err = f.s.DecideByLink(f.ctx, token, approval.DecideInput{Verdict: approval.Approve})
		if err != nil || len(r.Decisions) != 1 || r.Decisions[0].Via != approval.ViaLink || r.Decisions[0].DeciderID != f.person["alice"] {
			t.Fatalf("decision by link = %+v, %v", r.Decisions, err)
		}
		view, err = f.s.OpenLink(f.ctx, token)
		if err != nil || view.Decided == nil || len(view.For) != 0 || !strings.Contains(view.Said, "already decided") {
			t.Fatalf("reused link view = %+v, %v", view, err)
		}
		_, err = f.s.DecideByLink(f.ctx, token, approval.DecideInput{Verdict: approval.Approve})
		wantCode(t, err, engage.ECONFLICT)

		// Once the request has ended, the link says so.
		f.mustDecide("bob", r.ID, approval.Approve, "")
		bobLink, _ := f.s.SignedLink(r.ID, f.person["bob"])
		view, err = f.s.OpenLink(f.ctx, strings.TrimPrefix(bobLink, approval.LinkPrefix))
		if err != nil || !strings.Contains(view.Said, "no longer waiting") {
			t.Fatalf("link to an approved request = %+v, %v", view, err)
		}

		// A link expires after seven days, by the service's clock.
		r2 := f.mustSubmit(f.order("800"))
		link2, _ := f.s.SignedLink(r2.ID, f.person["bob"])
		token2 := strings.TrimPrefix(link2, approval.LinkPrefix)
		f.clock.Advance(7*24*time.Hour - time.Second)
		if _, err := f.s.OpenLink(f.ctx, token2); err != nil {
			t.Fatalf("a link a second before it expires: %v", err)
		}
		f.clock.Advance(time.Second)
		_, err = f.s.OpenLink(f.ctx, token2)
		wantCode(t, err, engage.EFORBIDDEN)
		if !strings.Contains(engage.ErrorMessage(err), "expired") {
			t.Fatalf("expired link message = %q", engage.ErrorMessage(err))
		}
		_, err = f.s.DecideByLink(f.ctx, token2, approval.DecideInput{Verdict: approval.Approve})
		wantCode(t, err, engage.EFORBIDDEN)
		if r2, _ = f.s.FindRequest(f.ctx, f.as("admin"), r2.ID); len(r2.Decisions) != 0 {
			t.Fatal("an expired link recorded a decision")
		}
	})
}

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestWebhookEventTypesKnown: a webhook may only ask for events Engage
// publishes (exactly, or by a prefix such as need.*); an unknown type is
// refused, naming the field (the document lists the types, so the element
// is named), and nothing is added.
func TestWebhookEventTypesKnown(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		e.Notify.AllowPrivateTargets = true // the test's address is loopback
		admin := apiClient{t, e, e.Token(t, "admin@example.com")}
		_, before := admin.json("GET", "/webhooks", "")
		for _, types := range []string{`["need.closed"]`, `["invoice.*"]`, `["need.submitted","order.placed"]`} {
			status, problem := admin.json("POST", "/webhooks", fmt.Sprintf(`{"url":"http://127.0.0.1:9/hook","event_types":%s,"active":true}`, types))
			if status != http.StatusUnprocessableEntity || !slices.ContainsFunc(locations(problem), func(l string) bool { return strings.HasPrefix(l, "body.event_types") }) {
				t.Errorf("event types %s = %d %v", types, status, problem)
			}
		}
		if _, after := admin.json("GET", "/webhooks", ""); len(after["items"].([]any)) != len(before["items"].([]any)) {
			t.Error("a refused webhook was added")
		}
		for _, types := range []string{`["need.submitted","need.state_changed"]`, `["need.*"]`, `["*"]`} {
			if status, out := admin.json("POST", "/webhooks", fmt.Sprintf(`{"url":"http://127.0.0.1:9/hook","event_types":%s,"active":true}`, types)); status >= 300 {
				t.Errorf("event types %s = %d %v", types, status, out)
			}
		}
	})
}

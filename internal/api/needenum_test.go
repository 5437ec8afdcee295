package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestNeedEnumsFromTheStateMachine: the API's enums of need states and
// actions are the state machine's own, in the parameters and in every
// schema that holds one, so a state or an action added to frontdoor is in
// the API without touching it; anything else is refused.
func TestNeedEnumsFromTheStateMachine(t *testing.T) {
	a := &API{Logger: slog.New(slog.DiscardHandler), Version: "test"}
	mux := http.NewServeMux()
	doc := a.Register(mux).OpenAPI()
	var states, actions []any
	for _, s := range frontdoor.States {
		states = append(states, string(s))
	}
	for _, s := range frontdoor.Actions() {
		actions = append(actions, string(s))
	}
	if len(actions) != 16 || len(states) != 11 {
		t.Fatalf("%d actions and %d states; the table in transitions.go has 16 and 11", len(actions), len(states))
	}
	param := func(op *huma.Operation, name string) []any {
		t.Helper()
		if op == nil {
			t.Fatalf("no operation for parameter %s", name)
		}
		for _, p := range op.Parameters {
			if p.Name == name {
				return p.Schema.Enum
			}
		}
		t.Fatalf("%s has no parameter %s", op.OperationID, name)
		return nil
	}
	find := func(path string) *huma.PathItem {
		t.Helper()
		for p, item := range doc.Paths {
			if strings.HasSuffix(p, path) {
				return item
			}
		}
		t.Fatalf("no path %s", path)
		return nil
	}
	schemas := doc.Components.Schemas.Map()
	prop := func(schema, name string) []any {
		t.Helper()
		s := schemas[schema]
		if s == nil || s.Properties[name] == nil {
			t.Fatalf("no property %s.%s", schema, name)
		}
		return s.Properties[name].Enum
	}
	for what, got := range map[string][]any{
		"action parameter":     param(find("/needs/{reference}/actions/{action}").Post, "action"),
		"state parameter":      param(find("/needs").Get, "state"),
		"Need.state":           prop("Need", "state"),
		"NeedEvent.from_state": prop("NeedEvent", "from_state"),
		"NeedEvent.to_state":   prop("NeedEvent", "to_state"),
		"GateAnswer.state":     prop("GateAnswer", "state"),
	} {
		want := states
		switch what {
		case "action parameter":
			want = actions
		case "NeedEvent.from_state": // the event that created a need comes from no state
			want = append(slices.Clone(states), "")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s enum = %v; want %v", what, got, want)
		}
	}
	// An action the state machine does not have is refused by the API.
	srv := httptest.NewServer(signedIn(t, mux, &access.Principal{PersonID: 1, Name: "Riley", Roles: []access.Role{access.Requester}}))
	defer srv.Close()
	res, err := srv.Client().Post(srv.URL+Prefix+"/needs/NEED-2026-0001/actions/fly", "application/json", strings.NewReader(`{"version":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "path.action") {
		t.Errorf("unknown action = %d %s; want 422 naming path.action", res.StatusCode, body)
	}
}

package demo

import (
	"bytes"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/catalog"
)

func TestNeedsFileReads(t *testing.T) {
	cf, err := catalog.ParseFile("catalog.yaml", bytes.NewReader(catalogFile))
	if err != nil {
		t.Fatal(err)
	}
	data, err := readNeeds(cf)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Needs) != 150 {
		t.Errorf("%d needs, want 150", len(data.Needs))
	}
	for _, d := range departments {
		if data.Processes[d.code] == "" {
			t.Errorf("no processes for %s", d.code)
		}
	}
}

// needsBase is a small needs file without mistakes; each case of
// TestNeedsFileErrors puts one in.
const needsBase = `processes:
  BIO: Assay development
needs:
  - title: Team chat for the lab
    department: BIO
    problem: Chats get lost.
    outcome: One place to talk.
    users: 45
    data_class: internal
    ways:
      - {reuse: team-chat-standard}
    story: {ends: closed}
  - title: Sample tracker
    department: BIO
    requester: requester@example.com
    problem: Excel.
    outcome: A tracker.
    users: 30
    data_class: confidential
    budget: {min: 1000, max: 2000}
    sponsor: budget@example.com
    ways:
      - {buy: Freezerworks, vendor: Freezerworks, one_time: 12000, monthly: 900}
    story:
      ends: closed
      via: merge
      into: Team chat for the lab
reuse_alternatives:
  team-chat-standard: {buy: Slack, vendor: Slack, one_time: '0', per_user: '12.50', fixed: 0, delivery_days: 10, data_ceiling: confidential}
review_notes:
  architecture: [Fits.]
  finance: [Within budget.]
decision_reasons: {reuse: [Reuse.], buy: [Buy.], build: [Build.], broker: [Broker.]}
`

func TestNeedsFileErrors(t *testing.T) {
	offerings := map[string]bool{"team-chat-standard": true}
	if _, err := parseNeeds("needs.yaml", []byte(needsBase), offerings); err != nil {
		t.Fatalf("the base file: %v", err)
	}
	for _, c := range []struct{ name, old, new, want string }{
		{"unknown department", "department: BIO\n    requester", "department: LAB\n    requester",
			`needs.yaml:14: need "Sample tracker" (needs[1]): department: no demo department "LAB"`},
		{"unknown offering", "{reuse: team-chat-standard}", "{reuse: team-chat-deluxe}",
			`needs.yaml:11: need "Team chat for the lab" (needs[0]): ways[0].reuse: no offering "team-chat-deluxe" in the demo catalog`},
		{"unknown state", "story: {ends: closed}", "story: {ends: finished}",
			`needs.yaml:12: need "Team chat for the lab" (needs[0]): story.ends: unknown state "finished"`},
		{"unknown way of ending", "via: merge\n      into: Team chat for the lab", "via: teleport",
			`needs.yaml:26: need "Sample tracker" (needs[1]): story.via: closed teleport is not a story the demo plays`},
		{"rejected without a reason", "story: {ends: closed}", "story: {ends: rejected, at: triage}",
			`needs.yaml:12: need "Team chat for the lab" (needs[0]): story.reason: missing: this ending says why`},
		{"merged into nothing", "into: Team chat for the lab", "into: Team chat for the office",
			`needs.yaml:27: need "Sample tracker" (needs[1]): story.into: "Team chat for the office" is not another demo need`},
		{"two kinds of way", "{buy: Freezerworks,", "{buy: Freezerworks, build: Ours,",
			`needs.yaml:23: need "Sample tracker" (needs[1]): ways[0]: give exactly one of reuse`},
		{"unknown requester", "requester: requester@example.com", "requester: someone@example.com",
			`needs.yaml:15: need "Sample tracker" (needs[1]): requester: "someone@example.com" is not a named demo account`},
		{"unknown data class", "data_class: internal", "data_class: secret",
			`needs.yaml:9: need "Team chat for the lab" (needs[0]): data_class: "secret"`},
		{"budget upside down", "{min: 1000, max: 2000}", "{min: 3000, max: 2000}",
			`needs.yaml:20: need "Sample tracker" (needs[1]): budget: 3000 to 2000`},
		{"unknown key", "users: 45", "users: 45\n    colour: blue", "line 9: field colour not found"},
		{"alternative for no offering", "  team-chat-standard: {buy: Slack", "  team-chat-gold: {buy: Slack",
			`needs.yaml:29: reuse_alternatives.team-chat-gold: no offering "team-chat-gold"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(needsBase, c.old) {
				t.Fatalf("the base file has no %q", c.old)
			}
			_, err := parseNeeds("needs.yaml", []byte(strings.Replace(needsBase, c.old, c.new, 1)), offerings)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestNeedsFileErrorsAllAtOnce(t *testing.T) {
	bad := strings.NewReplacer("department: BIO\n    requester", "department: LAB\n    requester",
		"{reuse: team-chat-standard}", "{reuse: team-chat-deluxe}").Replace(needsBase)
	_, err := parseNeeds("needs.yaml", []byte(bad), map[string]bool{"team-chat-standard": true})
	if err == nil {
		t.Fatal("a file with two mistakes was read")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "needs.yaml:11: ") || !strings.HasPrefix(lines[1], "needs.yaml:14: ") {
		t.Errorf("got %q, want both mistakes in line order", lines)
	}
}

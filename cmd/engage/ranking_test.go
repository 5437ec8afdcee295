package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestRankingCommand: on the demo, the command prints the needs in
// decision, ranked, with the weights and each score's parts.
func TestRankingCommand(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		if code, out, _ := runEngage(t, "", with("ranking")...); code != 0 || !strings.Contains(out, "No need is waiting for the board's decision.") {
			t.Fatalf("ranking of an empty database = %d %q", code, out)
		}
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %q", code, errs)
		}
		code, out, _ := runEngage(t, "", with("ranking")...)
		rows := regexp.MustCompile(`(?m)^(\d+)\s+NEED-\d{4}-\d{4}\s+\d+\.\d\d\s`).FindAllStringSubmatch(out, -1)
		if code != 0 || !strings.Contains(out, "weights value 4, cost 3, risk 2, urgency 1") || len(rows) < 2 || rows[0][1] != "1" || rows[1][1] != "2" {
			t.Fatalf("ranking = %d %q", code, out)
		}
		if code, _, _ := runEngage(t, "", with("ranking", "extra")...); code != 2 {
			t.Fatalf("ranking with an argument = %d; want 2", code)
		}
	})
}

package boardpages

import (
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/portfolio"
)

// TestRankingPages: the ranking's page shows RankingPage needs at a time,
// with links to the pages around it; a page past the end is the last.
func TestRankingPages(t *testing.T) {
	var r portfolio.Ranking
	for i := range 120 {
		r.Needs = append(r.Needs, portfolio.RankedNeed{Rank: i + 1})
	}
	for _, c := range []struct {
		asked          string
		from, to       int
		previous, next string
	}{
		{"", 1, 50, "", "/portfolio/ranking?page=2#ranking"},
		{"nonsense", 1, 50, "", "/portfolio/ranking?page=2#ranking"},
		{"2", 51, 100, "/portfolio/ranking?page=1#ranking", "/portfolio/ranking?page=3#ranking"},
		{"3", 101, 120, "/portfolio/ranking?page=2#ranking", ""},
		{"99", 101, 120, "/portfolio/ranking?page=2#ranking", ""},
	} {
		v := &rankingView{Ranking: r}
		v.showPage(c.asked)
		if v.From != c.from || v.To != c.to || len(v.Shown) != c.to-c.from+1 || v.Shown[0].Rank != c.from || v.Previous != c.previous || v.Next != c.next {
			t.Errorf("page %q: needs %d to %d (%d shown, first ranked %d), previous %q, next %q; want %d to %d, %q, %q", c.asked, v.From, v.To,
				len(v.Shown), v.Shown[0].Rank, v.Previous, v.Next, c.from, c.to, c.previous, c.next)
		}
		if len(v.Chart.Bars) != len(v.Shown) {
			t.Errorf("page %q: the chart draws %d bars for %d needs", c.asked, len(v.Chart.Bars), len(v.Shown))
		}
	}
	v := &rankingView{}
	v.showPage("")
	if len(v.Shown) != 0 || v.Chart != nil || v.Next != "" || v.Previous != "" {
		t.Errorf("no need: %d shown, chart %v, links %q %q", len(v.Shown), v.Chart, v.Previous, v.Next)
	}
}

// TestRankingTable: the table of the needs shown, escaped, kept for a
// ranking's state and page, and written afresh for another state.
func TestRankingTable(t *testing.T) {
	s := &Pages{}
	need := portfolio.RankedNeed{Rank: 1, Reference: "NEED-2026-0001", Title: "<b>Chat</b>", Parts: []portfolio.ScorePart{{Name: "value", Inputs: []string{"a & b"}}}}
	v := &rankingView{Ranking: portfolio.Ranking{Needs: []portfolio.RankedNeed{need}, State: "one"}}
	v.showPage("")
	first, err := s.table(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<tr id="NEED-2026-0001">`, "&lt;b&gt;Chat&lt;/b&gt;", "a &amp; b", "Value"} {
		if !strings.Contains(string(first), want) {
			t.Errorf("the table does not have %q:\n%s", want, first)
		}
	}
	v.Shown[0].Title = "Changed without a new state"
	if kept, _ := s.table(v); kept != first {
		t.Error("the table was not kept for the same state and page")
	}
	v.Ranking.State = "two"
	if fresh, _ := s.table(v); !strings.Contains(string(fresh), "Changed without a new state") {
		t.Error("the table of another state is the one kept")
	}
}

package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// rankOnly runs the scoring of q as Search does and reports how many
// words a document last needed to match to be scored and how many
// documents were touched.
func rankOnly(ix *Index, q Query) (need, touched int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f, ok := ix.compileFilter(q)
	if !ok {
		return 0, 0
	}
	s := new(scratch)
	s.ensureDocs(len(ix.docs))
	next(&s.gen, s.seen)
	top := topK{ix: ix, k: max(q.Offset, 0) + q.Limit}
	var res Result
	ix.rank(s, parseQuery(q.Text), &f, &top, false, q.SkipTotal, &res)
	return s.need, len(s.touched)
}

func TestSkipTotalPrunesCommonWords(t *testing.T) {
	ix := New()
	for i := range 8 {
		tags := []string{"listed"}
		if i < 3 {
			tags = append(tags, "first")
		}
		ix.Put(doc(fmt.Sprintf("all-%d", i), "need", "Alpha beta gamma", "", tags...))
	}
	for i := range 500 {
		ix.Put(doc(fmt.Sprintf("gamma-%03d", i), "need", "Gamma and more", "", "listed"))
		ix.Put(doc(fmt.Sprintf("beta-%03d", i), "need", "Beta and more", "", "listed"))
	}
	ix.Put(doc("delta", "need", "Delta", "", "listed"))
	ix.Put(doc("epsilon", "need", "Epsilon", "", "listed"))
	for _, c := range []struct {
		name            string
		q               Query
		total, matching int // matching any word, before the filter
		need, touched   int // when pruned
	}{
		// 8 documents match every word, more than the 6 asked for: only
		// alpha's documents are scored.
		{"every word", Query{Text: "alpha beta gamma", Limit: 6, Require: []string{"listed"}}, 1008, 1008, 2, 8},
		// None matches every word, 8 all words but one: only the
		// documents of delta and alpha are scored.
		{"all words but one", Query{Text: "alpha beta gamma delta", Limit: 6, Require: []string{"listed"}}, 1009, 1009, 2, 9},
		// None matches more than three words of five. Scored rarest first
		// (delta, epsilon, alpha, beta), 8 documents match two words with
		// one word left, so the documents that match gamma alone are never
		// scored.
		{"most words", Query{Text: "alpha beta gamma delta epsilon", Limit: 6, Require: []string{"listed"}}, 1010, 1010, 1, 510},
		// Only three documents that match every word pass the filter:
		// fewer than the page, and no bound appears as the words are
		// scored, so every document is.
		{"filtered", Query{Text: "alpha beta gamma", Limit: 5, Require: []string{"first"}}, 3, 1008, 0, 1008},
		{"filtered, a smaller page", Query{Text: "alpha beta gamma", Limit: 2, Offset: 1, Require: []string{"first"}}, 3, 1008, 2, 8},
	} {
		full := ix.Search(c.q)
		if full.Total != c.total {
			t.Errorf("%s: total = %d, want %d", c.name, full.Total, c.total)
		}
		if need, touched := rankOnly(ix, c.q); need != 0 || touched != c.matching {
			t.Errorf("%s, counting every match: need %d, touched %d; want 0 and %d", c.name, need, touched, c.matching)
		}
		c.q.SkipTotal = true
		pruned := ix.Search(c.q)
		if pruned.Total != -1 || !slices.Equal(ids(pruned), ids(full)) {
			t.Errorf("%s: pruned = %v (total %d), want %v", c.name, ids(pruned), pruned.Total, ids(full))
		}
		if need, touched := rankOnly(ix, c.q); need != c.need || touched != c.touched {
			t.Errorf("%s, pruned: need %d, touched %d; want %d and %d", c.name, need, touched, c.need, c.touched)
		}
	}
}

// A search with SkipTotal finds exactly what the full search finds, with
// the same scores and matched words, whatever the text, filter and page.
func TestSkipTotalSameHits(t *testing.T) {
	// Below minFilterSet documents, filters are checked document by
	// document; above, through a bit set.
	t.Run("small", func(t *testing.T) { testSkipTotalSameHits(t, minFilterSet/2) })
	t.Run("large", func(t *testing.T) { testSkipTotalSameHits(t, minFilterSet+1000) })
}

func testSkipTotalSameHits(t *testing.T, docs int) {
	c := newCorpus(3, 300)
	ix := New()
	var titles []string
	for i := range docs {
		title := c.text(3 + c.r.IntN(6))
		titles = append(titles, title)
		ix.Put(Doc{ID: fmt.Sprintf("need-%04d", i), Kind: []string{"need", "need", "idea"}[i%3],
			Fields: []Field{{Name: "title", Text: title, Boost: 3}, {Name: "body", Text: c.text(10 + c.r.IntN(30)), Boost: 1}},
			Tags:   []string{fmt.Sprintf("dept:%d", c.r.IntN(5)), []string{"state:open", "state:closed", "state:draft"}[c.r.IntN(3)]}})
	}
	r := rand.New(rand.NewPCG(4, 4))
	var pruned [4]int
	for n := range 3000 {
		var text string
		switch n % 4 {
		case 0: // a title, as people write one
			text = titles[r.IntN(len(titles))]
		case 1: // a title still being typed
			text = titles[r.IntN(len(titles))]
			text = text[:max(1, len(text)-r.IntN(4))]
		case 2: // words from anywhere
			text = c.text(2 + r.IntN(8))
		default: // a typo
			b := []byte(titles[r.IntN(len(titles))])
			if k := len(b) / 2; k+1 < len(b) {
				b[k], b[k+1] = b[k+1], b[k]
			}
			text = string(b)
		}
		q := Query{Text: text, Limit: 1 + r.IntN(10), Offset: r.IntN(3) * r.IntN(2)}
		switch r.IntN(4) {
		case 0:
			q.Require = []string{"state:open"}
		case 1:
			q.AnyOf = [][]string{{"state:open", "state:closed"}, {"dept:1", "dept:2", "dept:4"}}
		case 2:
			q.Kinds = []string{"need"}
		}
		want := ix.Search(q)
		q.SkipTotal = true
		got := ix.Search(q)
		if got.Total != -1 || !slices.EqualFunc(got.Hits, want.Hits, func(a, b Hit) bool {
			return a.ID == b.ID && a.Kind == b.Kind && a.Score == b.Score && slices.Equal(a.Matched, b.Matched)
		}) {
			t.Fatalf("%+v:\n got  %+v (total %d)\n want %+v", q, got.Hits, got.Total, want.Hits)
		}
		need, _ := rankOnly(ix, q)
		if need > 0 {
			pruned[n%4]++
		}
	}
	// The comparison means something only if many searches were pruned,
	// also among those where few documents match every word (words from
	// anywhere).
	t.Logf("searches pruned of 750 of each kind: %v", pruned)
	for k, p := range pruned {
		if p < 200 {
			t.Errorf("%d of 750 searches of kind %d pruned, want at least 200", p, k)
		}
	}
}

// Filter bit sets give the same documents as the filter and follow the
// index as documents are put and deleted.
func TestFilterSets(t *testing.T) {
	ix := New()
	tags := map[string][]string{}
	put := func(id string, t ...string) {
		ix.Put(doc(id, []string{"need", "idea"}[len(id)%2], "Shared storage", "", t...))
		tags[id] = t
	}
	for i := range 2*minFilterSet + 200 {
		put(fmt.Sprintf("n%05d", i), fmt.Sprintf("dept:%d", i%7), []string{"state:open", "state:closed", "state:draft"}[i%3])
	}
	filters := []Query{
		{Require: []string{"state:open"}},
		{Kinds: []string{"idea"}, Require: []string{"dept:3"}},
		{AnyOf: [][]string{{"state:open", "state:draft"}, {"dept:1", "dept:2"}}},
	}
	want := func(q Query, id string) bool {
		if len(q.Kinds) > 0 && q.Kinds[0] != []string{"need", "idea"}[len(id)%2] {
			return false
		}
		for _, r := range q.Require {
			if !slices.Contains(tags[id], r) {
				return false
			}
		}
		for _, g := range q.AnyOf {
			if !slices.ContainsFunc(g, func(t string) bool { return slices.Contains(tags[id], t) }) {
				return false
			}
		}
		return true
	}
	check := func(when string) {
		t.Helper()
		for _, q := range filters {
			q.Text, q.Limit = "storage", len(tags)
			var wantIDs []string
			for id := range tags {
				if want(q, id) {
					wantIDs = append(wantIDs, id)
				}
			}
			slices.Sort(wantIDs)
			got := ids(ix.Search(q))
			slices.Sort(got)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("%s, %+v: %d hits, want %d", when, q, len(got), len(wantIDs))
			}
		}
	}
	check("at first")
	put("n00003", "state:open", "dept:1")
	put("n00004", "state:closed", "dept:3")
	put("x", "state:draft", "dept:2")
	check("after puts")
	ix.Delete("n00006")
	delete(tags, "n00006")
	check("after a delete")
	// Deleting more than half of the documents renumbers the rest.
	for i := range minFilterSet + 150 {
		id := fmt.Sprintf("n%05d", i)
		ix.Delete(id)
		delete(tags, id)
	}
	if ix.Len() < minFilterSet || ix.dead >= minFilterSet {
		t.Fatalf("%d documents, %d deleted; want at least %d, renumbered", ix.Len(), ix.dead, minFilterSet)
	}
	check("after renumbering")
}

package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

func doc(id, kind, name, desc string, tags ...string) Doc {
	return Doc{ID: id, Kind: kind, Tags: tags, Fields: []Field{
		{Name: "name", Text: name, Boost: 3},
		{Name: "description", Text: desc, Boost: 1},
	}}
}

func ids(r Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	return out
}

func mustFind(t *testing.T, ix *Index, q string, want ...string) Result {
	t.Helper()
	r := ix.Search(Query{Text: q})
	got := ids(r)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("search %q: %v, want %s among them", q, got, w)
		}
	}
	return r
}

func mustMiss(t *testing.T, ix *Index, q string, unwanted ...string) {
	t.Helper()
	got := ids(ix.Search(Query{Text: q, Limit: 1000}))
	for _, w := range unwanted {
		if slices.Contains(got, w) {
			t.Errorf("search %q: %v, want no %s", q, got, w)
		}
	}
}

func TestAnalysis(t *testing.T) {
	var got []string
	forEachWord("Rack-mounted Servers, M365 & S3 — Größe: E-mail; state-of-the-art", func(w string) {
		got = append(got, w)
	})
	want := []string{"rack", "mounted", "rackmounted", "servers", "m365", "s3", "größe", "e", "mail", "email",
		"state", "of", "the", "art"}
	if !slices.Equal(got, want) {
		t.Errorf("words: %q, want %q", got, want)
	}
	for w, s := range map[string]string{
		"servers": "server", "server": "server", "collaborating": "collabor", "collaboration": "collabor",
		"collaborative": "collabor", "storage": "storag", "m365": "m365", "s3": "s3", "win11": "win11", "vm": "vm",
	} {
		if got := stem(w); got != s {
			t.Errorf("stem(%q) = %q, want %q", w, got, s)
		}
	}
	for _, w := range []string{"the", "for", "me", "a", "with"} {
		if indexable(w) {
			t.Errorf("%q should be a stop word", w)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		max  int
		want int
	}{
		{"storage", "storage", 2, 0},
		{"storrage", "storage", 2, 1},
		{"colaboration", "collaboration", 2, 1},
		{"teh", "the", 1, 1}, // transposition
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // over the bound: max+1
		{"abc", "abcdef", 2, 3},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), c.max); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.max, got, c.want)
		}
	}
}

func TestWordForms(t *testing.T) {
	ix := New()
	ix.Put(doc("srv", "service", "Physical Servers", "Dedicated hardware."))
	ix.Put(doc("collab", "service", "Collaboration", "Working together on documents."))
	ix.Put(doc("other", "service", "Printing", "Print documents."))
	mustFind(t, ix, "server", "srv")
	mustFind(t, ix, "SERVERS!", "srv")
	mustFind(t, ix, "collaborating ", "collab")
	mustFind(t, ix, "work together", "collab")
	mustMiss(t, ix, "server", "collab", "other")
	if r := ix.Search(Query{Text: "the for a "}); r.Total != 3 {
		t.Errorf("stop words only should list everything, got %d", r.Total)
	}
}

func TestProductCodes(t *testing.T) {
	ix := New()
	ix.Put(doc("m365", "service", "Microsoft 365 (M365)", "Office apps."))
	ix.Put(doc("s3", "service", "S3-compatible object storage", "Buckets."))
	ix.Put(doc("m3", "service", "M3 licences", "Something else."))
	r := mustFind(t, ix, "m365 ", "m365")
	if r.Total != 1 {
		t.Errorf("m365: %v, want only m365 (codes are not typo-corrected)", ids(r))
	}
	mustFind(t, ix, "s3 storage", "s3")
	mustFind(t, ix, "m36", "m365") // completion of a code being typed
}

func TestTypos(t *testing.T) {
	ix := New()
	ix.Put(doc("teams", "service", "Team chat and collaboration", "Microsoft Teams for chat, meetings and calls."))
	ix.Put(doc("obj", "service", "Object storage", "Store files and backups in buckets."))
	ix.Put(doc("mail", "service", "E-mail and calendar", "Mailboxes and shared calendars."))
	r := mustFind(t, ix, "colaboration ", "teams")
	if len(r.Hits) > 0 && !slices.Contains(r.Hits[0].Matched, "collaboration") {
		t.Errorf("colaboration: matched %q, want collaboration", r.Hits[0].Matched)
	}
	mustFind(t, ix, "storrage ", "obj")
	mustFind(t, ix, "calender ", "mail")
	mustFind(t, ix, "obejct ", "obj") // transposition
	mustMiss(t, ix, "storrage ", "teams", "mail")
	// Short words are not corrected: "cat" is not "chat".
	mustMiss(t, ix, "cat ", "teams")
	// A word that is in the vocabulary and not rare is not corrected.
	mustFind(t, ix, "chart ", "teams")
	for i := range 5 {
		ix.Put(doc(fmt.Sprint("chart", i), "service", "Charts", "Dashboards."))
	}
	mustMiss(t, ix, "chart ", "teams")
}

func TestTypoScoredBelowExact(t *testing.T) {
	ix := New()
	ix.Put(doc("a", "service", "Storage", "Disks."))
	ix.Put(doc("b", "service", "Storrage", "A misspelt entry."))
	// "storrage" exists in one document (rare), so it is also corrected
	// towards "storage"... but only towards words ten times as frequent, which
	// "storage" is not here: only the exact document matches.
	r := ix.Search(Query{Text: "storrage "})
	if got := ids(r); !slices.Equal(got, []string{"b"}) {
		t.Errorf("storrage: %v, want [b]", got)
	}
	for i := range 20 {
		ix.Put(doc(fmt.Sprintf("s%02d", i), "service", "Storage tier", "Disks."))
	}
	r = ix.Search(Query{Text: "storrage "})
	if got := ids(r); len(got) < 2 || got[0] != "b" {
		t.Errorf("storrage with a frequent correction: %v, want b first, then storage docs", got)
	}
	if r.Total != 22 {
		t.Errorf("storrage: total %d, want 22", r.Total)
	}
}

func TestPrefix(t *testing.T) {
	ix := New()
	ix.Put(doc("teams", "service", "Team chat and collaboration", "Microsoft Teams."))
	ix.Put(doc("colo", "service", "Colocation", "Racks in our data centre."))
	r := mustFind(t, ix, "collab", "teams")
	if r.Total != 1 {
		t.Errorf("collab: %v, want only teams", ids(r))
	}
	if !slices.Contains(r.Hits[0].Matched, "collaboration") {
		t.Errorf("collab matched %q", r.Hits[0].Matched)
	}
	// Once the word is finished (a space follows), it is no longer a prefix.
	if r := ix.Search(Query{Text: "collab "}); r.Total != 0 {
		t.Errorf("'collab ': %v, want nothing", ids(r))
	}
	// Only the last word is completed.
	if r := ix.Search(Query{Text: "collab racks"}); !slices.Equal(ids(r), []string{"colo"}) {
		t.Errorf("'collab racks': %v, want [colo]", ids(r))
	}
	mustFind(t, ix, "microsoft te", "teams")
	// Two letters are too few to complete.
	if r := ix.Search(Query{Text: "co"}); r.Total != 0 {
		t.Errorf("co: %v", ids(r))
	}
}

func TestRanking(t *testing.T) {
	ix := New()
	ix.Put(doc("desc", "service", "Backup", "Nightly copies of your storage volumes."))
	ix.Put(doc("name", "service", "Storage", "Disks for virtual machines."))
	ix.Put(doc("both", "service", "Backup storage", "Vault for copies."))
	ix.Put(doc("one", "service", "Backup", "Restores of deleted files."))
	r := ix.Search(Query{Text: "storage"})
	if got := ids(r); len(got) != 3 || got[0] != "name" && got[0] != "both" || got[2] != "desc" {
		t.Errorf("storage: %v, want name matches before the description match", got)
	}
	r = ix.Search(Query{Text: "backup storage"})
	if got := ids(r); len(got) != 4 || got[0] != "both" {
		t.Errorf("backup storage: %v, want both first", got)
	}
	// A doc matching both words beats one matching a single word many times.
	ix.Put(doc("spam", "service", "Storage storage storage", "Storage storage storage storage."))
	ix.Put(doc("two", "service", "Archive", "Long-term storage for your backup copies."))
	r = ix.Search(Query{Text: "backup storage"})
	got := ids(r)
	if i, j := slices.Index(got, "two"), slices.Index(got, "spam"); i < 0 || j < 0 || i > j {
		t.Errorf("backup storage: %v, want two (both words) before spam (one word)", got)
	}
	for i := 1; i < len(r.Hits); i++ {
		if r.Hits[i-1].Score < r.Hits[i].Score {
			t.Errorf("scores not descending: %v", r.Hits)
		}
	}
	if int(r.Hits[0].Score) != 2 {
		t.Errorf("best hit score %v, want integer part 2 (words matched)", r.Hits[0].Score)
	}
}

func TestDeterministicTies(t *testing.T) {
	ix := New()
	for _, id := range []string{"c", "a", "d", "b"} {
		ix.Put(doc(id, "service", "Printer", "Same text."))
	}
	for range 3 {
		if got := ids(ix.Search(Query{Text: "printer"})); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Fatalf("ties: %v, want ID order", got)
		}
	}
	r := ix.Search(Query{Text: "printer", Limit: 2, Offset: 1})
	if got := ids(r); !slices.Equal(got, []string{"b", "c"}) || r.Total != 4 {
		t.Errorf("page: %v total %d", got, r.Total)
	}
	if r := ix.Search(Query{Text: "printer", Offset: 10}); len(r.Hits) != 0 || r.Total != 4 || r.Hits == nil {
		t.Errorf("offset past the end: %+v", r)
	}
}

func filterIndex() *Index {
	ix := New()
	ix.Put(doc("vm-s", "offering", "Cloud VM small", "Virtual server.", "family:compute", "lifecycle:live", "dept:1"))
	ix.Put(doc("vm-l", "offering", "Cloud VM large", "Virtual server.", "family:compute", "lifecycle:retiring", "dept:2"))
	ix.Put(doc("phys", "service", "Physical server", "Rack server.", "family:compute", "lifecycle:live"))
	ix.Put(doc("obj", "service", "Object storage", "Buckets.", "family:storage", "lifecycle:live", "dept:1"))
	ix.Put(doc("need1", "need", "Need a server for analysis", "Our lab needs a server.", "dept:1"))
	return ix
}

func TestKindsAndTags(t *testing.T) {
	ix := filterIndex()
	for _, c := range []struct {
		name string
		q    Query
		want []string
	}{
		{"kinds", Query{Text: "server", Kinds: []string{"offering"}}, []string{"vm-l", "vm-s"}},
		{"two kinds", Query{Text: "server", Kinds: []string{"offering", "need"}}, []string{"need1", "vm-l", "vm-s"}},
		{"unknown kind", Query{Text: "server", Kinds: []string{"community"}}, nil},
		{"require", Query{Text: "server", Require: []string{"family:compute", "lifecycle:live"}}, []string{"phys", "vm-s"}},
		{"require unknown", Query{Text: "server", Require: []string{"family:compute", "nope"}}, nil},
		{"anyOf OR within group", Query{Require: []string{"lifecycle:live"},
			AnyOf: [][]string{{"family:compute", "family:storage"}}}, []string{"obj", "phys", "vm-s"}},
		{"anyOf AND across groups", Query{AnyOf: [][]string{{"family:compute", "family:storage"}, {"dept:1", "dept:3"}}},
			[]string{"obj", "vm-s"}},
		{"anyOf unknown tag in group", Query{AnyOf: [][]string{{"family:storage", "family:nope"}}}, []string{"obj"}},
		{"anyOf all unknown", Query{AnyOf: [][]string{{"family:nope"}}}, nil},
		{"empty group ignored", Query{Kinds: []string{"need"}, AnyOf: [][]string{{}}}, []string{"need1"}},
		{"list all by ID", Query{}, []string{"need1", "obj", "phys", "vm-l", "vm-s"}},
	} {
		r := ix.Search(c.q)
		got := ids(r)
		if len(c.want) == 0 && len(got) == 0 {
			continue
		}
		if c.q.Text == "" {
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v in ID order", c.name, got, c.want)
			}
		} else {
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		if r.Total != len(c.want) {
			t.Errorf("%s: total %d, want %d", c.name, r.Total, len(c.want))
		}
	}
}

func TestFacets(t *testing.T) {
	ix := filterIndex()
	r := ix.Search(Query{Text: "server", Limit: 1, Facets: []string{"family:", "lifecycle:", "dept:"}})
	if len(r.Hits) != 1 || r.Total != 4 {
		t.Fatalf("page of 1 of 4: %v total %d", ids(r), r.Total)
	}
	want := map[string]int{"family:compute": 3, "lifecycle:live": 2, "lifecycle:retiring": 1, "dept:1": 2, "dept:2": 1}
	if !mapsEqual(r.Facets, want) {
		t.Errorf("facets %v, want %v", r.Facets, want)
	}
	r = ix.Search(Query{Facets: []string{"family:"}, Require: []string{"dept:1"}})
	if want := map[string]int{"family:compute": 1, "family:storage": 1}; !mapsEqual(r.Facets, want) {
		t.Errorf("listing facets %v, want %v", r.Facets, want)
	}
	if r := ix.Search(Query{Text: "server"}); r.Facets != nil {
		t.Errorf("facets without asking: %v", r.Facets)
	}
	if r := ix.Search(Query{Text: "zzzz", Facets: []string{"family:"}}); r.Facets == nil || len(r.Facets) != 0 {
		t.Errorf("no match: facets %v, want empty map", r.Facets)
	}
	// Tags added later are counted by a prefix seen before.
	ix.Put(doc("blk", "service", "Block storage server", "Volumes.", "family:storage-block"))
	r = ix.Search(Query{Text: "server", Facets: []string{"family:"}})
	if r.Facets["family:storage-block"] != 1 || r.Facets["family:compute"] != 3 {
		t.Errorf("facets after a new tag: %v", r.Facets)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestReplaceAndDelete(t *testing.T) {
	ix := New()
	ix.Put(doc("x", "service", "Object storage", "Buckets.", "family:storage"))
	ix.Put(doc("y", "service", "Printing", "Printers.", "family:workplace"))
	if ix.Len() != 2 {
		t.Fatalf("len %d", ix.Len())
	}
	ix.Put(doc("x", "offering", "Team chat", "Messages.", "family:collaboration"))
	if ix.Len() != 2 {
		t.Errorf("replace changed len to %d", ix.Len())
	}
	if r := ix.Search(Query{Text: "storage"}); r.Total != 0 {
		t.Errorf("old terms still match: %v", ids(r))
	}
	if r := ix.Search(Query{Text: "storrage"}); r.Total != 0 {
		t.Errorf("old words still corrected to: %v", ids(r))
	}
	if r := ix.Search(Query{Require: []string{"family:storage"}}); r.Total != 0 {
		t.Errorf("old tags still match: %v", ids(r))
	}
	r := ix.Search(Query{Text: "chat"})
	if got := ids(r); !slices.Equal(got, []string{"x"}) || r.Hits[0].Kind != "offering" {
		t.Errorf("new terms: %+v", r.Hits)
	}
	// The vocabulary forgot the old words entirely.
	ix.mu.RLock()
	_, term := ix.termIDs["storag"]
	_, word := ix.wordIDs["storage"]
	ix.mu.RUnlock()
	if term || word {
		t.Errorf("vocabulary keeps storag=%v storage=%v", term, word)
	}

	ix.Delete("x")
	ix.Delete("nope")
	if ix.Len() != 1 {
		t.Errorf("len after delete %d", ix.Len())
	}
	if r := ix.Search(Query{Text: "chat"}); r.Total != 0 {
		t.Errorf("deleted doc found: %v", ids(r))
	}
	if got := ids(ix.Search(Query{})); !slices.Equal(got, []string{"y"}) {
		t.Errorf("listing after delete: %v", got)
	}
	ix.Put(Doc{ID: "", Fields: []Field{{Text: "ignored"}}})
	if ix.Len() != 1 {
		t.Errorf("empty ID indexed")
	}
}

// TestCompaction replaces documents until the index renumbers itself and
// checks that nothing is lost.
func TestCompaction(t *testing.T) {
	ix := New()
	const n = 600
	put := func(round int) {
		for i := range n {
			ix.Put(doc(fmt.Sprintf("d%04d", i), "service", fmt.Sprintf("Item %d round%d", i, round),
				"Shared words here.", fmt.Sprintf("mod:%d", i%3)))
		}
	}
	for round := range 4 {
		put(round)
	}
	ix.mu.RLock()
	slots, dead := len(ix.docs), ix.dead
	ix.mu.RUnlock()
	if slots >= 4*n || dead > compactAfter {
		t.Errorf("no compaction: %d slots, %d dead", slots, dead)
	}
	if ix.Len() != n {
		t.Errorf("len %d", ix.Len())
	}
	r := ix.Search(Query{Text: "shared words", Require: []string{"mod:1"}, Limit: 1000})
	if r.Total != n/3 {
		t.Errorf("total %d, want %d", r.Total, n/3)
	}
	if r := ix.Search(Query{Text: "round3 "}); r.Total != n {
		t.Errorf("round3: %d", r.Total)
	}
	if r := ix.Search(Query{Text: "round1 "}); r.Total != 0 {
		t.Errorf("round1: %d", r.Total)
	}
	if r := ix.Search(Query{Text: "item 17 "}); len(r.Hits) == 0 || r.Hits[0].ID != "d0017" {
		t.Errorf("item 17: %v", ids(r))
	}
}

func TestConcurrentPutSearch(t *testing.T) {
	ix := New()
	words := strings.Fields("server storage network laptop printer backup database chat mail calendar vpn firewall")
	text := func(r *rand.Rand) string {
		var sb strings.Builder
		for range 8 {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	for i := range 200 {
		r := rand.New(rand.NewPCG(uint64(i), 1))
		ix.Put(doc(fmt.Sprint(i), "need", text(r), text(r), fmt.Sprintf("dept:%d", i%5)))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for range 300 {
				id := fmt.Sprint(r.IntN(300))
				if r.IntN(4) == 0 {
					ix.Delete(id)
				} else {
					ix.Put(doc(id, "need", text(r), text(r), fmt.Sprintf("dept:%d", r.IntN(5))))
				}
			}
		})
	}
	for s := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(s), 3))
			for range 300 {
				q := Query{Text: words[r.IntN(len(words))] + " " + words[r.IntN(len(words))][:3],
					AnyOf: [][]string{{"dept:1", "dept:2"}}, Facets: []string{"dept:"}, Limit: 5}
				res := ix.Search(q)
				sum := 0
				for _, n := range res.Facets {
					sum += n
				}
				if sum != res.Total || len(res.Hits) > 5 {
					t.Errorf("inconsistent result: total %d, facet sum %d, %d hits", res.Total, sum, len(res.Hits))
					return
				}
			}
		})
	}
	wg.Wait()
	if n := ix.Len(); n == 0 || n > 300 {
		t.Errorf("len %d", n)
	}
	if r := ix.Search(Query{Limit: 1000}); r.Total != ix.Len() {
		t.Errorf("listing total %d, len %d", r.Total, ix.Len())
	}
}

func TestIDKeyOrdersAsIDs(t *testing.T) {
	ids := []string{"", "1", "10", "100", "1000000", "10000000", "100000000", "100000001", "2", "99", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgi", "x\x00", "x\x00\x01"}
	for _, a := range ids {
		for _, b := range ids {
			if ka, kb := idKey(a), idKey(b); ka != kb && (ka < kb) != (a < b) {
				t.Errorf("idKey(%q) < idKey(%q) is %v, but %q < %q is %v", a, b, ka < kb, a, b, a < b)
			}
		}
	}
}

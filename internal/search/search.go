package search

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// DefaultLimit is the page size of a Query whose Limit is not positive.
const DefaultLimit = 20

// BM25 parameters.
const (
	k1 = 1.2
	b  = 0.75
)

// Weights of inexact matches relative to an exact one.
const (
	weightFuzzy1     = 0.5  // edit distance 1
	weightFuzzy2     = 0.25 // edit distance 2
	weightPrefixBase = 0.4  // prefix weight is base + span × typed/length
	weightPrefixSpan = 0.4
)

// Limits on query expansion.
const (
	maxQueryTerms = 32 // query words beyond this are ignored
	maxFuzzyTerms = 16 // typo corrections per query word
	maxPrefixTerm = 32 // completions of the last query word
	rareDF        = 3  // a known word in at most this many documents is also corrected
	rareFactor    = 10 // …towards words at least this many times as frequent
)

// Query is a search request.
type Query struct {
	// Text is what the user typed. Empty (or only stop words) lists every
	// document that passes the filters, ordered by ID.
	Text string
	// Kinds keeps documents of these kinds; empty keeps all.
	Kinds []string
	// Require keeps documents that carry every one of these tags.
	Require []string
	// AnyOf keeps documents that carry at least one tag of each group:
	// OR within a facet, AND across facets. Empty groups are ignored.
	AnyOf [][]string
	// Limit is the page size; zero or negative means DefaultLimit.
	Limit int
	// Offset skips that many hits.
	Offset int
	// Facets are tag prefixes ("family:") whose tags are counted over all
	// matching documents.
	Facets []string
	// SkipTotal asks only for the page: Result.Total is then -1, and the
	// search may skip documents that cannot reach the page (those that
	// match fewer query words than the page's last hit), which spares
	// most of the work when the common words of a long text match a
	// large part of the index. The hits are the same. Ignored with Facets.
	SkipTotal bool
}

// Result is a page of hits.
type Result struct {
	// Hits is the requested page, best first; never nil.
	Hits []Hit
	// Total is the number of matching documents; -1 with Query.SkipTotal.
	Total int
	// Facets counts, for each tag starting with one of Query.Facets, the
	// matching documents that carry it (all of them, not only the page).
	// Tags with no matching document are left out. Nil when Query.Facets is
	// empty.
	Facets map[string]int
}

// Hit is one matching document.
type Hit struct {
	ID, Kind string
	// Score orders hits: its integer part is the number of query words the
	// document matches, its fraction grows with BM25F relevance. Zero when
	// the query has no searchable words.
	Score float64
	// Matched lists, sorted, the lower-cased indexed words through which
	// the document matched, including other forms of a matched stem,
	// corrected typos and completed prefixes ("collaboration" for the query
	// "colaboration"). Highlight their whole-word, case-insensitive
	// occurrences.
	Matched []string
}

// qword is an analysed query word and what it matches in the vocabulary.
type qword struct {
	word   string // lower-cased surface form
	term   string // stem
	prefix string // the word being typed, when it is to be completed
	alts   []alt
}

type alt struct {
	term   uint32
	weight float64
}

// parseQuery analyses query text into distinct terms. The last word is
// marked for completion when the text does not end with a separator.
func parseQuery(text string) []qword {
	var ws []qword
	forEachWord(text, func(w string) {
		if len(ws) == maxQueryTerms || !indexable(w) {
			return
		}
		t := stem(w)
		for _, q := range ws {
			if q.term == t {
				return
			}
		}
		ws = append(ws, qword{word: w, term: t})
	})
	r, _ := utf8.DecodeLastRuneInString(text)
	if !isWordRune(r) {
		return ws
	}
	start := len(text)
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if !isWordRune(r) {
			break
		}
		start -= size
	}
	last := lower(text[start:])
	if !indexable(last) {
		return ws
	}
	t := stem(last)
	for i := range ws {
		if ws[i].term == t {
			ws[i].prefix = last
		}
	}
	return ws
}

// expand finds each query word's exact term, typo corrections and
// completions; ix.mu is held.
func (ix *Index) expand(s *scratch, ws []qword) {
	for i := range ws {
		q := &ws[i]
		q.alts = q.alts[:0]
		exact, known := ix.termIDs[q.term]
		if known {
			q.alts = append(q.alts, alt{exact, 1})
		}
		n := runeLen(q.word)
		if n >= 4 && !hasDigit(q.word) && (!known || ix.terms[exact].df <= rareDF) {
			maxd := 1
			if n >= 8 {
				maxd = 2
			}
			minDF := int32(0)
			if known {
				minDF = rareFactor * ix.terms[exact].df
			}
			type cand struct {
				term uint32
				dist int
			}
			var cands []cand
			ix.fuzzyWords(s, q.word, maxd, func(w uint32, dist int) {
				tid := ix.words[w].term
				if (known && tid == exact) || ix.terms[tid].df < minDF {
					return
				}
				for j := range cands {
					if cands[j].term == tid {
						cands[j].dist = min(cands[j].dist, dist)
						return
					}
				}
				cands = append(cands, cand{tid, dist})
			})
			slices.SortFunc(cands, func(a, b cand) int {
				return cmp.Or(cmp.Compare(a.dist, b.dist),
					cmp.Compare(ix.terms[b.term].df, ix.terms[a.term].df),
					strings.Compare(ix.terms[a.term].text, ix.terms[b.term].text))
			})
			for _, c := range cands[:min(len(cands), maxFuzzyTerms)] {
				w := weightFuzzy1
				if c.dist == 2 {
					w = weightFuzzy2
				}
				q.alts = append(q.alts, alt{c.term, w})
			}
		}
		if q.prefix != "" {
			ix.expandPrefix(q, exact, known)
		}
	}
}

func (ix *Index) expandPrefix(q *qword, exact uint32, known bool) {
	typed := float64(runeLen(q.prefix))
	type cand struct {
		term   uint32
		weight float64
	}
	var cands []cand
	ix.prefixWords(q.prefix, func(w uint32) {
		wi := &ix.words[w]
		if known && wi.term == exact {
			return
		}
		wt := weightPrefixBase + weightPrefixSpan*typed/float64(wi.runes)
		for j := range cands {
			if cands[j].term == wi.term {
				cands[j].weight = max(cands[j].weight, wt)
				return
			}
		}
		cands = append(cands, cand{wi.term, wt})
	})
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(ix.terms[b.term].df, ix.terms[a.term].df),
			strings.Compare(ix.terms[a.term].text, ix.terms[b.term].text))
	})
	for _, c := range cands[:min(len(cands), maxPrefixTerm)] {
		dup := false
		for j := range q.alts {
			if q.alts[j].term == c.term {
				q.alts[j].weight = max(q.alts[j].weight, c.weight)
				dup = true
				break
			}
		}
		if !dup {
			q.alts = append(q.alts, alt{c.term, c.weight})
		}
	}
}

// filter is a query's kinds and tags as internal numbers.
type filter struct {
	kinds   []uint32
	require []uint32
	anyOf   [][]uint32
	// set, when not nil, holds a bit for each document that passes.
	set []uint64
}

// A filterSet is a bit for each document number, set when the document
// passes a filter, as of an index version.
type filterSet struct {
	version uint64
	bits    []uint64
}

// Filters are kept as bit sets in indexes of at least minFilterSet
// documents, at most maxFilterSets of them.
const (
	minFilterSet  = 4096
	maxFilterSets = 64
)

// useFilterSet gives f the bit set of the documents that pass it, built
// once per index version: a search checks the filter of every document it
// collects, and reading one bit from a few kilobytes is cheaper than
// reading each document's tags from all over the index. ix.mu is held for
// reading.
func (ix *Index) useFilterSet(f *filter) {
	if len(ix.docs) < minFilterSet || len(f.kinds) == 0 && len(f.require) == 0 && len(f.anyOf) == 0 {
		return
	}
	key := make([]byte, 0, 64)
	add := func(ids []uint32, sep byte) {
		for _, id := range ids {
			key = append(key, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
		}
		key = append(key, sep)
	}
	add(f.kinds, 'k')
	add(f.require, 'r')
	for _, g := range f.anyOf {
		add(g, 'a')
	}
	ix.filterMu.Lock()
	defer ix.filterMu.Unlock()
	e := ix.filters[string(key)]
	if e == nil || e.version != ix.version {
		if e == nil && len(ix.filters) >= maxFilterSets {
			clear(ix.filters)
		}
		bits := make([]uint64, (len(ix.docs)+63)/64)
		for n, d := range ix.docs {
			if d != nil && ix.match(f, uint32(n)) {
				bits[n/64] |= 1 << (n % 64)
			}
		}
		e = &filterSet{version: ix.version, bits: bits}
		ix.filters[string(key)] = e
	}
	f.set = e.bits
}

// compileFilter returns false when no document can pass the filter.
func (ix *Index) compileFilter(q Query) (filter, bool) {
	var f filter
	for _, k := range q.Kinds {
		if id, ok := ix.kindIDs[k]; ok {
			f.kinds = append(f.kinds, id)
		}
	}
	if len(q.Kinds) > 0 && len(f.kinds) == 0 {
		return f, false
	}
	for _, t := range q.Require {
		id, ok := ix.tagIDs[t]
		if !ok {
			return f, false
		}
		f.require = append(f.require, id)
	}
	for _, group := range q.AnyOf {
		if len(group) == 0 {
			continue
		}
		var ids []uint32
		for _, t := range group {
			if id, ok := ix.tagIDs[t]; ok {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return f, false
		}
		f.anyOf = append(f.anyOf, ids)
	}
	return f, true
}

func hasTag(tags []uint32, t uint32) bool {
	if len(tags) <= 8 {
		return slices.Contains(tags, t)
	}
	_, ok := slices.BinarySearch(tags, t)
	return ok
}

// match reports whether live document n passes the filter.
func (ix *Index) match(f *filter, n uint32) bool {
	if len(f.kinds) > 0 && !slices.Contains(f.kinds, ix.meta[n].kind) {
		return false
	}
	if len(f.require) == 0 && len(f.anyOf) == 0 {
		return true
	}
	tags := ix.tagsOf(n)
	for _, t := range f.require {
		if !hasTag(tags, t) {
			return false
		}
	}
	for _, group := range f.anyOf {
		ok := false
		for _, t := range group {
			if hasTag(tags, t) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// facetEntry caches the tags that start with a prefix; tags are never
// removed, so the entry extends itself as tags are added.
type facetEntry struct {
	scanned int
	ids     []uint32
}

const maxFacetCache = 256

// facetTags returns the tags that start with prefix; ix.mu is held.
func (ix *Index) facetTags(prefix string) []uint32 {
	ix.facetMu.Lock()
	defer ix.facetMu.Unlock()
	e := ix.facetCache[prefix]
	if e == nil {
		if len(ix.facetCache) >= maxFacetCache {
			clear(ix.facetCache)
		}
		e = new(facetEntry)
		ix.facetCache[strings.Clone(prefix)] = e
	}
	for ; e.scanned < len(ix.tags); e.scanned++ {
		if strings.HasPrefix(ix.tags[e.scanned].name, prefix) {
			e.ids = append(e.ids, uint32(e.scanned))
		}
	}
	return e.ids[:len(e.ids):len(e.ids)]
}

// scratch holds one search's working arrays, indexed by document, word or
// tag number. Entries are valid only where their stamp equals the current
// generation, so nothing is cleared between searches.
type scratch struct {
	gen, tgen, wgen uint32

	seen    []uint32
	score   []float32
	mask    []uint32 // query words matched, one bit each
	pass    []uint8  // the filter's verdict: 0 not asked yet, passCheck or failCheck
	touched []uint32
	order   []int    // query words in the order they are scored
	cands   []uint32 // while need is set, the documents still in the running, sorted
	// need is how many of the query words scored so far a document must
	// already match to be scored further (0: every document is).
	need int

	tokSeen    []uint32
	tok        []float32 // best match of the current query word
	tokTouched []uint32

	wseen    []uint32
	wcount   []uint16
	wtouched []uint32

	tagSeen []uint32
	tagCnt  []int32
	facets  []uint32
}

func grow[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

func (s *scratch) ensureDocs(n int) {
	s.seen, s.score, s.mask, s.pass = grow(s.seen, n), grow(s.score, n), grow(s.mask, n), grow(s.pass, n)
	s.tokSeen, s.tok = grow(s.tokSeen, n), grow(s.tok, n)
}

func (s *scratch) ensureWords(n int) {
	s.wseen, s.wcount = grow(s.wseen, n), grow(s.wcount, n)
}

// next advances a generation counter, clearing its stamps when it wraps.
func next(gen *uint32, stamps ...[]uint32) uint32 {
	*gen++
	if *gen == 0 {
		for _, st := range stamps {
			clear(st)
		}
		*gen = 1
	}
	return *gen
}

func (s *scratch) nextWordGen() uint32 { return next(&s.wgen, s.wseen) }

// classParams are a search's per-field-class BM25F constants.
type classParams struct {
	boost [maxClasses]float64
	nb    [maxClasses]float64 // b / average field length
}

// Search runs q. At most GOMAXPROCS (as at New) searches run at once; more
// callers wait their turn in arrival order. Searches are pure computation,
// so running more at once would not finish them sooner, but would let the
// runtime's time slicing stall some for hundreds of milliseconds under load
// and multiply the per-search working memory (about 20 bytes a document).
func (ix *Index) Search(q Query) Result {
	ws := parseQuery(q.Text)
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	offset := max(q.Offset, 0)
	res := Result{Hits: []Hit{}}
	if len(q.Facets) > 0 {
		res.Facets = map[string]int{}
	}
	skipTotal := q.SkipTotal && len(q.Facets) == 0
	if skipTotal {
		res.Total = -1
	}

	ix.gate <- struct{}{}
	defer func() { <-ix.gate }()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f, ok := ix.compileFilter(q)
	if !ok {
		return res
	}
	if len(ws) > 0 {
		ix.useFilterSet(&f)
	}
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.ensureDocs(len(ix.docs))
	s.tagSeen, s.tagCnt = grow(s.tagSeen, len(ix.tags)), grow(s.tagCnt, len(ix.tags))
	// One generation stamps both documents and facet tags of this search.
	next(&s.gen, s.seen, s.tagSeen)
	countFacets := ix.prepareFacets(s, q.Facets)

	k := offset + limit
	if k < 0 { // overflow
		k = math.MaxInt
	}
	top := topK{ix: ix, k: k}
	if len(ws) == 0 {
		ix.list(s, &f, &top, countFacets, &res)
	} else {
		ix.rank(s, ws, &f, &top, countFacets, skipTotal, &res)
	}
	if skipTotal {
		res.Total = -1
	}
	if countFacets {
		for _, t := range s.facets {
			if n := s.tagCnt[t]; n > 0 {
				res.Facets[ix.tags[t].name] = int(n)
			}
		}
	}
	cands := top.sorted()
	if offset >= len(cands) {
		return res
	}
	for _, c := range cands[offset:] {
		h := Hit{ID: ix.docs[c.doc].id, Kind: ix.kinds[ix.meta[c.doc].kind], Score: c.score}
		if len(ws) > 0 {
			h.Matched = ix.matched(ws, s.mask[c.doc], c.doc)
		}
		res.Hits = append(res.Hits, h)
	}
	return res
}

// prepareFacets stamps the tags to count; it reports whether there are any.
func (ix *Index) prepareFacets(s *scratch, prefixes []string) bool {
	if len(prefixes) == 0 {
		return false
	}
	gen := s.gen
	s.facets = s.facets[:0]
	for _, p := range prefixes {
		for _, t := range ix.facetTags(p) {
			if s.tagSeen[t] != gen {
				s.tagSeen[t] = gen
				s.tagCnt[t] = 0
				s.facets = append(s.facets, t)
			}
		}
	}
	return true
}

func (s *scratch) count(tags []uint32) {
	for _, t := range tags {
		if s.tagSeen[t] == s.gen {
			s.tagCnt[t]++
		}
	}
}

// list collects every document that passes f, for a query without words.
func (ix *Index) list(s *scratch, f *filter, top *topK, countFacets bool, res *Result) {
	visit := func(n uint32) {
		if ix.docs[n] == nil || !ix.match(f, n) {
			return
		}
		res.Total++
		if countFacets {
			s.count(ix.tagsOf(n))
		}
		top.push(cand{doc: n})
	}
	if len(f.require) > 0 {
		// Start from the rarest required tag.
		best := ix.tags[f.require[0]].docs
		for _, t := range f.require[1:] {
			if docs := ix.tags[t].docs; len(docs) < len(best) {
				best = docs
			}
		}
		for _, n := range best {
			visit(n)
		}
		return
	}
	for n := range ix.docs {
		visit(uint32(n))
	}
}

// rank scores the documents that match any query word and collects those
// that pass f, rarest words first.
//
// With prune, documents that cannot reach the best top.k are not scored:
// a hit's score has the number of words it matches as its integer part,
// so once k documents that pass f match L words, a document matching
// fewer cannot reach the page. rank first assumes that k documents match
// every word, which most texts typed in a search box find: then only the
// documents of the rarest word are candidates, and the other words score
// those alone. When fewer than k do, it assumes that k match all words but
// one (a typo, a project name nobody else used): then the candidates are
// the documents of the two rarest words. When fewer than k do, it scores
// again without assumption, and skips documents as the counts allow (see
// needed).
func (ix *Index) rank(s *scratch, ws []qword, f *filter, top *topK, countFacets, prune bool, res *Result) {
	ix.expand(s, ws)
	var cp classParams
	for c, fc := range ix.classes {
		cp.boost[c] = fc.boost
		avg := 1.0
		if fc.docs > 0 && fc.total > 0 {
			avg = float64(fc.total) / float64(fc.docs)
		}
		cp.nb[c] = b / avg
	}
	s.order = s.order[:0]
	words := 0
	for i := range ws {
		s.order = append(s.order, i)
		if len(ws[i].alts) > 0 {
			words++
		}
	}
	postings := func(i int) int {
		n := 0
		for _, a := range ws[i].alts {
			n += len(ix.terms[a.term].postings)
		}
		return n
	}
	slices.SortStableFunc(s.order, func(i, j int) int { return cmp.Compare(postings(i), postings(j)) })
	// Every word, then all but one.
	for minWords := words; prune && minWords >= 2 && minWords >= words-1; minWords-- {
		if ix.score(s, ws, f, &cp, top, minWords, true, false, res) >= top.k {
			return
		}
		top.items = top.items[:0]
		next(&s.gen, s.seen, s.tagSeen)
	}
	ix.score(s, ws, f, &cp, top, 0, prune, countFacets, res)
}

// score scores the query words in s.order and pushes the documents that
// pass f to top. Documents are scored only while they can still match
// minWords words, and with prune, while they can still reach top (see
// needed). It returns how many documents that pass f match at least
// minWords words.
func (ix *Index) score(s *scratch, ws []qword, f *filter, cp *classParams, top *topK, minWords int, prune, countFacets bool, res *Result) int {
	s.touched = s.touched[:0]
	s.need = 0
	s.cands = s.cands[:0]
	n := float64(ix.live)
	for j, i := range s.order {
		remaining := len(ws) - j
		need := max(s.need, minWords-remaining)
		if prune {
			need = max(need, ix.needed(s, f, top.k, j, remaining))
		}
		if need > 0 {
			// No document is admitted from now on; those that can no
			// longer match need words leave the running.
			start := s.need == 0
			s.need = need
			if start {
				s.startCands()
			} else {
				s.cands = slices.DeleteFunc(s.cands, func(d uint32) bool { return bits.OnesCount32(s.mask[d]) < need })
			}
		}
		q := &ws[i]
		bit := uint32(1) << i
		if len(q.alts) == 1 {
			a := q.alts[0]
			s.addTerm(&ix.terms[a.term], a.weight, n, cp, bit, true)
			continue
		}
		if len(q.alts) == 0 {
			continue
		}
		next(&s.tgen, s.tokSeen)
		s.tokTouched = s.tokTouched[:0]
		for _, a := range q.alts {
			s.addTerm(&ix.terms[a.term], a.weight, n, cp, bit, false)
		}
		for _, d := range s.tokTouched {
			s.add(d, s.tok[d], bit)
		}
	}
	enough := 0
	for _, d := range s.touched {
		matched := bits.OnesCount32(s.mask[d])
		if matched < s.need || !ix.passes(s, f, d) {
			continue
		}
		if matched >= minWords {
			enough++
		}
		res.Total++
		if countFacets {
			s.count(ix.tagsOf(d))
		}
		rel := float64(s.score[d])
		top.push(cand{doc: d, score: float64(matched) + rel/(rel+1)})
	}
	return enough
}

// startCands lists, sorted, the touched documents that match s.need words.
// The filter is asked later, of fewer documents.
func (s *scratch) startCands() {
	for _, d := range s.touched {
		if bits.OnesCount32(s.mask[d]) >= s.need {
			s.cands = append(s.cands, d)
		}
	}
	slices.Sort(s.cands)
}

// Filter verdicts kept in scratch.pass.
const (
	passCheck = 1
	failCheck = 2
)

// passes reports whether touched document d passes f, asking f once per
// search.
func (ix *Index) passes(s *scratch, f *filter, d uint32) bool {
	if f.set != nil {
		return f.set[d/64]&(1<<(d%64)) != 0
	}
	switch s.pass[d] {
	case passCheck:
		return true
	case failCheck:
		return false
	}
	ok := ix.match(f, d)
	s.pass[d] = failCheck
	if ok {
		s.pass[d] = passCheck
	}
	return ok
}

// needed returns how many query words a document must match after scored
// words have been scored, with remaining words still to score, to be able
// to reach the best k: if k documents that pass f match L > remaining
// words, a document matching fewer than L-remaining ends below all of
// them. It returns 0 when no such bound is known yet.
func (ix *Index) needed(s *scratch, f *filter, k, scored, remaining int) int {
	if scored <= remaining || k <= 0 || k > len(s.touched) {
		return 0
	}
	var hist [maxQueryTerms + 1]int
	found := 0
	for _, d := range s.touched {
		c := bits.OnesCount32(s.mask[d])
		if c <= remaining || c < s.need || !ix.passes(s, f, d) {
			continue
		}
		hist[c]++
		found++
	}
	if found < k {
		return 0
	}
	sum := 0
	for c := scored; c > remaining; c-- {
		if sum += hist[c]; sum >= k {
			return c - remaining
		}
	}
	return 0
}

// sparseRatio is how many times more postings a term must have than there
// are candidates (documents still in the running) for the candidates to be
// looked up in its postings rather than its postings scanned.
const sparseRatio = 8

// addTerm scores the documents of one term: into the document scores when
// direct, else into the current query word's best-match array. While
// s.need is set, only the candidates are scored.
func (s *scratch) addTerm(t *termInfo, weight, n float64, cp *classParams, bit uint32, direct bool) {
	df := float64(t.df)
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	wi := weight * idf * (k1 + 1)
	ps := t.postings
	if s.need > 0 && len(s.cands)*sparseRatio < len(ps) {
		i := 0
		for _, d := range s.cands {
			if i = seek(ps, i, d); i == len(ps) {
				break
			}
			if ps[i].doc == d {
				var sc float32
				sc, i = termScore(ps, i, wi, cp)
				s.record(d, sc, bit, direct)
			}
		}
		return
	}
	for i := 0; i < len(ps); {
		d := ps[i].doc
		if s.need > 0 && (s.seen[d] != s.gen || bits.OnesCount32(s.mask[d]) < s.need) {
			for i++; i < len(ps) && ps[i].doc == d; i++ {
			}
			continue
		}
		var sc float32
		sc, i = termScore(ps, i, wi, cp)
		s.record(d, sc, bit, direct)
	}
}

// termScore is the term's BM25F score in the document of ps[i], whose
// postings (one per field) start at i; it also returns the index past them.
func termScore(ps []posting, i int, wi float64, cp *classParams) (float32, int) {
	d := ps[i].doc
	var tfw float64
	for ; i < len(ps) && ps[i].doc == d; i++ {
		p := ps[i]
		tfw += cp.boost[p.class] * float64(p.tf) / ((1 - b) + cp.nb[p.class]*float64(p.flen))
	}
	return float32(wi * tfw / (k1 + tfw)), i
}

// seek returns the index of the first posting at or after i whose
// document is d or later, galloping from i.
func seek(ps []posting, i int, d uint32) int {
	if i >= len(ps) || ps[i].doc >= d {
		return i
	}
	// ps[lo].doc < d; ps[hi].doc >= d, or hi is past the end.
	lo, step := i, 1
	hi := lo + step
	for hi < len(ps) && ps[hi].doc < d {
		lo, step = hi, step*2
		hi = lo + step
	}
	hi = min(hi, len(ps))
	for lo+1 < hi {
		mid := int(uint(lo+hi) >> 1)
		if ps[mid].doc < d {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func (s *scratch) record(d uint32, sc float32, bit uint32, direct bool) {
	if direct {
		s.add(d, sc, bit)
	} else if s.tokSeen[d] != s.tgen {
		s.tokSeen[d] = s.tgen
		s.tok[d] = sc
		s.tokTouched = append(s.tokTouched, d)
	} else if sc > s.tok[d] {
		s.tok[d] = sc
	}
}

func (s *scratch) add(d uint32, sc float32, bit uint32) {
	if s.seen[d] != s.gen {
		s.seen[d] = s.gen
		s.score[d] = sc
		s.mask[d] = bit
		s.pass[d] = 0
		s.touched = append(s.touched, d)
		return
	}
	s.score[d] += sc
	s.mask[d] |= bit
}

// matched returns the indexed words through which document n matched.
func (ix *Index) matched(ws []qword, mask uint32, n uint32) []string {
	var out []string
	for i := range ws {
		if mask&(1<<i) == 0 {
			continue
		}
		for _, a := range ws[i].alts {
			t := &ix.terms[a.term]
			if _, ok := slices.BinarySearchFunc(t.postings, n, cmpPostingDoc); !ok {
				continue
			}
			for _, w := range t.words {
				out = append(out, ix.words[w].text)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type cand struct {
	doc   uint32
	score float64
}

// topK keeps the k best candidates in a heap whose root is the worst.
type topK struct {
	ix    *Index
	k     int
	items []cand
}

// better orders by score, then by ID: by the IDs' keys in the dense
// docMeta when they differ, which spares reading both IDs when many hits
// score the same.
func (t *topK) better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if ka, kb := t.ix.meta[a.doc].idKey, t.ix.meta[b.doc].idKey; ka != kb {
		return ka < kb
	}
	return t.ix.docs[a.doc].id < t.ix.docs[b.doc].id
}

func (t *topK) push(c cand) {
	if len(t.items) < t.k {
		t.items = append(t.items, c)
		for i := len(t.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.better(t.items[p], t.items[i]) {
				break
			}
			t.items[p], t.items[i] = t.items[i], t.items[p]
			i = p
		}
		return
	}
	if !t.better(c, t.items[0]) {
		return
	}
	t.items[0] = c
	for i := 0; ; {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.items) && t.better(t.items[w], t.items[l]) {
			w = l
		}
		if r < len(t.items) && t.better(t.items[w], t.items[r]) {
			w = r
		}
		if w == i {
			break
		}
		t.items[i], t.items[w] = t.items[w], t.items[i]
		i = w
	}
}

func (t *topK) sorted() []cand {
	slices.SortFunc(t.items, func(a, b cand) int {
		switch {
		case t.better(a, b):
			return -1
		case t.better(b, a):
			return 1
		}
		return 0
	})
	return t.items
}

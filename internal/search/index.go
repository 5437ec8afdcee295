package search

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Doc is a document to index.
type Doc struct {
	// ID identifies the document across kinds; Put replaces a document with
	// the same ID. Documents with an empty ID are ignored.
	ID string
	// Kind is what the document is: "service", "offering", "need", …
	Kind string
	// Fields are the searchable texts.
	Fields []Field
	// Tags are filter and facet values such as "family:compute",
	// "lifecycle:live" or "dept:12", matched exactly.
	Tags []string
}

// Field is one searchable text of a document.
type Field struct {
	// Name groups fields across documents for length normalisation.
	Name string
	Text string
	// Boost multiplies the field's contribution (name 3, tags 2,
	// description 1, say). Zero, negative or NaN means 1.
	Boost float64
}

// posting is one (term, document, field) occurrence, packed in eight bytes.
type posting struct {
	doc   uint32 // internal document number
	flen  uint16 // field length in words, at most 65535
	tf    uint8  // term frequency in the field, at most 255
	class uint8  // field class: name and boost
}

type termInfo struct {
	text     string
	postings []posting // sorted by doc; one entry per field of a document
	df       int32     // documents containing the term
	words    []uint32  // surface words whose stem is this term
}

type wordInfo struct {
	text  string
	term  uint32
	runes int32 // length in runes; 0 marks a free slot
}

type fieldLen struct {
	class uint8
	len   uint16
}

type docInfo struct {
	id     string
	tags   []uint32 // sorted tag numbers
	terms  []uint32 // distinct term numbers
	fields []fieldLen
}

// inlineTags is how many tags docMeta holds; documents with more are read
// from docInfo.
const inlineTags = 6

// docMeta is what filters and facets read for every matching document,
// kept in one dense array for locality; and idKey, which ranks hits of
// equal score.
type docMeta struct {
	kind  uint32
	ntags uint32
	tags  [inlineTags]uint32
	idKey uint64
}

// idKey is the first 8 bytes of id, big-endian, zero-padded: two IDs whose
// keys differ are ordered as their keys are (padding sorts first, as a
// shorter prefix does); equal keys say nothing.
func idKey(id string) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if i < len(id) {
			k |= uint64(id[i])
		}
	}
	return k
}

type tagInfo struct {
	name string
	docs []uint32 // sorted document numbers
}

type classKey struct {
	name  string
	boost float64
}

// fieldClass is a field name with a boost; BM25F averages field lengths per
// class.
type fieldClass struct {
	name  string
	boost float64
	docs  int // documents with the field
	total int // sum of their field lengths
}

// maxClasses is how many (field name, boost) pairs are told apart; further
// pairs share the last class.
const maxClasses = 256

// compactAfter is how many deleted document numbers are tolerated before the
// index renumbers its documents (when they also outnumber live documents).
const compactAfter = 1024

// Index is an in-memory search index, safe for concurrent use.
type Index struct {
	// gate admits at most GOMAXPROCS searches at once (see Search).
	gate chan struct{}

	mu sync.RWMutex

	ids  map[string]uint32 // document ID to number
	docs []*docInfo        // by number; nil for deleted numbers
	meta []docMeta         // by number
	live int
	dead int

	terms     []termInfo
	termIDs   map[string]uint32
	freeTerms []uint32

	words     []wordInfo
	wordIDs   map[string]uint32
	freeWords []uint32
	grams     map[uint64][]uint32 // trigram to word numbers

	kindIDs map[string]uint32
	kinds   []string

	tagIDs map[string]uint32
	tags   []tagInfo

	classIDs map[classKey]uint8
	classes  []fieldClass

	facetMu    sync.Mutex
	facetCache map[string]*facetEntry

	// version counts Puts and Deletes, so that cached filters know when
	// they are out of date.
	version  uint64
	filterMu sync.Mutex
	filters  map[string]*filterSet

	scratch sync.Pool
}

// New returns an empty index.
func New() *Index {
	return &Index{
		gate:       make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		ids:        make(map[string]uint32),
		termIDs:    make(map[string]uint32),
		wordIDs:    make(map[string]uint32),
		grams:      make(map[uint64][]uint32),
		kindIDs:    make(map[string]uint32),
		tagIDs:     make(map[string]uint32),
		classIDs:   make(map[classKey]uint8),
		facetCache: make(map[string]*facetEntry),
		filters:    make(map[string]*filterSet),
		scratch:    sync.Pool{New: func() any { return new(scratch) }},
	}
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// analysedField is a field's terms, computed before the lock is taken.
type analysedField struct {
	name   string
	boost  float64
	length int
	terms  []termCount
}

type termCount struct {
	term string
	tf   int
}

type wordTerm struct {
	word, term string
}

func analyseDoc(doc Doc) ([]analysedField, []wordTerm) {
	fields := make([]analysedField, 0, len(doc.Fields))
	var words []wordTerm
	seen := make(map[string]struct{})
	tf := make(map[string]int)
	for _, f := range doc.Fields {
		clear(tf)
		n := 0
		forEachWord(f.Text, func(w string) {
			if !indexable(w) {
				return
			}
			t := stem(w)
			n++
			tf[t]++
			if _, ok := seen[w]; !ok {
				seen[w] = struct{}{}
				words = append(words, wordTerm{w, t})
			}
		})
		boost := f.Boost
		if !(boost > 0) || math.IsInf(boost, 1) {
			boost = 1
		}
		af := analysedField{name: f.Name, boost: boost, length: n, terms: make([]termCount, 0, len(tf))}
		for t, c := range tf {
			af.terms = append(af.terms, termCount{t, c})
		}
		fields = append(fields, af)
	}
	return fields, words
}

// Put inserts doc, or replaces the document with the same ID.
func (ix *Index) Put(doc Doc) {
	if doc.ID == "" {
		return
	}
	fields, words := analyseDoc(doc)
	tags := slices.Clone(doc.Tags)
	slices.Sort(tags)
	tags = slices.Compact(tags)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.version++
	if old, ok := ix.ids[doc.ID]; ok {
		ix.remove(old)
	}
	num := uint32(len(ix.docs))
	nterms := 0
	for _, f := range fields {
		nterms += len(f.terms)
	}
	d := &docInfo{
		id:     strings.Clone(doc.ID),
		terms:  make([]uint32, 0, nterms),
		fields: make([]fieldLen, 0, len(fields)),
		tags:   make([]uint32, 0, len(tags)),
	}
	ix.docs = append(ix.docs, d)
	ix.meta = append(ix.meta, docMeta{kind: ix.internKind(doc.Kind), idKey: idKey(d.id)})
	ix.ids[d.id] = num
	ix.live++
	for _, f := range fields {
		c := ix.classFor(f.name, f.boost)
		flen := min(f.length, math.MaxUint16)
		ix.classes[c].docs++
		ix.classes[c].total += flen
		d.fields = append(d.fields, fieldLen{class: c, len: uint16(flen)})
		for _, tc := range f.terms {
			tid := ix.internTerm(tc.term)
			t := &ix.terms[tid]
			if n := len(t.postings); n == 0 || t.postings[n-1].doc != num {
				t.df++
				d.terms = append(d.terms, tid)
			}
			t.postings = append(t.postings, posting{
				doc: num, flen: uint16(flen), tf: uint8(min(tc.tf, math.MaxUint8)), class: c,
			})
		}
	}
	for _, wt := range words {
		ix.internWord(wt.word, wt.term)
	}
	for _, tag := range tags {
		id := ix.internTag(tag)
		d.tags = append(d.tags, id)
		ix.tags[id].docs = append(ix.tags[id].docs, num)
	}
	slices.Sort(d.tags)
	m := &ix.meta[num]
	m.ntags = uint32(len(d.tags))
	copy(m.tags[:], d.tags)
}

// tagsOf returns the sorted tags of live document n.
func (ix *Index) tagsOf(n uint32) []uint32 {
	m := &ix.meta[n]
	if m.ntags <= inlineTags {
		return m.tags[:m.ntags]
	}
	return ix.docs[n].tags
}

// Delete removes the document with the given ID, if any.
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if num, ok := ix.ids[id]; ok {
		ix.version++
		ix.remove(num)
	}
}

func cmpPostingDoc(p posting, doc uint32) int { return cmp.Compare(p.doc, doc) }

// remove deletes document number num; ix.mu is held for writing.
func (ix *Index) remove(num uint32) {
	d := ix.docs[num]
	for _, tid := range d.terms {
		t := &ix.terms[tid]
		lo, _ := slices.BinarySearchFunc(t.postings, num, cmpPostingDoc)
		hi := lo
		for hi < len(t.postings) && t.postings[hi].doc == num {
			hi++
		}
		t.postings = slices.Delete(t.postings, lo, hi)
		t.df--
		if t.df == 0 {
			ix.dropTerm(tid)
		}
	}
	for _, f := range d.fields {
		ix.classes[f.class].docs--
		ix.classes[f.class].total -= int(f.len)
	}
	for _, tag := range d.tags {
		t := &ix.tags[tag]
		if i, ok := slices.BinarySearch(t.docs, num); ok {
			t.docs = slices.Delete(t.docs, i, i+1)
		}
	}
	delete(ix.ids, d.id)
	ix.docs[num] = nil
	ix.meta[num] = docMeta{}
	ix.live--
	ix.dead++
	if ix.dead > compactAfter && ix.dead > ix.live {
		ix.compact()
	}
}

// compact renumbers the live documents densely, keeping their order, and
// trims posting lists to their length.
func (ix *Index) compact() {
	remap := make([]uint32, len(ix.docs))
	docs := make([]*docInfo, 0, ix.live)
	meta := make([]docMeta, 0, ix.live)
	for i, d := range ix.docs {
		if d != nil {
			remap[i] = uint32(len(docs))
			docs = append(docs, d)
			meta = append(meta, ix.meta[i])
		}
	}
	for i := range ix.terms {
		t := &ix.terms[i]
		if len(t.postings) == 0 {
			continue
		}
		ps := make([]posting, len(t.postings))
		for j, p := range t.postings {
			p.doc = remap[p.doc]
			ps[j] = p
		}
		t.postings = ps
	}
	for i := range ix.tags {
		t := &ix.tags[i]
		ds := make([]uint32, len(t.docs))
		for j, n := range t.docs {
			ds[j] = remap[n]
		}
		t.docs = ds
	}
	for id, n := range ix.ids {
		ix.ids[id] = remap[n]
	}
	ix.docs = docs
	ix.meta = meta
	ix.dead = 0
}

func (ix *Index) internKind(kind string) uint32 {
	if id, ok := ix.kindIDs[kind]; ok {
		return id
	}
	id := uint32(len(ix.kinds))
	kind = strings.Clone(kind)
	ix.kinds = append(ix.kinds, kind)
	ix.kindIDs[kind] = id
	return id
}

func (ix *Index) internTag(tag string) uint32 {
	if id, ok := ix.tagIDs[tag]; ok {
		return id
	}
	id := uint32(len(ix.tags))
	tag = strings.Clone(tag)
	ix.tags = append(ix.tags, tagInfo{name: tag})
	ix.tagIDs[tag] = id
	return id
}

func (ix *Index) classFor(name string, boost float64) uint8 {
	k := classKey{name, boost}
	if c, ok := ix.classIDs[k]; ok {
		return c
	}
	if len(ix.classes) == maxClasses {
		return maxClasses - 1
	}
	c := uint8(len(ix.classes))
	k.name = strings.Clone(name)
	ix.classes = append(ix.classes, fieldClass{name: k.name, boost: boost})
	ix.classIDs[k] = c
	return c
}

func (ix *Index) internTerm(term string) uint32 {
	if id, ok := ix.termIDs[term]; ok {
		return id
	}
	term = strings.Clone(term)
	var id uint32
	if n := len(ix.freeTerms); n > 0 {
		id = ix.freeTerms[n-1]
		ix.freeTerms = ix.freeTerms[:n-1]
		ix.terms[id] = termInfo{text: term}
	} else {
		id = uint32(len(ix.terms))
		ix.terms = append(ix.terms, termInfo{text: term})
	}
	ix.termIDs[term] = id
	return id
}

func (ix *Index) dropTerm(tid uint32) {
	t := &ix.terms[tid]
	for _, w := range t.words {
		ix.dropWord(w)
	}
	delete(ix.termIDs, t.text)
	*t = termInfo{}
	ix.freeTerms = append(ix.freeTerms, tid)
}

// internWord records a surface word of an existing term and indexes its
// trigrams.
func (ix *Index) internWord(word, term string) {
	if _, ok := ix.wordIDs[word]; ok {
		return
	}
	tid, ok := ix.termIDs[term]
	if !ok {
		return
	}
	word = strings.Clone(word)
	var id uint32
	if n := len(ix.freeWords); n > 0 {
		id = ix.freeWords[n-1]
		ix.freeWords = ix.freeWords[:n-1]
	} else {
		id = uint32(len(ix.words))
		ix.words = append(ix.words, wordInfo{})
	}
	runes := utf8.RuneCountInString(word)
	ix.words[id] = wordInfo{text: word, term: tid, runes: int32(runes)}
	ix.wordIDs[word] = id
	ix.terms[tid].words = append(ix.terms[tid].words, id)
	if runes >= minGramWord {
		var buf [maxWordBytes + 2]uint64
		for _, g := range wordGrams(word, buf[:0]) {
			ix.grams[g] = append(ix.grams[g], id)
		}
	}
}

func (ix *Index) dropWord(id uint32) {
	w := &ix.words[id]
	if w.runes >= minGramWord {
		var buf [maxWordBytes + 2]uint64
		for _, g := range wordGrams(w.text, buf[:0]) {
			list := ix.grams[g]
			if i := slices.Index(list, id); i >= 0 {
				list = slices.Delete(list, i, i+1)
			}
			if len(list) == 0 {
				delete(ix.grams, g)
			} else {
				ix.grams[g] = list
			}
		}
	}
	delete(ix.wordIDs, w.text)
	*w = wordInfo{}
	ix.freeWords = append(ix.freeWords, id)
}

package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// maxWordBytes is the longest word indexed; longer runs of letters and
// digits (hashes, encoded data) are skipped.
const maxWordBytes = 64

// stopWords are common English words that carry no meaning for search.
var stopWords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(`
		a about above after again against all am an and any are as at be
		because been before being below between both but by can could did do
		does doing during each few for from further had has have having he her
		here hers herself him himself his how i if in into is it its itself
		just me more most my myself no nor not of on once only or other ought
		our ours ourselves over own same she should so some such than that the
		their theirs them themselves then there these they this those through
		to too under until very was we were what when where which while who
		whom why will with would you your yours yourself yourselves s t d ll
		m re ve don isn aren wasn weren doesn didn won wouldn shouldn couldn
		cannot let us`) {
		m[w] = struct{}{}
	}
	return m
}()

func isStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

// isWordRune reports whether r belongs to a word: a letter, a digit or a
// combining mark.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// forEachWord calls emit with every lower-cased word of text, in order. A
// chain of exactly two words joined by a single hyphen ("e-mail") is
// followed by the two words joined ("email"). The strings passed to emit may
// share memory with text.
func forEachWord(text string, emit func(word string)) {
	var (
		prev      string // previous word, while it may start a hyphen pair
		prevEnd   = -1   // byte offset just after prev
		chain     int    // words in the current hyphen chain
		pairJoint string // the joined pair, when chain == 2
	)
	endChain := func() {
		if chain == 2 {
			emit(pairJoint)
		}
		chain, pairJoint = 0, ""
	}
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		w := lower(text[start:i])
		hyphenated := prevEnd >= 0 && start == prevEnd+1 && text[prevEnd] == '-'
		if hyphenated && chain > 0 {
			chain++
			if chain == 2 {
				pairJoint = prev + w
			}
		} else {
			endChain()
			chain = 1
		}
		emit(w)
		prev, prevEnd = w, i
	}
	endChain()
}

// lower lower-cases s without allocating when it is already lower case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// indexable reports whether a lower-cased word is kept by analysis.
func indexable(w string) bool {
	return len(w) <= maxWordBytes && !isStopWord(w)
}

// stem returns the index term of a lower-cased, indexable word: its Snowball
// English stem, or the word itself when it is short or contains a digit.
func stem(w string) string {
	if len(w) <= 2 || hasDigit(w) {
		return w
	}
	return stems.get(w)
}

// stemCache remembers recent stems: Snowball costs about a microsecond a
// word, and a corpus repeats its words many times. It is shared by all
// indexes, sharded to keep lock contention low and bounded in size.
type stemCache struct {
	shards [64]stemShard
}

type stemShard struct {
	mu sync.RWMutex
	m  map[string]string
}

const stemShardCap = 4096

var stems stemCache

func (c *stemCache) get(w string) string {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	sh := &c.shards[h%uint32(len(c.shards))]
	sh.mu.RLock()
	s, ok := sh.m[w]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	s = english.Stem(w, true)
	key := strings.Clone(w)
	if s == w {
		s = key
	}
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= stemShardCap {
		sh.m = make(map[string]string, 256)
	}
	sh.m[key] = s
	sh.mu.Unlock()
	return s
}

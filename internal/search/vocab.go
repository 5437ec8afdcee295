package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Words of at least minGramWord runes are indexed by trigram; shorter ones
// are never typo or prefix candidates.
const minGramWord = 3

// Trigrams are taken over the word padded with two start and two end
// markers, which no word contains, so "lab" gives ^^l ^la lab ab$ b$$.
const (
	padStart rune = 1
	padEnd   rune = 2
)

func gramKey(a, b, c rune) uint64 {
	return uint64(a)<<42 | uint64(b)<<21 | uint64(c)
}

// padded returns rune i of the word padded with two start and two end
// markers.
func padded(rs []rune, i int) rune {
	switch {
	case i < 2:
		return padStart
	case i-2 < len(rs):
		return rs[i-2]
	default:
		return padEnd
	}
}

// wordGrams appends the distinct padded trigrams of word to dst.
func wordGrams(word string, dst []uint64) []uint64 {
	var rbuf [maxWordBytes]rune
	rs := appendRunes(rbuf[:0], word)
	for i := 0; i < len(rs)+2; i++ {
		dst = append(dst, gramKey(padded(rs, i), padded(rs, i+1), padded(rs, i+2)))
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// prefixGrams appends the trigrams every word starting with rs contains.
func prefixGrams(rs []rune, dst []uint64) []uint64 {
	for i := 0; i < len(rs); i++ {
		dst = append(dst, gramKey(padded(rs, i), padded(rs, i+1), padded(rs, i+2)))
	}
	return dst
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// fuzzyWords calls visit for each indexed word within edit distance maxd of
// word (and not equal to it). An insertion, deletion or substitution
// changes at most 3 of a word's padded trigrams and a transposition at most
// 4, so a word within distance k shares all but at most 4k of the query
// word's distinct trigrams: only words that reach that count are compared.
func (ix *Index) fuzzyWords(s *scratch, word string, maxd int, visit func(w uint32, dist int)) {
	var qbuf, cbuf [maxWordBytes]rune
	q := appendRunes(qbuf[:0], word)
	var gbuf [maxWordBytes + 2]uint64
	grams := wordGrams(word, gbuf[:0])
	need := len(grams) - 4*maxd
	if need < 1 {
		need = 1
	}
	s.ensureWords(len(ix.words))
	gen := s.nextWordGen()
	s.wtouched = s.wtouched[:0]
	for _, g := range grams {
		for _, w := range ix.grams[g] {
			if s.wseen[w] != gen {
				s.wseen[w] = gen
				s.wcount[w] = 0
				s.wtouched = append(s.wtouched, w)
			}
			s.wcount[w]++
		}
	}
	for _, w := range s.wtouched {
		if int(s.wcount[w]) < need {
			continue
		}
		wi := &ix.words[w]
		if diff := int(wi.runes) - len(q); diff > maxd || -diff > maxd {
			continue
		}
		c := appendRunes(cbuf[:0], wi.text)
		if d := editDistance(q, c, maxd); d > 0 && d <= maxd {
			visit(w, d)
		}
	}
}

// prefixWords calls visit for each indexed word that starts with prefix and
// is longer than it. Candidates are the words of the prefix's rarest
// trigram.
func (ix *Index) prefixWords(prefix string, visit func(w uint32)) {
	var rbuf [maxWordBytes]rune
	rs := appendRunes(rbuf[:0], prefix)
	if len(rs) < minGramWord {
		return
	}
	var gbuf [maxWordBytes]uint64
	var best []uint32
	for i, g := range prefixGrams(rs, gbuf[:0]) {
		list := ix.grams[g]
		if len(list) == 0 {
			return
		}
		if i == 0 || len(list) < len(best) {
			best = list
		}
	}
	for _, w := range best {
		t := ix.words[w].text
		if len(t) > len(prefix) && strings.HasPrefix(t, prefix) {
			visit(w)
		}
	}
}

// editDistance returns the optimal string alignment distance between a and
// b (insertions, deletions, substitutions and adjacent transpositions), or
// max+1 when it exceeds max. Both are at most maxWordBytes runes long.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	var rows [3][maxWordBytes + 1]int
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// runeLen is utf8.RuneCountInString, named for brevity.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

package process

import (
	"context"
	"strings"
	"unicode"

	"github.com/engagehq/engage/internal/access"
)

// Match is a process of the register that matches words someone typed.
type Match struct {
	Ref
	// Phrase is the part of the text it matches.
	Phrase string `json:"phrase"`
}

// MaxMatches bounds what Match returns.
const MaxMatches = 10

// Match finds the processes of the register that best match what someone
// typed as the processes a need affects ("sample tracking, month-end
// close"), so that a form can offer them beside the text, which is kept as
// typed. Each phrase (separated by commas, semicolons or new lines) offers
// the processes whose name or ref shares the most with its words: a word
// matches the same word, or one that begins with the same five letters or
// more ("tracking" finds "Track samples"), and counts the letters they
// share, so "sample" is nearer "samples" than "tracking" is to "track".
// Words of fewer than three letters do not count. Processes come in the order of the phrases, then of the
// register; at most MaxMatches. Everyone signed in may.
func (s *Service) Match(ctx context.Context, p *access.Principal, text string) ([]Match, error) {
	out := []Match{}
	if strings.TrimSpace(text) == "" {
		return out, nil
	}
	m, err := s.ProcessMap(ctx, p)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, phrase := range strings.FieldsFunc(text, func(c rune) bool { return c == ',' || c == ';' || c == '\n' || c == '\r' }) {
		words := matchWords(phrase)
		if len(words) == 0 {
			continue
		}
		best, bestScore := []MapEntry{}, 0
		for _, e := range m.Entries {
			if e.Kind != Process {
				continue
			}
			score := 0
			names := matchWords(e.Name + " " + strings.ReplaceAll(e.Ref, "-", " "))
			for _, w := range words {
				best := 0
				for _, n := range names {
					best = max(best, sameWord(w, n))
				}
				score += best
			}
			switch {
			case score == 0 || score < bestScore:
			case score > bestScore:
				best, bestScore = []MapEntry{e}, score
			default:
				best = append(best, e)
			}
		}
		for _, e := range best {
			if !seen[e.ID] && len(out) < MaxMatches {
				seen[e.ID] = true
				out = append(out, Match{Ref: Ref{ID: e.ID, Kind: e.Kind, Ref: e.Ref, Name: e.Name}, Phrase: strings.TrimSpace(phrase)})
			}
		}
	}
	return out, nil
}

func matchWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) {
		if len([]rune(w)) >= 3 {
			out = append(out, w)
		}
	}
	return out
}

// sameWord says how alike two words are: the length of their common
// beginning when they are the same or share at least their first five
// letters (a crude stem: "invoices" and "invoicing"), else 0.
func sameWord(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	if n == len(ra) && n == len(rb) || n >= 5 {
		return n
	}
	return 0
}

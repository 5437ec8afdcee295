package discusspages

import (
	"bytes"
	"hash/maphash"
	"html/template"
	"io"
	"net/http"
	"strings"
	"unsafe"

	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/lru"
	"github.com/engagehq/engage/internal/web/page"
)

// A topic page's replies are kept as rendered, by everything they show:
// a digest of the replies on the page (each one's id, version — an edit,
// hiding it or making it official changes it —, author's name and whether
// it is the accepted solution), the topic page's path, the reader's time
// zone and what the reader may do (accept, make official, moderate; the
// reader themself when a reply on the page is theirs, for its edit link).
// A change to any reply is a new key, so a kept rendering is never out of
// date; the reader's CSRF token goes in as the page is written. The
// renderings together weigh at most maxRenderedReplies, the least recently
// shown dropped first. Drawing 200 replies was most of a topic page's work.
const maxRenderedReplies = 32 << 20

type repliesKey struct {
	digest                   uint64
	n                        int
	path, zone               string
	accept, answer, moderate bool
	reader                   int64 // 0 unless a reply on the page is the reader's
}

var digestSeed = maphash.MakeSeed()

// csrfMark stands for the reader's CSRF token in a kept rendering; it is
// drawn at random when Engage starts, so no text written in a reply can
// carry it.
var csrfMark = "csrf" + page.RandomString()

// keptHTML is part of a page as rendered (a topic's replies, a
// community's topics), cut where the reader's CSRF token goes.
type keptHTML []string

// With writes the part with the reader's CSRF token.
func (l keptHTML) With(csrf string) template.HTML {
	return template.HTML(strings.Join(l, csrf)) //nolint:gosec // rendered by html/template; the token is URL-safe text
}

// Mark is what a page's template writes where the part goes; renderWith
// writes the part there. A topic page's replies weigh about 80 KB: put
// in through the template they were copied three times a request (joined
// with the token, printed, and again as the page's buffer grew), and that
// garbage, not the work, was most of what the collector was run for.
func (l keptHTML) Mark() template.HTML {
	return template.HTML(keptMark) //nolint:gosec // a constant of letters and digits
}

// keptMark stands for a kept part in a page as its template writes it;
// drawn at random when Engage starts, like csrfMark.
var keptMark = "kept" + page.RandomString()

// renderWith renders the page with part written where its template put
// part.Mark(), straight to the connection, with the reader's CSRF token.
func (s *Pages) renderWith(w http.ResponseWriter, r *http.Request, name string, v page.View, part keptHTML) {
	s.Render(&splice{ResponseWriter: w, part: part, csrf: &v.PageBase().CSRF}, r, name, v)
}

// splice writes a page, with a kept part in place of its mark.
type splice struct {
	http.ResponseWriter
	part keptHTML
	csrf *string // the page's token, set as it renders
	done bool
}

func (s *splice) Write(b []byte) (int, error) {
	i := -1
	if !s.done {
		i = bytes.Index(b, []byte(keptMark))
	}
	if i < 0 {
		return s.ResponseWriter.Write(b)
	}
	s.done = true
	if _, err := s.ResponseWriter.Write(b[:i]); err != nil {
		return 0, err
	}
	for k, piece := range s.part {
		if k > 0 {
			if _, err := writeString(s.ResponseWriter, *s.csrf); err != nil {
				return 0, err
			}
		}
		if _, err := writeString(s.ResponseWriter, piece); err != nil {
			return 0, err
		}
	}
	if _, err := s.ResponseWriter.Write(b[i+len(keptMark):]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeString writes text to w without copying it: io.WriteString copies
// it into a new slice when w does not write strings, and the writers that
// wrap a response for metrics and logging do not. A Writer must neither
// change nor keep what it is given, so it may be given the string's bytes.
func writeString(w io.Writer, text string) (int, error) {
	if sw, ok := w.(io.StringWriter); ok {
		return sw.WriteString(text)
	}
	return w.Write(unsafe.Slice(unsafe.StringData(text), len(text)))
}

func (s *Pages) makeKept() {
	s.renderedReplies = lru.New[repliesKey, keptHTML](maxRenderedReplies)
	s.renderedTopics = lru.New[topicsKey, keptHTML](maxRenderedReplies / 4)
}

func (s *Pages) rendered() *lru.Cache[repliesKey, keptHTML] {
	s.renderedOnce.Do(s.makeKept)
	return s.renderedReplies
}

// replyHTML renders a page of replies of topic d at path for the reader,
// or returns it as rendered before.
func (s *Pages) replyHTML(r *http.Request, d discuss.TopicDetail, path string, replies []discuss.Reply) (keptHTML, error) {
	if len(replies) == 0 {
		return nil, nil
	}
	p := page.Principal(r)
	k := repliesKey{n: len(replies), path: path, zone: p.TimeZone, accept: d.Can.Accept, answer: d.Can.Answer, moderate: d.Can.Moderate}
	var h maphash.Hash
	h.SetSeed(digestSeed)
	for _, rp := range replies {
		maphash.WriteComparable(&h, rp.ID)
		maphash.WriteComparable(&h, rp.Version)
		maphash.WriteComparable(&h, rp.Accepted)
		h.WriteString(rp.AuthorName)
		h.WriteByte(0)
		if rp.AuthorID == p.PersonID && !d.Can.Moderate {
			k.reader = p.PersonID
		}
	}
	k.digest = h.Sum64()
	return keep(s.rendered(), k, func(b *bytes.Buffer) error {
		for _, rp := range replies {
			row := replyRow{Reply: rp, HTML: page.Markdown(rp.Body), Path: path, CSRF: csrfMark, Accept: d.Can.Accept && !rp.Accepted && !rp.Hidden,
				MakeOfficial: d.Can.Answer && !rp.Official, Change: d.Can.Moderate || rp.AuthorID == p.PersonID, Moderate: d.Can.Moderate}
			if err := s.PartialIn(b, "topic.html", "reply", k.zone, row); err != nil {
				return err
			}
		}
		return nil
	})
}

// keep returns the rendering kept for k, or makes it with render and
// keeps it, cut where the CSRF token goes.
func keep[K comparable](kept *lru.Cache[K, keptHTML], k K, render func(*bytes.Buffer) error) (keptHTML, error) {
	if l, ok := kept.Get(k); ok {
		return l, nil
	}
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return nil, err
	}
	l := keptHTML(strings.Split(b.String(), csrfMark))
	kept.Put(k, l, b.Len()+64*len(l)+256)
	return l, nil
}

// A community home's list of topics is kept as rendered too, by a digest
// of what each row shows (the topic's id, version and changes — an edit,
// pinning, locking, hiding, accepting, a reply or an official answer
// changes one of them —, its replies, last post and author's name), the
// community's path and the reader's time zone; the rows are the same for
// every reader. Within maxRenderedReplies too.
type topicsKey struct {
	digest uint64
	n      int
	slug   string
	zone   string
}

func (s *Pages) renderedLists() *lru.Cache[topicsKey, keptHTML] {
	s.renderedOnce.Do(s.makeKept)
	return s.renderedTopics
}

// topicsHTML renders the rows of a community's topics for the reader, or
// returns them as rendered before.
func (s *Pages) topicsHTML(r *http.Request, c community.Community, topics []discuss.Topic) (keptHTML, error) {
	if len(topics) == 0 {
		return nil, nil
	}
	k := topicsKey{n: len(topics), slug: c.Slug, zone: page.Principal(r).TimeZone}
	var h maphash.Hash
	h.SetSeed(digestSeed)
	for _, t := range topics {
		maphash.WriteComparable(&h, t.ID)
		maphash.WriteComparable(&h, t.Version)
		maphash.WriteComparable(&h, t.Changes)
		maphash.WriteComparable(&h, t.Replies)
		maphash.WriteComparable(&h, t.LastPostAt.UnixNano())
		h.WriteString(t.AuthorName)
		h.WriteByte(0)
	}
	k.digest = h.Sum64()
	return keep(s.renderedLists(), k, func(b *bytes.Buffer) error {
		for _, t := range topics {
			if err := s.PartialIn(b, "community_home.html", "topicrow", k.zone, map[string]any{"T": t, "C": c}); err != nil {
				return err
			}
		}
		return nil
	})
}

package discusspages

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/lru"
	"github.com/engagehq/engage/internal/web/page"
)

// Each reply of a topic page is kept as rendered, by everything it shows:
// the reply and its version (an edit, hiding it or making it official
// changes the version), its author's name, whether it is the accepted
// solution, the topic page's path, the reader's time zone and what the
// reader may do with it (accept it, make it official, edit it, moderate).
// A changed reply is a new key, so a kept rendering is never out of date;
// the reader's CSRF token goes in as the page is written. The renderings
// together weigh at most maxRenderedReplies, the least recently shown
// dropped first. Drawing the 200 replies of a page was most of its work.
const maxRenderedReplies = 32 << 20

type replyKey struct {
	id                                   int64
	version                              int
	name, path, zone                     string
	accepted                             bool
	accept, makeOfficial, change, modify bool
}

// csrfMark stands for the reader's CSRF token in a kept rendering; it is
// drawn at random when Engage starts, so no text written in a reply can
// carry it.
var csrfMark = "csrf" + page.RandomString()

// replyList is a page's replies as rendered, each cut where the reader's
// CSRF token goes.
type replyList [][]string

// With writes the replies with the reader's CSRF token.
func (l replyList) With(csrf string) template.HTML {
	var b strings.Builder
	for _, parts := range l {
		for i, p := range parts {
			if i > 0 {
				b.WriteString(csrf)
			}
			b.WriteString(p)
		}
	}
	return template.HTML(b.String()) //nolint:gosec // rendered by html/template; the token is URL-safe text
}

func (s *Pages) rendered() *lru.Cache[replyKey, []string] {
	s.renderedOnce.Do(func() { s.renderedReplies = lru.New[replyKey, []string](maxRenderedReplies) })
	return s.renderedReplies
}

// replyHTML renders a page of replies for reader of topic d at path,
// reusing what was rendered before.
func (s *Pages) replyHTML(r *http.Request, d discuss.TopicDetail, path string, replies []discuss.Reply) (replyList, error) {
	p := page.Principal(r)
	zone := p.TimeZone
	kept := s.rendered()
	out := make(replyList, 0, len(replies))
	for _, rp := range replies {
		row := replyRow{Reply: rp, Path: path, CSRF: csrfMark, Accept: d.Can.Accept && !rp.Accepted && !rp.Hidden,
			MakeOfficial: d.Can.Answer && !rp.Official, Change: d.Can.Moderate || rp.AuthorID == p.PersonID, Moderate: d.Can.Moderate}
		k := replyKey{id: rp.ID, version: rp.Version, name: rp.AuthorName, path: path, zone: zone, accepted: rp.Accepted,
			accept: row.Accept, makeOfficial: row.MakeOfficial, change: row.Change, modify: row.Moderate}
		parts, ok := kept.Get(k)
		if !ok {
			row.HTML = page.Markdown(rp.Body)
			var b bytes.Buffer
			if err := s.PartialIn(&b, "topic.html", "reply", zone, row); err != nil {
				return nil, err
			}
			parts = strings.Split(b.String(), csrfMark)
			kept.Put(k, parts, b.Len()+len(path)+len(rp.AuthorName)+128)
		}
		out = append(out, parts)
	}
	return out, nil
}

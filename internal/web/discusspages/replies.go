package discusspages

import (
	"bytes"
	"hash/maphash"
	"html/template"
	"net/http"
	"strings"

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

// replyList is a page's replies as rendered, cut where the reader's CSRF
// token goes.
type replyList []string

// With writes the replies with the reader's CSRF token.
func (l replyList) With(csrf string) template.HTML {
	return template.HTML(strings.Join(l, csrf)) //nolint:gosec // rendered by html/template; the token is URL-safe text
}

func (s *Pages) rendered() *lru.Cache[repliesKey, replyList] {
	s.renderedOnce.Do(func() { s.renderedReplies = lru.New[repliesKey, replyList](maxRenderedReplies) })
	return s.renderedReplies
}

// replyHTML renders a page of replies of topic d at path for the reader,
// or returns it as rendered before.
func (s *Pages) replyHTML(r *http.Request, d discuss.TopicDetail, path string, replies []discuss.Reply) (replyList, error) {
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
	kept := s.rendered()
	if l, ok := kept.Get(k); ok {
		return l, nil
	}
	var b bytes.Buffer
	for _, rp := range replies {
		row := replyRow{Reply: rp, HTML: page.Markdown(rp.Body), Path: path, CSRF: csrfMark, Accept: d.Can.Accept && !rp.Accepted && !rp.Hidden,
			MakeOfficial: d.Can.Answer && !rp.Official, Change: d.Can.Moderate || rp.AuthorID == p.PersonID, Moderate: d.Can.Moderate}
		if err := s.PartialIn(&b, "topic.html", "reply", k.zone, row); err != nil {
			return nil, err
		}
	}
	l := replyList(strings.Split(b.String(), csrfMark))
	kept.Put(k, l, b.Len()+len(path)+64*len(l)+128)
	return l, nil
}

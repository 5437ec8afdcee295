package discusspages

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/web/page"
)

// TestReplyTemplate renders a reply with every form a reader may have and
// checks that the reader's CSRF token takes the mark's place in each.
func TestReplyTemplate(t *testing.T) {
	var k page.Kit
	if err := k.Register(Templates); err != nil {
		t.Fatal(err)
	}
	row := replyRow{Reply: discuss.Reply{ID: 7, AuthorName: "Bo <b>", Body: "Hi", Version: 2, Hidden: true}, HTML: page.Markdown("Hi"),
		Path: "/communities/iphone/topics/1", CSRF: csrfMark, Accept: true, MakeOfficial: true, Change: true, Moderate: true}
	var b bytes.Buffer
	if err := k.PartialIn(&b, "topic.html", "reply", "Europe/Zurich", row); err != nil {
		t.Fatal(err)
	}
	l := keptHTML(strings.Split(b.String(), csrfMark))
	if len(l) != 4 { // accept, official and hide forms
		t.Fatalf("%d CSRF marks; want 3: %s", len(l)-1, b.String())
	}
	out := string(l.With("token-1"))
	for _, want := range []string{`value="token-1"`, `/communities/iphone/topics/1/accept`, `/communities/iphone/topics/1/edit?reply=7`,
		`Bo &lt;b&gt;`, "Show again", "edited"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the reply lacks %q: %s", want, out)
		}
	}
	if strings.Contains(out, csrfMark) {
		t.Fatal("the mark is left in the page")
	}
}

// TestSpliceWritesTheKeptPartInPlace: a page written through splice gets
// the kept part, with the reader's token at each cut, where its template
// wrote the mark, once; what has no mark passes as it is.
func TestSpliceWritesTheKeptPartInPlace(t *testing.T) {
	rec := httptest.NewRecorder()
	token := ""
	s := &splice{ResponseWriter: rec, part: keptHTML{`<a value="`, `">x</a>`}, csrf: &token}
	token = "tok" // set while the page renders, before it is written
	page := "<main>" + string(keptHTML(nil).Mark()) + "</main>" + keptMark
	if n, err := s.Write([]byte(page)); err != nil || n != len(page) {
		t.Fatalf("wrote %d of %d: %v", n, len(page), err)
	}
	if _, err := s.Write([]byte("<footer>")); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Body.String(), `<main><a value="tok">x</a></main>`+keptMark+"<footer>"; got != want {
		t.Fatalf("wrote %q; want %q", got, want)
	}
}

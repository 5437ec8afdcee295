package discusspages

import (
	"bytes"
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

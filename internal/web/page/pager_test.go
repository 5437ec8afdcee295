package page

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPagerLinkKeepsCursorAndFilters renders the pager as a list page does
// and reads the link back the way a browser would: the cursor and the
// filters must arrive as parameters of their own, not escaped into one.
func TestPagerLinkKeepsCursorAndFilters(t *testing.T) {
	layout, err := kitFS.ReadFile("templates/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	tpl := template.Must(template.New("layout.html").Funcs(funcs).Funcs(zoneFuncs(time.UTC)).Parse(string(layout)))
	tpl = template.Must(tpl.New("page").Parse(`{{template "pager" (next .Query .Cursor)}}`))
	var buf bytes.Buffer
	q := url.Values{"state": {"open"}, "q": {"lab & cloud"}, "cursor": {"old"}}
	if err := tpl.ExecuteTemplate(&buf, "page", map[string]any{"Query": q, "Cursor": "eyJpZCI6MTJ9=="}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	start := strings.Index(out, `href="`)
	if start < 0 {
		t.Fatalf("no link in %q", out)
	}
	href := out[start+len(`href="`):]
	href = html.UnescapeString(href[:strings.Index(href, `"`)])
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	got := u.Query()
	if got.Get("cursor") != "eyJpZCI6MTJ9==" || got.Get("state") != "open" || got.Get("q") != "lab & cloud" || len(got["cursor"]) != 1 {
		t.Fatalf("next page link %q reads as %v", href, got)
	}
	if u.Path != "" || !strings.HasPrefix(href, "?") {
		t.Fatalf("next page link %q should stay on the same page", href)
	}
	buf.Reset()
	if err := tpl.ExecuteTemplate(&buf, "page", map[string]any{"Query": q, "Cursor": ""}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Next page") {
		t.Fatal("the last page offers a next page")
	}
}

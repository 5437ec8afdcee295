package page

import (
	"strings"
	"testing"
)

func TestMarkdownIsSafe(t *testing.T) {
	cases := map[string]string{
		"<script>alert(1)</script>":            "<script",
		"[x](javascript:alert(1))":             "javascript:",
		"<img src=x onerror=alert(1)>":         "onerror",
		"[x](JaVaScRiPt:alert(1))":             "alert(1)\"",
		"<a href=\"https://e.com\" onclick=x>": "onclick",
	}
	for src, bad := range cases {
		out := string(Markdown(src))
		if strings.Contains(strings.ToLower(out), strings.ToLower(bad)) {
			t.Errorf("markdown %q rendered %q, which contains %q", src, out, bad)
		}
	}
	if out := string(Markdown("**Fast** [docs](https://example.com)")); !strings.Contains(out, "<strong>Fast</strong>") ||
		!strings.Contains(out, `href="https://example.com"`) {
		t.Errorf("markdown lost ordinary formatting: %q", out)
	}
}

// What renderMarkdown keeps is each source's own rendering, whatever came
// before it, and it stays within its bound.
func TestMarkdownKeptPerSource(t *testing.T) {
	for range 2 {
		if a, b := Markdown("**one**"), Markdown("*one*"); a != "<p><strong>one</strong></p>\n" || b != "<p><em>one</em></p>\n" {
			t.Fatalf("renderings = %q and %q", a, b)
		}
	}
	big := strings.Repeat("word ", maxMarkdownKept/64/12)
	for i := range 100 {
		Markdown(big + strings.Repeat("x", i))
	}
	renderedMarkdown.Lock()
	kept := renderedMarkdown.bytes
	renderedMarkdown.Unlock()
	if kept > maxMarkdownKept {
		t.Fatalf("%d bytes of markdown kept; want at most %d", kept, maxMarkdownKept)
	}
}

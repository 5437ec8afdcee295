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

package page

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders service descriptions and announcements. Raw HTML in the
// source is not passed through (goldmark omits it unless told otherwise)
// and links with dangerous schemes such as javascript: are dropped, so what
// a service owner writes cannot inject script.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// Markdown renders src as safe HTML, keeping what it rendered: a service page
// shows its description on every visit, and rendering it was a tenth of the
// page's work.
func Markdown(src string) template.HTML {
	renderedMarkdown.Lock()
	h, ok := renderedMarkdown.html[src]
	renderedMarkdown.Unlock()
	if ok {
		return h
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	h = template.HTML(buf.String()) //nolint:gosec // goldmark escapes raw HTML and unsafe links
	size := len(src) + len(h)
	if size > maxMarkdownKept/64 {
		return h
	}
	renderedMarkdown.Lock()
	defer renderedMarkdown.Unlock()
	if renderedMarkdown.html == nil || renderedMarkdown.bytes+size > maxMarkdownKept {
		renderedMarkdown.html, renderedMarkdown.bytes = map[string]template.HTML{}, 0
	}
	if _, ok := renderedMarkdown.html[src]; !ok {
		renderedMarkdown.html[src] = h
		renderedMarkdown.bytes += size
	}
	return h
}

// maxMarkdownKept bounds the text kept by Markdown, sources and
// renderings together; past it, it starts again empty. A text of more than
// a 64th of it is not kept.
const maxMarkdownKept = 16 << 20

var renderedMarkdown struct {
	sync.Mutex
	html  map[string]template.HTML
	bytes int
}

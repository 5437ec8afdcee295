package page

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders service descriptions and announcements. Raw HTML in the
// source is not passed through (goldmark omits it unless told otherwise)
// and links with dangerous schemes such as javascript: are dropped, so what
// a service owner writes cannot inject script.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// Markdown renders src as safe HTML.
func Markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String()) //nolint:gosec // goldmark escapes raw HTML and unsafe links
}

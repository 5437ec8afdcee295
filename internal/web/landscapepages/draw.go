package landscapepages

import (
	"hash/fnv"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"github.com/engagehq/engage/internal/landscape"
)

// drawings keeps the heatmaps drawn lately, by what they show: the same
// register seen the same way is drawn once, not at every request.
type drawings struct {
	mu   sync.Mutex
	seen map[uint64]template.HTML
}

const keptDrawings = 32

// draw returns the treemap and its table for h, drawing them when they are
// not kept.
func (d *drawings) draw(h landscape.Heatmap) template.HTML {
	key := fingerprint(h)
	d.mu.Lock()
	html, ok := d.seen[key]
	d.mu.Unlock()
	if ok {
		return html
	}
	html = render(h)
	d.mu.Lock()
	if d.seen == nil || len(d.seen) >= keptDrawings {
		d.seen = map[uint64]template.HTML{}
	}
	d.seen[key] = html
	d.mu.Unlock()
	return html
}

// fingerprint sums up everything a drawing shows of h.
func fingerprint(h landscape.Heatmap) uint64 {
	f := fnv.New64a()
	f.Write([]byte(h.View))
	var buf []byte
	for _, c := range h.Cells {
		buf = strconv.AppendInt(buf[:0], c.Process.ID, 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, c.ParentID, 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, int64(c.Level), 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, int64(c.Size), 10)
		buf = append(buf, 0)
		buf = append(buf, c.Process.Name...)
		buf = append(buf, 0)
		buf = append(buf, c.Value...)
		buf = append(buf, 1)
		f.Write(buf)
	}
	return f.Sum64()
}

// render writes the treemap as SVG, then the same figures as a table, every
// text escaped.
func render(h landscape.Heatmap) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	label := esc(landscape.ViewLabels[h.View])
	b.WriteString(`<svg id="heatmap" aria-labelledby="heatmap-title" width="100%" viewBox="0 0 ` + num(mapWidth) + " " + num(mapHeight) +
		`" class="chart treemap" font-size="11">` + "\n")
	for _, t := range tiles(h) {
		b.WriteString(`<a href="` + esc(t.Href) + `"><title>` + esc(t.Label) + `</title><rect x="` + num(t.X) + `" y="` + num(t.Y) + `" width="` + num(t.W) +
			`" height="` + num(t.H) + `" fill="` + t.Fill + `" stroke="#ffffff"></rect>`)
		if t.Name != "" {
			weight := ""
			if t.Header {
				weight = ` font-weight="600"`
			}
			b.WriteString(`<text x="` + num(t.TextX) + `" y="` + num(t.NameY) + `" fill="#1f2328"` + weight + `>` + esc(t.Name) + `</text>`)
		}
		if t.Value != "" {
			b.WriteString(`<text x="` + num(t.TextX) + `" y="` + num(t.ValueY) + `" fill="#1f2328">` + esc(t.Value) + `</text>`)
		}
		b.WriteString("</a>\n")
	}
	b.WriteString("</svg>\n")
	names := make(map[int64]string, len(h.Cells))
	for _, c := range h.Cells {
		names[c.Process.ID] = c.Process.Name
	}
	b.WriteString(`<details id="heatmap-table"><summary>The heatmap as a table</summary>` + "\n" + `<div class="table-wrap"><table>` + "\n" +
		`<thead><tr><th scope="col">Process</th><th scope="col">Below</th><th scope="col">` + label + `</th></tr></thead>` + "\n<tbody>")
	for _, c := range h.Cells {
		b.WriteString(`<tr><th scope="row"><a href="/portfolio/processes/` + itoa(c.Process.ID) + `">` + esc(c.Process.Name) + `</a></th><td>` +
			esc(names[c.ParentID]) + `</td><td>` + esc(c.Value) + "</td></tr>\n")
	}
	b.WriteString("</tbody></table></div>\n</details>\n")
	return template.HTML(b.String())
}

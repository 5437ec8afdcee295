package landscapepages

import (
	"math"

	"github.com/engagehq/engage/internal/landscape"
)

// box is a rectangle of the drawing.
type box struct{ x, y, w, h float64 }

// squarify lays values out in r as rectangles of areas in proportion to
// them, as close to squares as it can (Bruls, Huizing and van Wijk's
// squarified treemap), in their order.
func squarify(values []float64, r box) []box {
	out := make([]box, len(values))
	total := 0.0
	for _, v := range values {
		total += v
	}
	if total <= 0 || r.w <= 0 || r.h <= 0 {
		return out
	}
	areas := make([]float64, len(values))
	for i, v := range values {
		areas[i] = v * r.w * r.h / total
	}
	for i := 0; i < len(areas); {
		side := math.Min(r.w, r.h)
		j := i + 1
		for j < len(areas) && worst(areas[i:j+1], side) <= worst(areas[i:j], side) {
			j++
		}
		sum := 0.0
		for _, a := range areas[i:j] {
			sum += a
		}
		if r.w >= r.h {
			w := sum / r.h
			y := r.y
			for k := i; k < j; k++ {
				out[k] = box{r.x, y, w, areas[k] / w}
				y += areas[k] / w
			}
			r.x, r.w = r.x+w, r.w-w
		} else {
			h := sum / r.w
			x := r.x
			for k := i; k < j; k++ {
				out[k] = box{x, r.y, areas[k] / h, h}
				x += areas[k] / h
			}
			r.y, r.h = r.y+h, r.h-h
		}
		i = j
	}
	return out
}

// worst is the largest aspect ratio of a row of areas laid along side.
func worst(row []float64, side float64) float64 {
	sum, hi, lo := 0.0, 0.0, math.Inf(1)
	for _, a := range row {
		sum += a
		hi, lo = math.Max(hi, a), math.Min(lo, a)
	}
	if lo <= 0 || sum <= 0 {
		return math.Inf(1)
	}
	return math.Max(side*side*hi/(sum*sum), sum*sum/(side*side*lo))
}

// Tile is one rectangle of the treemap: an entry of the register.
type Tile struct {
	X, Y, W, H float64
	Fill       string
	Href       string
	Label      string // the entry and its value, for its title
	Name       string // shown when it fits
	Value      string // shown below the name when it fits
	TextX      float64
	NameY      float64
	ValueY     float64
	Header     bool // drawn as a frame, its name on a strip above what sits below it
}

const (
	mapWidth, mapHeight = 960.0, 600.0
	header              = 18.0
	charWidth           = 6.5 // of the 11px labels, on average
)

// palettes colour each view's levels 0 to 4: light fills, so that dark
// text stays readable (WCAG AA) on every one.
var palettes = map[string][5]string{
	landscape.ViewEnablement:  {"#eaeef2", "#f7b9a8", "#fde49c", "#a7e3b5", "#a7e3b5"},
	landscape.ViewRisk:        {"#a7e3b5", "#fde49c", "#f9c58d", "#f7b9a8", "#e8a0a6"},
	landscape.ViewDisposition: {"#eaeef2", "#a7e3b5", "#c9d7f2", "#fde49c", "#f7b9a8"},
	landscape.ViewCost:        {"#eaeef2", "#d0e4f7", "#a5c8ec", "#86b4e4", "#6a9fdb"},
}

// tiles draws the heatmap as a treemap: the top of the tree shares the
// drawing by how many entries each holds; an entry with entries below it
// is a frame with its name on a strip, those below it inside.
func tiles(h landscape.Heatmap) []Tile {
	children := map[int64][]int{}
	for i, c := range h.Cells {
		children[c.ParentID] = append(children[c.ParentID], i)
	}
	palette := palettes[h.View]
	out := make([]Tile, 0, len(h.Cells))
	var place func(idx []int, r box, depth int)
	place = func(idx []int, r box, depth int) {
		sizes := make([]float64, len(idx))
		for k, i := range idx {
			sizes[k] = float64(h.Cells[i].Size)
		}
		for k, b := range squarify(sizes, r) {
			c := h.Cells[idx[k]]
			t := Tile{X: round(b.x), Y: round(b.y), W: round(b.w), H: round(b.h), TextX: round(b.x + 4), Fill: palette[c.Level],
				Href: "/portfolio/processes/" + itoa(c.Process.ID), Label: c.Label()}
			below := children[c.Process.ID]
			t.Header = len(below) > 0 && b.h > 3*header && b.w > 48 && depth < 32
			if t.Header || (b.w >= 40 && b.h >= header) {
				t.Name, t.NameY = fit(c.Process.Name, b.w), round(b.y+13)
			}
			if !t.Header && b.w >= 40 && b.h >= 2*header+2 {
				t.Value, t.ValueY = fit(c.Value, b.w), round(b.y+28)
			}
			out = append(out, t)
			if t.Header {
				place(below, box{b.x + 2, b.y + header, b.w - 4, b.h - header - 2}, depth+1)
			}
		}
	}
	place(children[0], box{0, 0, mapWidth, mapHeight}, 0)
	return out
}

// fit shortens s to what a tile w wide shows.
func fit(s string, w float64) string {
	n := int((w - 8) / charWidth)
	r := []rune(s)
	switch {
	case n < 3:
		return ""
	case len(r) <= n:
		return s
	}
	return string(r[:n-1]) + "…"
}

func round(f float64) float64 { return math.Round(f*10) / 10 }

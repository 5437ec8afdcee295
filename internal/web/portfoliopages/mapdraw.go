package portfoliopages

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/lru"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
	"github.com/engagehq/engage/internal/web/page"
)

// The process map of a large register is thousands of nested entries:
// it is drawn once for each state of the register and of the stored cost
// figures, month and way of seeing the costs, and kept. Each request reads
// the two change counters, so a map drawn on one replica is never shown
// after a change made through another.

// mapKey is everything a drawn map depends on.
type mapKey struct {
	register int64  // the register's generation
	costs    int64  // the stored figures' generation (0 when no cost is shown)
	period   string // the month of the costs
	viewer   string // processcost.Viewer: what the reader sees of costs
}

// drawnMap is the process map as drawn for one key.
type drawnMap struct {
	Tree  template.HTML
	Count int
	Costs *processcost.CostMap
}

// keptMapBytes bounds the drawn maps kept: a map of 2,000 processes is
// about half a megabyte.
const keptMapBytes = 16 << 20

// registerAt is the register's map as read at one generation, with each
// entry's parent by id.
type registerAt struct {
	generation int64
	m          process.RegisterMap
	tree       map[int64]int64
}

// maps keeps the drawn maps and the register's map last read.
type maps struct {
	once  sync.Once
	drawn *lru.Cache[mapKey, drawnMap]

	mu       sync.Mutex
	register *registerAt
}

func (m *maps) cache() *lru.Cache[mapKey, drawnMap] {
	m.once.Do(func() { m.drawn = lru.New[mapKey, drawnMap](keptMapBytes) })
	return m.drawn
}

// registerMap returns the register's map at generation gen, reading it
// only when the generation has moved since it was last read.
func (s *Pages) registerMap(ctx context.Context, p *access.Principal, gen int64) (process.RegisterMap, error) {
	r, err := s.register(ctx, p, gen)
	if err != nil {
		return process.RegisterMap{}, err
	}
	return r.m, nil
}

// register returns the register as read at generation gen, reading it
// only when the generation has moved since it was last read.
func (s *Pages) register(ctx context.Context, p *access.Principal, gen int64) (*registerAt, error) {
	s.maps.mu.Lock()
	kept := s.maps.register
	s.maps.mu.Unlock()
	if kept != nil && kept.generation == gen {
		return kept, nil
	}
	m, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return nil, err
	}
	r := &registerAt{generation: gen, m: m, tree: make(map[int64]int64, len(m.Entries))}
	for _, e := range m.Entries {
		r.tree[e.ID] = e.ParentID
	}
	// A write between reading gen and the map only makes the next request
	// read it again: the map is kept under the older generation.
	s.maps.mu.Lock()
	if s.maps.register == nil || s.maps.register.generation <= gen {
		s.maps.register = r
	}
	s.maps.mu.Unlock()
	return r, nil
}

// currentRegister returns the register's map as it is now.
func (s *Pages) currentRegister(ctx context.Context, p *access.Principal) (process.RegisterMap, error) {
	gen, err := s.Processes.Generation(ctx)
	if err != nil {
		return process.RegisterMap{}, err
	}
	return s.registerMap(ctx, p, gen)
}

// drawMap returns the process map as p sees it for period (the newest
// billed month when empty), drawing it when it is not kept.
func (s *Pages) drawMap(ctx context.Context, p *access.Principal, period string) (drawnMap, process.RegisterMap, error) {
	var key mapKey
	var err error
	if key.register, err = s.Processes.Generation(ctx); err != nil {
		return drawnMap{}, process.RegisterMap{}, err
	}
	if s.ProcessCosts != nil {
		key.viewer = processcost.Viewer(p)
	}
	if key.viewer != "" {
		if key.period, err = s.ProcessCosts.Period(ctx, period); err != nil {
			return drawnMap{}, process.RegisterMap{}, err
		}
		if key.costs, err = s.ProcessCosts.Generation(ctx); err != nil {
			return drawnMap{}, process.RegisterMap{}, err
		}
	}
	m, err := s.registerMap(ctx, p, key.register)
	if err != nil {
		return drawnMap{}, m, err
	}
	if d, ok := s.maps.cache().Get(key); ok {
		return d, m, nil
	}
	roots := tree(m, 0, 0)
	d := drawnMap{Count: len(m.Entries)}
	if key.viewer != "" {
		c, err := s.ProcessCosts.Map(ctx, p, key.period)
		if err != nil {
			return d, m, err
		}
		d.Costs = &c
		withCosts(roots, c)
	}
	if len(roots) > 0 {
		var b strings.Builder
		b.WriteString(`<ul class="tree" id="process-map">` + "\n")
		writeNodes(&b, roots)
		b.WriteString("</ul>\n")
		d.Tree = template.HTML(b.String())
	}
	// What is kept weighs its text and, with costs, about as much again
	// for the figures of each process.
	size := len(d.Tree) + 64
	if d.Costs != nil {
		size += 256 * len(d.Costs.Processes)
	}
	s.maps.cache().Put(key, d, size)
	return d, m, nil
}

// writeNodes writes the entries of the map as nested list items, every
// text escaped.
func writeNodes(b *strings.Builder, nodes []node) {
	esc := template.HTMLEscapeString
	for _, n := range nodes {
		b.WriteString(`<li><a href="/portfolio/processes/` + strconv.FormatInt(n.ID, 10) + `">` + esc(n.Name) + "</a>\n  ")
		label := "value stream"
		if n.Kind != process.ValueStream {
			label = process.EnablementLabels[n.Enablement]
		}
		b.WriteString(`<span class="label">` + esc(label) + "</span>\n")
		if n.ExternalCustomers {
			b.WriteString(`  <span class="label">customers</span>` + "\n")
		}
		if n.Applications > 0 || n.Services > 0 {
			b.WriteString(`  <span class="muted">` + page.Plural(n.Applications, "application", "applications") + ", " +
				page.Plural(n.Services, "service", "services") + "</span>\n")
		}
		if n.Cost != "" {
			b.WriteString(`  <span class="cost">` + esc(n.Cost) + "</span>\n")
		}
		if len(n.Children) > 0 {
			b.WriteString("  <ul>")
			writeNodes(b, n.Children)
			b.WriteString("</ul>\n")
		}
		b.WriteString("</li>\n")
	}
}

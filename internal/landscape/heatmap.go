package landscape

import (
	"context"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/process"
)

// Views of the heatmap.
const (
	ViewEnablement  = "enablement"
	ViewRisk        = "risk"
	ViewDisposition = "disposition"
	ViewCost        = "cost"
)

// Views are the heatmap's views, in the order offered.
var Views = []string{ViewEnablement, ViewRisk, ViewDisposition, ViewCost}

// ViewLabels name each view.
var ViewLabels = map[string]string{ViewEnablement: "Technology enablement", ViewRisk: "Risk flags", ViewDisposition: "Disposition of its applications",
	ViewCost: "Technology cost this month"}

// HeatCell is one entry of the heatmap: its place in the tree, its value in
// words and its level, from 0 (nothing to show) to 4 (the most).
type HeatCell struct {
	Process  process.Ref `json:"process"`
	ParentID int64       `json:"parent_id,omitempty"`
	Depth    int         `json:"depth" doc:"0 at the top of the tree"`
	Value    string      `json:"value" doc:"The value in words, such as “partly automated” or “2 flags”"`
	Level    int         `json:"level" minimum:"0" maximum:"4" doc:"0: nothing to show; 1 to 4: the colour's step"`
	// Size is how many entries its subtree holds, itself included: the
	// area it takes in a treemap.
	Size int `json:"size"`
}

// Heatmap is the process tree coloured by one view.
type Heatmap struct {
	View string `json:"view" enum:"enablement,risk,disposition,cost"`
	// Available is false for the cost view while no cost is computed.
	Available bool       `json:"available"`
	Legend    []string   `json:"legend" nullable:"false" doc:"What each level means, from 0 to 4"`
	Cells     []HeatCell `json:"cells" nullable:"false" doc:"Every entry of the register, depth first"`
}

var (
	enablementLevel = map[string]int{"": 0, "manual": 1, "partly_automated": 2, "automated": 3}
	// dispositionLevel orders the TIME dispositions from the best to the
	// worst: a process shows the worst of its applications'.
	dispositionLevel = map[string]int{"": 0, "invest": 1, "tolerate": 2, "migrate": 3, "eliminate": 4}
	legends          = map[string][]string{
		ViewEnablement:  {"not assessed", "manual", "partly automated", "automated", ""},
		ViewRisk:        {"no flag", "1 flag", "2 flags", "3 flags", "4 flags"},
		ViewDisposition: {"no rated application", "invest", "tolerate", "migrate", "eliminate"},
		ViewCost:        {"no cost", "up to a quarter of the highest", "up to half", "up to three quarters", "up to the highest"},
	}
)

// Heatmap returns every entry of the register with its value in view.
// Everyone signed in may; the risk view counts a need's flag only for
// those who may read the need, and the cost view shows what Costs gives p.
func (s *Service) Heatmap(ctx context.Context, p *access.Principal, view string) (Heatmap, error) {
	if view == "" {
		view = ViewEnablement
	}
	if !slices.Contains(Views, view) {
		var v engage.Validation
		v.Add("view", "Choose enablement, risk, disposition or cost.")
		return Heatmap{}, v.Err()
	}
	snap, err := s.load(ctx, p)
	if err != nil {
		return Heatmap{}, err
	}
	// The views the register alone says are drawn once per snapshot.
	if view == ViewEnablement || view == ViewDisposition {
		snap.mu.Lock()
		defer snap.mu.Unlock()
		if h, ok := snap.views[view]; ok {
			return h, nil
		}
	}
	h := Heatmap{View: view, Available: true, Legend: legends[view], Cells: make([]HeatCell, 0, len(snap.tree))}
	var value func(id int64) (string, int)
	switch view {
	case ViewEnablement:
		value = func(id int64) (string, int) {
			e := snap.byID[id]
			return process.EnablementLabels[e.Enablement], enablementLevel[e.Enablement]
		}
	case ViewRisk:
		needs, err := s.needFlags(ctx, p, snap)
		if err != nil {
			return Heatmap{}, err
		}
		value = func(id int64) (string, int) {
			n := len(snap.flags[id]) + len(needs[id])
			return h.Legend[min(n, 4)], min(n, 4)
		}
	case ViewDisposition:
		value = func(id int64) (string, int) {
			worst := 0
			for _, al := range snap.appLinks[id] {
				if a := snap.apps[al.ApplicationID]; inUse(a) {
					worst = max(worst, dispositionLevel[a.Disposition])
				}
			}
			return h.Legend[worst], worst
		}
	case ViewCost:
		if s.Costs == nil {
			h.Available = false
			value = func(int64) (string, int) { return "", 0 }
			break
		}
		costs, currency, err := s.Costs(ctx, p)
		if err != nil {
			return Heatmap{}, err
		}
		if costs == nil { // nothing p may see
			h.Available = false
			value = func(int64) (string, int) { return "", 0 }
			break
		}
		top := decimal.Zero
		for _, c := range costs {
			top = decimal.Max(top, c)
		}
		value = func(id int64) (string, int) {
			c, ok := costs[id]
			if !ok || !c.IsPositive() {
				return "no cost", 0
			}
			// The level is the quarter of the highest cost it falls in.
			level := int(c.Mul(decimal.NewFromInt(4)).Div(top).Ceil().IntPart())
			return strings.TrimSpace(c.StringFixed(2) + " " + currency), max(1, min(level, 4))
		}
	}
	for _, id := range snap.tree {
		text, level := value(id)
		h.Cells = append(h.Cells, HeatCell{Process: snap.ref(id), ParentID: snap.byID[id].ParentID, Depth: snap.depth[id], Value: text, Level: level,
			Size: snap.size[id]})
	}
	if view == ViewEnablement || view == ViewDisposition {
		snap.views[view] = h
	}
	return h, nil
}

// Label is a cell's value said with its process, for a text alternative.
func (c HeatCell) Label() string {
	if c.Value == "" {
		return c.Process.Name
	}
	return c.Process.Name + ": " + c.Value
}

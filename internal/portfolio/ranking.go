package portfolio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/paging"
)

// The board's ranking. Each need waiting for a decision gets four parts,
// each from 0 to 1, rounded to 4 decimal places (half away from zero):
//
//   - Value = points / 10: the criticality of the most critical process it
//     serves (low 1, medium 2, high 3, critical 4; none linked 0), 3 when a
//     process it serves is touched by external customers, and 1 for each
//     objective it serves (linked to the need or to one of its processes),
//     at most 3.
//   - Cost = 1 − C / Cmax: C is the need's three-year cost (one-time + 36 ×
//     monthly) of its cheapest option that may be chosen (one that can hold
//     its data or has a recorded exception; the earliest proposed on a tie),
//     Cmax the highest such cost among the ranked needs in the same
//     currency; 1 when Cmax is 0, and 0 for a need with no such option.
//   - Risk = 1 − points / 12: each review's latest verdict, reject 3 and
//     approve with conditions 1; the data classification, public 0,
//     internal 1, confidential 2, restricted 3.
//   - Urgency from the date needed, counted in days from today: 1 when it
//     is 30 days away or less (or past), 0 when 365 days or more, (365 −
//     days) / 335 between; 0 when no date is given.
//
// Score = 100 × Σ(weight × part) / Σ weights, rounded to 2 decimal places.
// The board sets the weights, whole numbers from 0 to 10 (not all 0);
// by default value 4, cost 3, risk 2, urgency 1. Needs are ranked by score,
// highest first; on a tie the one needed earliest comes first (a need with
// no date after those with one), then the lower reference.

// Weights are how much each part counts in a need's score.
type Weights struct {
	Value   int `json:"value" minimum:"0" maximum:"10"`
	Cost    int `json:"cost" minimum:"0" maximum:"10"`
	Risk    int `json:"risk" minimum:"0" maximum:"10"`
	Urgency int `json:"urgency" minimum:"0" maximum:"10"`
}

// DefaultWeights are the weights until the board sets its own.
var DefaultWeights = Weights{Value: 4, Cost: 3, Risk: 2, Urgency: 1}

func (w Weights) sum() int { return w.Value + w.Cost + w.Risk + w.Urgency }

func (w Weights) check() error {
	var v engage.Validation
	for field, n := range map[string]int{"value": w.Value, "cost": w.Cost, "risk": w.Risk, "urgency": w.Urgency} {
		if n < 0 || n > 10 {
			v.Add(field, "Enter a whole number from 0 to 10.")
		}
	}
	if len(v.Fields) == 0 && w.sum() == 0 {
		v.Add("value", "At least one weight must be above 0.")
	}
	slices.SortFunc(v.Fields, func(a, b engage.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return v.Err()
}

// ScorePart is one part of a need's score with what it was computed from.
type ScorePart struct {
	Name   string          `json:"name" enum:"value,cost,risk,urgency"`
	Score  decimal.Decimal `json:"score" doc:"From 0 to 1"`
	Weight int             `json:"weight"`
	Inputs []string        `json:"inputs" nullable:"false" doc:"What the part was computed from, in words"`
}

// RankedNeed is a need in the board's ranking.
type RankedNeed struct {
	Rank           int              `json:"rank"`
	Reference      string           `json:"reference"`
	Title          string           `json:"title"`
	DepartmentName string           `json:"department_name"`
	NeededBy       string           `json:"needed_by,omitempty"`
	Option         string           `json:"option,omitempty" doc:"The option the cost is taken from"`
	Currency       string           `json:"currency,omitempty"`
	ThreeYear      *decimal.Decimal `json:"three_year,omitempty" doc:"one-time + 36 × monthly of that option"`
	FirstYear      *decimal.Decimal `json:"first_year,omitempty" doc:"one-time + 12 × monthly of that option: what a budget year pays"`
	Parts          []ScorePart      `json:"parts" nullable:"false" doc:"value, cost, risk and urgency, in that order"`
	Score          decimal.Decimal  `json:"score" doc:"From 0 to 100"`
}

// Ranking is the board's ranking of the needs waiting for its decision.
type Ranking struct {
	AsOf    string       `json:"as_of" doc:"The day urgency was counted from"`
	Weights Weights      `json:"weights"`
	Needs   []RankedNeed `json:"needs" nullable:"false"`
	// State names what the ranking was computed from: two rankings with
	// the same State are the same. Shared: read it, never change it.
	State string `json:"-"`
}

// candidate is what the ranking knows of a need.
type candidate struct {
	Reference, Title, Department string
	NeededBy                     *time.Time
	DataClass                    string
	Verdicts                     map[string]string // review kind → latest verdict
	Options                      []frontdoor.NeedOption
	Processes                    []processFacts
	Objectives                   []string
}

type processFacts struct {
	Name, Criticality string
	External          bool
}

var (
	criticalityPoints = map[string]int64{"low": 1, "medium": 2, "high": 3, "critical": 4}
	classPoints       = map[string]int64{"public": 0, "internal": 1, "confidential": 2, "restricted": 3}
	verdictPoints     = map[string]int64{"reject": 3, "approve_with_conditions": 1, "approve": 0}
	one               = decimal.NewFromInt(1)
)

func ratio(n, d int64) decimal.Decimal {
	return decimal.NewFromInt(n).DivRound(decimal.NewFromInt(d), 4)
}

// costOption returns the option a need's cost is taken from.
func costOption(c candidate) (frontdoor.NeedOption, bool) {
	var best frontdoor.NeedOption
	found := false
	for _, o := range c.Options {
		if !o.CanHoldData && o.Exception == "" {
			continue
		}
		if !found || o.ThreeYear.LessThan(best.ThreeYear) || (o.ThreeYear.Equal(best.ThreeYear) && o.ID < best.ID) {
			best, found = o, true
		}
	}
	return best, found
}

// rank scores and orders cs with w, counting urgency from today.
func rank(w Weights, today time.Time, cs []candidate) []RankedNeed {
	maxCost := map[string]decimal.Decimal{}
	for _, c := range cs {
		if o, ok := costOption(c); ok && o.ThreeYear.GreaterThan(maxCost[o.Currency]) {
			maxCost[o.Currency] = o.ThreeYear
		}
	}
	out := make([]RankedNeed, 0, len(cs))
	dates := map[string]*time.Time{}
	for _, c := range cs {
		r := RankedNeed{Reference: c.Reference, Title: c.Title, DepartmentName: c.Department}
		if c.NeededBy != nil {
			r.NeededBy = c.NeededBy.Format(time.DateOnly)
		}
		dates[c.Reference] = c.NeededBy
		value := valuePart(c)
		cost := ScorePart{Name: "cost", Score: decimal.Zero}
		if o, ok := costOption(c); ok {
			three, first := o.ThreeYear, o.OneTime.Add(o.Monthly.Mul(decimal.NewFromInt(12)))
			r.Option, r.Currency, r.ThreeYear, r.FirstYear = o.Title, o.Currency, &three, &first
			m := maxCost[o.Currency]
			if m.IsZero() {
				cost.Score = one
			} else {
				cost.Score = one.Sub(three.DivRound(m, 4))
			}
			cost.Inputs = []string{fmt.Sprintf("option “%s”: three-year cost %s %s", o.Title, three.StringFixed(2), o.Currency),
				fmt.Sprintf("highest among the ranked needs in %s: %s", o.Currency, m.StringFixed(2))}
		} else {
			cost.Inputs = []string{"no option that can be chosen is priced yet"}
		}
		parts := []ScorePart{value, cost, riskPart(c), urgencyPart(c, today)}
		weights := []int{w.Value, w.Cost, w.Risk, w.Urgency}
		total := decimal.Zero
		for i := range parts {
			parts[i].Weight = weights[i]
			total = total.Add(parts[i].Score.Mul(decimal.NewFromInt(int64(weights[i]))))
		}
		r.Parts = parts
		r.Score = total.Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(int64(w.sum())), 2)
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b RankedNeed) int {
		if c := b.Score.Cmp(a.Score); c != 0 {
			return c
		}
		da, db := dates[a.Reference], dates[b.Reference]
		switch {
		case da != nil && db == nil:
			return -1
		case da == nil && db != nil:
			return 1
		case da != nil && !da.Equal(*db):
			return da.Compare(*db)
		}
		return strings.Compare(a.Reference, b.Reference)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

func valuePart(c candidate) ScorePart {
	var crit int64
	critName, external := "", ""
	for _, p := range c.Processes {
		if pts := criticalityPoints[p.Criticality]; pts > crit {
			crit, critName = pts, p.Name+" ("+p.Criticality+")"
		}
		if p.External && external == "" {
			external = p.Name
		}
	}
	pts := crit
	in := []string{}
	if critName == "" {
		in = append(in, "no process of the register linked: criticality 0")
	} else {
		in = append(in, fmt.Sprintf("most critical process served: %s, %d points", critName, crit))
	}
	if external != "" {
		pts += 3
		in = append(in, "external customers touch "+external+": 3 points")
	} else {
		in = append(in, "no process external customers touch: 0 points")
	}
	objs := int64(min(len(c.Objectives), 3))
	pts += objs
	if len(c.Objectives) == 0 {
		in = append(in, "serves no objective: 0 points")
	} else {
		in = append(in, fmt.Sprintf("serves %d objective(s) (%s): %d points", len(c.Objectives), strings.Join(c.Objectives, ", "), objs))
	}
	in = append(in, fmt.Sprintf("%d of 10 points", pts))
	return ScorePart{Name: "value", Score: ratio(pts, 10), Inputs: in}
}

func riskPart(c candidate) ScorePart {
	var pts int64
	in := []string{}
	for _, k := range frontdoor.ReviewKinds {
		v, ok := c.Verdicts[k]
		if !ok {
			in = append(in, k+" review: none yet, 0 points")
			continue
		}
		pts += verdictPoints[v]
		in = append(in, fmt.Sprintf("%s review: %s, %d points", k, frontdoor.VerdictLabel[v], verdictPoints[v]))
	}
	pts += classPoints[c.DataClass]
	in = append(in, fmt.Sprintf("data classification %s: %d points", c.DataClass, classPoints[c.DataClass]), fmt.Sprintf("%d of 12 risk points", pts))
	return ScorePart{Name: "risk", Score: one.Sub(ratio(pts, 12)), Inputs: in}
}

func urgencyPart(c candidate, today time.Time) ScorePart {
	if c.NeededBy == nil {
		return ScorePart{Name: "urgency", Score: decimal.Zero, Inputs: []string{"no date needed given"}}
	}
	days := int64(c.NeededBy.Sub(today).Hours() / 24)
	in := []string{fmt.Sprintf("needed by %s: %d days from %s", c.NeededBy.Format(time.DateOnly), days, today.Format(time.DateOnly))}
	switch {
	case days <= 30:
		return ScorePart{Name: "urgency", Score: one, Inputs: in}
	case days >= 365:
		return ScorePart{Name: "urgency", Score: decimal.Zero, Inputs: in}
	}
	return ScorePart{Name: "urgency", Score: ratio(365-days, 335), Inputs: in}
}

const weightsKey = "portfolio.ranking_weights"

func readWeights(ctx context.Context, q db.Querier) (Weights, error) {
	var raw string
	err := q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", weightsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultWeights, nil
	} else if err != nil {
		return Weights{}, fmt.Errorf("reading the ranking's weights: %w", err)
	}
	var w Weights
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return Weights{}, fmt.Errorf("reading the ranking's weights: %w", err)
	}
	return w, nil
}

// Weights returns the ranking's weights. The board, finance and
// administrators may read them.
func (s *Service) Weights(ctx context.Context, p *access.Principal) (Weights, error) {
	if err := requireRankingReader(p); err != nil {
		return Weights{}, err
	}
	return readWeights(ctx, s.DB)
}

// SetWeights changes the ranking's weights. The board and administrators
// only; setting the same weights again changes nothing.
func (s *Service) SetWeights(ctx context.Context, p *access.Principal, w Weights) (Weights, error) {
	if err := requireDecider(p); err != nil {
		return Weights{}, err
	}
	if err := w.check(); err != nil {
		return Weights{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, err := readWeights(ctx, tx)
		if err != nil {
			return err
		}
		if before == w {
			return nil
		}
		if err := db.BumpGeneration(ctx, tx, generationKey); err != nil {
			return err
		}
		raw, err := json.Marshal(w)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM settings WHERE key = ?", weightsKey); err != nil {
			return fmt.Errorf("saving the ranking's weights: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?)", weightsKey, string(raw)); err != nil {
			return fmt.Errorf("saving the ranking's weights: %w", err)
		}
		return audit.Record(ctx, tx, s.Clock.Now(), p, "update", "ranking_weights", 0, "The board's ranking weights changed", before, w)
	})
	return w, err
}

// Ranking ranks the needs waiting for the board's decision that p may read.
// The board, finance and administrators may. What is returned may be
// shared with other callers (see kept.go): read it, never change it.
func (s *Service) Ranking(ctx context.Context, p *access.Principal) (Ranking, error) {
	if err := requireRankingReader(p); err != nil {
		return Ranking{}, err
	}
	return s.keptRanking(ctx, p)
}

func (s *Service) rankWith(ctx context.Context, p *access.Principal, w Weights, today time.Time) (Ranking, error) {
	cs, err := s.candidates(ctx, p)
	if err != nil {
		return Ranking{}, err
	}
	return Ranking{AsOf: today.Format(time.DateOnly), Weights: w, Needs: rank(w, today, cs)}, nil
}

// candidates gathers what the ranking needs of every need in decision.
func (s *Service) candidates(ctx context.Context, p *access.Principal) ([]candidate, error) {
	var needs []frontdoor.Need
	for cursor := ""; ; {
		page, next, err := s.Needs.List(ctx, p, frontdoor.ListFilter{State: frontdoor.Decision, Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		needs = append(needs, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(needs) == 0 {
		return []candidate{}, nil
	}
	m, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return nil, err
	}
	entries := entriesByID(m)
	byNeed, err := objectivesByNeed(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	byProcess, err := objectivesByProcess(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	// The reviews and options of every need at once, not one need at a time.
	reviews, options, err := s.Needs.ReviewsAndOptions(ctx, p, needs)
	if err != nil {
		return nil, err
	}
	processes, err := s.Needs.ProcessesOf(ctx, p, needs)
	if err != nil {
		return nil, err
	}
	out := make([]candidate, 0, len(needs))
	for _, n := range needs {
		c := candidate{Reference: n.Reference, Title: n.Title, Department: n.DepartmentName, DataClass: n.DataClass, Options: options[n.ID],
			Verdicts: map[string]string{}}
		if n.NeededBy != nil {
			t := n.NeededBy.Time
			c.NeededBy = &t
		}
		// A kind reviewed again counts its latest verdict.
		latest := map[string]frontdoor.NeedReview{}
		for _, r := range reviews[n.ID] {
			if l, ok := latest[r.Kind]; !ok || r.At.After(l.At) || (r.At.Equal(l.At) && r.ID > l.ID) {
				latest[r.Kind] = r
				c.Verdicts[r.Kind] = r.Verdict
			}
		}
		objs := slices.Clone(byNeed[n.Reference])
		for _, id := range processes[n.ID] {
			if e, ok := entries[id]; ok {
				c.Processes = append(c.Processes, processFacts{Name: e.Name, Criticality: e.Criticality, External: e.ExternalCustomers})
			}
			objs = append(objs, byProcess[id]...)
		}
		slices.Sort(objs)
		c.Objectives = slices.Compact(objs)
		out = append(out, c)
	}
	return out, nil
}

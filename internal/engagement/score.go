package engagement

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// A department's engagement score is the weighted mean of its parts' scores
// (each 0–100), over the parts that have data: a part without data ("no
// data") is left out and the weights of the others renormalise. A part's
// score is 100 × its measure ÷ its target, capped at 100. The parts are a
// list: each is one entry with its weight, target and measure.

// ShadowShare is a department's spend outside IT beside its technology spend in a window.
type ShadowShare struct {
	Shadow     decimal.Decimal // spend outside IT (shadow)
	Technology decimal.Decimal // statements + shadow
	Currency   string
}

// ShadowSource reports shadow shares per department id for [from, to).
type ShadowSource interface {
	ShadowShares(ctx context.Context, from, to time.Time) (map[int64]ShadowShare, error)
}

// PartDef defines one part of the score.
type PartDef struct {
	Key    string
	Name   string
	Weight float64
	// Target is the measure that earns full marks.
	Target float64
	// Explain says what the measure is, in plain words.
	Explain string
	measure func(in deptInputs) (value float64, inputs []Input, ok bool)
}

// Input is one input of a part, as shown beside it.
type Input struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Parts are the parts of the score, in the order they are shown.
var Parts = []PartDef{
	{Key: "adoption", Name: "Catalog adoption", Weight: 25, Target: 6,
		Explain: "Catalog seats (subscriptions priced per person and month) per head; six per head (mail, collaboration, a computer, a phone and two more) earn full marks.",
		measure: func(in deptInputs) (float64, []Input, bool) {
			v, _ := in.seats.Div(decimal.NewFromInt(int64(in.headcount))).Float64()
			return v, []Input{{"Seats", in.seats.String()}, {"Headcount", fmt.Sprint(in.headcount)}}, true
		}},
	{Key: "front_door", Name: "Front-door use", Weight: 25, Target: 0.2,
		Explain: "Needs submitted plus needs decided in the last 12 months, per head; 0.2 per head (a need sent and decided for every ten people a year) earns full marks.",
		measure: func(in deptInputs) (float64, []Input, bool) {
			return float64(in.needsSent+in.needsDecided) / float64(in.headcount),
				[]Input{{"Needs submitted", fmt.Sprint(in.needsSent)}, {"Needs decided", fmt.Sprint(in.needsDecided)}, {"Headcount", fmt.Sprint(in.headcount)}}, true
		}},
	{Key: "satisfaction", Name: "Satisfaction", Weight: 25, Target: 100,
		Explain: "The mean of CSAT (percent) and NPS brought to 0–100 ((NPS + 100) ÷ 2) of the department's people's pulse answers in the last 12 months, each only with at least 5 answers.",
		measure: func(in deptInputs) (float64, []Input, bool) {
			csat, nps := satisfaction("csat", in.csat[0], in.csat[1], in.csat[2]), satisfaction("nps", in.nps[0], in.nps[1], in.nps[2])
			inputs := []Input{{"CSAT answers", fmt.Sprint(csat.Answers)}, {"NPS answers", fmt.Sprint(nps.Answers)}}
			var sum float64
			n := 0
			if csat.Shown {
				sum, n = sum+csat.Value, n+1
				inputs = append(inputs, Input{"CSAT", fmt.Sprintf("%.1f%%", csat.Value)})
			}
			if nps.Shown {
				sum, n = sum+(nps.Value+100)/2, n+1
				inputs = append(inputs, Input{"NPS", fmt.Sprintf("%+.1f", nps.Value)})
			}
			if n == 0 {
				return 0, inputs, false
			}
			return sum / float64(n), inputs, true
		}},
	{Key: "participation", Name: "Community participation", Weight: 25, Target: 0.25,
		Explain: "The share of the department's people who contributed to a community in the last 28 days (counted in the department they were in then; in the trend: in that month); a quarter earns full marks.",
		measure: func(in deptInputs) (float64, []Input, bool) {
			return float64(in.active) / float64(in.headcount),
				[]Input{{"Active people", fmt.Sprint(in.active)}, {"Headcount", fmt.Sprint(in.headcount)}}, true
		}},
	{Key: "spend_through_it", Name: "Spend through IT", Weight: 25, Target: 0.9,
		Explain: "The share of the department's technology spend in the last 12 months that went through IT: 1 − shadow spend (outside IT) ÷ technology spend (IT's statements + shadow spend); nine tenths earn full marks. No data without spend figures or with no technology spend.",
		measure: func(in deptInputs) (float64, []Input, bool) {
			sh := in.shadow
			if sh == nil || !sh.Technology.IsPositive() {
				return 0, []Input{}, false
			}
			share := sh.Shadow.Div(sh.Technology)
			v, _ := decimal.NewFromInt(1).Sub(share).Float64()
			return min(1, max(0, v)), []Input{{"Shadow spend", sh.Shadow.StringFixed(2) + " " + sh.Currency},
				{"Technology spend", sh.Technology.StringFixed(2) + " " + sh.Currency},
				{"Shadow share", share.Mul(decimal.NewFromInt(100)).StringFixed(1) + "%"}}, true
		}},
}

// deptInputs are what one department's parts are measured from, at one
// time.
type deptInputs struct {
	headcount               int
	seats                   decimal.Decimal
	needsSent, needsDecided int
	csat, nps               [3]int // answers, high, low
	active                  int
	shadow                  *ShadowShare // nil: no spend figures
}

// Part is one part of a department's score.
type Part struct {
	Key     string  `json:"key" example:"adoption"`
	Name    string  `json:"name"`
	Weight  float64 `json:"weight"`
	Target  float64 `json:"target"`
	Explain string  `json:"explain"`
	HasData bool    `json:"has_data" doc:"False: no data, left out of the score"`
	Measure float64 `json:"measure" doc:"The part's measure, four decimals"`
	Score   float64 `json:"score" doc:"100 × measure ÷ target, at most 100, one decimal"`
	Inputs  []Input `json:"inputs" nullable:"false"`
}

// DepartmentScore is one department's engagement score.
type DepartmentScore struct {
	DepartmentID int64   `json:"department_id"`
	Name         string  `json:"name"`
	Headcount    int     `json:"headcount"`
	HasScore     bool    `json:"has_score" doc:"False for a department without active people"`
	Score        float64 `json:"score" doc:"0–100, one decimal"`
	Parts        []Part  `json:"parts" nullable:"false"`
	// Weakest is the key of the part with the lowest score: the one that
	// pulls the score down.
	Weakest string       `json:"weakest,omitempty"`
	Trend   []TrendPoint `json:"trend,omitempty"`
}

// WeakestPart returns the part that pulls the score down.
func (d DepartmentScore) WeakestPart() (Part, bool) {
	for _, p := range d.Parts {
		if p.Key == d.Weakest {
			return p, true
		}
	}
	return Part{}, false
}

// WeakestLabel names the part that pulls the score down, with its score:
// "Catalog adoption (0.0)"; "" when no part has data.
func (d DepartmentScore) WeakestLabel() string {
	if p, ok := d.WeakestPart(); ok {
		return fmt.Sprintf("%s (%.1f)", p.Name, p.Score)
	}
	return ""
}

// TrendPoint is the score as of the end of one month.
type TrendPoint struct {
	Month    string             `json:"month" example:"2026-03"`
	HasScore bool               `json:"has_score"`
	Score    float64            `json:"score"`
	Parts    map[string]float64 `json:"parts" doc:"Each part's score, by key; absent when it had no data"`
}

// score computes a department's score from its inputs.
func score(id int64, name string, in deptInputs) DepartmentScore {
	d := DepartmentScore{DepartmentID: id, Name: name, Headcount: in.headcount, Parts: []Part{}}
	if in.headcount == 0 {
		return d
	}
	var sum, weights float64
	for _, def := range Parts {
		v, inputs, ok := def.measure(in)
		p := Part{Key: def.Key, Name: def.Name, Weight: def.Weight, Target: def.Target, Explain: def.Explain, HasData: ok, Inputs: inputs}
		if ok {
			p.Measure = math.Round(v*10000) / 10000
			p.Score = round1(min(100, 100*v/def.Target))
			sum += def.Weight * min(100, 100*v/def.Target)
			weights += def.Weight
			if w, found := d.WeakestPart(); !found || p.Score < w.Score {
				d.Weakest = p.Key
			}
		}
		d.Parts = append(d.Parts, p)
	}
	if weights > 0 {
		d.HasScore, d.Score = true, round1(sum/weights)
	}
	return d
}

// scoreData is everything the scores of every department are read from.
type scoreData struct {
	now        time.Time
	names      map[int64]string
	order      []int64 // departments by name
	headcount  map[int64]int
	runs       []catalog.SubscriptionRun
	seatOffers map[int64]bool
	months     map[int64]map[string][3]int // needs sent, decided, active people
	pulses     map[int64]map[string][2][3]int
	active28   map[int64]int
	// shadow holds the shadow shares of the 12 months to each month read,
	// by that month.
	shadow map[string]map[int64]ShadowShare
}

func (s *Service) readScoreData(ctx context.Context) (scoreData, error) {
	now := s.Clock.Now().UTC()
	d := scoreData{now: now, names: map[int64]string{}, headcount: map[int64]int{}, seatOffers: map[int64]bool{},
		months: map[int64]map[string][3]int{}, pulses: map[int64]map[string][2][3]int{}, active28: map[int64]int{},
		shadow: map[string]map[int64]ShadowShare{}}
	rows, err := s.DB.Query(ctx, "SELECT id, name FROM departments ORDER BY name, id")
	if err != nil {
		return d, fmt.Errorf("reading departments: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return d, err
		}
		d.names[id] = name
		d.order = append(d.order, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	if err := s.countByDepartment(ctx, d.headcount,
		// One pass over the table (+ keeps SQLite off the department index,
		// whose order would fetch each row apart).
		"SELECT +department_id, COUNT(*) FROM people WHERE active AND +department_id IS NOT NULL GROUP BY +department_id"); err != nil {
		return d, err
	}
	if err := s.countByDepartment(ctx, d.active28, `SELECT department_id, COUNT(*) FROM engagement_people
		WHERE last_community_at >= ? AND department_id <> 0 GROUP BY department_id`, now.AddDate(0, 0, -ActiveDays)); err != nil {
		return d, err
	}
	seats, err := catalog.SeatOfferings(ctx, s.DB)
	if err != nil {
		return d, err
	}
	for _, id := range seats {
		d.seatOffers[id] = true
	}
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	if d.runs, err = catalog.RunningSubscriptions(ctx, s.DB, first, now); err != nil {
		return d, err
	}
	from := months(now, 23)[0]
	rows, err = s.DB.Query(ctx, "SELECT department_id, month, needs_sent, needs_decided, active_people FROM engagement_months WHERE month >= ?", from)
	if err != nil {
		return d, fmt.Errorf("reading department months: %w", err)
	}
	for rows.Next() {
		var id int64
		var mo string
		var c [3]int
		if err := rows.Scan(&id, &mo, &c[0], &c[1], &c[2]); err != nil {
			rows.Close()
			return d, err
		}
		if d.months[id] == nil {
			d.months[id] = map[string][3]int{}
		}
		d.months[id][mo] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	pulses, err := s.readPulses(ctx, "department", 0, from, now)
	if err != nil {
		return d, err
	}
	for _, r := range pulses {
		if d.pulses[r.scopeID] == nil {
			d.pulses[r.scopeID] = map[string][2][3]int{}
		}
		v := d.pulses[r.scopeID][r.month]
		i := 0
		if r.survey == "nps" {
			i = 1
		}
		v[i] = [3]int{r.answers, r.high, r.low}
		d.pulses[r.scopeID][r.month] = v
	}
	return d, nil
}

// readShadow reads, for each of ms, the shadow shares of the twelve whole
// months to it: [the first day of its 12th month back, the first day of the
// month after it) — the months the needs and pulse answers are counted in.
func (s *Service) readShadow(ctx context.Context, d *scoreData, ms ...string) error {
	if s.Shadow == nil {
		return nil
	}
	for _, mo := range ms {
		end, err := time.Parse("2006-01", mo)
		if err != nil {
			return err
		}
		shares, err := s.Shadow.ShadowShares(ctx, end.AddDate(0, -11, 0), end.AddDate(0, 1, 0))
		if err != nil {
			return fmt.Errorf("reading shadow spend to %s: %w", mo, err)
		}
		d.shadow[mo] = shares
	}
	return nil
}

func (s *Service) countByDepartment(ctx context.Context, into map[int64]int, query string, args ...any) error {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("counting people by department: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		into[id] = n
	}
	return rows.Err()
}

// inputs returns department id's inputs as of the end of month mo (now for
// the current month); current takes participation over the last 28 days
// rather than the month.
func (d scoreData) inputs(id int64, mo string, current bool) deptInputs {
	in := deptInputs{headcount: d.headcount[id], seats: decimal.Zero}
	end, _ := time.Parse("2006-01", mo)
	day := end.AddDate(0, 1, -1)
	if current || day.After(d.now) {
		day = d.now
	}
	for _, r := range d.runs {
		if r.DepartmentID != id || !d.seatOffers[r.OfferingID] || r.Start.After(day) || (r.End != nil && r.End.Before(midnight(day))) {
			continue
		}
		q := r.Quantity
		for _, g := range r.Segments {
			if !g.From.After(day) {
				q = g.Quantity
			}
		}
		in.seats = in.seats.Add(q)
	}
	for _, m := range months(end, 12) {
		c := d.months[id][m]
		in.needsSent += c[0]
		in.needsDecided += c[1]
		p := d.pulses[id][m]
		for i := range 3 {
			in.csat[i] += p[0][i]
			in.nps[i] += p[1][i]
		}
	}
	if current {
		in.active = d.active28[id]
	} else {
		in.active = d.months[id][mo][2]
	}
	if sh, ok := d.shadow[mo][id]; ok {
		in.shadow = &sh
	}
	return in
}

// Scores returns the scores of the departments p may read, worst first
// (those without a score last), each with the part that pulls it down.
func (s *Service) Scores(ctx context.Context, p *access.Principal) ([]DepartmentScore, error) {
	if err := signedIn(p); err != nil {
		return nil, err
	}
	if !MayReadScores(p) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Department scores are for budget holders, BRMs, finance, the board and administrators.")
	}
	d, err := s.readScoreData(ctx)
	if err != nil {
		return nil, err
	}
	current := d.now.Format("2006-01")
	if err := s.readShadow(ctx, &d, current); err != nil {
		return nil, err
	}
	out := []DepartmentScore{}
	for _, id := range d.order {
		if MayReadScore(p, id) {
			out = append(out, score(id, d.names[id], d.inputs(id, current, true)))
		}
	}
	slices.SortStableFunc(out, func(a, b DepartmentScore) int {
		if a.HasScore != b.HasScore {
			if a.HasScore {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Score, b.Score)
	})
	return out, nil
}

// Score returns department id's score with its 12-month trend.
func (s *Service) Score(ctx context.Context, p *access.Principal, id int64) (DepartmentScore, error) {
	if err := signedIn(p); err != nil {
		return DepartmentScore{}, err
	}
	if !MayReadScore(p, id) {
		return DepartmentScore{}, engage.Errorf(engage.EFORBIDDEN, "A department's score is for its budget holder, its BRM, finance, the board and administrators.")
	}
	d, err := s.readScoreData(ctx)
	if err != nil {
		return DepartmentScore{}, err
	}
	name, ok := d.names[id]
	if !ok {
		return DepartmentScore{}, engage.Errorf(engage.ENOTFOUND, "There is no department %d.", id)
	}
	ms := months(d.now, 12)
	if err := s.readShadow(ctx, &d, ms...); err != nil {
		return DepartmentScore{}, err
	}
	out := score(id, name, d.inputs(id, ms[len(ms)-1], true))
	for _, mo := range ms {
		sc := score(id, name, d.inputs(id, mo, false))
		pt := TrendPoint{Month: mo, HasScore: sc.HasScore, Score: sc.Score, Parts: map[string]float64{}}
		for _, part := range sc.Parts {
			if part.HasData {
				pt.Parts[part.Key] = part.Score
			}
		}
		out.Trend = append(out.Trend, pt)
	}
	return out, nil
}

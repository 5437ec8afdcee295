package engagement

import (
	"math"
	"slices"
	"time"
)

// NearestRank returns the p-th percentile (0 < p ≤ 100) of values by the
// nearest-rank method: the value at rank ⌈p/100 × n⌉ of the ordered values.
// It sorts values. ok is false when there are none.
func NearestRank[T int64 | float64 | time.Duration](values []T, p float64) (v T, ok bool) {
	if len(values) == 0 {
		return v, false
	}
	slices.Sort(values)
	rank := int(math.Ceil(p / 100 * float64(len(values))))
	rank = min(max(rank, 1), len(values))
	return values[rank-1], true
}

// AfterWorkingDays returns the moment when n working days (Monday to
// Friday, UTC; holidays not considered) have passed since t: time on
// Saturdays and Sundays does not count.
func AfterWorkingDays(t time.Time, n int) time.Time {
	t = t.UTC()
	left := time.Duration(n) * 24 * time.Hour
	for left > 0 {
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t = midnight(t).AddDate(0, 0, 1)
			continue
		}
		next := midnight(t).AddDate(0, 0, 1)
		if step := next.Sub(t); step < left {
			left -= step
			t = next
			continue
		}
		return t.Add(left)
	}
	return t
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// percent is 100 × part / whole, 0 for an empty whole.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// round1 rounds to one decimal place, half away from zero.
func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Satisfaction is the satisfaction figure of a set of pulse answers: CSAT
// (share of 4–5, in percent) or NPS (share of 9–10 minus share of 0–6, in
// points). Shown is false below PulseFloor answers, and Value is then 0.
type Satisfaction struct {
	Survey  string  `json:"survey" enum:"csat,nps"`
	Answers int     `json:"answers"`
	Shown   bool    `json:"shown" doc:"False when fewer than 5 answers: the figure is withheld"`
	Value   float64 `json:"value" doc:"CSAT in percent, NPS in points (−100 to 100), one decimal"`
}

func satisfaction(survey string, answers, high, low int) Satisfaction {
	s := Satisfaction{Survey: survey, Answers: answers, Shown: answers >= PulseFloor}
	if !s.Shown {
		return s
	}
	switch survey {
	case "csat":
		s.Value = round1(percent(high, answers))
	case "nps":
		s.Value = round1(percent(high-low, answers))
	}
	return s
}

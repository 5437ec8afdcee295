package pulsepages

import (
	"strconv"
	"time"

	"github.com/engagehq/engage/internal/pulse"
)

// trendChart is a subject's score by month drawn as SVG columns from a
// zero line: CSAT from 0 to 100 %, NPS from −100 to 100. A month whose
// figures are hidden, or that had no pulse, has no column, only its label.
// Drawing only: the table under it has the exact figures.
type trendChart struct {
	Title       string
	Height      int
	ZeroY       float64
	TopLabel    string
	BottomLabel string
	BottomY     float64
	Columns     []trendColumn
}

type trendColumn struct {
	Label, Year, Value    string
	X, Y, W, H, TextX     float64
	ValueY, LabelY, YearY float64
	Shown, Negative       bool
}

const (
	trendLeft   = 48.0
	trendWidth  = 592.0
	trendTop    = 16.0
	trendHeight = 180.0 // from the top of the scale to its bottom
)

func drawTrend(tr pulse.SubjectTrend) *trendChart {
	lo, hi := 0.0, 100.0
	if tr.Survey == pulse.NPS {
		lo = -100
	}
	ch := &trendChart{Title: tr.Survey.Label() + " of " + tr.SubjectName + " by month", Height: int(trendTop + trendHeight + 44),
		TopLabel: strconv.Itoa(int(hi)), BottomLabel: strconv.Itoa(int(lo)), BottomY: trendTop + trendHeight}
	if tr.Survey == pulse.CSAT {
		ch.TopLabel, ch.BottomLabel = "100%", "0%"
	}
	scale := trendHeight / (hi - lo)
	ch.ZeroY = trendTop + hi*scale
	n := max(1, len(tr.Months))
	slot := trendWidth / float64(n)
	for i, m := range tr.Months {
		x := trendLeft + float64(i)*slot
		month, _ := time.Parse("2006-01", m.Month)
		c := trendColumn{Label: month.Format("Jan"), Year: month.Format("2006"), X: x + slot*0.2, W: slot * 0.6, TextX: x + slot/2,
			LabelY: trendTop + trendHeight + 18, YearY: trendTop + trendHeight + 34}
		if v, err := strconv.ParseFloat(m.Figures.Score, 64); err == nil && !m.Figures.Hidden {
			c.Shown, c.Value, c.Negative = true, m.Figures.Score, v < 0
			h := max(1, abs(v)*scale)
			c.H = h
			if v < 0 {
				c.Y, c.ValueY = ch.ZeroY, ch.ZeroY+h+12
			} else {
				c.Y, c.ValueY = ch.ZeroY-h, ch.ZeroY-h-4
			}
		}
		ch.Columns = append(ch.Columns, c)
	}
	return ch
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

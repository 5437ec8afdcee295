package pulse

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// Results returns a pulse's aggregates to whoever may find it; under
// MinAnswers answers only the counts.
func (s *Service) Results(ctx context.Context, p *access.Principal, id int64) (PulseResults, error) {
	pl, err := s.Find(ctx, p, id)
	if err != nil {
		return PulseResults{}, err
	}
	counts, err := scoreCounts(ctx, s.DB, []int64{id})
	if err != nil {
		return PulseResults{}, err
	}
	out := PulseResults{Pulse: pl, Figures: figures(pl.Survey, pl.Recipients, counts[id]), Comments: []string{}}
	if s.Clock.Now().Before(pl.ClosesAt) {
		out.Figures.withhold(fmt.Sprintf(openMessage, pl.ClosesAt.Format("2 Jan 2006 15:04 UTC")))
	}
	if !out.Figures.Hidden {
		c, err := comments(ctx, s.DB, id)
		if err != nil {
			return PulseResults{}, err
		}
		out.Comments = sortComments(c)
	}
	return out, nil
}

// MaxTrendMonths is the longest trend.
const MaxTrendMonths = 36

// TrendFilter names a subject, a survey and how many months back.
type TrendFilter struct {
	ServiceID, CommunityID int64
	Survey                 Survey
	Months                 int // 1–36; 12 when 0
}

// Trend returns a subject's figures by month — the pulses that opened in
// each of the last Months months, the current one included — to whoever may
// send pulses on it. Each month's figures obey the five-answer floor.
func (s *Service) Trend(ctx context.Context, p *access.Principal, f TrendFilter) (SubjectTrend, error) {
	if err := requireReader(p); err != nil {
		return SubjectTrend{}, err
	}
	var v engage.Validation
	if !slices.Contains(Surveys, f.Survey) {
		v.Add("survey", "Choose csat or nps.")
	}
	if f.Months == 0 {
		f.Months = 12
	}
	if f.Months < 1 || f.Months > MaxTrendMonths {
		v.Add("months", "Choose from 1 to %d months.", MaxTrendMonths)
	}
	if (f.ServiceID == 0) == (f.CommunityID == 0) {
		v.Add("service_id", "Name a catalog service or a community.")
	}
	if err := v.Err(); err != nil {
		return SubjectTrend{}, err
	}
	sub, err := s.subject(ctx, p, f.ServiceID, f.CommunityID)
	if err != nil {
		return SubjectTrend{}, err
	}
	if !sub.MayRun {
		return SubjectTrend{}, engage.Errorf(engage.EFORBIDDEN, "Only those who send pulses about %s read its trend.", sub.Name)
	}
	now := s.Clock.Now().UTC()
	first := time.Date(now.Year(), now.Month()-time.Month(f.Months-1), 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	pulses, err := subjectPulses(ctx, s.DB, f.ServiceID, f.CommunityID, f.Survey, first, end)
	if err != nil {
		return SubjectTrend{}, err
	}
	ids := make([]int64, len(pulses))
	for i, pl := range pulses {
		ids[i] = pl.ID
	}
	counts, err := scoreCounts(ctx, s.DB, ids)
	if err != nil {
		return SubjectTrend{}, err
	}
	out := SubjectTrend{Survey: f.Survey, ServiceID: f.ServiceID, CommunityID: f.CommunityID, SubjectName: sub.Name, Months: []TrendMonth{}}
	for m := first; m.Before(end); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		month, recipients, merged, small := TrendMonth{Month: key}, 0, map[int]int{}, 0
		for _, pl := range pulses {
			if pl.OpensAt.Format("2006-01") != key {
				continue
			}
			month.Pulses++
			if now.Before(pl.ClosesAt) {
				month.Open++ // counted once closed, as its own results are shown
				continue
			}
			recipients += pl.Recipients
			answers := 0
			for score, n := range counts[pl.ID] {
				merged[score] += n
				answers += n
			}
			if answers < MinAnswers {
				small += answers
			}
		}
		month.Figures = figures(f.Survey, recipients, merged)
		switch {
		case small > 0 && small < MinAnswers:
			// The month less the pulses shown on their own would show the
			// answers of those hidden under the floor.
			month.Figures.withhold(HiddenMessage)
		case month.Pulses == 0:
			month.Figures.Note = "No pulse opened this month."
		case month.Open == month.Pulses:
			month.Figures.Note = "Its pulses are still open: they count once they close."
		}
		out.Months = append(out.Months, month)
	}
	return out, nil
}

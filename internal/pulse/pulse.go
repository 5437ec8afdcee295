// Package pulse holds Engage's pulses: short CSAT (1–5) and NPS (0–10)
// surveys about a catalog service or a community, sent to the people who
// use it and answered from the inbox or from a signed link, with results
// shown only as aggregates.
//
// Decisions:
//   - A pulse about a service is opened by the service's owner or an
//     administrator and goes to the active people of the departments holding
//     a running subscription to one of its offerings on the day it is sent.
//     A pulse about a community is opened by the community's moderators, its
//     IT staff (whoever may give official answers) or an administrator and
//     goes to its members. The recipients are fixed when it is sent, so the
//     response rate keeps its denominator.
//   - One answer per person, final: answering again is refused with a clear
//     message and changes nothing, as is answering before the pulse opens
//     or once it has closed (at closes_at, exclusive).
//   - Answers are stored apart from who gave them: a recipient's row only
//     says that they answered. Nobody, administrators included, sees an
//     answer beside a name.
//   - Results are read by whoever may open a pulse on its subject and by
//     the pulse's recipients; a subject's monthly trend by whoever may open
//     a pulse on it. Scores, distribution and comments are hidden whenever
//     fewer than MinAnswers answers make them up (a pulse, a month of the
//     trend, a CSV line); the count of answers and the response rate are
//     shown, as they say nothing of anyone's opinion. Comments are shown
//     without names, in alphabetical order.
//   - A pulse's scores, distribution and comments appear once it closes:
//     while it is open, watching them change would tell what the latest
//     person answered. Its counts are shown as they come. A month of a
//     trend counts its closed pulses, and is hidden when the pulses hidden
//     on their own (under the floor) hold between 1 and 4 answers, as the
//     month less the pulses shown would show those answers.
//   - Figures are exact: counts are integers and every percentage is
//     computed from them in integers and rounded half up (towards +∞) to one
//     decimal: 12.25 → 12.3, −12.25 → −12.2.
package pulse

import (
	"fmt"
	"slices"
	"time"
)

// Survey is the question's scale.
type Survey string

// Surveys.
const (
	CSAT Survey = "csat" // 1–5: how satisfied are you
	NPS  Survey = "nps"  // 0–10: how likely are you to recommend
)

// Surveys lists every survey, in the order forms show them.
var Surveys = []Survey{CSAT, NPS}

// Range returns the lowest and highest score of the survey.
func (s Survey) Range() (int, int) {
	if s == NPS {
		return 0, 10
	}
	return 1, 5
}

// Scores lists the survey's scores, lowest first.
func (s Survey) Scores() []int {
	lo, hi := s.Range()
	out := make([]int, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		out = append(out, i)
	}
	return out
}

// Label names the survey for people.
func (s Survey) Label() string {
	if s == NPS {
		return "NPS"
	}
	return "CSAT"
}

// MinAnswers is the smallest group whose results are shown.
const MinAnswers = 5

// HiddenMessage is said wherever results are hidden by the floor.
const HiddenMessage = "Fewer than 5 answers — results are hidden to protect those who answered."

// openMessage is said of an open pulse's results, with its close.
const openMessage = "Results appear when the pulse closes, on %s: while it is open, a change in them would tell what the latest person answered."

// MaxComment is the longest comment, in characters.
const MaxComment = 2000

// Pulse is one survey sent to a fixed set of people.
type Pulse struct {
	ID          int64     `json:"id"`
	Survey      Survey    `json:"survey" enum:"csat,nps"`
	Question    string    `json:"question"`
	ServiceID   int64     `json:"service_id,omitempty" doc:"The catalog service it is about"`
	CommunityID int64     `json:"community_id,omitempty" doc:"The community it is about"`
	SubjectName string    `json:"subject_name" doc:"The service's or community's name when it was sent"`
	OpensAt     time.Time `json:"opens_at"`
	ClosesAt    time.Time `json:"closes_at"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	Recipients  int       `json:"recipients" doc:"How many people it was sent to"`
	Answers     int       `json:"answers" doc:"How many of them answered"`
	// For the person reading it.
	Recipient bool `json:"recipient" doc:"It was sent to you"`
	Answered  bool `json:"answered" doc:"You answered it"`
}

// Open reports whether the pulse takes answers at now.
func (p Pulse) Open(now time.Time) bool { return !now.Before(p.OpensAt) && now.Before(p.ClosesAt) }

// State says where the pulse stands at now: "scheduled", "open" or "closed".
func (p Pulse) State(now time.Time) string {
	switch {
	case now.Before(p.OpensAt):
		return "scheduled"
	case now.Before(p.ClosesAt):
		return "open"
	}
	return "closed"
}

// SubjectLink is the path of the page of what the pulse is about.
func (p Pulse) SubjectLink() string {
	if p.CommunityID != 0 {
		// A pulse keeps the community's id; the communities' list sends
		// ?id= on to the community's own page.
		return fmt.Sprintf("/communities?id=%d", p.CommunityID)
	}
	return fmt.Sprintf("/catalog/%d", p.ServiceID)
}

// TrendPath is the path of the page of a subject's pulses — its trend by
// month for survey, from which pulses about it are sent. A service's or a
// community's page links to it for those SubjectOf says MayRun.
func TrendPath(serviceID, communityID int64, survey Survey) string {
	if communityID != 0 {
		return fmt.Sprintf("/pulses/trend?community=%d&survey=%s", communityID, survey)
	}
	return fmt.Sprintf("/pulses/trend?service=%d&survey=%s", serviceID, survey)
}

// SendInput is what is written to open a pulse. Exactly one of ServiceID and
// CommunityID is set.
type SendInput struct {
	Survey      Survey     `json:"survey" enum:"csat,nps"`
	Question    string     `json:"question,omitempty" maxLength:"300" doc:"Empty for the survey's usual question"`
	ServiceID   int64      `json:"service_id,omitempty" minimum:"0"`
	CommunityID int64      `json:"community_id,omitempty" minimum:"0"`
	OpensAt     *time.Time `json:"opens_at,omitempty" doc:"Now when absent"`
	ClosesAt    time.Time  `json:"closes_at" doc:"After opens_at, at most 90 days after it"`
}

// MaxOpenFor is the longest a pulse stays open.
const MaxOpenFor = 90 * 24 * time.Hour

// AnswerInput is one person's answer.
type AnswerInput struct {
	Score   int    `json:"score" minimum:"0" maximum:"10" doc:"1–5 for CSAT, 0–10 for NPS"`
	Comment string `json:"comment,omitempty" maxLength:"2000"`
}

// ScoreCount is how many answers gave one score.
type ScoreCount struct {
	Score int `json:"score"`
	Count int `json:"count"`
}

// Figures are the aggregates of a group of answers. Score, Distribution
// and Comments are empty when Hidden.
type Figures struct {
	Survey       Survey `json:"survey" enum:"csat,nps"`
	Recipients   int    `json:"recipients"`
	Answers      int    `json:"answers"`
	ResponseRate string `json:"response_rate" doc:"Answers ÷ recipients, in percent to one decimal (half up)"`
	Hidden       bool   `json:"hidden" doc:"Fewer than 5 answers: everything but the counts is withheld"`
	Note         string `json:"note,omitempty"`
	// Score is the NPS (−100 to 100) or the CSAT (percent of 4 and 5), to
	// one decimal, half up.
	Score        string       `json:"score,omitempty"`
	Promoters    int          `json:"promoters,omitempty" doc:"NPS: answers of 9 and 10"`
	Passives     int          `json:"passives,omitempty" doc:"NPS: answers of 7 and 8"`
	Detractors   int          `json:"detractors,omitempty" doc:"NPS: answers of 0 to 6"`
	Satisfied    int          `json:"satisfied,omitempty" doc:"CSAT: answers of 4 and 5"`
	Distribution []ScoreCount `json:"distribution,omitempty" doc:"Answers per score, lowest first"`
}

// PulseResults are one pulse's figures and, when shown, its comments.
type PulseResults struct {
	Pulse    Pulse    `json:"pulse"`
	Figures  Figures  `json:"figures"`
	Comments []string `json:"comments" nullable:"false" doc:"Without names, alphabetical; empty when hidden"`
}

// TrendMonth is one month of a subject's trend: the pulses that opened in it.
type TrendMonth struct {
	Month   string  `json:"month" example:"2026-03"`
	Pulses  int     `json:"pulses"`
	Open    int     `json:"open" doc:"Of which still open: counted once they close"`
	Figures Figures `json:"figures"`
}

// SubjectTrend is a subject's figures by month, oldest first, for one survey.
type SubjectTrend struct {
	Survey      Survey       `json:"survey" enum:"csat,nps"`
	ServiceID   int64        `json:"service_id,omitempty"`
	CommunityID int64        `json:"community_id,omitempty"`
	SubjectName string       `json:"subject_name"`
	Months      []TrendMonth `json:"months" nullable:"false"`
}

// figures computes the aggregates of scores (counts by score) for a group
// sent to recipients people, withholding them under the floor.
func figures(survey Survey, recipients int, counts map[int]int) Figures {
	f := Figures{Survey: survey, Recipients: recipients}
	for _, n := range counts {
		f.Answers += n
	}
	if recipients > 0 {
		f.ResponseRate = percent(int64(f.Answers), int64(recipients))
	}
	if f.Answers < MinAnswers {
		f.Hidden, f.Note = true, HiddenMessage
		return f
	}
	for _, s := range survey.Scores() {
		f.Distribution = append(f.Distribution, ScoreCount{Score: s, Count: counts[s]})
		switch {
		case survey == NPS && s >= 9:
			f.Promoters += counts[s]
		case survey == NPS && s >= 7:
			f.Passives += counts[s]
		case survey == NPS:
			f.Detractors += counts[s]
		case s >= 4:
			f.Satisfied += counts[s]
		}
	}
	if survey == NPS {
		f.Score = percent(int64(f.Promoters-f.Detractors), int64(f.Answers))
	} else {
		f.Score = percent(int64(f.Satisfied), int64(f.Answers))
	}
	return f
}

// withhold keeps only the counts of f, saying why.
func (f *Figures) withhold(note string) {
	*f = Figures{Survey: f.Survey, Recipients: f.Recipients, Answers: f.Answers, ResponseRate: f.ResponseRate, Hidden: true, Note: note}
}

// percent writes num ÷ den as a percentage to one decimal, rounded half up
// (towards +∞), in integers: tenths = ⌊(2000·num + den) ÷ (2·den)⌋.
func percent(num, den int64) string {
	if den <= 0 {
		return ""
	}
	n, d := 2000*num+den, 2*den
	tenths := n / d
	if n%d != 0 && n < 0 {
		tenths-- // floor, not truncation, below zero
	}
	sign := ""
	if tenths < 0 {
		sign, tenths = "-", -tenths
	}
	return fmt.Sprintf("%s%d.%d", sign, tenths/10, tenths%10)
}

// sortComments puts comments in an order that says nothing of who wrote
// them or when: alphabetical.
func sortComments(c []string) []string {
	slices.Sort(c)
	return c
}

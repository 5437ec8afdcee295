// Package pulsepages is the web interface's pulses: the list of pulses a
// person may answer and runs, the form that sends one, the answer page
// (signed in, or through a signed link without signing in), a pulse's
// results and a subject's monthly trend with its CSV.
package pulsepages

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/pulse"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the pulses.
type Pages struct {
	*page.Kit
	Pulses *pulse.Service
	Clock  engage.Clock
}

// Routes are the pulses' pages. Who may do what is the pulse service's
// rule: every signed-in person reaches the pages, and sees what it allows.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /pulses", Handle: s.list},
		{Pattern: "GET /pulses/new", Handle: s.newPulse},
		{Pattern: "POST /pulses", Handle: s.create},
		{Pattern: "GET /pulses/trend", Handle: s.trend},
		{Pattern: "GET /pulses/trend.csv", Handle: s.trendCSV},
		{Pattern: "GET /pulses/{id}", Handle: s.answerPage},
		{Pattern: "POST /pulses/{id}/answer", Handle: s.answer},
		{Pattern: "GET /pulses/{id}/results", Handle: s.results},
		{Pattern: "GET /pulse-links/{token}", Public: true, Handle: s.linkPage},
		{Pattern: "POST /pulse-links/{token}", Public: true, Handle: s.answerByLink},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "pulses",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"pulseState": func(p pulse.Pulse, now time.Time) string { return p.State(now) },
		"pulseOpen":  func(p pulse.Pulse, now time.Time) bool { return p.Open(now) },
		"scoreLabel": scoreLabel,
		"trendLink":  pulse.TrendPath,
	},
	Views: map[string]page.View{
		"pulses.html":       &listView{},
		"pulse_form.html":   &formView{},
		"pulse_answer.html": &answerView{},
		"pulse_results.html": &resultsView{Results: &pulse.PulseResults{Figures: pulse.Figures{Distribution: []pulse.ScoreCount{{Score: 1, Count: 5}}}},
			Trend: &pulse.SubjectTrend{Months: []pulse.TrendMonth{{}}}, TrendChart: &trendChart{Columns: []trendColumn{{}}}},
	},
}

// listView is /pulses.
type listView struct {
	page.Base
	Lists   pulse.PulseLists
	Now     time.Time
	MaySend bool
}

// formView is the form that sends a pulse.
type formView struct {
	page.Base
	Subjects []pulse.Subject
	Surveys  []pulse.Survey
	Chosen   string // "service:4" or "community:2"
}

// answerView is a pulse's answer page, signed in or through a link.
type answerView struct {
	page.Base
	Pulse  pulse.Pulse
	Now    time.Time
	Scores []int
	// Token is the signed link's token on the link page; empty signed in.
	Token string
	// Person is whom the link is for.
	Person string
	// Link is the person's own signed link, offered signed in.
	Link string
}

// resultsView is a pulse's results and, for those who send pulses on its
// subject, the subject's trend; or the trend alone.
type resultsView struct {
	page.Base
	Results *pulse.PulseResults
	Chart   *page.BarChart // the distribution
	Now     time.Time
	MayRun  bool
	// Trend is the subject's trend by month, with its chart and CSV.
	Trend      *pulse.SubjectTrend
	TrendChart *trendChart
	CSV        string
}

func scoreLabel(survey pulse.Survey, score int) string {
	if survey == pulse.NPS {
		switch score {
		case 0:
			return "0 — not at all likely"
		case 10:
			return "10 — extremely likely"
		}
		return strconv.Itoa(score)
	}
	return [...]string{"", "1 — very dissatisfied", "2 — dissatisfied", "3 — neither", "4 — satisfied", "5 — very satisfied"}[score]
}

func (s *Pages) list(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	lists, err := s.Pulses.List(ctx, p)
	if err != nil {
		return err
	}
	// Offered to those likely to send pulses, without asking every
	// community for the person's rights; the form lists what they may
	// send pulses about, and a community's IT staff reach it from there.
	s.Render(w, r, "pulses.html", &listView{Base: page.Base{Title: "Pulses", Nav: "communities"}, Lists: lists, Now: s.Clock.Now(),
		MaySend: p.HasAny(access.Admin, access.Moderator, access.ServiceOwner) || len(lists.Running) > 0})
	return nil
}

func (s *Pages) newPulse(w http.ResponseWriter, r *http.Request) error {
	base := page.Base{Form: map[string]string{"survey": r.URL.Query().Get("survey")}}
	chosen := ""
	if id := page.QueryInt(r, "service"); id > 0 {
		chosen = fmt.Sprintf("service:%d", id)
	} else if id := page.QueryInt(r, "community"); id > 0 {
		chosen = fmt.Sprintf("community:%d", id)
	}
	base.Form["subject"] = chosen
	return s.renderForm(w, r, base)
}

func (s *Pages) renderForm(w http.ResponseWriter, r *http.Request, base page.Base) error {
	subjects, err := s.Pulses.Subjects(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Send a pulse", "communities"
	s.Render(w, r, "pulse_form.html", &formView{Base: base, Subjects: subjects, Surveys: pulse.Surveys, Chosen: base.Form["subject"]})
	return nil
}

// formInput reads the sending form: the subject as "service:ID" or
// "community:ID", and the closing day, which ends at midnight in the
// reader's time zone.
func (s *Pages) formInput(r *http.Request) (pulse.SendInput, error) {
	in := pulse.SendInput{Survey: pulse.Survey(r.PostFormValue("survey")), Question: r.PostFormValue("question")}
	var v engage.Validation
	kind, id, _ := strings.Cut(r.PostFormValue("subject"), ":")
	n, err := strconv.ParseInt(id, 10, 64)
	switch {
	case err != nil || n <= 0:
		v.Add("subject", "Choose the service or the community the pulse is about.")
	case kind == "community":
		in.CommunityID = n
	default:
		in.ServiceID = n
	}
	loc := page.ReaderZone(page.Principal(r))
	if text := strings.TrimSpace(r.PostFormValue("closes")); text == "" {
		v.Add("closes", "Choose the last day people may answer.")
	} else if day, err := time.ParseInLocation(time.DateOnly, text, loc); err != nil {
		v.Add("closes", "%q is not a date; choose a day such as %s.", text, s.Clock.Now().In(loc).AddDate(0, 0, 14).Format(time.DateOnly))
	} else {
		in.ClosesAt = day.AddDate(0, 0, 1)
	}
	return in, v.Err()
}

func (s *Pages) create(w http.ResponseWriter, r *http.Request) error {
	in, err := s.formInput(r)
	if err == nil {
		var pl pulse.Pulse
		pl, err = s.Pulses.Create(r.Context(), page.Principal(r), in)
		if err == nil {
			s.Flash(w, fmt.Sprintf("Pulse sent to %s.", page.Plural(pl.Recipients, "person", "people")))
			http.Redirect(w, r, fmt.Sprintf("/pulses/%d/results", pl.ID), http.StatusSeeOther)
			return nil
		}
	}
	if engage.ErrorCode(err) != engage.EINVALID {
		return err
	}
	var base page.Base
	base.Rejected(formFields(engage.ErrorFields(err)), r)
	return s.renderForm(w, r, base)
}

// formFields names the service's fields as the form does.
func formFields(fields []engage.FieldError) []engage.FieldError {
	out := make([]engage.FieldError, len(fields))
	for i, f := range fields {
		switch f.Field {
		case "service_id", "community_id":
			f.Field = "subject"
		case "closes_at", "opens_at":
			f.Field = "closes"
		}
		out[i] = f
	}
	return out
}

func (s *Pages) answerPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnswer(w, r, page.Base{})
}

func (s *Pages) renderAnswer(w http.ResponseWriter, r *http.Request, base page.Base) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), page.Principal(r)
	pl, err := s.Pulses.Find(ctx, p, id)
	if err != nil {
		return err
	}
	v := &answerView{Base: base, Pulse: pl, Now: s.Clock.Now(), Scores: pl.Survey.Scores()}
	if pl.Recipient && !pl.Answered && pl.Open(v.Now) {
		if v.Link, err = s.Pulses.SignedLink(ctx, p, id); err != nil {
			return err
		}
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	v.Title, v.Nav = pl.Survey.Label()+" pulse: "+pl.SubjectName, "communities"
	s.Render(w, r, "pulse_answer.html", v)
	return nil
}

func answerInput(r *http.Request) (pulse.AnswerInput, error) {
	in := pulse.AnswerInput{Comment: r.PostFormValue("comment")}
	score, err := strconv.Atoi(r.PostFormValue("score"))
	if err != nil {
		return in, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: "score", Message: "Choose a score."}}}
	}
	in.Score = score
	return in, nil
}

func (s *Pages) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := answerInput(r)
	if err == nil {
		_, err = s.Pulses.Answer(r.Context(), page.Principal(r), id, in)
	}
	return s.answered(w, r, err, fmt.Sprintf("/pulses/%d", id), func(base page.Base) error { return s.renderAnswer(w, r, base) })
}

// answered ends an answer: back to the page with a thank-you, the form
// again with its errors, or the refusal shown on the page.
func (s *Pages) answered(w http.ResponseWriter, r *http.Request, err error, back string, again func(page.Base) error) error {
	switch engage.ErrorCode(err) {
	case "":
		s.Flash(w, "Thank you: your answer is recorded, apart from your name.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	case engage.EINVALID:
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return again(base)
	case engage.ECONFLICT:
		s.Flash(w, engage.ErrorMessage(err))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	return err
}

func (s *Pages) linkPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLink(w, r, page.Base{})
}

func (s *Pages) renderLink(w http.ResponseWriter, r *http.Request, base page.Base) error {
	token := r.PathValue("token")
	lv, err := s.Pulses.OpenLink(r.Context(), token)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = lv.Pulse.Survey.Label()+" pulse: "+lv.Pulse.SubjectName, "communities"
	s.Render(w, r, "pulse_answer.html", &answerView{Base: base, Pulse: lv.Pulse, Now: s.Clock.Now(), Scores: lv.Pulse.Survey.Scores(),
		Token: token, Person: lv.Person})
	return nil
}

func (s *Pages) answerByLink(w http.ResponseWriter, r *http.Request) error {
	in, err := answerInput(r)
	if err == nil {
		_, err = s.Pulses.AnswerByLink(r.Context(), r.PathValue("token"), in)
	}
	return s.answered(w, r, err, r.URL.Path, func(base page.Base) error { return s.renderLink(w, r, base) })
}

func (s *Pages) results(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), page.Principal(r)
	res, err := s.Pulses.Results(ctx, p, id)
	if err != nil {
		return err
	}
	sub, err := s.Pulses.SubjectOf(ctx, p, res.Pulse.ServiceID, res.Pulse.CommunityID)
	if err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
		return err
	}
	v := &resultsView{Base: page.Base{Title: "Results: " + res.Pulse.Question, Nav: "communities"},
		Results: &res, Chart: distributionChart(res.Figures), Now: s.Clock.Now(), MayRun: sub.MayRun}
	if sub.MayRun {
		if err := s.withTrend(r, v, pulse.TrendFilter{ServiceID: res.Pulse.ServiceID, CommunityID: res.Pulse.CommunityID, Survey: res.Pulse.Survey}); err != nil {
			return err
		}
	}
	s.Render(w, r, "pulse_results.html", v)
	return nil
}

// withTrend puts the subject's trend on v.
func (s *Pages) withTrend(r *http.Request, v *resultsView, f pulse.TrendFilter) error {
	tr, err := s.Pulses.Trend(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	v.Trend, v.TrendChart = &tr, drawTrend(tr)
	v.CSV = strings.Replace(pulse.TrendPath(f.ServiceID, f.CommunityID, tr.Survey), "/pulses/trend?", "/pulses/trend.csv?", 1)
	return nil
}

// distributionChart draws how many answers gave each score.
func distributionChart(f pulse.Figures) *page.BarChart {
	if f.Hidden || len(f.Distribution) == 0 {
		return nil
	}
	most := 1
	for _, c := range f.Distribution {
		most = max(most, c.Count)
	}
	const row = 28
	ch := &page.BarChart{Title: "Answers by score", Height: row*len(f.Distribution) + 10,
		Describe: "Answers by score; the table below has the figures.", Caption: "How many answers gave each score."}
	for i, c := range f.Distribution {
		ch.Bars = append(ch.Bars, page.Bar{Label: strconv.Itoa(c.Score), Value: strconv.Itoa(c.Count), LabelY: float64(i*row + 18),
			BarY: float64(i*row + 7), ValueY: float64(i*row + 18), Width: max(2, 480*float64(c.Count)/float64(most))})
	}
	return ch
}

// trendFilter reads a trend's subject and survey from the query.
func trendFilter(r *http.Request) pulse.TrendFilter {
	f := pulse.TrendFilter{ServiceID: page.QueryInt(r, "service"), CommunityID: page.QueryInt(r, "community"),
		Survey: pulse.Survey(r.URL.Query().Get("survey")), Months: int(page.QueryInt(r, "months"))}
	if f.Survey == "" {
		f.Survey = pulse.CSAT
	}
	return f
}

func (s *Pages) trend(w http.ResponseWriter, r *http.Request) error {
	v := &resultsView{Now: s.Clock.Now()}
	if err := s.withTrend(r, v, trendFilter(r)); err != nil {
		return err
	}
	v.Title, v.Nav = v.Trend.Survey.Label()+" of "+v.Trend.SubjectName+" by month", "communities"
	s.Render(w, r, "pulse_results.html", v)
	return nil
}

// trendCSV writes a trend's months; a month under the floor has its counts
// and the note, never a score or a distribution.
func (s *Pages) trendCSV(w http.ResponseWriter, r *http.Request) error {
	tr, err := s.Pulses.Trend(r.Context(), page.Principal(r), trendFilter(r))
	if err != nil {
		return err
	}
	rows := [][]string{{"month", "pulses", "open", "recipients", "answers", "response_rate_percent", "score", "note"}}
	for _, m := range tr.Months {
		f := m.Figures
		rows = append(rows, []string{m.Month, strconv.Itoa(m.Pulses), strconv.Itoa(m.Open), strconv.Itoa(f.Recipients), strconv.Itoa(f.Answers),
			f.ResponseRate, f.Score, f.Note})
	}
	return page.CSVFile(w, fmt.Sprintf("pulse-%s-trend.csv", tr.Survey)).WriteAll(rows)
}

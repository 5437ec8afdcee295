package engagementpages

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/web/page"
)

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (s *Pages) overviewCSV(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engagement.CommunityFigures(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "engagement-communities.csv")
	_ = cw.Write([]string{"community", "name", "kind", "members", "active_members", "participation_pct", "state", "new_contributors",
		"questions", "late_without_it_answer", "answered", "median_hours_to_it_answer", "p90_hours_to_it_answer", "accepted", "accepted_pct"})
	for _, m := range list {
		state, med, p90 := "idle", "", ""
		if m.Active {
			state = "active"
		}
		if a, b, ok := m.AnswerTimes(); ok {
			med, p90 = num(a.Hours()), num(b.Hours())
		}
		_ = cw.Write([]string{m.Slug, m.Name, string(m.Kind), fmt.Sprint(m.Members), fmt.Sprint(m.ActiveMembers), num(m.Participation), state,
			fmt.Sprint(m.NewContributors), fmt.Sprint(m.Questions), fmt.Sprint(m.Late), fmt.Sprint(m.Answered), med, p90,
			fmt.Sprint(m.Accepted), num(m.AcceptedShare)})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Pages) topicsCSV(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Engagement.Community(r.Context(), page.Principal(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "engagement-"+c.Slug+"-topics.csv")
	_ = cw.Write([]string{"topic", "ref", "title", "opened_at", "idea", "it_answered_at", "hours_to_it_answer", "late", "accepted_at"})
	for _, t := range c.Topics {
		answered, hours, accepted := "", "", ""
		if t.Answered != nil {
			answered, hours = t.Answered.Format("2006-01-02T15:04:05Z"), num(t.WaitedFor().Hours())
		}
		if t.Accepted != nil {
			accepted = t.Accepted.Format("2006-01-02T15:04:05Z")
		}
		_ = cw.Write([]string{fmt.Sprint(t.TopicID), t.Ref, t.Title, t.OpenedAt.Format("2006-01-02T15:04:05Z"), strconv.FormatBool(t.Idea),
			answered, hours, strconv.FormatBool(t.Late), accepted})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Pages) coverageCSV(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Engagement.Coverage(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "engagement-coverage.csv")
	_ = cw.Write([]string{"group", "id", "name", "people", "in_a_community", "share_pct", "dark"})
	dark := map[string]bool{}
	for _, d := range c.Dark {
		if d.Kind == "department" {
			dark[fmt.Sprint("department", d.DepartmentID)] = true
		}
	}
	rows := func(group string, list []engagement.CoverageRow) {
		for _, x := range list {
			_ = cw.Write([]string{group, fmt.Sprint(x.ID), x.Name, fmt.Sprint(x.People), fmt.Sprint(x.Members), num(x.Share),
				strconv.FormatBool(dark[fmt.Sprint(group, x.ID)])})
		}
	}
	rows("location", c.ByLocation)
	rows("function", c.ByFunction)
	rows("department", c.ByDepartment)
	for _, d := range c.Dark {
		if d.Kind == "location_function" {
			_ = cw.Write([]string{"location_function", fmt.Sprintf("%d-%d", d.LocationID, d.FunctionID), d.Name, fmt.Sprint(d.People), "", "", "true"})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Package ideapages is the web interface's ideas area: a community's ideas
// by votes or status, and an idea's panel — its votes and vote button, its
// status with its history and the form that sets it, the need it became
// and the button that turns it into one. The topic itself (its text and
// replies) is the discussions area's page; Panel gives that page what the
// idea panel shows.
package ideapages

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/idea"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the ideas area.
type Pages struct {
	*page.Kit
	Ideas       *idea.Service
	Communities *community.Service
	Discussions *discuss.Service
}

// Routes are a community's ideas, an idea's panel and its forms.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /communities/{slug}/ideas", Handle: s.list},
		{Pattern: "GET /communities/{slug}/topics/{id}/idea", Handle: s.panel},
		{Pattern: "POST /communities/{slug}/topics/{id}/idea/vote", Handle: s.vote},
		{Pattern: "POST /communities/{slug}/topics/{id}/idea/unvote", Handle: s.unvote},
		{Pattern: "POST /communities/{slug}/topics/{id}/idea/status", Handle: s.setStatus},
		{Pattern: "POST /communities/{slug}/topics/{id}/idea/need", Handle: s.convert},
		{Pattern: "GET /ideas/{id}", Handle: s.byID},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "ideas",
	FS:   templateFS,
	Views: map[string]page.View{
		"idea_list.html":  &listView{},
		"idea_panel.html": &panelView{},
	},
}

// Statuses are the choices of the status form and filter.
var Statuses = func() []Choice {
	out := make([]Choice, len(idea.Statuses))
	for i, st := range idea.Statuses {
		out[i] = Choice{Value: string(st), Label: st.Label()}
	}
	return out
}()

// Choice is one option of a select.
type Choice struct{ Value, Label string }

// listView is a community's ideas.
type listView struct {
	page.Base
	Community community.Community
	Ideas     []idea.Idea
	Next      string
	Status    string
	Sort      string
	Statuses  []Choice
	// MayVote: the reader votes in this community (see idea.MayVote).
	MayVote bool
}

// PanelView is what the idea panel shows: the idea, its history, what the
// reader may do, and where its forms post.
type PanelView struct {
	Detail idea.Detail
	// Action is the path the panel's forms post to, with /vote, /unvote,
	// /status and /need after it.
	Action   string
	Statuses []Choice
}

// panelView is an idea's own page: its panel, with the topic's text.
type panelView struct {
	page.Base
	Community community.Community
	Topic     discuss.Topic
	Panel     PanelView
}

// Panel returns what the idea panel of topic t in community c shows to p,
// for any page that shows an idea.
func (s *Pages) Panel(ctx context.Context, p *access.Principal, c community.Community, t discuss.Topic) (PanelView, error) {
	d, err := s.Ideas.Get(ctx, p, t.ID)
	if err != nil {
		return PanelView{}, err
	}
	return PanelView{Detail: d, Action: idea.Path(c, t.ID), Statuses: Statuses}, nil
}

// community finds the community of the path.
func (s *Pages) community(r *http.Request) (community.Community, error) {
	return s.Communities.FindBySlug(r.Context(), page.Principal(r), r.PathValue("slug"))
}

// topic finds the idea of the path, in the community of the path.
func (s *Pages) topic(r *http.Request) (community.Community, discuss.Topic, error) {
	c, err := s.community(r)
	if err != nil {
		return c, discuss.Topic{}, err
	}
	id, err := page.PathID(r, "id")
	if err != nil {
		return c, discuss.Topic{}, err
	}
	t, err := s.Discussions.FindTopic(r.Context(), page.Principal(r), id)
	if err == nil && (t.CommunityID != c.ID || t.Kind != discuss.Idea) {
		err = engage.Errorf(engage.ENOTFOUND, "There is no such idea in %s.", c.Name)
	}
	return c, t, err
}

func (s *Pages) list(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	c, err := s.community(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := idea.ListFilter{Status: idea.Status(q.Get("status")), Sort: q.Get("sort"), Cursor: q.Get("cursor"), Limit: 50}
	ideas, next, err := s.Ideas.List(ctx, p, c.ID, f)
	if err != nil {
		return err
	}
	rights, err := s.Communities.Rights(ctx, p, c.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, "idea_list.html", &listView{Base: page.Base{Title: "Ideas of " + c.Name, Nav: "communities"},
		Community: c, Ideas: ideas, Next: next, Status: string(f.Status), Sort: f.Sort, Statuses: Statuses,
		MayVote: idea.MayVote(p, rights)})
	return nil
}

func (s *Pages) panel(w http.ResponseWriter, r *http.Request) error {
	return s.renderPanel(w, r, page.Base{})
}

func (s *Pages) renderPanel(w http.ResponseWriter, r *http.Request, base page.Base) error {
	c, t, err := s.topic(r)
	if err != nil {
		return err
	}
	pv, err := s.Panel(r.Context(), page.Principal(r), c, t)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = t.Title, "communities"
	s.Render(w, r, "idea_panel.html", &panelView{Base: base, Community: c, Topic: t, Panel: pv})
	return nil
}

// byID opens an idea by its topic's id (the link a need keeps to the idea
// it came from).
func (s *Pages) byID(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.Discussions.FindTopic(ctx, p, id)
	if err == nil && t.Kind != discuss.Idea {
		err = engage.Errorf(engage.ENOTFOUND, "There is no such idea.")
	}
	if err != nil {
		return err
	}
	c, err := s.Communities.Find(ctx, p, t.CommunityID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, idea.Path(c, t.ID), http.StatusSeeOther)
	return nil
}

// act runs one of the panel's forms, then goes back to where it was sent
// from (the idea's page, or the page the form names in back).
func (s *Pages) act(w http.ResponseWriter, r *http.Request, do func(*access.Principal, int64) (string, error)) error {
	c, t, err := s.topic(r)
	if err != nil {
		return err
	}
	msg, err := do(page.Principal(r), t.ID)
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderPanel(w, r, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, msg)
	back := idea.Path(c, t.ID)
	if r.PostFormValue("back") == "list" {
		back = fmt.Sprintf("/communities/%s/ideas", c.Slug)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func (s *Pages) vote(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(p *access.Principal, id int64) (string, error) {
		it, err := s.Ideas.Vote(r.Context(), p, id)
		return fmt.Sprintf("Your vote is counted: %s.", page.Plural(it.Votes, "vote", "votes")), err
	})
}

func (s *Pages) unvote(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(p *access.Principal, id int64) (string, error) {
		it, err := s.Ideas.Unvote(r.Context(), p, id)
		return fmt.Sprintf("Your vote is withdrawn: %s.", page.Plural(it.Votes, "vote", "votes")), err
	})
}

func (s *Pages) setStatus(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(p *access.Principal, id int64) (string, error) {
		it, err := s.Ideas.SetStatus(r.Context(), p, id, idea.StatusInput{Status: idea.Status(r.PostFormValue("status")),
			Reason: r.PostFormValue("reason"), Version: page.FormVersion(r)})
		return "The idea is now " + it.StatusLabel + "; its author and voters are told.", err
	})
}

func (s *Pages) convert(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(p *access.Principal, id int64) (string, error) {
		users := 0
		if text := strings.TrimSpace(r.PostFormValue("users")); text != "" {
			n, err := strconv.Atoi(text)
			if err != nil {
				var v engage.Validation
				v.Add("users", "Give a whole number of people, such as 40, or leave it empty.")
				return "", v.Err()
			}
			users = n
		}
		it, err := s.Ideas.Convert(r.Context(), p, id, idea.ConvertInput{Outcome: r.PostFormValue("outcome"), Users: users,
			DataClass: r.PostFormValue("data_class")})
		if err != nil || it.Need == nil {
			return "", err
		}
		return "The idea is need " + it.Need.Reference + ": its author completes and submits it, and the idea follows it.", nil
	})
}

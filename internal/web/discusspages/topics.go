package discusspages

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/web/page"
)

// repliesPerPage is how many replies a topic page shows; the rest follow
// on next pages.
const repliesPerPage = 200

// refused puts a refusal the person can act on (bad input, no right to
// post, posting too fast, a stale edit) on the form's page with what was
// typed; it returns false for any other error.
func refused(base *page.Base, r *http.Request, err error) (int, bool) {
	switch engage.ErrorCode(err) {
	case engage.EINVALID, engage.EFORBIDDEN, engage.ETOOMANY, engage.ECONFLICT:
		fields := engage.ErrorFields(err)
		if len(fields) == 0 {
			fields = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
		}
		base.Rejected(fields, r)
		return engage.HTTPStatus(err), true
	}
	return 0, false
}

func (s *Pages) community(r *http.Request) (community.Community, error) {
	return s.Communities.FindBySlug(r.Context(), page.Principal(r), r.PathValue("slug"))
}

func (s *Pages) home(w http.ResponseWriter, r *http.Request) error {
	return s.renderHome(w, r, page.Base{}, http.StatusOK, false)
}

// filterOf reads the list filter of a community's home.
func filterOf(r *http.Request) (string, discuss.TopicFilter) {
	show := r.URL.Query().Get("show")
	f := discuss.TopicFilter{Cursor: r.URL.Query().Get("cursor"), Limit: 30}
	switch show {
	case "no-it-answer":
		f.NoITAnswer = true
	case "ideas":
		f.Kind = discuss.Idea
	case "unanswered":
		f.Unanswered = true
	default:
		show = ""
	}
	return show, f
}

func (s *Pages) renderHome(w http.ResponseWriter, r *http.Request, base page.Base, status int, check bool) error {
	ctx, p := r.Context(), page.Principal(r)
	c, rights, err := s.Communities.BySlugWithRights(ctx, p, r.PathValue("slug"))
	if err != nil {
		return err
	}
	show, f := filterOf(r)
	v := &homeView{C: c, Rights: rights, Kinds: discuss.Kinds, Checked: check, Show: show}
	if v.Topics, v.Next, err = s.Discussions.Home(ctx, p, c, rights, f); err != nil {
		return err
	}
	if v.Rows, err = s.topicsHTML(r, c, v.Topics); err != nil {
		return err
	}
	if check {
		if text := strings.TrimSpace(base.Form["title"] + " " + base.Form["body"]); text != "" {
			if v.Similar, err = s.Discussions.Similar(ctx, p, text, 5); err != nil {
				return err
			}
		}
	}
	base.Title, base.Nav = c.Name, "communities"
	v.Base = base
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderWith(w, r, "community_home.html", v, v.Rows)
	return nil
}

// createTopic starts a topic; the "check" button (the form without
// script) shows the topics others asked like it instead.
func (s *Pages) createTopic(w http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("action") == "check" {
		return s.renderHome(w, r, page.Base{Form: page.FormOf(r)}, http.StatusOK, true)
	}
	c, err := s.community(r)
	if err != nil {
		return err
	}
	t, err := s.Discussions.CreateTopic(r.Context(), page.Principal(r), discuss.TopicInput{CommunityID: c.ID,
		Kind: discuss.Kind(r.PostFormValue("kind")), Title: r.PostFormValue("title"), Body: r.PostFormValue("body")})
	var base page.Base
	if status, ok := refused(&base, r, err); ok {
		return s.renderHome(w, r, base, status, true)
	} else if err != nil {
		return err
	}
	s.Flash(w, KindLabel(t.Kind)+" posted. You follow it: replies reach your inbox.")
	http.Redirect(w, r, discuss.TopicPath(c, t.ID), http.StatusSeeOther)
	return nil
}

// topicOf returns the topic of the path and its community; a topic moved
// elsewhere answers from its community's path.
func (s *Pages) topicOf(r *http.Request) (discuss.TopicDetail, community.Community, error) {
	id, err := page.PathID(r, "id")
	if err != nil {
		return discuss.TopicDetail{}, community.Community{}, err
	}
	d, err := s.Discussions.Detail(r.Context(), page.Principal(r), id)
	return d, d.Community, err
}

func (s *Pages) topic(w http.ResponseWriter, r *http.Request) error {
	return s.renderTopic(w, r, page.Base{}, http.StatusOK)
}

func (s *Pages) renderTopic(w http.ResponseWriter, r *http.Request, base page.Base, status int) error {
	ctx, p := r.Context(), page.Principal(r)
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	d, replies, next, err := s.Discussions.Thread(ctx, p, id, r.URL.Query().Get("cursor"), repliesPerPage)
	if err != nil {
		return err
	}
	c := d.Community
	if c.Slug != r.PathValue("slug") && r.Method == http.MethodGet {
		http.Redirect(w, r, discuss.TopicPath(c, d.Topic.ID), http.StatusMovedPermanently)
		return nil
	}
	v := &topicView{C: c, D: d, Path: discuss.TopicPath(c, d.Topic.ID)}
	v.Next = next
	if v.Replies, err = s.replyHTML(r, d, v.Path, replies); err != nil {
		return err
	}
	if flag := page.QueryInt(r, "flag"); flag != 0 {
		for i, rp := range replies {
			if rp.ID == flag {
				v.FlagReply = &replies[i]
			}
		}
	}
	if d.Can.Moderate {
		all, err := s.Communities.List(ctx, p)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.ID != c.ID {
				v.MoveTo = append(v.MoveTo, o)
			}
		}
	}
	base.Title, base.Nav = d.Topic.Title, "communities"
	v.Base = base
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderWith(w, r, "topic.html", v, v.Replies)
	return nil
}

func (s *Pages) reply(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.Discussions.Reply(r.Context(), page.Principal(r), id, discuss.ReplyInput{Body: r.PostFormValue("body"),
		Official: r.PostFormValue("official") == "on"})
	var base page.Base
	if status, ok := refused(&base, r, err); ok {
		return s.renderTopic(w, r, base, status)
	} else if err != nil {
		return err
	}
	if rp.Official {
		s.Flash(w, "Official answer posted.")
	} else {
		s.Flash(w, "Reply posted.")
	}
	return s.back(w, r, id, fmt.Sprintf("#reply-%d", rp.ID))
}

// back sends the person to the topic's page (its community's path).
func (s *Pages) back(w http.ResponseWriter, r *http.Request, id int64, anchor string) error {
	t, err := s.Discussions.FindTopic(r.Context(), page.Principal(r), id)
	path := "/communities/" + r.PathValue("slug")
	if err == nil {
		c, err := s.Communities.FindBrief(r.Context(), page.Principal(r), t.CommunityID)
		if err != nil {
			return err
		}
		path = discuss.TopicPath(c, id) + anchor
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// act runs a one-button action on the topic of the path, then goes back
// to it with a message; a refusal is shown on the topic's page.
func (s *Pages) act(w http.ResponseWriter, r *http.Request, do func(id int64) (string, error)) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	msg, err := do(id)
	var base page.Base
	if status, ok := refused(&base, r, err); ok {
		return s.renderTopic(w, r, base, status)
	} else if err != nil {
		return err
	}
	s.Flash(w, msg)
	return s.back(w, r, id, "")
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return id
}

func (s *Pages) accept(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(id int64) (string, error) {
		replyID := formID(r, "reply_id")
		_, err := s.Discussions.Accept(r.Context(), page.Principal(r), id, replyID)
		if replyID == 0 {
			return "The accepted solution was cleared.", err
		}
		return "Solution accepted. Thank you: it helps the next person with the same question.", err
	})
}

func (s *Pages) official(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(int64) (string, error) {
		_, err := s.Discussions.MarkOfficial(r.Context(), page.Principal(r), formID(r, "reply_id"))
		return "The reply is now the official IT answer.", err
	})
}

func (s *Pages) follow(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(id int64) (string, error) {
		on := r.PostFormValue("follow") == "1"
		err := s.Discussions.Follow(r.Context(), page.Principal(r), id, on)
		if on {
			return "You follow this topic: replies reach your inbox.", err
		}
		return "You no longer follow this topic.", err
	})
}

func (s *Pages) flag(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(id int64) (string, error) {
		err := s.Discussions.FlagPost(r.Context(), page.Principal(r), id, formID(r, "reply_id"), r.PostFormValue("reason"))
		return "Thank you: the moderators will look at it.", err
	})
}

func (s *Pages) moderate(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(id int64) (string, error) {
		action := r.PostFormValue("action")
		_, err := s.Discussions.Moderate(r.Context(), page.Principal(r), id, action, formID(r, "community_id"))
		return moderated[action], err
	})
}

var moderated = map[string]string{"pin": "Topic pinned.", "unpin": "Topic unpinned.", "lock": "Topic locked: only moderators reply now.",
	"unlock": "Topic unlocked.", "hide": "Topic hidden: only moderators and its author see it.", "unhide": "Topic shown again.", "move": "Topic moved."}

func (s *Pages) hideReply(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, func(int64) (string, error) {
		on := r.PostFormValue("hide") == "1"
		_, err := s.Discussions.HideReply(r.Context(), page.Principal(r), formID(r, "reply_id"), on)
		if on {
			return "Reply hidden: only moderators and its author see it.", err
		}
		return "Reply shown again.", err
	})
}

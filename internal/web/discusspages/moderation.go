package discusspages

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/web/page"
)

// editForm edits the topic of the path, or its reply ?reply=ID.
func (s *Pages) editForm(w http.ResponseWriter, r *http.Request) error {
	d, c, err := s.topicOf(r)
	if err != nil {
		return err
	}
	replyID := page.QueryInt(r, "reply")
	form := map[string]string{"title": d.Topic.Title, "body": d.Topic.Body, "version": strconv.Itoa(d.Topic.Version)}
	if replyID != 0 {
		rp, err := s.findReply(r, d.Topic.ID, replyID)
		if err != nil {
			return err
		}
		form = map[string]string{"body": rp.Body, "version": strconv.Itoa(rp.Version)}
	}
	s.Render(w, r, "topic_edit.html", &editView{Base: page.Base{Title: "Edit: " + d.Topic.Title, Nav: "communities", Form: form},
		C: c, T: d.Topic, ReplyID: replyID})
	return nil
}

// findReply finds one reply of a topic among those the person reads.
func (s *Pages) findReply(r *http.Request, topicID, replyID int64) (discuss.Reply, error) {
	cursor := ""
	for {
		list, next, err := s.Discussions.ListReplies(r.Context(), page.Principal(r), topicID, cursor, 500)
		if err != nil {
			return discuss.Reply{}, err
		}
		for _, rp := range list {
			if rp.ID == replyID {
				return rp, nil
			}
		}
		if next == "" {
			return discuss.Reply{}, engage.Errorf(engage.ENOTFOUND, "There is no such reply.")
		}
		cursor = next
	}
}

func (s *Pages) saveEdit(w http.ResponseWriter, r *http.Request) error {
	d, c, err := s.topicOf(r)
	if err != nil {
		return err
	}
	replyID := formID(r, "reply_id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	e := discuss.Edit{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Version: version}
	if replyID != 0 {
		_, err = s.Discussions.EditReply(r.Context(), page.Principal(r), replyID, e)
	} else {
		_, err = s.Discussions.EditTopic(r.Context(), page.Principal(r), d.Topic.ID, e)
	}
	var base page.Base
	if status, ok := refused(&base, r, err); ok {
		base.Title, base.Nav = "Edit: "+d.Topic.Title, "communities"
		w.WriteHeader(status)
		s.Render(w, r, "topic_edit.html", &editView{Base: base, C: c, T: d.Topic, ReplyID: replyID})
		return nil
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved. The earlier text is kept in the post's history.")
	anchor := ""
	if replyID != 0 {
		anchor = fmt.Sprintf("#reply-%d", replyID)
	}
	http.Redirect(w, r, discuss.TopicPath(c, d.Topic.ID)+anchor, http.StatusSeeOther)
	return nil
}

func (s *Pages) history(w http.ResponseWriter, r *http.Request) error {
	d, c, err := s.topicOf(r)
	if err != nil {
		return err
	}
	replyID := page.QueryInt(r, "reply")
	revs, err := s.Discussions.Revisions(r.Context(), page.Principal(r), d.Topic.ID, replyID)
	if err != nil {
		return err
	}
	s.Render(w, r, "topic_history.html", &historyView{Base: page.Base{Title: "History: " + d.Topic.Title, Nav: "communities"},
		C: c, T: d.Topic, ReplyID: replyID, Revisions: revs})
	return nil
}

func (s *Pages) search(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	v := &searchView{Base: page.Base{Title: "Search the communities", Nav: "communities"}, Q: r.URL.Query().Get("q"), CommunityID: page.QueryInt(r, "community")}
	var err error
	if v.Communities, err = s.Communities.List(ctx, p); err != nil {
		return err
	}
	if v.Q != "" {
		ts, err := s.Discussions.SearchTopics(ctx, p, v.Q, discuss.SearchFilter{CommunityID: v.CommunityID, Limit: 50})
		if err != nil {
			return err
		}
		if v.Results, err = s.Discussions.Placed(ctx, p, ts); err != nil {
			return err
		}
	}
	s.Render(w, r, "topic_search.html", v)
	return nil
}

func (s *Pages) moderationQueue(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	flags, err := s.Discussions.Flags(ctx, p)
	if err != nil {
		return err
	}
	all, err := s.Communities.List(ctx, p)
	if err != nil {
		return err
	}
	v := &queueView{Base: page.Base{Title: "Moderation queue", Nav: "communities"}}
	for _, f := range flags {
		for _, c := range all {
			if c.ID == f.CommunityID {
				v.Flags = append(v.Flags, flagRow{Flag: f, C: c})
			}
		}
	}
	s.Render(w, r, "moderation.html", v)
	return nil
}

func (s *Pages) resolveFlag(w http.ResponseWriter, r *http.Request) error {
	id := formID(r, "flag_id")
	outcome := r.PostFormValue("outcome")
	if _, err := s.Discussions.ResolveFlag(r.Context(), page.Principal(r), id, outcome); err != nil {
		return err
	}
	if outcome == discuss.Hidden {
		s.Flash(w, "The post is hidden and its flags resolved.")
	} else {
		s.Flash(w, "The post stays; its flags are resolved.")
	}
	http.Redirect(w, r, "/communities/moderation", http.StatusSeeOther)
	return nil
}

// The Atom feed of a community: its latest topics, newest activity first.
// It is read with a session or an API token (Authorization: Bearer), as
// every page is, so a closed community's feed reaches its readers only.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Link      atomLink   `xml:"link"`
	Author    atomPerson `xml:"author"`
	Category  struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Content atomText `xml:"content"`
}

func (s *Pages) feed(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	c, err := s.community(r)
	if err != nil {
		return err
	}
	topics, _, err := s.Discussions.ListTopics(ctx, p, c.ID, discuss.TopicFilter{Limit: 50})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.BaseURL, "/")
	home := base + "/communities/" + c.Slug
	f := atomFeed{Title: c.Name + " — Engage community", ID: home, Updated: c.UpdatedAt.Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Href: home + "/feed.atom", Type: "application/atom+xml"}, {Rel: "alternate", Href: home, Type: "text/html"}},
		Author: atomPerson{Name: "Engage"}}
	for _, t := range topics {
		if t.Hidden {
			continue
		}
		if u := t.LastPostAt.Format(time.RFC3339); u > f.Updated {
			f.Updated = u
		}
		link := base + discuss.TopicPath(c, t.ID)
		e := atomEntry{Title: t.Title, ID: link, Updated: t.LastPostAt.Format(time.RFC3339), Published: t.CreatedAt.Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Href: link, Type: "text/html"}, Author: atomPerson{Name: t.AuthorName},
			Content: atomText{Type: "html", Body: string(page.Markdown(t.Body))}}
		e.Category.Term = string(t.Kind)
		f.Entries = append(f.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	if _, err := w.Write([]byte(xml.Header)); err != nil {
		return nil
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(f)
}

package catalogpages

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
)

func (s *Pages) announcements(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnnouncements(w, r, nil, map[string]string{"kind": "launch", "audience_all": "on"})
}

func (s *Pages) renderAnnouncements(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	p := page.Principal(r)
	list, err := s.Catalog.Announcements(r.Context(), p, catalog.AnnouncementFilter{Limit: 50, Record: true})
	if err != nil {
		return err
	}
	choices, err := page.LoadOrgChoices(r.Context(), s.Org, p)
	if err != nil {
		return err
	}
	v := &announcementsView{Base: page.Base{Title: "What's new", Nav: "catalog", Errors: errs, Form: form}, OrgChoices: choices,
		List: list, CanAnnounce: p.HasAny(access.Admin, access.ServiceOwner)}
	if v.CanAnnounce {
		services, err := s.Catalog.ListServices(r.Context(), p, catalog.ListFilter{Limit: 200, Lifecycles: []string{"planned", "pilot", "live", "retiring", "retired"}})
		if err != nil {
			return err
		}
		var mine []catalog.ServiceCard
		for _, c := range services.Cards {
			if p.IsAdmin() || c.OwnerID == p.PersonID {
				mine = append(mine, c)
			}
		}
		v.Services = mine
		if s.Communities != nil {
			if v.Communities, err = s.Communities(r.Context(), p); err != nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "announcements.html", v)
	return nil
}

func (s *Pages) announce(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := catalog.AnnouncementInput{ServiceID: page.FormID(r, "service_id", &v), Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), AudienceAll: r.PostFormValue("audience_all") == "on", Audience: announcementAudienceOf(r)}
	err := v.Err()
	if err == nil {
		_, err = s.Catalog.Announce(r.Context(), page.Principal(r), in)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			if strings.HasPrefix(errs[i].Field, "audience") {
				errs[i].Field = "audience_all"
			}
		}
		return s.renderAnnouncements(w, r, errs, page.FormOf(r))
	} else if err != nil {
		return err
	}
	s.Flash(w, "Announcement published.")
	http.Redirect(w, r, "/announcements", http.StatusSeeOther)
	return nil
}

// announcementAudienceOf is the audience an announcement form names: the
// departments, locations and functions a service's audience takes, and
// communities.
func announcementAudienceOf(r *http.Request) []catalog.AudienceRef {
	out := audienceOf(r)
	for _, v := range r.PostForm["audience_community"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, catalog.AudienceRef{Kind: "community", ID: id})
		}
	}
	return out
}

func (s *Pages) followAnnouncement(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	slug, err := s.Catalog.FollowAnnouncement(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/catalog/"+slug, http.StatusSeeOther)
	return nil
}

// announcementFeed is an Atom feed of the announcements meant for the
// signed-in person (a session, or an API token for feed readers that can
// send one).
func (s *Pages) announcementFeed(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.Announcements(r.Context(), page.Principal(r), catalog.AnnouncementFilter{Limit: 50})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.BaseURL, "/")
	type link struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr,omitempty"`
	}
	type content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	}
	type entry struct {
		ID      string  `xml:"id"`
		Title   string  `xml:"title"`
		Updated string  `xml:"updated"`
		Author  string  `xml:"author>name"`
		Link    link    `xml:"link"`
		Content content `xml:"content"`
	}
	type feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Link    []link   `xml:"link"`
		Entries []entry  `xml:"entry"`
	}
	f := feed{ID: base + "/announcements", Title: "Engage — what's new", Updated: s.Clock.Now().Format(time.RFC3339),
		Link: []link{{Href: base + "/announcements/feed", Rel: "self"}, {Href: base + "/announcements"}}}
	if len(list) > 0 {
		f.Updated = list[0].PublishedAt.Format(time.RFC3339)
	}
	for _, a := range list {
		href := base + "/announcements"
		if a.ServiceSlug != "" {
			href = fmt.Sprintf("%s/announcements/%d/go", base, a.ID)
		}
		author := a.AuthorName
		if author == "" {
			author = "Engage"
		}
		f.Entries = append(f.Entries, entry{ID: fmt.Sprintf("%s/announcements/%d", base, a.ID), Title: a.Title,
			Updated: a.PublishedAt.Format(time.RFC3339), Author: author, Link: link{Href: href},
			Content: content{Type: "html", Body: string(page.Markdown(a.Body))}})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(f)
}

// Package communitypages is the web interface's communities area: the
// list of communities with join, leave and ask buttons, a community's
// members (and why each is in), its management page (details, staff,
// rules, requests) and the administrators' list with the sponsor flag. A
// community's own page with its topics belongs to the discussions area.
package communitypages

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the communities area.
type Pages struct {
	*page.Kit
	Communities *community.Service
	Org         *org.Service
	Catalog     *catalog.Catalog
}

// Routes are the list, members, management and administration pages and
// their forms.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /communities", Handle: s.list},
		{Pattern: "POST /communities/{slug}/join", Handle: s.join},
		{Pattern: "POST /communities/{slug}/leave", Handle: s.leave},
		{Pattern: "GET /communities/{slug}/members", Handle: s.members},
		{Pattern: "GET /communities/{slug}/manage", Handle: s.manage},
		{Pattern: "POST /communities/{slug}/manage", Handle: s.update},
		{Pattern: "POST /communities/{slug}/archive", Handle: s.archive},
		{Pattern: "POST /communities/{slug}/staff", Handle: s.staff},
		{Pattern: "POST /communities/{slug}/rules", Handle: s.addRule},
		{Pattern: "POST /communities/{slug}/rules/{id}/remove", Handle: s.removeRule},
		{Pattern: "POST /communities/{slug}/requests/{person}", Handle: s.decide},
		{Pattern: "GET /admin/communities", Handle: s.admin},
		{Pattern: "GET /admin/communities/new", Handle: s.newCommunity},
		{Pattern: "POST /admin/communities", Handle: s.create},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "communities",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"communityKind": func(k community.Kind) string {
			return map[community.Kind]string{community.KindProduct: "Product", community.KindService: "Service", community.KindLocal: "Local"}[k]
		},
		"visibilityLabel": func(v community.Visibility) string {
			return map[community.Visibility]string{community.Open: "Open", community.Closed: "Closed: join on request",
				community.Announcement: "Announcements only"}[v]
		},
		"staffLabel":    func(r community.StaffRole) string { return community.StaffLabels[r] },
		"communityHome": CommunityHome,
	},
	Views: map[string]page.View{
		"community_list.html":    &listView{},
		"community_members.html": &membersView{},
		"community_manage.html":  &manageView{},
		"community_admin.html":   &adminView{},
	},
}

// CommunityHome is the page a community's name links to: its own page,
// /communities/{slug}, with its topics, served by the discussions area.
func CommunityHome(slug string) string { return "/communities/" + slug }

// listView is the list of communities.
type listView struct {
	page.Base
	Entries []community.DirectoryEntry
	Kinds   []community.Kind
	Kind    string
	Search  string
	Mine    bool
	// Measures and Scores say which engagement pages the reader may open.
	Measures, Scores bool
}

// membersView is a community's members, staff and rules.
type membersView struct {
	page.Base
	Community community.Community
	Rights    community.Rights
	Staff     community.Staff
	Rules     []community.Rule
	Members   []community.Member
	Next      template.URL
	Search    string
}

// ruleChoice is one option of the rule form.
type ruleChoice struct {
	Value, Label string
}

// ruleGroup is a group of options of the rule form.
type ruleGroup struct {
	Label   string
	Choices []ruleChoice
}

// manageView is a community's management page.
type manageView struct {
	page.Base
	Community  community.Community
	New        bool // the form that creates a community
	Manager    bool // edits details and staff (not only rules and requests)
	Staff      community.Staff
	Rules      []community.Rule
	Requests   []community.JoinRequest
	RuleGroups []ruleGroup
	Kinds      []community.Kind
	Visibility []community.Visibility
	StaffRoles []community.StaffRole
	Services   []catalog.ServiceCard
	page.OrgChoices
}

// adminView is every community, with the sponsor flag.
type adminView struct {
	page.Base
	Entries []community.DirectoryEntry
}

func (s *Pages) find(r *http.Request) (community.Community, error) {
	return s.Communities.FindBySlug(r.Context(), page.Principal(r), r.PathValue("slug"))
}

func (s *Pages) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Has("id") {
		// A link that knows a community by its id only (a pulse about it)
		// leads on to the community's own page.
		id, err := strconv.ParseInt(q.Get("id"), 10, 64)
		if err != nil || id <= 0 {
			return engage.Errorf(engage.ENOTFOUND, "There is no such community.")
		}
		c, err := s.Communities.Find(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		http.Redirect(w, r, CommunityHome(c.Slug), http.StatusSeeOther)
		return nil
	}
	f := community.ListFilter{Kind: community.Kind(q.Get("kind")), Query: q.Get("q"), Mine: q.Get("mine") == "1"}
	entries, err := s.Communities.Directory(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	s.Render(w, r, "community_list.html", &listView{Base: page.Base{Title: "Communities", Nav: "communities"}, Entries: entries,
		Kinds: community.Kinds, Kind: string(f.Kind), Search: f.Query, Mine: f.Mine,
		Measures: engagement.MayMeasure(page.Principal(r)), Scores: engagement.MayReadScores(page.Principal(r))})
	return nil
}

// back returns to the page the form came from when it is one of Engage's
// own paths, else to the list.
func back(r *http.Request) string {
	if b := r.PostFormValue("back"); strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") {
		return b
	}
	return "/communities"
}

func (s *Pages) join(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	rights, err := s.Communities.Join(r.Context(), page.Principal(r), c.ID)
	if err != nil {
		return err
	}
	if rights.Member {
		s.Flash(w, "You are a member of "+c.Name+".")
	} else {
		s.Flash(w, "You asked to join "+c.Name+". Its moderators decide; you will be told in your inbox.")
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
	return nil
}

func (s *Pages) leave(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	if _, err := s.Communities.Leave(r.Context(), page.Principal(r), c.ID); err != nil {
		return err
	}
	s.Flash(w, "You left "+c.Name+". You stay out until you join again.")
	http.Redirect(w, r, back(r), http.StatusSeeOther)
	return nil
}

func (s *Pages) members(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	c, err := s.find(r)
	if err != nil {
		return err
	}
	rights, err := s.Communities.Rights(ctx, p, c.ID)
	if err != nil {
		return err
	}
	staff, err := s.Communities.Staff(ctx, p, c.ID)
	if err != nil {
		return err
	}
	rules, err := s.Communities.Rules(ctx, p, c.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	list, err := s.Communities.Members(ctx, p, c.ID, community.MemberFilter{Query: q.Get("q"), After: after, Limit: 100})
	if err != nil {
		return err
	}
	v := &membersView{Base: page.Base{Title: "Members of " + c.Name, Nav: "communities"}, Community: c, Rights: rights, Staff: staff,
		Rules: rules, Members: list, Search: q.Get("q")}
	if len(list) == 100 {
		nq := url.Values{"after": {strconv.FormatInt(list[len(list)-1].PersonID, 10)}}
		if v.Search != "" {
			nq.Set("q", v.Search)
		}
		v.Next = template.URL("?" + nq.Encode())
	}
	s.Render(w, r, "community_members.html", v)
	return nil
}

func (s *Pages) manage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	return s.renderManage(w, r, c, page.Base{})
}

func communityForm(c community.Community, sponsorEmail string) map[string]string {
	return map[string]string{"name": c.Name, "slug": c.Slug, "kind": string(c.Kind), "visibility": string(c.Visibility),
		"description": c.Description, "service_id": id(c.ServiceID), "location_id": id(c.LocationID), "function_id": id(c.FunctionID),
		"sponsor_email": sponsorEmail, "version": strconv.Itoa(c.Version)}
}

func id(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func (s *Pages) renderManage(w http.ResponseWriter, r *http.Request, c community.Community, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	// Requests are for the community's moderators: reading them is the
	// check that p may manage this community at all.
	requests, err := s.Communities.Requests(ctx, p, c.ID)
	if err != nil {
		return err
	}
	staff, err := s.Communities.Staff(ctx, p, c.ID)
	if err != nil {
		return err
	}
	rules, err := s.Communities.Rules(ctx, p, c.ID)
	if err != nil {
		return err
	}
	choices, err := page.LoadOrgChoices(ctx, s.Org, p)
	if err != nil {
		return err
	}
	services, err := s.services(r)
	if err != nil {
		return err
	}
	offerings, err := s.offerings(r)
	if err != nil {
		return err
	}
	if base.Form == nil {
		sponsor := ""
		if staff.Sponsor != nil {
			sponsor = staff.Sponsor.Email
		}
		base.Form = communityForm(c, sponsor)
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Manage "+c.Name, "communities"
	s.Render(w, r, "community_manage.html", &manageView{Base: base, Community: c, Manager: community.MayManage(p), Staff: staff, Rules: rules,
		Requests: requests, RuleGroups: ruleGroups(choices, services, offerings), Kinds: community.Kinds, Visibility: community.Visibilities,
		StaffRoles: community.StaffRoles, Services: services, OrgChoices: choices})
	return nil
}

func (s *Pages) services(r *http.Request) ([]catalog.ServiceCard, error) {
	if s.Catalog == nil {
		return nil, nil
	}
	pg, err := s.Catalog.ListServices(r.Context(), page.Principal(r), catalog.ListFilter{Limit: 500})
	return pg.Cards, err
}

// offerings lists the catalog's offerings that are not retired (legacy
// ones too: departments still subscribe to them), for rules.
func (s *Pages) offerings(r *http.Request) ([]catalog.OfferingOption, error) {
	if s.Catalog == nil {
		return nil, nil
	}
	return s.Catalog.ComparableOfferings(r.Context(), page.Principal(r))
}

func ruleGroups(c page.OrgChoices, services []catalog.ServiceCard, offerings []catalog.OfferingOption) []ruleGroup {
	var loc, fn, dept, role, svc, off []ruleChoice
	for _, l := range c.Locations {
		loc = append(loc, ruleChoice{fmt.Sprintf("location:%d", l.ID), "Works at " + l.Name})
	}
	for _, f := range c.Functions {
		fn = append(fn, ruleChoice{fmt.Sprintf("function:%d", f.ID), "Works in " + f.Name})
	}
	for _, d := range c.Departments {
		dept = append(dept, ruleChoice{fmt.Sprintf("department:%d", d.ID), "In " + d.Name + " or below"})
	}
	for _, r := range access.AllRoles {
		role = append(role, ruleChoice{"role:" + string(r), "Holds the role " + access.RoleLabels[r]})
	}
	for _, sv := range services {
		svc = append(svc, ruleChoice{fmt.Sprintf("service:%d", sv.ID), "Department subscribes to " + sv.Name})
	}
	for _, o := range offerings {
		off = append(off, ruleChoice{fmt.Sprintf("offering:%d", o.ID), "Department subscribes to " + o.Label})
	}
	return []ruleGroup{{"Location", loc}, {"Business function", fn}, {"Department", dept}, {"Role", role}, {"Catalog service", svc},
		{"Catalog offering", off}}
}

func formInput(r *http.Request, o *org.Service, v *engage.Validation) community.Input {
	num := func(name string) int64 { n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64); return n }
	return community.Input{Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name"), Kind: community.Kind(r.PostFormValue("kind")),
		Visibility: community.Visibility(r.PostFormValue("visibility")), Description: r.PostFormValue("description"),
		ServiceID: num("service_id"), LocationID: num("location_id"), FunctionID: num("function_id"),
		SponsorID: page.PersonByEmail(r, o, "sponsor_email", v)}
}

// rejected turns field errors into the page's errors; other errors pass.
func rejected(err error, r *http.Request, base *page.Base) bool {
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		base.Rejected(fields, r)
		return true
	}
	return false
}

func (s *Pages) update(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	var v engage.Validation
	in := formInput(r, s.Org, &v)
	if err := v.Err(); err != nil {
		var base page.Base
		rejected(err, r, &base)
		return s.renderManage(w, r, c, base)
	}
	up, err := s.Communities.Update(r.Context(), page.Principal(r), c.ID, page.FormVersion(r), in)
	var base page.Base
	if rejected(err, r, &base) {
		return s.renderManage(w, r, c, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved "+up.Name+".")
	http.Redirect(w, r, "/communities/"+up.Slug+"/manage", http.StatusSeeOther)
	return nil
}

func (s *Pages) archive(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	archived := r.PostFormValue("archived") != "false"
	up, err := s.Communities.SetArchived(r.Context(), page.Principal(r), c.ID, page.FormVersion(r), archived)
	if err != nil {
		return err
	}
	if up.Archived {
		s.Flash(w, up.Name+" is archived: it no longer shows in lists.")
	} else {
		s.Flash(w, up.Name+" is back.")
	}
	http.Redirect(w, r, "/admin/communities", http.StatusSeeOther)
	return nil
}

func (s *Pages) staff(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	var v engage.Validation
	personID := page.PersonByEmail(r, s.Org, "email", &v)
	if personID == 0 && v.Err() == nil {
		v.Add("email", "Enter the e-mail address of the person.")
	}
	role := community.StaffRole(r.PostFormValue("role"))
	if err := v.Err(); err == nil {
		if r.PostFormValue("remove") == "1" {
			_, err = s.Communities.RemoveStaff(r.Context(), page.Principal(r), c.ID, personID, role)
		} else {
			_, err = s.Communities.AddStaff(r.Context(), page.Principal(r), c.ID, personID, role)
		}
		if err != nil && len(engage.ErrorFields(err)) == 0 {
			return err
		}
		if err == nil {
			s.Flash(w, "Staff saved.")
			http.Redirect(w, r, "/communities/"+c.Slug+"/manage#staff", http.StatusSeeOther)
			return nil
		}
		v.Add("email", "%s", engage.ErrorFields(err)[0].Message)
	}
	var base page.Base
	rejected(v.Err(), r, &base)
	base.Form = communityForm(c, "")
	return s.renderManage(w, r, c, base)
}

func (s *Pages) addRule(w http.ResponseWriter, r *http.Request) error {
	c, err := s.find(r)
	if err != nil {
		return err
	}
	kind, ref, _ := strings.Cut(r.PostFormValue("rule"), ":")
	in := community.RuleInput{Kind: community.RuleKind(kind)}
	if in.Kind == community.RuleRole {
		in.Role = ref
	} else {
		in.RefID, _ = strconv.ParseInt(ref, 10, 64)
	}
	if _, err := s.Communities.AddRule(r.Context(), page.Principal(r), c.ID, in); err != nil {
		fields := engage.ErrorFields(err)
		if len(fields) == 0 {
			return err
		}
		base := page.Base{Errors: []engage.FieldError{{Field: "rule", Message: fields[0].Message}}}
		return s.renderManage(w, r, c, base)
	}
	s.Flash(w, "Rule added; the people it matches are members now.")
	http.Redirect(w, r, "/communities/"+c.Slug+"/manage#rules", http.StatusSeeOther)
	return nil
}

// findAnd returns the community of the path and the id named in it.
func (s *Pages) findAnd(r *http.Request, name string) (community.Community, int64, error) {
	c, err := s.find(r)
	if err != nil {
		return c, 0, err
	}
	id, err := page.PathID(r, name)
	return c, id, err
}

func (s *Pages) removeRule(w http.ResponseWriter, r *http.Request) error {
	c, ruleID, err := s.findAnd(r, "id")
	if err != nil {
		return err
	}
	if err := s.Communities.RemoveRule(r.Context(), page.Principal(r), c.ID, ruleID); err != nil {
		return err
	}
	s.Flash(w, "Rule removed.")
	http.Redirect(w, r, "/communities/"+c.Slug+"/manage#rules", http.StatusSeeOther)
	return nil
}

func (s *Pages) decide(w http.ResponseWriter, r *http.Request) error {
	c, personID, err := s.findAnd(r, "person")
	if err != nil {
		return err
	}
	grant := r.PostFormValue("decision") == "grant"
	if err := s.Communities.Decide(r.Context(), page.Principal(r), c.ID, personID, grant); err != nil {
		return err
	}
	s.Flash(w, map[bool]string{true: "Request granted.", false: "Request refused."}[grant])
	http.Redirect(w, r, "/communities/"+c.Slug+"/manage#requests", http.StatusSeeOther)
	return nil
}

func requireManager(p *access.Principal) error {
	if !community.MayManage(p) {
		return engage.Errorf(engage.EFORBIDDEN, "This page is for administrators and community moderators.")
	}
	return nil
}

func (s *Pages) admin(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireManager(p); err != nil {
		return err
	}
	entries, err := s.Communities.Directory(r.Context(), p, community.ListFilter{Archived: true})
	if err != nil {
		return err
	}
	s.Render(w, r, "community_admin.html", &adminView{Base: page.Base{Title: "Communities", Nav: "admin"}, Entries: entries})
	return nil
}

func (s *Pages) newCommunity(w http.ResponseWriter, r *http.Request) error {
	return s.renderNew(w, r, page.Base{Form: map[string]string{"visibility": string(community.Open)}})
}

func (s *Pages) renderNew(w http.ResponseWriter, r *http.Request, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	if err := requireManager(p); err != nil {
		return err
	}
	choices, err := page.LoadOrgChoices(ctx, s.Org, p)
	if err != nil {
		return err
	}
	services, err := s.services(r)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "New community", "admin"
	s.Render(w, r, "community_manage.html", &manageView{Base: base, New: true, Manager: true, Kinds: community.Kinds,
		Visibility: community.Visibilities, StaffRoles: community.StaffRoles, Services: services, OrgChoices: choices})
	return nil
}

// create adds a community; the shell runs the form once per form key.
func (s *Pages) create(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := formInput(r, s.Org, &v)
	var base page.Base
	if rejected(v.Err(), r, &base) {
		return s.renderNew(w, r, base)
	}
	c, err := s.Communities.Create(r.Context(), page.Principal(r), in)
	if rejected(err, r, &base) {
		return s.renderNew(w, r, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Created "+c.Name+". Add its staff and membership rules here.")
	http.Redirect(w, r, "/communities/"+c.Slug+"/manage", http.StatusSeeOther)
	return nil
}

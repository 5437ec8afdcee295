package web

import (
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
)

// serviceChoices are the select options of the service form.
func (s *Server) serviceChoices(r *http.Request) (map[string]any, error) {
	data, err := s.choices(r)
	if err != nil {
		return nil, err
	}
	data["Kinds"], data["Families"], data["Sourcings"] = catalog.Kinds, catalog.Families, catalog.Sourcings
	data["Lifecycles"], data["DeliveryModels"] = catalog.Lifecycles, catalog.DeliveryModels
	data["DataClasses"], data["ArchStatuses"] = catalog.DataClasses, catalog.ArchStatuses
	data["Units"] = []string{"person-month", "unit-month", "unit-hour", "request", "unit", "fixed-month", "one-time"}
	data["AnnouncementKinds"] = catalog.AnnouncementKinds
	return data, nil
}

func audienceForm(aud []catalog.AudienceRef) map[string]string {
	m := map[string]string{"audience_department": "", "audience_location": "", "audience_function": ""}
	for _, a := range aud {
		key := "audience_" + a.Kind
		if m[key] != "" {
			m[key] += ","
		}
		m[key] += strconv.FormatInt(a.ID, 10)
	}
	return m
}

func audienceOf(r *http.Request) []catalog.AudienceRef {
	var out []catalog.AudienceRef
	for _, kind := range []string{"department", "location", "function"} {
		for _, v := range r.PostForm["audience_"+kind] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				out = append(out, catalog.AudienceRef{Kind: kind, ID: id})
			}
		}
	}
	return out
}

func (s *Server) serviceForm(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	form := map[string]string{"kind": "technical", "family": "compute", "sourcing": "built", "lifecycle": "planned", "delivery_model": "cloud",
		"data_ceiling": "internal", "arch_status": "approved", "audience_all": "on"}
	title, id := "Add a service", int64(0)
	if slug := r.PathValue("slug"); slug != "" {
		d, err := s.Catalog.FindService(r.Context(), p, slug)
		if err != nil {
			return err
		}
		if !d.CanEdit {
			return engage.Errorf(engage.EFORBIDDEN, "Only administrators and the service's owner can change it.")
		}
		sv := d.Service
		title, id = "Edit "+sv.Name, sv.ID
		form = map[string]string{"name": sv.Name, "slug": sv.Slug, "summary": sv.Summary, "description": sv.Description, "kind": sv.Kind,
			"family": sv.Family, "sourcing": sv.Sourcing, "vendor": sv.Vendor, "lifecycle": sv.Lifecycle, "delivery_model": sv.DeliveryModel,
			"data_ceiling": sv.DataCeiling, "arch_status": sv.ArchStatus, "sla_availability": sv.SLA.Availability,
			"sla_support_hours": sv.SLA.SupportHours, "sla_lead_time_days": strconv.Itoa(sv.SLA.LeadTimeDays), "tags": strings.Join(sv.Tags, ", "),
			"owner_email": s.emailOf(r, sv.OwnerID), "version": strconv.Itoa(sv.Version)}
		var links []string
		for _, l := range sv.Links {
			links = append(links, l.Title+" | "+l.URL)
		}
		form["links"] = strings.Join(links, "\n")
		if sv.AudienceAll {
			form["audience_all"] = "on"
		}
		for k, v := range audienceForm(sv.Audience) {
			form[k] = v
		}
	} else if !p.HasAny(access.Admin, access.ServiceOwner) {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators and service owners can add services.")
	}
	return s.showServiceForm(w, r, title, id, form, nil)
}

func (s *Server) showServiceForm(w http.ResponseWriter, r *http.Request, title string, id int64, form map[string]string, errs []engage.FieldError) error {
	data, err := s.serviceChoices(r)
	if err != nil {
		return err
	}
	data["ID"] = id
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "service_form.html", Page{Title: title, Nav: "catalog", Data: data, Form: form, Errors: errs})
	return nil
}

func (s *Server) saveService(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var v engage.Validation
	lead, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("sla_lead_time_days")))
	if err != nil && strings.TrimSpace(r.PostFormValue("sla_lead_time_days")) != "" {
		v.Add("sla_lead_time_days", "Enter a whole number of working days.")
	}
	in := catalog.ServiceInput{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"), Summary: r.PostFormValue("summary"),
		Description: r.PostFormValue("description"), Kind: r.PostFormValue("kind"), Family: r.PostFormValue("family"),
		Sourcing: r.PostFormValue("sourcing"), Vendor: r.PostFormValue("vendor"), Lifecycle: r.PostFormValue("lifecycle"),
		DeliveryModel: r.PostFormValue("delivery_model"), DataCeiling: r.PostFormValue("data_ceiling"), ArchStatus: r.PostFormValue("arch_status"),
		SLA:         catalog.SLA{Availability: r.PostFormValue("sla_availability"), SupportHours: strings.TrimSpace(r.PostFormValue("sla_support_hours")), LeadTimeDays: lead},
		AudienceAll: r.PostFormValue("audience_all") == "on", Audience: audienceOf(r), Tags: strings.Split(r.PostFormValue("tags"), ",")}
	in.OwnerID = s.personByEmail(r, "owner_email", &v)
	for i, line := range strings.Split(r.PostFormValue("links"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		t, u, ok := strings.Cut(line, "|")
		if !ok {
			v.Add("links", "Line %d: write a title, a bar and the address: Documentation | https://…", i+1)
			continue
		}
		in.Links = append(in.Links, catalog.Link{Title: strings.TrimSpace(t), URL: strings.TrimSpace(u)})
	}
	err = v.Err()
	var svc catalog.Service
	var id int64
	if slug := r.PathValue("slug"); slug != "" && err == nil {
		d, ferr := s.Catalog.FindService(r.Context(), p, slug)
		if ferr != nil {
			return ferr
		}
		id = d.Service.ID
		svc, err = s.Catalog.UpdateService(r.Context(), p, id, formVersion(r), in)
	} else if err == nil {
		svc, err = s.Catalog.CreateService(r.Context(), p, in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		errs := engage.ErrorFields(err)
		for i := range errs {
			errs[i].Field = strings.NewReplacer("sla.", "sla_", "[", "_", "]", "").Replace(errs[i].Field)
			if strings.HasPrefix(errs[i].Field, "links") {
				errs[i].Field = "links"
			}
			if strings.HasPrefix(errs[i].Field, "audience") {
				errs[i].Field = "audience_all"
			}
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
		}
		title := "Add a service"
		if id != 0 {
			title = "Edit service"
		}
		form := formOf(r)
		if code == engage.ECONFLICT {
			w.WriteHeader(http.StatusConflict)
		}
		return s.showServiceForm(w, r, title, id, form, errs)
	} else if err != nil {
		return err
	}
	s.flash(w, "Saved "+svc.Name+".")
	http.Redirect(w, r, "/catalog/"+svc.Slug, http.StatusSeeOther)
	return nil
}

// planFromForm reads a rate plan from the price fields of a form.
func planFromForm(r *http.Request, v *engage.Validation, today catalog.Date) catalog.RatePlan {
	dec := func(field string) decimal.Decimal {
		text := strings.TrimSpace(r.PostFormValue(field))
		if text == "" {
			return decimal.Zero
		}
		d, err := decimal.NewFromString(text)
		if err != nil {
			v.Add(field, "Enter an amount such as 6.50.")
		}
		return d
	}
	p := catalog.RatePlan{Currency: strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), Unit: r.PostFormValue("unit"),
		TierMode: r.PostFormValue("tier_mode"), UnitPrice: dec("unit_price"), FixedMonthly: dec("fixed_monthly"), OneTime: dec("one_time"),
		Minimum: dec("minimum"), EffectiveFrom: today, Tiers: []catalog.Tier{}}
	if d := formDate(r, "effective_from", v); d != nil {
		p.EffectiveFrom = *d
	}
	for i, line := range strings.Split(r.PostFormValue("tiers"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			v.Add("tiers", "Line %d: write the upper bound (or * for the last band) and the unit price, such as: 100 5.00", i+1)
			continue
		}
		price, err := decimal.NewFromString(f[1])
		if err != nil {
			v.Add("tiers", "Line %d: %q is not a price.", i+1, f[1])
			continue
		}
		t := catalog.Tier{UnitPrice: price}
		if f[0] != "*" {
			up, err := decimal.NewFromString(f[0])
			if err != nil {
				v.Add("tiers", "Line %d: %q is not a number; use * for the open-ended last band.", i+1, f[0])
				continue
			}
			t.UpTo = &up
		}
		p.Tiers = append(p.Tiers, t)
	}
	if len(p.Tiers) > 0 && p.TierMode == "" {
		p.TierMode = "graduated"
	}
	if len(p.Tiers) == 0 {
		p.TierMode = ""
	}
	return p
}

// planErrors points plan errors at the price form's fields.
func planErrors(errs []engage.FieldError) []engage.FieldError {
	for i, e := range errs {
		f := e.Field
		for _, prefix := range []string{"rate_plans[0].", "rate_plan[0].", "rate_plan.", "rate_plans"} {
			f = strings.TrimPrefix(f, prefix)
		}
		if strings.HasPrefix(f, "tiers") {
			f = "tiers"
		}
		if f == "" {
			f = "effective_from"
		}
		errs[i].Field = f
	}
	return errs
}

func (s *Server) offeringForm(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	form := map[string]string{"lifecycle": "live", "currency": "EUR", "unit": "person-month", "effective_from": catalog.DateOf(s.Clock.Now()).String()}
	var svc catalog.Service
	var off catalog.Offering
	if id := r.PathValue("id"); id != "" {
		oid, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if off, svc, err = s.Catalog.FindOffering(r.Context(), p, oid); err != nil {
			return err
		}
		form = map[string]string{"name": off.Name, "slug": off.Slug, "description": off.Description, "lifecycle": off.Lifecycle,
			"lead_time_days": strconv.Itoa(off.LeadTimeDays), "unit_name": off.UnitName, "position": strconv.Itoa(off.Position), "version": strconv.Itoa(off.Version),
			"currency": "EUR", "unit": "person-month", "effective_from": catalog.DateOf(s.Clock.Now()).AddDays(1).String()}
	} else {
		d, err := s.Catalog.FindService(r.Context(), p, r.PathValue("slug"))
		if err != nil {
			return err
		}
		svc = d.Service
	}
	return s.showOfferingForm(w, r, svc, off, form, nil)
}

func (s *Server) showOfferingForm(w http.ResponseWriter, r *http.Request, svc catalog.Service, off catalog.Offering, form map[string]string, errs []engage.FieldError) error {
	data, err := s.serviceChoices(r)
	if err != nil {
		return err
	}
	data["Service"], data["Offering"] = svc, off
	title := "Add an offering to " + svc.Name
	if off.ID != 0 {
		title = "Edit " + off.Name
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "offering_form.html", Page{Title: title, Nav: "catalog", Data: data, Form: form, Errors: errs})
	return nil
}

func (s *Server) saveOffering(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var v engage.Validation
	lead, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("lead_time_days")))
	pos, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("position")))
	in := catalog.OfferingInput{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Lifecycle: r.PostFormValue("lifecycle"), LeadTimeDays: lead, UnitName: strings.TrimSpace(r.PostFormValue("unit_name")), Position: pos}
	var svc catalog.Service
	var off catalog.Offering
	var err error
	if r.PathValue("id") != "" {
		// err is the outer one: a refused change must reach the form below.
		var oid int64
		if oid, err = pathID(r, "id"); err != nil {
			return err
		}
		if off, svc, err = s.Catalog.FindOffering(r.Context(), p, oid); err != nil {
			return err
		}
		var saved catalog.Offering
		if saved, err = s.Catalog.UpdateOffering(r.Context(), p, oid, formVersion(r), in); err == nil {
			off = saved
			s.flash(w, "Saved "+off.Name+".")
			http.Redirect(w, r, "/catalog/"+svc.Slug, http.StatusSeeOther)
			return nil
		}
	} else {
		d, ferr := s.Catalog.FindService(r.Context(), p, r.PathValue("slug"))
		if ferr != nil {
			return ferr
		}
		svc = d.Service
		plan := planFromForm(r, &v, catalog.DateOf(s.Clock.Now()))
		if err = v.Err(); err == nil {
			off, err = s.Catalog.CreateOffering(r.Context(), p, svc.ID, in, []catalog.RatePlan{plan})
		}
		if err == nil {
			s.flash(w, "Added "+off.Name+".")
			http.Redirect(w, r, "/catalog/"+svc.Slug, http.StatusSeeOther)
			return nil
		}
	}
	if code := engage.ErrorCode(err); code != engage.EINVALID && code != engage.ECONFLICT {
		return err
	}
	errs := planErrors(engage.ErrorFields(err))
	if len(errs) == 0 {
		errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
	}
	return s.showOfferingForm(w, r, svc, off, formOf(r), errs)
}

func (s *Server) addPrice(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	off, svc, err := s.Catalog.FindOffering(r.Context(), p, id)
	if err != nil {
		return err
	}
	var v engage.Validation
	plan := planFromForm(r, &v, catalog.DateOf(s.Clock.Now()))
	if err = v.Err(); err == nil {
		_, err = s.Catalog.AddRatePlan(r.Context(), p, id, plan)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		form := formOf(r)
		for k, val := range map[string]string{"name": off.Name, "slug": off.Slug, "description": off.Description, "lifecycle": off.Lifecycle,
			"lead_time_days": strconv.Itoa(off.LeadTimeDays), "unit_name": off.UnitName, "position": strconv.Itoa(off.Position), "version": strconv.Itoa(off.Version)} {
			form[k] = val
		}
		return s.showOfferingForm(w, r, svc, off, form, planErrors(engage.ErrorFields(err)))
	} else if err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("New price for %s from %s.", off.Name, plan.EffectiveFrom))
	http.Redirect(w, r, "/catalog/"+svc.Slug, http.StatusSeeOther)
	return nil
}

func (s *Server) announcements(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnnouncements(w, r, nil, map[string]string{"kind": "launch", "audience_all": "on"})
}

func (s *Server) renderAnnouncements(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	p := principal(r)
	list, err := s.Catalog.Announcements(r.Context(), p, catalog.AnnouncementFilter{Limit: 50, Record: true})
	if err != nil {
		return err
	}
	data, err := s.serviceChoices(r)
	if err != nil {
		return err
	}
	data["List"] = list
	data["CanAnnounce"] = p.HasAny(access.Admin, access.ServiceOwner)
	if p.HasAny(access.Admin, access.ServiceOwner) {
		page, err := s.Catalog.ListServices(r.Context(), p, catalog.ListFilter{Limit: 200, Lifecycles: []string{"planned", "pilot", "live", "retiring", "retired"}})
		if err != nil {
			return err
		}
		var mine []catalog.ServiceCard
		for _, c := range page.Cards {
			if p.IsAdmin() || c.OwnerID == p.PersonID {
				mine = append(mine, c)
			}
		}
		data["Services"] = mine
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "announcements.html", Page{Title: "What's new", Nav: "catalog", Data: data, Errors: errs, Form: form})
	return nil
}

func (s *Server) announce(w http.ResponseWriter, r *http.Request) error {
	var v engage.Validation
	in := catalog.AnnouncementInput{ServiceID: formID(r, "service_id", &v), Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), AudienceAll: r.PostFormValue("audience_all") == "on", Audience: audienceOf(r)}
	err := v.Err()
	if err == nil {
		_, err = s.Catalog.Announce(r.Context(), principal(r), in)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			if strings.HasPrefix(errs[i].Field, "audience") {
				errs[i].Field = "audience_all"
			}
		}
		return s.renderAnnouncements(w, r, errs, formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, "Announcement published.")
	http.Redirect(w, r, "/announcements", http.StatusSeeOther)
	return nil
}

func (s *Server) followAnnouncement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slug, err := s.Catalog.FollowAnnouncement(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/catalog/"+slug, http.StatusSeeOther)
	return nil
}

// announcementFeed is an Atom feed of the announcements meant for the
// signed-in person (a session, or an API token for feed readers that can
// send one).
func (s *Server) announcementFeed(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalog.Announcements(r.Context(), principal(r), catalog.AnnouncementFilter{Limit: 50})
	if err != nil {
		return err
	}
	base := s.Proxies.Scheme(r) + "://" + r.Host
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

// bar is one bar of a server-rendered SVG chart.
type bar struct {
	Label, Value         string
	LabelY, BarY, ValueY float64
	Width                float64
	Cheapest             bool
}

// chart is a horizontal bar chart drawn as SVG on the server.
type chart struct {
	Title  string
	Height int
	Bars   []bar
}

// compareChart draws the three-year cost of each compared offering.
func compareChart(c catalog.Comparison) *chart {
	if c.Cheapest < 0 || len(c.Columns) == 0 {
		return nil
	}
	max := decimal.Zero
	for _, col := range c.Columns {
		max = decimal.Max(max, col.ThreeYear)
	}
	ch := &chart{Title: "Three-year cost", Height: 40*len(c.Columns) + 10}
	for i, col := range c.Columns {
		width := 360 * page.BarShare(col.ThreeYear, max) // drawing only: amounts shown are exact
		ch.Bars = append(ch.Bars, bar{Label: col.Offering.Name, Value: catalog.FormatMoney(col.ThreeYear, col.Currency),
			LabelY: float64(i*40 + 14), BarY: float64(i*40 + 20), ValueY: float64(i*40 + 31), Width: math.Max(width, 2), Cheapest: i == c.Cheapest})
	}
	return ch
}

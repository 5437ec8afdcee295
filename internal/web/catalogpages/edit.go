package catalogpages

import (
	"fmt"
	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
	"github.com/shopspring/decimal"
	"net/http"
	"strconv"
	"strings"
)

// priceUnits are the units a price may be given in, as the offering form
// offers them.
var priceUnits = []string{"person-month", "unit-month", "unit-hour", "request", "unit", "fixed-month", "one-time"}

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

func (s *Pages) serviceForm(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
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
			"owner_email": page.EmailOf(r, s.Org, sv.OwnerID), "version": strconv.Itoa(sv.Version)}
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

func (s *Pages) showServiceForm(w http.ResponseWriter, r *http.Request, title string, id int64, form map[string]string, errs []engage.FieldError) error {
	choices, err := page.LoadOrgChoices(r.Context(), s.Org, page.Principal(r))
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "service_form.html", &serviceFormView{Base: page.Base{Title: title, Nav: "catalog", Form: form, Errors: errs},
		OrgChoices: choices, ID: id})
	return nil
}

func (s *Pages) saveService(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
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
	in.OwnerID = page.PersonByEmail(r, s.Org, "owner_email", &v)
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
		svc, err = s.Catalog.UpdateService(r.Context(), p, id, page.FormVersion(r), in)
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
		form := page.FormOf(r)
		if code == engage.ECONFLICT {
			w.WriteHeader(http.StatusConflict)
		}
		return s.showServiceForm(w, r, title, id, form, errs)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Saved "+svc.Name+".")
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
	if d := page.FormDate(r, "effective_from", v); d != nil {
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

func (s *Pages) offeringForm(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	form := map[string]string{"lifecycle": "live", "currency": "EUR", "unit": "person-month", "effective_from": catalog.DateOf(s.Clock.Now()).String()}
	var svc catalog.Service
	var off catalog.Offering
	if id := r.PathValue("id"); id != "" {
		oid, err := page.PathID(r, "id")
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

func (s *Pages) showOfferingForm(w http.ResponseWriter, r *http.Request, svc catalog.Service, off catalog.Offering, form map[string]string, errs []engage.FieldError) error {
	title := "Add an offering to " + svc.Name
	if off.ID != 0 {
		title = "Edit " + off.Name
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "offering_form.html", &offeringFormView{Base: page.Base{Title: title, Nav: "catalog", Form: form, Errors: errs},
		Service: svc, Offering: off, Units: priceUnits})
	return nil
}

func (s *Pages) saveOffering(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
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
		if oid, err = page.PathID(r, "id"); err != nil {
			return err
		}
		if off, svc, err = s.Catalog.FindOffering(r.Context(), p, oid); err != nil {
			return err
		}
		var saved catalog.Offering
		if saved, err = s.Catalog.UpdateOffering(r.Context(), p, oid, page.FormVersion(r), in); err == nil {
			off = saved
			s.Flash(w, "Saved "+off.Name+".")
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
			s.Flash(w, "Added "+off.Name+".")
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
	return s.showOfferingForm(w, r, svc, off, page.FormOf(r), errs)
}

func (s *Pages) addPrice(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	id, err := page.PathID(r, "id")
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
		form := page.FormOf(r)
		for k, val := range map[string]string{"name": off.Name, "slug": off.Slug, "description": off.Description, "lifecycle": off.Lifecycle,
			"lead_time_days": strconv.Itoa(off.LeadTimeDays), "unit_name": off.UnitName, "position": strconv.Itoa(off.Position), "version": strconv.Itoa(off.Version)} {
			form[k] = val
		}
		return s.showOfferingForm(w, r, svc, off, form, planErrors(engage.ErrorFields(err)))
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("New price for %s from %s.", off.Name, plan.EffectiveFrom))
	http.Redirect(w, r, "/catalog/"+svc.Slug, http.StatusSeeOther)
	return nil
}

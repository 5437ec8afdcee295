package catalog

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/rating"
)

// Catalog is the catalog's rules over its store.
type Catalog struct {
	DB    *db.DB
	Clock engage.Clock
	Org   *org.Service
	// Approvals decides orders; set it before taking orders.
	Approvals Approvals
	// Currencies are those the organisation prices in; new prices in any
	// other are refused.
	Currencies rating.Currencies
	// Signals keeps engagement signals (orders placed); optional.
	Signals activity.Recorder

	snap snapshotCache

	// consumersKept keeps each service's consumers (see consumers).
	consumersKept consumersCache
	news          announcementCache

	// seen remembers the reach this replica recorded (see recordSeen).
	seenMu sync.Mutex
	seen   map[seenKey]struct{}

	// viewers keeps each person's place in the organisation for a moment
	// (see viewerOf).
	viewersMu sync.Mutex
	viewers   map[int64]cachedViewer

	// Communities lets announcements be meant for a community; set by the
	// application (package community). Without it, no announcement names a
	// community.
	Communities CommunityAudience

	// subsObservers learn of subscription changes (OnSubscriptionsChanged).
	subsObserversMu sync.Mutex
	subsObservers   []SubscriptionsObserver
	tradeObservers  []TradeObserver
	applyObservers  []ApplyObserver
}

type cachedViewer struct {
	v          viewer
	department int64
	at         time.Time
}

// viewer is what decides which services a person sees.
type viewer struct {
	all         bool
	departments []int64 // own department and those above it
	location    int64
	function    int64
	communities []int64 // the communities the person belongs to
}

func (c *Catalog) viewerOf(ctx context.Context, p *access.Principal) (viewer, error) {
	if p == nil {
		return viewer{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if p.HasAny(access.Admin, access.ServiceOwner, access.Finance, access.PortfolioBoard) {
		return viewer{all: true}, nil
	}
	v := viewer{}
	if p.PersonID == 0 {
		return v, nil
	}
	// A page reads the catalog several times (the list, the news), and
	// reading the person and the department tree each time cost more than
	// the search itself. The principal is loaded afresh for every request,
	// so roles and the person's own department are always current: a
	// cached viewer is used only while its department is still the
	// principal's, and for at most checkEvery (the time a catalog change
	// takes to reach this replica). A new location or function, or a
	// department moved in the tree, shows within that second.
	now := time.Now()
	c.viewersMu.Lock()
	cv, ok := c.viewers[p.PersonID]
	c.viewersMu.Unlock()
	if ok && cv.department == p.DepartmentID && now.Sub(cv.at) < checkEvery {
		return cv.v, nil
	}
	me, err := c.Org.FindPerson(ctx, p, p.PersonID)
	if err != nil {
		return v, err
	}
	v.location, v.function = me.LocationID, me.FunctionID
	if v.departments, err = c.Org.Ancestors(ctx, me.DepartmentID); err != nil {
		return v, err
	}
	if c.Communities != nil {
		if v.communities, err = c.Communities.Of(ctx, c.DB, me.ID); err != nil {
			return v, err
		}
	}
	c.viewersMu.Lock()
	if c.viewers == nil || len(c.viewers) >= maxViewersRemembered {
		c.viewers = map[int64]cachedViewer{}
	}
	c.viewers[p.PersonID] = cachedViewer{v: v, department: me.DepartmentID, at: now}
	c.viewersMu.Unlock()
	return v, nil
}

// maxViewersRemembered bounds the viewers kept (see viewerOf); past it the
// map starts again empty.
const maxViewersRemembered = 10000

// sees reports whether the viewer is in a service's audience.
func (v viewer) sees(s *Service) bool {
	if v.all || s.AudienceAll {
		return true
	}
	for _, a := range s.Audience {
		switch a.Kind {
		case "department":
			if slices.Contains(v.departments, a.ID) {
				return true
			}
		case "location":
			if a.ID == v.location {
				return true
			}
		case "function":
			if a.ID == v.function {
				return true
			}
		case "community":
			if slices.Contains(v.communities, a.ID) {
				return true
			}
		}
	}
	return false
}

// audienceTags are the search tags a viewer may see.
func (v viewer) audienceTags() []string {
	tags := []string{"aud:all"}
	for _, d := range v.departments {
		tags = append(tags, fmt.Sprintf("aud:department:%d", d))
	}
	if v.location != 0 {
		tags = append(tags, fmt.Sprintf("aud:location:%d", v.location))
	}
	if v.function != 0 {
		tags = append(tags, fmt.Sprintf("aud:function:%d", v.function))
	}
	return tags
}

// canEdit reports whether p may change service s (nil: create a new one).
func canEdit(p *access.Principal, s *Service) bool {
	if p.IsAdmin() {
		return true
	}
	if !p.Has(access.ServiceOwner) {
		return false
	}
	return s == nil || s.OwnerID == p.PersonID
}

func forbiddenEdit() error {
	return engage.Errorf(engage.EFORBIDDEN, "Only administrators and the service's owner can change it.")
}

func staleVersion(what string, version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this %s after you opened it (you edited version %d). Reload it to see their change, then make yours again.", what, version)
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a URL name from a display name.
func Slugify(s string) string {
	s = nonSlug.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

func (c *Catalog) checkService(ctx context.Context, q db.Querier, in *ServiceInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Vendor = strings.TrimSpace(in.Vendor)
	if in.Slug == "" {
		in.Slug = Slugify(in.Name)
	}
	var v engage.Validation
	v.Require("name", in.Name, "the service's name")
	v.MaxLen("name", in.Name, 120)
	v.MaxLen("summary", in.Summary, 300)
	v.MaxLen("description", in.Description, 20000)
	if !slugPattern.MatchString(in.Slug) {
		v.Add("slug", "Use lower-case letters, digits and dashes, up to 60.")
	}
	for _, e := range []struct {
		field, value string
		choices      []Choice
	}{{"kind", in.Kind, Kinds}, {"family", in.Family, Families}, {"sourcing", in.Sourcing, Sourcings}, {"lifecycle", in.Lifecycle, Lifecycles},
		{"delivery_model", in.DeliveryModel, DeliveryModels}, {"data_ceiling", in.DataCeiling, DataClasses}, {"arch_status", in.ArchStatus, ArchStatuses}} {
		if !valid(e.choices, e.value) {
			v.Add(e.field, "Choose one of: %s.", values(e.choices))
		}
	}
	if in.Sourcing != "built" && in.Sourcing != "" && in.Vendor == "" {
		v.Add("vendor", "Name the vendor of a service that is bought or brokered.")
	}
	if a := strings.TrimSpace(in.SLA.Availability); a != "" {
		d, err := decimal.NewFromString(a)
		if err != nil || d.LessThanOrEqual(decimal.Zero) || d.GreaterThan(decimal.NewFromInt(100)) {
			v.Add("sla.availability", "Give a percentage between 0 and 100, such as 99.9.")
		}
		in.SLA.Availability = a
	}
	if in.SLA.LeadTimeDays < 0 || in.SLA.LeadTimeDays > 365 {
		v.Add("sla.lead_time_days", "Give a lead time between 0 and 365 working days.")
	}
	if in.OwnerID != 0 {
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM people WHERE id = ?", in.OwnerID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			v.Add("owner_id", "No person with id %d.", in.OwnerID)
		}
	}
	if !in.AudienceAll && len(in.Audience) == 0 {
		v.Add("audience", "Offer the service to everyone, or name at least one department, location or function.")
	}
	if in.AudienceAll {
		in.Audience = nil
	}
	for i, a := range in.Audience {
		table := map[string]string{"department": "departments", "location": "locations", "function": "functions"}[a.Kind]
		if table == "" {
			v.Add(fmt.Sprintf("audience[%d].kind", i), "Choose department, location or function.")
			continue
		}
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", a.ID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			v.Add(fmt.Sprintf("audience[%d].id", i), "No %s with id %d.", a.Kind, a.ID)
		}
	}
	in.Tags = normaliseTags(in.Tags)
	for i, l := range in.Links {
		u, err := url.Parse(strings.TrimSpace(l.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add(fmt.Sprintf("links[%d].url", i), "Give a full http:// or https:// address.")
		}
		if strings.TrimSpace(l.Title) == "" {
			v.Add(fmt.Sprintf("links[%d].title", i), "Give the link a title.")
		}
	}
	return v.Err()
}

func values(choices []Choice) string {
	out := make([]string, len(choices))
	for i, c := range choices {
		out[i] = c.Value
	}
	return strings.Join(out, ", ")
}

func normaliseTags(tags []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(strings.TrimSpace(t)), "-"), "-")
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func uniqueSlug(err error, what, slug string) error {
	if db.IsUniqueViolation(err) {
		return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: "slug", Message: fmt.Sprintf("Another %s already uses the URL name %q.", what, slug)}}}
	}
	return err
}

// write runs fn in a transaction, records its audit event and marks the
// catalog changed so that every replica refreshes its snapshot.
func (c *Catalog) write(ctx context.Context, p *access.Principal, fn func(tx *db.Tx, now time.Time) (change, error)) (int64, error) {
	var id int64
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		ch, err := fn(tx, now)
		if err != nil {
			return err
		}
		id = ch.id
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, ch.action, ch.entity, ch.id, ch.summary, ch.before, ch.after)
	})
	if err == nil {
		c.snap.invalidate()
	}
	return id, err
}

type change struct {
	action, entity string
	id             int64
	summary        string
	before, after  any
}

// CreateService adds a service. Admins and service owners may; a service
// owner becomes its owner unless they name someone else.
func (c *Catalog) CreateService(ctx context.Context, p *access.Principal, in ServiceInput) (Service, error) {
	if p == nil || !canEdit(p, nil) {
		return Service{}, engage.Errorf(engage.EFORBIDDEN, "Only administrators and service owners can add services.")
	}
	if in.OwnerID == 0 && p.PersonID != 0 {
		in.OwnerID = p.PersonID
	}
	id, err := c.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		if err := c.checkService(ctx, tx, &in); err != nil {
			return change{}, err
		}
		id, err := insertService(ctx, tx, in, now)
		if err != nil {
			return change{}, uniqueSlug(err, "service", in.Slug)
		}
		return change{"create", "service", id, "Created service " + in.Name, nil, in}, nil
	})
	if err != nil {
		return Service{}, err
	}
	return findService(ctx, c.DB, "s.id = ?", id)
}

// UpdateService replaces a service's fields if version is current.
func (c *Catalog) UpdateService(ctx context.Context, p *access.Principal, id int64, version int, in ServiceInput) (Service, error) {
	_, err := c.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		cur, err := findService(ctx, tx, "s.id = ?", id)
		if err != nil {
			return change{}, err
		}
		if p == nil || !canEdit(p, &cur) {
			return change{}, forbiddenEdit()
		}
		if err := c.checkService(ctx, tx, &in); err != nil {
			return change{}, err
		}
		n, err := updateService(ctx, tx, id, version, in, now)
		if err != nil {
			return change{}, uniqueSlug(err, "service", in.Slug)
		} else if n == 0 {
			return change{}, staleVersion("service", version)
		}
		return change{"update", "service", id, "Updated service " + in.Name, cur.Input(), in}, nil
	})
	if err != nil {
		return Service{}, err
	}
	return findService(ctx, c.DB, "s.id = ?", id)
}

func (c *Catalog) checkOffering(in *OfferingInput, serviceSlug string) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Slug == "" {
		in.Slug = Slugify(serviceSlug + "-" + in.Name)
	}
	var v engage.Validation
	v.Require("name", in.Name, "the offering's name")
	v.MaxLen("name", in.Name, 120)
	v.MaxLen("description", in.Description, 5000)
	if !slugPattern.MatchString(in.Slug) {
		v.Add("slug", "Use lower-case letters, digits and dashes, up to 60.")
	}
	if !valid(Lifecycles, in.Lifecycle) {
		v.Add("lifecycle", "Choose one of: %s.", values(Lifecycles))
	}
	if in.LeadTimeDays < 0 || in.LeadTimeDays > 365 {
		v.Add("lead_time_days", "Give a lead time between 0 and 365 working days.")
	}
	if !unitNamePattern.MatchString(in.UnitName) {
		v.Add("unit_name", "Name one unit in up to 30 letters, digits, spaces or dashes, such as GB or VM; or leave it blank.")
	}
	return v.Err()
}

// unitNamePattern is what an offering may call its unit: GB, VM,
// "user licence"; blank for "unit".
var unitNamePattern = regexp.MustCompile(`^(\pL[\pL\pN -]{0,29})?$`)

// CreateOffering adds an offering to a service, with its first rate plans.
func (c *Catalog) CreateOffering(ctx context.Context, p *access.Principal, serviceID int64, in OfferingInput, plans []RatePlan) (Offering, error) {
	id, err := c.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		svc, err := findService(ctx, tx, "s.id = ?", serviceID)
		if err != nil {
			return change{}, err
		}
		if p == nil || !canEdit(p, &svc) {
			return change{}, forbiddenEdit()
		}
		if err := c.checkOffering(&in, svc.Slug); err != nil {
			return change{}, err
		}
		if err := c.checkPlanCurrencies(plans, "rate_plans"); err != nil {
			return change{}, err
		}
		if err := checkPlans(plans, "rate_plans"); err != nil {
			return change{}, err
		}
		id, err := insertOffering(ctx, tx, serviceID, in, now)
		if err != nil {
			return change{}, uniqueSlug(err, "offering", in.Slug)
		}
		for _, pl := range plans {
			if _, err := insertPlan(ctx, tx, id, pl, now); err != nil {
				return change{}, err
			}
		}
		return change{"create", "offering", id, "Created offering " + in.Name + " of " + svc.Name, nil,
			map[string]any{"offering": in, "rate_plans": plans}}, nil
	})
	if err != nil {
		return Offering{}, err
	}
	return findOffering(ctx, c.DB, "o.id = ?", id)
}

// UpdateOffering replaces an offering's fields (not its prices) if version
// is current.
func (c *Catalog) UpdateOffering(ctx context.Context, p *access.Principal, id int64, version int, in OfferingInput) (Offering, error) {
	_, err := c.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		cur, err := findOffering(ctx, tx, "o.id = ?", id)
		if err != nil {
			return change{}, err
		}
		svc, err := findService(ctx, tx, "s.id = ?", cur.ServiceID)
		if err != nil {
			return change{}, err
		}
		if p == nil || !canEdit(p, &svc) {
			return change{}, forbiddenEdit()
		}
		if err := c.checkOffering(&in, svc.Slug); err != nil {
			return change{}, err
		}
		n, err := updateOffering(ctx, tx, id, version, in, now)
		if err != nil {
			return change{}, uniqueSlug(err, "offering", in.Slug)
		} else if n == 0 {
			return change{}, staleVersion("offering", version)
		}
		return change{"update", "offering", id, "Updated offering " + in.Name, cur.Input(), in}, nil
	})
	if err != nil {
		return Offering{}, err
	}
	return findOffering(ctx, c.DB, "o.id = ?", id)
}

// checkPlans validates plans among themselves, naming fields under prefix.
func checkPlans(plans []RatePlan, prefix string) error {
	var v engage.Validation
	rp := make([]rating.RatePlan, len(plans))
	for i, p := range plans {
		rp[i] = p.Rating(0)
		if err := rp[i].Validate(); err != nil {
			addRatingErrors(&v, fmt.Sprintf("%s[%d].", prefix, i), err)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := rating.CheckNoOverlap(rp); err != nil {
		v.Add(prefix, "%s", err.Error())
	}
	return v.Err()
}

// checkPlanCurrencies refuses new prices in a currency the organisation does
// not use.
func (c *Catalog) checkPlanCurrencies(plans []RatePlan, prefix string) error {
	var v engage.Validation
	for i, p := range plans {
		field := prefix + ".currency" // one new price: rate_plan.currency
		if strings.HasSuffix(prefix, "s") {
			field = fmt.Sprintf("%s[%d].currency", prefix, i)
		}
		if msg := c.Currencies.Check(p.Currency); msg != "" {
			v.Add(field, "%s", msg)
		}
	}
	return v.Err()
}

func addRatingErrors(v *engage.Validation, prefix string, err error) {
	var ve *rating.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			v.Add(prefix+f.Field, "%s", f.Message)
		}
		return
	}
	v.Add(strings.TrimSuffix(prefix, "."), "%s", err.Error())
}

// AddRatePlan adds a price to an offering from a date. When the new plan
// starts after the start of the open-ended current plan, the current plan
// ends where the new one starts (a price change); any other overlap is
// refused, and so is a plan that would reprice days before today.
func (c *Catalog) AddRatePlan(ctx context.Context, p *access.Principal, offeringID int64, plan RatePlan) (Offering, error) {
	_, err := c.write(ctx, p, func(tx *db.Tx, now time.Time) (change, error) {
		off, err := findOffering(ctx, tx, "o.id = ?", offeringID)
		if err != nil {
			return change{}, err
		}
		svc, err := findService(ctx, tx, "s.id = ?", off.ServiceID)
		if err != nil {
			return change{}, err
		}
		if p == nil || !canEdit(p, &svc) {
			return change{}, forbiddenEdit()
		}
		if err := c.checkPlanCurrencies([]RatePlan{plan}, "rate_plan"); err != nil {
			return change{}, err
		}
		if err := checkPlans([]RatePlan{plan}, "rate_plan"); err != nil {
			return change{}, err
		}
		today := DateOf(now)
		plans := off.Plans
		// A price change closes the open-ended plan in force before it.
		if n := len(plans); n > 0 {
			last := plans[n-1]
			if last.EffectiveTo == nil && plan.EffectiveFrom.After(last.EffectiveFrom.Time) {
				if plan.EffectiveFrom.Before(today.Time) {
					return change{}, planError("effective_from", "A price change cannot start before today (%s): prices already charged never change.", today)
				}
				d := plan.EffectiveFrom
				plans[n-1].EffectiveTo = &d
				if err := closePlan(ctx, tx, last.ID, d); err != nil {
					return change{}, err
				}
			}
		}
		all := append(append([]RatePlan{}, plans...), plan)
		sortPlans(all)
		if err := checkPlans(all, "rate_plan"); err != nil {
			return change{}, planError("effective_from", "%s", engage.ErrorFields(err)[0].Message)
		}
		id, err := insertPlan(ctx, tx, offeringID, plan, now)
		if err != nil {
			return change{}, err
		}
		return change{"create", "rate_plan", id, fmt.Sprintf("New price for %s from %s", off.Name, plan.EffectiveFrom), nil, plan}, nil
	})
	if err != nil {
		return Offering{}, err
	}
	return findOffering(ctx, c.DB, "o.id = ?", offeringID)
}

func planError(field, format string, args ...any) error {
	return &engage.Error{Code: engage.EINVALID, Message: "The price cannot be added.",
		Fields: []engage.FieldError{{Field: "rate_plan." + field, Message: fmt.Sprintf(format, args...)}}}
}

package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/rating"
)

// ChangeAction says what applying a catalog file does to one thing.
type ChangeAction string

// What applying a file does to a service, offering or price.
const (
	ActionCreate    ChangeAction = "create"
	ActionUpdate    ChangeAction = "update"
	ActionUnchanged ChangeAction = "unchanged"
	// ActionLeftAlone marks a service or offering that is in the catalog
	// but not in the file: applying never deletes.
	ActionLeftAlone ChangeAction = "left-alone"
)

// Change is one line of a Plan.
type Change struct {
	Action ChangeAction `json:"action"`
	Kind   string       `json:"kind" enum:"service,offering,price,meter"`
	Slug   string       `json:"slug" doc:"The service's or offering's slug; a price's offering"`
	From   *Date        `json:"from,omitempty" doc:"A price's first day"`
	// Details say what changes ("lead_time_days 1 → 2"), or what a new
	// price is.
	Details []string `json:"details,omitempty"`
}

// Plan is what applying a catalog file does, or did.
type Plan struct {
	File    string   `json:"file"`
	DryRun  bool     `json:"dry_run"`
	Changes []Change `json:"changes"`
}

// Count counts the changes of a kind (service, offering, price) with an
// action.
func (p Plan) Count(kind string, action ChangeAction) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == kind && c.Action == action {
			n++
		}
	}
	return n
}

// Empty reports whether the plan creates or updates nothing.
func (p Plan) Empty() bool {
	return !slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Action == ActionCreate || c.Action == ActionUpdate })
}

// String writes the plan as a diff: + for what is created, ~ for what
// changes, then what the file leaves alone and the counts.
func (p Plan) String() string {
	var b strings.Builder
	var alone []string
	for _, c := range p.Changes {
		subject := c.Kind + " " + c.Slug
		if c.From != nil {
			subject += " from " + c.From.String()
		}
		switch c.Action {
		case ActionCreate:
			b.WriteString("+ " + subject)
		case ActionUpdate:
			b.WriteString("~ " + subject)
		case ActionLeftAlone:
			alone = append(alone, subject)
			continue
		default:
			continue
		}
		if len(c.Details) > 0 {
			b.WriteString(": " + strings.Join(c.Details, "; "))
		}
		b.WriteByte('\n')
	}
	if p.Empty() {
		b.WriteString("Nothing to do: the catalog already matches " + p.File + ".\n")
	}
	if len(alone) > 0 {
		fmt.Fprintf(&b, "Not in the file, left alone (to retire one, set lifecycle: retired): %s.\n", strings.Join(alone, ", "))
	}
	var counts []string
	for _, kind := range []string{"service", "offering", "price", "meter"} {
		counts = append(counts, fmt.Sprintf("%s: %d new, %d changed, %d unchanged", kind+"s",
			p.Count(kind, ActionCreate), p.Count(kind, ActionUpdate), p.Count(kind, ActionUnchanged)))
	}
	b.WriteString(strings.Join(counts, "; ") + ".\n")
	return b.String()
}

// Apply makes the catalog match a file, in one transaction: services and
// offerings are created or updated by slug, prices by offering and first
// day. With dryRun it only says what it would do. A file with any error
// changes nothing: the error is FileErrors, naming every problem.
//
// Prices already charged never change: a price whose first day is today
// or earlier keeps its terms, and its end may only move within the days to
// come (as when a new price closes it). A later price may be changed.
// Admins apply anything; a service owner changes the services they own and
// creates new ones. Applying the same file again changes nothing.
func (c *Catalog) Apply(ctx context.Context, p *access.Principal, f File, dryRun bool) (Plan, error) {
	if p == nil {
		return Plan{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if f.lines == nil {
		f.lines = map[string]int{}
	}
	var plan Plan
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		a := &applier{c: c, tx: tx, p: p, f: &f, now: now, today: DateOf(now), plan: Plan{File: f.Name, DryRun: dryRun}}
		if err := a.load(ctx); err != nil {
			return err
		}
		if err := a.diff(ctx); err != nil {
			return err
		}
		if len(a.errs) > 0 {
			slices.SortStableFunc(a.errs, func(x, y FileError) int { return x.Line - y.Line })
			return a.errs
		}
		plan = a.plan
		if dryRun || len(a.ops)+len(a.meterWrites) == 0 {
			return nil
		}
		for _, op := range a.ops {
			if err := op(ctx); err != nil {
				return err
			}
		}
		if err := a.writeMeters(ctx); err != nil {
			return err
		}
		if err := a.tellApplied(ctx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return Plan{File: f.Name, DryRun: dryRun}, err
	}
	if !dryRun && !plan.Empty() {
		c.snap.invalidate()
	}
	return plan, nil
}

// applier compares a file with the catalog inside one transaction. It first
// reads and checks everything, collecting errors and the writes to make;
// the writes run only when the whole file is right.
type applier struct {
	c     *Catalog
	tx    *db.Tx
	p     *access.Principal
	f     *File
	now   time.Time
	today Date

	services  map[string]*Service
	offerings map[string]*Offering
	serviceOf map[int64]string // service slug by id
	people    map[string]int64 // by e-mail
	emails    map[int64]string
	codes     map[string]map[string]int64 // kind → code → id
	codeOf    map[string]map[int64]string // kind → id → code

	// The stored meters: by offering, the offering of each event type,
	// offerings' slugs by id; the offerings the file writes.
	metersOf    map[int64][]Meter
	meterOwner  map[string]int64
	slugOf      map[int64]string
	written     map[int64]bool
	meterWrites []meterWrite

	plan    Plan
	ops     []func(ctx context.Context) error
	applied []appliedRef // what the ops wrote, for ApplyObservers
	errs    FileErrors
}

var audienceKinds = []struct{ kind, table, plural string }{
	{"department", "departments", "departments"}, {"location", "locations", "locations"}, {"function", "functions", "functions"},
}

func (a *applier) load(ctx context.Context) error {
	services, err := allServices(ctx, a.tx)
	if err != nil {
		return err
	}
	a.services, a.serviceOf = map[string]*Service{}, map[int64]string{}
	var owners []int64
	for i := range services {
		s := &services[i]
		a.services[s.Slug], a.serviceOf[s.ID] = s, s.Slug
		if s.OwnerID != 0 {
			owners = append(owners, s.OwnerID)
		}
	}
	offerings, err := listOfferings(ctx, a.tx, "")
	if err != nil {
		return err
	}
	a.offerings = map[string]*Offering{}
	for i := range offerings {
		a.offerings[offerings[i].Slug] = &offerings[i]
	}
	var emails []string
	for _, s := range a.f.Services {
		if s.Owner != "" {
			emails = append(emails, org.NormaliseEmail(s.Owner))
		}
	}
	if a.people, a.emails, err = peopleByEmail(ctx, a.tx, emails, owners); err != nil {
		return err
	}
	if a.codes, a.codeOf, err = audienceCodes(ctx, a.tx); err != nil {
		return err
	}
	return a.loadMeters(ctx)
}

func (a *applier) fail(path string, forbidden bool, format string, args ...any) {
	a.errs = append(a.errs, FileError{File: a.f.Name, Line: a.f.line(path), Field: path, Message: fmt.Sprintf(format, args...), forbidden: forbidden})
}

func (a *applier) change(ch Change) { a.plan.Changes = append(a.plan.Changes, ch) }

func (a *applier) record(ctx context.Context, action, entity string, id int64, summary string, before, after any) error {
	return audit.Record(ctx, a.tx, a.now, a.p, action, entity, id, summary+" (catalog file "+a.f.Name+")", before, after)
}

func (a *applier) diff(ctx context.Context) error {
	inFile, offeringsInFile := map[string]bool{}, map[string]bool{}
	for i := range a.f.Services {
		fs := &a.f.Services[i]
		sp := indexPath("services", i)
		if inFile[fs.Slug] {
			a.fail(sp+".slug", false, "the service %q is described twice", fs.Slug)
			continue
		}
		inFile[fs.Slug] = true
		for _, o := range fs.Offerings {
			offeringsInFile[o.Slug] = true
		}
		if err := a.service(ctx, fs, sp); err != nil {
			return err
		}
	}
	slugs := make([]string, 0, len(a.services))
	for slug := range a.services {
		slugs = append(slugs, slug)
	}
	slices.Sort(slugs)
	for _, slug := range slugs {
		if !inFile[slug] {
			a.change(Change{Action: ActionLeftAlone, Kind: "service", Slug: slug})
		}
	}
	var alone []string
	for slug, o := range a.offerings {
		if inFile[a.serviceOf[o.ServiceID]] && !offeringsInFile[slug] {
			alone = append(alone, slug)
		}
	}
	slices.Sort(alone)
	for _, slug := range alone {
		a.change(Change{Action: ActionLeftAlone, Kind: "offering", Slug: slug})
	}
	return nil
}

// serviceInput resolves a file service's owner and audience codes. paths
// says where each audience entry is written, for checkService's errors.
func (a *applier) serviceInput(fs *FileService, sp string, cur *Service) (ServiceInput, map[string]string) {
	in := ServiceInput{Slug: fs.Slug, Name: fs.Name, Summary: fs.Summary, Description: fs.Description, Kind: fs.Kind, Family: fs.Family,
		Sourcing: fs.Sourcing, Vendor: fs.Vendor, Lifecycle: fs.Lifecycle, DeliveryModel: fs.DeliveryModel, DataCeiling: fs.DataCeiling,
		ArchStatus: fs.ArchStatus, SLA: fs.SLA, AudienceAll: fs.Audience.All, Tags: slices.Clone(fs.Tags), Links: slices.Clone(fs.Links)}
	switch {
	case fs.Owner != "":
		if id, ok := a.people[org.NormaliseEmail(fs.Owner)]; ok {
			in.OwnerID = id
		} else {
			a.fail(sp+".owner", false, "no person has the e-mail address %q", fs.Owner)
		}
	case cur != nil:
		in.OwnerID = cur.OwnerID
	default:
		in.OwnerID = a.p.PersonID
	}
	rename := map[string]string{}
	if !fs.Audience.All {
		for _, k := range audienceKinds {
			codes := map[string][]string{"department": fs.Audience.Departments, "location": fs.Audience.Locations, "function": fs.Audience.Functions}[k.kind]
			for j, code := range codes {
				path := indexPath(sp+".audience."+k.plural, j)
				id, ok := a.codes[k.kind][code]
				if !ok {
					a.fail(path, false, "no %s has the code %q", k.kind, code)
					continue
				}
				if slices.ContainsFunc(in.Audience, func(r AudienceRef) bool { return r.Kind == k.kind && r.ID == id }) {
					continue
				}
				n := len(in.Audience)
				rename[fmt.Sprintf("audience[%d].kind", n)] = path
				rename[fmt.Sprintf("audience[%d].id", n)] = path
				in.Audience = append(in.Audience, AudienceRef{Kind: k.kind, ID: id})
			}
		}
	}
	return in, rename
}

func (a *applier) service(ctx context.Context, fs *FileService, sp string) error {
	cur := a.services[fs.Slug]
	in, rename := a.serviceInput(fs, sp, cur)
	if err := a.c.checkService(ctx, a.tx, &in); err != nil {
		if engage.ErrorCode(err) != engage.EINVALID {
			return err
		}
		a.errs = append(a.errs, a.f.locate(sp, err, rename)...)
	}
	slices.SortFunc(in.Audience, func(x, y AudienceRef) int {
		if c := strings.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		return int(x.ID - y.ID)
	})
	changesBefore := len(a.plan.Changes)
	serviceID := new(int64)
	if cur == nil {
		a.change(Change{Action: ActionCreate, Kind: "service", Slug: in.Slug})
		a.ops = append(a.ops, func(ctx context.Context) error {
			id, err := insertService(ctx, a.tx, in, a.now)
			if err != nil {
				return uniqueSlug(err, "service", in.Slug)
			}
			*serviceID = id
			a.applied = append(a.applied, appliedRef{action: ActionCreate, kind: "service", id: id})
			return a.record(ctx, "create", "service", id, "Created service "+in.Name, nil, in)
		})
	} else {
		*serviceID = cur.ID
		before := cur.Input()
		if details := a.serviceDiff(before, in); len(details) > 0 {
			a.change(Change{Action: ActionUpdate, Kind: "service", Slug: in.Slug, Details: details})
			a.ops = append(a.ops, func(ctx context.Context) error {
				n, err := updateService(ctx, a.tx, cur.ID, cur.Version, in, a.now)
				if err != nil {
					return uniqueSlug(err, "service", in.Slug)
				} else if n == 0 {
					return staleVersion("service", cur.Version)
				}
				a.applied = append(a.applied, appliedRef{action: ActionUpdate, kind: "service", id: cur.ID, fields: changedFields(details), service: *cur})
				return a.record(ctx, "update", "service", cur.ID, "Updated service "+in.Name, before, in)
			})
		} else {
			a.change(Change{Action: ActionUnchanged, Kind: "service", Slug: in.Slug})
		}
	}
	for j := range fs.Offerings {
		a.offering(&fs.Offerings[j], indexPath(sp+".offerings", j), fs.Slug, cur, serviceID)
	}
	// Authorisation is decided on what the file would change, so that a
	// service owner may apply a whole catalog that only changes their own.
	changed := slices.ContainsFunc(a.plan.Changes[changesBefore:], func(c Change) bool {
		return c.Action == ActionCreate || c.Action == ActionUpdate
	})
	if changed && !canEdit(a.p, cur) {
		if cur == nil {
			a.fail(sp, true, "only administrators and service owners can add services")
		} else {
			a.fail(sp, true, "only administrators and the service's owner can change the service %q", fs.Slug)
		}
	}
	return nil
}

func (a *applier) serviceDiff(old, new ServiceInput) []string {
	var d fieldDiffs
	d.text("name", old.Name, new.Name)
	d.text("summary", old.Summary, new.Summary)
	d.text("description", old.Description, new.Description)
	d.plain("kind", old.Kind, new.Kind)
	d.plain("family", old.Family, new.Family)
	d.plain("owner", a.email(old.OwnerID), a.email(new.OwnerID))
	d.plain("sourcing", old.Sourcing, new.Sourcing)
	d.text("vendor", old.Vendor, new.Vendor)
	d.plain("lifecycle", old.Lifecycle, new.Lifecycle)
	d.plain("delivery_model", old.DeliveryModel, new.DeliveryModel)
	d.plain("data_ceiling", old.DataCeiling, new.DataCeiling)
	d.plain("arch_status", old.ArchStatus, new.ArchStatus)
	d.plain("sla.availability", old.SLA.Availability, new.SLA.Availability)
	d.text("sla.support_hours", old.SLA.SupportHours, new.SLA.SupportHours)
	d.plain("sla.lead_time_days", strconv.Itoa(old.SLA.LeadTimeDays), strconv.Itoa(new.SLA.LeadTimeDays))
	d.plain("audience", a.audienceText(old), a.audienceText(new))
	d.plain("tags", "["+strings.Join(old.Tags, ", ")+"]", "["+strings.Join(new.Tags, ", ")+"]")
	d.plain("links", linksText(old.Links), linksText(new.Links))
	return d
}

func (a *applier) email(id int64) string {
	if id == 0 {
		return ""
	}
	if e, ok := a.emails[id]; ok {
		return e
	}
	return "person " + strconv.FormatInt(id, 10)
}

func (a *applier) audienceText(in ServiceInput) string {
	if in.AudienceAll {
		return "all"
	}
	var parts []string
	for _, k := range audienceKinds {
		var codes []string
		for _, r := range in.Audience {
			if r.Kind == k.kind {
				codes = append(codes, a.codeOf[k.kind][r.ID])
			}
		}
		if len(codes) > 0 {
			parts = append(parts, k.plural+" ["+strings.Join(codes, ", ")+"]")
		}
	}
	return strings.Join(parts, ", ")
}

func linksText(links []Link) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = l.Title + " <" + l.URL + ">"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// fieldDiffs collects "field old → new" lines.
type fieldDiffs []string

func (d *fieldDiffs) plain(field, old, new string) {
	if old != new {
		*d = append(*d, fmt.Sprintf("%s %s → %s", field, orNone(old), orNone(new)))
	}
}

// text shows free text quoted, and only says that long text changed.
func (d *fieldDiffs) text(field, old, new string) {
	switch {
	case old == new:
	case len(old) > 60 || len(new) > 60 || strings.Contains(old+new, "\n"):
		*d = append(*d, field+" changed")
	default:
		*d = append(*d, fmt.Sprintf("%s %s → %s", field, quoteOrNone(old), quoteOrNone(new)))
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(s)
}

func (a *applier) offering(fo *FileOffering, op, serviceSlug string, svc *Service, serviceID *int64) {
	in := fo.input()
	if err := a.c.checkOffering(&in, serviceSlug); err != nil {
		a.errs = append(a.errs, a.f.locate(op, err, nil)...)
	}
	cur := a.offerings[fo.Slug]
	if cur != nil && (svc == nil || cur.ServiceID != svc.ID) {
		a.fail(op+".slug", false, "the offering %q belongs to the service %q; an offering cannot move to another service", fo.Slug, a.serviceOf[cur.ServiceID])
		return
	}
	offeringID := new(int64)
	if cur == nil {
		a.change(Change{Action: ActionCreate, Kind: "offering", Slug: in.Slug})
		a.ops = append(a.ops, func(ctx context.Context) error {
			id, err := insertOffering(ctx, a.tx, *serviceID, in, a.now)
			if err != nil {
				return uniqueSlug(err, "offering", in.Slug)
			}
			*offeringID = id
			a.applied = append(a.applied, appliedRef{action: ActionCreate, kind: "offering", id: id})
			return a.record(ctx, "create", "offering", id, "Created offering "+in.Name, nil, in)
		})
	} else {
		*offeringID = cur.ID
		before := cur.Input()
		var d fieldDiffs
		d.text("name", before.Name, in.Name)
		d.text("description", before.Description, in.Description)
		d.plain("lifecycle", before.Lifecycle, in.Lifecycle)
		d.plain("lead_time_days", strconv.Itoa(before.LeadTimeDays), strconv.Itoa(in.LeadTimeDays))
		d.plain("unit_name", before.UnitName, in.UnitName)
		d.plain("position", strconv.Itoa(before.Position), strconv.Itoa(in.Position))
		if len(d) > 0 {
			a.change(Change{Action: ActionUpdate, Kind: "offering", Slug: in.Slug, Details: d})
			a.ops = append(a.ops, func(ctx context.Context) error {
				n, err := updateOffering(ctx, a.tx, cur.ID, cur.Version, in, a.now)
				if err != nil {
					return uniqueSlug(err, "offering", in.Slug)
				} else if n == 0 {
					return staleVersion("offering", cur.Version)
				}
				a.applied = append(a.applied, appliedRef{action: ActionUpdate, kind: "offering", id: cur.ID, fields: changedFields(d), offering: *cur})
				return a.record(ctx, "update", "offering", cur.ID, "Updated offering "+in.Name, before, in)
			})
		} else {
			a.change(Change{Action: ActionUnchanged, Kind: "offering", Slug: in.Slug})
		}
	}
	var stored []RatePlan
	if cur != nil {
		stored = cur.Plans
	}
	a.prices(fo, op, in.Name, stored, offeringID)
	a.meters(fo, op, append(slices.Clone(stored), fo.Prices...), offeringID, cur)
}

// priceSlot is one first day of an offering's prices: stored, in the file,
// or both; final is what it will be.
type priceSlot struct {
	stored, file *RatePlan
	path         string
	final        RatePlan
}

func (a *applier) prices(fo *FileOffering, op, offeringName string, stored []RatePlan, offeringID *int64) {
	byFrom := map[Date]*priceSlot{}
	for i := range stored {
		byFrom[stored[i].EffectiveFrom] = &priceSlot{stored: &stored[i], path: op + ".prices"}
	}
	for k := range fo.Prices {
		p := &fo.Prices[k]
		s := byFrom[p.EffectiveFrom]
		if s == nil {
			s = &priceSlot{}
			byFrom[p.EffectiveFrom] = s
		} else if s.file != nil {
			a.fail(indexPath(op+".prices", k)+".from", false, "another price of this offering starts on %s", p.EffectiveFrom)
			return
		}
		s.file, s.path = p, indexPath(op+".prices", k)
	}
	slots := make([]*priceSlot, 0, len(byFrom))
	for _, s := range byFrom {
		slots = append(slots, s)
	}
	slices.SortFunc(slots, func(x, y *priceSlot) int { return x.from().Compare(y.from().Time) })
	finals, paths := make([]RatePlan, len(slots)), make([]string, len(slots))
	for i, s := range slots {
		// A price without an end ends where the next one starts; a price
		// in the file is taken as written.
		src := s.stored
		if s.file != nil {
			src = s.file
		}
		s.final = *src
		s.final.ID = 0
		if s.stored != nil {
			s.final.ID = s.stored.ID
		}
		if s.final.Tiers == nil {
			s.final.Tiers = []Tier{}
		}
		if src.EffectiveTo == nil && i+1 < len(slots) {
			next := slots[i+1].from()
			s.final.EffectiveTo = &next
		}
		finals[i], paths[i] = s.final, s.path
		if s.file != nil && (s.stored == nil || s.stored.Currency != s.file.Currency) {
			if msg := a.c.Currencies.Check(s.file.Currency); msg != "" {
				a.fail(joinPath(s.path, "currency"), false, "%s", msg)
			}
		}
	}
	if errs := a.f.planErrors(finals, paths); len(errs) > 0 {
		a.errs = append(a.errs, errs...)
		return
	}
	for i, s := range slots {
		from := s.from()
		final := s.final
		switch {
		case s.stored == nil:
			a.change(Change{Action: ActionCreate, Kind: "price", Slug: fo.Slug, From: &from, Details: []string{describePlan(final)}})
			a.ops = append(a.ops, func(ctx context.Context) error {
				id, err := insertPlan(ctx, a.tx, *offeringID, final, a.now)
				if err != nil {
					return err
				}
				a.applied = append(a.applied, appliedRef{action: ActionCreate, kind: "price", id: id, offerID: *offeringID})
				return a.record(ctx, "create", "rate_plan", id, fmt.Sprintf("New price for %s from %s", offeringName, from), nil, final)
			})
		case samePlan(*s.stored, final):
			if s.file != nil {
				a.change(Change{Action: ActionUnchanged, Kind: "price", Slug: fo.Slug, From: &from})
			}
		default:
			before := *s.stored
			if !before.EffectiveFrom.After(a.today.Time) &&
				(!sameTerms(before, final) || endsBefore(before.EffectiveTo, a.today) || endsBefore(final.EffectiveTo, a.today)) {
				if i+1 < len(slots) && slots[i+1].stored == nil && sameTerms(before, final) && sameDate(final.EffectiveTo, ptr(slots[i+1].from())) {
					// A new price ends this one on a day already charged.
					a.fail(joinPath(slots[i+1].path, "from"), false, "this price would end the price from %s before today (%s): prices already charged never change — add a new price from a later date",
						from, a.today)
				} else {
					path := s.path
					if s.file != nil {
						path = joinPath(path, "from")
					}
					a.fail(path, false, "the price from %s has already started (today is %s): prices already charged never change — add a new price from a later date", from, a.today)
				}
				continue
			}
			details := planDiff(before, final)
			a.change(Change{Action: ActionUpdate, Kind: "price", Slug: fo.Slug, From: &from, Details: details})
			a.ops = append(a.ops, func(ctx context.Context) error {
				if err := updatePlan(ctx, a.tx, before.ID, final); err != nil {
					return err
				}
				a.applied = append(a.applied, appliedRef{action: ActionUpdate, kind: "price", id: before.ID, offerID: *offeringID,
					fields: changedFields(details), before: before})
				return a.record(ctx, "update", "rate_plan", before.ID, fmt.Sprintf("Changed the price of %s from %s", offeringName, from), before, final)
			})
		}
	}
}

func (s *priceSlot) from() Date {
	if s.file != nil {
		return s.file.EffectiveFrom
	}
	return s.stored.EffectiveFrom
}

func ptr[T any](v T) *T { return &v }

func endsBefore(to *Date, day Date) bool { return to != nil && to.Before(day.Time) }

func sameDate(a, b *Date) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Time)
}

// sameTerms reports whether two plans charge the same, whatever their days.
func sameTerms(a, b RatePlan) bool {
	if a.Currency != b.Currency || a.Unit != b.Unit || a.TierMode != b.TierMode || !a.UnitPrice.Equal(b.UnitPrice) ||
		!a.FixedMonthly.Equal(b.FixedMonthly) || !a.OneTime.Equal(b.OneTime) || !a.Minimum.Equal(b.Minimum) || len(a.Tiers) != len(b.Tiers) {
		return false
	}
	for i := range a.Tiers {
		x, y := a.Tiers[i], b.Tiers[i]
		if !x.UnitPrice.Equal(y.UnitPrice) || (x.UpTo == nil) != (y.UpTo == nil) || (x.UpTo != nil && !x.UpTo.Equal(*y.UpTo)) {
			return false
		}
	}
	return true
}

func samePlan(a, b RatePlan) bool {
	return sameTerms(a, b) && a.EffectiveFrom.Equal(b.EffectiveFrom.Time) && sameDate(a.EffectiveTo, b.EffectiveTo)
}

func planDiff(old, new RatePlan) []string {
	var d fieldDiffs
	d.plain("currency", old.Currency, new.Currency)
	d.plain("unit", old.Unit, new.Unit)
	d.plain("tier_mode", old.TierMode, new.TierMode)
	for _, f := range []struct {
		name     string
		old, new decimal.Decimal
	}{{"unit_price", old.UnitPrice, new.UnitPrice}, {"fixed_monthly", old.FixedMonthly, new.FixedMonthly},
		{"one_time", old.OneTime, new.OneTime}, {"minimum", old.Minimum, new.Minimum}} {
		if !f.old.Equal(f.new) {
			d.plain(f.name, amountText(f.old, old.Currency), amountText(f.new, new.Currency))
		}
	}
	if ot, nt := tiersText(old), tiersText(new); ot != nt {
		d.plain("tiers", ot, nt)
	}
	if !sameDate(old.EffectiveTo, new.EffectiveTo) {
		d.plain("to", dateText(old.EffectiveTo), dateText(new.EffectiveTo))
	}
	return d
}

func dateText(d *Date) string {
	if d == nil {
		return "(open)"
	}
	return d.String()
}

func tiersText(p RatePlan) string {
	parts := make([]string, len(p.Tiers))
	for i, t := range p.Tiers {
		if t.UpTo != nil {
			parts[i] = "up to " + t.UpTo.String() + " at " + amountText(t.UnitPrice, p.Currency)
		} else {
			parts[i] = "then " + amountText(t.UnitPrice, p.Currency)
		}
	}
	return strings.Join(parts, ", ")
}

// describePlan says what a price is: "EUR 7.00 per person-month".
func describePlan(p RatePlan) string {
	var parts []string
	switch {
	case len(p.Tiers) > 0:
		parts = append(parts, fmt.Sprintf("%s %s tiers per %s (%s)", p.Currency, p.TierMode, p.Unit, tiersText(p)))
	case p.Unit == string(rating.FixedMonth):
		parts = append(parts, fmt.Sprintf("%s %s per month", p.Currency, amountText(p.FixedMonthly, p.Currency)))
	default:
		parts = append(parts, fmt.Sprintf("%s %s per %s", p.Currency, amountText(p.UnitPrice, p.Currency), p.Unit))
	}
	if !p.FixedMonthly.IsZero() && p.Unit != string(rating.FixedMonth) {
		parts = append(parts, "plus "+amountText(p.FixedMonthly, p.Currency)+" a month")
	}
	if !p.OneTime.IsZero() {
		parts = append(parts, "plus "+amountText(p.OneTime, p.Currency)+" once")
	}
	if !p.Minimum.IsZero() {
		parts = append(parts, "minimum "+amountText(p.Minimum, p.Currency)+" a month")
	}
	if p.EffectiveTo != nil {
		parts = append(parts, "until "+p.EffectiveTo.AddDays(-1).String())
	}
	return strings.Join(parts, ", ")
}

// amountText writes an exact amount with at least its currency's minor unit
// of decimal places and no rounding: 6.5 EUR is "6.50", 1240 JPY "1240",
// 0.125 EUR "0.125".
func amountText(d decimal.Decimal, currency string) string {
	s := d.String()
	places := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		places = len(s) - i - 1
	}
	return d.StringFixed(max(int32(places), rating.MinorUnits(currency)))
}

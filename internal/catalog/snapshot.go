package catalog

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/search"
)

// The catalog is read far more than it is written, and every replica must
// answer searches quickly: each keeps an in-memory snapshot — services,
// offerings with prices, consumer counts and a search index — rebuilt when
// the catalog's generation (a counter bumped by every write, in the same
// transaction) changes. A replica checks the generation at most once per
// checkEvery, so another replica's write shows within that time.
const checkEvery = time.Second

const generationKey = "catalog_generation"

func bumpGeneration(ctx context.Context, tx db.Querier) error {
	return db.BumpGeneration(ctx, tx, generationKey)
}

func generation(ctx context.Context, q db.Querier) (int64, error) {
	return db.Generation(ctx, q, generationKey)
}

type snapshot struct {
	generation int64
	built      Date
	services   map[int64]*Service
	bySlug     map[string]*Service
	offerings  map[int64]*Offering   // by id
	ofService  map[int64][]*Offering // by service id, in display order
	cards      map[int64]*ServiceCard
	index      *search.Index
	// Kept sorted here rather than on each page that lists them.
	nameRank map[int64]int         // each service's place in the catalog's order by name
	byName   []*Service            // every service, in that order
	options  []offeringOption      // every offering, by service name then display order
	cloudOf  map[string][]*Service // by family: the cloud services that can be ordered, by name
	meters   map[string]*Meter     // by event type
	maxed    map[int64]bool        // offerings metered by max
}

// offeringOption is an offering as pickers list it.
type offeringOption struct {
	svc   *Service
	o     *Offering
	label string
}

type snapshotCache struct {
	mu      sync.Mutex
	current *snapshot
	checked time.Time
}

func (sc *snapshotCache) invalidate() {
	sc.mu.Lock()
	sc.current = nil
	sc.mu.Unlock()
}

// snapshot returns a current snapshot, rebuilding it when the generation
// moved (or the day changed, since prices depend on the date).
func (c *Catalog) snapshot(ctx context.Context) (*snapshot, error) {
	sc := &c.snap
	sc.mu.Lock()
	defer sc.mu.Unlock()
	now := c.Clock.Now()
	today := DateOf(now)
	cur := sc.current
	if cur != nil && cur.built == today && time.Since(sc.checked) < checkEvery {
		return cur, nil
	}
	gen, err := generation(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	sc.checked = time.Now()
	if cur != nil && cur.generation == gen && cur.built == today {
		return cur, nil
	}
	s, err := buildSnapshot(ctx, c.DB, gen, today)
	if err != nil {
		return nil, err
	}
	sc.current = s
	return s, nil
}

func buildSnapshot(ctx context.Context, q db.Querier, gen int64, today Date) (*snapshot, error) {
	services, err := allServices(ctx, q)
	if err != nil {
		return nil, err
	}
	offerings, err := listOfferings(ctx, q, "")
	if err != nil {
		return nil, err
	}
	consumers, err := consumerCounts(ctx, q, today)
	if err != nil {
		return nil, err
	}
	s := &snapshot{generation: gen, built: today, services: map[int64]*Service{}, bySlug: map[string]*Service{},
		offerings: map[int64]*Offering{}, ofService: map[int64][]*Offering{}, cards: map[int64]*ServiceCard{}, index: search.New(),
		nameRank: map[int64]int{}, cloudOf: map[string][]*Service{}}
	for i := range services {
		svc := &services[i]
		s.services[svc.ID] = svc
		s.bySlug[svc.Slug] = svc
	}
	for i := range offerings {
		o := &offerings[i]
		s.offerings[o.ID] = o
		s.ofService[o.ServiceID] = append(s.ofService[o.ServiceID], o)
	}
	if err := snapshotMeters(ctx, q, s); err != nil {
		return nil, err
	}
	for _, svc := range s.services {
		card := &ServiceCard{Service: *svc, Consumers: consumers[svc.ID]}
		var offeringText []string
		for _, o := range s.ofService[svc.ID] {
			card.Offerings++
			offeringText = append(offeringText, o.Name+" "+o.Description)
			if !Orderable(o.Lifecycle) {
				continue
			}
			if plan, ok := PlanOn(o.Plans, today); ok {
				// Monthly prices make cards comparable; a per-hour or
				// per-request price shows only when nothing is monthly.
				if p := startingPrice(plan, o.UnitName); p != nil && (card.PriceFrom == nil || (unitRank(p.Unit) < unitRank(card.PriceFrom.Unit)) ||
					(unitRank(p.Unit) == unitRank(card.PriceFrom.Unit) && p.Currency == card.PriceFrom.Currency && p.Amount.LessThan(card.PriceFrom.Amount))) {
					card.PriceFrom = p
				}
			}
		}
		s.cards[svc.ID] = card
		s.index.Put(search.Doc{ID: strconv.FormatInt(svc.ID, 10), Kind: "service", Tags: serviceTags(svc),
			Fields: []search.Field{
				{Name: "name", Text: svc.Name, Boost: 4},
				{Name: "tags", Text: strings.Join(svc.Tags, " "), Boost: 2},
				{Name: "summary", Text: svc.Summary + " " + svc.Vendor + " " + Label(Families, svc.Family), Boost: 1.5},
				{Name: "offerings", Text: strings.Join(offeringText, " "), Boost: 1},
				{Name: "description", Text: svc.Description, Boost: 1},
			}})
	}
	byName := make([]*Service, 0, len(s.services))
	for _, svc := range s.services {
		byName = append(byName, svc)
	}
	slices.SortFunc(byName, byServiceName)
	s.byName = byName
	for i, svc := range byName {
		s.nameRank[svc.ID] = i
		orderable := false
		for _, o := range s.ofService[svc.ID] {
			s.options = append(s.options, offeringOption{svc: svc, o: o, label: svc.Name + " — " + o.Name})
			orderable = orderable || Orderable(o.Lifecycle)
		}
		if svc.DeliveryModel == "cloud" && Orderable(svc.Lifecycle) && orderable {
			s.cloudOf[svc.Family] = append(s.cloudOf[svc.Family], svc)
		}
	}
	return s, nil
}

// byServiceName orders services as the catalog lists them without a search:
// by name, whatever the case.
func byServiceName(a, b *Service) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10))
}

func serviceTags(s *Service) []string {
	tags := []string{"family:" + s.Family, "kind:" + s.Kind, "delivery:" + s.DeliveryModel, "sourcing:" + s.Sourcing, "lifecycle:" + s.Lifecycle}
	if s.AudienceAll {
		return append(tags, "aud:all")
	}
	for _, a := range s.Audience {
		tags = append(tags, fmt.Sprintf("aud:%s:%d", a.Kind, a.ID))
	}
	return tags
}

// PlanOn returns the plan in force on a date.
func PlanOn(plans []RatePlan, d Date) (RatePlan, bool) {
	for _, p := range plans {
		if !d.Before(p.EffectiveFrom.Time) && (p.EffectiveTo == nil || d.Before(p.EffectiveTo.Time)) {
			return p, true
		}
	}
	return RatePlan{}, false
}

// startingPrice is what one unit costs a month (or once, for one-time
// offerings), for "from" prices on cards.
func startingPrice(p RatePlan, unitName string) *Price {
	q, err := rating.QuotePlan(p.Rating(0), decimal.NewFromInt(1))
	if err != nil {
		return nil
	}
	if p.Unit == string(rating.OneTimeUnit) {
		return &Price{Amount: q.OneTime, Currency: p.Currency, Unit: p.Unit, UnitName: unitName}
	}
	// A price per unit and nothing else is shown as it is charged: one GB
	// at €0.004 is not "€0.00", as the quote for one unit would round it.
	if p.FixedMonthly.IsZero() && p.Minimum.IsZero() {
		switch {
		case len(p.Tiers) > 0:
			return &Price{Amount: p.Tiers[0].UnitPrice, Currency: p.Currency, Unit: p.Unit, UnitName: unitName}
		case p.Unit != string(rating.FixedMonth):
			return &Price{Amount: p.UnitPrice, Currency: p.Currency, Unit: p.Unit, UnitName: unitName}
		}
	}
	return &Price{Amount: q.Monthly, Currency: p.Currency, Unit: p.Unit, UnitName: unitName}
}

// facetPrefixes are the facets counted on the catalog page.
var facetPrefixes = []string{"family:", "kind:", "delivery:", "sourcing:", "lifecycle:"}

// ListServices searches and filters the catalog the person may see, with
// facet counts. With no lifecycle filter, retired services are left out.
func (c *Catalog) ListServices(ctx context.Context, p *access.Principal, f ListFilter) (Page, error) {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return Page{}, err
	}
	s, err := c.snapshot(ctx)
	if err != nil {
		return Page{}, err
	}
	q := search.Query{Text: f.Query, Kinds: []string{"service"}, Limit: f.Limit, Offset: f.Offset, Facets: facetPrefixes}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if !v.all {
		q.AnyOf = append(q.AnyOf, v.audienceTags())
	}
	lifecycles := f.Lifecycles
	if len(lifecycles) == 0 {
		lifecycles = []string{"planned", "pilot", "live", "retiring"}
	}
	for _, g := range []struct {
		prefix string
		values []string
	}{{"family:", f.Families}, {"kind:", f.Kinds}, {"delivery:", f.DeliveryModels}, {"sourcing:", f.Sourcings}, {"lifecycle:", lifecycles}} {
		if len(g.values) == 0 {
			continue
		}
		var group []string
		for _, val := range g.values {
			group = append(group, g.prefix+val)
		}
		q.AnyOf = append(q.AnyOf, group)
	}
	// Without words to rank by, list by name: fetch every match, sort, page.
	browse := strings.TrimSpace(f.Query) == ""
	limit, offset := q.Limit, q.Offset
	if browse {
		q.Limit, q.Offset = len(s.services)+1, 0
	}
	res := s.index.Search(q)
	if browse {
		slices.SortFunc(res.Hits, func(a, b search.Hit) int {
			return cmp.Compare(s.nameRank[atoi(a.ID)], s.nameRank[atoi(b.ID)])
		})
		res.Hits = res.Hits[min(offset, len(res.Hits)):min(offset+limit, len(res.Hits))]
	}
	page := Page{Total: res.Total, Facets: res.Facets, Cards: []ServiceCard{}}
	for _, h := range res.Hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		card, ok := s.cards[id]
		if !ok || (f.OwnerID != 0 && card.OwnerID != f.OwnerID) {
			continue
		}
		cp := *card
		cp.Score, cp.Matched = h.Score, h.Matched
		page.Cards = append(page.Cards, cp)
	}
	return page, nil
}

// ServiceDetail is everything the service page shows.
type ServiceDetail struct {
	Service   Service    `json:"service"`
	Offerings []Offering `json:"offerings" nullable:"false"`
	Consumers []Consumer `json:"consumers" nullable:"false"`
	PriceFrom *Price     `json:"price_from,omitempty"`
	CanEdit   bool       `json:"can_edit"`
}

// FindService returns a service the person may see, by id or URL name.
func (c *Catalog) FindService(ctx context.Context, p *access.Principal, idOrSlug string) (ServiceDetail, error) {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return ServiceDetail{}, err
	}
	s, err := c.snapshot(ctx)
	if err != nil {
		return ServiceDetail{}, err
	}
	svc := s.bySlug[idOrSlug]
	if id, err := strconv.ParseInt(idOrSlug, 10, 64); err == nil && svc == nil {
		svc = s.services[id]
	}
	if svc == nil || !v.sees(svc) {
		return ServiceDetail{}, notFoundService()
	}
	d := ServiceDetail{Service: *svc, Offerings: []Offering{}, CanEdit: canEdit(p, svc), PriceFrom: s.cards[svc.ID].PriceFrom}
	for _, o := range s.ofService[svc.ID] {
		d.Offerings = append(d.Offerings, *o)
	}
	d.Consumers, err = c.consumers(ctx, s, svc.ID, DateOf(c.Clock.Now()))
	return d, err
}

// FindOffering returns an offering the person may see.
func (c *Catalog) FindOffering(ctx context.Context, p *access.Principal, id int64) (Offering, Service, error) {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return Offering{}, Service{}, err
	}
	s, err := c.snapshot(ctx)
	if err != nil {
		return Offering{}, Service{}, err
	}
	o := s.offerings[id]
	if o == nil || !v.sees(s.services[o.ServiceID]) {
		return Offering{}, Service{}, notFoundOffering(id)
	}
	return *o, *s.services[o.ServiceID], nil
}

// OfferingOption is an orderable offering, for pickers.
type OfferingOption struct {
	ID    int64
	Label string
}

// OrderableOfferings lists the offerings the person could order now,
// ordered by service and offering name.
func (c *Catalog) OrderableOfferings(ctx context.Context, p *access.Principal) ([]OfferingOption, error) {
	return c.offeringOptions(ctx, p, func(svc *Service, o *Offering) bool {
		return Orderable(svc.Lifecycle) && Orderable(o.Lifecycle)
	})
}

// ComparableOfferings lists the offerings the person may put side by side:
// every one not retired, legacy ones that can no longer be ordered included,
// so that they can be weighed against what replaces them.
func (c *Catalog) ComparableOfferings(ctx context.Context, p *access.Principal) ([]OfferingOption, error) {
	return c.offeringOptions(ctx, p, func(svc *Service, o *Offering) bool {
		return svc.Lifecycle != "retired" && o.Lifecycle != "retired"
	})
}

// seenSnapshot is the catalog as it stands and what the person may see of it.
func (c *Catalog) seenSnapshot(ctx context.Context, p *access.Principal) (viewer, *snapshot, error) {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return viewer{}, nil, err
	}
	s, err := c.snapshot(ctx)
	return v, s, err
}

func (c *Catalog) offeringOptions(ctx context.Context, p *access.Principal, keep func(*Service, *Offering) bool) ([]OfferingOption, error) {
	v, s, err := c.seenSnapshot(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []OfferingOption
	for _, opt := range s.options {
		if keep(opt.svc, opt.o) && v.sees(opt.svc) {
			out = append(out, OfferingOption{ID: opt.o.ID, Label: opt.label})
		}
	}
	return out, nil
}

// Alternative is a service that can stand in for another, with its
// offerings that can be ordered.
type Alternative struct {
	Service   Service
	Offerings []Offering
}

// Alternatives lists the cloud services of a legacy service's family that
// the person may see and could order, by name: what to move to. It returns
// the first limit of them (all when limit is 0) and how many there are. A
// cloud service has none.
func (c *Catalog) Alternatives(ctx context.Context, p *access.Principal, serviceID int64, limit int) ([]Alternative, int, error) {
	v, s, err := c.seenSnapshot(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	of := s.services[serviceID]
	if of == nil || !v.sees(of) {
		return nil, 0, notFoundService()
	}
	var out []Alternative
	if of.DeliveryModel != "legacy" {
		return out, 0, nil
	}
	total := 0
	for _, svc := range s.cloudOf[of.Family] {
		if !v.sees(svc) {
			continue
		}
		total++
		if limit > 0 && len(out) == limit {
			continue
		}
		a := Alternative{Service: *svc}
		for _, o := range s.ofService[svc.ID] {
			if Orderable(o.Lifecycle) {
				a.Offerings = append(a.Offerings, *o)
			}
		}
		out = append(out, a)
	}
	return out, total, nil
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// unitRank orders units for "from" prices: monthly first, then one-time,
// then metered.
func unitRank(unit string) int {
	switch unit {
	case "person-month", "unit-month", "fixed-month":
		return 0
	case "one-time":
		return 1
	}
	return 2
}

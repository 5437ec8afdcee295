package catalog

import (
	"context"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/db"
)

// Applied is one thing an applied catalog file created or changed: a
// service, an offering or one of an offering's prices, as it now stands.
// Applying never deletes: a service or offering ends by its lifecycle.
type Applied struct {
	Action ChangeAction // ActionCreate or ActionUpdate
	Kind   string       // service, offering or price
	// Fields are the names of the attributes an update changed
	// ("lifecycle", "name"…), as the plan shows them.
	Fields   []string
	Service  Service
	Offering Offering // an offering, or a price's offering
	Plan     RatePlan // a price
	// Before is an updated price as it was; BeforeService an updated
	// service, BeforeOffering an updated offering.
	Before         RatePlan
	BeforeService  Service
	BeforeOffering Offering
	// Offerings are an updated service's offerings with their prices,
	// when its lifecycle changed: they leave the catalog with a retired
	// service, and come back with it.
	Offerings []Offering
}

// ApplyObserver learns what an applied catalog file created or changed. It
// runs inside the transaction of the apply, after every write; an error
// undoes the apply. A dry run or a refused file tells it nothing.
type ApplyObserver func(ctx context.Context, tx *db.Tx, changes []Applied) error

// OnApply registers an observer of applied catalog files. Register
// observers when wiring the application, before serving.
func (c *Catalog) OnApply(fn ApplyObserver) {
	c.subsObserversMu.Lock()
	defer c.subsObserversMu.Unlock()
	c.applyObservers = append(c.applyObservers, fn)
}

// appliedRef is a write of an apply, known by id once it ran.
type appliedRef struct {
	action   ChangeAction
	kind     string
	fields   []string
	id       int64 // the service's, offering's or plan's
	offerID  int64 // a price's offering
	before   RatePlan
	service  Service  // an updated service as it was
	offering Offering // an updated offering as it was
}

// changedFields are the attribute names of a plan's detail lines ("name
// changed", "lifecycle live → retiring").
func changedFields(details []string) []string {
	out := make([]string, len(details))
	for i, d := range details {
		out[i], _, _ = strings.Cut(d, " ")
	}
	return out
}

// tellApplied resolves the apply's writes to what they now are and tells
// the observers.
func (a *applier) tellApplied(ctx context.Context) error {
	a.c.subsObserversMu.Lock()
	obs := slices.Clone(a.c.applyObservers)
	a.c.subsObserversMu.Unlock()
	if len(obs) == 0 || len(a.applied) == 0 {
		return nil
	}
	services, err := allServices(ctx, a.tx)
	if err != nil {
		return err
	}
	byService := make(map[int64]Service, len(services))
	for _, s := range services {
		byService[s.ID] = s
	}
	var ids, retiredOrBack []int64
	for _, r := range a.applied {
		switch r.kind {
		case "service":
			if slices.Contains(r.fields, "lifecycle") {
				retiredOrBack = append(retiredOrBack, r.id)
			}
		case "offering":
			ids = append(ids, r.id)
		case "price":
			ids = append(ids, r.offerID)
		}
	}
	byOffering := map[int64]Offering{}
	ofService := map[int64][]Offering{}
	for _, list := range []struct {
		ids    []int64
		column string
	}{{ids, "o.id"}, {retiredOrBack, "o.service_id"}} {
		if len(list.ids) == 0 {
			continue
		}
		slices.Sort(list.ids)
		list.ids = slices.Compact(list.ids)
		where, args := "", []any(nil)
		if len(list.ids) <= 500 {
			where, args = list.column+" IN ("+db.Placeholders(len(list.ids))+")", db.Args(list.ids)
		}
		offerings, err := listOfferings(ctx, a.tx, where, args...)
		if err != nil {
			return err
		}
		for _, o := range offerings {
			byOffering[o.ID] = o
			if list.column == "o.service_id" {
				ofService[o.ServiceID] = append(ofService[o.ServiceID], o)
			}
		}
	}
	changes := make([]Applied, 0, len(a.applied))
	for _, r := range a.applied {
		ch := Applied{Action: r.action, Kind: r.kind, Fields: r.fields, Before: r.before, BeforeService: r.service, BeforeOffering: r.offering}
		switch r.kind {
		case "service":
			ch.Service = byService[r.id]
			ch.Offerings = ofService[r.id]
		case "offering":
			ch.Offering = byOffering[r.id]
			ch.Service = byService[ch.Offering.ServiceID]
		case "price":
			ch.Offering = byOffering[r.offerID]
			ch.Service = byService[ch.Offering.ServiceID]
			i := slices.IndexFunc(ch.Offering.Plans, func(p RatePlan) bool { return p.ID == r.id })
			if i < 0 {
				continue
			}
			ch.Plan = ch.Offering.Plans[i]
		}
		changes = append(changes, ch)
	}
	for _, fn := range obs {
		if err := fn(ctx, a.tx, changes); err != nil {
			return err
		}
	}
	return nil
}

// FamilyCounts counts the services of each family that are not retired,
// as tx sees them: an apply observer learns from it which families the
// catalog now uses.
func FamilyCounts(ctx context.Context, tx *db.Tx) (map[string]int, error) {
	rows, err := tx.Query(ctx, "SELECT family, COUNT(*) FROM services WHERE lifecycle <> 'retired' GROUP BY family")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var family string
		var n int
		if err := rows.Scan(&family, &n); err != nil {
			return nil, err
		}
		out[family] = n
	}
	return out, rows.Err()
}

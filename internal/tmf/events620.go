package tmf

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// TMF620's catalog events, told from an applied catalog file: a new
// service, offering or price is a CreateEvent; a changed lifecycle a
// StateChangeEvent (for a price, its status moving between Approved,
// Launched and Retired); any other changed attribute an
// AttributeValueChangeEvent. Applying never deletes: a service or offering
// ends by being retired (lifecycle: retired), which is told as its
// StateChangeEvent and its DeleteEvent (a retired offering's prices get
// theirs too, and so do a retired service's offerings that were not
// retired, with their prices: they leave the catalog with it); it stays
// readable, as Obsolete. One that comes back (its lifecycle no longer
// retired) is told as a CreateEvent, as are the offerings and prices that
// come back with it, for a listener that deleted them. A file that leaves a
// service out changes nothing and tells of nothing.
//
// A category is a service family with a service that is not retired: the
// first such service of a family brings a CategoryCreateEvent, the last
// one leaving (retired, or moved to another family) a CategoryDeleteEvent,
// and either changes the catalog's category list, a
// CatalogAttributeValueChangeEvent on "category". The one catalog is never
// created nor deleted, and categories' names and statuses do not change.
// The events are written in the apply's transaction, so a refused or
// dry-run apply tells of nothing.

// The events of each TMF620 resource: create, attribute value change,
// state change, delete.
var (
	specificationEvents = resourceEvents("ProductSpecification", "product_specification")
	offeringEvents      = resourceEvents("ProductOffering", "product_offering")
	priceEvents         = resourceEvents("ProductOfferingPrice", "product_offering_price")
	categoryCreate      = event{"CategoryCreateEvent", "tmf.category.create"}
	categoryDelete      = event{"CategoryDeleteEvent", "tmf.category.delete"}
	catalogChange       = event{"CatalogAttributeValueChangeEvent", "tmf.catalog.attribute_value_change"}
	catalogEvents       = slices.Concat(specificationEvents, offeringEvents, priceEvents, []event{categoryCreate, categoryDelete, catalogChange})
)

const (
	createEvent = iota
	attributeEvent
	stateEvent
	deleteEvent
)

func resourceEvents(resource, engage string) []event {
	return []event{{resource + "CreateEvent", "tmf." + engage + ".create"},
		{resource + "AttributeValueChangeEvent", "tmf." + engage + ".attribute_value_change"},
		{resource + "StateChangeEvent", "tmf." + engage + ".state_change"},
		{resource + "DeleteEvent", "tmf." + engage + ".delete"}}
}

// CatalogObserver is the catalog's apply observer that publishes TMF620's
// events.
func (pub Publisher) CatalogObserver() catalog.ApplyObserver { return pub.catalogApplied }

// catalogEvent is one TMF620 event to publish; its subject is the TMF id
// of its resource, so that each event of an apply has an eventId of its
// own.
type catalogEvent struct {
	e         event
	subject   string
	title     string
	link      string
	fieldPath string // an AttributeValueChangeEvent's changed field, when told
	key       string
	resource  any
}

func (pub Publisher) catalogApplied(ctx context.Context, tx *db.Tx, changes []catalog.Applied) error {
	types := make([]string, len(catalogEvents))
	for i, e := range catalogEvents {
		types[i] = e.engage
	}
	heard, err := pub.Notify.Subscribed(ctx, tx, types)
	if err != nil || len(heard) == 0 {
		return err
	}
	today := catalog.DateOf(pub.Clock.Now())
	var out []catalogEvent
	for _, ch := range changes {
		out = append(out, catalogChangeEvents(ch, today)...)
	}
	if heard[categoryCreate.engage] || heard[categoryDelete.engage] || heard[catalogChange.engage] {
		more, err := familyEvents(ctx, tx, changes)
		if err != nil {
			return err
		}
		out = append(out, more...)
	}
	told := map[string]bool{} // an offering back with its service and by itself is created once
	for _, ev := range out {
		if !heard[ev.e.engage] || told[ev.e.engage+" "+ev.subject] {
			continue
		}
		told[ev.e.engage+" "+ev.subject] = true
		if err := pub.publishField(ctx, tx, ev.e, ev.subject, ev.title, ev.link, ev.fieldPath, ev.key, ev.resource); err != nil {
			return err
		}
	}
	return nil
}

// familyEvents are the category and catalog events of an apply: the
// families it brought into use or left without a service that is not
// retired.
func familyEvents(ctx context.Context, tx *db.Tx, changes []catalog.Applied) ([]catalogEvent, error) {
	after, err := catalog.FamilyCounts(ctx, tx)
	if err != nil {
		return nil, err
	}
	before := maps.Clone(after)
	for _, ch := range changes {
		if ch.Kind != "service" {
			continue
		}
		if ch.Service.Lifecycle != "retired" {
			before[ch.Service.Family]--
		}
		if ch.Action == catalog.ActionUpdate && ch.BeforeService.Lifecycle != "retired" {
			before[ch.BeforeService.Family]++
		}
	}
	var out []catalogEvent
	var told []string
	for _, f := range catalog.Families {
		was, is := before[f.Value] > 0, after[f.Value] > 0
		ev := catalogEvent{subject: f.Value, link: "/catalog", key: "category", resource: category(f)}
		switch {
		case is && !was:
			ev.e, ev.title = categoryCreate, "Category "+f.Label+" added: its first service is in the catalog"
		case was && !is:
			ev.e, ev.title = categoryDelete, "Category "+f.Label+" removed: no service of the catalog is left in it"
		default:
			continue
		}
		out = append(out, ev)
		told = append(told, ev.title)
	}
	if len(out) > 0 {
		inUse := map[string]bool{}
		for f, n := range after {
			inUse[f] = n > 0
		}
		out = append(out, catalogEvent{e: catalogChange, subject: catalogID, title: "Catalog categories changed: " + strings.Join(told, "; "),
			link: "/catalog", fieldPath: "category", key: "catalog", resource: catalogResource(inUse)})
	}
	return out, nil
}

// kinds of change an update makes: its lifecycle, other attributes.
func updateKinds(fields []string) (state, attributes bool) {
	for _, f := range fields {
		if f == "lifecycle" {
			state = true
		} else {
			attributes = true
		}
	}
	return state, attributes
}

// catalogChangeEvents are the TMF620 events of one applied change.
func catalogChangeEvents(ch catalog.Applied, today catalog.Date) []catalogEvent {
	var events []event
	var name, link, key string
	var subjects []string
	var resources []any
	switch ch.Kind {
	case "service":
		events, name, key = specificationEvents, "Service "+ch.Service.Name, "productSpecification"
		spec := specification(ch.Service)
		subjects, resources = []string{spec.ID}, []any{spec}
	case "offering":
		events, name, key = offeringEvents, "Offering "+ch.Offering.Name, "productOffering"
		po := offering(ch.Offering, ch.Service)
		subjects, resources = []string{po.ID}, []any{po}
	case "price":
		events, name, key = priceEvents, "Price of "+ch.Offering.Name+" from "+ch.Plan.EffectiveFrom.String(), "productOfferingPrice"
		for _, pop := range prices(ch.Offering, ch.Plan, today) {
			subjects, resources = append(subjects, pop.ID), append(resources, pop)
		}
	default:
		return nil
	}
	link = "/catalog/" + ch.Service.Slug
	var which []int
	var titles []string
	switch {
	case ch.Action == catalog.ActionCreate:
		which, titles = []int{createEvent}, []string{name + " added"}
	case ch.Kind == "price":
		which, titles = []int{attributeEvent}, []string{name + " changed: " + strings.Join(ch.Fields, ", ")}
		if planStatus(ch.Before, today) != planStatus(ch.Plan, today) {
			which, titles = append(which, stateEvent), append(titles, name+" is "+planStatus(ch.Plan, today))
		}
	case leftOrBack(ch) > 0: // back from retirement: created again, for a listener that deleted it
		which, titles = []int{createEvent}, []string{name + " is back in the catalog"}
	default:
		state, attributes := updateKinds(ch.Fields)
		if attributes {
			var fields []string
			for _, f := range ch.Fields {
				if f != "lifecycle" {
					fields = append(fields, f)
				}
			}
			which, titles = append(which, attributeEvent), append(titles, name+" changed: "+strings.Join(fields, ", "))
		}
		if state {
			lifecycle := ch.Offering.Lifecycle
			if ch.Kind == "service" {
				lifecycle = ch.Service.Lifecycle
			}
			which, titles = append(which, stateEvent), append(titles, name+" is "+lifecycleStatus(lifecycle))
			if lifecycle == "retired" {
				which, titles = append(which, deleteEvent), append(titles, name+" retired: no longer offered")
			}
		}
	}
	var out []catalogEvent
	for i, w := range which {
		for j, res := range resources {
			out = append(out, catalogEvent{e: events[w], subject: subjects[j], title: titles[i], link: link, key: key, resource: res})
		}
	}
	move := leftOrBack(ch)
	if move == 0 {
		return out
	}
	w, title := deleteEvent, " retired with its service"
	if move > 0 {
		w, title = createEvent, " is back with its service"
	}
	if ch.Kind == "offering" { // its prices go or come back with it
		return append(out, pricesMoved(ch.Offering, ch.Service, w, today)...)
	}
	for _, o := range ch.Offerings { // the service's offerings that are not retired go or come back with it
		if o.Lifecycle != "retired" {
			po := offering(o, ch.Service)
			out = append(out, catalogEvent{e: offeringEvents[w], subject: po.ID, title: "Offering " + o.Name + title, link: link,
				key: "productOffering", resource: po})
			out = append(out, pricesMoved(o, ch.Service, w, today)...)
		}
	}
	return out
}

// leftOrBack says whether an updated service or offering left the catalog
// (-1: retired) or came back to it (1: no longer retired); 0 otherwise.
func leftOrBack(ch catalog.Applied) int {
	was, is := ch.BeforeService.Lifecycle, ch.Service.Lifecycle
	if ch.Kind == "offering" {
		was, is = ch.BeforeOffering.Lifecycle, ch.Offering.Lifecycle
	}
	switch {
	case ch.Action != catalog.ActionUpdate || ch.Kind == "price" || (was == "retired") == (is == "retired"):
		return 0
	case is == "retired":
		return -1
	}
	return 1
}

// pricesMoved are the DeleteEvents (w is deleteEvent) or CreateEvents
// (createEvent) of the prices of an offering that left the catalog or came
// back to it.
func pricesMoved(o catalog.Offering, s catalog.Service, w int, today catalog.Date) []catalogEvent {
	how := " retired with its offering"
	if w == createEvent {
		how = " back with its offering"
	}
	var out []catalogEvent
	for _, plan := range o.Plans {
		for _, pop := range prices(o, plan, today) {
			out = append(out, catalogEvent{e: priceEvents[w], subject: pop.ID, link: "/catalog/" + s.Slug, key: "productOfferingPrice", resource: pop,
				title: "Price of " + o.Name + " from " + plan.EffectiveFrom.String() + how})
		}
	}
	return out
}

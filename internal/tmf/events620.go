package tmf

import (
	"context"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// TMF620's catalog events, told from an applied catalog file: a new
// service, offering or price is a CreateEvent; a changed lifecycle a
// StateChangeEvent (for a price, its status moving between Approved,
// Launched and Retired); any other changed attribute an
// AttributeValueChangeEvent. Applying never deletes, so there are no
// DeleteEvents: a service or offering ends by being retired, a
// StateChangeEvent. The events are written in the apply's transaction, so a
// refused or dry-run apply tells of nothing.

// The events of each TMF620 resource: create, attribute value change,
// state change.
var (
	specificationEvents = resourceEvents("ProductSpecification", "product_specification")
	offeringEvents      = resourceEvents("ProductOffering", "product_offering")
	priceEvents         = resourceEvents("ProductOfferingPrice", "product_offering_price")
	catalogEvents       = slices.Concat(specificationEvents, offeringEvents, priceEvents)
)

const (
	createEvent = iota
	attributeEvent
	stateEvent
)

func resourceEvents(resource, engage string) []event {
	return []event{{resource + "CreateEvent", "tmf." + engage + ".create"},
		{resource + "AttributeValueChangeEvent", "tmf." + engage + ".attribute_value_change"},
		{resource + "StateChangeEvent", "tmf." + engage + ".state_change"}}
}

// CatalogObserver is the catalog's apply observer that publishes TMF620's
// events.
func (pub Publisher) CatalogObserver() catalog.ApplyObserver { return pub.catalogApplied }

// catalogEvent is one TMF620 event to publish; its subject is the TMF id
// of its resource, so that each event of an apply has an eventId of its
// own.
type catalogEvent struct {
	e        event
	subject  string
	title    string
	link     string
	key      string
	resource any
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
	for _, ev := range out {
		if !heard[ev.e.engage] {
			continue
		}
		if err := pub.publish(ctx, tx, ev.e, ev.subject, ev.title, ev.link, ev.key, ev.resource); err != nil {
			return err
		}
	}
	return nil
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
			status := lifecycleStatus(ch.Offering.Lifecycle)
			if ch.Kind == "service" {
				status = lifecycleStatus(ch.Service.Lifecycle)
			}
			which, titles = append(which, stateEvent), append(titles, name+" is "+status)
		}
	}
	var out []catalogEvent
	for i, w := range which {
		for j, res := range resources {
			out = append(out, catalogEvent{e: events[w], subject: subjects[j], title: titles[i], link: link, key: key, resource: res})
		}
	}
	return out
}

package tmf

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// TMF620 Product Catalog Management, read only (the catalog file stays the
// way to change the catalog):
//
//	catalog               one, "engage", holding every category
//	category              a service family ("network", "compute"…) with a
//	                      service that is not retired
//	productSpecification  a service
//	productOffering       an offering
//	productOfferingPrice  a rate plan; a plan with several charges (a
//	                      one-time fee, a monthly fee, a price per unit, or
//	                      tiers) is a bundle of one price per charge, with
//	                      ids "<plan>-1", "<plan>-2"…
//
// Each lists only what the caller may see of the catalog.

// catalogID is the id of Engage's one catalog.
const catalogID = "engage"

func (h *Handler) routeCatalog() {
	b := CatalogBase
	h.handle(http.MethodGet, b+"/catalog", h.listCatalogs)
	h.handle(http.MethodGet, b+"/catalog/{id}", h.getCatalog)
	h.handle(http.MethodGet, b+"/category", h.listCategories)
	h.handle(http.MethodGet, b+"/category/{id}", h.getCategory)
	h.handle(http.MethodGet, b+"/productSpecification", h.listSpecifications)
	h.handle(http.MethodGet, b+"/productSpecification/{id}", h.getSpecification)
	h.handle(http.MethodGet, b+"/productOffering", h.listOfferings)
	h.handle(http.MethodGet, b+"/productOffering/{id}", h.getOffering)
	h.handle(http.MethodGet, b+"/productOfferingPrice", h.listPrices)
	h.handle(http.MethodGet, b+"/productOfferingPrice/{id}", h.getPrice)
	h.routeHub(b, catalogEvents)
}

// lifecycleStatus is the TMF620 status of an Engage lifecycle.
func lifecycleStatus(l string) string {
	switch l {
	case "planned":
		return "In Design"
	case "pilot":
		return "In Test"
	case "live":
		return "Launched"
	case "retiring":
		return "Retired"
	}
	return "Obsolete"
}

// Ref is a reference to another resource.
type Ref struct {
	ID           string `json:"id"`
	Href         string `json:"href,omitempty"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"role,omitempty"`
	ReferredType string `json:"@referredType,omitempty"`
}

// TimePeriod is TMF's validFor.
type TimePeriod struct {
	Start string `json:"startDateTime,omitempty"`
	End   string `json:"endDateTime,omitempty"`
}

// Money is an amount in a currency, its value an exact JSON number.
type Money struct {
	Unit  string      `json:"unit"`
	Value json.Number `json:"value"`
}

// Quantity is TMF's unitOfMeasure.
type Quantity struct {
	Amount json.Number `json:"amount"`
	Units  string      `json:"units"`
}

// CatalogResource is TMF620's Catalog.
type CatalogResource struct {
	ID              string `json:"id"`
	Href            string `json:"href"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	CatalogType     string `json:"catalogType"`
	LifecycleStatus string `json:"lifecycleStatus"`
	Category        []Ref  `json:"category"`
	Type            string `json:"@type"`
}

// Category is TMF620's Category.
type Category struct {
	ID              string `json:"id"`
	Href            string `json:"href"`
	Name            string `json:"name"`
	IsRoot          bool   `json:"isRoot"`
	LifecycleStatus string `json:"lifecycleStatus"`
	Type            string `json:"@type"`
}

// ProductSpecification is TMF620's ProductSpecification.
type ProductSpecification struct {
	ID              string `json:"id"`
	Href            string `json:"href"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	Brand           string `json:"brand,omitempty"`
	ProductNumber   string `json:"productNumber"`
	IsBundle        bool   `json:"isBundle"`
	LifecycleStatus string `json:"lifecycleStatus"`
	LastUpdate      string `json:"lastUpdate"`
	Version         string `json:"version"`
	RelatedParty    []Ref  `json:"relatedParty,omitempty"`
	Type            string `json:"@type"`
}

// ProductOffering is TMF620's ProductOffering.
type ProductOffering struct {
	ID                   string `json:"id"`
	Href                 string `json:"href"`
	Name                 string `json:"name"`
	Description          string `json:"description,omitempty"`
	IsBundle             bool   `json:"isBundle"`
	IsSellable           bool   `json:"isSellable"`
	LifecycleStatus      string `json:"lifecycleStatus"`
	LastUpdate           string `json:"lastUpdate"`
	Version              string `json:"version"`
	Category             []Ref  `json:"category"`
	ProductSpecification Ref    `json:"productSpecification"`
	ProductOfferingPrice []Ref  `json:"productOfferingPrice"`
	Type                 string `json:"@type"`
}

// ProductOfferingPrice is TMF620's ProductOfferingPrice.
type ProductOfferingPrice struct {
	ID                          string      `json:"id"`
	Href                        string      `json:"href"`
	Name                        string      `json:"name"`
	Description                 string      `json:"description,omitempty"`
	IsBundle                    bool        `json:"isBundle"`
	LifecycleStatus             string      `json:"lifecycleStatus"`
	PriceType                   string      `json:"priceType,omitempty"`
	RecurringChargePeriodType   string      `json:"recurringChargePeriodType,omitempty"`
	RecurringChargePeriodLength int         `json:"recurringChargePeriodLength,omitempty"`
	Price                       *Money      `json:"price,omitempty"`
	UnitOfMeasure               *Quantity   `json:"unitOfMeasure,omitempty"`
	ValidFor                    *TimePeriod `json:"validFor,omitempty"`
	BundledPopRelationship      []Ref       `json:"bundledPopRelationship,omitempty"`
	Type                        string      `json:"@type"`

	offeringID int64
}

// catalogResource is the catalog holding the categories in use.
func catalogResource(inUse map[string]bool) CatalogResource {
	c := CatalogResource{ID: catalogID, Href: href(CatalogBase, "catalog", catalogID), Name: "Engage service catalog",
		Description: "The IT services the organisation offers, by family.", CatalogType: "productCatalog", LifecycleStatus: "Launched",
		Category: []Ref{}, Type: "Catalog"}
	for _, f := range catalog.Families {
		if inUse[f.Value] {
			c.Category = append(c.Category, Ref{ID: f.Value, Href: href(CatalogBase, "category", f.Value), Name: f.Label})
		}
	}
	return c
}

// familiesSeen are the families of the services the caller sees that are
// not retired: the categories it is shown.
func (h *Handler) familiesSeen(r *http.Request, p *access.Principal) (map[string]bool, error) {
	out := map[string]bool{}
	err := h.Catalog.EachService(r.Context(), p, func(s catalog.Service) bool {
		if s.Lifecycle != "retired" {
			out[s.Family] = true
		}
		return true
	})
	return out, err
}

func (h *Handler) listCatalogs(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, []string{"id", "name", "lifecycleStatus"})
	if err != nil {
		return err
	}
	inUse, err := h.familiesSeen(r, p)
	if err != nil {
		return err
	}
	pg := page[CatalogResource]{q: q}
	if c := catalogResource(inUse); q.matches(func(name string) string {
		return map[string]string{"id": c.ID, "name": c.Name, "lifecycleStatus": c.LifecycleStatus}[name]
	}) {
		pg.add(c)
	}
	return writeList(w, q, pg.total, pg.items, func(c CatalogResource) any { return c })
}

func (h *Handler) getCatalog(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	if r.PathValue("id") != catalogID {
		return engage.Errorf(engage.ENOTFOUND, "There is no catalog %s; Engage has one, %q.", r.PathValue("id"), catalogID)
	}
	inUse, err := h.familiesSeen(r, p)
	if err != nil {
		return err
	}
	return writeOne(w, r, catalogResource(inUse))
}

// writeOne answers one resource, cut to the requested fields.
func writeOne(w http.ResponseWriter, r *http.Request, v any) error {
	q, err := parseList(r, nil)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := appendFields(&buf, v, q.fields); err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, buf.Bytes())
	return nil
}

func category(f catalog.Choice) Category {
	return Category{ID: f.Value, Href: href(CatalogBase, "category", f.Value), Name: f.Label, IsRoot: true, LifecycleStatus: "Launched", Type: "Category"}
}

func (h *Handler) listCategories(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, []string{"id", "name", "lifecycleStatus"})
	if err != nil {
		return err
	}
	inUse, err := h.familiesSeen(r, p)
	if err != nil {
		return err
	}
	pg := page[Category]{q: q}
	for _, f := range catalog.Families {
		c := category(f)
		if inUse[f.Value] && q.matches(func(name string) string {
			return map[string]string{"id": c.ID, "name": c.Name, "lifecycleStatus": c.LifecycleStatus}[name]
		}) {
			pg.add(c)
		}
	}
	return writeList(w, q, pg.total, pg.items, func(c Category) any { return c })
}

func (h *Handler) getCategory(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	inUse, err := h.familiesSeen(r, p)
	if err != nil {
		return err
	}
	for _, f := range catalog.Families {
		if f.Value == r.PathValue("id") && inUse[f.Value] {
			return writeOne(w, r, category(f))
		}
	}
	return engage.Errorf(engage.ENOTFOUND, "There is no category %s: a category is a service family with a service in the catalog.", r.PathValue("id"))
}

func specification(s catalog.Service) ProductSpecification {
	id := strconv.FormatInt(s.ID, 10)
	ps := ProductSpecification{ID: id, Href: href(CatalogBase, "productSpecification", id), Name: s.Name, Description: s.Summary,
		Brand: s.Vendor, ProductNumber: s.Slug, LifecycleStatus: lifecycleStatus(s.Lifecycle), LastUpdate: dateTime(s.UpdatedAt),
		Version: strconv.Itoa(s.Version), Type: "ProductSpecification"}
	if s.OwnerID != 0 {
		ps.RelatedParty = []Ref{{ID: strconv.FormatInt(s.OwnerID, 10), Name: s.OwnerName, Role: "owner", ReferredType: "Individual"}}
	}
	return ps
}

var specificationFilters = []string{"id", "name", "lifecycleStatus", "brand", "productNumber", "category.id", "lastUpdate"}

func (h *Handler) listSpecifications(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, specificationFilters)
	if err != nil {
		return err
	}
	pg := page[catalog.Service]{q: q}
	err = h.Catalog.EachService(r.Context(), p, func(s catalog.Service) bool {
		if q.matches(func(name string) string {
			switch name {
			case "id":
				return strconv.FormatInt(s.ID, 10)
			case "name":
				return s.Name
			case "lifecycleStatus":
				return lifecycleStatus(s.Lifecycle)
			case "brand":
				return s.Vendor
			case "productNumber":
				return s.Slug
			case "category.id":
				return s.Family
			case "lastUpdate":
				return dateTime(s.UpdatedAt)
			}
			return ""
		}) {
			pg.add(s)
		}
		return true
	})
	if err != nil {
		return err
	}
	return writeList(w, q, pg.total, pg.items, func(s catalog.Service) any { return specification(s) })
}

func (h *Handler) getSpecification(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return engage.Errorf(engage.ENOTFOUND, "There is no product specification %s.", r.PathValue("id"))
	}
	d, err := h.Catalog.FindService(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeOne(w, r, specification(d.Service))
}

func offeringRef(o catalog.Offering) Ref {
	id := strconv.FormatInt(o.ID, 10)
	return Ref{ID: id, Href: href(CatalogBase, "productOffering", id), Name: o.Name}
}

func offering(o catalog.Offering, s catalog.Service) ProductOffering {
	id := strconv.FormatInt(o.ID, 10)
	sid := strconv.FormatInt(s.ID, 10)
	po := ProductOffering{ID: id, Href: href(CatalogBase, "productOffering", id), Name: o.Name, Description: o.Description,
		IsSellable: catalog.Orderable(o.Lifecycle) && catalog.Orderable(s.Lifecycle), LifecycleStatus: lifecycleStatus(o.Lifecycle),
		LastUpdate: dateTime(o.UpdatedAt), Version: strconv.Itoa(o.Version),
		Category:             []Ref{{ID: s.Family, Href: href(CatalogBase, "category", s.Family), Name: catalog.Label(catalog.Families, s.Family)}},
		ProductSpecification: Ref{ID: sid, Href: href(CatalogBase, "productSpecification", sid), Name: s.Name},
		ProductOfferingPrice: make([]Ref, 0, len(o.Plans)), Type: "ProductOffering"}
	for _, plan := range o.Plans {
		pid := strconv.FormatInt(plan.ID, 10)
		po.ProductOfferingPrice = append(po.ProductOfferingPrice, Ref{ID: pid, Href: href(CatalogBase, "productOfferingPrice", pid), Name: planName(plan)})
	}
	return po
}

var offeringFilters = []string{"id", "name", "lifecycleStatus", "isSellable", "category.id", "productSpecification.id", "lastUpdate"}

// offeringAttr is the value of a filterable attribute of an offering.
func offeringAttr(o *catalog.Offering, s *catalog.Service, name string) string {
	switch name {
	case "id":
		return strconv.FormatInt(o.ID, 10)
	case "name":
		return o.Name
	case "lifecycleStatus":
		return lifecycleStatus(o.Lifecycle)
	case "isSellable":
		return strconv.FormatBool(catalog.Orderable(o.Lifecycle) && catalog.Orderable(s.Lifecycle))
	case "category.id":
		return s.Family
	case "productSpecification.id":
		return strconv.FormatInt(s.ID, 10)
	case "lastUpdate":
		return dateTime(o.UpdatedAt)
	}
	return ""
}

type offeringOf struct {
	o catalog.Offering
	s catalog.Service
}

func (h *Handler) listOfferings(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, offeringFilters)
	if err != nil {
		return err
	}
	pg := page[offeringOf]{q: q}
	err = h.Catalog.EachOffering(r.Context(), p, func(o *catalog.Offering, s *catalog.Service) bool {
		if !q.filtered() || q.matches(func(name string) string { return offeringAttr(o, s, name) }) {
			if pg.wanted() {
				pg.add(offeringOf{*o, *s})
			} else {
				pg.total++
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	return writeList(w, q, pg.total, pg.items, func(x offeringOf) any { return offering(x.o, x.s) })
}

func (h *Handler) getOffering(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return engage.Errorf(engage.ENOTFOUND, "There is no product offering %s.", r.PathValue("id"))
	}
	o, s, err := h.Catalog.FindOffering(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeOne(w, r, offering(o, s))
}

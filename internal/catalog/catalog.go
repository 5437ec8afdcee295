// Package catalog is Engage's service catalog: services and their orderable
// offerings with rate plans, instant quotes, orders and the subscriptions
// they become, and announcements. The Service applies the rules —
// authorisation, validation, audience, optimistic locking, audit — once,
// above the SQL in store.go.
//
// Decisions:
//   - Everyone signed in reads the catalog, but a service offered to some
//     departments, locations or functions only is visible to those people
//     (a department audience includes the departments below it), and to
//     admins, service owners, finance and the portfolio board.
//   - Admins change any service; a service owner creates services (becoming
//     their owner) and changes the services they own.
//   - A price change is a new rate plan from a date. Adding a plan that
//     starts after the start of the open-ended current plan closes the
//     current plan on that date; any other overlap is refused. A plan may not
//     start before today when it would overlap an existing plan, so prices
//     already charged are never rewritten.
//   - Quotes price each line with the plan effective on the quote's date,
//     in one currency per quote; monthly, one-time and whole-term totals
//     (one-time + months × monthly) are kept exactly and shown rounded to
//     the currency's minor unit. A quote is valid for 30 days.
//   - New services, offerings or orders can only use offerings that are
//     live or in pilot, of services that are live or in pilot.
package catalog

import (
	"cmp"
	"strings"

	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/rating"
)

// Enumerations of a service, each with its plain-words label.
var (
	Kinds = []Choice{{"business", "Business service"}, {"technical", "Technical service"}, {"application", "Application"}}
	// Families: CIT infrastructure towers first, then enterprise infrastructure.
	Families = []Choice{
		{"network", "Network"}, {"compute", "Compute"}, {"storage", "Storage"}, {"hosting", "Hosting"},
		{"end-user-devices", "End-user devices"}, {"messaging", "Messaging"}, {"collaboration", "Collaboration"},
		{"search", "Search"}, {"client-computing", "Client computing"}, {"identity", "Identity and access"},
		{"data", "Data and analytics"}, {"security", "Security"}, {"business-applications", "Business applications"},
		{"support", "Support"},
	}
	Sourcings         = []Choice{{"built", "Built in-house"}, {"bought", "Bought as a service"}, {"brokered", "Brokered from a vendor"}}
	Lifecycles        = []Choice{{"planned", "Planned"}, {"pilot", "Pilot"}, {"live", "Live"}, {"retiring", "Retiring"}, {"retired", "Retired"}}
	DeliveryModels    = []Choice{{"cloud", "Cloud"}, {"legacy", "Legacy"}}
	DataClasses       = []Choice{{"public", "Public"}, {"internal", "Internal"}, {"confidential", "Confidential"}, {"restricted", "Restricted"}}
	ArchStatuses      = []Choice{{"standard", "Standard"}, {"approved", "Approved"}, {"tolerated", "Tolerated"}, {"sunset", "Sunset"}}
	AnnouncementKinds = []Choice{{"launch", "Launch"}, {"change", "Change"}, {"retirement", "Retirement"}, {"news", "News"}}
)

// Choice is one allowed value and its label.
type Choice struct {
	Value, Label string
}

// Label returns the label of value in choices, or value itself.
func Label(choices []Choice, value string) string {
	for _, c := range choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

func valid(choices []Choice, value string) bool {
	for _, c := range choices {
		if c.Value == value {
			return true
		}
	}
	return false
}

// Orderable reports whether a lifecycle allows new orders.
func Orderable(lifecycle string) bool { return lifecycle == "live" || lifecycle == "pilot" }

// SLA is what a service promises.
type SLA struct {
	Availability string `json:"availability,omitempty" yaml:"availability,omitempty" doc:"Percentage, e.g. 99.9"`
	SupportHours string `json:"support_hours,omitempty" yaml:"support_hours,omitempty" doc:"e.g. 24x7 or Mon-Fri 08:00-18:00"`
	LeadTimeDays int    `json:"lead_time_days,omitempty" yaml:"lead_time_days,omitempty" doc:"Provisioning lead time in working days"`
}

// Link is a titled URL on a service page.
type Link struct {
	Title string `json:"title" yaml:"title"`
	URL   string `json:"url" yaml:"url"`
}

// AudienceRef is one department, location or function a service or
// announcement is meant for.
type AudienceRef struct {
	Kind string `json:"kind" enum:"department,location,function,community" yaml:"kind" doc:"community only for announcements"`
	ID   int64  `json:"id" yaml:"id"`
	Name string `json:"name,omitempty" yaml:"-" readOnly:"true"`
}

// Service is something IT provides.
type Service struct {
	ID            int64         `json:"id"`
	Slug          string        `json:"slug"`
	Name          string        `json:"name"`
	Summary       string        `json:"summary"`
	Description   string        `json:"description" doc:"Markdown"`
	Kind          string        `json:"kind"`
	Family        string        `json:"family"`
	OwnerID       int64         `json:"owner_id,omitempty"`
	OwnerName     string        `json:"owner_name,omitempty"`
	Sourcing      string        `json:"sourcing"`
	Vendor        string        `json:"vendor,omitempty"`
	Lifecycle     string        `json:"lifecycle"`
	DeliveryModel string        `json:"delivery_model"`
	DataCeiling   string        `json:"data_ceiling"`
	ArchStatus    string        `json:"arch_status"`
	SLA           SLA           `json:"sla"`
	AudienceAll   bool          `json:"audience_all"`
	Audience      []AudienceRef `json:"audience" nullable:"false"`
	Tags          []string      `json:"tags" nullable:"false"`
	Links         []Link        `json:"links" nullable:"false"`
	Version       int           `json:"version"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// ServiceInput is what may be set on a service.
type ServiceInput struct {
	Slug          string        `json:"slug,omitempty" doc:"URL name; made from the name when empty"`
	Name          string        `json:"name"`
	Summary       string        `json:"summary,omitempty"`
	Description   string        `json:"description,omitempty"`
	Kind          string        `json:"kind" enum:"business,technical,application"`
	Family        string        `json:"family"`
	OwnerID       int64         `json:"owner_id,omitempty"`
	Sourcing      string        `json:"sourcing" enum:"built,bought,brokered"`
	Vendor        string        `json:"vendor,omitempty"`
	Lifecycle     string        `json:"lifecycle" enum:"planned,pilot,live,retiring,retired"`
	DeliveryModel string        `json:"delivery_model" enum:"legacy,cloud"`
	DataCeiling   string        `json:"data_ceiling" enum:"public,internal,confidential,restricted"`
	ArchStatus    string        `json:"arch_status" enum:"standard,approved,tolerated,sunset"`
	SLA           SLA           `json:"sla,omitempty"`
	AudienceAll   bool          `json:"audience_all"`
	Audience      []AudienceRef `json:"audience,omitempty"`
	Tags          []string      `json:"tags,omitempty"`
	Links         []Link        `json:"links,omitempty"`
}

// Input returns the editable part of s.
func (s Service) Input() ServiceInput {
	aud := make([]AudienceRef, len(s.Audience))
	for i, a := range s.Audience {
		aud[i] = AudienceRef{Kind: a.Kind, ID: a.ID}
	}
	return ServiceInput{Slug: s.Slug, Name: s.Name, Summary: s.Summary, Description: s.Description, Kind: s.Kind, Family: s.Family,
		OwnerID: s.OwnerID, Sourcing: s.Sourcing, Vendor: s.Vendor, Lifecycle: s.Lifecycle, DeliveryModel: s.DeliveryModel,
		DataCeiling: s.DataCeiling, ArchStatus: s.ArchStatus, SLA: s.SLA, AudienceAll: s.AudienceAll, Audience: aud,
		Tags: s.Tags, Links: s.Links}
}

// Offering is an orderable option of a service.
type Offering struct {
	ID           int64      `json:"id"`
	ServiceID    int64      `json:"service_id"`
	ServiceName  string     `json:"service_name,omitempty"`
	Slug         string     `json:"slug"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	Lifecycle    string     `json:"lifecycle"`
	LeadTimeDays int        `json:"lead_time_days"`
	UnitName     string     `json:"unit_name,omitempty" doc:"What one unit is, such as GB or VM; empty: a unit"`
	Position     int        `json:"position"`
	Plans        []RatePlan `json:"rate_plans" nullable:"false"`
	Version      int        `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// OfferingInput is what may be set on an offering.
type OfferingInput struct {
	Slug         string `json:"slug,omitempty"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	Lifecycle    string `json:"lifecycle" enum:"planned,pilot,live,retiring,retired"`
	LeadTimeDays int    `json:"lead_time_days,omitempty" minimum:"0"`
	UnitName     string `json:"unit_name,omitempty" maxLength:"30" doc:"What one unit is, such as GB or VM, for prices that read per GB-month"`
	Position     int    `json:"position,omitempty"`
}

// Input returns the editable part of o.
func (o Offering) Input() OfferingInput {
	return OfferingInput{Slug: o.Slug, Name: o.Name, Description: o.Description, Lifecycle: o.Lifecycle, LeadTimeDays: o.LeadTimeDays, UnitName: o.UnitName, Position: o.Position}
}

// Tier is one price band of a rate plan, as stored and sent.
type Tier struct {
	UpTo      *decimal.Decimal `json:"up_to,omitempty" yaml:"up_to,omitempty" doc:"Upper bound of the band (a quantity: below 10^15, at most 6 decimal places); absent on the last, open-ended band"`
	UnitPrice decimal.Decimal  `json:"unit_price" yaml:"unit_price" doc:"0 or more, below 10^12, at most 10 decimal places; kept at full precision"`
}

// RatePlan is the price of an offering from a date.
type RatePlan struct {
	ID            int64           `json:"id,omitempty" readOnly:"true"`
	Currency      string          `json:"currency" yaml:"currency" doc:"ISO 4217, one of the currencies the organisation uses"`
	Unit          string          `json:"unit" enum:"person-month,unit-month,unit-hour,request,unit,fixed-month,one-time" yaml:"unit"`
	TierMode      string          `json:"tier_mode,omitempty" enum:"graduated,volume," yaml:"tier_mode,omitempty"`
	UnitPrice     decimal.Decimal `json:"unit_price" yaml:"unit_price,omitempty" doc:"0 or more, below 10^12, at most 10 decimal places; kept at full precision"`
	FixedMonthly  decimal.Decimal `json:"fixed_monthly" yaml:"fixed_monthly,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	OneTime       decimal.Decimal `json:"one_time" yaml:"one_time,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	Minimum       decimal.Decimal `json:"minimum" yaml:"minimum,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	Tiers         []Tier          `json:"tiers" nullable:"false" yaml:"tiers,omitempty"`
	EffectiveFrom Date            `json:"effective_from" yaml:"effective_from"`
	EffectiveTo   *Date           `json:"effective_to,omitempty" yaml:"effective_to,omitempty"`
}

// Rating converts the plan for the rating arithmetic.
func (p RatePlan) Rating(offeringID int64) rating.RatePlan {
	r := rating.RatePlan{ID: p.ID, OfferingID: offeringID, Currency: p.Currency, Unit: rating.Unit(p.Unit), TierMode: rating.TierMode(p.TierMode),
		UnitPrice: p.UnitPrice, FixedMonthly: p.FixedMonthly, OneTime: p.OneTime, Minimum: p.Minimum, EffectiveFrom: p.EffectiveFrom.Time}
	for _, t := range p.Tiers {
		r.Tiers = append(r.Tiers, rating.Tier{UpTo: t.UpTo, UnitPrice: t.UnitPrice})
	}
	if p.EffectiveTo != nil {
		t := p.EffectiveTo.Time
		r.EffectiveTo = &t
	}
	return r
}

// UnitLabels say what a unit means to a person.
var UnitLabels = map[string]struct{ Per, Quantity string }{
	"person-month": {"per person per month", "people"},
	"unit-month":   {"per unit per month", "units"},
	"unit-hour":    {"per unit-hour", "unit-hours per month"},
	"request":      {"per request", "requests per month"},
	"unit":         {"per unit", "units per month"},
	"fixed-month":  {"per month", "instances"},
	"one-time":     {"once", "units"},
}

// UnitPer says what a price is for, naming the offering's unit when it has
// a name: "per GB-month", "per VM-hour", "per page"; a name of several words
// reads "per user licence per month". Without a name, UnitLabels' words.
func UnitPer(unit, name string) string {
	if name == "" {
		return UnitLabels[unit].Per
	}
	joined := func(period string) string {
		if strings.Contains(name, " ") {
			return "per " + name + " per " + period
		}
		return "per " + name + "-" + period
	}
	switch unit {
	case "unit-month":
		return joined("month")
	case "unit-hour":
		return joined("hour")
	case "unit":
		return "per " + name
	}
	return UnitLabels[unit].Per
}

// Quantity says qty of an offering's unit in words, naming the unit when
// the offering has a name for it, singular or plural: "1 mailbox",
// "20 mailboxes", "20 GB", "20 VM-hours per month"; without a name, the
// unit's own words ("20 people", "20 units").
func Quantity(unit, name string, qty decimal.Decimal) string {
	one := qty.Equal(decimal.NewFromInt(1))
	word := func(base string) string {
		if one {
			return base
		}
		return plural(base)
	}
	n := qty.String() + " "
	switch unit {
	case "person-month":
		if name == "" {
			return n + word("person")
		}
	case "unit-hour", "request", "unit":
		base := cmp.Or(name, map[string]string{"unit-hour": "unit", "request": "request", "unit": "unit"}[unit])
		if unit == "unit-hour" {
			base += "-hour"
			if strings.Contains(name, " ") {
				base = name + " hour"
			}
		}
		return n + word(base) + " per month"
	case "fixed-month":
		return n + word(cmp.Or(name, "instance"))
	}
	return n + word(cmp.Or(name, "unit"))
}

// plural is the plural of a unit's name: its last word takes an s (es after
// s, x, z, ch, sh; ies for a consonant's y); units of measure written in
// capitals, such as GB or TiB, stay as they are.
func plural(name string) string {
	last := name[strings.LastIndexAny(name, " -")+1:]
	lower := strings.ToLower(last)
	switch {
	case last == "" || strings.HasSuffix(last, "B") && strings.ToUpper(last[:1]) == last[:1]:
		return name
	case strings.HasSuffix(lower, "s") || strings.HasSuffix(lower, "x") || strings.HasSuffix(lower, "z") ||
		strings.HasSuffix(lower, "ch") || strings.HasSuffix(lower, "sh"):
		return name + "es"
	case len(lower) > 1 && strings.HasSuffix(lower, "y") && !strings.ContainsAny(lower[len(lower)-2:len(lower)-1], "aeiou"):
		return name[:len(name)-1] + "ies"
	case lower == "person":
		return name[:len(name)-len(last)] + "people"
	}
	return name + "s"
}

// ListFilter narrows a catalog listing.
type ListFilter struct {
	Query          string
	Kinds          []string
	Families       []string
	DeliveryModels []string
	Sourcings      []string
	Lifecycles     []string // empty: everything but retired
	OwnerID        int64
	Limit, Offset  int
}

// ServiceCard is a service as it appears in a list, with its starting price.
type ServiceCard struct {
	Service
	PriceFrom *Price   `json:"price_from,omitempty" doc:"The cheapest offering's monthly price for one unit, when it has one"`
	Offerings int      `json:"offerings"`
	Consumers int      `json:"consumers" doc:"Departments subscribed"`
	Score     float64  `json:"score,omitempty"`
	Matched   []string `json:"-"`
}

// Price is an amount in a currency with its unit, for display.
type Price struct {
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
	Unit     string          `json:"unit"`
	UnitName string          `json:"unit_name,omitempty" doc:"The offering's name for one unit, such as GB"`
}

// Page is a page of service cards with facet counts.
type Page struct {
	Cards  []ServiceCard  `json:"items" nullable:"false"`
	Total  int            `json:"total"`
	Facets map[string]int `json:"facets"`
}

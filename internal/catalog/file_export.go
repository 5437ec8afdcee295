package catalog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Export writes every service the person may see, with its offerings and
// all their prices, as a catalog file: services and offerings in slug
// order, prices by first day. Applying the export changes nothing.
func (c *Catalog) Export(ctx context.Context, p *access.Principal, w io.Writer) error {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return err
	}
	var f File
	err = c.DB.Transact(ctx, func(tx *db.Tx) error {
		f, err = exportFile(ctx, tx, v)
		return err
	})
	if err != nil {
		return err
	}
	return WriteFile(w, f)
}

func exportFile(ctx context.Context, q db.Querier, v viewer) (File, error) {
	services, err := allServices(ctx, q)
	if err != nil {
		return File{}, err
	}
	offerings, err := listOfferings(ctx, q, "")
	if err != nil {
		return File{}, err
	}
	_, codes, err := audienceCodes(ctx, q)
	if err != nil {
		return File{}, err
	}
	var owners []int64
	for _, s := range services {
		if s.OwnerID != 0 {
			owners = append(owners, s.OwnerID)
		}
	}
	_, emails, err := peopleByEmail(ctx, q, nil, owners)
	if err != nil {
		return File{}, err
	}
	meters, err := allMeters(ctx, q)
	if err != nil {
		return File{}, err
	}
	metersOf := map[int64][]Meter{}
	for _, m := range meters {
		owner := m.OfferingID
		m.OfferingID = 0
		metersOf[owner] = append(metersOf[owner], m)
	}
	ofService := map[int64][]Offering{}
	for _, o := range offerings {
		ofService[o.ServiceID] = append(ofService[o.ServiceID], o)
	}
	slices.SortFunc(services, func(a, b Service) int { return strings.Compare(a.Slug, b.Slug) })
	f := File{Name: "export"}
	for _, s := range services {
		if !v.sees(&s) {
			continue
		}
		fs := FileService{Slug: s.Slug, Name: s.Name, Summary: s.Summary, Description: s.Description, Kind: s.Kind, Family: s.Family,
			Owner: emails[s.OwnerID], Sourcing: s.Sourcing, Vendor: s.Vendor, Lifecycle: s.Lifecycle, DeliveryModel: s.DeliveryModel,
			DataCeiling: s.DataCeiling, ArchStatus: s.ArchStatus, SLA: s.SLA, Audience: FileAudience{All: s.AudienceAll},
			Tags: s.Tags, Links: s.Links}
		for _, a := range s.Audience {
			code := codes[a.Kind][a.ID]
			switch a.Kind {
			case "department":
				fs.Audience.Departments = append(fs.Audience.Departments, code)
			case "location":
				fs.Audience.Locations = append(fs.Audience.Locations, code)
			case "function":
				fs.Audience.Functions = append(fs.Audience.Functions, code)
			}
		}
		slices.Sort(fs.Audience.Departments)
		slices.Sort(fs.Audience.Locations)
		slices.Sort(fs.Audience.Functions)
		offs := ofService[s.ID]
		slices.SortFunc(offs, func(a, b Offering) int { return strings.Compare(a.Slug, b.Slug) })
		for _, o := range offs {
			fo := FileOffering{Slug: o.Slug, Name: o.Name, Description: o.Description, Lifecycle: o.Lifecycle, LeadTimeDays: o.LeadTimeDays,
				UnitName: o.UnitName, Position: o.Position}
			for _, p := range o.Plans {
				p.ID = 0
				fo.Prices = append(fo.Prices, p)
			}
			sortPlans(fo.Prices)
			fo.Meters = metersOf[o.ID]
			fs.Offerings = append(fs.Offerings, fo)
		}
		f.Services = append(f.Services, fs)
	}
	return f, nil
}

// WriteFile writes f in the catalog file format: decimals as quoted
// strings, dates as YYYY-MM-DD, empty values left out.
func WriteFile(w io.Writer, f File) error {
	root := newYAMLMap()
	root.set("apiVersion", yamlStr(FileAPIVersion))
	root.set("kind", yamlStr(FileKind))
	services := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range f.Services {
		services.Content = append(services.Content, serviceNode(s).n)
	}
	root.set("services", services)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root.n},
		HeadComment: "Engage service catalog. Check it with: engage apply -f FILE --dry-run"}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing the catalog file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("writing the catalog file: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func serviceNode(s FileService) yamlMap {
	m := newYAMLMap()
	m.set("slug", yamlStr(s.Slug))
	m.set("name", yamlStr(s.Name))
	m.opt("summary", s.Summary)
	if s.Description != "" {
		m.set("description", yamlText(s.Description))
	}
	m.set("kind", yamlStr(s.Kind))
	m.set("family", yamlStr(s.Family))
	m.opt("owner", s.Owner)
	m.set("sourcing", yamlStr(s.Sourcing))
	m.opt("vendor", s.Vendor)
	m.set("lifecycle", yamlStr(s.Lifecycle))
	m.set("delivery_model", yamlStr(s.DeliveryModel))
	m.set("data_ceiling", yamlStr(s.DataCeiling))
	m.set("arch_status", yamlStr(s.ArchStatus))
	if s.SLA != (SLA{}) {
		sla := newYAMLMap()
		sla.n.Style = yaml.FlowStyle
		sla.opt("availability", s.SLA.Availability)
		sla.opt("support_hours", s.SLA.SupportHours)
		if s.SLA.LeadTimeDays != 0 {
			sla.set("lead_time_days", yamlInt(s.SLA.LeadTimeDays))
		}
		m.set("sla", sla.n)
	}
	if s.Audience.All {
		m.set("audience", yamlStr("all"))
	} else {
		aud := newYAMLMap()
		aud.n.Style = yaml.FlowStyle
		for _, l := range []struct {
			key   string
			codes []string
		}{{"departments", s.Audience.Departments}, {"locations", s.Audience.Locations}, {"functions", s.Audience.Functions}} {
			if len(l.codes) > 0 {
				aud.set(l.key, yamlList(l.codes))
			}
		}
		m.set("audience", aud.n)
	}
	if len(s.Tags) > 0 {
		m.set("tags", yamlList(s.Tags))
	}
	if len(s.Links) > 0 {
		links := &yaml.Node{Kind: yaml.SequenceNode}
		for _, l := range s.Links {
			link := newYAMLMap()
			link.set("title", yamlStr(l.Title))
			link.set("url", yamlStr(l.URL))
			links.Content = append(links.Content, link.n)
		}
		m.set("links", links)
	}
	if len(s.Offerings) > 0 {
		offs := &yaml.Node{Kind: yaml.SequenceNode}
		for _, o := range s.Offerings {
			offs.Content = append(offs.Content, offeringNode(o).n)
		}
		m.set("offerings", offs)
	}
	return m
}

func offeringNode(o FileOffering) yamlMap {
	m := newYAMLMap()
	m.set("slug", yamlStr(o.Slug))
	m.set("name", yamlStr(o.Name))
	if o.Description != "" {
		m.set("description", yamlText(o.Description))
	}
	m.set("lifecycle", yamlStr(o.Lifecycle))
	if o.LeadTimeDays != 0 {
		m.set("lead_time_days", yamlInt(o.LeadTimeDays))
	}
	if o.UnitName != "" {
		m.set("unit_name", yamlStr(o.UnitName))
	}
	if o.Position != 0 {
		m.set("position", yamlInt(o.Position))
	}
	if len(o.Prices) > 0 {
		prices := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range o.Prices {
			prices.Content = append(prices.Content, priceNode(p).n)
		}
		m.set("prices", prices)
	}
	if len(o.Meters) > 0 {
		meters := &yaml.Node{Kind: yaml.SequenceNode}
		for _, x := range o.Meters {
			mm := newYAMLMap()
			mm.set("event_type", yamlStr(x.EventType))
			if x.Value != "" {
				mm.set("value", yamlStr(x.Value))
			}
			mm.set("unit", yamlStr(x.Unit))
			mm.set("aggregation", yamlStr(x.Aggregation))
			meters.Content = append(meters.Content, mm.n)
		}
		m.set("meters", meters)
	}
	return m
}

func priceNode(p RatePlan) yamlMap {
	m := newYAMLMap()
	m.set("from", yamlPlain(p.EffectiveFrom.String()))
	if p.EffectiveTo != nil {
		m.set("to", yamlPlain(p.EffectiveTo.String()))
	}
	m.set("currency", yamlStr(p.Currency))
	m.set("unit", yamlStr(p.Unit))
	amount := func(key string, d decimal.Decimal, always bool) {
		if always || !d.IsZero() {
			m.set(key, yamlQuoted(amountText(d, p.Currency)))
		}
	}
	// A price with neither tiers nor fees says its unit price, even 0.
	amount("unit_price", p.UnitPrice, len(p.Tiers) == 0 && p.FixedMonthly.IsZero() && p.OneTime.IsZero())
	amount("fixed_monthly", p.FixedMonthly, false)
	amount("one_time", p.OneTime, false)
	amount("minimum", p.Minimum, false)
	if p.TierMode != "" {
		m.set("tier_mode", yamlStr(p.TierMode))
	}
	if len(p.Tiers) > 0 {
		tiers := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range p.Tiers {
			tier := newYAMLMap()
			tier.n.Style = yaml.FlowStyle
			if t.UpTo != nil {
				tier.set("up_to", yamlQuoted(t.UpTo.String()))
			}
			tier.set("unit_price", yamlQuoted(amountText(t.UnitPrice, p.Currency)))
			tiers.Content = append(tiers.Content, tier.n)
		}
		m.set("tiers", tiers)
	}
	return m
}

// yamlMap is a YAML mapping being built.
type yamlMap struct{ n *yaml.Node }

func newYAMLMap() yamlMap { return yamlMap{&yaml.Node{Kind: yaml.MappingNode}} }

func (m yamlMap) set(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// opt sets key to s unless s is empty.
func (m yamlMap) opt(key, s string) {
	if s != "" {
		m.set(key, yamlStr(s))
	}
}

// yamlStr is text, quoted by the encoder only when it would read as something
// else (a number, a date, true).
func yamlStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// yamlText is free text: a literal block when it has several lines.
func yamlText(s string) *yaml.Node {
	n := yamlStr(s)
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func yamlQuoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s}
}

func yamlPlain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func yamlInt(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

func yamlList(items []string) *yaml.Node {
	l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range items {
		l.Content = append(l.Content, yamlStr(s))
	}
	return l
}

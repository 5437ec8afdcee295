package backstage

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// ServiceLifecycle maps a catalog service's lifecycle to a Component's.
var ServiceLifecycle = map[string]string{"planned": "experimental", "pilot": "experimental", "live": "production",
	"retiring": "deprecated", "retired": "deprecated"}

// NoOwner is the Group written as the owner of a service that has none:
// Backstage requires an owner.
const NoOwner = "group:default/engage"

var (
	notName    = regexp.MustCompile(`[^a-z0-9._-]+`)
	notTag     = regexp.MustCompile(`[^a-z0-9:+#]+`)
	separators = regexp.MustCompile(`[-_.]{2,}`)
)

// Export writes every catalog service p may see as a Backstage Component
// of type service, one document each: a catalog-info.yaml Backstage can
// read. The whole file is built before anything is written to w.
func (s *Service) Export(ctx context.Context, p *access.Principal, w io.Writer) error {
	var services []catalog.Service
	for offset := 0; ; {
		page, err := s.Catalog.ListServices(ctx, p, catalog.ListFilter{Lifecycles: []string{"planned", "pilot", "live", "retiring", "retired"},
			Limit: 200, Offset: offset})
		if err != nil {
			return err
		}
		for _, c := range page.Cards {
			services = append(services, c.Service)
		}
		if offset += len(page.Cards); len(page.Cards) == 0 || offset >= page.Total {
			break
		}
	}
	owners := map[int64]string{}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, svc := range services {
		e, err := s.component(ctx, svc, owners)
		if err != nil {
			return err
		}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	if len(services) > 0 { // an encoder that wrote nothing cannot be closed
		if err := enc.Close(); err != nil {
			return err
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// component is a service as Backstage sees it.
func (s *Service) component(ctx context.Context, svc catalog.Service, owners map[int64]string) (*Entity, error) {
	e := &Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: Metadata{Name: entityName(svc.Slug), Title: svc.Name, Description: svc.Summary,
			Annotations: map[string]string{ServiceSlug: svc.Slug, "engage.io/family": svc.Family, "engage.io/service-kind": svc.Kind}},
		Spec: Spec{Type: "service", Lifecycle: ServiceLifecycle[svc.Lifecycle], Owner: NoOwner}}
	if base := strings.TrimSuffix(s.BaseURL, "/"); base != "" {
		e.Metadata.Links = append(e.Metadata.Links, Link{URL: base + "/catalog/" + svc.Slug, Title: "Engage catalog: " + svc.Name, Icon: "catalog"})
	}
	for _, l := range svc.Links {
		if strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "http://") {
			e.Metadata.Links = append(e.Metadata.Links, Link{URL: l.URL, Title: l.Title})
		}
	}
	for _, t := range svc.Tags {
		if tag := strings.Trim(notTag.ReplaceAllString(strings.ToLower(t), "-"), "-"); tag != "" && len(tag) <= 63 {
			e.Metadata.Tags = append(e.Metadata.Tags, tag)
		}
	}
	if svc.OwnerID != 0 {
		email, ok := owners[svc.OwnerID]
		if !ok {
			person, err := s.Org.FindPersonByID(ctx, svc.OwnerID)
			if err != nil {
				return nil, err
			}
			email, owners[svc.OwnerID] = person.Email, person.Email
		}
		local, _, _ := strings.Cut(email, "@")
		e.Spec.Owner = "user:default/" + entityName(local)
		e.Metadata.Annotations["engage.io/owner-email"] = email
	}
	return e, nil
}

// entityName makes s a valid entity name: letters, digits and single
// separators, at most 63 characters.
func entityName(s string) string {
	n := strings.Trim(separators.ReplaceAllString(notName.ReplaceAllString(strings.ToLower(s), "-"), "-"), "-_.")
	if len(n) > 63 {
		n = strings.TrimRight(n[:63], "-_.")
	}
	if n == "" {
		n = "service"
	}
	return n
}

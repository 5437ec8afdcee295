package catalog

import (
	"context"

	"github.com/engagehq/engage/internal/access"
)

// EachService calls fn with every service the person may see, in the
// catalog's order (by name), until fn returns false. It reads the in-memory
// catalog, so a caller may walk the whole catalog on every request; fn gets
// copies it may keep.
func (c *Catalog) EachService(ctx context.Context, p *access.Principal, fn func(Service) bool) error {
	v, s, err := c.seenSnapshot(ctx, p)
	if err != nil {
		return err
	}
	for _, svc := range s.byName {
		if v.sees(svc) && !fn(*svc) {
			break
		}
	}
	return nil
}

// EachOffering calls fn with every offering the person may see and its
// service, in the catalog's order (services by name, then each service's
// offerings in display order), until fn returns false. So that a request
// may walk 20,000 offerings in a millisecond, fn reads them in place: it
// must not change them, and must copy what it keeps.
func (c *Catalog) EachOffering(ctx context.Context, p *access.Principal, fn func(*Offering, *Service) bool) error {
	v, s, err := c.seenSnapshot(ctx, p)
	if err != nil {
		return err
	}
	// Offerings come grouped by service: ask once per service.
	var last *Service
	seen := false
	for _, opt := range s.options {
		if opt.svc != last {
			last, seen = opt.svc, v.sees(opt.svc)
		}
		if seen && !fn(opt.o, opt.svc) {
			break
		}
	}
	return nil
}

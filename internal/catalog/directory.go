package catalog

import "context"

// AllServices returns every service of the catalog by id, whatever its
// lifecycle or audience, for the areas that link to services (the process
// register) and must check that the services they name exist. It checks no
// access: the caller does, and shows only names.
func (c *Catalog) AllServices(ctx context.Context) (map[int64]Service, error) {
	s, err := c.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Service, len(s.services))
	for id, svc := range s.services {
		out[id] = *svc
	}
	return out, nil
}

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

// ServicesGeneration returns the catalog's change counter as this replica
// last read it (at most a second ago): what AllServices returns is the same
// while it stays, so a reader that keeps what it made of them reads them
// again only when it moves.
func (c *Catalog) ServicesGeneration(ctx context.Context) (int64, error) {
	s, err := c.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	return s.generation, nil
}

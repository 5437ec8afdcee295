package portfoliopages

import (
	"context"
	"sync"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// A process's page shows what the register says of it — its parent,
// children, journeys, performers and the applications and services linked
// with their weights — which took eight queries a request. That detail is
// kept for each process once read, while the register's generation and
// the catalog's (which names the services) stay: each request reads the
// register's counter, so a change made on any replica shows at once. The
// names of the functions and locations come from the organisation, which
// has no such counter: they are read at each request, in one query, and
// only for a process that has any.

// detailKey is what a kept detail depends on.
type detailKey struct {
	register int64 // the register's generation
	catalog  int64 // the catalog's services' generation
}

// details keeps the processes' details read at one key.
type details struct {
	mu   sync.Mutex
	at   detailKey
	byID map[int64]process.ProcessDetail
}

// describe returns the register's detail of process id as p sees it, and
// the register's generation it was read at.
func (s *Pages) describe(ctx context.Context, p *access.Principal, id int64) (process.ProcessDetail, int64, error) {
	d, key, err := s.describeAt(ctx, p, id)
	return d, key.register, err
}

func (s *Pages) describeAt(ctx context.Context, p *access.Principal, id int64) (process.ProcessDetail, detailKey, error) {
	var key detailKey
	if err := process.MayRead(p); err != nil {
		return process.ProcessDetail{}, key, err
	}
	var err error
	if key.register, err = s.Processes.Generation(ctx); err != nil {
		return process.ProcessDetail{}, key, err
	}
	if key.catalog, err = s.Catalog.ServicesGeneration(ctx); err != nil {
		return process.ProcessDetail{}, key, err
	}
	s.details.mu.Lock()
	d, ok := s.details.byID[id]
	ok = ok && s.details.at == key
	s.details.mu.Unlock()
	if !ok {
		if d, err = s.Processes.Describe(ctx, p, id); err != nil {
			return d, key, err
		}
		// Kept under the key read before it: a write meanwhile only makes
		// the next request read it again.
		s.details.mu.Lock()
		if s.details.at != key && s.details.at.register <= key.register && s.details.at.catalog <= key.catalog {
			s.details.at, s.details.byID = key, map[int64]process.ProcessDetail{}
		}
		if s.details.at == key {
			s.details.byID[id] = d
		}
		s.details.mu.Unlock()
	} else if d, err = s.performerNames(ctx, p, d); err != nil {
		return d, key, err
	}
	d.CanChange = process.MayChange(p)
	return d, key, nil
}

// performerNames returns d with the functions and locations named as the
// organisation names them now, read in one query; one no longer known is
// left out.
func (s *Pages) performerNames(ctx context.Context, p *access.Principal, d process.ProcessDetail) (process.ProcessDetail, error) {
	if len(d.Functions)+len(d.Locations) == 0 {
		return d, nil
	}
	functions, locations, err := s.Org.NamesOf(ctx, p, namedIDs(d.Functions), namedIDs(d.Locations))
	if err != nil {
		return d, err
	}
	d.Functions, d.Locations = renamed(d.Functions, functions), renamed(d.Locations, locations)
	return d, nil
}

func namedIDs(list []process.Named) []int64 {
	ids := make([]int64, len(list))
	for i, n := range list {
		ids[i] = n.ID
	}
	return ids
}

// renamed is list in its order, named as now, without those not in now.
func renamed(list []process.Named, now map[int64]org.Named) []process.Named {
	out := make([]process.Named, 0, len(list))
	for _, n := range list {
		if cur, ok := now[n.ID]; ok {
			out = append(out, process.Named{ID: cur.ID, Code: cur.Code, Name: cur.Name})
		}
	}
	return out
}

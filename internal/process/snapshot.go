package process

import (
	"context"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// generationKey keeps, in settings, a counter that every write to the
// register moves in its own transaction: readers that keep the register in
// memory rebuild it when the counter has moved.
const generationKey = "process_register_generation"

// transact runs fn in one transaction that marks the register changed.
func (s *Service) transact(ctx context.Context, fn func(tx *db.Tx) error) error {
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return db.BumpGeneration(ctx, tx, generationKey)
	})
}

// Generation returns the register's change counter: it moves with every
// write, so a copy read at one generation is current while it stays.
func (s *Service) Generation(ctx context.Context) (int64, error) {
	return db.Generation(ctx, s.DB, generationKey)
}

// Landscape is the whole register read at once, for the analyses that look
// at all of it together: risks, redundancy, the heatmap.
type Landscape struct {
	// Generation is the register's change counter when it was read.
	Generation   int64
	Entries      []Entry
	Applications []Application
	AppLinks     []AppLink
	// ServiceLinks name the catalog services as the catalog named them
	// when read; their ids stay right.
	ServiceLinks []ServiceLink
}

// Landscape reads the whole register. Everyone signed in may.
func (s *Service) Landscape(ctx context.Context, p *access.Principal) (Landscape, error) {
	if err := requireReader(p); err != nil {
		return Landscape{}, err
	}
	var l Landscape
	var err error
	if l.Generation, err = s.Generation(ctx); err != nil {
		return l, err
	}
	if l.Entries, err = allEntries(ctx, s.DB); err != nil {
		return l, err
	}
	if l.Applications, err = s.applications(ctx, s.DB, ""); err != nil {
		return l, err
	}
	if l.AppLinks, err = s.appLinks(ctx, s.DB, "1 = 1"); err != nil {
		return l, err
	}
	l.ServiceLinks, err = s.serviceLinks(ctx, s.DB, "1 = 1")
	return l, err
}

package approval

import (
	"context"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/signedlink"
)

// Handler is called when a request of its subject type reaches approved,
// declined or cancelled, inside the transaction of the deciding action: if
// it fails, the decision is not saved either.
type Handler func(ctx context.Context, tx *db.Tx, r Request) error

// Service is the approval rules over their store.
type Service struct {
	DB    *db.DB
	Clock engage.Clock
	// LinkTTL is how long a signed link stays valid; DefaultLinkTTL when 0.
	LinkTTL time.Duration
	// Currencies are those the organisation uses: a policy's amount
	// threshold must be in one of them.
	Currencies rating.Currencies
	// Publisher tells approvers and requesters; nobody is told when nil.
	Publisher Publisher

	mu        sync.Mutex // guards handlers
	handlers  map[string]Handler
	linksOnce sync.Once
	signer    *signedlink.Signer // approval links (links)
}

// New returns a service whose signed-link secret is ready, so that links
// can be signed even inside another package's transaction.
func New(ctx context.Context, d *db.DB, clock engage.Clock) (*Service, error) {
	s := &Service{DB: d, Clock: clock}
	if err := s.links().Prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// OnDecided registers fn for requests of subjectType, replacing any earlier
// handler. Register handlers when wiring the application, before serving.
func (s *Service) OnDecided(subjectType string, fn func(ctx context.Context, tx *db.Tx, r Request) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handlers == nil {
		s.handlers = map[string]Handler{}
	}
	s.handlers[subjectType] = fn
}

// decided runs the subject's handler for a request that has just ended.
func (s *Service) decided(ctx context.Context, tx *db.Tx, r Request) error {
	s.mu.Lock()
	fn := s.handlers[r.SubjectType]
	s.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(ctx, tx, r)
}

func requireSignedIn(p *access.Principal) error {
	if p == nil {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

func requireAdmin(p *access.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.IsAdmin() {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators can change approval policies.")
	}
	return nil
}

func notFound(what string, id int64) error {
	return engage.Errorf(engage.ENOTFOUND, "No %s with id %d.", what, id)
}

func invalid(field, format string, args ...any) error {
	var v engage.Validation
	v.Add(field, format, args...)
	return v.Err()
}

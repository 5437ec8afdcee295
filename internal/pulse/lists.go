package pulse

import (
	"context"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// PulseLists are the pulses a person sees on /pulses.
type PulseLists struct {
	// ToAnswer are the pulses sent to them, newest first.
	ToAnswer []Pulse `json:"to_answer" nullable:"false"`
	// Running are the pulses on subjects they may send pulses on, newest
	// first (every pulse for administrators).
	Running []Pulse `json:"running" nullable:"false"`
}

// MaxListed is how many pulses each list shows.
const MaxListed = 200

// List returns the pulses sent to p and the pulses p runs.
func (s *Service) List(ctx context.Context, p *access.Principal) (PulseLists, error) {
	if err := requireReader(p); err != nil {
		return PulseLists{}, err
	}
	out := PulseLists{}
	var err error
	if out.ToAnswer, err = listPulses(ctx, s.DB, p.PersonID, "EXISTS (SELECT 1 FROM pulse_recipients r WHERE r.pulse_id = p.id AND r.person_id = ?)", p.PersonID); err != nil {
		return PulseLists{}, err
	}
	if p.IsAdmin() {
		out.Running, err = listPulses(ctx, s.DB, p.PersonID, "TRUE")
		return out, err
	}
	// The subjects p may run: the services p owns, and those communities
	// that have pulses whose rights make p a runner.
	services := []int64{0}
	owned, err := s.services(ctx, p.PersonID)
	if err != nil {
		return PulseLists{}, err
	}
	for _, c := range owned {
		services = append(services, c.ServiceID)
	}
	ids, err := db.QueryIDs(ctx, s.DB, "SELECT DISTINCT community_id FROM pulses WHERE community_id IS NOT NULL ORDER BY community_id")
	if err != nil {
		return PulseLists{}, err
	}
	communities := []int64{0}
	for _, id := range ids {
		r, err := s.Communities.Rights(ctx, p, id)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			continue
		} else if err != nil {
			return PulseLists{}, err
		}
		if r.Moderate || r.Answer {
			communities = append(communities, id)
		}
	}
	args := append(append(db.Args(services), db.Args(communities)...), p.PersonID)
	out.Running, err = listPulses(ctx, s.DB, p.PersonID, "(p.service_id IN ("+db.Placeholders(len(services))+") OR p.community_id IN ("+
		db.Placeholders(len(communities))+") OR p.created_by = ?)", args...)
	return out, err
}

// services returns the catalog's services (every lifecycle) as subjects,
// by name: those ownerID owns, or all of them when ownerID is 0.
func (s *Service) services(ctx context.Context, ownerID int64) ([]Subject, error) {
	var out []Subject
	if s.Catalog == nil {
		return out, nil
	}
	const step = 200
	for offset := 0; ; offset += step {
		page, err := s.Catalog.ListServices(ctx, system, catalog.ListFilter{OwnerID: ownerID,
			Lifecycles: []string{"planned", "pilot", "live", "retiring", "retired"}, Limit: step, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Cards {
			out = append(out, Subject{ServiceID: c.ID, Name: c.Name, MayRun: true})
		}
		if offset+step >= page.Total {
			return out, nil
		}
	}
}

// Subjects returns what p may send pulses about: the services p owns (every
// service for administrators), then the communities p moderates or serves
// as IT staff (every community for administrators), each by name.
func (s *Service) Subjects(ctx context.Context, p *access.Principal) ([]Subject, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	owner := p.PersonID
	if p.IsAdmin() {
		owner = 0
	}
	out, err := s.services(ctx, owner)
	if err != nil {
		return nil, err
	}
	list, err := s.Communities.List(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		sub := Subject{CommunityID: c.ID, Name: c.Name, MayRun: p.HasAny(access.Admin, access.Moderator)} // they moderate every community
		if !sub.MayRun {
			r, err := s.Communities.Rights(ctx, p, c.ID)
			if err != nil {
				return nil, err
			}
			sub.MayRun = r.Moderate || r.Answer
		}
		if sub.MayRun {
			out = append(out, sub)
		}
	}
	return out, nil
}

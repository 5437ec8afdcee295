package landscape

import (
	"context"
	"net/url"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/process"
)

// Redundancy is a process that several applications in use enable: a
// candidate for reuse.
type Redundancy struct {
	Process      process.Ref    `json:"process"`
	Criticality  string         `json:"criticality"`
	Applications []RedundantApp `json:"applications" nullable:"false" doc:"The applications in use that enable it, the heaviest link first"`
	NeedHref     string         `json:"need_href" doc:"The front door's form to ask for the consolidation, with what exists already suggested beside it"`
}

// RedundantApp is one of the applications enabling the same process.
type RedundantApp struct {
	process.AppLink
	Vendor      string `json:"vendor"`
	Disposition string `json:"disposition" enum:",tolerate,invest,migrate,eliminate"`
	Href        string `json:"href"`
}

// redundancy lists the processes that at least two applications in use
// enable, in the order of the tree.
func (s *snapshot) redundancy() []Redundancy {
	out := []Redundancy{}
	for _, id := range s.tree {
		e := s.byID[id]
		var apps []RedundantApp
		for _, al := range s.appLinks[e.ID] {
			if a := s.apps[al.ApplicationID]; inUse(a) {
				apps = append(apps, RedundantApp{AppLink: al, Vendor: a.Vendor, Disposition: a.Disposition,
					Href: applicationEvidence(a, "").Href})
			}
		}
		if len(apps) < 2 {
			continue
		}
		out = append(out, Redundancy{Process: s.ref(e.ID), Criticality: e.Criticality, Applications: apps,
			NeedHref: "/needs/new?title=" + url.QueryEscape("Consolidate the applications of "+e.Name)})
	}
	return out
}

// Redundancies returns the processes several applications in use enable,
// in the order of the tree. Everyone signed in may.
func (s *Service) Redundancies(ctx context.Context, p *access.Principal) ([]Redundancy, error) {
	snap, err := s.load(ctx, p)
	if err != nil {
		return nil, err
	}
	return snap.redundant, nil
}

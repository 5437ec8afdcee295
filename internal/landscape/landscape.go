// Package landscape reads the process register as a whole, with the
// catalog and the front door beside it: the risks flagged on each process,
// the processes several applications enable (candidates for reuse), and the
// heatmap over the process tree. It writes nothing and owns no table.
//
// Decisions:
//   - A process is flagged, each flag naming its evidence, when it
//     depends on a catalog service that is retiring or retired, or that
//     architecture marked sunset — linked directly or run on by one of its
//     applications; when it depends on a single vendor — one vendor
//     (an application's or a catalog service's) carries at least
//     SingleVendorShare percent of the weight of all its links; when one
//     of its applications has no owner; and when a need linked to it was
//     delivered with no security review.
//   - Applications retired, or still planned, enable nothing: they count
//     neither for a vendor nor for redundancy, and are not flagged.
//   - Redundancy: a process several applications in use enable (at least
//     two, active or being phased out). Each such process is a candidate
//     for reuse: the page leads to the front door with its words, where
//     what exists already is suggested.
//   - The register and the catalog change far less often than they are
//     read: what comes from them is kept in memory and rebuilt when either
//     has moved (the register's generation, the catalog's). The
//     needs are read at each request, for the reader: a need flags a process
//     only for those who may read the need.
package landscape

import (
	"context"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
)

// SingleVendorShare is the share of a process's link weight, in percent,
// from which one vendor carrying it is a single-vendor dependency.
var SingleVendorShare = decimal.NewFromInt(80)

// Kinds of risk flag.
const (
	RetiringService     = "retiring_service"
	SingleVendor        = "single_vendor"
	UnownedApplication  = "unowned_application"
	UnreviewedDelivery  = "unreviewed_delivery"
	evidenceService     = "service"
	evidenceApplication = "application"
	evidenceNeed        = "need"
)

// FlagKinds are the kinds of flag, in the order they are shown.
var FlagKinds = []string{RetiringService, SingleVendor, UnownedApplication, UnreviewedDelivery}

// FlagTitles say each kind of flag in words.
var FlagTitles = map[string]string{
	RetiringService:    "Depends on a retiring or sunset service",
	SingleVendor:       "Depends on a single vendor",
	UnownedApplication: "Depends on an application with no owner",
	UnreviewedDelivery: "A need delivered without a security review",
}

// RiskEvidence is what a flag rests on: a service, an application or a need,
// with where to see it.
type RiskEvidence struct {
	Kind   string `json:"kind" enum:"service,application,need"`
	Ref    string `json:"ref" doc:"The service's slug, the application's handle or the need's reference"`
	Name   string `json:"name"`
	Href   string `json:"href" doc:"Where to see it in the web interface"`
	Detail string `json:"detail" doc:"Why it counts, such as “retiring” or “40 % of the weight”"`
}

// RiskFlag is one risk of a process, with its evidence.
type RiskFlag struct {
	Kind     string         `json:"kind" enum:"retiring_service,single_vendor,unowned_application,unreviewed_delivery"`
	Title    string         `json:"title"`
	Evidence []RiskEvidence `json:"evidence" nullable:"false"`
}

// ProcessRisks are the flags of one process.
type ProcessRisks struct {
	Process     process.Ref `json:"process"`
	Criticality string      `json:"criticality"`
	Flags       []RiskFlag  `json:"flags" nullable:"false"`
}

// Register is the process register as the landscape reads it
// (*process.Service).
type Register interface {
	Generation(ctx context.Context) (int64, error)
	Landscape(ctx context.Context, p *access.Principal) (process.Landscape, error)
}

// Catalog is the catalog as the landscape reads it (*catalog.Catalog): its
// services, and a counter that moves when they may have changed.
type Catalog interface {
	AllServices(ctx context.Context) (map[int64]catalog.Service, error)
	ServicesGeneration(ctx context.Context) (int64, error)
}

// Needs is the front door as the landscape reads it (*frontdoor.Service).
type Needs interface {
	DeliveredWithoutSecurityReview(ctx context.Context, p *access.Principal) ([]frontdoor.UnreviewedDelivery, error)
}

// Costs gives each process's technology cost for the month, as far as p
// may see it, by process id, in one currency it names; a nil map when p
// may see none. Costs itself is nil while no cost is computed.
type Costs func(ctx context.Context, p *access.Principal) (map[int64]decimal.Decimal, string, error)

// Service reads the landscape.
type Service struct {
	Register Register
	Catalog  Catalog
	Needs    Needs
	// Costs feeds the heatmap's cost view; the view says there is no cost
	// yet while it is nil.
	Costs Costs

	mu   sync.Mutex
	snap *snapshot
}

// snapshot is what the register and the catalog say, analysed once.
type snapshot struct {
	generation int64
	catalog    int64 // the catalog's generation
	services   map[int64]catalog.Service
	l          process.Landscape
	byID       map[int64]*process.Entry
	tree       []int64       // every entry, depth first
	order      map[int64]int // an entry's place in tree
	depth      map[int64]int
	apps       map[int64]*process.Application
	appLinks   map[int64][]process.AppLink     // by process
	svcLinks   map[int64][]process.ServiceLink // by process
	flags      map[int64][]RiskFlag            // by process, without the needs' flags
	redundant  []Redundancy
	size       map[int64]int // how many entries each subtree holds, itself included

	mu    sync.Mutex
	views map[string]Heatmap // the heatmap's views the register alone says, once made
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// inUse reports whether an application enables anything today.
func inUse(a *process.Application) bool {
	return a != nil && (a.Lifecycle == "active" || a.Lifecycle == "phase-out")
}

// load returns the current snapshot, rebuilding it when the register's
// generation or the catalog's services have moved.
func (s *Service) load(ctx context.Context, p *access.Principal) (*snapshot, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	gen, err := s.Register.Generation(ctx)
	if err != nil {
		return nil, err
	}
	return s.loadAt(ctx, p, gen)
}

// loadAt returns the snapshot of the register at generation gen (read by
// the caller in this request), rebuilding it when it or the catalog's
// services have moved.
func (s *Service) loadAt(ctx context.Context, p *access.Principal, gen int64) (*snapshot, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	catalogGen, err := s.Catalog.ServicesGeneration(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A snapshot read since gen was read is as current.
	if s.snap != nil && s.snap.generation >= gen && s.snap.catalog == catalogGen {
		return s.snap, nil
	}
	services, err := s.Catalog.AllServices(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.Register.Landscape(ctx, p)
	if err != nil {
		return nil, err
	}
	s.snap = build(l, services)
	s.snap.catalog = catalogGen
	return s.snap, nil
}

func build(l process.Landscape, services map[int64]catalog.Service) *snapshot {
	s := &snapshot{generation: l.Generation, services: services, l: l, byID: map[int64]*process.Entry{}, order: map[int64]int{},
		depth: map[int64]int{}, apps: map[int64]*process.Application{}, appLinks: map[int64][]process.AppLink{},
		svcLinks: map[int64][]process.ServiceLink{}, flags: map[int64][]RiskFlag{}}
	children := map[int64][]int64{}
	for i := range l.Entries {
		e := &l.Entries[i]
		s.byID[e.ID] = e
		children[e.ParentID] = append(children[e.ParentID], e.ID)
	}
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		for _, c := range children[id] {
			if _, seen := s.order[c]; seen || depth > 64 {
				continue
			}
			s.order[c], s.depth[c] = len(s.tree), depth
			s.tree = append(s.tree, c)
			walk(c, depth+1)
		}
	}
	walk(0, 0)
	for i := range l.Applications {
		s.apps[l.Applications[i].ID] = &l.Applications[i]
	}
	for _, al := range l.AppLinks {
		s.appLinks[al.ProcessID] = append(s.appLinks[al.ProcessID], al)
	}
	for _, sl := range l.ServiceLinks {
		s.svcLinks[sl.ProcessID] = append(s.svcLinks[sl.ProcessID], sl)
	}
	for _, e := range l.Entries {
		s.flags[e.ID] = s.registerFlags(e.ID)
	}
	s.redundant = s.redundancy()
	s.size, s.views = map[int64]int{}, map[string]Heatmap{}
	for i := len(s.tree) - 1; i >= 0; i-- {
		id := s.tree[i]
		s.size[id]++
		if parent := s.byID[id].ParentID; parent != 0 {
			s.size[parent] += s.size[id]
		}
	}
	return s
}

// ref is what the landscape shows of a process.
func (s *snapshot) ref(id int64) process.Ref {
	e := s.byID[id]
	return process.Ref{ID: e.ID, Kind: e.Kind, Ref: e.Ref, Name: e.Name}
}

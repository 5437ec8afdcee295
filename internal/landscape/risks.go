package landscape

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
)

var hundred = decimal.NewFromInt(100)

// endOfLife says why a catalog service is at the end of its life, or "".
func endOfLife(svc catalog.Service) string {
	switch {
	case svc.ArchStatus == "sunset" && (svc.Lifecycle == "retiring" || svc.Lifecycle == "retired"):
		return svc.Lifecycle + ", sunset by architecture"
	case svc.ArchStatus == "sunset":
		return "sunset by architecture"
	case svc.Lifecycle == "retiring" || svc.Lifecycle == "retired":
		return svc.Lifecycle
	}
	return ""
}

func serviceEvidence(svc catalog.Service, detail string) RiskEvidence {
	return RiskEvidence{Kind: evidenceService, Ref: svc.Slug, Name: svc.Name, Href: "/catalog/" + url.PathEscape(svc.Slug), Detail: detail}
}

func applicationEvidence(a *process.Application, detail string) RiskEvidence {
	return RiskEvidence{Kind: evidenceApplication, Ref: a.Ref, Name: a.Name, Href: "/portfolio/applications/" + strconv.FormatInt(a.ID, 10), Detail: detail}
}

// registerFlags are the flags of process id that the register and the
// catalog alone say.
func (s *snapshot) registerFlags(id int64) []RiskFlag {
	var out []RiskFlag
	// Retiring or sunset services, linked directly or through an application.
	var ending []RiskEvidence
	seen := map[int64]bool{}
	for _, sl := range s.svcLinks[id] {
		svc, ok := s.services[sl.ServiceID]
		if why := endOfLife(svc); ok && why != "" && !seen[svc.ID] {
			seen[svc.ID] = true
			ending = append(ending, serviceEvidence(svc, why+"; linked at "+sl.Weight.String()+" %"))
		}
	}
	for _, al := range s.appLinks[id] {
		a := s.apps[al.ApplicationID]
		if !inUse(a) {
			continue
		}
		for _, ref := range a.Services {
			svc, ok := s.services[ref.ID]
			if why := endOfLife(svc); ok && why != "" && !seen[svc.ID] {
				seen[svc.ID] = true
				ending = append(ending, serviceEvidence(svc, why+"; runs "+a.Name))
			}
		}
	}
	if len(ending) > 0 {
		out = append(out, RiskFlag{Kind: RetiringService, Title: FlagTitles[RetiringService], Evidence: ending})
	}
	// A single vendor carrying most of the weight.
	total := decimal.Zero
	byVendor := map[string]decimal.Decimal{}
	carriers := map[string][]RiskEvidence{}
	for _, al := range s.appLinks[id] {
		a := s.apps[al.ApplicationID]
		if !inUse(a) {
			continue
		}
		total = total.Add(al.Weight)
		if a.Vendor != "" {
			byVendor[a.Vendor] = byVendor[a.Vendor].Add(al.Weight)
			carriers[a.Vendor] = append(carriers[a.Vendor], applicationEvidence(a, "weight "+al.Weight.String()+" %"))
		}
	}
	for _, sl := range s.svcLinks[id] {
		svc, ok := s.services[sl.ServiceID]
		if !ok || svc.Lifecycle == "retired" {
			continue
		}
		total = total.Add(sl.Weight)
		if svc.Vendor != "" {
			byVendor[svc.Vendor] = byVendor[svc.Vendor].Add(sl.Weight)
			carriers[svc.Vendor] = append(carriers[svc.Vendor], serviceEvidence(svc, "weight "+sl.Weight.String()+" %"))
		}
	}
	if total.IsPositive() {
		vendors := make([]string, 0, len(byVendor))
		for v := range byVendor {
			vendors = append(vendors, v)
		}
		slices.Sort(vendors)
		for _, v := range vendors {
			share := byVendor[v].Mul(hundred).Div(total).Round(1)
			if share.GreaterThanOrEqual(SingleVendorShare) {
				ev := carriers[v]
				for i := range ev {
					ev[i].Detail = v + ", " + ev[i].Detail
				}
				out = append(out, RiskFlag{Kind: SingleVendor, Title: fmt.Sprintf("%s: %s carries %s %% of the weight", FlagTitles[SingleVendor], v, share), Evidence: ev})
			}
		}
	}
	// Applications with no owner.
	var unowned []RiskEvidence
	for _, al := range s.appLinks[id] {
		if a := s.apps[al.ApplicationID]; inUse(a) && a.OwnerPersonID == 0 {
			unowned = append(unowned, applicationEvidence(a, "no owner; weight "+al.Weight.String()+" %"))
		}
	}
	if len(unowned) > 0 {
		out = append(out, RiskFlag{Kind: UnownedApplication, Title: FlagTitles[UnownedApplication], Evidence: unowned})
	}
	return out
}

// needFlags adds, to a copy of the register's flags, the flag of the needs
// delivered without a security review that p may read.
func (s *Service) needFlags(ctx context.Context, p *access.Principal, snap *snapshot) (map[int64][]RiskFlag, error) {
	if s.Needs == nil {
		return map[int64][]RiskFlag{}, nil
	}
	needs, err := s.Needs.DeliveredWithoutSecurityReview(ctx, p)
	if err != nil {
		return nil, err
	}
	return unreviewedFlags(snap, needs), nil
}

// unreviewedFlags are the flags of needs, delivered without a security
// review, by process.
func unreviewedFlags(snap *snapshot, needs []frontdoor.UnreviewedDelivery) map[int64][]RiskFlag {
	out := map[int64][]RiskFlag{}
	for _, n := range needs {
		ev := RiskEvidence{Kind: evidenceNeed, Ref: n.Reference, Name: n.Title, Href: "/needs/" + url.PathEscape(n.Reference), Detail: "delivered; no security review"}
		for _, pid := range n.ProcessIDs {
			if _, ok := snap.byID[pid]; !ok {
				continue
			}
			fl := out[pid]
			if len(fl) == 0 {
				fl = []RiskFlag{{Kind: UnreviewedDelivery, Title: FlagTitles[UnreviewedDelivery]}}
			}
			fl[0].Evidence = append(fl[0].Evidence, ev)
			out[pid] = fl
		}
	}
	return out
}

// flagsOf returns every flag of process id, the needs' last.
func flagsOf(snap *snapshot, needs map[int64][]RiskFlag, id int64) []RiskFlag {
	return append(slices.Clone(snap.flags[id]), needs[id]...)
}

// Risks returns every process with at least one flag: the most flags
// first, then the most critical, then in the order of the tree. Everyone
// signed in may; a need flags a process only for those who may read it.
func (s *Service) Risks(ctx context.Context, p *access.Principal) ([]ProcessRisks, error) {
	snap, err := s.load(ctx, p)
	if err != nil {
		return nil, err
	}
	needs, err := s.needFlags(ctx, p, snap)
	if err != nil {
		return nil, err
	}
	out := []ProcessRisks{}
	for _, e := range snap.l.Entries {
		if fl := flagsOf(snap, needs, e.ID); len(fl) > 0 {
			out = append(out, ProcessRisks{Process: snap.ref(e.ID), Criticality: e.Criticality, Flags: fl})
		}
	}
	slices.SortFunc(out, func(a, b ProcessRisks) int {
		return cmp.Or(cmp.Compare(len(b.Flags), len(a.Flags)), cmp.Compare(criticality(b.Criticality), criticality(a.Criticality)),
			cmp.Compare(snap.order[a.Process.ID], snap.order[b.Process.ID]))
	})
	return out, nil
}

func criticality(c string) int { return slices.Index(process.Criticalities, c) }

// ProcessFlags returns the flags of one process. Everyone signed in may.
func (s *Service) ProcessFlags(ctx context.Context, p *access.Principal, id int64) ([]RiskFlag, error) {
	snap, err := s.load(ctx, p)
	if err != nil {
		return nil, err
	}
	if _, ok := snap.byID[id]; !ok {
		return nil, engage.Errorf(engage.ENOTFOUND, "There is no such process in the register.")
	}
	needs, err := s.needFlags(ctx, p, snap)
	if err != nil {
		return nil, err
	}
	return flagsOrNone(flagsOf(snap, needs, id)), nil
}

// FlagsAt returns the flags of process id with the register at generation
// gen, as ProcessFlags does, but reading nothing but what changed since:
// the caller read the generation in this request, and gives the needs
// linked to the process that p may read delivered without a security
// review (frontdoor.Service.NeedsOfProcess), so that a process's page
// asks the database no more for its flags.
func (s *Service) FlagsAt(ctx context.Context, p *access.Principal, id, gen int64, unreviewed []frontdoor.UnreviewedDelivery) ([]RiskFlag, error) {
	snap, err := s.loadAt(ctx, p, gen)
	if err != nil {
		return nil, err
	}
	if _, ok := snap.byID[id]; !ok {
		return nil, engage.Errorf(engage.ENOTFOUND, "There is no such process in the register.")
	}
	return flagsOrNone(flagsOf(snap, unreviewedFlags(snap, unreviewed), id)), nil
}

func flagsOrNone(fl []RiskFlag) []RiskFlag {
	if fl == nil {
		return []RiskFlag{}
	}
	return fl
}

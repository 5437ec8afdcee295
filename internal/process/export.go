package process

import (
	"context"

	"github.com/engagehq/engage/internal/access"
)

// ExportRegister returns the whole register as a register file, which
// ApplyRegister takes back unchanged. Everyone signed in may.
func (s *Service) ExportRegister(ctx context.Context, p *access.Principal) (RegisterFile, error) {
	if err := requireReader(p); err != nil {
		return RegisterFile{}, err
	}
	f := RegisterFile{Kind: RegisterKind}
	x, err := loadOrgIndex(ctx, s.Org)
	if err != nil {
		return f, err
	}
	entries, err := allEntries(ctx, s.DB)
	if err != nil {
		return f, err
	}
	refOf := map[int64]string{}
	for _, e := range entries {
		refOf[e.ID] = e.Ref
	}
	apps, err := s.applications(ctx, s.DB, "")
	if err != nil {
		return f, err
	}
	for _, a := range apps {
		fa := FileApplication{Ref: a.Ref, Name: a.Name, Description: a.Description, Owner: x.email(ctx, a.OwnerPersonID, s.Org), Vendor: a.Vendor,
			Lifecycle: a.Lifecycle, FunctionalFit: a.FunctionalFit, TechnicalFit: a.TechnicalFit, ArchiMateID: a.ArchiMateID}
		for _, svc := range a.Services {
			fa.Services = append(fa.Services, svc.Slug)
		}
		f.Applications = append(f.Applications, fa)
	}
	appLinks, err := s.appLinks(ctx, s.DB, "1 = 1")
	if err != nil {
		return f, err
	}
	svcLinks, err := s.serviceLinks(ctx, s.DB, "1 = 1")
	if err != nil {
		return f, err
	}
	for _, e := range entries {
		fp := FileProcess{Ref: e.Ref, Parent: refOf[e.ParentID], Kind: e.Kind, Name: e.Name, Description: e.Description,
			Owner: x.email(ctx, e.OwnerPersonID, s.Org), Department: x.departmentCodes[e.OwnerDepartmentID], Criticality: e.Criticality,
			ExternalCustomers: e.ExternalCustomers, Enablement: e.Enablement, ArchiMateType: e.ArchiMateType, ArchiMateID: e.ArchiMateID}
		functions, locations, err := s.performers(ctx, s.DB, e.ID)
		if err != nil {
			return f, err
		}
		for _, id := range functions {
			fp.Functions = append(fp.Functions, x.functionCodes[id])
		}
		for _, id := range locations {
			fp.Locations = append(fp.Locations, x.locationCodes[id])
		}
		for _, l := range appLinks {
			if l.ProcessID == e.ID {
				fp.Applications = append(fp.Applications, FileLink{Ref: l.Ref, Weight: l.Weight.String()})
			}
		}
		for _, l := range svcLinks {
			if l.ProcessID == e.ID {
				fp.Services = append(fp.Services, FileLink{Ref: l.Slug, Weight: l.Weight.String()})
			}
		}
		f.Processes = append(f.Processes, fp)
	}
	journeys, err := s.journeys(ctx, s.DB, "")
	if err != nil {
		return f, err
	}
	for _, j := range journeys {
		fj := FileJourney{Ref: j.Ref, Name: j.Name, Description: j.Description, Processes: []string{}}
		for _, r := range j.Processes {
			fj.Processes = append(fj.Processes, r.Ref)
		}
		f.Journeys = append(f.Journeys, fj)
	}
	return f, nil
}

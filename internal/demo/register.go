package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/product"
)

//go:embed register.yaml
var registerFile []byte

//go:embed needs_processes.yaml
var needsProcessesFile []byte

// loadRegister applies the demo's process register file and links the demo
// needs to the processes their department's needs affect.
func loadRegister(ctx context.Context, s product.Services) (err error) {
	// The links mark the months billed before them stale: the demo opens
	// with them computed.
	defer func() {
		if err == nil && s.ProcessCosts != nil {
			_, err = s.ProcessCosts.RecomputeNow(ctx)
		}
	}()
	loader := access.System("demo data")
	f, err := process.ParseRegisterFile("register.yaml", bytes.NewReader(registerFile))
	if err != nil {
		return fmt.Errorf("demo register: %w", err)
	}
	if _, err := s.Processes.ApplyRegister(ctx, loader, f, false); err != nil {
		return fmt.Errorf("demo register: %w", err)
	}
	var byDept map[string][]string
	if err := yaml.Unmarshal(needsProcessesFile, &byDept); err != nil {
		return fmt.Errorf("demo needs_processes.yaml: %w", err)
	}
	idOf, err := processIDs(ctx, s, loader)
	if err != nil {
		return err
	}
	codes := map[int64]string{}
	depts, _, err := s.Org.ListDepartments(ctx, loader, org.ListFilter{Limit: paging.MaxLimit})
	if err != nil {
		return err
	}
	for _, d := range depts {
		codes[d.ID] = d.Code
	}
	for cursor := ""; ; {
		needs, next, err := s.FrontDoor.List(ctx, loader, frontdoor.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, n := range needs {
			refs := byDept[codes[n.DepartmentID]]
			if len(refs) == 0 || n.State == frontdoor.Rejected || n.State == frontdoor.Withdrawn || n.State == frontdoor.Closed {
				continue
			}
			var ids []int64
			for _, ref := range refs {
				id, ok := idOf[ref]
				if !ok {
					return fmt.Errorf("demo needs_processes.yaml: no process %s in register.yaml", ref)
				}
				ids = append(ids, id)
			}
			if _, err := s.FrontDoor.LinkProcesses(ctx, loader, n.Reference, ids); err != nil {
				return fmt.Errorf("linking demo need %s: %w", n.Reference, err)
			}
		}
		if cursor = next; next == "" {
			return nil
		}
	}
}

// processIDs returns the id of each process of the register by its ref.
func processIDs(ctx context.Context, s product.Services, p *access.Principal) (map[string]int64, error) {
	m, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return nil, err
	}
	idOf := map[string]int64{}
	for _, e := range m.Entries {
		idOf[e.Ref] = e.ID
	}
	return idOf, nil
}

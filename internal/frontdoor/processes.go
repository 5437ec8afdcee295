package frontdoor

import (
	"context"
	"fmt"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/process"
)

// ProcessRegister is the process register as the front door uses it
// (process.Service): which of some ids are processes, and what to show of
// them, read through q. The front door links needs to processes in its own
// table, need_processes, and never reads the register's.
type ProcessRegister interface {
	Refs(ctx context.Context, q db.Querier, ids []int64) (map[int64]process.Ref, error)
}

// checkProcesses records an error naming each id that is not in the
// register.
func (f *Service) checkProcesses(ctx context.Context, v *engage.Validation, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	known := map[int64]process.Ref{}
	if f.Processes != nil {
		var err error
		if known, err = f.Processes.Refs(ctx, f.DB, ids); err != nil {
			return err
		}
	}
	for i, id := range ids {
		if _, ok := known[id]; !ok {
			v.Add(fmt.Sprintf("process_ids[%d]", i), "No process with id %d in the register.", id)
		}
	}
	return nil
}

// processRefs returns what the register shows of ids, in their order.
func (f *Service) processRefs(ctx context.Context, ids []int64) ([]process.Ref, error) {
	out := []process.Ref{}
	if len(ids) == 0 || f.Processes == nil {
		return out, nil
	}
	known, err := f.Processes.Refs(ctx, f.DB, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if r, ok := known[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

package frontdoor

import (
	"context"
	"slices"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// LinkProcesses sets the processes of the register a need affects, beside
// what its requester typed, in any state but a final one: so a need written
// before the register knew its processes is linked to them afterwards. The
// need's BRM, enterprise architects and administrators may, of the needs
// they may read; setting the same processes again changes nothing.
func (f *Service) LinkProcesses(ctx context.Context, p *access.Principal, ref string, processIDs []int64) (Need, error) {
	n, err := f.Find(ctx, p, ref)
	if err != nil {
		return Need{}, err
	}
	if !isBRM(p, &n) && !p.Has(access.EnterpriseArchitect) {
		return Need{}, engage.Errorf(engage.EFORBIDDEN, "Only the need's BRM, enterprise architects and administrators link it to the process register.")
	}
	if n.State == Rejected || n.State == Withdrawn || n.State == Closed {
		return Need{}, engage.Errorf(engage.ECONFLICT, "This need is %s: it no longer changes.", StateLabels[n.State])
	}
	ids := slices.Clone(processIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var v engage.Validation
	if err := f.checkProcesses(ctx, &v, ids); err != nil {
		return Need{}, err
	}
	if err := v.Err(); err != nil {
		return Need{}, err
	}
	if slices.Equal(ids, n.ProcessIDs) {
		return n, nil
	}
	err = f.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := writeLinks(ctx, tx, processLinks, n.ID, ids); err != nil {
			return err
		}
		return audit.Record(ctx, tx, f.Clock.Now(), p, "update", "need", n.ID, "Need "+n.Reference+" linked to the process register",
			map[string]any{"process_ids": n.ProcessIDs}, map[string]any{"process_ids": ids})
	})
	if err != nil {
		return Need{}, err
	}
	f.changed()
	return f.Find(ctx, p, ref)
}

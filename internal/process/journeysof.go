package process

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// SetJourneysOf says which customer journeys a process is part of, in one
// transaction: a journey it joins takes it as its last step, a journey it
// leaves closes the gap; the others are untouched. Only a process external
// customers touch is part of a journey. Setting the same journeys again
// changes nothing. Enterprise architects and administrators only.
func (s *Service) SetJourneysOf(ctx context.Context, p *access.Principal, processID int64, journeyIDs []int64) error {
	if err := requireWriter(p); err != nil {
		return err
	}
	want := sortedSet(journeyIDs)
	return s.transact(ctx, func(tx *db.Tx) error {
		proc, err := find(ctx, tx, "id = ?", processID)
		if err != nil {
			return err
		}
		all, err := s.journeys(ctx, tx, "")
		if err != nil {
			return err
		}
		byID := map[int64]Journey{}
		for _, j := range all {
			byID[j.ID] = j
		}
		var v engage.Validation
		for _, id := range want {
			if _, ok := byID[id]; !ok {
				v.Add("journey_ids", "No customer journey with id %d.", id)
			}
		}
		if len(want) > 0 && !proc.ExternalCustomers {
			v.Add("journey_ids", "External customers do not touch %s: only such processes are part of a customer journey. Say that they touch it first.", proc.Name)
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.Clock.Now()
		for _, j := range all {
			before := j.Input()
			on, wanted := slices.Contains(before.ProcessIDs, processID), slices.Contains(want, j.ID)
			if on == wanted {
				continue
			}
			after := before
			if wanted {
				if len(before.ProcessIDs) >= 200 {
					return fieldConflict("journey_ids", fmt.Sprintf("%s already goes through 200 processes, the most a journey may.", j.Name))
				}
				after.ProcessIDs = append(slices.Clone(before.ProcessIDs), processID)
			} else {
				after.ProcessIDs = slices.DeleteFunc(slices.Clone(before.ProcessIDs), func(id int64) bool { return id == processID })
			}
			if err := setJourneyProcesses(ctx, tx, j.ID, after.ProcessIDs); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE journeys SET version = version + 1, updated_at = ? WHERE id = ?", now, j.ID); err != nil {
				return fmt.Errorf("saving journey %s: %w", j.Ref, err)
			}
			if err := audit.Record(ctx, tx, now, p, "update", "journey", j.ID, "Customer journey "+j.Ref+": "+proc.Ref+" joined or left", before, after); err != nil {
				return err
			}
		}
		return nil
	})
}

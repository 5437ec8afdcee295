package approval

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// ListDelegations lists delegations newest first: those p gave or received,
// or, for administrators, anyone's (f.PersonID) or everyone's.
func (s *Service) ListDelegations(ctx context.Context, p *access.Principal, f DelegationFilter) ([]Delegation, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	person := f.PersonID
	if !p.IsAdmin() {
		if person != 0 && person != p.PersonID {
			return nil, "", engage.Errorf(engage.EFORBIDDEN, "You can only list your own delegations.")
		}
		person = p.PersonID
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if person != 0 {
		where = append(where, "(g.delegator_id = ? OR g.delegate_id = ?)")
		args = append(args, person, person)
	}
	if cur != nil {
		where = append(where, "g.id < ?")
		args = append(args, cur.ID)
	}
	limit := paging.Limit(f.Limit)
	list, err := queryDelegations(ctx, s.DB, strings.Join(where, " AND ")+" ORDER BY g.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, next := paging.Trim(list, limit, func(d Delegation) paging.Cursor { return paging.Cursor{ID: d.ID} })
	return list, next, nil
}

// FindDelegation returns one delegation its delegator, its delegate or an
// administrator may see.
func (s *Service) FindDelegation(ctx context.Context, p *access.Principal, id int64) (Delegation, error) {
	if err := requireSignedIn(p); err != nil {
		return Delegation{}, err
	}
	d, err := findDelegation(ctx, s.DB, id)
	if err != nil {
		return d, err
	}
	if !p.IsAdmin() && d.DelegatorID != p.PersonID && d.DelegateID != p.PersonID {
		return Delegation{}, notFound("delegation", id)
	}
	return d, nil
}

// CreateDelegation lets in.DelegateID decide in in.DelegatorID's place for
// whole UTC days from in.From to in.To. People manage their own
// delegations; administrators anyone's. Nobody delegates to themselves,
// and one person's delegations never overlap.
func (s *Service) CreateDelegation(ctx context.Context, p *access.Principal, in DelegationInput) (Delegation, error) {
	if err := requireSignedIn(p); err != nil {
		return Delegation{}, err
	}
	if in.DelegatorID == 0 {
		in.DelegatorID = p.PersonID
	}
	if in.DelegatorID != p.PersonID && !p.IsAdmin() {
		return Delegation{}, engage.Errorf(engage.EFORBIDDEN, "You can only delegate your own approvals.")
	}
	in.From, in.To, in.Note = strings.TrimSpace(in.From), strings.TrimSpace(in.To), strings.TrimSpace(in.Note)
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		var v engage.Validation
		delegator, err := findPersonInfo(ctx, tx, in.DelegatorID)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("delegator_id", "No person with id %d.", in.DelegatorID)
		} else if err != nil {
			return err
		}
		var delegate personInfo
		switch {
		case in.DelegateID <= 0:
			v.Add("delegate_id", "Choose who decides in your place.")
		case in.DelegateID == in.DelegatorID:
			v.Add("delegate_id", "Choose someone else: a person cannot delegate to themselves.")
		default:
			delegate, err = findPersonInfo(ctx, tx, in.DelegateID)
			if engage.ErrorCode(err) == engage.ENOTFOUND || (err == nil && !delegate.Active) {
				v.Add("delegate_id", "No active person with id %d.", in.DelegateID)
			} else if err != nil {
				return err
			}
		}
		from, fromErr := time.Parse(dateLayout, in.From)
		to, toErr := time.Parse(dateLayout, in.To)
		if fromErr != nil {
			v.Add("from", "Enter the first day as a date, for example %s.", dayOf(now))
		}
		if toErr != nil {
			v.Add("to", "Enter the last day as a date, for example %s.", dayOf(now.AddDate(0, 0, 7)))
		}
		if fromErr == nil && toErr == nil {
			in.From, in.To = from.Format(dateLayout), to.Format(dateLayout)
			switch {
			case to.Before(from):
				v.Add("to", "The last day must be on or after the first day.")
			case in.To < dayOf(now):
				v.Add("to", "The last day has passed; choose today or a later day.")
			}
		}
		v.MaxLen("note", in.Note, 500)
		if len(v.Fields) == 0 {
			// Serialise delegations of one person so that two created at
			// once cannot overlap: a no-op update locks the delegator's row
			// on PostgreSQL (SQLite has one writer anyway).
			if _, err := tx.Exec(ctx, "UPDATE people SET version = version WHERE id = ?", in.DelegatorID); err != nil {
				return fmt.Errorf("locking delegations of person %d: %w", in.DelegatorID, err)
			}
			existing, err := queryDelegations(ctx, tx, "g.delegator_id = ? ORDER BY g.starts_on", in.DelegatorID)
			if err != nil {
				return err
			}
			for _, d := range existing {
				if d.From <= in.To && in.From <= d.To {
					v.Add("from", "This overlaps the delegation to %s from %s to %s. Change or delete that one first.", d.DelegateName, d.From, d.To)
					break
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if id, err = insertDelegation(ctx, tx, in, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "approval_delegation", id,
			fmt.Sprintf("%s delegated approvals to %s from %s to %s", delegator.Name, delegate.Name, in.From, in.To), nil, in)
	})
	if err != nil {
		return Delegation{}, err
	}
	return findDelegation(ctx, s.DB, id)
}

// DeleteDelegation ends a delegation. Its delegator or an administrator
// may. Decisions already taken under it stay as they were.
func (s *Service) DeleteDelegation(ctx context.Context, p *access.Principal, id int64) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		d, err := findDelegation(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.IsAdmin() && d.DelegatorID != p.PersonID {
			if d.DelegateID == p.PersonID {
				return engage.Errorf(engage.EFORBIDDEN, "Only %s, who delegated to you, or an administrator can remove this delegation.", d.DelegatorName)
			}
			return notFound("delegation", id)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM approval_delegations WHERE id = ?", id); err != nil {
			return fmt.Errorf("deleting delegation %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, p, "delete", "approval_delegation", id,
			fmt.Sprintf("Removed the delegation of %s to %s (%s to %s)", d.DelegatorName, d.DelegateName, d.From, d.To), d, nil)
	})
}

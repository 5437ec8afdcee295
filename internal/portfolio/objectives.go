package portfolio

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
)

// Objective is a strategic objective of the business.
type Objective struct {
	ID            int64     `json:"id"`
	Ref           string    `json:"ref" example:"faster-quotes" doc:"Stable handle, unique among objectives"`
	Title         string    `json:"title"`
	Description   string    `json:"description"`
	OwnerPersonID int64     `json:"owner_person_id" doc:"The business leader accountable for it"`
	OwnerName     string    `json:"owner_name"`
	Horizon       string    `json:"horizon" example:"2027-12-31" doc:"The date by which it should be met"`
	Measure       string    `json:"measure" doc:"How progress is measured"`
	Target        string    `json:"target,omitempty" doc:"The value of the measure aimed at, when there is one"`
	ProcessIDs    []int64   `json:"process_ids" nullable:"false" doc:"Processes of the register it serves"`
	NeedRefs      []string  `json:"need_refs" nullable:"false" doc:"References of the needs that serve it"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ObjectiveInput is what is written about an objective.
type ObjectiveInput struct {
	Ref           string   `json:"ref" maxLength:"64" doc:"Lower-case letters, digits and single hyphens"`
	Title         string   `json:"title" maxLength:"200"`
	Description   string   `json:"description,omitempty" maxLength:"10000"`
	OwnerPersonID int64    `json:"owner_person_id" minimum:"1" doc:"The business leader accountable for it"`
	Horizon       string   `json:"horizon" example:"2027" doc:"A year (its last day) or a date YYYY-MM-DD, 2000 to 2100"`
	Measure       string   `json:"measure" maxLength:"1000"`
	Target        string   `json:"target,omitempty" maxLength:"200"`
	ProcessIDs    []int64  `json:"process_ids,omitempty" maxItems:"200"`
	NeedRefs      []string `json:"need_refs,omitempty" maxItems:"200" doc:"References such as NEED-2026-0042"`
}

// Input returns the editable part of o.
func (o Objective) Input() ObjectiveInput {
	return ObjectiveInput{Ref: o.Ref, Title: o.Title, Description: o.Description, OwnerPersonID: o.OwnerPersonID, Horizon: o.Horizon,
		Measure: o.Measure, Target: o.Target, ProcessIDs: o.ProcessIDs, NeedRefs: o.NeedRefs}
}

func sameInput(a, b ObjectiveInput) bool {
	return a.Ref == b.Ref && a.Title == b.Title && a.Description == b.Description && a.OwnerPersonID == b.OwnerPersonID &&
		a.Horizon == b.Horizon && a.Measure == b.Measure && a.Target == b.Target && slices.Equal(a.ProcessIDs, b.ProcessIDs) &&
		slices.Equal(a.NeedRefs, b.NeedRefs)
}

// ObjectiveDetail is an objective with the processes and needs it is
// linked to, as the reader may see them.
type ObjectiveDetail struct {
	Objective Objective          `json:"objective"`
	Processes []process.MapEntry `json:"processes" nullable:"false" doc:"The processes it serves, with their criticality and enablement"`
	Needs     []frontdoor.Need   `json:"needs" nullable:"false" doc:"The needs serving it that the reader may read"`
	Hidden    int                `json:"hidden_needs" doc:"How many needs serving it the reader may not read"`
	States    map[string]int     `json:"need_states" doc:"The readable needs by state"`
}

var refPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// parseHorizon reads a year (its last day) or a date.
func parseHorizon(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var t time.Time
	var err error
	if len(s) == 4 {
		t, err = time.Parse("2006", s)
		t = t.AddDate(1, 0, -1)
	} else {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// checkObjective validates and normalises in, reading through q.
func (s *Service) checkObjective(ctx context.Context, q db.Querier, p *access.Principal, in *ObjectiveInput) error {
	in.Ref = strings.ToLower(strings.TrimSpace(in.Ref))
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	in.Measure, in.Target = strings.TrimSpace(in.Measure), strings.TrimSpace(in.Target)
	var v engage.Validation
	for field, value := range map[string]string{"ref": in.Ref, "title": in.Title, "description": in.Description, "measure": in.Measure, "target": in.Target} {
		v.Text(field, value)
	}
	switch {
	case in.Ref == "":
		v.Add("ref", "Enter a short handle, such as faster-quotes.")
	case len(in.Ref) > 64 || !refPattern.MatchString(in.Ref):
		v.Add("ref", "Use up to 64 lower-case letters, digits and single hyphens, such as faster-quotes.")
	}
	v.Require("title", in.Title, "the objective, such as “Quotes in a day”")
	v.MaxLen("title", in.Title, 200)
	v.MaxLen("description", in.Description, 10000)
	v.Require("measure", in.Measure, "how progress is measured, such as “days from request to quote”")
	v.MaxLen("measure", in.Measure, 1000)
	v.MaxLen("target", in.Target, 200)
	if h, ok := parseHorizon(in.Horizon); ok {
		in.Horizon = h
	} else {
		v.Add("horizon", "Enter a year (2027) or a date (2027-06-30), from 2000 to 2100.")
	}
	if in.OwnerPersonID <= 0 {
		v.Add("owner_person_id", "Choose the business leader who owns it.")
	} else if _, err := s.Org.FindPersonByID(ctx, in.OwnerPersonID); engage.ErrorCode(err) == engage.ENOTFOUND {
		v.Add("owner_person_id", "No person with id %d.", in.OwnerPersonID)
	} else if err != nil {
		return err
	}
	if len(in.ProcessIDs) > 200 {
		v.Add("process_ids", "Link at most 200 processes.")
	} else if len(in.ProcessIDs) > 0 {
		known, err := s.Processes.Refs(ctx, q, in.ProcessIDs)
		if err != nil {
			return err
		}
		for i, id := range in.ProcessIDs {
			if _, ok := known[id]; !ok {
				v.Add(fmt.Sprintf("process_ids[%d]", i), "No process with id %d in the register.", id)
			}
		}
	}
	if len(in.NeedRefs) > 200 {
		v.Add("need_refs", "Link at most 200 needs.")
	} else {
		in.NeedRefs = slices.Clone(in.NeedRefs)
		in.ProcessIDs = slices.Clone(in.ProcessIDs)
		for i, ref := range in.NeedRefs {
			ref = strings.ToUpper(strings.TrimSpace(ref))
			in.NeedRefs[i] = ref
			if _, err := s.Needs.Find(ctx, p, ref); engage.ErrorCode(err) == engage.ENOTFOUND {
				v.Add(fmt.Sprintf("need_refs[%d]", i), "No need %s that you may read.", ref)
			} else if err != nil {
				return err
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	slices.Sort(in.ProcessIDs)
	in.ProcessIDs = slices.Compact(in.ProcessIDs)
	slices.Sort(in.NeedRefs)
	in.NeedRefs = slices.Compact(in.NeedRefs)
	if in.ProcessIDs == nil {
		in.ProcessIDs = []int64{}
	}
	if in.NeedRefs == nil {
		in.NeedRefs = []string{}
	}
	return nil
}

const objectiveColumns = `o.id, o.ref, o.title, o.description, o.owner_person_id, pe.name, o.horizon, o.measure, o.target, o.version,
	o.created_at, o.updated_at FROM portfolio_objectives o JOIN people pe ON pe.id = o.owner_person_id`

func scanObjective(row db.Scanner) (Objective, error) {
	var o Objective
	err := row.Scan(&o.ID, &o.Ref, &o.Title, &o.Description, &o.OwnerPersonID, &o.OwnerName, &o.Horizon, &o.Measure, &o.Target, &o.Version,
		&o.CreatedAt, &o.UpdatedAt)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// findObjective reads one objective with its links.
func findObjective(ctx context.Context, q db.Querier, where string, args ...any) (Objective, error) {
	o, err := scanObjective(q.QueryRow(ctx, "SELECT "+objectiveColumns+" WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Objective{}, engage.Errorf(engage.ENOTFOUND, "No such objective.")
	} else if err != nil {
		return Objective{}, fmt.Errorf("reading an objective: %w", err)
	}
	all := []Objective{o}
	if err := loadLinks(ctx, q, all); err != nil {
		return Objective{}, err
	}
	return all[0], nil
}

// loadLinks fills the processes and needs of os.
func loadLinks(ctx context.Context, q db.Querier, os []Objective) error {
	at := map[int64]int{}
	for i := range os {
		at[os[i].ID] = i
		os[i].ProcessIDs, os[i].NeedRefs = []int64{}, []string{}
	}
	rows, err := q.Query(ctx, "SELECT objective_id, process_id FROM portfolio_objective_processes ORDER BY process_id")
	if err != nil {
		return fmt.Errorf("reading objectives' processes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var oid, pid int64
		if err := rows.Scan(&oid, &pid); err != nil {
			return err
		}
		if i, ok := at[oid]; ok {
			os[i].ProcessIDs = append(os[i].ProcessIDs, pid)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	needs, err := q.Query(ctx, "SELECT objective_id, need_ref FROM portfolio_objective_needs ORDER BY need_ref")
	if err != nil {
		return fmt.Errorf("reading objectives' needs: %w", err)
	}
	defer needs.Close()
	for needs.Next() {
		var oid int64
		var ref string
		if err := needs.Scan(&oid, &ref); err != nil {
			return err
		}
		if i, ok := at[oid]; ok {
			os[i].NeedRefs = append(os[i].NeedRefs, ref)
		}
	}
	return needs.Err()
}

// ListObjectives returns every objective, the nearest horizon first.
// Everyone signed in may.
func (s *Service) ListObjectives(ctx context.Context, p *access.Principal) ([]Objective, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	return listObjectives(ctx, s.DB)
}

func listObjectives(ctx context.Context, q db.Querier) ([]Objective, error) {
	rows, err := q.Query(ctx, "SELECT "+objectiveColumns+" ORDER BY o.horizon, o.ref")
	if err != nil {
		return nil, fmt.Errorf("listing objectives: %w", err)
	}
	defer rows.Close()
	out := []Objective{}
	for rows.Next() {
		o, err := scanObjective(rows)
		if err != nil {
			return nil, fmt.Errorf("reading objectives: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadLinks(ctx, q, out)
}

// GetObjective returns one objective. Everyone signed in may.
func (s *Service) GetObjective(ctx context.Context, p *access.Principal, id int64) (Objective, error) {
	if err := requireReader(p); err != nil {
		return Objective{}, err
	}
	return findObjective(ctx, s.DB, "o.id = ?", id)
}

// DescribeObjective returns an objective with its processes and the needs
// serving it that p may read.
func (s *Service) DescribeObjective(ctx context.Context, p *access.Principal, id int64) (ObjectiveDetail, error) {
	o, err := s.GetObjective(ctx, p, id)
	if err != nil {
		return ObjectiveDetail{}, err
	}
	m, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return ObjectiveDetail{}, err
	}
	return s.describe(ctx, p, o, entriesByID(m))
}

func entriesByID(m process.RegisterMap) map[int64]process.MapEntry {
	out := make(map[int64]process.MapEntry, len(m.Entries))
	for _, e := range m.Entries {
		out[e.ID] = e
	}
	return out
}

func (s *Service) describe(ctx context.Context, p *access.Principal, o Objective, entries map[int64]process.MapEntry) (ObjectiveDetail, error) {
	d := ObjectiveDetail{Objective: o, Processes: []process.MapEntry{}, Needs: []frontdoor.Need{}, States: map[string]int{}}
	for _, id := range o.ProcessIDs {
		if e, ok := entries[id]; ok {
			d.Processes = append(d.Processes, e)
		}
	}
	for _, ref := range o.NeedRefs {
		n, err := s.Needs.Find(ctx, p, ref)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			d.Hidden++
			continue
		} else if err != nil {
			return ObjectiveDetail{}, err
		}
		d.Needs = append(d.Needs, n)
		d.States[string(n.State)]++
	}
	return d, nil
}

// PortfolioByObjective is the portfolio seen by objective: every objective
// with its processes and the needs p may read, and the processes no
// objective serves.
type PortfolioByObjective struct {
	Objectives []ObjectiveDetail `json:"objectives" nullable:"false"`
	Unserved   []process.Ref     `json:"unserved_processes" nullable:"false" doc:"Processes (not value streams) that no objective serves"`
}

// ByObjective returns the portfolio seen by objective. Everyone signed in
// may.
func (s *Service) ByObjective(ctx context.Context, p *access.Principal) (PortfolioByObjective, error) {
	os, err := s.ListObjectives(ctx, p)
	if err != nil {
		return PortfolioByObjective{}, err
	}
	m, err := s.Processes.ProcessMap(ctx, p)
	if err != nil {
		return PortfolioByObjective{}, err
	}
	entries := entriesByID(m)
	out := PortfolioByObjective{Objectives: []ObjectiveDetail{}, Unserved: []process.Ref{}}
	served := map[int64]bool{}
	for _, o := range os {
		d, err := s.describe(ctx, p, o, entries)
		if err != nil {
			return PortfolioByObjective{}, err
		}
		for _, id := range o.ProcessIDs {
			served[id] = true
		}
		out.Objectives = append(out.Objectives, d)
	}
	for _, e := range m.Entries {
		if e.Kind == process.Process && !served[e.ID] {
			out.Unserved = append(out.Unserved, process.Ref{ID: e.ID, Kind: e.Kind, Ref: e.Ref, Name: e.Name})
		}
	}
	return out, nil
}

// CreateObjective adds an objective. Enterprise architects, the board and
// administrators only. Sending the same objective again returns the one
// created.
func (s *Service) CreateObjective(ctx context.Context, p *access.Principal, in ObjectiveInput) (Objective, error) {
	if err := requireObjectiveWriter(p); err != nil {
		return Objective{}, err
	}
	var out Objective
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := s.checkObjective(ctx, tx, p, &in); err != nil {
			return err
		}
		if existing, err := findObjective(ctx, tx, "o.ref = ?", in.Ref); err == nil {
			if sameInput(existing.Input(), in) {
				out = existing
				return nil
			}
			return fieldConflict("ref", fmt.Sprintf("%s is already the handle of “%s”.", in.Ref, existing.Title))
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return err
		}
		now := s.Clock.Now()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO portfolio_objectives(ref, title, description, owner_person_id, horizon, measure, target, version,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			in.Ref, in.Title, in.Description, in.OwnerPersonID, in.Horizon, in.Measure, in.Target, now, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return fieldConflict("ref", in.Ref+" is already the handle of another objective.")
		} else if err != nil {
			return fmt.Errorf("saving objective %s: %w", in.Ref, err)
		}
		if err := writeObjectiveLinks(ctx, tx, id, in); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "create", "objective", id, "Objective "+in.Ref+": "+in.Title, nil, in); err != nil {
			return err
		}
		out, err = findObjective(ctx, tx, "o.id = ?", id)
		return err
	})
	return out, err
}

// UpdateObjective changes an objective, given the version read.
// Enterprise architects, the board and administrators only.
func (s *Service) UpdateObjective(ctx context.Context, p *access.Principal, id int64, version int, in ObjectiveInput) (Objective, error) {
	if err := requireObjectiveWriter(p); err != nil {
		return Objective{}, err
	}
	var out Objective
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, err := findObjective(ctx, tx, "o.id = ?", id)
		if err != nil {
			return err
		}
		if err := s.checkObjective(ctx, tx, p, &in); err != nil {
			return err
		}
		if sameInput(before.Input(), in) && before.Version == version {
			out = before
			return nil
		}
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, `UPDATE portfolio_objectives SET ref = ?, title = ?, description = ?, owner_person_id = ?, horizon = ?,
			measure = ?, target = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Ref, in.Title, in.Description, in.OwnerPersonID, in.Horizon, in.Measure, in.Target, now, id, version)
		if db.IsUniqueViolation(err) {
			return fieldConflict("ref", in.Ref+" is already the handle of another objective.")
		} else if err != nil {
			return fmt.Errorf("saving objective %s: %w", in.Ref, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return engage.Errorf(engage.ECONFLICT,
				"Someone else changed “%s” after you opened it (you edited version %d). Reload it to see their change, then make yours again.", before.Title, version)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM portfolio_objective_processes WHERE objective_id = ?", id); err != nil {
			return fmt.Errorf("saving objective %s: %w", in.Ref, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM portfolio_objective_needs WHERE objective_id = ?", id); err != nil {
			return fmt.Errorf("saving objective %s: %w", in.Ref, err)
		}
		if err := writeObjectiveLinks(ctx, tx, id, in); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, p, "update", "objective", id, "Objective "+in.Ref+" edited", before.Input(), in); err != nil {
			return err
		}
		out, err = findObjective(ctx, tx, "o.id = ?", id)
		return err
	})
	return out, err
}

// writeObjectiveLinks links a new or changed objective, and marks the
// portfolio changed (the ranking counts the objectives a need serves).
func writeObjectiveLinks(ctx context.Context, tx db.Querier, id int64, in ObjectiveInput) error {
	if err := db.BumpGeneration(ctx, tx, generationKey); err != nil {
		return err
	}
	for _, pid := range in.ProcessIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO portfolio_objective_processes(objective_id, process_id) VALUES (?, ?)", id, pid); err != nil {
			return fmt.Errorf("linking objective %s to process %d: %w", in.Ref, pid, err)
		}
	}
	for _, ref := range in.NeedRefs {
		if _, err := tx.Exec(ctx, "INSERT INTO portfolio_objective_needs(objective_id, need_ref) VALUES (?, ?)", id, ref); err != nil {
			return fmt.Errorf("linking objective %s to need %s: %w", in.Ref, ref, err)
		}
	}
	return nil
}

// objectivesByNeed returns, per need reference, the refs of the objectives
// that need serves directly.
func objectivesByNeed(ctx context.Context, q db.Querier) (map[string][]string, error) {
	rows, err := q.Query(ctx, `SELECT n.need_ref, o.ref FROM portfolio_objective_needs n JOIN portfolio_objectives o ON o.id = n.objective_id
		ORDER BY n.need_ref, o.ref`)
	if err != nil {
		return nil, fmt.Errorf("reading objectives' needs: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var need, obj string
		if err := rows.Scan(&need, &obj); err != nil {
			return nil, err
		}
		out[need] = append(out[need], obj)
	}
	return out, rows.Err()
}

// objectivesByProcess returns, per process id, the refs of the objectives
// it serves.
func objectivesByProcess(ctx context.Context, q db.Querier) (map[int64][]string, error) {
	rows, err := q.Query(ctx, `SELECT l.process_id, o.ref FROM portfolio_objective_processes l JOIN portfolio_objectives o ON o.id = l.objective_id
		ORDER BY l.process_id, o.ref`)
	if err != nil {
		return nil, fmt.Errorf("reading objectives' processes: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var pid int64
		var obj string
		if err := rows.Scan(&pid, &obj); err != nil {
			return nil, err
		}
		out[pid] = append(out[pid], obj)
	}
	return out, rows.Err()
}

package costs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Pool is one month's cost of one kind, and how it is allocated.
type Pool struct {
	ID         int64           `json:"id"`
	Period     string          `json:"period" example:"2026-03"`
	Category   string          `json:"category" enum:"labour,hardware,software,external-vendor,facilities"`
	Name       string          `json:"name"`
	Amount     decimal.Decimal `json:"amount"`
	Currency   string          `json:"currency"`
	Allocation PoolAllocation  `json:"allocation"`
	Version    int             `json:"version"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// PoolAllocation says how a pool is shared among services.
type PoolAllocation struct {
	Method  string       `json:"method" enum:"none,percent,subscription-quantity,charged-amount"`
	Targets []PoolTarget `json:"targets" nullable:"false" doc:"Percent: each service's share. Drivers: the services measured; none means every service."`
}

// PoolTarget is a service a pool is allocated to.
type PoolTarget struct {
	ServiceID   int64            `json:"service_id"`
	ServiceSlug string           `json:"service_slug"`
	ServiceName string           `json:"service_name"`
	Percent     *decimal.Decimal `json:"percent,omitempty"`
}

// PoolInput is what may be set on a pool.
type PoolInput struct {
	Period     string               `json:"period" example:"2026-03" doc:"The month, YYYY-MM"`
	Category   string               `json:"category" enum:"labour,hardware,software,external-vendor,facilities"`
	Name       string               `json:"name" maxLength:"120" doc:"Unique in the period"`
	Amount     decimal.Decimal      `json:"amount" doc:"Above zero and below 10^15, at most 4 decimal places, as a decimal string"`
	Currency   string               `json:"currency" example:"EUR" doc:"ISO 4217, one of the currencies the organisation uses"`
	Allocation *PoolAllocationInput `json:"allocation,omitempty" doc:"Absent: not allocated when created, unchanged when updated"`
}

// PoolAllocationInput sets how a pool is shared.
type PoolAllocationInput struct {
	Method  string            `json:"method" enum:"none,percent,subscription-quantity,charged-amount"`
	Targets []PoolTargetInput `json:"targets,omitempty"`
}

// PoolTargetInput names a service by id or URL name, with its percentage for
// the percent method.
type PoolTargetInput struct {
	ServiceID int64            `json:"service_id,omitempty"`
	Service   string           `json:"service,omitempty" doc:"The service's URL name, instead of service_id"`
	Percent   *decimal.Decimal `json:"percent,omitempty" doc:"Percent method only; the percentages add up to exactly 100"`
}

// Input returns the editable part of a pool.
func (p Pool) Input() PoolInput {
	a := &PoolAllocationInput{Method: p.Allocation.Method}
	for _, t := range p.Allocation.Targets {
		a.Targets = append(a.Targets, PoolTargetInput{ServiceID: t.ServiceID, Service: t.ServiceSlug, Percent: t.Percent})
	}
	return PoolInput{Period: p.Period, Category: p.Category, Name: p.Name, Amount: p.Amount, Currency: p.Currency, Allocation: a}
}

var (
	categoryAliases = map[string]string{"labor": "labour", "vendor": "external-vendor", "external": "external-vendor"}
)

// NormaliseCategory reads "External vendor" or "external_vendor" as
// external-vendor.
func NormaliseCategory(s string) string {
	c := strings.Trim(strings.NewReplacer(" ", "-", "_", "-").Replace(strings.ToLower(strings.TrimSpace(s))), "-")
	if a, ok := categoryAliases[c]; ok {
		return a
	}
	return c
}

func validCategory(c string) bool {
	for _, x := range Categories {
		if x.Value == c {
			return true
		}
	}
	return false
}

func validMethod(m string) bool {
	for _, x := range Methods {
		if x.Value == m {
			return true
		}
	}
	return false
}

// resolved is a checked allocation ready to store.
type resolved struct {
	method  string
	targets []PoolTarget
}

// checkPool normalises and validates in; with a nil allocation the
// allocation is left as it is (keep) and not returned. A pool keeping its
// stored currency is not refused for it when the organisation's currencies
// have changed since.
func (s *Service) checkPool(ctx context.Context, q db.Querier, in *PoolInput, stored string) (*resolved, error) {
	var v engage.Validation
	in.Period = strings.TrimSpace(in.Period)
	in.Name = strings.TrimSpace(in.Name)
	in.Category = NormaliseCategory(in.Category)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if _, _, err := parsePeriod("period", in.Period); err != nil {
		v.Fields = append(v.Fields, engage.ErrorFields(err)...)
	}
	if !validCategory(in.Category) {
		v.Add("category", "Choose one of: labour, hardware, software, external-vendor, facilities.")
	}
	v.Require("name", in.Name, "the pool's name")
	v.MaxLen("name", in.Name, 120)
	if !in.Amount.IsPositive() {
		v.Add("amount", "Give an amount above zero, such as 12500.00.")
	} else if msg := rating.Fee.CheckIn(in.Amount, in.Currency); msg != "" {
		v.Add("amount", "%s", msg)
	}
	if in.Currency != stored {
		if msg := s.Currencies.Check(in.Currency); msg != "" {
			v.Add("currency", "%s", msg)
		}
	}
	var res *resolved
	if in.Allocation != nil {
		r, fields, err := checkAllocation(ctx, q, *in.Allocation)
		if err != nil {
			return nil, err
		}
		v.Fields = append(v.Fields, fields...)
		res = &r
	}
	return res, v.Err()
}

// checkAllocation validates an allocation and finds its services.
func checkAllocation(ctx context.Context, q db.Querier, in PoolAllocationInput) (resolved, []engage.FieldError, error) {
	var v engage.Validation
	method := strings.TrimSpace(strings.ToLower(in.Method))
	if method == "" {
		method = MethodNone
	}
	if !validMethod(method) {
		v.Add("allocation.method", "Choose none, percent, subscription-quantity or charged-amount.")
		return resolved{}, v.Fields, nil
	}
	res := resolved{method: method, targets: []PoolTarget{}}
	if method == MethodNone {
		if len(in.Targets) > 0 {
			v.Add("allocation.targets", "A pool that is not allocated names no services.")
		}
		return res, v.Fields, nil
	}
	if method == MethodPercent && len(in.Targets) == 0 {
		v.Add("allocation.targets", "Name at least one service and its percentage.")
	}
	seen := map[int64]bool{}
	sum := decimal.Zero
	for i, t := range in.Targets {
		field := fmt.Sprintf("allocation.targets[%d]", i)
		var tg PoolTarget
		var err error
		switch {
		case t.ServiceID != 0:
			err = q.QueryRow(ctx, "SELECT id, slug, name FROM services WHERE id = ?", t.ServiceID).Scan(&tg.ServiceID, &tg.ServiceSlug, &tg.ServiceName)
		case strings.TrimSpace(t.Service) != "":
			err = q.QueryRow(ctx, "SELECT id, slug, name FROM services WHERE slug = ?", strings.TrimSpace(t.Service)).Scan(&tg.ServiceID, &tg.ServiceSlug, &tg.ServiceName)
		default:
			v.Add(field+".service", "Name the service.")
			continue
		}
		if errors.Is(err, sql.ErrNoRows) {
			name := t.Service
			if name == "" {
				name = strconv.FormatInt(t.ServiceID, 10)
			}
			v.Add(field+".service", "There is no service %q.", name)
			continue
		} else if err != nil {
			return resolved{}, nil, fmt.Errorf("finding allocation service: %w", err)
		}
		if seen[tg.ServiceID] {
			v.Add(field+".service", "%s is named twice.", tg.ServiceName)
			continue
		}
		seen[tg.ServiceID] = true
		if method == MethodPercent {
			switch {
			case t.Percent == nil:
				v.Add(field+".percent", "Give %s's percentage.", tg.ServiceName)
			case !t.Percent.IsPositive() || t.Percent.GreaterThan(hundred):
				v.Add(field+".percent", "Give %s a percentage above 0 and at most 100.", tg.ServiceName)
			case rating.Percent.Check(*t.Percent) != "":
				v.Add(field+".percent", "%s", rating.Percent.Check(*t.Percent))
			default:
				pc := *t.Percent
				tg.Percent = &pc
				sum = sum.Add(pc)
			}
		} else if t.Percent != nil {
			v.Add(field+".percent", "Percentages belong to the percent method; a driver measures each service.")
		}
		res.targets = append(res.targets, tg)
	}
	if method == MethodPercent && len(v.Fields) == 0 && !sum.Equal(hundred) {
		v.Add("allocation.targets", "The percentages add up to %s; they must add up to exactly 100.", sum.String())
	}
	return res, v.Fields, nil
}

const poolColumns = `p.id, p.period, p.category, p.name, p.amount, p.currency, p.method, p.version, p.created_at, p.updated_at FROM cost_pools p`

func scanPool(row db.Scanner) (Pool, error) {
	var p Pool
	err := row.Scan(&p.ID, &p.Period, &p.Category, &p.Name, &p.Amount, &p.Currency, &p.Allocation.Method, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.Allocation.Targets = []PoolTarget{}
	return p, err
}

// listPools reads pools matching where, with their targets.
func listPools(ctx context.Context, q db.Querier, where string, args ...any) ([]Pool, error) {
	rows, err := q.Query(ctx, "SELECT "+poolColumns+" WHERE "+where+" ORDER BY p.period DESC, p.category, p.name, p.id", args...)
	if err != nil {
		return nil, fmt.Errorf("listing cost pools: %w", err)
	}
	out := []Pool{}
	index := map[int64]int{}
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading cost pool: %w", err)
		}
		index[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	trows, err := q.Query(ctx, `SELECT t.pool_id, t.service_id, s.slug, s.name, t.percent FROM cost_pool_targets t
		JOIN cost_pools p ON p.id = t.pool_id JOIN services s ON s.id = t.service_id WHERE `+where+` ORDER BY t.pool_id, t.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading allocation targets: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var id int64
		var t PoolTarget
		var pc decimal.NullDecimal
		if err := trows.Scan(&id, &t.ServiceID, &t.ServiceSlug, &t.ServiceName, &pc); err != nil {
			return nil, err
		}
		if pc.Valid {
			d := pc.Decimal
			t.Percent = &d
		}
		if i, ok := index[id]; ok {
			out[i].Allocation.Targets = append(out[i].Allocation.Targets, t)
		}
	}
	return out, trows.Err()
}

func findPool(ctx context.Context, q db.Querier, id int64) (Pool, error) {
	list, err := listPools(ctx, q, "p.id = ?", id)
	if err != nil {
		return Pool{}, err
	}
	if len(list) == 0 {
		return Pool{}, engage.Errorf(engage.ENOTFOUND, "There is no cost pool %d.", id)
	}
	return list[0], nil
}

func writeTargets(ctx context.Context, q db.Querier, poolID int64, r resolved) error {
	if _, err := q.Exec(ctx, "DELETE FROM cost_pool_targets WHERE pool_id = ?", poolID); err != nil {
		return fmt.Errorf("replacing allocation: %w", err)
	}
	for i, t := range r.targets {
		var pc any
		if t.Percent != nil {
			pc = *t.Percent
		}
		if _, err := q.Exec(ctx, "INSERT INTO cost_pool_targets(pool_id, position, service_id, percent) VALUES (?, ?, ?, ?)", poolID, i+1, t.ServiceID, pc); err != nil {
			return fmt.Errorf("saving allocation: %w", err)
		}
	}
	return nil
}

func duplicateName(err error, in PoolInput) error {
	if db.IsUniqueViolation(err) {
		return &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
			Fields: []engage.FieldError{{Field: "name", Message: fmt.Sprintf("Another pool in %s is already called %q.", in.Period, in.Name)}}}
	}
	return err
}

func insertPool(ctx context.Context, q db.Querier, in PoolInput, r *resolved, now time.Time) (int64, error) {
	method := MethodNone
	if r != nil {
		method = r.method
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO cost_pools(period, category, name, amount, currency, method, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, in.Period, in.Category, in.Name, in.Amount, in.Currency, method, now, now).Scan(&id)
	if err != nil {
		return 0, duplicateName(err, in)
	}
	if r != nil {
		if err := writeTargets(ctx, q, id, *r); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// updatePool replaces a pool's fields (and allocation, when r is not nil)
// if version is current; it reports whether the version matched.
func updatePool(ctx context.Context, q db.Querier, id int64, version int, in PoolInput, r *resolved, now time.Time) (bool, error) {
	set, args := "period = ?, category = ?, name = ?, amount = ?, currency = ?", []any{in.Period, in.Category, in.Name, in.Amount, in.Currency}
	if r != nil {
		set += ", method = ?"
		args = append(args, r.method)
	}
	args = append(args, now, id, version)
	res, err := q.Exec(ctx, "UPDATE cost_pools SET "+set+", version = version + 1, updated_at = ? WHERE id = ? AND version = ?", args...)
	if err != nil {
		return false, duplicateName(err, in)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	if r != nil {
		if err := writeTargets(ctx, q, id, *r); err != nil {
			return false, err
		}
	}
	return true, nil
}

func stale(version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this cost pool after you opened it (you edited version %d). Reload it to see their change, then make yours again.", version)
}

// ListPools lists the pools of a period (every period when period is
// empty), newest period first, then by category and name.
func (s *Service) ListPools(ctx context.Context, p *access.Principal, period string) ([]Pool, error) {
	if err := canReadPools(p); err != nil {
		return nil, err
	}
	if period == "" {
		return listPools(ctx, s.DB, "1=1")
	}
	if _, _, err := parsePeriod("period", period); err != nil {
		return nil, err
	}
	return listPools(ctx, s.DB, "p.period = ?", period)
}

// FindPool returns one pool.
func (s *Service) FindPool(ctx context.Context, p *access.Principal, id int64) (Pool, error) {
	if err := canReadPools(p); err != nil {
		return Pool{}, err
	}
	return findPool(ctx, s.DB, id)
}

// PoolPeriods lists the periods that have pools, newest first.
func (s *Service) PoolPeriods(ctx context.Context, p *access.Principal) ([]string, error) {
	if err := canReadPools(p); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT DISTINCT period FROM cost_pools ORDER BY period DESC")
	if err != nil {
		return nil, fmt.Errorf("listing cost periods: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var pr string
		if err := rows.Scan(&pr); err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, rows.Err()
}

// CreatePool adds a pool. Finance and admins only.
func (s *Service) CreatePool(ctx context.Context, p *access.Principal, in PoolInput) (Pool, error) {
	if err := canWrite(p); err != nil {
		return Pool{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		r, err := s.checkPool(ctx, tx, &in, "")
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if id, err = insertPool(ctx, tx, in, r, now); err != nil {
			return err
		}
		if err := s.poolsChanged(ctx, tx, in.Period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "cost_pool", id, fmt.Sprintf("Cost pool %s for %s: %s %s", in.Name, in.Period, in.Amount, in.Currency), nil, in)
	})
	if err != nil {
		return Pool{}, err
	}
	return findPool(ctx, s.DB, id)
}

// UpdatePool replaces a pool's fields if version is current; the
// allocation changes only when in.Allocation is given.
func (s *Service) UpdatePool(ctx context.Context, p *access.Principal, id int64, version int, in PoolInput) (Pool, error) {
	if err := canWrite(p); err != nil {
		return Pool{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		cur, err := findPool(ctx, tx, id)
		if err != nil {
			return err
		}
		r, err := s.checkPool(ctx, tx, &in, cur.Currency)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		ok, err := updatePool(ctx, tx, id, version, in, r, now)
		if err != nil {
			return err
		} else if !ok {
			return stale(version)
		}
		if err := s.poolsChanged(ctx, tx, cur.Period, in.Period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "update", "cost_pool", id, fmt.Sprintf("Cost pool %s for %s", in.Name, in.Period), cur.Input(), in)
	})
	if err != nil {
		return Pool{}, err
	}
	return findPool(ctx, s.DB, id)
}

// SetAllocation replaces how a pool is allocated if version is current.
func (s *Service) SetAllocation(ctx context.Context, p *access.Principal, id int64, version int, in PoolAllocationInput) (Pool, error) {
	if err := canWrite(p); err != nil {
		return Pool{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		cur, err := findPool(ctx, tx, id)
		if err != nil {
			return err
		}
		next := cur.Input()
		next.Allocation = &in
		r, err := s.checkPool(ctx, tx, &next, cur.Currency)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		ok, err := updatePool(ctx, tx, id, version, next, r, now)
		if err != nil {
			return err
		} else if !ok {
			return stale(version)
		}
		if err := s.poolsChanged(ctx, tx, cur.Period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "allocate", "cost_pool", id, fmt.Sprintf("Allocation of cost pool %s for %s: %s", cur.Name, cur.Period, MethodLabel(r.method)),
			cur.Allocation, in)
	})
	if err != nil {
		return Pool{}, err
	}
	return findPool(ctx, s.DB, id)
}

// DeletePool removes a pool.
func (s *Service) DeletePool(ctx context.Context, p *access.Principal, id int64) error {
	if err := canWrite(p); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		cur, err := findPool(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM cost_pools WHERE id = ?", id); err != nil {
			return fmt.Errorf("deleting cost pool: %w", err)
		}
		if err := s.poolsChanged(ctx, tx, cur.Period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Clock.Now(), p, "delete", "cost_pool", id, fmt.Sprintf("Deleted cost pool %s for %s", cur.Name, cur.Period), cur.Input(), nil)
	})
}

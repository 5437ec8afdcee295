package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

// --- services ---

const serviceColumns = `s.id, s.slug, s.name, s.summary, s.description, s.kind, s.family, COALESCE(s.owner_id, 0), COALESCE(o.name, ''),
	s.sourcing, s.vendor, s.lifecycle, s.delivery_model, s.data_ceiling, s.arch_status, s.sla_availability, s.sla_support_hours,
	s.sla_lead_time_days, s.audience_all, s.tags, s.links_json, s.version, s.created_at, s.updated_at
	FROM services s LEFT JOIN people o ON o.id = s.owner_id`

func scanService(row db.Scanner) (Service, error) {
	var s Service
	var tags, links string
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Summary, &s.Description, &s.Kind, &s.Family, &s.OwnerID, &s.OwnerName,
		&s.Sourcing, &s.Vendor, &s.Lifecycle, &s.DeliveryModel, &s.DataCeiling, &s.ArchStatus, &s.SLA.Availability, &s.SLA.SupportHours,
		&s.SLA.LeadTimeDays, &s.AudienceAll, &tags, &links, &s.Version, &s.CreatedAt, &s.UpdatedAt)
	if err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.Tags = splitTags(tags)
	s.Links = []Link{}
	if err := json.Unmarshal([]byte(links), &s.Links); err != nil {
		return s, fmt.Errorf("reading links of service %d: %w", s.ID, err)
	}
	s.Audience = []AudienceRef{}
	return s, nil
}

func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func findService(ctx context.Context, q db.Querier, where string, arg any) (Service, error) {
	s, err := scanService(q.QueryRow(ctx, "SELECT "+serviceColumns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return s, engage.Errorf(engage.ENOTFOUND, "There is no such service.")
	} else if err != nil {
		return s, fmt.Errorf("reading service: %w", err)
	}
	aud, err := loadAudience(ctx, q, "service_audience", "service_id", []int64{s.ID})
	if err != nil {
		return s, err
	}
	if a := aud[s.ID]; a != nil {
		s.Audience = a
	}
	return s, nil
}

// allServices reads every service with its audience; the catalog is small
// enough (thousands) to hold, and listing filters it in memory.
func allServices(ctx context.Context, q db.Querier) ([]Service, error) {
	rows, err := q.Query(ctx, "SELECT "+serviceColumns+" ORDER BY s.name, s.id")
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	var out []Service
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading services: %w", err)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	aud, err := loadAudience(ctx, q, "service_audience", "service_id", nil)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if a := aud[out[i].ID]; a != nil {
			out[i].Audience = a
		}
	}
	return out, nil
}

// loadAudience reads audience rows with their names; ids nil reads all.
func loadAudience(ctx context.Context, q db.Querier, table, key string, ids []int64) (map[int64][]AudienceRef, error) {
	query := `SELECT a.` + key + `, a.kind, a.ref_id, COALESCE(d.name, l.name, f.name, '') FROM ` + table + ` a
		LEFT JOIN departments d ON a.kind = 'department' AND d.id = a.ref_id
		LEFT JOIN locations l ON a.kind = 'location' AND l.id = a.ref_id
		LEFT JOIN functions f ON a.kind = 'function' AND f.id = a.ref_id`
	var args []any
	if ids != nil {
		query += " WHERE a." + key + " IN (" + db.Placeholders(len(ids)) + ")"
		args = db.Args(ids)
	}
	rows, err := q.Query(ctx, query+" ORDER BY a.kind, a.ref_id", args...)
	if err != nil {
		return nil, fmt.Errorf("reading audience: %w", err)
	}
	defer rows.Close()
	m := map[int64][]AudienceRef{}
	for rows.Next() {
		var id int64
		var a AudienceRef
		if err := rows.Scan(&id, &a.Kind, &a.ID, &a.Name); err != nil {
			return nil, fmt.Errorf("reading audience: %w", err)
		}
		m[id] = append(m[id], a)
	}
	return m, rows.Err()
}

func writeAudience(ctx context.Context, q db.Querier, table, key string, id int64, aud []AudienceRef) error {
	if _, err := q.Exec(ctx, "DELETE FROM "+table+" WHERE "+key+" = ?", id); err != nil {
		return fmt.Errorf("replacing audience: %w", err)
	}
	for _, a := range aud {
		if _, err := q.Exec(ctx, "INSERT INTO "+table+"("+key+", kind, ref_id) VALUES (?, ?, ?)", id, a.Kind, a.ID); err != nil {
			return fmt.Errorf("writing audience: %w", err)
		}
	}
	return nil
}

func linksJSON(links []Link) string {
	if links == nil {
		links = []Link{}
	}
	b, _ := json.Marshal(links)
	return string(b)
}

func insertService(ctx context.Context, q db.Querier, in ServiceInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO services(slug, name, summary, description, kind, family, owner_id, sourcing, vendor, lifecycle,
		delivery_model, data_ceiling, arch_status, sla_availability, sla_support_hours, sla_lead_time_days, audience_all, tags, links_json,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Slug, in.Name, in.Summary, in.Description, in.Kind, in.Family, db.NullID(in.OwnerID), in.Sourcing, in.Vendor, in.Lifecycle,
		in.DeliveryModel, in.DataCeiling, in.ArchStatus, in.SLA.Availability, in.SLA.SupportHours, in.SLA.LeadTimeDays, in.AudienceAll,
		strings.Join(in.Tags, ","), linksJSON(in.Links), now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting service %q: %w", in.Slug, err)
	}
	return id, writeAudience(ctx, q, "service_audience", "service_id", id, in.Audience)
}

func updateService(ctx context.Context, q db.Querier, id int64, version int, in ServiceInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE services SET slug = ?, name = ?, summary = ?, description = ?, kind = ?, family = ?, owner_id = ?,
		sourcing = ?, vendor = ?, lifecycle = ?, delivery_model = ?, data_ceiling = ?, arch_status = ?, sla_availability = ?,
		sla_support_hours = ?, sla_lead_time_days = ?, audience_all = ?, tags = ?, links_json = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		in.Slug, in.Name, in.Summary, in.Description, in.Kind, in.Family, db.NullID(in.OwnerID), in.Sourcing, in.Vendor, in.Lifecycle,
		in.DeliveryModel, in.DataCeiling, in.ArchStatus, in.SLA.Availability, in.SLA.SupportHours, in.SLA.LeadTimeDays, in.AudienceAll,
		strings.Join(in.Tags, ","), linksJSON(in.Links), now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating service %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	return n, writeAudience(ctx, q, "service_audience", "service_id", id, in.Audience)
}

// --- offerings and plans ---

const offeringColumns = `o.id, o.service_id, s.name, o.slug, o.name, o.description, o.lifecycle, o.lead_time_days, o.unit_name, o.position, o.version,
	o.created_at, o.updated_at FROM offerings o JOIN services s ON s.id = o.service_id`

func scanOffering(row db.Scanner) (Offering, error) {
	var o Offering
	err := row.Scan(&o.ID, &o.ServiceID, &o.ServiceName, &o.Slug, &o.Name, &o.Description, &o.Lifecycle, &o.LeadTimeDays, &o.UnitName, &o.Position,
		&o.Version, &o.CreatedAt, &o.UpdatedAt)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.Plans = []RatePlan{}
	return o, err
}

// listOfferings reads offerings (of some services, or all when ids is nil)
// with their plans, ordered by service, position and name.
func listOfferings(ctx context.Context, q db.Querier, where string, args ...any) ([]Offering, error) {
	if where == "" {
		where = "1=1"
	}
	rows, err := q.Query(ctx, "SELECT "+offeringColumns+" WHERE "+where+" ORDER BY o.service_id, o.position, o.name, o.id", args...)
	if err != nil {
		return nil, fmt.Errorf("listing offerings: %w", err)
	}
	var out []Offering
	for rows.Next() {
		o, err := scanOffering(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading offerings: %w", err)
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	planWhere, planArgs := "1=1", []any{}
	if len(out) < 500 {
		ids := make([]int64, len(out))
		for i, o := range out {
			ids[i] = o.ID
		}
		planWhere, planArgs = "offering_id IN ("+db.Placeholders(len(ids))+")", db.Args(ids)
	}
	plans, err := loadPlans(ctx, q, planWhere, planArgs...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p := plans[out[i].ID]; p != nil {
			out[i].Plans = p
		}
	}
	return out, nil
}

func findOffering(ctx context.Context, q db.Querier, where string, arg any) (Offering, error) {
	list, err := listOfferings(ctx, q, where, arg)
	if err != nil {
		return Offering{}, err
	}
	if len(list) == 0 {
		return Offering{}, engage.Errorf(engage.ENOTFOUND, "There is no such offering.")
	}
	return list[0], nil
}

func loadPlans(ctx context.Context, q db.Querier, where string, args ...any) (map[int64][]RatePlan, error) {
	rows, err := q.Query(ctx, `SELECT id, offering_id, currency, unit, tier_mode, unit_price, fixed_monthly, one_time, minimum, tiers_json,
		effective_from, effective_to FROM rate_plans WHERE `+where+` ORDER BY offering_id, effective_from`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading rate plans: %w", err)
	}
	defer rows.Close()
	m := map[int64][]RatePlan{}
	for rows.Next() {
		var p RatePlan
		var offering int64
		var tiers string
		var from time.Time
		var to sql.NullTime
		if err := rows.Scan(&p.ID, &offering, &p.Currency, &p.Unit, &p.TierMode, &p.UnitPrice, &p.FixedMonthly, &p.OneTime, &p.Minimum,
			&tiers, &from, &to); err != nil {
			return nil, fmt.Errorf("reading rate plans: %w", err)
		}
		p.EffectiveFrom = DateOf(from)
		if to.Valid {
			d := DateOf(to.Time)
			p.EffectiveTo = &d
		}
		p.Tiers = []Tier{}
		if err := json.Unmarshal([]byte(tiers), &p.Tiers); err != nil {
			return nil, fmt.Errorf("reading tiers of plan %d: %w", p.ID, err)
		}
		m[offering] = append(m[offering], p)
	}
	return m, rows.Err()
}

func insertOffering(ctx context.Context, q db.Querier, serviceID int64, in OfferingInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO offerings(service_id, slug, name, description, lifecycle, lead_time_days, unit_name, position, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		serviceID, in.Slug, in.Name, in.Description, in.Lifecycle, in.LeadTimeDays, in.UnitName, in.Position, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting offering %q: %w", in.Slug, err)
	}
	return id, nil
}

func updateOffering(ctx context.Context, q db.Querier, id int64, version int, in OfferingInput, now time.Time) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE offerings SET slug = ?, name = ?, description = ?, lifecycle = ?, lead_time_days = ?, unit_name = ?, position = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Slug, in.Name, in.Description, in.Lifecycle, in.LeadTimeDays, in.UnitName, in.Position, now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating offering %d: %w", id, err)
	}
	return res.RowsAffected()
}

func tiersJSON(tiers []Tier) string {
	if tiers == nil {
		tiers = []Tier{}
	}
	b, _ := json.Marshal(tiers)
	return string(b)
}

func insertPlan(ctx context.Context, q db.Querier, offeringID int64, p RatePlan, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO rate_plans(offering_id, currency, unit, tier_mode, unit_price, fixed_monthly, one_time, minimum,
		tiers_json, effective_from, effective_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		offeringID, p.Currency, p.Unit, p.TierMode, p.UnitPrice, p.FixedMonthly, p.OneTime, p.Minimum, tiersJSON(p.Tiers),
		p.EffectiveFrom.Time, NullDate(p.EffectiveTo), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting rate plan: %w", err)
	}
	return id, nil
}

func closePlan(ctx context.Context, q db.Querier, planID int64, to Date) error {
	if _, err := q.Exec(ctx, "UPDATE rate_plans SET effective_to = ? WHERE id = ?", to.Time, planID); err != nil {
		return fmt.Errorf("closing rate plan %d: %w", planID, err)
	}
	return nil
}

// consumers counts the departments with a live subscription per offering's
// service, at a date.
func consumerCounts(ctx context.Context, q db.Querier, on Date) (map[int64]int, error) {
	rows, err := q.Query(ctx, `SELECT o.service_id, COUNT(DISTINCT s.department_id) FROM subscriptions s JOIN offerings o ON o.id = s.offering_id
		WHERE s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?) GROUP BY o.service_id`, on.Time, on.Time)
	if err != nil {
		return nil, fmt.Errorf("counting consumers: %w", err)
	}
	defer rows.Close()
	m := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		m[id] = n
	}
	return m, rows.Err()
}

// Consumer is a department using a service.
type Consumer struct {
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	OfferingID     int64           `json:"offering_id"`
	OfferingName   string          `json:"offering_name"`
	Quantity       decimal.Decimal `json:"quantity"`
}

func serviceConsumers(ctx context.Context, q db.Querier, serviceID int64, on Date) ([]Consumer, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.name, o.id, o.name, s.quantity FROM subscriptions s
		JOIN offerings o ON o.id = s.offering_id JOIN departments d ON d.id = s.department_id
		WHERE o.service_id = ? AND s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?)
		ORDER BY d.name, o.name`, serviceID, on.Time, on.Time)
	if err != nil {
		return nil, fmt.Errorf("reading consumers: %w", err)
	}
	defer rows.Close()
	var out []Consumer
	for rows.Next() {
		var c Consumer
		if err := rows.Scan(&c.DepartmentID, &c.DepartmentName, &c.OfferingID, &c.OfferingName, &c.Quantity); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// sortPlans orders plans by start date.
func sortPlans(p []RatePlan) {
	sort.Slice(p, func(i, j int) bool { return p[i].EffectiveFrom.Before(p[j].EffectiveFrom.Time) })
}

func notFoundService() error {
	return engage.Errorf(engage.ENOTFOUND, "There is no such service, or it is not offered to you.")
}

func notFoundOffering(id int64) error {
	return engage.Errorf(engage.ENOTFOUND, "There is no offering %d, or it is not offered to you.", id)
}

// OfferingIn reads an offering and its service through q, a transaction in
// progress, whoever may see them: for work that holds locks and so must not
// wait for a second connection of the pool, which the transactions waiting
// for those locks may all hold (billing runs, late usage).
func OfferingIn(ctx context.Context, q db.Querier, id int64) (Offering, Service, error) {
	o, err := findOffering(ctx, q, "o.id = ?", id)
	if err != nil {
		return Offering{}, Service{}, err
	}
	s, err := findService(ctx, q, "s.id = ?", o.ServiceID)
	return o, s, err
}

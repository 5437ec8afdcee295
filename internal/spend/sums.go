package spend

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// Kept sums (migration 42): what the shadow-spend page, the measures and
// the BRM's queue read instead of the lines. Only sure software lines count
// (software, confidence at least ReviewBelow), as in softwareSpendFromLines.
//
//   - spend_sums: lines, amount and latest date per month × department ×
//     vendor × currency.
//   - spend_people: who paid, per department × vendor × currency × person ×
//     year, a bit per month, so that "different people over the window" is
//     exact without reading the lines.
//
// An import adds its new lines' sums in its transaction; a correction or a
// learnt vendor, which re-recognise lines, sums again the months ×
// departments of the lines they change. Lines stored before the sums were
// kept are summed by the next import (sumsStale).

// sumsStale is the setting that says the sums are not kept yet.
const sumsStale = "spend.sums_stale"

type sumKey struct {
	period   string
	dept     int64
	vendor   string
	currency string
}

type sumVal struct {
	lines  int
	amount decimal.Decimal
	last   string
}

type personKey struct {
	dept     int64
	vendor   string
	currency string
	email    string
	year     int
}

// sumsBatch is how many people rows an accumulator holds before writing
// them (about 150 bytes each): it bounds the memory an import of millions
// of lines takes, and an organisation's people × vendors × years usually
// fit, so that each is written once.
const sumsBatch = 100000

// sums accumulates the sums of lines being stored.
type sums struct {
	byKey  map[sumKey]*sumVal
	people map[personKey]int
	args   []any
}

func newSums() *sums { return &sums{byKey: map[sumKey]*sumVal{}, people: map[personKey]int{}} }

// counted reports whether a line of match m counts in the sums.
func counted(software bool, confidence int) bool {
	return software && confidence >= int(ReviewBelow*100)
}

// add counts one line.
func (z *sums) add(period string, dept int64, vendor, currency string, amount decimal.Decimal, date, email string) {
	k := sumKey{period, dept, vendor, currency}
	v := z.byKey[k]
	if v == nil {
		v = &sumVal{}
		z.byKey[k] = v
	}
	v.lines++
	v.amount = v.amount.Add(amount)
	if date > v.last {
		v.last = date
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		year, month := periodYearMonth(period)
		z.people[personKey{dept, vendor, currency, email, year}] |= 1 << (month - 1)
	}
}

func periodYearMonth(period string) (int, int) {
	y, _ := strconv.Atoi(period[:4])
	m, _ := strconv.Atoi(period[5:7])
	return y, m
}

// flushPeople writes the people met so far when there are many of them, or
// all of them when all is true.
func (z *sums) flushPeople(ctx context.Context, tx *db.Tx, all bool) error {
	if len(z.people) == 0 || !all && len(z.people) < sumsBatch {
		return nil
	}
	keys := make([]personKey, 0, len(z.people))
	for k := range z.people {
		keys = append(keys, k)
	}
	// In the primary key's order: fewer pages touched, and no two
	// writers lock the same rows in different orders.
	slices.SortFunc(keys, func(a, b personKey) int {
		if a.dept != b.dept {
			return int(a.dept - b.dept)
		}
		if c := strings.Compare(a.vendor, b.vendor); c != 0 {
			return c
		}
		if c := strings.Compare(a.currency, b.currency); c != 0 {
			return c
		}
		if c := strings.Compare(a.email, b.email); c != 0 {
			return c
		}
		return a.year - b.year
	})
	const per = 500
	for start := 0; start < len(keys); start += per {
		part := keys[start:min(start+per, len(keys))]
		z.args = z.args[:0]
		for _, k := range part {
			z.args = append(z.args, k.dept, k.vendor, k.currency, k.email, k.year, z.people[k])
		}
		q := "INSERT INTO spend_people(department_id, vendor, currency, email, year, months) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(part)), ", ") +
			" ON CONFLICT (department_id, vendor, currency, email, year) DO UPDATE SET months = spend_people.months | excluded.months"
		if _, err := tx.Exec(ctx, q, z.args...); err != nil {
			return fmt.Errorf("keeping who paid: %w", err)
		}
	}
	clear(z.people)
	return nil
}

// save adds the sums to the kept ones, and writes the people.
func (z *sums) save(ctx context.Context, tx *db.Tx) error {
	if err := z.flushPeople(ctx, tx, true); err != nil {
		return err
	}
	if len(z.byKey) == 0 {
		return nil
	}
	var periods []string
	for k := range z.byKey {
		if !slices.Contains(periods, k.period) {
			periods = append(periods, k.period)
		}
	}
	slices.Sort(periods)
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p
	}
	rows, err := tx.Query(ctx, "SELECT period, department_id, vendor, currency, lines, amount, last_spent_on FROM spend_sums WHERE period IN ("+
		db.Placeholders(len(periods))+")", args...)
	if err != nil {
		return fmt.Errorf("reading the kept sums: %w", err)
	}
	for rows.Next() {
		var k sumKey
		var v sumVal
		var amount string
		if err := rows.Scan(&k.period, &k.dept, &k.vendor, &k.currency, &v.lines, &amount, &v.last); err != nil {
			rows.Close()
			return err
		}
		add := z.byKey[k]
		if add == nil {
			continue
		}
		x, err := decimal.NewFromString(amount)
		if err != nil {
			rows.Close()
			return fmt.Errorf("a kept sum %q: %w", amount, err)
		}
		add.lines += v.lines
		add.amount = add.amount.Add(x)
		add.last = max(add.last, v.last)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	keys := make([]sumKey, 0, len(z.byKey))
	for k := range z.byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b sumKey) int {
		if c := strings.Compare(a.period, b.period); c != 0 {
			return c
		}
		if a.dept != b.dept {
			return int(a.dept - b.dept)
		}
		if c := strings.Compare(a.vendor, b.vendor); c != 0 {
			return c
		}
		return strings.Compare(a.currency, b.currency)
	})
	const per = 500
	for start := 0; start < len(keys); start += per {
		part := keys[start:min(start+per, len(keys))]
		z.args = z.args[:0]
		for _, k := range part {
			v := z.byKey[k]
			z.args = append(z.args, k.period, k.dept, k.vendor, k.currency, v.lines, v.amount.String(), v.last)
		}
		q := "INSERT INTO spend_sums(period, department_id, vendor, currency, lines, amount, last_spent_on) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(part)), ", ") +
			" ON CONFLICT (period, department_id, vendor, currency) DO UPDATE SET lines = excluded.lines, amount = excluded.amount, last_spent_on = excluded.last_spent_on"
		if _, err := tx.Exec(ctx, q, z.args...); err != nil {
			return fmt.Errorf("keeping spend sums: %w", err)
		}
	}
	clear(z.byKey)
	return db.BumpGeneration(ctx, tx, spendGeneration)
}

// deptPeriod is a month of a department's lines.
type deptPeriod struct {
	dept   int64
	period string
}

// resum sums again the lines of the given months of departments (all the
// lines when all is true), replacing what was kept of them.
func resum(ctx context.Context, tx *db.Tx, pairs []deptPeriod, all bool) error {
	if all {
		if _, err := tx.Exec(ctx, "DELETE FROM spend_sums"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM spend_people"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT DISTINCT department_id, period FROM spend_lines")
		if err != nil {
			return err
		}
		for rows.Next() {
			var p deptPeriod
			if err := rows.Scan(&p.dept, &p.period); err != nil {
				rows.Close()
				return err
			}
			pairs = append(pairs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	z := newSums()
	for _, p := range pairs {
		if !all {
			year, month := periodYearMonth(p.period)
			if _, err := tx.Exec(ctx, "DELETE FROM spend_sums WHERE department_id = ? AND period = ?", p.dept, p.period); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE spend_people SET months = months & ? WHERE department_id = ? AND year = ?", ^(1 << (month - 1)), p.dept, year); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT vendor, currency, CAST(amount AS TEXT), spent_on, person_email FROM spend_lines
			WHERE department_id = ? AND period = ? AND software = ? AND confidence >= ?`, p.dept, p.period, true, int(ReviewBelow*100))
		if err != nil {
			return fmt.Errorf("summing spend lines: %w", err)
		}
		for rows.Next() {
			var vendor, currency, amount, date, email string
			if err := rows.Scan(&vendor, &currency, &amount, &date, &email); err != nil {
				rows.Close()
				return err
			}
			x, err := decimal.NewFromString(amount)
			if err != nil {
				rows.Close()
				return fmt.Errorf("a spend line's amount %q: %w", amount, err)
			}
			z.add(p.period, p.dept, vendor, currency, x, date, email)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := z.flushPeople(ctx, tx, false); err != nil {
			return err
		}
	}
	if err := z.save(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM spend_people WHERE months = 0"); err != nil {
		return err
	}
	if all {
		// Only a sum of every line makes the kept sums whole.
		if _, err := tx.Exec(ctx, "DELETE FROM settings WHERE key = ?", sumsStale); err != nil {
			return err
		}
	}
	return db.BumpGeneration(ctx, tx, spendGeneration)
}

// resumMerchant sums again the months × departments that have lines of
// merchant, after their recognition changed.
func resumMerchant(ctx context.Context, tx *db.Tx, merchant string) error {
	rows, err := tx.Query(ctx, "SELECT DISTINCT department_id, period FROM spend_lines WHERE merchant = ?", merchant)
	if err != nil {
		return err
	}
	var pairs []deptPeriod
	for rows.Next() {
		var p deptPeriod
		if err := rows.Scan(&p.dept, &p.period); err != nil {
			rows.Close()
			return err
		}
		pairs = append(pairs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return resum(ctx, tx, pairs, false)
}

// sumsKept reports whether the kept sums hold every line.
func sumsKept(ctx context.Context, q db.Querier) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", sumsStale).Scan(&n); err != nil {
		return false, fmt.Errorf("reading whether spend sums are kept: %w", err)
	}
	return n == 0, nil
}

// spendGeneration counts the changes of the kept sums (db.BumpGeneration):
// every import that adds lines and every correction bumps it.
const spendGeneration = "spend.sums"

// keptSpend is the software spend of every department over the window,
// read from the kept sums and kept in memory until they change, so that
// the pages read it once per change (and once a month, as the window
// moves) and not once per request.
type keptSpend struct {
	mu   sync.Mutex
	gen  int64
	from string
	all  []ShadowVendor
}

// softwareSpendKept is softwareSpend read from the kept sums (through
// keptSpend). The slices of what it returns are shared: read only.
func (s *Service) softwareSpendKept(ctx context.Context, months []string, depts []int64, all bool, vendor string) ([]ShadowVendor, error) {
	gen, err := db.Generation(ctx, s.DB, spendGeneration)
	if err != nil {
		return nil, err
	}
	k := &s.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.all == nil || k.gen != gen || k.from != months[0] {
		vs, err := s.readKept(ctx, months)
		if err != nil {
			return nil, err
		}
		k.all, k.gen, k.from = vs, gen, months[0]
	}
	out := make([]ShadowVendor, 0, len(k.all))
	for _, v := range k.all {
		if (all || slices.Contains(depts, v.DepartmentID)) && (vendor == "" || v.Vendor == vendor) {
			out = append(out, v)
		}
	}
	return out, nil
}

// readKept reads the software spend of every department over the window
// from the kept sums.
func (s *Service) readKept(ctx context.Context, months []string) ([]ShadowVendor, error) {
	where := []string{"period >= ?", "period <= ?"}
	args := []any{months[0], months[len(months)-1]}
	firstYear, _ := periodYearMonth(months[0])
	lastYear, _ := periodYearMonth(months[len(months)-1])
	pwhere := []string{"year >= ?", "year <= ?"}
	pargs := []any{firstYear, lastYear}
	rows, err := s.DB.Query(ctx, "SELECT vendor, department_id, currency, period, lines, amount, last_spent_on FROM spend_sums WHERE "+
		strings.Join(where, " AND ")+" ORDER BY department_id, vendor, currency, period", args...)
	if err != nil {
		return nil, fmt.Errorf("reading software spend: %w", err)
	}
	defer rows.Close()
	type key struct {
		vendor   string
		dept     int64
		currency string
	}
	byKey := map[key]*softwareAcc{}
	var order []key
	for rows.Next() {
		var k key
		var period, amount, last string
		var lines int
		if err := rows.Scan(&k.vendor, &k.dept, &k.currency, &period, &lines, &amount, &last); err != nil {
			return nil, err
		}
		x, err := decimal.NewFromString(amount)
		if err != nil {
			return nil, fmt.Errorf("a kept sum %q: %w", amount, err)
		}
		a := byKey[k]
		if a == nil {
			a = newSoftwareAcc(k.vendor, k.dept, k.currency)
			byKey[k] = a
			order = append(order, k)
		}
		a.v.Lines += lines
		a.v.LastSpentOn = max(a.v.LastSpentOn, last)
		a.months[period] = a.months[period].Add(x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The window's months of each year, as bits.
	mask := map[int]int{}
	for _, m := range months {
		y, mo := periodYearMonth(m)
		mask[y] |= 1 << (mo - 1)
	}
	prows, err := s.DB.Query(ctx, "SELECT vendor, department_id, currency, email, year, months FROM spend_people WHERE "+
		strings.Join(pwhere, " AND "), pargs...)
	if err != nil {
		return nil, fmt.Errorf("reading who paid: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var k key
		var email string
		var year, bits int
		if err := prows.Scan(&k.vendor, &k.dept, &k.currency, &email, &year, &bits); err != nil {
			return nil, err
		}
		if a := byKey[k]; a != nil && bits&mask[year] != 0 {
			a.people[email] = true
		}
	}
	if err := prows.Err(); err != nil {
		return nil, err
	}
	out := make([]ShadowVendor, 0, len(order))
	for _, k := range order {
		out = append(out, byKey[k].finish(months))
	}
	return out, nil
}

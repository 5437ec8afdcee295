package cloudbill

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// lockKey is the PostgreSQL advisory lock imports and reallocations take
// turns on.
const lockKey = 0x656e676167650c01

// txn is a transaction this package runs itself, on a connection of its
// own, so that it can prepare statements (SQLite) and COPY (PostgreSQL). It
// is a db.Querier, for audit and the store functions.
type txn struct {
	conn    *sql.Conn
	tx      *sql.Tx
	dialect db.Dialect
}

func (t *txn) Engine() db.Dialect { return t.dialect }

func (t *txn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.dialect.Rebind(query), args...)
}

func (t *txn) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.dialect.Rebind(query), args...)
}

func (t *txn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.dialect.Rebind(query), args...)
}

// inTx runs fn in one transaction, committed when fn returns nil. Unlike
// db.Transact it never runs fn twice: an import's input cannot be read
// again. Imports and reallocations take turns.
func (s *Service) inTx(ctx context.Context, fn func(t *txn) error) (err error) {
	conn, err := s.DB.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close()
	if s.DB.Dialect == db.SQLite {
		// A multi-row INSERT keeps a statement journal, and a big
		// transaction outgrows the default page cache: keep both in memory
		// (bounded) rather than in temporary files, for this transaction.
		for _, p := range []string{"PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -65536"} {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("preparing the connection: %w", err)
			}
		}
		defer func() {
			for _, p := range []string{"PRAGMA temp_store = DEFAULT", "PRAGMA cache_size = -2000"} {
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), p)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := &txn{conn: conn, tx: tx, dialect: s.DB.Dialect}
	if t.dialect == db.Postgres {
		if _, err = t.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(lockKey)); err != nil {
			return fmt.Errorf("waiting for another cloud import: %w", err)
		}
	}
	if err = fn(t); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// row is a charge on its way to the database, with its allocation.
type row struct {
	id                                                          int64
	importID                                                    int64
	line                                                        int
	fingerprint, period, provider, billingAccountID             string
	subAccountID, subAccountName, serviceName, serviceCategory  string
	resourceID, resourceName, chargeCategory, chargeDescription string
	currency, tags                                              string
	billed, effective                                           decimal.Decimal
	start, end                                                  time.Time
	parts                                                       []part
	added                                                       bool

	// text holds the amounts and times as SQLite stores them (billed,
	// effective, start, end, then each part's amount), prepared on the
	// reading goroutine so that the writing one, which is the slower, only
	// binds them. Empty when not prepared.
	text []string
}

// prepareText fills r.text for the SQLite writer.
func (r *row) prepareText(times *timeText) {
	r.text = append(r.text[:0], r.billed.String(), r.effective.String(), times.text(0, r.start), times.text(1, r.end))
	for _, p := range r.parts {
		r.text = append(r.text, p.amount.String())
	}
}

// writer stores batches of rows. It is used by one goroutine at a time.
type writer interface {
	// charges stores the rows whose fingerprint is not stored yet, with
	// their allocations, and marks them added.
	charges(ctx context.Context, rows []*row) error
	// allocations stores the allocations of rows already stored.
	allocations(ctx context.Context, rows []*row) error
}

func (s *Service) newWriter(ctx context.Context, t *txn) (writer, error) {
	if t.dialect == db.Postgres {
		return &pgWriter{t: t}, nil
	}
	w := &sqliteWriter{t: t, batch: s.batchRows(t.dialect)}
	if err := t.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM cloud_charges").Scan(&w.nextID); err != nil {
		return nil, fmt.Errorf("reading charge ids: %w", err)
	}
	return w, nil
}

func (s *Service) batchRows(d db.Dialect) int {
	switch {
	case s.BatchRows > 0:
		return s.BatchRows
	case d == db.Postgres:
		return 5000
	}
	return 400
}

const chargeColumns = "id, fingerprint, import_id, line, period, provider, billing_account_id, sub_account_id, sub_account_name, " +
	"service_name, service_category, resource_id, resource_name, charge_category, charge_description, billed_cost, effective_cost, " +
	"currency, charge_period_start, charge_period_end, tags"

var chargeColumnList = strings.Split(strings.ReplaceAll(chargeColumns, " ", ""), ",")

const allocationColumns = "charge_id, period, department_id, rule_id, amount, currency"

var allocationColumnList = strings.Split(strings.ReplaceAll(allocationColumns, " ", ""), ",")

// sqliteWriter writes multi-row INSERT statements, prepared once per size.
//
// The statements are written so that SQLite needs no statement journal
// (which would copy every page a statement touches, and the fingerprint
// index is touched at random): ids are left to SQLite, and OR FAIL replaces
// the default ABORT (any failure rolls the whole transaction back anyway).
// The transaction holds SQLite's only write lock, so the ids SQLite gives
// are the ones after the largest, in the order of the rows.
type sqliteWriter struct {
	t      *txn
	batch  int
	nextID int64 // the largest charge id so far
	stmts  map[string]*sql.Stmt
	args   []any
	times  timeText
}

func (w *sqliteWriter) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

func valuesSQL(prefix string, cols, n int, suffix string) string {
	one := "(" + strings.Repeat("?,", cols-1) + "?)"
	var b strings.Builder
	b.Grow(len(prefix) + n*(len(one)+1) + len(suffix))
	b.WriteString(prefix)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteString(suffix)
	return b.String()
}

func (w *sqliteWriter) charges(ctx context.Context, rows []*row) error {
	for len(rows) > 0 {
		n := min(len(rows), w.batch)
		if err := w.insertCharges(ctx, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// sqliteChargeColumns are the columns the SQLite writer sets: all but id.
var sqliteChargeColumns = strings.TrimPrefix(chargeColumns, "id, ")

func (w *sqliteWriter) insertCharges(ctx context.Context, rows []*row) error {
	args := w.args[:0]
	for _, r := range rows {
		if len(r.text) == 0 {
			r.prepareText(&w.times)
		}
		args = append(args, r.fingerprint, r.importID, r.line, r.period, r.provider, r.billingAccountID, r.subAccountID,
			r.subAccountName, r.serviceName, r.serviceCategory, r.resourceID, r.resourceName, r.chargeCategory, r.chargeDescription,
			r.text[0], r.text[1], r.currency, r.text[2], r.text[3], r.tags)
	}
	w.args = args
	st, err := w.stmt(ctx, valuesSQL("INSERT OR FAIL INTO cloud_charges("+sqliteChargeColumns+") VALUES ", len(chargeColumnList)-1, len(rows),
		" ON CONFLICT (fingerprint) DO NOTHING"))
	if err != nil {
		return fmt.Errorf("preparing charges: %w", err)
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("storing charges: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("storing charges: %w", err)
	}
	switch {
	case n == int64(len(rows)):
		for _, r := range rows {
			w.nextID++
			r.id, r.added = w.nextID, true
		}
	case n > 0:
		// Some were stored already: find the new ones by fingerprint.
		byFP := make(map[string]*row, len(rows))
		for _, r := range rows {
			byFP[r.fingerprint] = r
		}
		res, err := w.t.Query(ctx, "SELECT id, fingerprint FROM cloud_charges WHERE id > ?", w.nextID)
		if err != nil {
			return fmt.Errorf("storing charges: %w", err)
		}
		for res.Next() {
			var id int64
			var fp string
			if err := res.Scan(&id, &fp); err != nil {
				res.Close()
				return err
			}
			if r := byFP[fp]; r != nil {
				r.id, r.added = id, true
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return fmt.Errorf("storing charges: %w", err)
		}
		w.nextID += n
	}
	return w.allocations(ctx, rows)
}

func (w *sqliteWriter) allocations(ctx context.Context, rows []*row) error {
	const cols = 6
	maxParts := w.batch * 2
	args := w.args[:0]
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		st, err := w.stmt(ctx, valuesSQL("INSERT OR FAIL INTO cloud_allocations("+allocationColumns+") VALUES ", cols, n, ""))
		if err != nil {
			return fmt.Errorf("preparing allocations: %w", err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("storing allocations: %w", err)
		}
		args, n = args[:0], 0
		return nil
	}
	for _, r := range rows {
		if !r.added {
			continue
		}
		if len(r.text) != 4+len(r.parts) {
			r.prepareText(&w.times)
		}
		for i, p := range r.parts {
			args = append(args, r.id, r.period, nullID(p.dept), nullID(p.rule), r.text[4+i], r.currency)
			if n++; n == maxParts {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	err := flush()
	w.args = args
	return err
}

// timeText formats timestamps as the SQLite driver does, remembering the
// last value of each column: charge periods repeat row after row.
type timeText struct {
	last [2]time.Time
	s    [2]string
	set  [2]bool
}

func (c *timeText) text(slot int, t time.Time) string {
	if !c.set[slot] || !t.Equal(c.last[slot]) {
		c.last[slot], c.s[slot], c.set[slot] = t, t.UTC().Format("2006-01-02 15:04:05.999999999-07:00"), true
	}
	return c.s[slot]
}

// pgWriter looks up which fingerprints are already stored, takes ids from
// the charges' sequence and COPYs the new rows and their allocations. The
// advisory lock keeps other imports out meanwhile; the unique index would
// refuse a duplicate anyway.
type pgWriter struct {
	t      *txn
	fps    []string
	values []any
}

func (w *pgWriter) charges(ctx context.Context, rows []*row) error {
	w.fps = w.fps[:0]
	for _, r := range rows {
		w.fps = append(w.fps, r.fingerprint)
		r.added = true
	}
	res, err := w.t.Query(ctx, "SELECT fingerprint FROM cloud_charges WHERE fingerprint = ANY(?)", w.fps)
	if err != nil {
		return fmt.Errorf("looking up stored charges: %w", err)
	}
	stored := map[string]bool{}
	for res.Next() {
		var fp string
		if err := res.Scan(&fp); err != nil {
			res.Close()
			return err
		}
		stored[fp] = true
	}
	res.Close()
	if err := res.Err(); err != nil {
		return fmt.Errorf("looking up stored charges: %w", err)
	}
	n := 0
	for _, r := range rows {
		if stored[r.fingerprint] {
			r.added = false
		} else {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	var last int64
	if err := w.t.QueryRow(ctx, "SELECT setval(pg_get_serial_sequence('cloud_charges', 'id'), nextval(pg_get_serial_sequence('cloud_charges', 'id')) + ? - 1)",
		int64(n)).Scan(&last); err != nil {
		return fmt.Errorf("numbering charges: %w", err)
	}
	id := last - int64(n)
	for _, r := range rows {
		if r.added {
			id++
			r.id = id
		}
	}
	src := &chargeSource{rows: rows, values: w.values[:0]}
	if err := w.copy(ctx, "cloud_charges", chargeColumnList, src); err != nil {
		return fmt.Errorf("storing charges: %w", err)
	}
	w.values = src.values
	return w.allocations(ctx, rows)
}

func (w *pgWriter) allocations(ctx context.Context, rows []*row) error {
	src := &allocationSource{rows: rows, values: w.values[:0]}
	if err := w.copy(ctx, "cloud_allocations", allocationColumnList, src); err != nil {
		return fmt.Errorf("storing allocations: %w", err)
	}
	w.values = src.values
	return nil
}

func (w *pgWriter) copy(ctx context.Context, table string, cols []string, src pgx.CopyFromSource) error {
	return w.t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
}

func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// chargeSource feeds the added rows to COPY.
type chargeSource struct {
	rows   []*row
	i      int
	cur    *row
	values []any
}

func (s *chargeSource) Next() bool {
	for s.i < len(s.rows) {
		r := s.rows[s.i]
		s.i++
		if r.added {
			s.cur = r
			return true
		}
	}
	return false
}

func (s *chargeSource) Values() ([]any, error) {
	r := s.cur
	s.values = append(s.values[:0], r.id, r.fingerprint, r.importID, int32(r.line), r.period, r.provider, r.billingAccountID, r.subAccountID,
		r.subAccountName, r.serviceName, r.serviceCategory, r.resourceID, r.resourceName, r.chargeCategory, r.chargeDescription,
		numeric(r.billed), numeric(r.effective), r.currency, r.start, r.end, r.tags)
	return s.values, nil
}

func (s *chargeSource) Err() error { return nil }

// allocationSource feeds the allocations of the added rows to COPY.
type allocationSource struct {
	rows   []*row
	i, j   int
	values []any
	cur    *row
	p      *part
}

func (s *allocationSource) Next() bool {
	for s.i < len(s.rows) {
		r := s.rows[s.i]
		if r.added && s.j < len(r.parts) {
			s.cur, s.p = r, &r.parts[s.j]
			s.j++
			return true
		}
		s.i++
		s.j = 0
	}
	return false
}

func (s *allocationSource) Values() ([]any, error) {
	s.values = append(s.values[:0], s.cur.id, s.cur.period, nullInt(s.p.dept), nullInt(s.p.rule), numeric(s.p.amount), s.cur.currency)
	return s.values, nil
}

func (s *allocationSource) Err() error { return nil }

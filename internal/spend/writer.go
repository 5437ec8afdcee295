package spend

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/engagehq/engage/internal/db"
)

// lineColumns are the columns an import writes, in order.
var lineColumns = []string{"line_key", "import_id", "line_no", "kind", "spent_on", "period", "merchant", "amount", "currency",
	"department_id", "person_email", "mcc", "memo", "invoice", "gl_account", "extra", "vendor", "vendor_known", "software",
	"confidence", "reason"}

// sqliteRows is how many lines one SQLite statement inserts (21 parameters
// each, well under SQLite's 32,766).
const sqliteRows = 500

// writer stores rows of one import: on SQLite with multi-row INSERTs
// compiled once, on PostgreSQL one INSERT … SELECT FROM unnest(arrays) per
// chunk; both skip lines already stored (ON CONFLICT on line_key).
type writer struct {
	tx                *db.Tx
	importID          int64
	full              *sql.Stmt
	software, waiting int
	args              []any
}

func newWriter(tx *db.Tx, importID int64) *writer { return &writer{tx: tx, importID: importID} }

// countAdded counts the lines an INSERT … RETURNING software, confidence
// stored, and among them those recognised as software and those waiting
// for a person.
func (w *writer) countAdded(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, fmt.Errorf("storing spend lines: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var soft bool
		var conf int
		if err := rows.Scan(&soft, &conf); err != nil {
			return n, err
		}
		n++
		if soft {
			w.software++
		}
		if float64(conf) < ReviewBelow*100 {
			w.waiting++
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("storing spend lines: %w", err)
	}
	return n, nil
}

// write stores rows and returns how many were new, counting among those
// the software lines and the lines waiting for a person.
func (w *writer) write(ctx context.Context, rows []row) (int, error) {
	if w.tx.Engine() == db.Postgres {
		return w.writePostgres(ctx, rows)
	}
	added := 0
	for start := 0; start < len(rows); start += sqliteRows {
		part := rows[start:min(start+sqliteRows, len(rows))]
		w.args = w.args[:0]
		for _, r := range part {
			w.args = append(w.args, r.key, w.importID, r.line, r.kind, r.date, r.period, r.merchant, r.amount, r.cur, r.dept,
				r.email, r.mcc, r.memo, r.invoice, r.gl, r.extra, r.match.Vendor, r.match.Known, r.match.Software,
				confidencePercent(r.match), r.match.Reason)
		}
		var rows *sql.Rows
		var err error
		if len(part) == sqliteRows {
			if w.full == nil {
				if w.full, err = w.tx.Prepare(ctx, insertSQL(sqliteRows)); err != nil {
					return added, err
				}
			}
			rows, err = w.full.QueryContext(ctx, w.args...)
		} else {
			rows, err = w.tx.Query(ctx, insertSQL(len(part)), w.args...)
		}
		n, err := w.countAdded(rows, err)
		if err != nil {
			return added, err
		}
		added += n
	}
	return added, nil
}

// confidencePercent keeps a match's confidence as a whole percentage.
func confidencePercent(m Match) int { return int(m.Confidence*100 + 0.5) }

func insertSQL(n int) string {
	return "INSERT OR FAIL INTO spend_lines(" + strings.Join(lineColumns, ", ") + ") VALUES " + db.ValueRows(n, len(lineColumns)) +
		" ON CONFLICT (line_key) DO NOTHING RETURNING software, confidence"
}

func (w *writer) writePostgres(ctx context.Context, rows []row) (int, error) {
	n := len(rows)
	keys, kinds, dates, periods, merchants, amounts, curs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	emails, mccs, memos, invoices, gls, extras, vendors, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lines, depts, conf := make([]int64, n), make([]int64, n), make([]int64, n)
	known, soft := make([]bool, n), make([]bool, n)
	for i, r := range rows {
		keys[i], kinds[i], dates[i], periods[i], merchants[i], amounts[i], curs[i] = r.key, r.kind, r.date, r.period, r.merchant, r.amount, r.cur
		emails[i], mccs[i], memos[i], invoices[i], gls[i], extras[i], vendors[i], reasons[i] = r.email, r.mcc, r.memo, r.invoice, r.gl, r.extra, r.match.Vendor, r.match.Reason
		lines[i], depts[i], conf[i] = int64(r.line), r.dept, int64(confidencePercent(r.match))
		known[i], soft[i] = r.match.Known, r.match.Software
	}
	q := "INSERT INTO spend_lines(" + strings.Join(lineColumns, ", ") + `)
		SELECT k, ?, l, kd, d, p, m, a::numeric, c, dp, e, mc, me, i, g, x, v, kn, s, cf, r
		FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::boolean[], ?::bigint[], ?::text[])
			AS t(k, l, kd, d, p, m, a, c, dp, e, mc, me, i, g, x, v, kn, s, cf, r)
		ON CONFLICT (line_key) DO NOTHING RETURNING software, confidence`
	return w.countAdded(w.tx.Query(ctx, q, w.importID, keys, lines, kinds, dates, periods, merchants, amounts, curs, depts,
		emails, mccs, memos, invoices, gls, extras, vendors, known, soft, conf, reasons))
}

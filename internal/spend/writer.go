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

func (w *writer) count(rows []row) {
	for _, r := range rows {
		if r.match.Software {
			w.software++
		}
		if r.match.NeedsReview() {
			w.waiting++
		}
	}
}

// write stores rows and returns how many were new. The software and
// waiting counts are of all rows written, new or not, corrected by the
// caller's added count only when everything was new; see Import.
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
		var res sql.Result
		var err error
		if len(part) == sqliteRows {
			if w.full == nil {
				if w.full, err = w.tx.Prepare(ctx, insertSQL(sqliteRows)); err != nil {
					return added, err
				}
			}
			res, err = w.full.ExecContext(ctx, w.args...)
		} else {
			res, err = w.tx.Exec(ctx, insertSQL(len(part)), w.args...)
		}
		if err != nil {
			return added, fmt.Errorf("storing spend lines: %w", err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
		if int(n) == len(part) {
			w.count(part)
		} else {
			w.countNew(ctx, part)
		}
	}
	return added, nil
}

// countNew counts, among rows some of which were stored before, those this
// import stored.
func (w *writer) countNew(ctx context.Context, rows []row) {
	for _, r := range rows {
		var id int64
		if err := w.tx.QueryRow(ctx, "SELECT import_id FROM spend_lines WHERE line_key = ?", r.key).Scan(&id); err == nil && id == w.importID {
			w.count([]row{r})
		}
	}
}

// confidencePercent keeps a match's confidence as a whole percentage.
func confidencePercent(m Match) int { return int(m.Confidence*100 + 0.5) }

func insertSQL(n int) string {
	return "INSERT OR FAIL INTO spend_lines(" + strings.Join(lineColumns, ", ") + ") VALUES " + db.ValueRows(n, len(lineColumns)) +
		" ON CONFLICT (line_key) DO NOTHING"
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
		ON CONFLICT (line_key) DO NOTHING`
	res, err := w.tx.Exec(ctx, q, w.importID, keys, lines, kinds, dates, periods, merchants, amounts, curs, depts,
		emails, mccs, memos, invoices, gls, extras, vendors, known, soft, conf, reasons)
	if err != nil {
		return 0, fmt.Errorf("storing spend lines: %w", err)
	}
	added, _ := res.RowsAffected()
	if int(added) == n {
		w.count(rows)
	} else {
		w.countNew(ctx, rows)
	}
	return int(added), nil
}

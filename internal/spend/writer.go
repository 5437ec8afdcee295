package spend

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/engagehq/engage/internal/db"
)

// lineColumns are the columns an import writes on PostgreSQL, in order.
var lineColumns = []string{"line_key", "import_id", "line_no", "kind", "spent_on", "period", "merchant", "amount", "currency",
	"department_id", "person_email", "mcc", "memo", "invoice", "gl_account", "extra", "vendor", "vendor_known", "software",
	"confidence", "reason"}

// On SQLite an import writes the columns of its kind of line (the others
// keep their defaults), its id and kind written in the statement.
var (
	cardColumns    = []string{"line_key", "line_no", "spent_on", "period", "merchant", "amount", "currency", "department_id", "person_email", "mcc", "memo", "extra", "vendor", "vendor_known", "software", "confidence", "reason"}
	invoiceColumns = []string{"line_key", "line_no", "spent_on", "period", "merchant", "amount", "currency", "department_id", "invoice", "gl_account", "extra", "vendor", "vendor_known", "software", "confidence", "reason"}
)

// sqliteRows is how many lines one SQLite statement inserts (17 parameters
// each, well under SQLite's 32,766).
const sqliteRows = 500

// writer stores rows of one import, all of them new (keyer tells new lines
// from stored ones): on SQLite with multi-row INSERTs compiled once, on
// PostgreSQL with COPY, a chunk at a time.
type writer struct {
	tx                *db.Tx
	importID          int64
	full              *sql.Stmt
	software, waiting int
	args              []any
}

func newWriter(tx *db.Tx, importID int64) *writer { return &writer{tx: tx, importID: importID} }

// write stores rows and returns how many it stored, counting among those
// the software lines and the lines waiting for a person.
func (w *writer) write(ctx context.Context, rows []row) (int, error) {
	for _, r := range rows {
		if r.match.Software {
			w.software++
		}
		if confidencePercent(r.match) < int(ReviewBelow*100) {
			w.waiting++
		}
	}
	if w.tx.Engine() == db.Postgres {
		return len(rows), w.writePostgres(ctx, rows)
	}
	for start := 0; start < len(rows); start += sqliteRows {
		part := rows[start:min(start+sqliteRows, len(rows))]
		w.args = w.args[:0]
		for _, r := range part {
			w.args = append(w.args, rowKey(w.importID, r.line), r.line, r.date, r.period, r.merchant, r.amount, r.cur, r.dept)
			if r.kind == KindInvoice {
				w.args = append(w.args, r.invoice, r.gl)
			} else {
				w.args = append(w.args, r.email, r.mcc, r.memo)
			}
			w.args = append(w.args, r.extra, r.match.Vendor, r.match.Known, r.match.Software, confidencePercent(r.match), r.match.Reason)
		}
		var err error
		if len(part) == sqliteRows {
			if w.full == nil {
				if w.full, err = w.tx.Prepare(ctx, w.insertSQL(part[0].kind, sqliteRows)); err != nil {
					return start, err
				}
			}
			_, err = w.full.ExecContext(ctx, w.args...)
		} else {
			_, err = w.tx.Exec(ctx, w.insertSQL(part[0].kind, len(part)), w.args...)
		}
		if err != nil {
			return start, fmt.Errorf("storing spend lines: %w", err)
		}
	}
	return len(rows), nil
}

// confidencePercent keeps a match's confidence as a whole percentage.
func confidencePercent(m Match) int { return int(m.Confidence*100 + 0.5) }

// insertSQL inserts n lines of kind into spend_lines on SQLite.
func (w *writer) insertSQL(kind string, n int) string {
	cols := cardColumns
	if kind == KindInvoice {
		cols = invoiceColumns
	}
	one := "(" + strings.Repeat("?, ", len(cols)) + fmt.Sprintf("%d, '%s')", w.importID, kind)
	var b strings.Builder
	b.WriteString("INSERT INTO spend_lines(" + strings.Join(cols, ", ") + ", import_id, kind) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

func (w *writer) writePostgres(ctx context.Context, rows []row) error {
	if _, err := w.tx.CopyFrom(ctx, "spend_lines", lineColumns, &copyRows{w: w, rows: rows}); err != nil {
		return fmt.Errorf("storing spend lines: %w", err)
	}
	return nil
}

// copyRows gives a chunk's rows to COPY, in the order of lineColumns.
type copyRows struct {
	w    *writer
	rows []row
	i    int
	vals [21]any
}

func (c *copyRows) Next() bool { c.i++; return c.i <= len(c.rows) }
func (c *copyRows) Err() error { return nil }

func (c *copyRows) Values() ([]any, error) {
	r := &c.rows[c.i-1]
	c.vals = [21]any{rowKey(c.w.importID, r.line), c.w.importID, r.line, r.kind, r.date, r.period, r.merchant, db.CopyNumeric(r.amt), r.cur,
		r.dept, r.email, r.mcc, r.memo, r.invoice, r.gl, r.extra, r.match.Vendor, r.match.Known, r.match.Software,
		confidencePercent(r.match), r.match.Reason}
	return c.vals[:], nil
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"
)

// CopyNumeric is d as a value for a NUMERIC column of CopyFrom on
// PostgreSQL, exact: its coefficient and exponent, which COPY's binary
// format takes as they are, where decimal text would be parsed again for
// every value. Trailing zeros are left out, as d.String() leaves them (7.50
// is stored as 7.5, 0.00 as 0), so that the column reads back as the text
// would have. Only for CopyFrom on PostgreSQL.
func CopyNumeric(d decimal.Decimal) any {
	exp := d.Exponent()
	if d.IsZero() {
		return pgtype.Numeric{Int: new(big.Int), Valid: true}
	}
	if c := d.Coefficient(); c.IsInt64() {
		n := c.Int64()
		for exp < 0 && n%10 == 0 {
			n, exp = n/10, exp+1
		}
		return pgtype.Numeric{Int: c.SetInt64(n), Exp: exp, Valid: true}
	}
	// A coefficient beyond 64 bits: through the text, which drops the zeros.
	return d.String()
}

// CopyRows gives the rows CopyFrom writes, one at a time: Next moves to the
// next row and reports whether there is one, Values returns its values in
// the order of the columns, Err what stopped the rows early. A row's values
// may be reused once Next is called again.
type CopyRows interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// CopyFrom writes rows into columns of table in the transaction and returns
// how many it wrote. On PostgreSQL it uses COPY … FROM STDIN (binary), many
// times faster than INSERT statements for thousands of rows, which needs a
// transaction begun with BulkWrite; on SQLite it runs one prepared INSERT a
// row. Values are those INSERT takes (a NUMERIC column takes its decimal
// text).
// table and columns are names written by the caller, never user input.
func (tx *Tx) CopyFrom(ctx context.Context, table string, columns []string, rows CopyRows) (int64, error) {
	if tx.dialect != Postgres {
		return tx.insertEach(ctx, table, columns, rows)
	}
	if tx.conn == nil {
		return 0, errors.New("db: CopyFrom on PostgreSQL needs a BulkWrite transaction")
	}
	tx.count.Add(1)
	var n int64
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: CopyFrom: the connection is a %T, not pgx's", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("copying rows into %s: %w", table, err)
	}
	return n, nil
}

func (tx *Tx) insertEach(ctx context.Context, table string, columns []string, rows CopyRows) (int64, error) {
	q := "INSERT INTO " + table + "(" + strings.Join(columns, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	var stmt *sql.Stmt
	var n int64
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return n, err
		}
		if stmt == nil {
			if stmt, err = tx.Prepare(ctx, q); err != nil {
				return n, err
			}
			defer stmt.Close()
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, fmt.Errorf("inserting rows into %s: %w", table, err)
		}
		n++
	}
	return n, rows.Err()
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

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

package cloudbill

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

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
		for _, p := range []string{"PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -16384"} {
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
		if _, err = t.Exec(ctx, db.XactLockSQL, int32(db.LockCloudImport)); err != nil {
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

// Prepare compiles query for repeated use in this transaction.
func (t *txn) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.dialect.Rebind(query))
}

// row is a charge on its way to the database, with its allocation.
type row struct {
	importID                                                    int64
	line                                                        int
	key                                                         db.Key // the first bytes of the fingerprint
	period, provider, billingAccountID                          string
	subAccountID, subAccountName, serviceName, serviceCategory  string
	resourceID, resourceName, chargeCategory, chargeDescription string
	currency, tags                                              string
	billed, effective                                           decimal.Decimal
	start, end                                                  time.Time
	parts                                                       []part
	added                                                       bool

	// body is the charge as batches store it (see batches.go), when it is
	// already written: a reallocated charge keeps its stored text.
	body []byte
}

func (s *Service) batchRows() int {
	if s.BatchRows > 0 {
		return s.BatchRows
	}
	return 1000
}

func (s *Service) batchCharges() int {
	if s.BatchCharges > 0 {
		return s.BatchCharges
	}
	return 10000
}

// Package db opens Engage's database — embedded SQLite by default, PostgreSQL
// when given a postgres:// URL — applies the embedded migrations, and runs
// transactions. SQL elsewhere in Engage is written once with `?` placeholders;
// this package rewrites them for PostgreSQL.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says which database to open.
type Config struct {
	// URL is a postgres:// URL. When empty, SQLite in DataDir is used.
	URL string
	// DataDir holds engage.db when SQLite is used.
	DataDir string
	// Logger receives migration progress; nil discards it.
	Logger *slog.Logger
	// GoMigrations are the migrations written in Go by the packages that
	// own the data they change (see GoMigration): every program opening
	// the database passes the same list, schema.GoMigrations().
	GoMigrations []GoMigration
}

// DB is an open database. For SQLite it keeps one writer connection beside a
// pool of readers, since SQLite allows one writer at a time; for PostgreSQL
// both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	logger  *slog.Logger
	goMigs  []GoMigration

	// stmts keeps SQLite reads prepared (see prepared): query text →
	// *sql.Stmt; nstmts counts them.
	stmts  sync.Map
	nstmts atomic.Int32

	// txStatements counts the statements run in transactions (Statements).
	txStatements atomic.Int64
	// reads counts the reads run outside a transaction (Reads).
	reads atomic.Int64
}

// maxPrepared bounds the SQLite reads kept prepared. Queries whose text
// varies (a list of ids of any length) would otherwise fill it without
// bound; past it, queries are compiled each time as before.
const maxPrepared = 500

// prepared returns query as a statement of the reader pool, or nil to run
// it unprepared. SQLite compiles SQL text at every call, and compiling took
// more time than running the catalog's reads; database/sql prepares a
// *sql.Stmt once on each connection that runs it and keeps it there. The
// PostgreSQL driver keeps its own statement cache per connection.
func (db *DB) prepared(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if db.nstmts.Load() >= maxPrepared {
		return nil
	}
	s, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	db.nstmts.Add(1)
	return s
}

// Open opens (and for SQLite creates) the database. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var d *DB
	var err error
	if cfg.URL != "" {
		d, err = openPostgres(ctx, cfg.URL, logger)
	} else {
		d, err = openSQLite(ctx, cfg.DataDir, logger)
	}
	if err != nil {
		return nil, err
	}
	d.goMigs = cfg.GoMigrations
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string, logger *slog.Logger) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("database URL must start with postgres:// (got %q)", redactURL(rawURL))
	}
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL at %s: %w", redactURL(rawURL), err)
	}
	// Every connection may stay idle: under load, closing the ones beyond
	// an idle limit only to open them again costs more than keeping them.
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", redactURL(rawURL), err)
	}
	return &DB{Dialect: Postgres, write: pool, read: pool, logger: logger}, nil
}

func openSQLite(ctx context.Context, dir string, logger *slog.Logger) (*DB, error) {
	if dir == "" {
		return nil, errors.New("no database given: set --data DIR (SQLite) or --database-url postgres://…")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "engage.db")
	// busy_timeout comes first so that the pragmas after it wait for a lock
	// instead of failing; WAL lets readers run beside the writer.
	common := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(1)&_time_format=sqlite"
	write, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, write: write, read: read, logger: logger}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	return nil
}

// SQL returns the pool that writes; migrations and bulk loaders need it.
func (db *DB) SQL() *sql.DB { return db.write }

// Querier is what store code runs SQL through: a *DB (reads outside a
// transaction) or a *Tx.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Engine() Dialect
}

func (db *DB) Engine() Dialect { return db.Dialect }

// Query runs a read on the reader pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db.reads.Add(1)
	if s := db.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.Dialect.Rebind(query), args...)
}

// QueryRow runs a single-row read on the reader pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	db.reads.Add(1)
	if s := db.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.Dialect.Rebind(query), args...)
}

// Exec runs one statement on the writer outside a transaction.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.Dialect.Rebind(query), args...)
}

// Statements says how many statements transactions have run on db so far
// (Query, QueryRow and Exec of a Tx; a statement made with Tx.Prepare is not
// counted): a write path's round trips to the database, for its tests and
// benchmarks.
func (db *DB) Statements() int64 { return db.txStatements.Load() }

// Reads says how many reads (Query and QueryRow of a DB, outside a
// transaction) have run on db so far: a page's round trips to the
// database, for its tests and benchmarks.
func (db *DB) Reads() int64 { return db.reads.Load() }

// Tx is a transaction in progress.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	conn    *sql.Conn // the connection held by a BulkWrite transaction on PostgreSQL (CopyFrom)
	count   *atomic.Int64
	after   []func() // run once the transaction committed
}

// AfterCommit runs fn once the transaction has committed, and never when it
// is rolled back: for waking work that must see what it wrote.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

func (tx *Tx) Engine() Dialect { return tx.dialect }

func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx.count.Add(1)
	return tx.tx.QueryContext(ctx, tx.dialect.Rebind(query), args...)
}

func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	tx.count.Add(1)
	return tx.tx.QueryRowContext(ctx, tx.dialect.Rebind(query), args...)
}

func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx.count.Add(1)
	return tx.tx.ExecContext(ctx, tx.dialect.Rebind(query), args...)
}

// Prepare compiles query once for repeated use in this transaction; the
// statement closes with it.
func (tx *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, tx.dialect.Rebind(query))
}

// Transact runs fn in a transaction, committing when fn returns nil and
// rolling back otherwise, so that a failed request leaves nothing
// half-written. On PostgreSQL a serialization failure or deadlock is retried
// a few times; fn must therefore be safe to run again.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error, opts ...TxOption) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = db.transactOnce(ctx, fn, opts)
		if err == nil || !isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 20 * time.Millisecond)
	}
	return err
}

// TransactOnce runs fn in a transaction like Transact, but never runs it
// again: for work whose input cannot be read twice, such as a file read
// as it is stored.
func (db *DB) TransactOnce(ctx context.Context, fn func(tx *Tx) error, opts ...TxOption) error {
	return db.transactOnce(ctx, fn, opts)
}

// TxOption changes how Transact and TransactOnce run a transaction.
type TxOption func(*txSettings)

type txSettings struct {
	lock *Lock
	bulk bool
}

// Holding takes the named lock l first thing in the transaction and keeps
// it to the end (see LockTx), so that transactions holding it take turns.
func Holding(l Lock) TxOption {
	return func(s *txSettings) { s.lock = &l }
}

// BulkWrite readies a transaction that writes many rows (an import). On
// SQLite its connection keeps the statement journal and temporary data in
// memory, and a 16 MiB page cache instead of 2 MiB, for the duration of the
// transaction only: a multi-row INSERT keeps a statement journal, and a big
// transaction outgrows the default cache, which would otherwise spill to
// temporary files. On PostgreSQL it holds the transaction's connection, so
// that Tx.CopyFrom can use COPY.
func BulkWrite() TxOption {
	return func(s *txSettings) { s.bulk = true }
}

// The SQLite settings of a BulkWrite transaction, and the defaults they are
// put back to afterwards.
var (
	bulkPragmas    = []string{"PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -16384"}
	defaultPragmas = []string{"PRAGMA temp_store = DEFAULT", "PRAGMA cache_size = -2000"}
)

func (db *DB) transactOnce(ctx context.Context, fn func(tx *Tx) error, opts []TxOption) (err error) {
	var set txSettings
	for _, o := range opts {
		o(&set)
	}
	begin := db.write.BeginTx
	var held *sql.Conn
	if set.bulk && db.Dialect == Postgres {
		// CopyFrom reaches pgx's connection through the one held here.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("beginning transaction: %w", err)
		}
		defer conn.Close()
		held, begin = conn, conn.BeginTx
	}
	if set.bulk && db.Dialect == SQLite {
		// The settings belong to a connection: hold the writer's for the
		// transaction, and put them back before letting it go.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("beginning transaction: %w", err)
		}
		defer conn.Close()
		for _, p := range bulkPragmas {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("preparing the connection for a bulk write: %w", err)
			}
		}
		defer func() {
			for _, p := range defaultPragmas {
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), p)
			}
		}()
		begin = conn.BeginTx
	}
	sqlTx, err := begin(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	tx := &Tx{tx: sqlTx, dialect: db.Dialect, conn: held, count: &db.txStatements}
	if set.lock != nil {
		if err = LockTx(ctx, tx, *set.lock); err != nil {
			return err
		}
	}
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	for _, fn := range tx.after {
		fn()
	}
	return nil
}

// IsRetryable reports whether err is a serialization failure or a
// deadlock: the transaction was undone and may be run again.
func IsRetryable(err error) bool { return isRetryable(err) }

func isRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports whether err comes from a unique constraint.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err comes from a foreign key.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Rebind rewrites `?` placeholders as `$1, $2, …` for PostgreSQL. Question
// marks inside quoted strings are left alone.
func (d Dialect) Rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inQuote := byte(0)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Like escapes s for use in a LIKE pattern with ESCAPE '\' and wraps it in %.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

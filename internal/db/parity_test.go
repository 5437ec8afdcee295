package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// The SQLite and PostgreSQL migrations are written by hand, one folder per
// engine. The tests below read both schemas back from each engine's
// catalog, in one engine-neutral shape, and compare them.
//
// How the engines' forms are made comparable (rules, not exceptions):
//   - Column kinds: integer (INTEGER, BIGINT), text, decimal (NUMERIC), time
//     (TIMESTAMP on SQLite, TIMESTAMPTZ on PostgreSQL), date, bool, blob
//     (BLOB, BYTEA). SQLite keeps decimals as TEXT — exact text, which its
//     NUMERIC affinity would turn into floating point — so a SQLite text
//     column matches a PostgreSQL decimal one.
//   - A SQLite INTEGER PRIMARY KEY (an alias of the rowid) and a PostgreSQL
//     identity or serial column are both "generated": the database numbers
//     new rows. Their defaults are not compared.
//   - Primary-key columns are NOT NULL on both: PostgreSQL enforces it;
//     SQLite lets a non-integer key hold NULL unless told otherwise, which
//     Engage never writes.
//   - Defaults are compared as values: casts dropped ('x'::text is 'x'),
//     numbers as numbers ('0' on a SQLite decimal is 0), booleans as
//     true/false (SQLite's 1/0).
//   - A UNIQUE constraint is compared by its table and columns (the engines
//     name its index differently); an index made by CREATE INDEX by its
//     name, columns, uniqueness and whether it is partial.
//   - Foreign keys by table, columns, referenced table and columns, and ON
//     DELETE action.

// intendedDifferences lists the differences between the engines' schemas
// that are meant, each with why. A difference found and not listed fails
// the test; so does an entry here that no longer matches anything.
var intendedDifferences = map[string]string{
	"column credentials.person_id": "The key is the person's id, always written. SQLite makes any INTEGER PRIMARY KEY " +
		"an alias of the rowid, which it would number if the id were left out; PostgreSQL has no such column.",
	"foreign key adjustments(offering_id) → offerings(id) ON DELETE NO ACTION": "Added by migration 11 with ALTER TABLE; " +
		"SQLite cannot drop a column a foreign key names, so there it has none, for the migration to go down. " +
		"Late usage writes it in the transaction that reads the offering's usage.",
	"foreign key usage_batches(adjustment_id) → adjustments(id) ON DELETE NO ACTION": "As adjustments.offering_id: " +
		"added by migration 11 without REFERENCES on SQLite so that it can be dropped; late usage writes it in " +
		"the transaction that creates or finds the adjustment.",
	"foreign key spend_lines(department_id) → departments(id) ON DELETE NO ACTION": "Dropped on PostgreSQL by migration 53: " +
		"it checked each COPYed line with a query, half of a spend import's time. The import charges departments it read " +
		"from departments, which Engage never deletes; SQLite would have to copy the table to drop it.",
	"foreign key spend_lines(import_id) → spend_imports(id) ON DELETE NO ACTION": "As spend_lines.department_id: the " +
		"import records itself in the transaction that writes its lines, and deletes itself only when it added none.",
}

// schemaShape is a schema in an engine-neutral form: each map is keyed by
// what identifies the thing, and holds what is compared about it.
type schemaShape struct {
	tables  map[string]bool
	columns map[string]string // "table.column" → "kind [NOT NULL] [generated] [DEFAULT x]"
	keys    map[string]string // "table" → primary-key columns
	uniques map[string]bool   // "table(columns)"
	indexes map[string]string // "index" → "table(columns) [UNIQUE] [partial]"
	fks     map[string]bool   // "table(columns) → table(columns) ON DELETE action"
}

func newShape() schemaShape {
	return schemaShape{tables: map[string]bool{}, columns: map[string]string{}, keys: map[string]string{},
		uniques: map[string]bool{}, indexes: map[string]string{}, fks: map[string]bool{}}
}

// column describes a column the same way for both engines.
func column(kind string, notNull, generated bool, def string) string {
	s := kind
	if notNull {
		s += " NOT NULL"
	}
	if generated {
		return s + " generated"
	}
	if def = normalDefault(kind, def); def != "" {
		s += " DEFAULT " + def
	}
	return s
}

var (
	castSuffix = regexp.MustCompile(`::[a-z ]+(\[\])?$`)
	collation  = regexp.MustCompile(` COLLATE \S+$`)
	identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// normalDefault writes a default expression as a value (see above).
func normalDefault(kind, def string) string {
	for def != "" {
		next := castSuffix.ReplaceAllString(def, "")
		if next == def {
			break
		}
		def = next
	}
	def = strings.TrimSpace(def)
	if strings.HasPrefix(def, "(") && strings.HasSuffix(def, ")") {
		def = def[1 : len(def)-1]
	}
	switch kind {
	case "bool":
		switch strings.ToLower(def) {
		case "1", "true", "'1'", "'t'":
			return "true"
		case "0", "false", "'0'", "'f'":
			return "false"
		}
	case "integer", "decimal", "text": // text: a SQLite decimal's default is a number in quotes
		if n, err := decimal.NewFromString(strings.Trim(def, "'")); err == nil {
			return n.String()
		}
	}
	return def
}

// sqliteKind maps a declared SQLite type to a kind.
func sqliteKind(declared string) string {
	switch t := strings.ToUpper(declared); {
	case strings.Contains(t, "INT"):
		return "integer"
	case t == "TEXT":
		return "text"
	case t == "BOOLEAN":
		return "bool"
	case t == "TIMESTAMP" || t == "DATETIME":
		return "time"
	case t == "DATE":
		return "date"
	case t == "BLOB":
		return "blob"
	case t == "NUMERIC" || strings.HasPrefix(t, "DECIMAL"):
		return "decimal"
	default:
		return "sqlite " + declared
	}
}

// postgresKind maps a PostgreSQL data type to a kind.
func postgresKind(dataType string) string {
	switch dataType {
	case "bigint", "integer", "smallint":
		return "integer"
	case "text":
		return "text"
	case "numeric":
		return "decimal"
	case "timestamp with time zone":
		return "time"
	case "date":
		return "date"
	case "boolean":
		return "bool"
	case "bytea":
		return "blob"
	default:
		return "postgres " + dataType
	}
}

func query(t *testing.T, d *db.DB, scan func(*sql.Rows) error, q string, args ...any) {
	t.Helper()
	rows, err := d.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// readSchema reads d's schema from its engine's catalog, goose's own table
// left out.
func readSchema(t *testing.T, d *db.DB) schemaShape {
	t.Helper()
	if d.Dialect == db.Postgres {
		return readPostgres(t, d)
	}
	return readSQLite(t, d)
}

func readSQLite(t *testing.T, d *db.DB) schemaShape {
	t.Helper()
	s := newShape()
	var tables []string
	query(t, d, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		tables = append(tables, name)
		return err
	}, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	for _, table := range tables {
		s.tables[table] = true
		type col struct {
			name, declared string
			notNull        bool
			def            sql.NullString
			pk             int
		}
		var cols []col
		query(t, d, func(r *sql.Rows) error {
			var c col
			err := r.Scan(&c.name, &c.declared, &c.notNull, &c.def, &c.pk)
			cols = append(cols, c)
			return err
		}, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, table)
		var pk []string
		for _, c := range cols {
			if c.pk > 0 {
				pk = append(pk, c.name)
			}
		}
		var withoutRowid bool
		if err := d.QueryRow(context.Background(), `SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&withoutRowid); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			kind := sqliteKind(c.declared)
			rowid := len(pk) == 1 && c.pk == 1 && strings.EqualFold(c.declared, "INTEGER") && !withoutRowid
			s.columns[table+"."+c.name] = column(kind, c.notNull || c.pk > 0, rowid, c.def.String)
		}
		// pk gives each key column's place in the key.
		sort.SliceStable(cols, func(i, j int) bool { return cols[i].pk < cols[j].pk })
		pk = pk[:0]
		for _, c := range cols {
			if c.pk > 0 {
				pk = append(pk, c.name)
			}
		}
		if len(pk) > 0 {
			s.keys[table] = strings.Join(pk, ", ")
		}

		type index struct {
			name            string
			unique, partial bool
			origin          string
		}
		var indexes []index
		query(t, d, func(r *sql.Rows) error {
			var ix index
			err := r.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial)
			indexes = append(indexes, ix)
			return err
		}, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table)
		for _, ix := range indexes {
			if ix.origin == "pk" {
				continue
			}
			var cols []string
			query(t, d, func(r *sql.Rows) error {
				var name sql.NullString
				err := r.Scan(&name)
				if !name.Valid {
					name.String = "(expression)"
				}
				cols = append(cols, name.String)
				return err
			}, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			on := table + "(" + strings.Join(cols, ", ") + ")"
			if ix.origin == "u" {
				s.uniques[on] = true
				continue
			}
			s.indexes[ix.name] = indexShape(on, ix.unique, ix.partial)
		}

		type fk struct {
			id        int
			to        string
			from, ref []string
			onDelete  string
		}
		byID := map[int]*fk{}
		var ids []int
		query(t, d, func(r *sql.Rows) error {
			var id int
			var to, from, onDelete string
			var ref sql.NullString
			if err := r.Scan(&id, &to, &from, &ref, &onDelete); err != nil {
				return err
			}
			f, ok := byID[id]
			if !ok {
				f = &fk{id: id, to: to, onDelete: onDelete}
				byID[id] = f
				ids = append(ids, id)
			}
			f.from = append(f.from, from)
			f.ref = append(f.ref, ref.String)
			return nil
		}, `SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
		for _, id := range ids {
			f := byID[id]
			if slices.Contains(f.ref, "") {
				// REFERENCES t alone: the referenced table's primary key,
				// read once every table's key is known (below).
				f.ref = nil
			}
			s.fks[fkShape(table, f.from, f.to, f.ref, f.onDelete)] = true
		}
	}
	// Foreign keys that name no column refer to the primary key.
	for k := range s.fks {
		if strings.Contains(k, "()") {
			delete(s.fks, k)
			to := k[strings.Index(k, "→ ")+len("→ ") : strings.Index(k, "()")]
			s.fks[strings.Replace(k, to+"()", to+"("+s.keys[to]+")", 1)] = true
		}
	}
	return s
}

func readPostgres(t *testing.T, d *db.DB) schemaShape {
	t.Helper()
	s := newShape()
	query(t, d, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		s.tables[name] = true
		return err
	}, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`)
	query(t, d, func(r *sql.Rows) error {
		var table, name, dataType, nullable, identity string
		var def sql.NullString
		if err := r.Scan(&table, &name, &dataType, &nullable, &def, &identity); err != nil {
			return err
		}
		generated := identity == "YES" || strings.HasPrefix(def.String, "nextval(")
		s.columns[table+"."+name] = column(postgresKind(dataType), nullable == "NO", generated, def.String)
		return nil
	}, `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`)
	// Each index with its key columns (an expression written out), and
	// the constraint it backs if any.
	query(t, d, func(r *sql.Rows) error {
		var table, name, cols, constraint string
		var unique, primary, partial bool
		if err := r.Scan(&table, &name, &unique, &primary, &partial, &constraint, &cols); err != nil {
			return err
		}
		var names []string
		for _, c := range strings.Split(cols, "\x1f") {
			// A column named by a keyword ("position") comes quoted.
			c = strings.Trim(strings.TrimSpace(collation.ReplaceAllString(c, "")), `"`)
			if !identifier.MatchString(c) {
				c = "(expression)"
			}
			names = append(names, c)
		}
		on := table + "(" + strings.Join(names, ", ") + ")"
		switch {
		case primary:
			s.keys[table] = strings.Join(names, ", ")
		case constraint == "u":
			s.uniques[on] = true
		default:
			s.indexes[name] = indexShape(on, unique, partial)
		}
		return nil
	}, `SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
			COALESCE((SELECT c.contype::text FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')), ''),
			(SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), chr(31) ORDER BY k) FROM generate_series(1, x.indnkeyatts) k)
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> 'goose_db_version'`)
	actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	query(t, d, func(r *sql.Rows) error {
		var table, to, from, ref, action string
		if err := r.Scan(&table, &to, &from, &ref, &action); err != nil {
			return err
		}
		s.fks[fkShape(table, strings.Split(from, ","), to, strings.Split(ref, ","), actions[action])] = true
		return nil
	}, `SELECT t.relname, rt.relname,
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
			c.confdeltype::text
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class rt ON rt.oid = c.confrelid
		WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace`)
	return s
}

func indexShape(on string, unique, partial bool) string {
	s := on
	if unique {
		s += " UNIQUE"
	}
	if partial {
		s += " partial"
	}
	return s
}

func fkShape(table string, from []string, to string, ref []string, onDelete string) string {
	return fmt.Sprintf("%s(%s) → %s(%s) ON DELETE %s", table, strings.Join(from, ", "), to, strings.Join(ref, ", "), strings.ToUpper(onDelete))
}

// differences lists what differs between a and b (named an and bn), one
// line each, starting with a key for intendedDifferences.
func differences(an string, a schemaShape, bn string, b schemaShape) []string {
	var out []string
	compareMaps := func(what string, am, bm map[string]string) {
		for k, av := range am {
			bv, ok := bm[k]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s %s: only on %s (%s)", what, k, an, av))
			case av != bv && !sameColumn(what, av, bv):
				out = append(out, fmt.Sprintf("%s %s: %s on %s, %s on %s", what, k, av, an, bv, bn))
			}
		}
		for k, bv := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, fmt.Sprintf("%s %s: only on %s (%s)", what, k, bn, bv))
			}
		}
	}
	set := func(m map[string]bool) map[string]string {
		out := map[string]string{}
		for k := range m {
			out[k] = "present"
		}
		return out
	}
	compareMaps("table", set(a.tables), set(b.tables))
	compareMaps("column", a.columns, b.columns)
	compareMaps("primary key", a.keys, b.keys)
	compareMaps("unique", set(a.uniques), set(b.uniques))
	compareMaps("index", a.indexes, b.indexes)
	compareMaps("foreign key", set(a.fks), set(b.fks))
	sort.Strings(out)
	return out
}

// sameColumn reports whether two column descriptions differ only by the
// one rule the kinds cannot state: a decimal is text on SQLite. It is
// called with the SQLite side first or second; both orders are accepted.
func sameColumn(what, a, b string) bool {
	if what != "column" {
		return false
	}
	return strings.Replace(a, "text", "decimal", 1) == b || strings.Replace(b, "text", "decimal", 1) == a
}

// TestSchemaParity migrates a fresh SQLite database and a fresh PostgreSQL
// schema to the latest version and fails on any difference between them
// that intendedDifferences does not list.
func TestSchemaParity(t *testing.T) {
	sqlite := readSchema(t, dbtest.OpenSQLite(t))
	postgres := readSchema(t, dbtest.OpenPostgres(t))
	if len(sqlite.tables) < 40 || len(sqlite.columns) < 300 || len(sqlite.fks) < 50 {
		t.Fatalf("read %d tables, %d columns, %d foreign keys from SQLite: the catalog queries miss some",
			len(sqlite.tables), len(sqlite.columns), len(sqlite.fks))
	}
	seen := map[string]bool{}
	for _, d := range differences("sqlite", sqlite, "postgres", postgres) {
		key := d[:strings.Index(d, ":")]
		if _, ok := intendedDifferences[key]; ok {
			seen[key] = true
			continue
		}
		t.Errorf("%s", d)
	}
	for key := range intendedDifferences {
		if !seen[key] {
			t.Errorf("intendedDifferences lists %q, which no longer differs: remove it", key)
		}
	}
}

// TestMigrationsDownAndUpAgain reverts every migration of a fresh database,
// which must leave no table behind, and migrates it again, which must give
// the same schema: each migration's Down undoes its Up.
func TestMigrationsDownAndUpAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := readSchema(t, d)
		if err := d.MigrateTo(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if left := readSchema(t, d); len(left.tables) != 0 {
			t.Fatalf("tables left after reverting every migration: %v", left.tables)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, diff := range differences("the first migration", before, "the second", readSchema(t, d)) {
			t.Error(diff)
		}
	})
}

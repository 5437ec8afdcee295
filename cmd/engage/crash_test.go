package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/demo"
)

// childArgs, when set, makes the test binary run engage with these
// arguments (JSON) instead of the tests, so that a test can kill a real
// engage process part way through a command.
const childArgs = "ENGAGE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			panic(err)
		}
		os.Exit(run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startEngage starts engage with args in a child process.
func startEngage(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// tagged names the child's PostgreSQL connections after the test's schema
// (pg_stat_activity shows them; other tests share the cluster) and returns
// the flags for the child and the application name.
func tagged(flags []string) ([]string, string) {
	if flags[0] != "--database-url" {
		return flags, ""
	}
	u, err := url.Parse(flags[1])
	if err != nil {
		panic(err)
	}
	q := u.Query()
	name := "engage-crash-" + q.Get("search_path")
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return []string{flags[0], u.String()}, name
}

// count runs a COUNT(*) query on the engine the flags point to.
func count(t *testing.T, with func(...string) []string, query string) int {
	t.Helper()
	flags := with()
	var d *sql.DB
	var err error
	if flags[0] == "--data" {
		d, err = sql.Open("sqlite", "file:"+filepath.Join(flags[1], "engage.db")+"?mode=ro")
	} else {
		d, err = sql.Open("pgx", flags[1])
	}
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestKilledImportLeavesNothing kills `engage import focus` while it is
// reading a cloud bill from a pipe, after it has stored thousands of rows
// in its transaction: the database holds nothing of it afterwards, and
// importing the file again stores every row.
func TestKilledImportLeavesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		if code, _, errs := runEngage(t, "", with("migrate", "up")...); code != 0 {
			t.Fatalf("migrate = %d %q", code, errs)
		}
		// Three years of the demo bill: 12 rows a day, about 13,000 rows.
		var months []time.Time
		for m := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() < 2026; m = m.AddDate(0, 1, 0) {
			months = append(months, m)
		}
		bill, err := demo.CloudBill(months, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		rows := bytes.Count(bill, []byte("\n")) - 1
		dir := t.TempDir()
		// Write three quarters of the file; a write returns only once the
		// reader took all but the pipe's buffer (64 KiB, about 200 rows),
		// so the import has read more than two PostgreSQL batches of 5,000.
		cut := 0
		for i, n := 0, 0; i < len(bill); i++ {
			if bill[i] == '\n' {
				if n++; n == rows*3/4 {
					cut = i + 1
					break
				}
			}
		}
		killMidImport(t, with, "focus", bill[:cut])
		if n := count(t, with, "SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys") + count(t, with, "SELECT COUNT(*) FROM cloud_imports"); n != 0 {
			t.Fatalf("after killing the import the database holds %d charges and imports; want none", n)
		}

		// Again, from a file, to the end.
		path := filepath.Join(dir, "bill-again.csv")
		if err := os.WriteFile(path, bill, 0o600); err != nil {
			t.Fatal(err)
		}
		code, outText, errs := runEngage(t, "", with("import", "focus", path)...)
		if code != 0 || count(t, with, "SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys") != rows || count(t, with, "SELECT COUNT(*) FROM cloud_imports") != 1 {
			t.Fatalf("import after the crash = %d, %d charges stored of %d\n%s%s", code,
				count(t, with, "SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"), rows, outText, errs)
		}
	})
}

// killMidImport starts `engage import KIND` on a named pipe, writes part
// to it, and kills the process while it waits for the rest: a write
// returns only once the reader took all but the pipe's buffer (64 KiB). On
// PostgreSQL it first waits until the import's transaction has written.
func killMidImport(t *testing.T, with func(...string) []string, kind string, part []byte) {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "input")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	childFlags, app := tagged(with())
	cmd, out := startEngage(t, append([]string{"import", kind, fifo}, childFlags...)...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pipe, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	if _, err := pipe.Write(part); err != nil {
		t.Fatalf("writing to the import: %v (%s)", err, out)
	}
	if app != "" {
		waitFor(t, func() bool {
			return count(t, with, "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND application_name = '"+app+"'") > 0
		})
	}
	select {
	case err := <-done:
		t.Fatalf("the import ended before it read the whole input: %v\n%s", err, out)
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
}

// TestKilledBillingRunLeavesStatements kills `engage billing run` on
// PostgreSQL while it is replacing a month's statements (held up by a lock
// on them), then checks the statements are the ones from before, and that
// running the month again completes with the same totals. SQLite needs no
// such test of its own: a transaction cut short by a crash is rolled back
// when the database is next opened, the property the import test above
// checks on both engines.
func TestKilledBillingRunLeavesStatements(t *testing.T) {
	flags := []string{"--database-url", dbtest.PostgresURL(t)}
	with := func(args ...string) []string { return append(args, flags...) }
	if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
		t.Fatalf("demo = %d %q", code, errs)
	}
	period := billing.PeriodOf(time.Now())
	d, err := sql.Open("pgx", flags[1])
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	snapshot := func() string {
		rows, err := d.Query("SELECT id, department_id, total FROM statements WHERE period = $1 ORDER BY department_id, currency", period)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, dept int64
			var total string
			if err := rows.Scan(&id, &dept, &total); err != nil {
				t.Fatal(err)
			}
			b.WriteString(strings.Join([]string{itoa(id), itoa(dept), total}, " ") + "\n")
		}
		return b.String()
	}
	before := snapshot()
	if before == "" {
		t.Fatalf("the demo has no statements for %s", period)
	}
	ctx := context.Background()
	hold, err := d.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec("SELECT id FROM statements WHERE period = $1 FOR UPDATE", period); err != nil {
		t.Fatal(err)
	}
	childFlags, app := tagged(flags)
	cmd, out := startEngage(t, append([]string{"billing", "run", period}, childFlags...)...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor(t, func() bool {
		var n int
		err := d.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE statements%' AND application_name = $1`, app).Scan(&n)
		return err == nil && n > 0
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The server notices the client went away once the lock is granted.
	waitFor(t, func() bool {
		var n int
		err := d.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
		return err == nil && n == 0
	})
	if after := snapshot(); after != before {
		t.Fatalf("statements after the killed run:\n%s\nbefore:\n%s\n%s", after, before, out)
	}
	if code, _, errs := runEngage(t, "", with("billing", "run", period)...); code != 0 {
		t.Fatalf("billing run after the crash = %d %q", code, errs)
	}
	// Statements keep their ids: the same statements, with the same totals.
	if again := snapshot(); again != before {
		t.Fatalf("the run after the crash gave:\n%s\nbefore:\n%s\n(want the same statements and totals)", again, before)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitFor polls cond for up to 30 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/dbtest"
)

func runEngage(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	// Cheap password hashing keeps tests fast; production uses the default.
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		configure: func(cfg *config.Config) { cfg.Argon2 = auth.CheapArgon2() }}
	code := e.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {

		if code, out, _ := runEngage(t, "", with("migrate", "status")...); code != 0 || !strings.Contains(out, "pending") {
			t.Fatalf("status before migrating = %d %q", code, out)
		}
		if code, _, errs := runEngage(t, "", with("migrate", "up")...); code != 0 {
			t.Fatalf("migrate up = %d %s", code, errs)
		}
		if code, out, _ := runEngage(t, "", with("migrate", "status")...); code != 0 || !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
			t.Fatalf("status after migrating = %d %q", code, out)
		}
		if code, out, errs := runEngage(t, "", with("demo")...); code != 0 || !strings.Contains(out, "admin@example.com") {
			t.Fatalf("demo = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "", with("demo")...); code != 1 || !strings.Contains(errs, "only loaded into an empty database") {
			t.Fatalf("second demo = %d %q", code, errs)
		}
		// The password comes from standard input.
		code, out, errs := runEngage(t, "a long enough password\n", with("user", "add", "--email", "ops@example.com", "--name", "Ops Person", "--role", "admin,finance", "--department", "IT")...)
		if code != 0 || !strings.Contains(out, "admin, finance") {
			t.Fatalf("user add = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "short\n", with("user", "add", "--email", "weak@example.com", "--name", "Weak")...); code != 2 || !strings.Contains(errs, "12 characters") {
			t.Fatalf("weak password = %d %q", code, errs)
		}
		if code, out, _ := runEngage(t, "", with("user", "list", "--role", "finance")...); code != 0 || !strings.Contains(out, "ops@example.com") || strings.Contains(out, "weak@example.com") {
			t.Fatalf("user list = %d %q", code, out)
		}
		// token create prints the token and nothing else.
		code, out, _ = runEngage(t, "", with("token", "create", "ops@example.com")...)
		if code != 0 || !strings.HasPrefix(out, auth.TokenPrefix) || strings.Count(out, "\n") != 1 {
			t.Fatalf("token create = %d %q", code, out)
		}
		if code, _, errs := runEngage(t, "", with("token", "create", "nobody@example.com")...); code != 1 || !strings.Contains(errs, "No person") {
			t.Fatalf("token for nobody = %d %q", code, errs)
		}
		if code, _, errs := runEngage(t, "another long password\n", with("user", "passwd", "ops@example.com")...); code != 0 {
			t.Fatalf("passwd = %d %q", code, errs)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	if code, out, _ := runEngage(t, "", "--help"); code != 0 || !strings.Contains(out, "serve") {
		t.Fatalf("--help = %d %q", code, out)
	}
	if code, out, _ := runEngage(t, "", "serve", "--help"); code != 0 || !strings.Contains(out, "--database-url") {
		t.Fatalf("serve --help = %d %q", code, out)
	}
	if code, _, errs := runEngage(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command = %d %q", code, errs)
	}
	if code, _, errs := runEngage(t, "", "serve", "--addr", "nonsense"); code != 2 || !strings.Contains(errs, "--addr") {
		t.Fatalf("bad addr = %d %q", code, errs)
	}
	if code, _, errs := runEngage(t, "", "migrate", "--database-url", "mysql://x"); code != 2 || !strings.Contains(errs, "postgres://") {
		t.Fatalf("bad database URL = %d %q", code, errs)
	}
	t.Setenv("ENGAGE_LOG_FORMAT", "xml")
	if code, _, errs := runEngage(t, "", "version"); code != 0 {
		t.Fatalf("version = %d %q", code, errs)
	}
	if code, _, errs := runEngage(t, "", "migrate", "status"); code != 2 || !strings.Contains(errs, "--log-format") {
		t.Fatalf("bad env log format = %d %q", code, errs)
	}
}

// forEachEngine runs body once on a fresh SQLite directory and once on a
// fresh PostgreSQL schema; with appends that database's flags to a command.
func forEachEngine(t *testing.T, body func(t *testing.T, with func(...string) []string)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var dbFlag []string
			if engine == "sqlite" {
				dbFlag = []string{"--data", t.TempDir()}
			} else {
				dbFlag = []string{"--database-url", dbtest.PostgresURL(t)}
			}
			body(t, func(args ...string) []string { return append(args, dbFlag...) })
		})
	}
}

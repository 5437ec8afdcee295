// Command engage is the whole of Engage in one binary: the web server, the
// API, migrations, demo data and account administration.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/engagehq/engage/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `Engage — the front door through which business units engage their IT organisation.

Usage: engage <command> [flags]

Commands:
  serve         run the web interface and the API
  migrate       apply database migrations (up) or show them (status)
  demo          load the demo organisation into an empty database
  user          add, list or set the password of accounts (user add|passwd|list)
  token         create an API token for a person (token create EMAIL)
  import        import organisation data or usage from CSV, a FOCUS cloud bill, an ArchiMate
                exchange file into the process register (import KIND FILE; import archimate FILE.xml [--dry-run]);
                card, expense or invoice spend (import spend FILE.csv); a single-sign-on export of
                seats (import seats FILE.csv); or Backstage catalog files
                (import backstage FILE|DIR [--dry-run])
  apply         make the service catalog or the process register match a file (apply -f FILE [--dry-run])
  export        write the catalog, the process register or it as ArchiMate, or the services as a Backstage
                catalog-info.yaml (export catalog|register|archimate|backstage [-o FILE])
  billing       run, close or list billing periods (billing run|close PERIOD | periods)
  costs         load cost pools and show cost recovery (costs import FILE | export [PERIOD] | results PERIOD)
  spend         recognise vendors in a card or expense file (spend match FILE.csv; stores nothing)
  ranking       the board's ranking of the needs waiting for its decision, with each score's parts
  gate          may delivery work for a need proceed? (gate check REFERENCE; exit 0 when allowed)
  version       print the version

Every command that uses the database takes --data DIR (embedded SQLite, the
default, in ./data) or --database-url postgres://… , also read from
ENGAGE_DATA and ENGAGE_DATABASE_URL. Run 'engage <command> --help' for more.
`

// env is what a command may touch, so that tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// configure, when set, changes the configuration every command starts
	// from, before its flags are read (tests lower the password cost).
	configure func(*config.Config)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return env{stdin: stdin, stdout: stdout, stderr: stderr}.run(ctx, args)
}

func (e env) run(ctx context.Context, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	commands := map[string]func(context.Context, env, []string) error{
		"serve":   cmdServe,
		"migrate": cmdMigrate,
		"demo":    cmdDemo,
		"user":    cmdUser,
		"token":   cmdToken,
		"import":  cmdImport,
		"apply":   cmdApply,
		"export":  cmdExport,
		"version": cmdVersion,
		"gate":    cmdGate,
		"billing": cmdBilling,
		"costs":   cmdCosts,
		"spend":   cmdSpend,
		"ranking": cmdRanking,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "engage: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, e, args[1:]); err != nil {
		if err == errHelp {
			return 0
		}
		if _, ok := err.(gateClosed); ok {
			return 1
		}
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "engage %s: %s\n", args[0], ue.msg)
			return 2
		}
		fmt.Fprintf(stderr, "engage %s: %s\n", args[0], describe(err))
		return 1
	}
	return 0
}

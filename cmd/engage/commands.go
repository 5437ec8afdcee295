package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/org"
)

var errHelp = errors.New("help shown")

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// describe turns an error into one or more lines a person can act on.
func describe(err error) string {
	msg := engage.ErrorMessage(err)
	if engage.ErrorCode(err) == engage.EINTERNAL {
		msg = err.Error()
	}
	for _, f := range engage.ErrorFields(err) {
		msg += "\n  " + f.Field + ": " + f.Message
	}
	return msg
}

// parse parses flags, which may come before or after the positional
// arguments; server adds serve's flags. It returns the configuration and
// the positional arguments.
func parse(e env, name, synopsis string, args []string, server bool, extra func(*flag.FlagSet)) (config.Config, positional, error) {
	cfg := config.Default()
	if e.configure != nil {
		e.configure(&cfg)
	}
	fs := flag.NewFlagSet("engage "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	finish := config.Flags(fs, &cfg, server)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: engage %s\n\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	var pos positional
	pos.usage = fs.Usage
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return cfg, pos, errHelp
			}
			return cfg, pos, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos.args = append(pos.args, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := finish(); err != nil {
		return cfg, pos, usageError{err.Error()}
	}
	return cfg, pos, nil
}

// positional holds the arguments that are not flags.
type positional struct {
	args  []string
	usage func()
}

func (p positional) NArg() int { return len(p.args) }

func (p positional) Arg(i int) string {
	if i < len(p.args) {
		return p.args[i]
	}
	return ""
}

func (p positional) Usage() { p.usage() }

// open starts Engage's services without listening, with logs on stderr.
func open(ctx context.Context, e env, cfg config.Config) (*app.App, error) {
	cfg.LogLevel = "warn"
	// Commands that import millions of lines run under the server's soft
	// memory limit (--memory-limit-mib), not with a heap that doubles.
	cfg.ApplyMemoryLimit()
	return app.Open(ctx, cfg, cfg.Logger(os.Stderr), nil)
}

// isTerminal reports whether w is a terminal, so that progress is shown to
// people and not written into scripts' logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func progress(e env, format string, args ...any) {
	if isTerminal(e.stderr) {
		fmt.Fprintf(e.stderr, format+"\n", args...)
	}
}

func cmdServe(ctx context.Context, e env, args []string) error {
	cfg, _, err := parse(e, "serve", "serve [--addr HOST:PORT] [--data DIR | --database-url URL] [--demo]", args, true, nil)
	if err != nil {
		return err
	}
	logger := cfg.Logger(os.Stderr)
	if l := cfg.ApplyMemoryLimit(); l > 0 {
		logger.Info("memory limit", "MiB", l>>20)
	}
	// Listen first: /healthz and /readyz answer while migrations and the
	// demo load run.
	s, err := app.Listen(cfg, logger)
	if err != nil {
		return err
	}
	engine := "SQLite in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		engine = "PostgreSQL"
	}
	logger.Info("Engage is starting", "url", s.URL(), "database", engine, "version", app.Version)
	var setup func(context.Context, *app.App) error
	if cfg.Demo {
		setup = func(ctx context.Context, a *app.App) error {
			a.Backstage.Examples = demo.BackstageFiles()
			err := demo.LoadApp(ctx, a)
			switch {
			case engage.ErrorCode(err) == engage.ECONFLICT:
				logger.Info("demo data not loaded: the database already has an organisation")
			case err != nil:
				return err
			default:
				logger.Info("demo organisation loaded", "people", demo.People)
			}
			return nil
		}
	}
	return s.Run(ctx, nil, setup, func(a *app.App) {
		logger.Info("Engage is running", "url", s.URL(), "database", engine, "version", app.Version)
		if cfg.Demo {
			fmt.Fprintf(e.stdout, "\nEngage is running at %s\nSign in as admin@example.com (or requester@example.com, budget@example.com, finance@example.com, brm@example.com …)\nwith the password %s\n\n",
				strings.Replace(s.URL(), "127.0.0.1", "localhost", 1), demo.Password)
		}
	})
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	cfg, fs, err := parse(e, "migrate", "migrate [up|status] [--data DIR | --database-url URL]", args, false, nil)
	if err != nil {
		return err
	}
	action := fs.Arg(0)
	if action == "" {
		action = "up"
	}
	switch action {
	case "up":
		a, err := open(ctx, e, cfg) // opening applies pending migrations
		if err != nil {
			return err
		}
		defer a.Close()
		fmt.Fprintln(e.stdout, "The database schema is up to date.")
		return nil
	case "status":
		a, err := openNoMigrate(ctx, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		states, err := a.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tMIGRATION\tSTATE")
		for _, s := range states {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, state)
		}
		return tw.Flush()
	}
	return usagef("unknown action %q: use up or status", action)
}

func cmdDemo(ctx context.Context, e env, args []string) error {
	cfg, _, err := parse(e, "demo", "demo [--data DIR | --database-url URL]", args, false, nil)
	if err != nil {
		return err
	}
	progress(e, "Loading the demo organisation (%d people)…", demo.People)
	start := time.Now()
	// Under the startup lock, like serve --demo: a second load waits for
	// the first and finds the organisation there.
	cfg.LogLevel = "warn"
	a, err := app.OpenWith(ctx, cfg, cfg.Logger(os.Stderr), nil, demo.LoadApp)
	if err != nil {
		return err
	}
	defer a.Close()
	progress(e, "Done in %s.", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "Demo organisation loaded. Sign in as admin@example.com with the password %s\n", demo.Password)
	return nil
}

// readPassword reads a password from standard input: without echo on a
// terminal, else the first line.
func readPassword(e env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, "Usage:\n  engage user add --email E --name N --role R[,R…] [--department CODE]   (password read from standard input)\n  engage user passwd EMAIL   (password read from standard input)\n  engage user list [--role R]\n")
		if len(args) == 0 {
			return usagef("say add, passwd or list")
		}
		return errHelp
	}
	sub, rest := args[0], args[1:]
	sys := access.System("engage user (command line)")
	switch sub {
	case "add":
		var email, name, roles, dept string
		cfg, _, err := parse(e, "user add", "user add --email E --name N --role R[,R…] [--department CODE]", rest, false, func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "e-mail address (required)")
			fs.StringVar(&name, "name", "", "full name (required)")
			fs.StringVar(&roles, "role", "requester", "comma-separated roles: "+roleNames())
			fs.StringVar(&dept, "department", "", "cost-centre code of the person's department")
		})
		if err != nil {
			return err
		}
		if email == "" || name == "" {
			return usagef("--email and --name are required")
		}
		a, err := open(ctx, e, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		in := org.PersonInput{Email: email, Name: name, Active: true}
		for _, r := range strings.Split(roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				in.Roles = append(in.Roles, access.Role(r))
			}
		}
		if dept != "" {
			depts, _, err := a.Org.ListDepartments(ctx, sys, org.ListFilter{Query: dept, Limit: 500})
			if err != nil {
				return err
			}
			for _, d := range depts {
				if strings.EqualFold(d.Code, dept) {
					in.DepartmentID = d.ID
				}
			}
			if in.DepartmentID == 0 {
				return usagef("--department: no department with code %q", dept)
			}
		}
		password, err := readPassword(e, "Password for "+email+": ")
		if err != nil {
			return err
		}
		// Check the password before adding anyone, so that a weak one
		// leaves no account without a password behind.
		if msg := auth.CheckPasswordStrength(password, email); msg != "" {
			return usagef("password: %s", msg)
		}
		person, err := a.Org.CreatePerson(ctx, sys, in)
		if err != nil {
			return err
		}
		if err := a.Auth.SetPassword(ctx, sys, person.ID, password); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Added %s <%s> with roles %s.\n", person.Name, person.Email, strings.Join(rolesOf(person.Roles), ", "))
		return nil
	case "passwd":
		cfg, fs, err := parse(e, "user passwd", "user passwd EMAIL", rest, false, nil)
		if err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("give exactly one e-mail address")
		}
		a, err := open(ctx, e, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		person, err := a.Org.FindPersonByEmail(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		password, err := readPassword(e, "New password for "+person.Email+": ")
		if err != nil {
			return err
		}
		if err := a.Auth.SetPassword(ctx, sys, person.ID, password); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Password changed for %s.\n", person.Email)
		return nil
	case "list":
		var role string
		cfg, _, err := parse(e, "user list", "user list [--role R]", rest, false, func(fs *flag.FlagSet) {
			fs.StringVar(&role, "role", "", "only people with this role")
		})
		if err != nil {
			return err
		}
		a, err := open(ctx, e, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tDEPARTMENT\tROLES\tACTIVE")
		cursor := ""
		for {
			people, next, err := a.Org.ListPeople(ctx, sys, org.ListFilter{Role: access.Role(role), Cursor: cursor, Limit: 500})
			if err != nil {
				return err
			}
			for _, p := range people {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", p.Email, p.Name, p.DepartmentName, strings.Join(rolesOf(p.Roles), ","), p.Active)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		return tw.Flush()
	}
	return usagef("unknown action %q: use add, passwd or list", sub)
}

func rolesOf(rs []access.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func roleNames() string { return strings.Join(rolesOf(access.AllRoles), ", ") }

func cmdToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(e.stdout, "Usage: engage token create EMAIL [--name NAME] [--scope full|gate] [--expires DURATION]\n\nPrints only the new API token on standard output.\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say: token create EMAIL")
	}
	var name, scope string
	var expires time.Duration
	cfg, fs, err := parse(e, "token create", "token create EMAIL [--name NAME] [--scope full|gate] [--expires DURATION]", args[1:], false, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "created on the command line", "what the token is for")
		fs.StringVar(&scope, "scope", access.ScopeFull, "full: acts as the person in everything; gate: may only ask the delivery gate, for a delivery pipeline")
		fs.DurationVar(&expires, "expires", 0, "lifetime such as 720h; never expires when 0")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give exactly one e-mail address")
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	person, err := a.Org.FindPersonByEmail(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	var exp *time.Time
	if expires > 0 {
		t := a.Clock.Now().Add(expires)
		exp = &t
	}
	secret, _, err := a.Auth.CreateScopedToken(ctx, access.System("engage token (command line)"), person.ID, name, scope, exp)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func cmdImport(ctx context.Context, e env, args []string) error {
	if isFocusImport(args) {
		return cmdImportFocus(ctx, e, args)
	}
	if len(args) > 0 && args[0] == "archimate" {
		return cmdImportArchiMate(ctx, e, args)
	}
	if len(args) > 0 && args[0] == "backstage" {
		return cmdImportBackstage(ctx, e, args)
	}
	if len(args) > 0 && args[0] == "spend" {
		return cmdImportSpend(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "seats" {
		return cmdImportSeats(ctx, e, args[1:])
	}
	var opts usageImportOptions
	cfg, fs, err := parse(e, "import", "import KIND FILE.csv   (KIND: "+strings.Join(org.ImportKinds, ", ")+", usage)\n       engage "+importUsageSynopsis+
		"\n       engage "+importFocusSynopsis, args, false, opts.flags)
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usagef("give a kind and a file")
	}
	if fs.Arg(0) == "usage" {
		return importUsage(ctx, e, cfg, fs.Arg(1), opts)
	}
	if opts.acceptPartial || opts.late != "adjust" {
		return usagef("--accept-partial and --late are for usage files")
	}
	return withFileAndApp(ctx, e, cfg, fs.Arg(1), func(a *app.App, f *os.File) error {
		progress(e, "Importing %s from %s…", fs.Arg(0), fs.Arg(1))
		rep, err := a.Org.Import(ctx, access.System("engage import (command line)"), fs.Arg(0), f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d rows, %d added, %d updated, %d unchanged.\n", rep.Kind, rep.Rows, rep.Created, rep.Updated, rep.Unchanged)
		return nil
	})
}

// withFileAndApp opens the file at path and then the application, runs fn
// with both, and closes them.
func withFileAndApp(ctx context.Context, e env, cfg config.Config, path string, fn func(a *app.App, f *os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a, f)
}

func cmdVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintf(e.stdout, "engage %s\n", app.Version)
	return nil
}

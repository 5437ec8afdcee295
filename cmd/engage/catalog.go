package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/process"
)

// cmdApply makes the catalog match a catalog file, or the process register
// a register file (kind: engage/process-register), or with --dry-run says
// what it would change. Every error in the file is printed as
// FILE:LINE: FIELD: message, and then nothing is written.
func cmdApply(ctx context.Context, e env, args []string) error {
	var file string
	var dryRun bool
	cfg, fs, err := parse(e, "apply", "apply -f FILE [--dry-run] [--data DIR | --database-url URL]", args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "f", "", "the catalog or register file to apply (- for standard input)")
		fs.BoolVar(&dryRun, "dry-run", false, "only print what would change")
	})
	if err != nil {
		return err
	}
	if file == "" || fs.NArg() > 0 {
		return usagef("give the catalog file with -f FILE, and nothing else")
	}
	var r io.Reader = e.stdin
	name := "stdin"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, file
	}
	// The file's kind: says whether it is the catalog or the process register.
	src, err := io.ReadAll(io.LimitReader(r, process.MaxFileBytes+1))
	if err != nil {
		return err
	}
	if isRegisterFile(src) {
		return applyRegister(ctx, e, cfg, name, src, dryRun)
	}
	parsed, err := catalog.ParseFile(name, bytes.NewReader(src))
	if err != nil {
		return fileErrors(e, err)
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	plan, err := a.Catalog.Apply(ctx, access.System("engage apply (command line)"), parsed, dryRun)
	if err != nil {
		return fileErrors(e, err)
	}
	if dryRun {
		fmt.Fprintf(e.stdout, "Dry run: nothing was written. Applying %s would make these changes:\n", name)
	}
	fmt.Fprint(e.stdout, plan.String())
	return nil
}

// fileErrors prints the located errors of a catalog file, one a line, and
// returns a short error for the exit status.
func fileErrors(e env, err error) error {
	var fe catalog.FileErrors
	if !errors.As(err, &fe) {
		return err
	}
	fmt.Fprintln(e.stderr, fe.Error())
	if len(fe) == 1 {
		return fmt.Errorf("%s has an error; nothing was written", fe[0].File)
	}
	return fmt.Errorf("%s has %d errors; nothing was written", fe[0].File, len(fe))
}

// cmdExport writes the whole catalog as a catalog file.
func cmdExport(ctx context.Context, e env, args []string) error {
	var out string
	cfg, fs, err := parse(e, "export", "export catalog|register|archimate|backstage [-o FILE] [--data DIR | --database-url URL]", args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "", "write to FILE instead of standard output")
	})
	if err != nil {
		return err
	}
	what := fs.Arg(0)
	if fs.NArg() != 1 || (what != "catalog" && what != "register" && what != "archimate" && what != "backstage") {
		return usagef("say what to export: export catalog|register|archimate|backstage [-o FILE]")
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// Export in full before writing, so that a failure leaves no half file.
	var buf bytes.Buffer
	switch what {
	case "backstage":
		err = exportBackstage(ctx, a.Backstage, &buf)
	case "register", "archimate":
		err = exportRegister(ctx, e, what, a.Processes, &buf)
	default:
		err = a.Catalog.Export(ctx, access.System("engage export (command line)"), &buf)
	}
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	progress(e, "Wrote the %s to %s.", map[string]string{"catalog": "catalog", "register": "process register", "archimate": "process register as an ArchiMate exchange file",
		"backstage": "catalog's services as a Backstage catalog-info.yaml"}[what], out)
	return nil
}

package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/process"
)

// isRegisterFile reports whether a file given to apply is a process
// register file: its kind: key says so. Anything else is a catalog file.
func isRegisterFile(src []byte) bool {
	var head struct {
		Kind string `yaml:"kind"`
	}
	return yaml.Unmarshal(src, &head) == nil && head.Kind == process.RegisterKind
}

// applyRegister makes the process register match a register file, or with
// dryRun says what it would change.
func applyRegister(ctx context.Context, e env, cfg config.Config, name string, src []byte, dryRun bool) error {
	f, err := process.ParseRegisterFile(name, bytes.NewReader(src))
	if err != nil {
		return err
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	plan, err := a.Processes.ApplyRegister(ctx, access.System("engage apply (command line)"), f, dryRun)
	if err != nil {
		return err
	}
	printPlan(e, name, plan)
	return nil
}

func printPlan(e env, name string, plan process.RegisterPlan) {
	if plan.DryRun {
		fmt.Fprintf(e.stdout, "Dry run: nothing was written. Applying %s would make these changes:\n", name)
	}
	fmt.Fprint(e.stdout, plan.String())
}

// cmdImportArchiMate imports an ArchiMate exchange file into the register.
func cmdImportArchiMate(ctx context.Context, e env, args []string) error {
	var dryRun bool
	cfg, fs, err := parse(e, "import", "import archimate FILE.xml [--dry-run] [--data DIR | --database-url URL]", args, false, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "only print what would change")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("give the exchange file: import archimate FILE.xml [--dry-run]")
	}
	file, err := os.Open(fs.Arg(1))
	if err != nil {
		return err
	}
	defer file.Close()
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	plan, err := a.Processes.ImportArchiMate(ctx, access.System("engage import archimate (command line)"), fs.Arg(1), file, dryRun)
	if err != nil {
		return err
	}
	printPlan(e, fs.Arg(1), plan)
	return nil
}

// exportRegister writes the register as a register file or an ArchiMate
// exchange file, whole, before writing anything.
func exportRegister(ctx context.Context, e env, what string, p interface {
	ExportRegister(context.Context, *access.Principal) (process.RegisterFile, error)
	ExportArchiMate(context.Context, *access.Principal, io.Writer) error
}, buf *bytes.Buffer) error {
	who := access.System("engage export (command line)")
	if what == "archimate" {
		return p.ExportArchiMate(ctx, who, buf)
	}
	f, err := p.ExportRegister(ctx, who)
	if err != nil {
		return err
	}
	return process.WriteRegisterFile(buf, f)
}

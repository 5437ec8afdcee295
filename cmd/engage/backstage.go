package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/backstage"
)

// cmdImportBackstage imports Backstage catalog descriptor files: one file
// (and the files its Locations name beside it) or a whole directory.
func cmdImportBackstage(ctx context.Context, e env, args []string) error {
	var dryRun bool
	cfg, fs, err := parse(e, "import", "import backstage FILE|DIR [--dry-run] [--data DIR | --database-url URL]", args, false, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "only print what would change")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("give a descriptor file or a directory: import backstage FILE|DIR [--dry-run]")
	}
	set, err := readBackstage(fs.Arg(1))
	if err != nil {
		return err
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Backstage.Import(ctx, access.System("engage import backstage (command line)"), set, dryRun)
	if err != nil {
		return err
	}
	if rep.DryRun {
		fmt.Fprintf(e.stdout, "Dry run: nothing was written. Importing %s would make these changes:\n", fs.Arg(1))
	}
	fmt.Fprint(e.stdout, rep.String())
	return nil
}

// readBackstage reads a directory, or a file and the files its Locations
// name inside the file's directory; nothing outside it is opened.
func readBackstage(name string) (*backstage.Set, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	dir, start := name, "."
	if !info.IsDir() {
		dir, start = filepath.Dir(name), filepath.Base(name)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return backstage.Read(root.FS(), start)
}

// exportBackstage writes the catalog's services as a catalog-info.yaml.
func exportBackstage(ctx context.Context, s *backstage.Service, w io.Writer) error {
	return s.Export(ctx, access.System("engage export (command line)"), w)
}

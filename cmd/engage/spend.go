package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/spend"
)

const spendUsage = `Usage:
  engage spend match FILE.csv     print a card or expense file back with vendor, software (yes/no),
                                  confidence and reason columns added; nothing is stored
  engage ` + spendCasesSynopsis + `
                                  list the BRM's shadow-IT cases (by default those still open)
  engage ` + spendCaseSynopsis + `
                                  act on a case, as the case page and the API do
`

// cmdSpend works on card, expense and invoice spend.
func cmdSpend(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "cases" {
		return cmdSpendCases(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "case" {
		return cmdSpendCase(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "match" {
		fmt.Fprint(e.stdout, spendUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say match, cases or case")
	}
	_, pos, err := parse(e, "spend match", "spend match FILE.csv", args[1:], false, nil)
	if err != nil {
		return err
	}
	if pos.NArg() != 1 {
		return usagef("give one CSV file")
	}
	f, err := os.Open(pos.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	lines, waiting, err := spend.NewMatcher(spend.Shipped()).MatchFile(f, e.stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d lines matched, %d wait for a person (confidence under %.2f).\n", lines, waiting, spend.ReviewBelow)
	return nil
}

// cmdImportSpend imports a card, expense or accounts-payable file.
func cmdImportSpend(ctx context.Context, e env, args []string) error {
	cfg, pos, err := parse(e, "import spend", "import spend FILE.csv   (card lines: "+strings.Join(spend.CardColumns, ",")+
		"; invoice lines: "+strings.Join(spend.InvoiceColumns, ",")+")", args, false, nil)
	if err != nil {
		return err
	}
	if pos.NArg() != 1 {
		pos.usage()
		return usagef("give one CSV file")
	}
	return withFileAndApp(ctx, e, cfg, pos.Arg(0), func(a *app.App, f *os.File) error {
		progress(e, "Importing spend from %s…", pos.Arg(0))
		rep, err := a.Spend.Import(ctx, access.System("engage import spend (command line)"), filepath.Base(pos.Arg(0)), f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s lines: %d read, %d added, %d unchanged; of those added %d software, %d waiting for a person.\n",
			rep.Kind, rep.Lines, rep.Added, rep.Unchanged, rep.Software, rep.Waiting)
		return nil
	})
}

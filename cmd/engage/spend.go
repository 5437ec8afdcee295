package main

import (
	"context"
	"fmt"
	"os"

	"github.com/engagehq/engage/internal/spend"
)

const spendUsage = `Usage:
  engage spend match FILE.csv     print a card or expense file back with vendor, software (yes/no),
                                  confidence and reason columns added; nothing is stored
`

// cmdSpend works on card, expense and invoice spend.
func cmdSpend(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "match" {
		fmt.Fprint(e.stdout, spendUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say match")
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

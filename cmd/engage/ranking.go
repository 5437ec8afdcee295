package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/portfolio"
)

// cmdRanking prints the board's ranking of the needs waiting for a
// decision, each score with its four parts.
func cmdRanking(ctx context.Context, e env, args []string) error {
	cfg, pos, err := parse(e, "ranking", "ranking", args, false, nil)
	if err != nil {
		return err
	}
	if pos.NArg() != 0 {
		return usagef("takes no arguments")
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Portfolio.Ranking(ctx, access.System("engage ranking (command line)"))
	if err != nil {
		return err
	}
	return printRanking(e, r)
}

func printRanking(e env, r portfolio.Ranking) error {
	w := r.Weights
	fmt.Fprintf(e.stdout, "The board's ranking on %s; weights value %d, cost %d, risk %d, urgency %d.\n\n", r.AsOf, w.Value, w.Cost, w.Risk, w.Urgency)
	if len(r.Needs) == 0 {
		fmt.Fprintln(e.stdout, "No need is waiting for the board's decision.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Rank\tNeed\tScore\tValue\tCost\tRisk\tUrgency\tFirst year\tTitle\t")
	for _, n := range r.Needs {
		first := "—"
		if n.FirstYear != nil {
			first = catalog.FormatMoney(*n.FirstYear, n.Currency)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n.Rank, n.Reference, n.Score.StringFixed(2), n.Parts[0].Score, n.Parts[1].Score,
			n.Parts[2].Score, n.Parts[3].Score, first, n.Title)
	}
	return tw.Flush()
}

package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/costs"
)

const costsUsage = `Usage:
  engage costs import FILE.csv     load cost pools; nothing is written if any line is wrong
  engage costs export [PERIOD]     write cost pools (of a month, YYYY-MM) as CSV in the import's format
  engage costs results PERIOD      cost, charges and recovery per service for a month
`

// cmdCosts loads cost pools and shows what services cost against what
// they charged.
func cmdCosts(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export" && args[0] != "results") {
		fmt.Fprint(e.stdout, costsUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say import, export or results")
	}
	cfg, pos, err := parse(e, "costs "+args[0], "costs "+args[0]+" ARG", args[1:], false, nil)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "import" && pos.NArg() != 1:
		return usagef("give one CSV file")
	case args[0] == "results" && pos.NArg() != 1:
		return usagef("give one period, such as 2026-03")
	case args[0] == "export" && pos.NArg() > 1:
		return usagef("give at most one period")
	}
	op := access.System("engage costs (command line)")
	var file *os.File
	if args[0] == "import" {
		if file, err = os.Open(pos.Arg(0)); err != nil {
			return err
		}
		defer file.Close()
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "import":
		progress(e, "Loading cost pools from %s…", pos.Arg(0))
		rep, err := a.Costs.ImportPools(ctx, op, file)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d lines: %d added, %d updated, %d unchanged.\n", rep.Rows, rep.Created, rep.Updated, rep.Unchanged)
		return nil
	case "export":
		return a.Costs.ExportPools(ctx, op, pos.Arg(0), e.stdout)
	}
	r, err := a.Costs.Results(ctx, op, pos.Arg(0))
	if err != nil {
		return err
	}
	return printResults(e, r)
}

func printResults(e env, r costs.PeriodResults) error {
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(e.stdout, "%s\n\n", r.PeriodLabel)
	fmt.Fprintln(tw, "Service\tCurrency\tCost\tCharged\tRecovery\t")
	for _, s := range r.Services {
		for _, f := range s.Figures {
			rec, flag := "—", ""
			if f.Recovery != nil {
				rec = f.Recovery.StringFixed(1) + "%"
			}
			if f.BelowCost {
				flag = "below cost"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, f.Currency, costMoney(f.Cost, f.Currency), costMoney(f.Charged, f.Currency), rec, flag)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range r.Totals {
		fmt.Fprintf(e.stdout, "\n%s: pools %s, allocated %s, unallocated %s, charged %s.", t.Currency, costMoney(t.Pools, t.Currency),
			costMoney(t.Allocated, t.Currency), costMoney(t.Unallocated, t.Currency), costMoney(t.Charged, t.Currency))
	}
	if len(r.Totals) > 0 {
		fmt.Fprintln(e.stdout)
	}
	for _, o := range r.BelowCost {
		fmt.Fprintf(e.stdout, "Priced below cost: %s — %s: unit cost %s %s, unit price %s.\n", o.ServiceName, o.Name, o.Currency,
			o.UnitCost.StringFixed(4), o.UnitPrice.StringFixed(4))
	}
	return nil
}

// costMoney rounds to the currency's minor unit for a terminal table; the
// API keeps full precision.
func costMoney(d decimal.Decimal, currency string) string {
	return catalog.FormatMoney(d, currency)
}

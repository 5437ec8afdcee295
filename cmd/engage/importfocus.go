package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/focus"
)

const importFocusSynopsis = "import focus FILE [--basis effective|billed] [--dates mdy|dmy] [--currency CODE] [--accept-partial] [--data DIR | --database-url URL]"

func importFocusFlags(basis, dates, currency *string, partial *bool) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		fs.BoolVar(partial, "accept-partial", false, "import the readable rows of a file in which some rows cannot be read (by default nothing is imported)")
		fs.StringVar(basis, "basis", "", "the cost to allocate: effective (EffectiveCost, the default) or billed (BilledCost)")
		fs.StringVar(dates, "dates", "", "read dates like 5/1/25 as mdy or dmy; rows with such dates are rejected otherwise")
		fs.StringVar(currency, "currency", "", "the currency of a file without a BillingCurrency column, such as USD")
	}
}

// isFocusImport reports whether the arguments of `engage import` name the
// kind focus, wherever the flags are.
func isFocusImport(args []string) bool {
	var basis, dates, currency string
	var partial bool
	cfg := config.Default()
	fs := flag.NewFlagSet("engage import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.Flags(fs, &cfg, false)
	importFocusFlags(&basis, &dates, &currency, &partial)(fs)
	if err := fs.Parse(args); err != nil {
		return false
	}
	return fs.Arg(0) == "focus"
}

// cmdImportFocus imports a FOCUS cloud bill and prints its report: counts,
// the first rejected rows, warnings by kind, totals per provider and
// currency, and what was allocated. Rejected rows do not make it fail.
func cmdImportFocus(ctx context.Context, e env, args []string) error {
	var basis, dates, currency string
	var partial bool
	cfg, fs, err := parse(e, "import", importFocusSynopsis, args, false, importFocusFlags(&basis, &dates, &currency, &partial))
	if err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "focus" {
		fs.Usage()
		return usagef("give the FOCUS file to import")
	}
	opts := cloudbill.ImportOptions{DefaultCurrency: currency, AcceptPartial: partial}
	switch basis {
	case "", "effective":
		opts.Basis = cloudbill.BasisEffective
	case "billed":
		opts.Basis = cloudbill.BasisBilled
	default:
		return usagef("--basis is effective or billed, not %q", basis)
	}
	switch strings.ToLower(dates) {
	case "":
	case "mdy":
		opts.SlashDates = focus.SlashDatesMDY
	case "dmy":
		opts.SlashDates = focus.SlashDatesDMY
	default:
		return usagef("--dates is mdy or dmy, not %q", dates)
	}
	path := fs.Arg(1)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if isTerminal(e.stderr) {
		opts.Progress = func(read, rows int64) {
			pct := ""
			if size > 0 {
				pct = fmt.Sprintf("%3d%% ", min(100, read*100/size))
			}
			fmt.Fprintf(e.stderr, "\rImporting %s: %s%s, %d rows ", filepath.Base(path), pct, megabytes(read), rows)
		}
	}
	rep, err := a.CloudBill.Import(ctx, access.System("engage import focus (command line)"), filepath.Base(path), f, opts)
	if opts.Progress != nil {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	printImport(e.stdout, rep)
	return nil
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// printImport writes an import report for people.
func printImport(w io.Writer, rep cloudbill.CloudImport) {
	version := rep.Version
	if version == "" {
		version = "version unknown"
	} else {
		version = "FOCUS " + version
	}
	fmt.Fprintf(w, "Import %d of %s (%s, %s, sha256 %s)\n", rep.ID, rep.FileName, rep.Format, version, rep.SHA256)
	fmt.Fprintf(w, "%d rows: %d accepted (%d added, %d duplicates already imported), %d rejected.\n",
		rep.Rows, rep.Accepted, rep.Added, rep.Duplicates, rep.Rejected)
	if len(rep.Periods) > 0 {
		fmt.Fprintf(w, "Billing periods: %s\n", strings.Join(rep.Periods, ", "))
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "\nRejected rows (the first %d of %d):\n", len(rep.Errors), rep.Rejected)
		for _, r := range rep.Errors {
			if r.Column != "" {
				fmt.Fprintf(w, "  line %d: %s: %s\n", r.Line, r.Column, r.Message)
			} else {
				fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Message)
			}
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(w, "\nAccepted deviations from FOCUS:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, x := range rep.Warnings {
			example := ""
			if x.Example != "" {
				example = fmt.Sprintf(" (%q)", x.Example)
			}
			fmt.Fprintf(tw, "  %s\t%d\tfirst on line %d%s\n", x.Kind, x.Count, x.FirstLine, example)
		}
		tw.Flush()
	}
	if len(rep.Totals) > 0 {
		fmt.Fprintln(w, "\nTotals of the accepted rows:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "provider\tcurrency\trows\tbilled cost\teffective cost\t")
		for _, t := range rep.Totals {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t\n", orNone(t.Provider), t.Currency, t.Rows, t.BilledCost, t.EffectiveCost)
		}
		tw.Flush()
	}
	if len(rep.Allocation) > 0 {
		fmt.Fprintf(w, "\nAllocation of the added rows (%s cost):\n", rep.Basis)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "currency\tallocated\trows\tunallocated\trows\t")
		for _, x := range rep.Allocation {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t\n", x.Currency, x.Allocated, x.AllocatedRows, x.Unallocated, x.UnallocatedRows)
		}
		tw.Flush()
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/csvfile"
)

// cmdBilling runs and closes billing periods.
func cmdBilling(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "run" && args[0] != "close" && args[0] != "periods") {
		fmt.Fprint(e.stdout, "Usage:\n  engage billing run PERIOD     rate a month (YYYY-MM) and replace its statements\n  engage billing close PERIOD   run it one last time and close it for good\n  engage billing periods        list periods\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say run, close or periods")
	}
	cfg, pos, err := parse(e, "billing "+args[0], "billing "+args[0]+" PERIOD", args[1:], false, nil)
	if err != nil {
		return err
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	op := access.System("engage billing (command line)")
	if args[0] == "periods" {
		list, err := a.Billing.Periods(ctx, op)
		if err != nil {
			return err
		}
		for _, p := range list {
			fmt.Fprintf(e.stdout, "%s  %-6s  %s\n", p.Period, p.State, p.Label)
		}
		return nil
	}
	if pos.NArg() != 1 {
		return usagef("give one period, such as 2026-03")
	}
	progress(e, "Rating %s…", pos.Arg(0))
	run := a.Billing.Run
	if args[0] == "close" {
		run = a.Billing.Close
	}
	rep, err := run(ctx, op, pos.Arg(0))
	if err != nil {
		return err
	}
	var currencies []string
	for c := range rep.Totals {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	fmt.Fprintf(e.stdout, "%s: %d statements, %d lines in %s.", rep.Period, rep.Statements, rep.Lines, rep.Duration)
	for _, c := range currencies {
		fmt.Fprintf(e.stdout, " Total %s %s.", c, rep.Totals[c].StringFixed(2))
	}
	if args[0] == "close" {
		fmt.Fprint(e.stdout, " The period is closed.")
	}
	fmt.Fprintln(e.stdout)
	return nil
}

const importUsageSynopsis = "import usage FILE.csv [--accept-partial] [--late adjust|refuse]"

// usageImportOptions are the flags of `engage import usage`.
type usageImportOptions struct {
	acceptPartial bool
	late          string
}

func (o *usageImportOptions) flags(fs *flag.FlagSet) {
	fs.BoolVar(&o.acceptPartial, "accept-partial", false, "usage: store the readable, valid lines of a file in which some are not (by default nothing is stored)")
	fs.StringVar(&o.late, "late", "adjust", "usage: records for a closed month are charged by an adjustment in the next open month (adjust) or refused (refuse)")
}

// importUsage reads usage records from CSV with the columns
// idempotency_key,time,department,subscription_id,offering,quantity,unit,source
// and sends them in batches. Line numbers are reported for refused rows:
// nothing is stored if any line is bad, unless --accept-partial; a file
// whose last line is cut is always refused.
func importUsage(ctx context.Context, e env, cfg config.Config, path string, opts usageImportOptions) error {
	if opts.late != "adjust" && opts.late != "refuse" {
		return usagef("--late: say adjust or refuse")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csvfile.NewReader(f)
	r.ReuseRecord = false
	r.RefuseCut = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: line 1: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"idempotency_key", "time", "quantity", "unit"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("%s: line 1: missing column %q (columns: idempotency_key,time,department,subscription_id,offering,quantity,unit,source)", path, need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// Read and stored a chunk at a time in one transaction: all or nothing
	// (unless --accept-partial), with memory bounded whatever the file's size.
	const chunkSize = 50000
	lines := make([]int, 0, chunkSize) // each record's line: its position in the report
	read := 0
	chunk := make([]billing.UsageInput, 0, chunkSize)
	var bad []billing.RecordError
	next := func() (billing.UsageChunk, error) {
		chunk, lines, bad = chunk[:0], lines[:0], bad[:0]
		for len(chunk)+len(bad) < chunkSize {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			line, _ := r.FieldPos(0)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			if errors.Is(err, csvfile.ErrCut) {
				// Never taken in part, even with --accept-partial.
				return billing.UsageChunk{}, fmt.Errorf("%s: line %d is cut: %w; nothing was stored", path, line, csvfile.ErrCut)
			}
			read++
			var problems []string
			if pe != nil {
				problems = append(problems, "record: "+pe.Err.Error())
			} else if err != nil {
				problems = append(problems, "record: "+err.Error())
			} else {
				in := billing.UsageInput{IdempotencyKey: get(rec, "idempotency_key"), Department: get(rec, "department"), Offering: get(rec, "offering"),
					Unit: get(rec, "unit"), Source: get(rec, "source")}
				if in.Time, err = time.Parse(time.RFC3339, get(rec, "time")); err != nil {
					problems = append(problems, "time: write RFC 3339, such as 2026-03-16T09:30:00Z")
				}
				if in.Quantity, err = decimal.NewFromString(get(rec, "quantity")); err != nil {
					problems = append(problems, "quantity: not a number")
				}
				if s := get(rec, "subscription_id"); s != "" {
					if in.SubscriptionID, err = strconv.ParseInt(s, 10, 64); err != nil {
						problems = append(problems, "subscription_id: not a number")
					}
				}
				if len(problems) == 0 {
					chunk, lines = append(chunk, in), append(lines, line)
				}
			}
			if len(problems) > 0 {
				field, msg, _ := strings.Cut(strings.Join(problems, "; "), ": ")
				bad = append(bad, billing.RecordError{Position: line, Field: field, Message: msg})
			}
		}
		if len(chunk)+len(bad) > 0 {
			progress(e, "Storing usage records: %d read…", read)
		}
		return billing.UsageChunk{Records: chunk, Positions: lines, Unreadable: bad}, nil
	}
	rep, err := a.Billing.IngestStream(ctx, access.System("engage import usage (command line)"), next,
		billing.IngestOptions{AcceptPartial: opts.acceptPartial, RefuseLate: opts.late == "refuse"})
	if err != nil {
		return err
	}
	if rep.Rejected > 0 {
		problems := make([]string, 0, len(rep.Errors)+1)
		for _, x := range rep.Errors {
			problems = append(problems, fmt.Sprintf("line %d: %s: %s", x.Position, x.Field, x.Message))
		}
		if more := rep.Rejected - len(rep.Errors); more > 0 {
			problems = append(problems, fmt.Sprintf("… and %d more problems", more))
		}
		if !rep.Atomic {
			fmt.Fprintf(e.stdout, "%d records: %d stored, %d already stored, %d refused (--accept-partial):\n  %s\n", rep.Received, rep.Accepted, rep.Duplicates,
				rep.Rejected, strings.Join(problems, "\n  "))
			return nil
		}
		return fmt.Errorf("%s has errors; nothing was stored (--accept-partial stores the other lines):\n  %s", path, strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(e.stdout, "%d records: %d stored, %d already stored.\n", rep.Received, rep.Accepted, rep.Duplicates)
	return nil
}

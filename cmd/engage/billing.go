package main

import (
	"context"
	"encoding/csv"
	"errors"
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

// importUsage reads usage records from CSV with the columns
// idempotency_key,time,department,subscription_id,offering,quantity,unit,source
// and sends them in batches. Line numbers are reported for refused rows;
// with --atomic semantics per file: nothing is stored if any line is bad.
func importUsage(ctx context.Context, e env, cfg config.Config, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csvfile.NewReader(f)
	r.ReuseRecord = false
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
	// Read and stored a chunk at a time in one transaction: all or nothing,
	// with memory bounded whatever the file's size.
	const chunkSize = 50000
	var problems []string
	unlisted := 0              // problems past the first thousand
	reported := map[int]bool{} // lines with a problem already listed
	problem := func(line int, format string, args ...any) {
		if len(problems) == 1000 {
			unlisted++
			return
		}
		problems = append(problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
		reported[line] = true
	}
	unreadable := errors.New("unreadable lines")
	lines := make([]int, 0, chunkSize) // each record's line: its position in the report
	read := 0
	chunk := make([]billing.UsageInput, 0, chunkSize)
	next := func() (billing.UsageChunk, error) {
		chunk, lines = chunk[:0], lines[:0]
		for len(chunk) < chunkSize {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			line, _ := r.FieldPos(0)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			lines = append(lines, line)
			read++
			if err != nil {
				problem(line, "%v", err)
				chunk = append(chunk, billing.UsageInput{})
				continue
			}
			in := billing.UsageInput{IdempotencyKey: get(rec, "idempotency_key"), Department: get(rec, "department"), Offering: get(rec, "offering"),
				Unit: get(rec, "unit"), Source: get(rec, "source")}
			if in.Time, err = time.Parse(time.RFC3339, get(rec, "time")); err != nil {
				problem(line, "time: write RFC 3339, such as 2026-03-16T09:30:00Z")
			}
			if in.Quantity, err = decimal.NewFromString(get(rec, "quantity")); err != nil {
				problem(line, "quantity: not a number")
			}
			if s := get(rec, "subscription_id"); s != "" {
				if in.SubscriptionID, err = strconv.ParseInt(s, 10, 64); err != nil {
					problem(line, "subscription_id: not a number")
				}
			}
			chunk = append(chunk, in)
		}
		if len(chunk) > 0 {
			progress(e, "Storing usage records: %d read…", read)
		} else if len(problems) > 0 {
			return billing.UsageChunk{}, unreadable // at the end: nothing is stored
		}
		return billing.UsageChunk{Records: chunk, Positions: lines}, nil
	}
	rep, err := a.Billing.IngestStream(ctx, access.System("engage import usage (command line)"), next, true)
	if err != nil && !errors.Is(err, unreadable) {
		return err
	}
	if err != nil || rep.Rejected > 0 {
		for _, x := range rep.Errors {
			// A line that could not be read is listed once, as read.
			if !reported[x.Position] {
				problem(x.Position, "%s: %s", x.Field, x.Message)
			}
		}
		if more := unlisted + rep.Rejected - len(rep.Errors); more > 0 {
			problems = append(problems, fmt.Sprintf("… and %d more problems", more))
		}
		return fmt.Errorf("%s has errors; nothing was stored:\n  %s", path, strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(e.stdout, "%d records: %d stored, %d already stored.\n", rep.Received, rep.Accepted, rep.Duplicates)
	return nil
}

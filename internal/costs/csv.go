package costs

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/db"
)

// CSV columns of a cost pool file; the first five are required. The
// allocation column holds none, percent, subscription-quantity or
// charged-amount; services lists service URL names separated by
// semicolons, each with its percentage for the percent method
// ("cloud-vm 40; physical-server 60"). Without an allocation column, pools
// keep their allocation (new pools are not allocated).
var (
	RequiredColumns = []string{"period", "category", "name", "amount", "currency"}
	OptionalColumns = []string{"allocation", "services"}
)

// PoolImportReport says what an import did.
type PoolImportReport struct {
	Rows      int      `json:"rows"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Periods   []string `json:"periods" nullable:"false" doc:"The periods the file touched"`
}

type csvRow struct {
	line int
	in   PoolInput
	// errs are the line's parse errors; a column named here is not checked
	// again.
	errs []engage.FieldError
}

func (r csvRow) failed(column string) bool {
	for _, e := range r.errs {
		if e.Field == fmt.Sprintf("line %d: %s", r.line, column) {
			return true
		}
	}
	return false
}

func invalidLines(fields []engage.FieldError) error {
	return &engage.Error{Code: engage.EINVALID, Message: "The file has errors; nothing was imported. Fix the lines below and import it again.", Fields: fields}
}

func lineError(line int, column, format string, args ...any) engage.FieldError {
	f := fmt.Sprintf("line %d", line)
	if column != "" {
		f += ": " + column
	}
	return engage.FieldError{Field: f, Message: fmt.Sprintf(format, args...)}
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "The CSV cannot be read here: " + pe.Err.Error() + "."
	}
	return "The CSV cannot be read: " + err.Error()
}

// readPoolsCSV reads and parses a whole file. Errors in the header or the
// CSV itself are returned; errors in a value stay with their row, so that
// every wrong line is reported together.
func readPoolsCSV(r io.Reader) ([]csvRow, error) {
	cr := csvfile.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.RefuseCut = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, invalidLines([]engage.FieldError{lineError(1, "", "The file is empty; the first line must name the columns.")})
	} else if err != nil {
		return nil, invalidLines([]engage.FieldError{lineError(1, "", "%s", csvMessage(err))})
	}
	known := append(append([]string{}, RequiredColumns...), OptionalColumns...)
	index := map[string]int{}
	var errs []engage.FieldError
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(known, h) {
			errs = append(errs, lineError(1, "", "Unknown column %q; the columns are %s.", h, strings.Join(known, ", ")))
			continue
		}
		if _, dup := index[h]; dup {
			errs = append(errs, lineError(1, "", "Column %q appears twice.", h))
		}
		index[h] = i
	}
	for _, c := range RequiredColumns {
		if _, ok := index[c]; !ok {
			errs = append(errs, lineError(1, "", "Missing required column %q.", c))
		}
	}
	if len(errs) > 0 {
		return nil, invalidLines(errs)
	}
	_, hasAllocation := index["allocation"]
	var rows []csvRow
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, invalidLines(append(errs, lineError(line, "", "%s", csvMessage(err))))
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			errs = append(errs, lineError(line, "", "Has %d values; the header has %d columns.", len(rec), len(header)))
			continue
		}
		get := func(c string) string {
			if i, ok := index[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := csvRow{line: line, in: PoolInput{Period: get("period"), Category: get("category"), Name: get("name"), Currency: get("currency")}}
		if amt := get("amount"); amt == "" {
			row.errs = append(row.errs, lineError(line, "amount", "Give the amount, such as 12500.00."))
		} else if d, err := decimal.NewFromString(amt); err != nil {
			row.errs = append(row.errs, lineError(line, "amount", "%q is not an amount: write digits with a dot for decimals and no thousands separators, such as 12500.00.", amt))
		} else {
			row.in.Amount = d
		}
		if hasAllocation {
			a, fe := parseServices(get("allocation"), get("services"))
			for _, f := range fe {
				row.errs = append(row.errs, lineError(line, "services", "%s", f))
			}
			row.in.Allocation = &a
		} else if get("services") != "" {
			row.errs = append(row.errs, lineError(line, "services", "Say how the services share the pool in an allocation column."))
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, invalidLines(errs)
	}
	return rows, nil
}

// parseServices reads the services column: "cloud-vm 40; physical-server 60"
// for percentages, "cloud-vm; physical-server" (or nothing, for every
// service) for a driver.
func parseServices(method, list string) (PoolAllocationInput, []string) {
	a := PoolAllocationInput{Method: strings.ToLower(strings.TrimSpace(method))}
	if a.Method == "" {
		a.Method = MethodNone
	}
	var errs []string
	for _, part := range strings.Split(list, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.FieldsFunc(part, func(r rune) bool { return r == ' ' || r == '=' || r == ':' || r == '\t' })
		t := PoolTargetInput{Service: fields[0]}
		switch {
		case len(fields) == 2:
			pc, err := decimal.NewFromString(strings.TrimSuffix(fields[1], "%"))
			if err != nil {
				errs = append(errs, fmt.Sprintf("%q: %q is not a percentage.", part, fields[1]))
				continue
			}
			t.Percent = &pc
		case len(fields) > 2:
			errs = append(errs, fmt.Sprintf("%q: write a service's URL name and, for percentages, its share, such as \"cloud-vm 40\".", part))
			continue
		}
		a.Targets = append(a.Targets, t)
	}
	return a, errs
}

// csvColumn maps a validation field to the column that sets it.
func csvColumn(field string) string {
	switch {
	case field == "allocation.method":
		return "allocation"
	case strings.HasPrefix(field, "allocation."):
		return "services"
	}
	return field
}

// ImportPools loads pools from CSV, matched by period and name: new pools
// are added, changed ones updated. If any line is wrong nothing is written
// and every wrong line is reported as "line N: column". Finance and admins
// only.
func (s *Service) ImportPools(ctx context.Context, p *access.Principal, r io.Reader) (PoolImportReport, error) {
	if err := canWrite(p); err != nil {
		return PoolImportReport{}, err
	}
	rows, err := readPoolsCSV(r)
	if err != nil {
		return PoolImportReport{}, err
	}
	var rep PoolImportReport
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		rep = PoolImportReport{Rows: len(rows), Periods: []string{}}
		now := s.Clock.Now()
		var errs []engage.FieldError
		seen := map[string]int{}
		for _, row := range rows {
			in := row.in
			errs = append(errs, row.errs...)
			res, err := s.checkPool(ctx, tx, &in, "")
			if code := engage.ErrorCode(err); code == engage.EINVALID {
				for _, f := range engage.ErrorFields(err) {
					if col := csvColumn(f.Field); !row.failed(col) {
						errs = append(errs, lineError(row.line, col, "%s", f.Message))
					}
				}
				continue
			} else if err != nil {
				return err
			}
			if len(row.errs) > 0 {
				continue
			}
			key := in.Period + "\x00" + strings.ToLower(in.Name)
			if first, dup := seen[key]; dup {
				errs = append(errs, lineError(row.line, "name", "Line %d already has a pool %q for %s.", first, in.Name, in.Period))
				continue
			}
			seen[key] = row.line
			if !slices.Contains(rep.Periods, in.Period) {
				rep.Periods = append(rep.Periods, in.Period)
			}
			if len(errs) > 0 {
				continue // nothing will be written; keep checking the rest
			}
			cur, err := listPools(ctx, tx, "p.period = ? AND p.name = ?", in.Period, in.Name)
			if err != nil {
				return err
			}
			if len(cur) == 0 {
				id, err := insertPool(ctx, tx, in, res, now)
				if err != nil {
					return err
				}
				rep.Created++
				if err := s.poolsChanged(ctx, tx, in.Period); err != nil {
					return err
				}
				if err := audit.Record(ctx, tx, now, p, "import", "cost_pool", id, fmt.Sprintf("Cost pool %s for %s: %s %s", in.Name, in.Period, in.Amount, in.Currency), nil, in); err != nil {
					return err
				}
				continue
			}
			old := cur[0]
			if samePool(old, in, res) {
				rep.Unchanged++
				continue
			}
			if ok, err := updatePool(ctx, tx, old.ID, old.Version, in, res, now); err != nil {
				return err
			} else if !ok {
				return stale(old.Version)
			}
			rep.Updated++
			if err := s.poolsChanged(ctx, tx, old.Period, in.Period); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, now, p, "import", "cost_pool", old.ID, fmt.Sprintf("Cost pool %s for %s updated from a file", in.Name, in.Period), old.Input(), in); err != nil {
				return err
			}
		}
		if len(errs) > 0 {
			return invalidLines(errs)
		}
		slices.Sort(rep.Periods)
		return nil
	})
	if err != nil {
		return PoolImportReport{}, err
	}
	return rep, nil
}

// samePool reports whether storing in (and res, when given) would change
// nothing.
func samePool(old Pool, in PoolInput, res *resolved) bool {
	if old.Category != in.Category || old.Name != in.Name || !old.Amount.Equal(in.Amount) || old.Currency != in.Currency {
		return false
	}
	if res == nil {
		return true
	}
	if old.Allocation.Method != res.method || len(old.Allocation.Targets) != len(res.targets) {
		return false
	}
	for i, t := range old.Allocation.Targets {
		n := res.targets[i]
		if t.ServiceID != n.ServiceID || (t.Percent == nil) != (n.Percent == nil) || (t.Percent != nil && !t.Percent.Equal(*n.Percent)) {
			return false
		}
	}
	return true
}

// ExportPools writes a period's pools (every period when empty) in the
// import's format, so a month can be copied, edited and imported again.
func (s *Service) ExportPools(ctx context.Context, p *access.Principal, period string, w io.Writer) error {
	pools, err := s.ListPools(ctx, p, period)
	if err != nil {
		return err
	}
	cw := csvfile.NewWriter(w)
	_ = cw.Write(append(append([]string{}, RequiredColumns...), OptionalColumns...))
	for _, pl := range pools {
		var parts []string
		for _, t := range pl.Allocation.Targets {
			if t.Percent != nil {
				parts = append(parts, t.ServiceSlug+" "+t.Percent.String())
			} else {
				parts = append(parts, t.ServiceSlug)
			}
		}
		_ = cw.Write([]string{pl.Period, pl.Category, pl.Name, pl.Amount.String(), pl.Currency, pl.Allocation.Method, strings.Join(parts, "; ")})
	}
	cw.Flush()
	return cw.Error()
}

package spend

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/csvfile"
)

// matchColumns are the columns MatchFile adds (or fills, when the file
// has them already).
var matchColumns = []string{"vendor", "software", "confidence", "reason"}

// MatchFile reads a CSV file with a merchant column (mcc and memo are used
// when present) and writes it back with vendor, software (yes or no),
// confidence and reason columns, storing nothing. Columns of those names
// already in the file are overwritten in place. Cells that look like
// formulas are written as text. It returns how many lines it matched and
// how many wait for a person.
func (m *Matcher) MatchFile(r io.Reader, w io.Writer) (lines, waiting int, err error) {
	cr := csvfile.NewReader(r)
	cr.FieldsPerRecord = 0
	head, err := cr.Read()
	if err == io.EOF {
		return 0, 0, engage.Errorf(engage.EINVALID, "the file is empty; its first line names the columns, one of them merchant")
	}
	if err != nil {
		return 0, 0, readError(err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	merchant, ok := col["merchant"]
	if !ok {
		return 0, 0, engage.Errorf(engage.EINVALID, "the file has no merchant column (its columns: %s)", strings.Join(head, ","))
	}
	out := append([]string(nil), head...)
	at := make([]int, len(matchColumns))
	for i, c := range matchColumns {
		if j, ok := col[c]; ok {
			at[i] = j
		} else {
			at[i] = len(out)
			out = append(out, c)
		}
	}
	cw := csvfile.NewWriter(w)
	if err := cw.Write(out); err != nil {
		return 0, 0, err
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return lines, waiting, readError(err)
		}
		got := m.Match(Line{Merchant: rec[merchant], MCC: cell(rec, "mcc"), Memo: cell(rec, "memo")})
		lines++
		if got.NeedsReview() {
			waiting++
		}
		row := append(out[:0:0], rec...)
		for len(row) < len(out) {
			row = append(row, "")
		}
		soft := "no"
		if got.Software {
			soft = "yes"
		}
		vals := []string{got.Vendor, soft, strconv.FormatFloat(got.Confidence, 'f', 2, 64), got.Reason}
		for i, j := range at {
			row[j] = vals[i]
		}
		if err := cw.Write(row); err != nil {
			return lines, waiting, err
		}
	}
	cw.Flush()
	return lines, waiting, cw.Error()
}

// readError names the line of a CSV reading error.
func readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return engage.Errorf(engage.EINVALID, "line %d: %v", pe.StartLine, pe.Err)
	}
	return fmt.Errorf("reading the file: %w", err)
}

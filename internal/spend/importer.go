package spend

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/textenc"
)

// Kinds of spend line.
const (
	KindCard    = "card"    // corporate card and expense lines
	KindInvoice = "invoice" // accounts-payable invoice lines
)

// Columns of the two kinds of file. The first ones of each are required;
// the card file's employee_email, mcc and memo, and the invoice file's date,
// may be left out. Any other column is kept with the line (extra).
var (
	CardColumns    = []string{"date", "merchant", "amount", "currency", "department", "employee_email", "mcc", "memo"}
	InvoiceColumns = []string{"vendor", "invoice", "amount", "currency", "cost_centre", "gl_account", "date"}
	cardRequired   = 5
	invoiceNeeded  = 6
)

// Limits of a line's text.
const (
	maxMemo     = 1000
	maxEmail    = 254
	maxReferenc = 100
	maxExtra    = 4000
	// maxErrors is how many bad lines an import names before it stops
	// reading.
	maxErrors = 50
	// chunkLines is how many lines an import writes at a time.
	chunkLines = 2000
)

// SpendImport says what an import did (named apart from org.ImportReport,
// as the API document names types by their Go name).
type SpendImport struct {
	ImportID  int64  `json:"import_id" doc:"0 when the file added nothing"`
	Kind      string `json:"kind" enum:"card,invoice"`
	Lines     int    `json:"lines" doc:"Lines read"`
	Added     int    `json:"added" doc:"Lines stored that were not before"`
	Unchanged int    `json:"unchanged" doc:"Lines stored by an earlier import"`
	Software  int    `json:"software" doc:"Lines recognised as software, of those added"`
	Waiting   int    `json:"waiting" doc:"Lines whose recognition waits for a person, of those added"`
}

// row is one line ready to store.
type row struct {
	key                                  db.Key // of the line's first occurrence in the file
	text                                 [2]int // where the chunk keeps the text key is hashed from
	kind                                 string
	line                                 int
	date, period, merchant, amount, cur  string
	amt                                  decimal.Decimal
	dept                                 int64
	email, mcc, memo, invoice, gl, extra string
	match                                Match
}

// Import reads a card or invoice file (the kind is told by its header:
// a merchant column makes it a card file; vendor and invoice columns an
// invoice file) and stores its lines with what recognition makes of them,
// in one transaction: a file with a bad line stores nothing, and the error
// names up to 50 bad lines. Lines stored before (the same content, the
// same occurrence among equal lines of the file) are not stored again
// (see keyer); imports take turns.
func (s *Service) Import(ctx context.Context, p *access.Principal, fileName string, r io.Reader) (SpendImport, error) {
	if p == nil {
		return SpendImport{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in to import spend.")
	}
	if !CanImport(p) {
		return SpendImport{}, engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can import spend.")
	}
	cr := csvfile.NewReader(r)
	cr.RefuseCut = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return SpendImport{}, engage.Errorf(engage.EINVALID, "The file is empty: its first line names the columns (%s, or for invoices %s).",
			strings.Join(CardColumns, ","), strings.Join(InvoiceColumns, ","))
	}
	if err != nil {
		return SpendImport{}, readError(err)
	}
	f, err := readHeader(head)
	if err != nil {
		return SpendImport{}, err
	}
	codes, err := s.departmentCodes(ctx)
	if err != nil {
		return SpendImport{}, err
	}
	rep := SpendImport{Kind: f.kind}
	dict, err := s.Dictionary(ctx)
	if err != nil {
		return SpendImport{}, err
	}
	m := NewMatcher(dict)
	today := s.Clock.Now().UTC().Format(time.DateOnly)
	err = s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		var importID int64
		if err := tx.QueryRow(ctx, `INSERT INTO spend_imports(kind, file_name, lines, added, imported_by, created_at) VALUES (?, ?, 0, 0, ?, ?) RETURNING id`,
			f.kind, clip(fileName, 200), db.NullID(p.PersonID), now).Scan(&importID); err != nil {
			return fmt.Errorf("recording the spend import: %w", err)
		}
		w := newWriter(tx, importID)
		keys := newKeyer(tx)
		kept, err := sumsKept(ctx, tx)
		if err != nil {
			return err
		}
		sum := newSums()
		// The file is read, checked and recognised in one goroutine while
		// this one stores what it has read, chunk by chunk.
		readCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		chunks, free, done := make(chan *chunk, 2), make(chan *chunk, 4), make(chan reading, 1)
		for range cap(free) {
			free <- &chunk{rows: make([]row, 0, chunkLines)}
		}
		go func() {
			rd := readLines(readCtx, cr, f, lineContext{codes: codes, currencies: s.Currencies, today: today, matcher: m}, chunks, free)
			close(chunks)
			done <- rd
		}()
		var writeErr error
		for c := range chunks {
			if writeErr == nil {
				var n int
				fresh, cerr := keys.fresh(ctx, c)
				if cerr == nil {
					n, cerr = w.write(ctx, fresh)
				}
				if cerr == nil && kept {
					for i := range fresh {
						if r := &fresh[i]; counted(r.match.Software, confidencePercent(r.match)) {
							sum.add(r.period, r.dept, r.match.Vendor, r.cur, r.amt, r.date, r.email)
						}
					}
					cerr = sum.flushPeople(ctx, tx, false)
				}
				if writeErr = cerr; cerr != nil {
					cancel()
				}
				rep.Added += n
			}
			c.rows, c.text = c.rows[:0], c.text[:0]
			free <- c
		}
		rd := <-done
		if writeErr != nil {
			return writeErr
		}
		if rd.err != nil {
			return rd.err
		}
		rep.Lines = rd.lines
		errs := rd.errs
		if len(errs) > 0 {
			return &engage.Error{Code: engage.EINVALID, Message: badLinesMessage(errs), Fields: errs}
		}
		if err := keys.save(ctx); err != nil {
			return err
		}
		if kept {
			err = sum.save(ctx, tx)
		} else {
			err = resum(ctx, tx, nil, true)
		}
		if err != nil {
			return err
		}
		rep.Unchanged = rep.Lines - rep.Added
		rep.Software, rep.Waiting = w.software, w.waiting
		if rep.Added == 0 {
			_, err := tx.Exec(ctx, "DELETE FROM spend_imports WHERE id = ?", importID)
			return err
		}
		rep.ImportID = importID
		if _, err := tx.Exec(ctx, "UPDATE spend_imports SET lines = ?, added = ? WHERE id = ?", rep.Lines, rep.Added, importID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "spend.import", "spend_import", importID,
			fmt.Sprintf("Imported %d %s lines (%d new) from %s", rep.Lines, f.kind, rep.Added, clip(fileName, 200)), nil, rep)
	}, db.BulkWrite(), db.Holding(db.LockSpendImport))
	if err != nil {
		return SpendImport{}, err
	}
	// The lines are stored: a failure here leaves them, and importing the
	// file again (which adds nothing) keeps the cases.
	if err := s.keepCases(ctx); err != nil {
		return rep, fmt.Errorf("the lines are imported, but the shadow cases were not brought up to date (import the file again): %w", err)
	}
	return rep, nil
}

// lineContext is what checking and recognising a line needs.
type lineContext struct {
	codes      map[string]int64
	currencies rating.Currencies
	today      string
	matcher    *Matcher
}

// reading is what readLines found.
type reading struct {
	lines int
	errs  []engage.FieldError
	err   error
}

// readLines reads the file's lines, checks them, keys them and recognises
// them, and sends them in chunks on out, taking empty chunks from free.
// Once a line is bad it sends no more, but reads on to name up to
// maxErrors bad lines. It stops when ctx is done.
func readLines(ctx context.Context, cr *csvfile.Reader, f format, lc lineContext, out chan<- *chunk, free <-chan *chunk) (rd reading) {
	cache := map[[3]string]Match{}
	var c *chunk
	send := func() bool {
		if c == nil || len(c.rows) == 0 {
			return true
		}
		select {
		case out <- c:
			c = nil
			return true
		case <-ctx.Done():
			rd.err = ctx.Err()
			return false
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				rd.err = fmt.Errorf("reading the file: %w", err)
				return rd
			}
			rd.errs = append(rd.errs, engage.FieldError{Field: fmt.Sprintf("line %d", pe.StartLine), Message: pe.Err.Error()})
			break
		}
		rd.lines++
		rw, bad := f.parse(rec, line, lc.codes, lc.currencies, lc.today)
		if len(bad) > 0 {
			rd.errs = append(rd.errs, bad...)
			if len(rd.errs) >= maxErrors {
				break
			}
			continue
		}
		if len(rd.errs) > 0 {
			continue
		}
		ck := [3]string{rw.merchant, rw.mcc, rw.memo}
		got, ok := cache[ck]
		if !ok {
			got = lc.matcher.Match(Line{Merchant: rw.merchant, MCC: rw.mcc, Memo: rw.memo})
			if len(cache) > 200000 {
				clear(cache)
			}
			cache[ck] = got
		}
		rw.match = got
		if c == nil {
			select {
			case c = <-free:
			case <-ctx.Done():
				rd.err = ctx.Err()
				return rd
			}
		}
		rw.key, rw.text = c.add(f.kind, rec)
		c.rows = append(c.rows, rw)
		if len(c.rows) == chunkLines && !send() {
			return rd
		}
	}
	if len(rd.errs) == 0 {
		send()
	}
	return rd
}

func badLinesMessage(errs []engage.FieldError) string {
	if len(errs) >= maxErrors {
		return fmt.Sprintf("Nothing was imported: the file has at least %d problems; the first are listed.", maxErrors)
	}
	return fmt.Sprintf("Nothing was imported: the file has %d problem(s).", len(errs))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// format is what a file's header says.
type format struct {
	kind  string
	col   map[string]int // known column → index
	extra []int          // other columns, kept
	names []string       // the header
}

func readHeader(head []string) (format, error) {
	f := format{col: map[string]int{}, names: append([]string(nil), head...)}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "cost_center", "cost centre", "cost center", "costcentre":
			h = "cost_centre"
		case "gl", "gl account", "gl_code":
			h = "gl_account"
		}
		if _, dup := f.col[h]; dup {
			return f, engage.Errorf(engage.EINVALID, "Line 1: the column %s is named twice.", h)
		}
		f.col[h] = i
		f.names[i] = h
	}
	var want []string
	_, card := f.col["merchant"]
	_, invoice := f.col["vendor"]
	switch {
	case card:
		f.kind, want = KindCard, CardColumns[:cardRequired]
	case invoice:
		f.kind, want = KindInvoice, InvoiceColumns[:invoiceNeeded]
	default:
		return f, engage.Errorf(engage.EINVALID, "Line 1: the file has no merchant column (a card file has the columns %s) and no vendor column (an invoice file has %s).",
			strings.Join(CardColumns, ","), strings.Join(InvoiceColumns, ","))
	}
	var missing []string
	for _, c := range want {
		if _, ok := f.col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return f, engage.Errorf(engage.EINVALID, "Line 1: the file has no %s column; a card file has the columns %s, an invoice file %s.",
			strings.Join(missing, ", "), strings.Join(CardColumns, ","), strings.Join(InvoiceColumns, ","))
	}
	known := CardColumns
	if f.kind == KindInvoice {
		known = InvoiceColumns
	}
	for i, h := range f.names {
		if !contains(known, h) {
			f.extra = append(f.extra, i)
		}
	}
	// Kept in the order of their names, as a JSON object's keys.
	slices.SortFunc(f.extra, func(a, b int) int { return strings.Compare(f.names[a], f.names[b]) })
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parse checks one record and makes a row of it, or names what is wrong.
func (f format) parse(rec []string, line int, codes map[string]int64, currencies rating.Currencies, today string) (row, []engage.FieldError) {
	var bad []engage.FieldError
	fail := func(col, format string, args ...any) {
		bad = append(bad, engage.FieldError{Field: fmt.Sprintf("line %d: %s", line, col), Message: fmt.Sprintf(format, args...)})
	}
	get := func(c string) string {
		if i, ok := f.col[c]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rw := row{line: line, kind: f.kind}
	merchantCol, deptCol := "merchant", "department"
	if f.kind == KindInvoice {
		merchantCol, deptCol = "vendor", "cost_centre"
		rw.invoice, rw.gl = get("invoice"), get("gl_account")
		if rw.invoice == "" {
			fail("invoice", "Enter the invoice number.")
		}
		if len(rw.invoice) > maxReferenc || len(rw.gl) > maxReferenc {
			fail("invoice", "An invoice number and a GL account have at most %d characters.", maxReferenc)
		}
	} else {
		rw.email, rw.mcc, rw.memo = get("employee_email"), get("mcc"), get("memo")
		if len(rw.email) > maxEmail || (rw.email != "" && !strings.Contains(rw.email, "@")) {
			fail("employee_email", "%q is not an e-mail address.", clip(rw.email, 60))
		}
		if rw.mcc != "" && (len(rw.mcc) != 4 || strings.Trim(rw.mcc, "0123456789") != "") {
			fail("mcc", "A merchant category code is four digits, not %q.", clip(rw.mcc, 20))
		}
		if len([]rune(rw.memo)) > maxMemo {
			fail("memo", "A memo has at most %d characters; this one has %d.", maxMemo, len([]rune(rw.memo)))
		}
	}
	rw.merchant = get(merchantCol)
	switch n := len([]rune(rw.merchant)); {
	case n == 0:
		fail(merchantCol, "Enter the %s.", merchantCol)
	case n > MaxDescriptor:
		fail(merchantCol, "A %s has at most %d characters; this one has %d.", merchantCol, MaxDescriptor, n)
	}
	rw.date = get("date")
	if rw.date == "" && f.kind == KindInvoice {
		rw.date = today
	}
	if d, err := time.Parse(time.DateOnly, rw.date); err != nil || d.Year() < 2000 || d.Year() > 2100 {
		fail("date", "%q is not a date written YYYY-MM-DD (2000 to 2100).", clip(rw.date, 40))
	} else {
		rw.period = rw.date[:7]
	}
	rw.cur = strings.ToUpper(get("currency"))
	if msg := currencies.Check(rw.cur); msg != "" {
		fail("currency", "%s", msg)
	}
	if amt, err := decimal.NewFromString(get("amount")); err != nil || strings.ContainsAny(get("amount"), "eE") {
		fail("amount", "%q is not an amount (digits, a point for decimals, a minus for a refund).", clip(get("amount"), 40))
	} else if msg := rating.Amount.Check(amt); msg != "" {
		fail("amount", "%s", msg)
	} else {
		rw.amount, rw.amt = amt.String(), amt
	}
	code := get(deptCol)
	if id, ok := codes[code]; ok {
		rw.dept = id
	} else {
		fail(deptCol, "No department has the cost-centre code %q.", clip(code, 40))
	}
	if len(f.extra) > 0 {
		// The other columns as a JSON object, leaving out empty cells.
		var b []byte
		for _, i := range f.extra {
			v := rec[i]
			if v == "" {
				continue
			}
			if !utf8.ValidString(v) {
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
			if b == nil {
				b = append(make([]byte, 0, 64), '{')
			} else {
				b = append(b, ',')
			}
			b = append(textenc.AppendJSONString(b, f.names[i]), ':')
			b = textenc.AppendJSONString(b, v)
		}
		if b != nil {
			b = append(b, '}')
			if len(b) > maxExtra {
				fail("extra columns", "The other columns of a line have at most %d characters together.", maxExtra)
			}
			rw.extra = string(b)
		}
	}
	return rw, bad
}

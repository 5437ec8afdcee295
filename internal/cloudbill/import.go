package cloudbill

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/textenc"
)

// Import reads a FOCUS file from r and stores, allocates and reports its
// rows in one transaction; name is the file's name, for the report. A
// Parquet file needs random access: pass an *os.File (or another
// io.ReaderAt with a Size or Stat method). Finance and administrators only.
//
// A file with rows that cannot be read is refused whole, every such row
// listed (the first MaxReportedErrors), unless opts.AcceptPartial: then the
// readable rows are imported and the others listed in the report. Rows of
// closed periods are not imported and are listed in the report. When the
// file cannot be read at all, reading fails part way, or the file is cut
// in its last row, nothing is stored and the error says why.
func (s *Service) Import(ctx context.Context, p *access.Principal, name string, r io.Reader, opts ImportOptions) (CloudImport, error) {
	if err := requireFinance(p, "import cloud bills"); err != nil {
		return CloudImport{}, err
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	name = textenc.Storable(name)
	if len(name) > 255 {
		name = name[:255]
	}
	basis := opts.Basis
	if basis == "" {
		basis = s.basis()
	}
	var v engage.Validation
	if basis != BasisEffective && basis != BasisBilled {
		v.Add("basis", "Choose effective (EffectiveCost) or billed (BilledCost).")
	}
	switch opts.SlashDates {
	case focus.SlashDatesReject, focus.SlashDatesMDY, focus.SlashDatesDMY:
	default:
		v.Add("dates", "Choose MDY (5/1/25 is 1 May) or DMY (5/1/25 is 5 January), or leave it out to reject such dates.")
	}
	currency := strings.ToUpper(strings.TrimSpace(opts.DefaultCurrency))
	if currency != "" {
		if msg := s.Currencies.Check(currency); msg != "" {
			v.Add("currency", "%s", msg)
		}
	}
	if err := v.Err(); err != nil {
		return CloudImport{}, err
	}

	src, digest, err := hashInput(r)
	if err != nil {
		return CloudImport{}, err
	}
	rd, err := focus.NewReader(src, focus.Options{Progress: opts.Progress, MaxErrors: MaxReportedErrors,
		DefaultCurrency: currency, SlashDates: opts.SlashDates, DeferFingerprints: true})
	if err != nil {
		return CloudImport{}, unreadable(err)
	}
	defer rd.Close()

	imp := &importer{s: s, p: p, basis: basis, rd: rd, batch: s.batchRows(), acceptPartial: opts.AcceptPartial,
		periods: map[string]bool{}, rejTotals: map[totalKey]*ProviderTotal{}, summary: map[string]*summary{}}
	imp.rep = CloudImport{FileName: name, Basis: basis, ImportedBy: actorName(p), StartedAt: s.now()}
	err = s.inTx(ctx, func(t *db.Tx) error {
		imp.t = t
		return imp.run(ctx, digest)
	})
	if err != nil {
		return CloudImport{}, err
	}
	return imp.rep, nil
}

// MayImport says whether p may import cloud bills, so that an upload can be
// refused before it is received.
func (s *Service) MayImport(p *access.Principal) error {
	return requireFinance(p, "import cloud bills")
}

func actorName(p *access.Principal) string {
	if p == nil || p.Name == "" {
		return "system"
	}
	return p.Name
}

// unreadable turns a file the focus reader refuses into an error naming
// where the problem is.
func unreadable(err error) error {
	msg := strings.TrimPrefix(err.Error(), "focus: ")
	field := "file"
	if !errors.Is(err, focus.ErrCut) && (errors.Is(err, focus.ErrMissingColumn) || strings.Contains(msg, "column") || strings.Contains(msg, "header")) {
		field = "line 1"
	}
	return &engage.Error{Code: engage.EINVALID, Message: "The file is not a FOCUS file Engage can read; nothing was imported.",
		Fields: []engage.FieldError{{Field: field, Message: msg}}}
}

// unreadableRows refuses a file with rows that cannot be read, listing them.
func unreadableRows(rr focus.Report) error {
	e := &engage.Error{Code: engage.EINVALID, Message: fmt.Sprintf(
		"%d of %d rows cannot be read; nothing was imported. Fix the file, or import it accepting a partial file to keep the %d readable rows.",
		rr.RowsRejected, rr.RowsRead, rr.RowsAccepted)}
	for _, re := range rr.Errors {
		row := rejectedRow(re)
		msg := row.Message
		if row.Column != "" {
			msg = row.Column + ": " + msg
		}
		e.Fields = append(e.Fields, engage.FieldError{Field: fmt.Sprintf("line %d", row.Line), Message: msg})
	}
	if more := rr.RowsRejected - int64(len(rr.Errors)); more > 0 {
		e.Fields = append(e.Fields, engage.FieldError{Field: "file", Message: fmt.Sprintf("… and %d more rows that cannot be read.", more)})
	}
	return e
}

// rejectedRow says why the reader rejected a row, in the import's terms
// (the reader speaks to programmers).
func rejectedRow(e focus.RowError) RejectedRow {
	msg := strings.Replace(e.Message, "set Options.SlashDates to MDY or DMY", "give the date order (mdy or dmy)", 1)
	return RejectedRow{Line: e.Line, Column: e.Column, Message: textenc.Storable(msg)}
}

// hashInput returns the reader to parse and a function giving the SHA-256
// of the whole input once parsing is done. A Parquet file is read at random
// offsets, so it is hashed in a pass of its own first; anything else is
// hashed as it streams.
func hashInput(r io.Reader) (io.Reader, func() (string, error), error) {
	h := sha256.New()
	if ra, ok := r.(io.ReaderAt); ok {
		var magic [4]byte
		if n, _ := ra.ReadAt(magic[:], 0); n == 4 && focus.IsParquet(magic[:]) {
			if size, ok := sizeOf(r); ok {
				if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err != nil {
					return nil, nil, fmt.Errorf("reading the file: %w", err)
				}
				return r, func() (string, error) { return hex.EncodeToString(h.Sum(nil)), nil }, nil
			}
		}
	}
	tee := io.TeeReader(r, h)
	return tee, func() (string, error) {
		// Bytes after the end of the data (such as gzip padding) count too.
		if _, err := io.Copy(io.Discard, tee); err != nil {
			return "", fmt.Errorf("reading the file: %w", err)
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}, nil
}

func sizeOf(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size(), true
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

type totalKey struct{ provider, currency string }

// importer is one import in progress. The reading goroutine owns the fields
// under "reading"; the writing goroutine owns those under "writing".
type importer struct {
	s     *Service
	t     *db.Tx
	p     *access.Principal
	basis Basis
	rd    *focus.Reader
	batch int
	rep   CloudImport
	// acceptPartial imports the readable rows when some are not.
	acceptPartial bool

	closed map[string]bool
	alloc  *allocator
	w      *writer
	saas   *saasCollector // nil without a SaaSRecorder

	// reading
	periods    map[string]bool
	lastMonth  int
	lastPeriod string
	rejects    []RejectedRow
	rejected   int64
	rejTotals  map[totalKey]*ProviderTotal

	// writing
	added, duplicates int64
	summary           map[string]*summary
}

// scratch is the reusable space of one goroutine preparing rows.
type scratch struct {
	hash, tags []byte
	tagKeys    []string
	pairs      []tagPair
	// tagTexts are the texts of tag maps met before, by the map's address;
	// the reader shares a map between rows with the same tags. Holding the
	// map keeps its address from being reused for another.
	tagTexts map[uintptr]tagText
}

type tagText struct {
	tags map[string]string
	text string
}

// maxTagTexts bounds scratch.tagTexts.
const maxTagTexts = 1 << 12

// batch is rows on their way from the reading goroutine, which keeps the
// FOCUS rows and their periods, through a preparing one, which hashes and
// allocates them, to the writing one, which fingerprints them in order and
// stores them.
type batch struct {
	read    []focus.Row
	periods []string
	store   []row
	rows    []*row
	// ready is closed once the rows are hashed and allocated in store.
	ready chan struct{}
}

func (imp *importer) run(ctx context.Context, digest func() (string, error)) error {
	t := imp.t
	var err error
	if imp.closed, err = closedPeriods(ctx, t); err != nil {
		return err
	}
	if imp.alloc, err = newAllocator(ctx, t); err != nil {
		return err
	}
	var importID int64
	var personID any
	if imp.p != nil && imp.p.PersonID != 0 {
		personID = imp.p.PersonID
	}
	if err := t.QueryRow(ctx, `INSERT INTO cloud_imports(file_name, sha256, format, basis, imported_by_id, imported_by, started_at)
		VALUES (?, '', '', ?, ?, ?, ?) RETURNING id`, imp.rep.FileName, imp.basis, personID, imp.rep.ImportedBy, imp.rep.StartedAt).Scan(&importID); err != nil {
		return fmt.Errorf("recording the import: %w", err)
	}
	imp.rep.ID = importID
	imp.saas = newSaaSCollector(imp.s.SaaS, SaaSImport{ID: importID, FileName: imp.rep.FileName, By: imp.p})
	imp.w = imp.s.newWriter(t)
	imp.w.background, imp.w.packs = true, make(chan []byte, 6)
	if err := imp.pipeline(ctx); err != nil {
		return err
	}

	// A period closed while the file was read cannot take its rows.
	closed, err := closedPeriods(ctx, t)
	if err != nil {
		return err
	}
	for p := range imp.periods {
		if closed[p] && !imp.closed[p] {
			return engage.Errorf(engage.ECONFLICT, "Period %s was closed while the file was being imported; nothing was imported. Import it again.", p)
		}
	}
	if rr := imp.rd.Report(); rr.RowsRejected > 0 && !imp.acceptPartial {
		return unreadableRows(rr)
	}
	sum, err := digest()
	if err != nil {
		return err
	}
	imp.finish(sum)
	return imp.record(ctx)
}

// pipeline reads rows on one goroutine, prepares them (hashes and
// allocates them) on others, and fingerprints and writes them on this one,
// a batch at a time and in the order of the file, with a few batches in
// flight. Each stage runs whenever a core is free, so the import goes at
// the pace of its slowest stage, reading, rather than of the sum.
func (imp *importer) pipeline(ctx context.Context) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	preparers := min(max(runtime.GOMAXPROCS(0)-1, 1), 4)
	n := 2 + 2*preparers
	full := make(chan *batch, n) // in the file's order, to this goroutine
	todo := make(chan *batch, n) // to the preparers
	free := make(chan *batch, n)
	for range n {
		free <- &batch{read: make([]focus.Row, 0, imp.batch), periods: make([]string, 0, imp.batch), store: make([]row, imp.batch),
			rows: make([]*row, 0, imp.batch)}
	}
	var readErr error
	var prepErr atomic.Pointer[error]
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		defer close(todo)
		defer func() {
			// A bug here must fail the import, not the whole process.
			if p := recover(); p != nil {
				readErr = fmt.Errorf("reading the file: panic: %v", p)
			}
		}()
		readErr = imp.read(rctx, full, todo, free)
	})
	for range preparers {
		wg.Go(func() {
			var sc scratch
			for b := range todo {
				func() {
					defer close(b.ready)
					defer func() {
						if p := recover(); p != nil {
							err := fmt.Errorf("allocating charges: panic: %v", p)
							prepErr.CompareAndSwap(nil, &err)
							cancel()
						}
					}()
					if rctx.Err() == nil {
						imp.prepare(b, &sc)
					}
				}()
			}
		})
	}
	var writeErr error
	// Whatever happens, the storing goroutine is done with the transaction
	// when this returns.
	defer imp.w.wait()
	for b := range full {
		<-b.ready
		if writeErr == nil && rctx.Err() == nil {
			for i := range b.read {
				r := &b.store[i]
				// A charge is known by the first 16 bytes of its
				// fingerprint, its key (see batches.go).
				sum := imp.rd.FingerprintSum(&b.read[i])
				r.key = db.Key(sum[:db.KeySize])
				b.rows = append(b.rows, r)
			}
			if writeErr = imp.w.charges(ctx, b.rows); writeErr == nil {
				writeErr = imp.saas.collect(ctx, imp.t, b)
			}
			if writeErr != nil {
				cancel()
			} else {
				imp.count(b.rows)
			}
		}
		b.read, b.periods, b.rows = b.read[:0], b.periods[:0], b.rows[:0]
		free <- b
	}
	wg.Wait()
	if p := prepErr.Load(); p != nil && writeErr == nil {
		writeErr = *p
	}
	if writeErr == nil && readErr == nil {
		if writeErr = imp.w.flush(ctx); writeErr == nil {
			writeErr = imp.w.storeKeys(ctx)
		}
		if writeErr == nil {
			writeErr = imp.saas.flush(ctx, imp.t)
		}
	}
	if writeErr != nil {
		return writeErr
	}
	if readErr != nil {
		return readErr
	}
	return ctx.Err()
}

// read turns focus rows into allocated rows, in batches.
func (imp *importer) read(ctx context.Context, full, todo chan<- *batch, free <-chan *batch) error {
	var b *batch
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		fr, err := imp.rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *focus.RowError
			if errors.As(err, &re) {
				continue // counted and kept by the reader's report
			}
			return &engage.Error{Code: engage.EINVALID, Message: "The file could not be read to the end; nothing was imported.",
				Fields: []engage.FieldError{{Field: "file", Message: strings.TrimPrefix(err.Error(), "focus: ")}}}
		}
		period := imp.period(fr.ChargePeriodStart)
		if imp.closed[period] {
			imp.reject(&fr, period)
			continue
		}
		imp.periods[period] = true
		if b == nil {
			select {
			case b = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		b.read, b.periods = append(b.read, fr), append(b.periods, period)
		if len(b.read) == imp.batch {
			send(b, full, todo)
			b = nil
		}
	}
	if b != nil && len(b.read) > 0 {
		send(b, full, todo)
	}
	return nil
}

// send hands a batch to the preparers and, in order, to the writer. Both
// channels hold every batch there is, so neither blocks.
func send(b *batch, full, todo chan<- *batch) {
	b.ready = make(chan struct{})
	todo <- b
	full <- b
}

// period returns the billing period of t, reusing the last one's text.
func (imp *importer) period(t time.Time) string {
	y, m, _ := t.Date()
	if k := y*12 + int(m); k != imp.lastMonth || imp.lastPeriod == "" {
		imp.lastMonth, imp.lastPeriod = k, string(appendPeriod(nil, t))
	}
	return imp.lastPeriod
}

func (imp *importer) reject(fr *focus.Row, period string) {
	imp.rejected++
	if len(imp.rejects) < MaxReportedErrors {
		imp.rejects = append(imp.rejects, RejectedRow{Line: fr.Line, Column: "ChargePeriodStart",
			Message: fmt.Sprintf("period %s is closed; corrections are adjustments", period)})
	}
	k := totalKey{fr.ProviderName, fr.BillingCurrency}
	t := imp.rejTotals[k]
	if t == nil {
		t = &ProviderTotal{Provider: k.provider, Currency: k.currency}
		imp.rejTotals[k] = t
	}
	t.Rows++
	t.BilledCost = t.BilledCost.Add(fr.BilledCost)
	t.EffectiveCost = t.EffectiveCost.Add(fr.EffectiveCost)
}

// prepare hashes the rows of a batch and turns them into allocated rows,
// leaving only their fingerprints to set, in order. Batches are prepared
// side by side, in any order.
func (imp *importer) prepare(b *batch, sc *scratch) {
	for i := range b.read {
		sc.hash = b.read[i].Hash(sc.hash)
		imp.fill(&b.store[i], &b.read[i], b.periods[i], sc)
	}
}

// fill copies a focus row into r, but for its fingerprint, and allocates
// it. Its text is UTF-8 without NUL: the reader refuses rows with other
// text.
func (imp *importer) fill(r *row, fr *focus.Row, period string, sc *scratch) {
	*r = row{parts: r.parts[:0], importID: imp.rep.ID, line: fr.Line, period: period,
		provider: fr.ProviderName, billingAccountID: fr.BillingAccountId, subAccountID: fr.SubAccountId,
		subAccountName: fr.SubAccountName, serviceName: fr.ServiceName, serviceCategory: fr.ServiceCategory,
		resourceID: fr.ResourceId, resourceName: fr.ResourceName, chargeCategory: fr.ChargeCategory,
		chargeDescription: fr.ChargeDescription, currency: fr.BillingCurrency, billed: fr.BilledCost, effective: fr.EffectiveCost,
		start: fr.ChargePeriodStart, end: fr.ChargePeriodEnd, tags: sc.tagsJSON(fr.Tags)}
	amount := r.effective
	if imp.basis == BasisBilled {
		amount = r.billed
	}
	m := matchable{subAccountID: r.subAccountID, serviceName: r.serviceName, serviceCategory: r.serviceCategory,
		resourceID: r.resourceID, tags: fr.Tags, pairs: sc.pairs}
	r.parts = imp.alloc.allocate(r.parts, &m, period, amount)
	sc.pairs = m.pairs
}

// tagsJSON returns tags as a JSON object with sorted keys.
func (sc *scratch) tagsJSON(tags map[string]string) string {
	if len(tags) == 0 {
		return "{}"
	}
	p := reflect.ValueOf(tags).Pointer()
	if t, ok := sc.tagTexts[p]; ok {
		return t.text
	}
	text := sc.writeTags(tags)
	if sc.tagTexts == nil {
		sc.tagTexts = map[uintptr]tagText{}
	}
	if len(sc.tagTexts) < maxTagTexts {
		sc.tagTexts[p] = tagText{tags, text}
	}
	return text
}

// writeTags writes tags as a JSON object with sorted keys.
func (sc *scratch) writeTags(tags map[string]string) string {
	keys := sc.tagKeys[:0]
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sc.tagKeys = keys
	b := append(sc.tags[:0], '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = textenc.AppendJSONString(b, k)
		b = append(b, ':')
		b = textenc.AppendJSONString(b, tags[k])
	}
	b = append(b, '}')
	sc.tags = b
	return string(b)
}

// count adds up what a written batch added, on the writing goroutine.
func (imp *importer) count(rows []*row) {
	for _, r := range rows {
		if !r.added {
			imp.duplicates++
			continue
		}
		imp.added++
		addSummary(imp.summary, r)
	}
}

// summary adds up the allocation of one currency.
type summary struct {
	allocated, unallocated         textenc.Sum
	allocatedRows, unallocatedRows int64
}

func addSummary(m map[string]*summary, r *row) {
	s := m[r.currency]
	if s == nil {
		s = &summary{}
		m[r.currency] = s
	}
	toDept, toBucket := false, false
	for _, p := range r.parts {
		if p.dept != 0 {
			s.allocated.Add(p.amount)
			toDept = true
		} else {
			s.unallocated.Add(p.amount)
			toBucket = true
		}
	}
	if toDept {
		s.allocatedRows++
	}
	if toBucket {
		s.unallocatedRows++
	}
}

func summaries(m map[string]*summary) []AllocationSummary {
	out := make([]AllocationSummary, 0, len(m))
	for currency, s := range m {
		out = append(out, AllocationSummary{Currency: currency, Allocated: s.allocated.Decimal(), Unallocated: s.unallocated.Decimal(),
			AllocatedRows: s.allocatedRows, UnallocatedRows: s.unallocatedRows})
	}
	slices.SortFunc(out, func(a, b AllocationSummary) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// finish fills the report from the reader's report and the counts.
func (imp *importer) finish(sum string) {
	fr := imp.rd.Report()
	rep := &imp.rep
	rep.SHA256 = sum
	rep.Format, rep.Version = string(fr.Format), fr.Version
	rep.Rows = fr.RowsRead
	rep.Added, rep.Duplicates = imp.added, imp.duplicates
	rep.Accepted = imp.added + imp.duplicates
	rep.Rejected = fr.RowsRejected + imp.rejected
	rep.Errors = make([]RejectedRow, 0, len(fr.Errors)+len(imp.rejects))
	for _, e := range fr.Errors {
		rep.Errors = append(rep.Errors, rejectedRow(e))
	}
	rep.Errors = append(rep.Errors, imp.rejects...)
	slices.SortStableFunc(rep.Errors, func(a, b RejectedRow) int { return cmp.Compare(a.Line, b.Line) })
	if len(rep.Errors) > MaxReportedErrors {
		rep.Errors = rep.Errors[:MaxReportedErrors]
	}
	rep.Warnings = make([]FocusWarning, 0, len(fr.Warnings))
	for _, w := range fr.Warnings {
		rep.Warnings = append(rep.Warnings, FocusWarning{Kind: string(w.Kind), Count: w.Count, FirstLine: w.FirstLine, Example: textenc.Storable(w.Example)})
	}
	// The reader's totals count rows of closed periods, which were rejected
	// here: take them out.
	rep.Totals = make([]ProviderTotal, 0, len(fr.Totals))
	for _, t := range fr.Totals {
		out := ProviderTotal{Provider: textenc.Storable(t.ProviderName), Currency: t.BillingCurrency, Rows: t.Rows, BilledCost: t.BilledCost, EffectiveCost: t.EffectiveCost}
		if r := imp.rejTotals[totalKey{t.ProviderName, t.BillingCurrency}]; r != nil {
			out.Rows -= r.Rows
			out.BilledCost = out.BilledCost.Sub(r.BilledCost)
			out.EffectiveCost = out.EffectiveCost.Sub(r.EffectiveCost)
		}
		if out.Rows > 0 {
			rep.Totals = append(rep.Totals, out)
		}
	}
	rep.Allocation = summaries(imp.summary)
	rep.Periods = make([]string, 0, len(imp.periods))
	for p := range imp.periods {
		rep.Periods = append(rep.Periods, p)
	}
	slices.Sort(rep.Periods)
	rep.FinishedAt = imp.s.now()
}

// record saves the report and audits the import.
func (imp *importer) record(ctx context.Context) error {
	rep := &imp.rep
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	if _, err := imp.t.Exec(ctx, `UPDATE cloud_imports SET sha256 = ?, format = ?, focus_version = ?, rows_read = ?, rows_accepted = ?,
		rows_added = ?, duplicates = ?, rows_rejected = ?, periods = ?, totals_json = ?, allocation_json = ?, warnings_json = ?,
		errors_json = ?, finished_at = ? WHERE id = ?`,
		rep.SHA256, rep.Format, rep.Version, rep.Rows, rep.Accepted, rep.Added, rep.Duplicates, rep.Rejected,
		strings.Join(rep.Periods, ","), enc(rep.Totals), enc(rep.Allocation), enc(rep.Warnings), enc(rep.Errors), rep.FinishedAt, rep.ID); err != nil {
		return fmt.Errorf("recording the import: %w", err)
	}
	after := map[string]any{"file_name": rep.FileName, "sha256": rep.SHA256, "rows": rep.Rows, "added": rep.Added,
		"duplicates": rep.Duplicates, "rejected": rep.Rejected, "periods": rep.Periods, "totals": rep.Totals, "basis": rep.Basis}
	return audit.Record(ctx, imp.t, rep.FinishedAt, imp.p, "import", "cloud_import", rep.ID,
		fmt.Sprintf("Imported cloud bill %s: %d rows added, %d duplicates, %d rejected", rep.FileName, rep.Added, rep.Duplicates, rep.Rejected),
		nil, after)
}

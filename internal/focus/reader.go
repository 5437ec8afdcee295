package focus

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/textenc"
)

const (
	defaultMaxErrors = 100
	maxInterned      = 1 << 16
	// maxTagSets bounds the tag texts whose parsed maps are kept for the
	// rows that repeat them (most rows of a bill do).
	maxTagSets    = 1 << 12
	progressEvery = 100 * time.Millisecond
	bufferSize    = 256 << 10
)

// record is one row as text, as a source yields it.
type record struct {
	fields []string
	line   int
	// tags holds the tags of a Parquet MAP column; tagsSet says it is used
	// instead of the Tags text field.
	tags    map[string]string
	tagsSet bool
}

// source yields the records of one file format. next returns io.EOF at the
// end, a *RowError for a record that cannot be split into fields (reading
// may go on), or another error that ends reading.
type source interface {
	next(rec *record) error
	close() error
}

// Reader streams the rows of a FOCUS file. It is not safe for concurrent
// use.
type Reader struct {
	opts   Options
	src    source
	lay    *layout
	format Format
	closer io.Closer
	bytes  *atomic.Int64
	err    error // sticky: io.EOF or a fatal error

	rec      record
	warn     warnings
	seen     seenSet
	interned map[string]string
	tagSets  map[string]map[string]string
	tcache   [4]timeCache
	hashBuf  []byte
	// Used by Fingerprint only, which may run beside Next.
	fpBuf   []byte
	fpWarn  warnings
	totals  map[totalKey]*runningTotal
	lastKey totalKey
	lastTot *runningTotal

	rowsRead, accepted, rejected int64
	errors                       []RowError

	lastProgress time.Time
}

type timeCache struct {
	s     string
	t     time.Time
	flags tsFlags
}

type totalKey struct{ provider, currency string }

// Open opens a FOCUS file (CSV, gzip-compressed CSV or Parquet). Close the
// Reader to close the file.
func Open(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the header of a FOCUS file from r, which must be at the
// start of the file. The format is told by the first bytes: gzip (1f 8b),
// Parquet ("PAR1") or else CSV. Parquet needs r to be an io.ReaderAt whose
// size is known (*os.File, *bytes.Reader, *io.SectionReader...).
//
// It fails if the file has no header, a column twice, or lacks a required
// column (BilledCost, ChargePeriodStart, ChargePeriodEnd, BillingCurrency
// unless Options.DefaultCurrency is set); see ErrMissingColumn.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.MaxErrors == 0 {
		opts.MaxErrors = defaultMaxErrors
	}
	if opts.SlashDates != SlashDatesReject && opts.SlashDates != SlashDatesMDY && opts.SlashDates != SlashDatesDMY {
		return nil, fmt.Errorf("focus: unknown Options.SlashDates %q", opts.SlashDates)
	}
	rd := &Reader{
		opts:     opts,
		bytes:    new(atomic.Int64),
		interned: map[string]string{},
		tagSets:  map[string]map[string]string{},
		totals:   map[totalKey]*runningTotal{},
	}
	cr := &countingReader{r: r, n: rd.bytes}
	br := bufio.NewReaderSize(cr, bufferSize)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("focus: reading: %w", err)
	}
	var names []string
	switch {
	case IsParquet(magic):
		ra, size, ok := readerAtSize(r)
		if !ok {
			return nil, errors.New("focus: a Parquet file needs an io.ReaderAt of known size, such as *os.File (use Open)")
		}
		ps, err := newParquetSource(&countingReaderAt{r: ra, n: rd.bytes}, size, &rd.warn)
		if err != nil {
			return nil, err
		}
		rd.src, names, rd.format = ps, ps.names, FormatParquet
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("focus: gzip: %w", err)
		}
		inner := bufio.NewReaderSize(gz, bufferSize)
		if m, _ := inner.Peek(4); IsParquet(m) {
			return nil, errors.New("focus: gzip-compressed Parquet is not supported; decompress it first")
		}
		cs, err := newCSVSource(inner, &rd.warn)
		if err != nil {
			return nil, err
		}
		rd.src, names, rd.format = cs, cs.header, FormatCSVGzip
	default:
		cs, err := newCSVSource(br, &rd.warn)
		if err != nil {
			return nil, err
		}
		rd.src, names, rd.format = cs, cs.header, FormatCSV
	}
	lay, err := mapHeader(names)
	if err != nil {
		return nil, err
	}
	if lay.col[fBillingCurrency] < 0 {
		if opts.DefaultCurrency == "" {
			return nil, fmt.Errorf("%w: BillingCurrency (or set Options.DefaultCurrency)", ErrMissingColumn)
		}
		rd.warn.add(WarnCurrencyDefaulted, 1, opts.DefaultCurrency)
	}
	if lay.col[fEffectiveCost] < 0 {
		rd.warn.add(WarnEffectiveCostNoCol, 1, "EffectiveCost")
	}
	for _, c := range lay.unknown {
		rd.warn.add(WarnUnknownColumn, 1, c)
	}
	for _, c := range lay.custom {
		rd.warn.add(WarnCustomColumn, 1, c)
	}
	if ps, ok := rd.src.(*parquetSource); ok {
		ps.bind(lay)
	}
	rd.lay = lay
	return rd, nil
}

// Next returns the next row. At the end it returns io.EOF. A row that cannot
// be read is returned as a *RowError (with a zero Row), and the following
// call goes on with the next row. Any other error ends reading.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	err := r.src.next(&r.rec)
	if err == io.EOF {
		r.err = io.EOF
		r.progress(true)
		return Row{}, io.EOF
	}
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			if err := r.cutAt(re); err != nil {
				return Row{}, err
			}
			r.rowsRead++
			r.reject(re)
			r.progress(false)
			return Row{}, re
		}
		r.err = fmt.Errorf("focus: after line %d: %w", r.rec.line, err)
		return Row{}, r.err
	}
	if c, ok := r.src.(interface{ endsCut() bool }); ok && c.endsCut() {
		// The last line, without the line break every line before it
		// has: cut, even when its fields look whole (12.3 cut to 12.).
		r.err = fmt.Errorf("focus: line %d is cut: %w", r.rec.line, ErrCut)
		return Row{}, r.err
	}
	r.rowsRead++
	row, re := r.convert(&r.rec)
	r.progress(false)
	if re != nil {
		r.reject(re)
		return Row{}, re
	}
	r.accepted++
	return row, nil
}

// ErrCut says a file ends in the middle of a row: it was cut short. Such a
// file is never read in part. A CSV file is cut when its last line has no
// line break while the lines before it have one (csvfile.Cut), or when it
// ends inside a quoted field.
var ErrCut = csvfile.ErrCut

// cutAt turns the refusal of the last row of a file that ends in the
// middle of it into an error that ends reading.
func (r *Reader) cutAt(re *RowError) error {
	if c, ok := r.src.(interface{ endsCut() bool }); ok && c.endsCut() {
		r.err = fmt.Errorf("focus: line %d is cut (%s): %w", re.Line, re.Message, ErrCut)
		return r.err
	}
	return nil
}

// Close releases the input when the Reader was made by Open, and the
// resources of a gzip or Parquet reader.
func (r *Reader) Close() error {
	err := r.src.close()
	if r.closer != nil {
		if cerr := r.closer.Close(); err == nil {
			err = cerr
		}
		r.closer = nil
	}
	return err
}

// Report returns counts, warnings and totals for the rows read so far.
func (r *Reader) Report() Report {
	rep := Report{
		Format:       r.format,
		Version:      r.lay.version,
		Columns:      r.lay.ncols,
		BytesRead:    r.bytes.Load(),
		RowsRead:     r.rowsRead,
		RowsAccepted: r.accepted,
		RowsRejected: r.rejected,
		Errors:       slices.Clone(r.errors),
		Warnings:     append(r.warn.list(), r.fpWarn.list()...),
	}
	slices.SortFunc(rep.Warnings, func(a, b Warning) int { return cmp.Compare(a.Kind, b.Kind) })
	for _, t := range r.totals {
		total := t.Total
		total.BilledCost, total.EffectiveCost = t.billed.Decimal(), t.effective.Decimal()
		rep.Totals = append(rep.Totals, total)
	}
	slices.SortFunc(rep.Totals, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.ProviderName, b.ProviderName), cmp.Compare(a.BillingCurrency, b.BillingCurrency))
	})
	return rep
}

func (r *Reader) reject(e *RowError) {
	r.rejected++
	if len(r.errors) < r.opts.MaxErrors {
		r.errors = append(r.errors, *e)
	}
}

func (r *Reader) progress(final bool) {
	if r.opts.Progress == nil {
		return
	}
	if !final {
		if r.rowsRead&255 != 0 {
			return
		}
		now := time.Now()
		if now.Sub(r.lastProgress) < progressEvery {
			return
		}
		r.lastProgress = now
	}
	r.opts.Progress(r.bytes.Load(), r.rowsRead)
}

// field returns the text of field f, "" when the column is absent.
func (r *Reader) field(rec *record, f int) string {
	if i := r.lay.col[f]; i >= 0 {
		return rec.fields[i]
	}
	return ""
}

func (r *Reader) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := r.interned[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if len(r.interned) < maxInterned && len(s) <= 256 {
		r.interned[v] = v
	}
	return v
}

// convert checks and types one record.
func (r *Reader) convert(rec *record) (Row, *RowError) {
	line := rec.line
	if len(rec.fields) != r.lay.ncols {
		return Row{}, &RowError{Line: line, Message: fmt.Sprintf("has %d fields, the header has %d", len(rec.fields), r.lay.ncols)}
	}
	// Text that is not UTF-8, or holds NUL, makes the row unreadable: it is
	// never stored with the bytes replaced.
	for i, f := range rec.fields {
		if p := engage.TextProblem(f); p != "" {
			return Row{}, &RowError{Line: line, Column: r.lay.name(i), Message: strings.TrimSuffix(p, ".")}
		}
	}
	for i, f := range rec.fields {
		if isNullToken(f) {
			r.warn.add(WarnNullToken, line, f)
			rec.fields[i] = ""
		}
	}

	var row Row
	row.Line = line

	// Money.
	var ok bool
	if row.BilledCost, ok = r.cost(rec, fBilledCost); !ok {
		return Row{}, r.badNumber(rec, fBilledCost)
	}
	if r.lay.col[fEffectiveCost] < 0 {
		row.EffectiveCost = row.BilledCost
	} else if s := r.field(rec, fEffectiveCost); s == "" {
		r.warn.add(WarnEffectiveCostNull, line, "")
		row.EffectiveCost = row.BilledCost
	} else if row.EffectiveCost, ok = r.cost(rec, fEffectiveCost); !ok {
		return Row{}, r.badNumber(rec, fEffectiveCost)
	}
	if row.ListCost, ok = r.nullCost(rec, fListCost); !ok {
		return Row{}, r.badNumber(rec, fListCost)
	}
	if row.ContractedCost, ok = r.nullCost(rec, fContractedCost); !ok {
		return Row{}, r.badNumber(rec, fContractedCost)
	}

	cur := strings.TrimSpace(r.field(rec, fBillingCurrency))
	if r.lay.col[fBillingCurrency] < 0 {
		cur = r.opts.DefaultCurrency
	}
	if up := strings.ToUpper(cur); up != cur {
		r.warn.add(WarnEnumCase, line, cur)
		cur = up
	}
	if cur == "" && (!row.BilledCost.IsZero() || !row.EffectiveCost.IsZero() ||
		row.ListCost.Valid && !row.ListCost.Decimal.IsZero() ||
		row.ContractedCost.Valid && !row.ContractedCost.Decimal.IsZero()) {
		return Row{}, &RowError{Line: line, Column: "BillingCurrency", Message: "empty while a cost is not zero"}
	}
	row.BillingCurrency = r.intern(cur)

	// Time.
	var err *RowError
	if row.ChargePeriodStart, err = r.time(rec, 0, fChargePeriodStart, true); err != nil {
		return Row{}, err
	}
	if row.ChargePeriodEnd, err = r.time(rec, 1, fChargePeriodEnd, true); err != nil {
		return Row{}, err
	}
	if row.ChargePeriodEnd.Before(row.ChargePeriodStart) {
		return Row{}, &RowError{Line: line, Column: "ChargePeriodEnd", Message: fmt.Sprintf("%s is before ChargePeriodStart %s",
			row.ChargePeriodEnd.Format(time.RFC3339), row.ChargePeriodStart.Format(time.RFC3339))}
	}
	if row.BillingPeriodStart, err = r.time(rec, 2, fBillingPeriodStart, false); err != nil {
		return Row{}, err
	}
	if row.BillingPeriodEnd, err = r.time(rec, 3, fBillingPeriodEnd, false); err != nil {
		return Row{}, err
	}
	if !row.BillingPeriodStart.IsZero() && !row.BillingPeriodEnd.IsZero() && row.BillingPeriodEnd.Before(row.BillingPeriodStart) {
		return Row{}, &RowError{Line: line, Column: "BillingPeriodEnd", Message: fmt.Sprintf("%s is before BillingPeriodStart %s",
			row.BillingPeriodEnd.Format(time.RFC3339), row.BillingPeriodStart.Format(time.RFC3339))}
	}

	// Quantities: an unreadable one does not change what is owed.
	row.ConsumedQuantity = r.quantity(rec, fConsumedQuantity)
	row.PricingQuantity = r.quantity(rec, fPricingQuantity)

	// Low-cardinality text, shared between rows.
	row.BillingAccountId = r.intern(r.field(rec, fBillingAccountId))
	row.BillingAccountName = r.intern(r.field(rec, fBillingAccountName))
	row.SubAccountId = r.intern(r.field(rec, fSubAccountId))
	row.SubAccountName = r.intern(r.field(rec, fSubAccountName))
	if p := r.field(rec, fServiceProviderName); p != "" {
		row.ProviderName = r.intern(p)
	} else {
		row.ProviderName = r.intern(r.field(rec, fProviderName))
	}
	row.PublisherName = r.intern(r.field(rec, fPublisherName))
	row.InvoiceIssuerName = r.intern(r.field(rec, fInvoiceIssuerName))
	row.InvoiceId = r.intern(r.field(rec, fInvoiceId))
	row.ChargeCategory = r.enum(rec, fChargeCategory, chargeCategories)
	row.ChargeClass = r.enum(rec, fChargeClass, chargeClasses)
	row.ChargeFrequency = r.enum(rec, fChargeFrequency, chargeFrequences)
	row.ServiceCategory = r.enum(rec, fServiceCategory, serviceCategories)
	row.ServiceName = r.intern(r.field(rec, fServiceName))
	row.RegionId = r.intern(r.field(rec, fRegionId))
	row.RegionName = r.intern(r.field(rec, fRegionName))
	row.ResourceType = r.intern(r.field(rec, fResourceType))
	row.ConsumedUnit = r.intern(r.field(rec, fConsumedUnit))
	row.PricingUnit = r.intern(r.field(rec, fPricingUnit))

	// High-cardinality text: copied into one allocation per row, so that a
	// row does not keep the whole input line alive.
	var hi [6]string
	hi[0] = r.field(rec, fChargeDescription)
	hi[1] = r.field(rec, fResourceId)
	hi[2] = r.field(rec, fResourceName)
	hi[3] = r.field(rec, fSkuId)
	hi[4] = r.field(rec, fSkuPriceId)
	hi[5] = r.field(rec, fCommitmentDiscountId)
	n := 0
	for _, s := range hi {
		n += len(s)
	}
	if n > 0 {
		var sb strings.Builder
		sb.Grow(n)
		for _, s := range hi {
			sb.WriteString(s)
		}
		all := sb.String()
		off := 0
		for i, s := range hi {
			hi[i] = all[off : off+len(s)]
			off += len(s)
		}
	}
	row.ChargeDescription, row.ResourceId, row.ResourceName = hi[0], hi[1], hi[2]
	row.SkuId, row.SkuPriceId, row.CommitmentDiscountId = hi[3], hi[4], hi[5]

	// Tags.
	if rec.tagsSet {
		if err := tagsProblem(line, rec.tags); err != nil {
			return Row{}, err
		}
		if len(rec.tags) > 0 {
			row.Tags = rec.tags
		}
	} else if s := r.field(rec, fTags); s != "" {
		if tags, ok := r.tagSets[s]; ok {
			row.Tags = tags
		} else if tags, ok := parseTags(s, r.intern); !ok {
			r.warn.add(WarnTagsMalformed, line, s)
		} else if err := tagsProblem(line, tags); err != nil {
			// JSON escapes can write what the text itself may not.
			return Row{}, err
		} else {
			row.Tags = tags
			if len(r.tagSets) < maxTagSets && len(s) <= 1024 {
				r.tagSets[strings.Clone(s)] = tags
			}
		}
	}

	// Fingerprint and totals.
	if !r.opts.DeferFingerprints {
		r.fingerprintRow(&row, &r.warn, &r.hashBuf)
	}
	r.addTotal(&row)
	return row, nil
}

// tagsProblem refuses tags whose text is not UTF-8 or holds NUL.
func tagsProblem(line int, tags map[string]string) *RowError {
	for k, v := range tags {
		if p := cmp.Or(engage.TextProblem(k), engage.TextProblem(v)); p != "" {
			return &RowError{Line: line, Column: "Tags", Message: strings.TrimSuffix(p, ".")}
		}
	}
	return nil
}

// FingerprintSum returns the fingerprint of a row Next returned, as bytes
// (Row.Fingerprint is their hex), when Options.DeferFingerprints is set: it
// must be called for every row, in the order Next returned them, by one
// goroutine at a time (which need not be the one calling Next).
func (r *Reader) FingerprintSum(row *Row) [sha256.Size]byte {
	return r.fingerprintSum(row, &r.fpWarn, &r.fpBuf)
}

func (r *Reader) fingerprintRow(row *Row, warn *warnings, buf *[]byte) {
	sum := r.fingerprintSum(row, warn, buf)
	row.Fingerprint = hex.EncodeToString(sum[:])
}

func (r *Reader) fingerprintSum(row *Row, warn *warnings, buf *[]byte) [sha256.Size]byte {
	*buf = row.Hash(*buf)
	occ := r.seen.add(binary.LittleEndian.Uint64(row.hash[:8]))
	if occ > 0 {
		warn.add(WarnDuplicateRow, row.Line, "")
	}
	return fingerprint(row.hash, occ)
}

// Hash computes the hash of the row's content, which a fingerprint needs, if it is not computed yet, using buf as scratch space and
// returning it for the next call. Unlike Fingerprint it depends on nothing
// but the row, so rows can be hashed on any goroutine, in any order,
// before they are fingerprinted in order.
func (row *Row) Hash(buf []byte) []byte {
	if !row.hashed {
		row.hash, buf = contentHash(buf, row)
		row.hashed = true
	}
	return buf
}

// runningTotal is a Total being added up.
type runningTotal struct {
	Total
	billed, effective textenc.Sum
}

func (r *Reader) addTotal(row *Row) {
	k := totalKey{row.ProviderName, row.BillingCurrency}
	t := r.lastTot
	if t == nil || k != r.lastKey {
		t = r.totals[k]
		if t == nil {
			t = &runningTotal{Total: Total{ProviderName: k.provider, BillingCurrency: k.currency}}
			r.totals[k] = t
		}
		r.lastKey, r.lastTot = k, t
	}
	t.Rows++
	t.billed.Add(row.BilledCost)
	t.effective.Add(row.EffectiveCost)
}

// cost parses a required money field; "" is not a number, and nor is a cost
// beyond rating.CloudCost (badNumber says which).
func (r *Reader) cost(rec *record, f int) (decimal.Decimal, bool) {
	s := strings.TrimSpace(r.field(rec, f))
	d, sci, ok := parseDecimal(s)
	if sci {
		r.warn.add(WarnScientific, rec.line, s)
	}
	return d, ok && rating.CloudCost.Check(d) == ""
}

func (r *Reader) nullCost(rec *record, f int) (decimal.NullDecimal, bool) {
	s := strings.TrimSpace(r.field(rec, f))
	if s == "" {
		return decimal.NullDecimal{}, true
	}
	d, sci, ok := parseDecimal(s)
	if sci {
		r.warn.add(WarnScientific, rec.line, s)
	}
	ok = ok && rating.CloudCost.Check(d) == ""
	return decimal.NullDecimal{Decimal: d, Valid: ok}, ok
}

func (r *Reader) badNumber(rec *record, f int) *RowError {
	s := r.field(rec, f)
	if s == "" {
		return &RowError{Line: rec.line, Column: fieldNames[f], Message: "is empty"}
	}
	if d, _, ok := parseDecimal(strings.TrimSpace(s)); ok {
		return &RowError{Line: rec.line, Column: fieldNames[f], Message: rating.CloudCost.Check(d)}
	}
	return &RowError{Line: rec.line, Column: fieldNames[f], Message: fmt.Sprintf("%q is not a number", s)}
}

func (r *Reader) quantity(rec *record, f int) decimal.NullDecimal {
	s := strings.TrimSpace(r.field(rec, f))
	if s == "" {
		return decimal.NullDecimal{}
	}
	d, sci, ok := parseDecimal(s)
	if !ok {
		r.warn.add(WarnInvalidQuantity, rec.line, s)
		return decimal.NullDecimal{}
	}
	if sci {
		r.warn.add(WarnScientific, rec.line, s)
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}

// time parses a timestamp field; slot indexes a one-value cache, since the
// same hours repeat row after row.
func (r *Reader) time(rec *record, slot, f int, required bool) (time.Time, *RowError) {
	s := strings.TrimSpace(r.field(rec, f))
	if s == "" {
		if required {
			return time.Time{}, &RowError{Line: rec.line, Column: fieldNames[f], Message: "is empty"}
		}
		return time.Time{}, nil
	}
	c := &r.tcache[slot]
	if s != c.s {
		t, flags, err := parseTimestamp(s, r.opts.SlashDates)
		if err != nil {
			msg := fmt.Sprintf("%q is not a timestamp", s)
			if err == errSlashDate {
				msg = fmt.Sprintf("%q: %v", s, err)
			}
			return time.Time{}, &RowError{Line: rec.line, Column: fieldNames[f], Message: msg}
		}
		c.s, c.t, c.flags = strings.Clone(s), t, flags
	}
	if c.flags != 0 {
		for i, k := range tsKinds {
			if c.flags&(1<<i) != 0 {
				r.warn.add(k, rec.line, s)
			}
		}
	}
	return c.t, nil
}

func (r *Reader) enum(rec *record, f int, values []string) string {
	s := r.field(rec, f)
	v, res := normEnum(s, values)
	switch res {
	case enumCase:
		r.warn.add(WarnEnumCase, rec.line, s)
	case enumUnknown:
		r.warn.add2(WarnEnumUnknown, rec.line, fieldNames[f], s)
		return r.intern(v)
	}
	return v
}

// warnings counts accepted deviations by kind.
type warnings struct {
	m map[WarningKind]*Warning
}

func (w *warnings) add(k WarningKind, line int, example string) {
	if w.m == nil {
		w.m = map[WarningKind]*Warning{}
	}
	x := w.m[k]
	if x == nil {
		if len(example) > 200 {
			example = example[:200]
		}
		x = &Warning{Kind: k, FirstLine: line, Example: strings.Clone(example)}
		w.m[k] = x
	}
	x.Count++
}

// add2 is add with the example column=value, built only when first seen.
func (w *warnings) add2(k WarningKind, line int, column, value string) {
	if x := w.m[k]; x != nil {
		x.Count++
		return
	}
	w.add(k, line, column+"="+value)
}

func (w *warnings) list() []Warning {
	out := make([]Warning, 0, len(w.m))
	for _, x := range w.m {
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b Warning) int { return cmp.Compare(a.Kind, b.Kind) })
	return out
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type countingReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// readerAtSize finds random access and the size of r.
func readerAtSize(r io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return nil, 0, false
	}
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return ra, v.Size(), true
	case interface{ Stat() (os.FileInfo, error) }:
		fi, err := v.Stat()
		if err == nil && fi.Mode().IsRegular() {
			return ra, fi.Size(), true
		}
	}
	if s, ok := r.(io.Seeker); ok {
		if size, err := s.Seek(0, io.SeekEnd); err == nil {
			return ra, size, true
		}
	}
	return nil, 0, false
}

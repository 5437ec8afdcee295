package cloudbill

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/cloudbill/batchformat"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/textenc"
)

// Charges are kept in batches (migration 10). Each share of a charge — the
// whole charge when one department or the unallocated bucket takes it, one
// share per department when a rule splits it — is an element of the batch
// of its period, department (NULL for the bucket), provider, service name
// and currency; a batch row carries the exact sum of its shares and their
// number, so that statements add up a few batch rows instead of every
// charge. An element is a JSON array:
//
//	[part, rule id or null, "amount", "fingerprint", import id, line,
//	 "billing account id", "sub-account id", "sub-account name",
//	 "service category", "resource id", "resource name",
//	 "charge category", "charge description", "billed cost",
//	 "effective cost", "charge period start", "charge period end", {tags}]
//
// part is 0 for a charge's first share and 1, 2, … for the others, so that
// reallocation reads each charge once. Amounts are decimal strings; times
// are RFC 3339 in UTC. Everything after the amount is the charge itself,
// the same for each of its shares. The first 16 bytes of each fingerprint
// are kept in cloud_charge_keys as sorted runs per period (db.KeyRuns): an
// import loads the runs of the periods it meets, tells new charges from
// stored ones in memory, and writes its own keys as a run at the end. That
// is what makes importing a row twice store it once. Writing a few key rows
// and one batch row per few thousand shares, instead of two indexed rows
// per charge, is what lets an import keep up with a cloud bill.

var chargeKeys = batchformat.ChargeKeys

// periodKeys are the keys of one period an import has met: those stored
// before it, in how many rows, and those it adds.
type periodKeys struct {
	stored db.Keys
	runs   int
	fresh  db.Keys
}

const (
	// chargeIDShift places a share's index in its batch below the batch id
	// in the share's id (CloudCharge.ID); a batch holds fewer shares than
	// 1<<chargeIDShift.
	chargeIDShift = 14
	// maxBuffered bounds the bytes of batches a writer holds before it
	// stores them all, so that memory stays flat however many groups a
	// file has.
	maxBuffered = 8 << 20
	// maxBatchBytes bounds a batch's text, so that a batch is written (and
	// read back for a drill-down) in one small piece; its buffer is reused.
	maxBatchBytes = 256 << 10
	// elementFields is the length of an element.
	elementFields = batchformat.ElementFields
)

// batchKey is what the shares of one batch have in common.
type batchKey struct {
	period                      string
	dept                        int64
	provider, service, currency string
}

// pending is a batch being filled.
type pending struct {
	data   []byte // "[" and the elements so far
	n      int
	amount textenc.Sum
}

// writer puts shares of charges into batches and stores the batches. It is
// used by one goroutine at a time.
type writer struct {
	t      *db.Tx
	free   [][]byte // buffers of stored batches, for the next ones
	max    int
	groups map[batchKey]*pending
	size   int
	body   []byte
	keys   map[string]*periodKeys
	insert *sql.Stmt
	packed []byte

	// With background set, batches are stored by a goroutine of their own
	// while the next ones are filled; the writer's goroutine then must not
	// use the transaction itself until wait returns.
	background bool
	queue      chan packedBatch
	stored     chan struct{}
	packs      chan []byte // compressed buffers the storing goroutine is done with
	failure    atomic.Pointer[error]
}

// packedBatch is a batch on its way to the storing goroutine.
type packedBatch struct {
	k      batchKey
	amount string
	n      int
	packed []byte
}

func (s *Service) newWriter(t *db.Tx) *writer {
	return &writer{t: t, max: min(s.batchCharges(), 1<<chargeIDShift-1), groups: map[batchKey]*pending{}, keys: map[string]*periodKeys{}}
}

// charges stores the rows whose fingerprint is not stored yet, and marks
// them added.
func (w *writer) charges(ctx context.Context, rows []*row) error {
	var pk *periodKeys
	for _, r := range rows {
		if pk == nil || w.keys[r.period] != pk {
			var err error
			if pk, err = w.periodKeys(ctx, r.period); err != nil {
				return err
			}
		}
		if r.added = !pk.stored.Contains(r.key); !r.added {
			continue
		}
		pk.fresh = append(pk.fresh, r.key)
		if err := w.add(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// periodKeys returns the keys of a period, loading those stored the first
// time.
func (w *writer) periodKeys(ctx context.Context, period string) (*periodKeys, error) {
	if pk := w.keys[period]; pk != nil {
		return pk, nil
	}
	// The transaction is this goroutine's again once the batches handed on
	// are stored.
	if err := w.wait(); err != nil {
		return nil, err
	}
	stored, runs, err := chargeKeys.Load(ctx, w.t, period)
	if err != nil {
		return nil, fmt.Errorf("reading the charges stored for %s: %w", period, err)
	}
	pk := &periodKeys{stored: stored, runs: runs}
	w.keys[period] = pk
	return pk, nil
}

// storeKeys writes the keys of the charges added, once the batches are
// stored.
func (w *writer) storeKeys(ctx context.Context) error {
	for period, pk := range w.keys {
		if db.SortKeys(pk.fresh) {
			// The reader numbers repeated rows, so a file cannot give the
			// same fingerprint twice.
			return fmt.Errorf("storing the charges of %s: two charges of the file share a fingerprint", period)
		}
		if err := chargeKeys.Add(ctx, w.t, period, pk.stored, pk.runs, pk.fresh); err != nil {
			return fmt.Errorf("storing the charges of %s: %w", period, err)
		}
	}
	return nil
}

// add puts the shares of r into their batches, storing those that fill up.
func (w *writer) add(ctx context.Context, r *row) error {
	body := r.body
	if body == nil {
		w.body = appendBody(w.body[:0], r)
		body = w.body
	}
	for i, p := range r.parts {
		k := batchKey{r.period, p.dept, r.provider, r.serviceName, r.currency}
		g := w.groups[k]
		if g == nil {
			g = &pending{data: w.buffer()}
			w.groups[k] = g
		}
		before := len(g.data)
		if g.n > 0 {
			g.data = append(g.data, ',')
		}
		g.data = append(g.data, '[')
		g.data = strconv.AppendInt(g.data, int64(i), 10)
		g.data = append(g.data, ',')
		if p.rule != 0 {
			g.data = strconv.AppendInt(g.data, p.rule, 10)
		} else {
			g.data = append(g.data, "null"...)
		}
		g.data = append(g.data, ',', '"')
		g.data = textenc.AppendDecimal(g.data, p.amount)
		g.data = append(g.data, '"', ',')
		g.data = append(g.data, body...)
		g.data = append(g.data, ']')
		g.n++
		g.amount.Add(p.amount)
		w.size += len(g.data) - before
		if g.n >= w.max || len(g.data) >= maxBatchBytes {
			if err := w.store(ctx, k, g); err != nil {
				return err
			}
		}
	}
	if w.size > maxBuffered {
		return w.spill(ctx)
	}
	return nil
}

// spill stores the fullest batches being filled until half the buffer is
// free: a file with many groups then still writes large batches, and the
// groups that fill slowly wait for more shares.
func (w *writer) spill(ctx context.Context) error {
	type sized struct {
		k batchKey
		n int
	}
	all := make([]sized, 0, len(w.groups))
	for k, g := range w.groups {
		all = append(all, sized{k, len(g.data)})
	}
	slices.SortFunc(all, func(a, b sized) int { return cmp.Compare(b.n, a.n) })
	for _, x := range all {
		if w.size <= maxBuffered/2 {
			break
		}
		if err := w.store(ctx, x.k, w.groups[x.k]); err != nil {
			return err
		}
	}
	return nil
}

// flush stores every batch being filled.
func (w *writer) flush(ctx context.Context) error {
	keys := make([]batchKey, 0, len(w.groups))
	for k := range w.groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b batchKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.dept, b.dept), cmp.Compare(a.provider, b.provider),
			cmp.Compare(a.service, b.service), cmp.Compare(a.currency, b.currency))
	})
	for _, k := range keys {
		if err := w.store(ctx, k, w.groups[k]); err != nil {
			return err
		}
	}
	return w.wait()
}

// buffer returns an empty batch text, "[", reusing a stored batch's buffer
// when there is one.
func (w *writer) buffer() []byte {
	if n := len(w.free); n > 0 {
		b := w.free[n-1]
		w.free = w.free[:n-1]
		return append(b[:0], '[')
	}
	// A new batch starts small: a file with many groups holds many batches
	// being filled, most of them far from full.
	return append(make([]byte, 0, 16<<10), '[')
}

// store writes one batch and forgets it.
func (w *writer) store(ctx context.Context, k batchKey, g *pending) error {
	w.size -= len(g.data) - 1
	delete(w.groups, k)
	g.data = append(g.data, ']')
	packed := w.packed
	if w.background {
		select {
		case packed = <-w.packs:
		default:
			packed = nil
		}
	}
	b := packedBatch{k: k, amount: g.amount.Decimal().String(), n: g.n, packed: s2.Encode(packed[:cap(packed)], g.data)}
	if cap(g.data) <= 2*maxBatchBytes && len(w.free) < 8 {
		w.free = append(w.free, g.data)
	}
	if !w.background {
		w.packed = b.packed
		return w.insertBatch(ctx, &b)
	}
	if p := w.failure.Load(); p != nil {
		return *p
	}
	if w.queue == nil {
		w.queue, w.stored = make(chan packedBatch, 4), make(chan struct{})
		go w.storeQueued(ctx, w.queue, w.stored)
	}
	w.queue <- b
	return nil
}

// storeQueued stores the batches of queue, in order, until it is closed;
// after a failure it only drains it.
func (w *writer) storeQueued(ctx context.Context, queue <-chan packedBatch, stored chan<- struct{}) {
	defer close(stored)
	defer func() {
		// A bug here must fail the import, not the whole process.
		if p := recover(); p != nil {
			err := fmt.Errorf("storing charges: panic: %v", p)
			w.failure.CompareAndSwap(nil, &err)
			for range queue {
			}
		}
	}()
	for b := range queue {
		if w.failure.Load() == nil {
			if err := w.insertBatch(ctx, &b); err != nil {
				w.failure.CompareAndSwap(nil, &err)
			}
		}
		select {
		case w.packs <- b.packed:
		default:
		}
	}
}

// wait returns once the batches handed to the storing goroutine are
// stored, with the first error met.
func (w *writer) wait() error {
	if w.queue != nil {
		close(w.queue)
		<-w.stored
		w.queue = nil
	}
	if p := w.failure.Load(); p != nil {
		return *p
	}
	return nil
}

func (w *writer) insertBatch(ctx context.Context, b *packedBatch) error {
	if w.insert == nil {
		var err error
		if w.insert, err = w.t.Prepare(ctx, `INSERT INTO cloud_charge_batches(period, department_id, provider, service_name, currency, amount, charges, packed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
			return fmt.Errorf("storing charges: %w", err)
		}
	}
	k := b.k
	if _, err := w.insert.ExecContext(ctx, k.period, db.NullID(k.dept), k.provider, k.service, k.currency, b.amount, b.n, b.packed); err != nil {
		return fmt.Errorf("storing charges: %w", err)
	}
	return nil
}

// appendBody writes the charge part of an element: everything after the
// amount.
func appendBody(b []byte, r *row) []byte {
	b = append(b, '"')
	b = hex.AppendEncode(b, r.key[:])
	b = append(b, '"')
	b = append(b, ',')
	b = strconv.AppendInt(b, r.importID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.line), 10)
	for _, s := range [...]string{r.billingAccountID, r.subAccountID, r.subAccountName, r.serviceCategory, r.resourceID, r.resourceName,
		r.chargeCategory, r.chargeDescription} {
		b = append(b, ',')
		b = textenc.AppendJSONString(b, s)
	}
	for _, d := range [...]decimal.Decimal{r.billed, r.effective} {
		b = append(b, ',', '"')
		b = textenc.AppendDecimal(b, d)
		b = append(b, '"')
	}
	for _, t := range [...]time.Time{r.start, r.end} {
		b = append(b, ',', '"')
		b = t.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = append(b, ',')
	return append(b, r.tags...)
}

// element is one share read back from a batch.
type element struct {
	part int
	// body is the charge as stored (see appendBody), a slice of the
	// batch's data.
	body []byte
}

// decodeElement reads a stored share into c (the fields the element
// holds) and returns its part number and body.
func decodeElement(raw []byte, c *CloudCharge) (element, error) {
	var f [elementFields]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil {
		return element{}, fmt.Errorf("reading a stored charge: %w", err)
	}
	var e element
	var rule *int64
	var start, end string
	for i, dst := range []any{&e.part, &rule, &c.Amount, &c.Fingerprint, &c.ImportID, &c.Line, &c.BillingAccountID, &c.SubAccountID,
		&c.SubAccountName, &c.ServiceCategory, &c.ResourceID, &c.ResourceName, &c.ChargeCategory, &c.ChargeDescription, &c.BilledCost,
		&c.EffectiveCost, &start, &end, &c.Tags} {
		if f[i] == nil {
			return element{}, fmt.Errorf("reading a stored charge: %d fields, not %d", i, elementFields)
		}
		if err := json.Unmarshal(f[i], dst); err != nil {
			return element{}, fmt.Errorf("reading a stored charge: field %d: %w", i, err)
		}
	}
	if len(c.Fingerprint) > 2*db.KeySize {
		// Charges stored before fingerprints were cut to their key.
		c.Fingerprint = c.Fingerprint[:2*db.KeySize]
	}
	c.RuleID = 0
	if rule != nil {
		c.RuleID = *rule
	}
	var ok bool
	if c.ChargePeriodStart, ok = textenc.ParseStoredTime(start); !ok {
		return element{}, fmt.Errorf("reading a stored charge: unreadable time %q", start)
	}
	if c.ChargePeriodEnd, ok = textenc.ParseStoredTime(end); !ok {
		return element{}, fmt.Errorf("reading a stored charge: unreadable time %q", end)
	}
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	// The body follows the third comma: part, rule and amount hold none.
	rest := raw
	for range 3 {
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			return element{}, fmt.Errorf("reading a stored charge: too few fields")
		}
		rest = rest[i+1:]
	}
	e.body = bytes.TrimSuffix(bytes.TrimRight(rest, " \t\r\n"), []byte("]"))
	return e, nil
}

// batchRow is a stored batch: what its shares have in common, and them.
type batchRow struct {
	id                                  int64
	period, provider, service, currency string
	dept                                int64
	elements                            []json.RawMessage
}

// fill sets the fields a batch's shares have in common.
func (b *batchRow) fill(c *CloudCharge, index int) {
	c.ID = b.id<<chargeIDShift | int64(index)
	c.Period, c.Provider, c.ServiceName, c.Currency, c.DepartmentID = b.period, b.provider, b.service, b.currency, b.dept
}

// scanBatch reads a row of batchColumns.
func scanBatch(row db.Scanner) (batchRow, error) {
	var b batchRow
	var dept *int64
	var data sql.NullString
	var packed []byte
	if err := row.Scan(&b.id, &b.period, &dept, &b.provider, &b.service, &b.currency, &data, &packed); err != nil {
		return b, err
	}
	if dept != nil {
		b.dept = *dept
	}
	text := []byte(data.String)
	if !data.Valid {
		var err error
		if text, err = s2.Decode(nil, packed); err != nil {
			return b, fmt.Errorf("reading stored charges: batch %d: %w", b.id, err)
		}
	}
	if err := json.Unmarshal(text, &b.elements); err != nil {
		return b, fmt.Errorf("reading stored charges: batch %d: %w", b.id, err)
	}
	return b, nil
}

// batchColumns reads batches: the JSON text of batches made by migration
// 10, packed (compressed, which takes a fraction of the space and of the
// time to write) for those Engage writes.
const batchColumns = "SELECT id, period, department_id, provider, service_name, currency, data, packed FROM cloud_charge_batches"

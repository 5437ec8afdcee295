package focus

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/csvfile"
)

// writerColumns are the columns a Writer writes, in FOCUS 1.2 names and in
// alphabetical order.
var writerColumns = []string{
	"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
	"ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
	"CommitmentDiscountId", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
	"EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
	"PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
	"RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
	"ServiceCategory", "ServiceName", "SkuId", "SkuPriceId",
	"SubAccountId", "SubAccountName", "Tags",
}

// Writer writes rows as FOCUS 1.2-shaped CSV: one header line, costs as
// plain decimals, timestamps in RFC 3339 UTC with Z, Tags as a JSON object,
// nulls as empty fields.
type Writer struct {
	cw      *csvfile.Writer
	started bool
	rec     []string
	tagBuf  bytes.Buffer
	tagEnc  *json.Encoder
}

// NewWriter returns a Writer to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	wr := &Writer{cw: csvfile.NewWriter(w), rec: make([]string, len(writerColumns))}
	wr.tagEnc = json.NewEncoder(&wr.tagBuf)
	wr.tagEnc.SetEscapeHTML(false)
	return wr
}

func (w *Writer) header() error {
	if w.started {
		return nil
	}
	w.started = true
	return w.cw.Write(writerColumns)
}

// Write writes one row (Line and Fingerprint are not written).
func (w *Writer) Write(r Row) error {
	if err := w.header(); err != nil {
		return err
	}
	tags := ""
	if len(r.Tags) > 0 {
		w.tagBuf.Reset()
		if err := w.tagEnc.Encode(r.Tags); err != nil { // keys sorted
			return err
		}
		tags = string(bytes.TrimSuffix(w.tagBuf.Bytes(), []byte("\n")))
	}
	rec := w.rec[:0]
	rec = append(rec,
		plainDecimal(r.BilledCost), r.BillingAccountId, r.BillingAccountName, r.BillingCurrency,
		formatTime(r.BillingPeriodEnd), formatTime(r.BillingPeriodStart), r.ChargeCategory, r.ChargeClass,
		r.ChargeDescription, r.ChargeFrequency, formatTime(r.ChargePeriodEnd), formatTime(r.ChargePeriodStart),
		r.CommitmentDiscountId, nullDecimal(r.ConsumedQuantity), r.ConsumedUnit, nullDecimal(r.ContractedCost),
		plainDecimal(r.EffectiveCost), r.InvoiceId, r.InvoiceIssuerName, nullDecimal(r.ListCost),
		nullDecimal(r.PricingQuantity), r.PricingUnit, r.ProviderName, r.PublisherName,
		r.RegionId, r.RegionName, r.ResourceId, r.ResourceName, r.ResourceType,
		r.ServiceCategory, r.ServiceName, r.SkuId, r.SkuPriceId,
		r.SubAccountId, r.SubAccountName, tags,
	)
	return w.cw.Write(rec)
}

// Flush writes buffered data (and the header if no row was written) and
// reports any write error.
func (w *Writer) Flush() error {
	if err := w.header(); err != nil {
		return err
	}
	w.cw.Flush()
	return w.cw.Error()
}

// plainDecimal writes d without exponent and without trailing zeros,
// whatever the decimal package's global settings.
func plainDecimal(d decimal.Decimal) string {
	n := d.Normalize()
	if e := n.Exponent(); e < 0 {
		return n.StringFixed(-e)
	}
	return n.StringFixed(0)
}

func nullDecimal(d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	return plainDecimal(d.Decimal)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

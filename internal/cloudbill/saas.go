package cloudbill

import (
	"context"
	"encoding/hex"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/focus"
)

// SaaS charges: a cloud bill's rows may be software bought as a service
// (a marketplace purchase of another publisher's product, a SaaS vendor's
// own FOCUS bill). Which rows are, and what becomes of them, is for the
// SaaSRecorder the Service is given (package spend): an import hands it
// the charges it finds SaaS, with their allocation, in its transaction.

// SaaSRecorder takes the SaaS charges of imported cloud bills.
type SaaSRecorder interface {
	// IsSaaS says whether a charge of provider, published by publisher, in
	// a service category, is software bought as a service. It is called
	// once per distinct triple of an import, from one goroutine.
	IsSaaS(provider, publisher, serviceCategory string) bool
	// RecordSaaS stores charges of import imp in its transaction. It is
	// called with every SaaS charge an import accepts, those stored by an
	// earlier import included, so it must be safe to repeat.
	RecordSaaS(ctx context.Context, tx *db.Tx, imp SaaSImport, charges []SaaSCharge) error
}

// SaaSImport names the cloud import SaaS charges come from.
type SaaSImport struct {
	ID       int64
	FileName string
	By       *access.Principal // who imports it
}

// SaaSCharge is a SaaS charge of a cloud bill and its allocation.
type SaaSCharge struct {
	// Fingerprint is the charge's key, the first 16 bytes of its content
	// fingerprint (hex), the same whichever file brings it.
	Fingerprint       string
	Line              int
	Provider          string
	Publisher         string
	InvoiceIssuer     string
	InvoiceID         string
	ServiceName       string
	ServiceCategory   string
	ChargeCategory    string
	ChargeDescription string
	BillingAccountID  string
	SubAccountID      string
	Currency          string
	// Date is the day the charge period starts, YYYY-MM-DD (UTC); Period
	// its month, YYYY-MM.
	Date, Period string
	// Amount is the cost allocated (the import's basis); Shares its
	// allocation, which adds up to it. A share of department 0 is
	// unallocated.
	Amount decimal.Decimal
	Shares []ChargeShare
}

// ChargeShare is a department's share of a charge.
type ChargeShare struct {
	DepartmentID int64 // 0: unallocated
	Amount       decimal.Decimal
}

// saasChunk is how many SaaS charges an import hands over at a time.
const saasChunk = 2000

// saasCollector gathers an import's SaaS charges on the writing goroutine.
type saasCollector struct {
	rec     SaaSRecorder
	imp     SaaSImport
	known   map[[3]string]bool
	charges []SaaSCharge
}

func newSaaSCollector(rec SaaSRecorder, imp SaaSImport) *saasCollector {
	if rec == nil {
		return nil
	}
	return &saasCollector{rec: rec, imp: imp, known: map[[3]string]bool{}}
}

// collect keeps the SaaS charges of a written batch, handing them over
// once there are enough of them.
func (c *saasCollector) collect(ctx context.Context, tx *db.Tx, b *batch) error {
	if c == nil {
		return nil
	}
	for i := range b.read {
		if err := c.add(ctx, tx, &b.read[i], &b.store[i]); err != nil {
			return err
		}
	}
	return nil
}

// add keeps fr (stored as r) when it is SaaS.
func (c *saasCollector) add(ctx context.Context, tx *db.Tx, fr *focus.Row, r *row) error {
	k := [3]string{fr.ProviderName, fr.PublisherName, fr.ServiceCategory}
	saas, ok := c.known[k]
	if !ok {
		saas = c.rec.IsSaaS(k[0], k[1], k[2])
		c.known[k] = saas
	}
	if !saas {
		return nil
	}
	ch := SaaSCharge{Fingerprint: hex.EncodeToString(r.key[:]), Line: fr.Line, Provider: fr.ProviderName, Publisher: fr.PublisherName,
		InvoiceIssuer: fr.InvoiceIssuerName, InvoiceID: fr.InvoiceId, ServiceName: fr.ServiceName, ServiceCategory: fr.ServiceCategory,
		ChargeCategory: fr.ChargeCategory, ChargeDescription: fr.ChargeDescription, BillingAccountID: fr.BillingAccountId,
		SubAccountID: fr.SubAccountId, Currency: fr.BillingCurrency, Date: fr.ChargePeriodStart.UTC().Format("2006-01-02"), Period: r.period}
	for _, p := range r.parts {
		ch.Amount = ch.Amount.Add(p.amount)
		ch.Shares = append(ch.Shares, ChargeShare{DepartmentID: p.dept, Amount: p.amount})
	}
	c.charges = append(c.charges, ch)
	if len(c.charges) >= saasChunk {
		return c.flush(ctx, tx)
	}
	return nil
}

// flush hands the charges kept over.
func (c *saasCollector) flush(ctx context.Context, tx *db.Tx) error {
	if c == nil || len(c.charges) == 0 {
		return nil
	}
	err := c.rec.RecordSaaS(ctx, tx, c.imp, c.charges)
	c.charges = c.charges[:0]
	return err
}

package process_test

import (
	"context"
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/process"
)

// TestMatchOffersProcessesForTypedText: what a requester typed as the
// processes a need affects is matched to the register, phrase by phrase,
// the best match of each first; value streams and unrelated processes are
// not offered.
func TestMatchOffersProcessesForTypedText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		for _, in := range []process.Input{
			{Kind: process.ValueStream, Ref: "record-to-report", Name: "Record to report"},
			{Kind: process.Process, Ref: "close-the-month", Name: "Close the month"},
			{Kind: process.Process, Ref: "track-samples", Name: "Track samples"},
			{Kind: process.Process, Ref: "process-invoices", Name: "Process invoices"},
			{Kind: process.Process, Ref: "pay-invoices", Name: "Pay supplier invoices"},
		} {
			if _, err := w.s.Create(ctx, w.architect, in); err != nil {
				t.Fatal(err)
			}
		}
		got, err := w.s.Match(ctx, w.reader, "sample tracking; month-end close\nsupplier invoicing, the report, xy")
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, m := range got {
			refs = append(refs, m.Ref.Ref+" <- "+m.Phrase)
		}
		want := []string{"track-samples <- sample tracking", "close-the-month <- month-end close", "pay-invoices <- supplier invoicing"}
		if !slices.Equal(refs, want) {
			t.Fatalf("matches = %q, want %q", refs, want)
		}
		if got, err := w.s.Match(ctx, w.gate, "samples"); err == nil || len(got) != 0 {
			t.Fatalf("a gate token matched: %v %v", got, err)
		}
	})
}

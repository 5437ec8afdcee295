package billing_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/org"
)

// exportWorld is the billing test world plus a showback department (Office
// services) with mailboxes, usage, a run of March 2026 and a refund.
type exportWorld struct {
	world
	office org.Department
}

func exportSetup(t *testing.T, d *db.DB) exportWorld {
	t.Helper()
	ctx := context.Background()
	w := setup(t, d)
	o := &org.Service{DB: d, Clock: w.clock}
	office, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "OFF", Name: "Office services", BillingMode: "showback"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cat.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
		{DepartmentCode: "OFF", OfferingSlug: "mailbox", Quantity: dec("7"), Start: date("2026-03-01")},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("u1", "2026-03-02T10:00:00Z", "25"), usage("u2", "2026-03-20T10:00:00Z", "105")}, billing.IngestOptions{AcceptPartial: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.b.Run(ctx, w.finance, "2026-03"); err != nil {
		t.Fatal(err)
	}
	return exportWorld{world: w, office: office}
}

func stream(t *testing.T, ex *billing.Export) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := ex.Stream(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func statementOf(t *testing.T, w exportWorld, deptID int64, period string) billing.Statement {
	t.Helper()
	list, err := w.b.Statements(context.Background(), w.finance, billing.StatementFilter{Period: period, DepartmentID: deptID})
	if err != nil || len(list) != 1 {
		t.Fatalf("statements of %d in %s = %+v, %v", deptID, period, list, err)
	}
	st, err := w.b.Statement(context.Background(), w.finance, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStatementCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := exportSetup(t, d)
		st := statementOf(t, w, w.lab.ID, "2026-03")
		if _, err := w.b.StatementCSV(ctx, w.member, st.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a member without the budget-holder role exporting = %v", err)
		}
		holder := &access.Principal{Name: "holder", DepartmentID: w.lab.ID, Roles: []access.Role{access.Requester, access.BudgetHolder}, Heads: []int64{w.lab.ID}}
		ex, err := w.b.StatementCSV(ctx, holder, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Filename != "statement-2026-03-LAB-EUR.csv" {
			t.Errorf("file name = %q", ex.Filename)
		}
		rows := readCSV(t, stream(t, ex))
		if len(rows) != len(st.Lines)+1 {
			t.Fatalf("%d rows for %d lines", len(rows), len(st.Lines))
		}
		sum := decimal.Zero
		for _, r := range rows[:len(rows)-1] {
			if len(r["amount"]) < 4 || r["amount"][len(r["amount"])-3] != '.' {
				t.Errorf("amount %q is not written with two decimals", r["amount"])
			}
			sum = sum.Add(dec(r["amount"]))
		}
		total := rows[len(rows)-1]
		// 46.45 (mailboxes from 16 March) + 12.40 (130 VM hours) + 70.00 + 430.00 (service desk and its minimum)
		if total["line"] != "total" || total["amount"] != st.Total.StringFixed(2) || !sum.Equal(st.Total) {
			t.Fatalf("total row %v; lines add up to %s; statement total %s", total, sum, st.Total)
		}
		if rows[0]["service"] == "" || rows[0]["cost_centre"] != "LAB" || rows[0]["mode"] != "chargeback" {
			t.Errorf("first row = %v", rows[0])
		}
	})
}

func TestJournal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := exportSetup(t, d)
		if _, err := w.b.Journal(ctx, w.member, "2026-03", billing.JournalAccounts{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester's journal = %v", err)
		}
		if _, err := w.b.Journal(ctx, w.finance, "2025-01", billing.JournalAccounts{}); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("journal of a month never billed = %v", err)
		}
		if _, err := w.b.Journal(ctx, w.finance, "2026-03", billing.JournalAccounts{Expense: "64 00", Recovery: "4900"}); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("journal with a bad account code = %v", err)
		}
		lab := statementOf(t, w, w.lab.ID, "2026-03")
		ex, err := w.b.Journal(ctx, w.finance, "2026-03", billing.JournalAccounts{})
		if err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, stream(t, ex))
		// One entry, for the chargeback laboratory; the showback office is left out.
		if len(rows) != 2 {
			t.Fatalf("journal rows = %v", rows)
		}
		debit, credit := rows[0], rows[1]
		want := lab.Total.StringFixed(2)
		if debit["account"] != "6400" || debit["cost_centre"] != "LAB" || debit["debit"] != want || debit["credit"] != "" ||
			credit["account"] != "4900" || credit["cost_centre"] != "IT" || credit["credit"] != want || credit["debit"] != "" ||
			debit["status"] != "draft" || debit["date"] != "2026-03-31" || debit["entry"] != credit["entry"] {
			t.Fatalf("entry = %v / %v", debit, credit)
		}
		sum, err := w.b.JournalSummary(ctx, w.finance, "2026-03", billing.JournalAccounts{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Entries != 1 || !sum.Balanced() || len(sum.Excluded) != 1 || sum.Excluded[0].CostCentre != "OFF" {
			t.Fatalf("summary = %+v", sum)
		}

		// April: after closing March, a refund bigger than the month's
		// charges swaps the sides, and the journal still balances.
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Corrects: "2026-03", Amount: dec("-1000"),
			Currency: "EUR", Reason: "Goodwill refund"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
			t.Fatal(err)
		}
		april := statementOf(t, w, w.lab.ID, "2026-04")
		if !april.Total.IsNegative() {
			t.Fatalf("april total = %s; want a refund", april.Total)
		}
		ex, err = w.b.Journal(ctx, w.finance, "2026-04", billing.JournalAccounts{Expense: "6410", Recovery: "4910", RecoveryCostCentre: "ITOPS"})
		if err != nil {
			t.Fatal(err)
		}
		rows = readCSV(t, stream(t, ex))
		debits, credits := decimal.Zero, decimal.Zero
		for _, r := range rows {
			if r["debit"] != "" {
				debits = debits.Add(dec(r["debit"]))
			}
			if r["credit"] != "" {
				credits = credits.Add(dec(r["credit"]))
			}
		}
		if len(rows) != 2 || !debits.Equal(credits) || rows[0]["account"] != "4910" || rows[0]["cost_centre"] != "ITOPS" ||
			rows[1]["account"] != "6410" || rows[1]["cost_centre"] != "LAB" || !dec(rows[0]["debit"]).Equal(april.Total.Neg()) {
			t.Fatalf("refund journal = %v", rows)
		}
		// March is closed: its journal is final.
		ex, _ = w.b.Journal(ctx, w.finance, "2026-03", billing.JournalAccounts{})
		if rows = readCSV(t, stream(t, ex)); rows[0]["status"] != "final" || ex.Filename != "journal-2026-03.csv" {
			t.Fatalf("closed month's journal = %v (%s)", rows[0], ex.Filename)
		}
	})
}

func TestFOCUSExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := exportSetup(t, d)
		if _, err := w.b.FOCUS(ctx, w.member, billing.FOCUSFilter{Period: "2026-03"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester's FOCUS export = %v", err)
		}
		if _, err := w.b.FOCUS(ctx, w.member, billing.FOCUSFilter{Period: "2026-03", DepartmentID: w.lab.ID}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a member's department FOCUS export = %v", err)
		}
		ex, err := w.b.FOCUS(ctx, w.finance, billing.FOCUSFilter{Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		rd, err := focus.NewReader(bytes.NewReader(stream(t, ex)), focus.Options{})
		if err != nil {
			t.Fatal(err)
		}
		statements, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		want := decimal.Zero
		lines := 0
		for _, st := range statements {
			want = want.Add(st.Total)
			full, _ := w.b.Statement(ctx, w.finance, st.ID)
			lines += len(full.Lines)
		}
		got, n := decimal.Zero, 0
		categories := map[string]int{}
		var mailbox *focus.Row
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("row %d: %v", n+1, err)
			}
			n++
			got = got.Add(row.BilledCost)
			categories[row.ChargeCategory]++
			if !row.BilledCost.Equal(row.EffectiveCost) || row.ProviderName != billing.ProviderName || row.BillingCurrency != "EUR" {
				t.Errorf("row %+v", row)
			}
			if row.SubAccountId == "LAB" && row.ChargePeriodStart.Day() == 16 {
				r := row
				mailbox = &r
			}
		}
		if n != lines || !got.Equal(want) {
			t.Fatalf("FOCUS: %d rows adding up to %s; statements: %d lines, %s", n, got, lines, want)
		}
		if rep := rd.Report(); rep.RowsRejected != 0 || len(rep.Warnings) != 0 {
			t.Errorf("reading our own FOCUS file: %+v", rep)
		}
		if categories["Purchase"] == 0 || categories["Usage"] != 1 {
			t.Errorf("charge categories = %v", categories)
		}
		// The mailboxes started on 16 March: the charge period is their 16 days.
		if mailbox == nil || !mailbox.ChargePeriodEnd.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) || mailbox.ChargeCategory != "Purchase" ||
			mailbox.ChargeFrequency != "Recurring" || mailbox.Tags["engage-kind"] != "subscription" {
			t.Fatalf("prorated mailbox row = %+v", mailbox)
		}
		// A department's own export, for its budget holder.
		holder := &access.Principal{Name: "holder", DepartmentID: w.office.ID, Roles: []access.Role{access.BudgetHolder}, Heads: []int64{w.office.ID}}
		ex, err = w.b.FOCUS(ctx, holder, billing.FOCUSFilter{Period: "2026-03", DepartmentID: w.office.ID})
		if err != nil {
			t.Fatal(err)
		}
		rd, _ = focus.NewReader(bytes.NewReader(stream(t, ex)), focus.Options{})
		for {
			row, err := rd.Next()
			if err != nil {
				break
			}
			if row.SubAccountId != "OFF" {
				t.Fatalf("the office's export has a row of %s", row.SubAccountId)
			}
		}
		if rd.Report().RowsAccepted != 1 {
			t.Fatalf("the office's export has %d rows; want its mailbox line", rd.Report().RowsAccepted)
		}
	})
}

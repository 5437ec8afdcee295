package cloudbill_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// oldCharge is a cloud_charges row as migration 7 stores it.
type oldCharge struct {
	ID                                                    int64
	Fingerprint                                           string
	ImportID                                              int64
	Line                                                  int64
	Period, Provider, BillingAccountID, SubAccountID      string
	SubAccountName, ServiceName, ServiceCategory          string
	ResourceID, ResourceName, ChargeCategory, Description string
	BilledCost, EffectiveCost, Currency                   string
	Start, End                                            time.Time
	Tags                                                  string
}

// oldAllocation is a cloud_allocations row as migration 7 stores it.
type oldAllocation struct {
	ID, ChargeID int64
	Period       string
	DepartmentID sql.NullInt64
	RuleID       sql.NullInt64
	Amount       string
	Currency     string
}

func some(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: true} }

func insertImport(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO cloud_imports(id, file_name, sha256, format, basis, imported_by, started_at)
		VALUES (7, 'focus.csv', 'abc', 'focus-csv', 'effective', 'test', ?)`, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
}

func insertCharge(t *testing.T, d *db.DB, c oldCharge) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO cloud_charges(id, fingerprint, import_id, line, period, provider,
		billing_account_id, sub_account_id, sub_account_name, service_name, service_category, resource_id, resource_name,
		charge_category, charge_description, billed_cost, effective_cost, currency, charge_period_start, charge_period_end, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Fingerprint, c.ImportID, c.Line, c.Period, c.Provider, c.BillingAccountID, c.SubAccountID, c.SubAccountName,
		c.ServiceName, c.ServiceCategory, c.ResourceID, c.ResourceName, c.ChargeCategory, c.Description,
		c.BilledCost, c.EffectiveCost, c.Currency, c.Start, c.End, c.Tags); err != nil {
		t.Fatal(err)
	}
}

func insertAllocation(t *testing.T, d *db.DB, a oldAllocation) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO cloud_allocations(id, charge_id, period, department_id, rule_id, amount, currency)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ChargeID, a.Period, a.DepartmentID, a.RuleID, a.Amount, a.Currency); err != nil {
		t.Fatal(err)
	}
}

// storedCharges reads cloud_charges by fingerprint, ids left out.
func storedCharges(t *testing.T, d *db.DB) map[string]oldCharge {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT id, fingerprint, import_id, line, period, provider, billing_account_id,
		sub_account_id, sub_account_name, service_name, service_category, resource_id, resource_name, charge_category,
		charge_description, CAST(billed_cost AS TEXT), CAST(effective_cost AS TEXT), currency, charge_period_start,
		charge_period_end, tags FROM cloud_charges`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]oldCharge{}
	for rows.Next() {
		var c oldCharge
		if err := rows.Scan(&c.ID, &c.Fingerprint, &c.ImportID, &c.Line, &c.Period, &c.Provider, &c.BillingAccountID,
			&c.SubAccountID, &c.SubAccountName, &c.ServiceName, &c.ServiceCategory, &c.ResourceID, &c.ResourceName,
			&c.ChargeCategory, &c.Description, &c.BilledCost, &c.EffectiveCost, &c.Currency, &c.Start, &c.End, &c.Tags); err != nil {
			t.Fatal(err)
		}
		out[c.Fingerprint] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// storedAllocations reads cloud_allocations in id order, each with the
// fingerprint of its charge.
func storedAllocations(t *testing.T, d *db.DB) ([]oldAllocation, []string) {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT a.id, a.charge_id, c.fingerprint, a.period, a.department_id, a.rule_id,
		CAST(a.amount AS TEXT), a.currency
		FROM cloud_allocations a JOIN cloud_charges c ON c.id = a.charge_id ORDER BY a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []oldAllocation
	var fps []string
	for rows.Next() {
		var a oldAllocation
		var fp string
		if err := rows.Scan(&a.ID, &a.ChargeID, &fp, &a.Period, &a.DepartmentID, &a.RuleID, &a.Amount, &a.Currency); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
		fps = append(fps, fp)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, fps
}

// batch is a cloud_charge_batches row.
type batch struct {
	ID                              int64
	Period                          string
	DepartmentID                    sql.NullInt64
	Provider, ServiceName, Currency string
	Amount                          string
	Charges                         int
	Data                            string
}

func storedBatches(t *testing.T, d *db.DB) []batch {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT id, period, department_id, provider, service_name, currency,
		CAST(amount AS TEXT), charges, data FROM cloud_charge_batches ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []batch
	for rows.Next() {
		var b batch
		if err := rows.Scan(&b.ID, &b.Period, &b.DepartmentID, &b.Provider, &b.ServiceName, &b.Currency, &b.Amount, &b.Charges, &b.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// elements decodes a batch's data, numbers as json.Number.
func elements(t *testing.T, data string) [][]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.UseNumber()
	var out [][]any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("batch data %q: %v", data, err)
	}
	return out
}

// storedTime reads a time of a batch element: RFC 3339 as PostgreSQL
// writes it, or the text SQLite kept for the column.
func storedTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("time %#v is not a string", v)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm
		}
	}
	t.Fatalf("time %q in no known layout", s)
	return time.Time{}
}

func missing(t *testing.T, d *db.DB, table string) {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err == nil {
		t.Fatalf("table %s still exists", table)
	}
}

// TestCloudBatchesMigration: migration 10 turns charges and their
// allocations into batches, each allocation an element holding the charge's
// fields as stored (odd text, amounts that floating point would round,
// times in another zone), with exact batch amounts; reverting it gives the
// rows back, and migrating again gives the same batches.
func TestCloudBatchesMigration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if d.Dialect == db.Postgres {
			// One connection, in a session outside UTC: the times of the
			// elements must not depend on the session's zone.
			d.SQL().SetMaxOpenConns(1)
			if _, err := d.Exec(ctx, "SET TIME ZONE 'America/New_York'"); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.MigrateTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		insertImport(t, d)
		split := oldCharge{ID: 10, Fingerprint: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", ImportID: 7, Line: 2, Period: "2026-01", Provider: "aws",
			BillingAccountID: "acct", SubAccountID: "sub-1", SubAccountName: "Sub \"One\"", ServiceName: "EC2",
			ServiceCategory: "Compute", ResourceID: "i-1", ResourceName: "Res é", ChargeCategory: "Usage",
			Description: "m5 \"large\" \\ é ✓\nline two\t.", BilledCost: "12345678901234.5", EffectiveCost: "12345678901234.50",
			Currency: "USD", Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
			Tags: `{"team":"a","note":"say \"hi\"\nbye é ✓"}`}
		unallocated := oldCharge{ID: 20, Fingerprint: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", ImportID: 7, Line: 3, Period: "2026-02", Provider: "gcp",
			BillingAccountID: "billing", SubAccountID: "proj", SubAccountName: "Project", ServiceName: "Compute Engine",
			ServiceCategory: "Compute", ChargeCategory: "Credit", Description: "", BilledCost: "-3.25", EffectiveCost: "-3.25",
			Currency: "EUR", Start: time.Date(2026, 2, 15, 10, 30, 0, 123456000, time.FixedZone("", 2*3600)),
			End: time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC), Tags: `{}`}
		third := oldCharge{ID: 30, Fingerprint: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", ImportID: 7, Line: 4, Period: "2026-01", Provider: "aws",
			BillingAccountID: "acct", SubAccountID: "sub-1", SubAccountName: "Sub \"One\"", ServiceName: "EC2",
			ServiceCategory: "Compute", ResourceID: "i-2", ResourceName: "Two", ChargeCategory: "Usage", Description: "d",
			BilledCost: "0.2", EffectiveCost: "0.2", Currency: "USD",
			Start: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC),
			Tags: `{"cost-center":"42","empty":""}`}
		charges := map[int64]oldCharge{10: split, 20: unallocated, 30: third}
		for _, c := range []oldCharge{third, split, unallocated} {
			insertCharge(t, d, c)
		}
		// The split charge's first allocation (lowest id) goes to department
		// 2, its second to department 1 after the third charge's.
		allocs := []oldAllocation{
			{ID: 101, ChargeID: 10, Period: "2026-01", DepartmentID: some(2), RuleID: some(3), Amount: "0.000001", Currency: "USD"},
			{ID: 102, ChargeID: 30, Period: "2026-01", DepartmentID: some(1), RuleID: some(4), Amount: "0.2", Currency: "USD"},
			{ID: 103, ChargeID: 10, Period: "2026-01", DepartmentID: some(1), RuleID: some(3), Amount: "12345678901234.499999", Currency: "USD"},
			{ID: 104, ChargeID: 20, Period: "2026-02", Amount: "-3.25", Currency: "EUR"},
		}
		// Inserted out of id order: elements follow ids, not the order of
		// writing.
		for _, i := range []int{2, 0, 3, 1} {
			insertAllocation(t, d, allocs[i])
		}
		beforeCharges := storedCharges(t, d)
		beforeAllocs, beforeFPs := storedAllocations(t, d)
		if len(beforeCharges) != 3 || len(beforeAllocs) != 4 {
			t.Fatalf("before: %d charges, %d allocations", len(beforeCharges), len(beforeAllocs))
		}

		if err := d.MigrateTo(ctx, 10); err != nil {
			t.Fatal(err)
		}
		missing(t, d, "cloud_charges")
		missing(t, d, "cloud_allocations")
		// Each charge's key is in its period's run: the first 16 bytes of
		// its fingerprint.
		for period, want := range map[string][]string{"2026-01": {"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"}, "2026-02": {"c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"}} {
			var run []byte
			if err := d.QueryRow(ctx, "SELECT keys FROM cloud_charge_keys WHERE period = ?", period).Scan(&run); err != nil {
				t.Fatalf("keys of %s: %v", period, err)
			}
			wantHex := ""
			for _, fp := range want {
				wantHex += fp[:2*db.KeySize]
			}
			if got := hex.EncodeToString(run); got != wantHex {
				t.Errorf("keys of %s = %s; want the first halves of %q", period, got, want)
			}
		}

		batches := storedBatches(t, d)
		// Batches in the order of their first allocation, each holding its
		// allocations in id order with the part they are of their charge.
		type element struct {
			alloc oldAllocation
			part  int
		}
		want := []struct {
			department sql.NullInt64
			period     string
			provider   string
			service    string
			currency   string
			elements   []element
		}{
			{some(2), "2026-01", "aws", "EC2", "USD", []element{{allocs[0], 0}}},
			{some(1), "2026-01", "aws", "EC2", "USD", []element{{allocs[1], 0}, {allocs[2], 1}}},
			{sql.NullInt64{}, "2026-02", "gcp", "Compute Engine", "EUR", []element{{allocs[3], 0}}},
		}
		if len(batches) != len(want) {
			t.Fatalf("%d batches; want %d: %+v", len(batches), len(want), batches)
		}
		for i, w := range want {
			b := batches[i]
			if b.DepartmentID != w.department || b.Period != w.period || b.Provider != w.provider ||
				b.ServiceName != w.service || b.Currency != w.currency || b.Charges != len(w.elements) {
				t.Fatalf("batch %d = %+v; want %+v", i, b, w)
			}
			sum := decimal.Zero
			for _, e := range w.elements {
				sum = sum.Add(dec(e.alloc.Amount))
			}
			if !dec(b.Amount).Equal(sum) {
				t.Fatalf("batch %d amount = %s; want %s", i, b.Amount, sum)
			}
			got := elements(t, b.Data)
			if len(got) != len(w.elements) {
				t.Fatalf("batch %d holds %d elements; want %d", i, len(got), len(w.elements))
			}
			for j, we := range w.elements {
				e := got[j]
				c := charges[we.alloc.ChargeID]
				if len(e) != 19 {
					t.Fatalf("batch %d element %d has %d fields: %v", i, j, len(e), e)
				}
				var rule any
				if we.alloc.RuleID.Valid {
					rule = json.Number(fmt.Sprint(we.alloc.RuleID.Int64))
				}
				wantFields := []any{json.Number(fmt.Sprint(we.part)), rule, we.alloc.Amount, c.Fingerprint,
					json.Number(fmt.Sprint(c.ImportID)), json.Number(fmt.Sprint(c.Line)), c.BillingAccountID,
					c.SubAccountID, c.SubAccountName, c.ServiceCategory, c.ResourceID, c.ResourceName,
					c.ChargeCategory, c.Description, c.BilledCost, c.EffectiveCost}
				if !reflect.DeepEqual(e[:16], wantFields) {
					t.Fatalf("batch %d element %d = %#v;\nwant %#v", i, j, e[:16], wantFields)
				}
				start, end := storedTime(t, e[16]), storedTime(t, e[17])
				if !start.Equal(c.Start) || !end.Equal(c.End) {
					t.Fatalf("batch %d element %d times = %v, %v; want %v, %v", i, j, start, end, c.Start, c.End)
				}
				if d.Dialect == db.Postgres && e[16] != c.Start.UTC().Format("2006-01-02T15:04:05.000000Z") {
					t.Fatalf("batch %d element %d start = %q", i, j, e[16])
				}
				var tags map[string]any
				if err := json.Unmarshal([]byte(c.Tags), &tags); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(e[18], tags) {
					t.Fatalf("batch %d element %d tags = %#v; want the object %#v", i, j, e[18], tags)
				}
			}
		}

		if err := d.MigrateTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		missing(t, d, "cloud_charge_batches")
		missing(t, d, "cloud_charge_keys")
		afterCharges := storedCharges(t, d)
		afterAllocs, afterFPs := storedAllocations(t, d)
		if len(afterCharges) != len(beforeCharges) {
			t.Fatalf("%d charges after reverting; want %d", len(afterCharges), len(beforeCharges))
		}
		for fp, was := range beforeCharges {
			got, ok := afterCharges[fp]
			if !ok {
				t.Fatalf("charge %s missing after reverting", fp)
			}
			if !dec(got.BilledCost).Equal(dec(was.BilledCost)) || !dec(got.EffectiveCost).Equal(dec(was.EffectiveCost)) ||
				!got.Start.Equal(was.Start) || !got.End.Equal(was.End) {
				t.Fatalf("charge %s after reverting = %+v; want %+v", fp, got, was)
			}
			var gotTags, wasTags any
			if err := json.Unmarshal([]byte(got.Tags), &gotTags); err != nil {
				t.Fatalf("charge %s tags %q: %v", fp, got.Tags, err)
			}
			if err := json.Unmarshal([]byte(was.Tags), &wasTags); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotTags, wasTags) {
				t.Fatalf("charge %s tags = %s; want %s", fp, got.Tags, was.Tags)
			}
			// The rest compare as they are; ids are new.
			got.ID, got.BilledCost, got.EffectiveCost, got.Start, got.End, got.Tags = 0, "", "", time.Time{}, time.Time{}, ""
			was.ID, was.BilledCost, was.EffectiveCost, was.Start, was.End, was.Tags = 0, "", "", time.Time{}, time.Time{}, ""
			if got != was {
				t.Fatalf("charge %s after reverting = %+v; want %+v", fp, got, was)
			}
		}
		if !slices.Equal(afterFPs, beforeFPs) || len(afterAllocs) != len(beforeAllocs) {
			t.Fatalf("allocations after reverting are of %q; want %q", afterFPs, beforeFPs)
		}
		for i, was := range beforeAllocs {
			got := afterAllocs[i]
			if got.ChargeID != afterCharges[afterFPs[i]].ID {
				t.Fatalf("allocation %d charge = %d; want %d", i, got.ChargeID, afterCharges[afterFPs[i]].ID)
			}
			if !dec(got.Amount).Equal(dec(was.Amount)) {
				t.Fatalf("allocation %d amount = %s; want %s", i, got.Amount, was.Amount)
			}
			got.ID, got.ChargeID, got.Amount = 0, 0, ""
			was.ID, was.ChargeID, was.Amount = 0, 0, ""
			if got != was {
				t.Fatalf("allocation %d after reverting = %+v; want %+v", i, got, was)
			}
		}

		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if again := storedBatches(t, d); !reflect.DeepEqual(again, batches) {
			t.Fatalf("batches after migrating again = %+v;\nwant %+v", again, batches)
		}
	})
}

// TestCloudBatchesChunked: a group of more than 10,000 allocations becomes
// batches of 10,000 and the rest, in order, and comes back whole.
func TestCloudBatchesChunked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.MigrateTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		insertImport(t, d)
		insertCharge(t, d, oldCharge{ID: 1, Fingerprint: strings.Repeat("d4", 32), ImportID: 7, Line: 2, Period: "2026-03", Provider: "aws",
			ServiceName: "S3", BilledCost: "0.010001", EffectiveCost: "0.010001", Currency: "USD",
			Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Tags: "{}"})
		if _, err := d.Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
			INSERT INTO cloud_allocations(id, charge_id, period, department_id, rule_id, amount, currency)
			SELECT i, 1, '2026-03', 5, NULL, '0.000001', 'USD' FROM n`); err != nil {
			t.Fatal(err)
		}
		if err := d.MigrateTo(ctx, 10); err != nil {
			t.Fatal(err)
		}
		batches := storedBatches(t, d)
		if len(batches) != 2 || batches[0].Charges != 10000 || batches[1].Charges != 1 ||
			!dec(batches[0].Amount).Equal(dec("0.01")) || !dec(batches[1].Amount).Equal(dec("0.000001")) {
			for _, b := range batches {
				t.Errorf("batch %d: %d elements adding up to %s", b.ID, b.Charges, b.Amount)
			}
			t.Fatalf("%d batches; want 10,000 elements adding up to 0.01, then 1 of 0.000001", len(batches))
		}
		part := 0
		for _, b := range batches {
			es := elements(t, b.Data)
			if len(es) != b.Charges {
				t.Fatalf("batch %d holds %d elements; counted %d", b.ID, len(es), b.Charges)
			}
			for _, e := range es {
				if e[0] != json.Number(fmt.Sprint(part)) {
					t.Fatalf("element %d is part %v", part, e[0])
				}
				part++
			}
		}
		if err := d.MigrateTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		var charges, allocations int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM cloud_charges").Scan(&charges); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM cloud_allocations
			WHERE charge_id = (SELECT id FROM cloud_charges WHERE fingerprint = ?) AND amount = '0.000001'`, strings.Repeat("d4", 32)).Scan(&allocations); err != nil {
			t.Fatal(err)
		}
		if charges != 1 || allocations != 10001 {
			t.Fatalf("after reverting: %d charges, %d allocations of 0.000001", charges, allocations)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

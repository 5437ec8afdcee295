package cloudbill_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
)

const (
	sampleFile = "../focus/testdata/focus_sample.csv"
	flexFile   = "../focus/testdata/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv"
	saasFile   = "../focus/testdata/saas_spend_agreements_b2_whole.csv"
)

// fixture is a small organisation: BIO (3 active people and one who left),
// CHEM (1) and IT (2), with a finance person, an administrator and a
// requester in BIO.
type fixture struct {
	t       testing.TB
	ctx     context.Context
	d       *db.DB
	s       *cloudbill.Service
	dept    map[string]int64
	finance *access.Principal
	admin   *access.Principal
	bio     *access.Principal // a requester in BIO
}

func setup(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC))
	f := &fixture{t: t, ctx: ctx, d: d, s: cloudbill.New(d, clock, ""), dept: map[string]int64{}}
	now := clock.Now()
	people := map[string]int64{}
	err := d.Transact(ctx, func(tx *db.Tx) error {
		for _, code := range []string{"BIO", "CHEM", "IT"} {
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO departments(code, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
				code, code+" department", now, now).Scan(&id); err != nil {
				return err
			}
			f.dept[code] = id
		}
		for _, p := range []struct {
			email, dept string
			active      bool
		}{
			{"bio1@example.com", "BIO", true}, {"bio2@example.com", "BIO", true}, {"bio3@example.com", "BIO", true},
			{"gone@example.com", "BIO", false}, {"chem1@example.com", "CHEM", true},
			{"it1@example.com", "IT", true}, {"it2@example.com", "IT", true},
		} {
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO people(email, name, department_id, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
				p.email, p.email, f.dept[p.dept], p.active, now, now).Scan(&id); err != nil {
				return err
			}
			people[p.email] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.finance = &access.Principal{PersonID: people["it1@example.com"], Name: "Fiona Finance", DepartmentID: f.dept["IT"], Roles: []access.Role{access.Finance}}
	f.admin = &access.Principal{PersonID: people["it2@example.com"], Name: "Ada Admin", DepartmentID: f.dept["IT"], Roles: []access.Role{access.Admin}}
	f.bio = &access.Principal{PersonID: people["bio1@example.com"], Name: "Riley Requester", DepartmentID: f.dept["BIO"], Roles: []access.Role{access.Requester}}
	return f
}

func (f *fixture) importFile(path string, opts cloudbill.ImportOptions) cloudbill.CloudImport {
	f.t.Helper()
	file, err := os.Open(path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer file.Close()
	rep, err := f.s.Import(f.ctx, f.finance, path, file, opts)
	if err != nil {
		f.t.Fatalf("Import(%s): %v", path, err)
	}
	return rep
}

func (f *fixture) importString(name, data string, opts cloudbill.ImportOptions) cloudbill.CloudImport {
	f.t.Helper()
	rep, err := f.s.Import(f.ctx, f.finance, name, strings.NewReader(data), opts)
	if err != nil {
		f.t.Fatalf("Import(%s): %v", name, err)
	}
	return rep
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.d.Exec(f.ctx, query, args...); err != nil {
		f.t.Fatal(err)
	}
}

// insert runs an INSERT … RETURNING id on the writer.
func (f *fixture) insert(id *int64, query string, args ...any) error {
	return f.d.Transact(f.ctx, func(tx *db.Tx) error { return tx.QueryRow(f.ctx, query, args...).Scan(id) })
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) rule(in cloudbill.AllocationRuleInput) cloudbill.AllocationRule {
	f.t.Helper()
	r, err := f.s.CreateRule(f.ctx, f.finance, in)
	if err != nil {
		f.t.Fatalf("CreateRule(%s): %v", in.Name, err)
	}
	return r
}

// sums are BilledCost and EffectiveCost per "provider|currency".
type sums map[string][2]*big.Rat

// independentSums adds up a CSV file with encoding/csv and big.Rat only:
// ProviderName, BillingCurrency (def when the column is absent),
// BilledCost and EffectiveCost (BilledCost when absent or null); NULL
// tokens count as empty.
func independentSums(t *testing.T, path, def string) (sums, int) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	cr := csv.NewReader(file)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimPrefix(h, "\uFEFF"))] = i
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || strings.EqualFold(rec[i], "null") {
			return ""
		}
		return rec[i]
	}
	out := sums{}
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		currency := def
		if _, ok := col["billingcurrency"]; ok {
			currency = get(rec, "billingcurrency")
		}
		billed, ok := new(big.Rat).SetString(get(rec, "billedcost"))
		if !ok {
			t.Fatalf("%s: row %d: BilledCost %q", path, n, get(rec, "billedcost"))
		}
		effective := billed
		if s := get(rec, "effectivecost"); s != "" {
			if effective, ok = new(big.Rat).SetString(s); !ok {
				t.Fatalf("%s: row %d: EffectiveCost %q", path, n, s)
			}
		}
		k := get(rec, "providername") + "|" + currency
		acc, found := out[k]
		if !found {
			acc = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			out[k] = acc
		}
		acc[0].Add(acc[0], billed)
		acc[1].Add(acc[1], effective)
	}
	return out, n
}

// checkTotals compares a report's totals with independent sums, exactly.
func checkTotals(t *testing.T, rep cloudbill.CloudImport, want sums) {
	t.Helper()
	if len(rep.Totals) != len(want) {
		t.Errorf("%d totals, want %d: %+v", len(rep.Totals), len(want), rep.Totals)
	}
	for _, tot := range rep.Totals {
		w, ok := want[tot.Provider+"|"+tot.Currency]
		if !ok {
			t.Errorf("unexpected total for %q/%q", tot.Provider, tot.Currency)
			continue
		}
		if tot.BilledCost.Rat().Cmp(w[0]) != 0 {
			t.Errorf("%s/%s BilledCost = %s, independent sum %s", tot.Provider, tot.Currency, tot.BilledCost, w[0].FloatString(20))
		}
		if tot.EffectiveCost.Rat().Cmp(w[1]) != 0 {
			t.Errorf("%s/%s EffectiveCost = %s, independent sum %s", tot.Provider, tot.Currency, tot.EffectiveCost, w[1].FloatString(20))
		}
	}
}

// share is one stored share of a charge, read back from the batches with
// encoding/json alone.
type share struct {
	period, currency          string
	fingerprint               string
	dept                      int64
	part                      int
	importID                  int64
	line                      int
	amount, billed, effective decimal.Decimal
}

// shares reads every stored share, in batch order, checking that each
// batch's amount and count are those of its shares.
func (f *fixture) shares() []share {
	f.t.Helper()
	rows, err := f.d.Query(f.ctx, "SELECT period, COALESCE(department_id, 0), currency, amount, charges, data, packed FROM cloud_charge_batches ORDER BY id")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []share
	for rows.Next() {
		var period, currency string
		var data sql.NullString
		var packed []byte
		var dept int64
		var amount decimal.Decimal
		var n int
		if err := rows.Scan(&period, &dept, &currency, &amount, &n, &data, &packed); err != nil {
			f.t.Fatal(err)
		}
		if !data.Valid {
			text, err := s2.Decode(nil, packed)
			if err != nil {
				f.t.Fatal(err)
			}
			data.String = string(text)
		}
		var elements [][]json.RawMessage
		if err := json.Unmarshal([]byte(data.String), &elements); err != nil {
			f.t.Fatalf("batch data %.200s: %v", data.String, err)
		}
		sum := decimal.Zero
		for _, e := range elements {
			sh := share{period: period, currency: currency, dept: dept}
			if len(e) != 19 {
				f.t.Fatalf("element of %d fields: %s", len(e), e)
			}
			for i, dst := range map[int]any{0: &sh.part, 2: &sh.amount, 3: &sh.fingerprint, 4: &sh.importID, 5: &sh.line, 14: &sh.billed, 15: &sh.effective} {
				if err := json.Unmarshal(e[i], dst); err != nil {
					f.t.Fatalf("element field %d %s: %v", i, e[i], err)
				}
			}
			sum = sum.Add(sh.amount)
			out = append(out, sh)
		}
		if len(elements) != n || !sum.Equal(amount) {
			f.t.Fatalf("batch of %s says %d shares and %s, holds %d and %s", period, n, amount, len(elements), sum)
		}
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// storedSums adds up the stored charges (on the basis given: "billed" or
// "effective") and their shares per currency, with math/big.
func storedSums(t *testing.T, f *fixture, basis string) (charges, allocations map[string]*big.Rat) {
	t.Helper()
	charges, allocations = map[string]*big.Rat{}, map[string]*big.Rat{}
	add := func(m map[string]*big.Rat, cur string, d decimal.Decimal) {
		if m[cur] == nil {
			m[cur] = new(big.Rat)
		}
		m[cur].Add(m[cur], d.Rat())
	}
	for _, sh := range f.shares() {
		if sh.part == 0 {
			cost := sh.effective
			if basis == "billed" {
				cost = sh.billed
			}
			add(charges, sh.currency, cost)
		}
		add(allocations, sh.currency, sh.amount)
	}
	return charges, allocations
}

// chargesOf counts the stored charges of a line of an import.
func (f *fixture) chargesOf(importID int64, line int) int {
	n := 0
	for _, sh := range f.shares() {
		if sh.importID == importID && sh.line == line && sh.part == 0 {
			n++
		}
	}
	return n
}

// periods lists the periods of the stored charges.
func (f *fixture) periods() []string {
	f.t.Helper()
	rows, err := f.d.Query(f.ctx, "SELECT DISTINCT period FROM cloud_charge_batches ORDER BY period")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

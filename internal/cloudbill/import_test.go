package cloudbill_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/focus"
)

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func warningCount(rep cloudbill.CloudImport, kind focus.WarningKind) int64 {
	for _, w := range rep.Warnings {
		if w.Kind == string(kind) {
			return w.Count
		}
	}
	return 0
}

// TestImportSamples imports the three FOCUS sample files and checks the
// report, the stored charges and their allocations against sums made with
// encoding/csv and math/big alone; then imports them again.
func TestImportSamples(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		files := []struct {
			path, currency string
			opts           cloudbill.ImportOptions
			rows           int64
			version        string
		}{
			{sampleFile, "", cloudbill.ImportOptions{}, 1000, "1.0"},
			{flexFile, "USD", cloudbill.ImportOptions{DefaultCurrency: "usd"}, 3, "1.1"},
			{saasFile, "", cloudbill.ImportOptions{SlashDates: focus.SlashDatesMDY}, 14, "1.1"},
		}
		all := map[string]*big.Rat{}
		var total int64
		for _, file := range files {
			var lastRows int64
			file.opts.Progress = func(_, rows int64) { lastRows = rows }
			rep := f.importFile(file.path, file.opts)
			want, n := independentSums(t, file.path, file.currency)
			if rep.Rows != file.rows || int64(n) != file.rows || rep.Accepted != file.rows || rep.Added != file.rows ||
				rep.Duplicates != 0 || rep.Rejected != 0 || len(rep.Errors) != 0 {
				t.Fatalf("%s: rows %d (csv %d) accepted %d added %d duplicates %d rejected %d %v", file.path, rep.Rows, n,
					rep.Accepted, rep.Added, rep.Duplicates, rep.Rejected, rep.Errors)
			}
			if lastRows != file.rows {
				t.Errorf("%s: last progress at %d rows, want %d", file.path, lastRows, file.rows)
			}
			if rep.Format != "csv" || rep.Version != file.version || rep.Basis != cloudbill.BasisEffective || rep.SHA256 != fileSHA(t, file.path) {
				t.Errorf("%s: format %q version %q basis %q sha %s", file.path, rep.Format, rep.Version, rep.Basis, rep.SHA256)
			}
			checkTotals(t, rep, want)
			// No rules: everything added is unallocated, to the last digit.
			for _, w := range want {
				cur := "USD"
				all[cur] = new(big.Rat).Add(orZero(all[cur]), w[1])
			}
			if len(rep.Allocation) != 1 || rep.Allocation[0].Currency != "USD" || !rep.Allocation[0].Allocated.IsZero() ||
				rep.Allocation[0].UnallocatedRows != file.rows || rep.Allocation[0].Unallocated.Rat().Cmp(sumEffective(want)) != 0 {
				t.Errorf("%s: allocation %+v, want all %s unallocated", file.path, rep.Allocation, sumEffective(want).FloatString(12))
			}
			got, err := f.s.FindImport(f.ctx, f.finance, rep.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(jsonOf(t, got), jsonOf(t, rep)) {
				t.Errorf("%s: stored report differs:\n got %s\nwant %s", file.path, jsonOf(t, got), jsonOf(t, rep))
			}
			total += file.rows
		}
		// The sample's deviations are reported by kind.
		first, err := f.s.FindImport(f.ctx, f.finance, 1)
		if err != nil {
			t.Fatal(err)
		}
		if warningCount(first, focus.WarnNullToken) != 8973 || warningCount(first, focus.WarnTimestampNoT) != 4000 || warningCount(first, focus.WarnUnknownColumn) != 1 {
			t.Errorf("sample warnings %+v", first.Warnings)
		}

		if n := f.count("SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"); int64(n) != total {
			t.Fatalf("%d charges stored, want %d", n, total)
		}
		// A stored charge's fingerprint is the start of the one the FOCUS
		// reader gives its row.
		byLine := fingerprintsOf(t, sampleFile)
		checked := 0
		for _, sh := range f.shares() {
			if sh.importID != first.ID {
				continue
			}
			if want := byLine[sh.line]; len(sh.fingerprint) != 32 || sh.fingerprint != want[:32] {
				t.Fatalf("line %d stored with fingerprint %q, want the start of %q", sh.line, sh.fingerprint, want)
			}
			checked++
		}
		if checked != 1000 {
			t.Errorf("%d shares of the sample checked, want 1000", checked)
		}
		charges, allocs := storedSums(t, f, "effective")
		if len(charges) != 1 || charges["USD"].Cmp(all["USD"]) != 0 || allocs["USD"].Cmp(all["USD"]) != 0 {
			t.Errorf("stored effective %v, allocated %v, independent %v", ratText(charges), ratText(allocs), ratText(all))
		}
		// The unallocated bucket of every period holds the rest, exactly.
		sum := new(big.Rat)
		for _, p := range f.periods() {
			u, err := f.s.Unallocated(f.ctx, f.finance, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range u {
				sum.Add(sum, x.Amount.Rat())
			}
		}
		if sum.Cmp(all["USD"]) != 0 {
			t.Errorf("unallocated over the periods = %s, want %s", sum.FloatString(12), all["USD"].FloatString(12))
		}

		// Again: nothing is added, every row is a duplicate.
		for _, file := range files {
			rep := f.importFile(file.path, file.opts)
			if rep.Added != 0 || rep.Duplicates != file.rows || rep.Accepted != file.rows || len(rep.Allocation) != 0 {
				t.Errorf("re-import of %s: added %d duplicates %d allocation %+v", file.path, rep.Added, rep.Duplicates, rep.Allocation)
			}
		}
		if n := f.count("SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"); int64(n) != total {
			t.Errorf("%d charges after re-importing, want %d", n, total)
		}
		if n := f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches"); int64(n) != total {
			t.Errorf("%d allocations after re-importing, want %d", n, total)
		}
		list, next, err := f.s.ListImports(f.ctx, f.finance, "", 4)
		if err != nil || len(list) != 4 || next == "" || list[0].ID != 6 {
			t.Fatalf("ListImports = %d items, next %q, err %v", len(list), next, err)
		}
		rest, next, err := f.s.ListImports(f.ctx, f.finance, next, 4)
		if err != nil || len(rest) != 2 || next != "" || rest[1].ID != 1 {
			t.Fatalf("ListImports page 2 = %d items, next %q, err %v", len(rest), next, err)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity_type = 'cloud_import'"); n != 6 {
			t.Errorf("%d audit events for 6 imports", n)
		}
	})
}

func orZero(r *big.Rat) *big.Rat {
	if r == nil {
		return new(big.Rat)
	}
	return r
}

func sumEffective(s sums) *big.Rat {
	out := new(big.Rat)
	for _, v := range s {
		out.Add(out, v[1])
	}
	return out
}

func ratText(m map[string]*big.Rat) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.FloatString(12)
	}
	return out
}

// TestSlashDatesRejected: without a date order, rows with 5/1/25 dates
// cannot be read: the file is refused, each row listed with its line; when
// a partial file is accepted, they are rejected one by one.
func TestSlashDatesRejected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		file, err := os.Open(saasFile)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		_, err = f.s.Import(f.ctx, f.finance, saasFile, file, cloudbill.ImportOptions{})
		fields := engage.ErrorFields(err)
		if engage.ErrorCode(err) != engage.EINVALID || len(fields) != 14 || fields[0].Field != "line 2" || fields[13].Field != "line 15" ||
			!strings.Contains(fields[0].Message, "ChargePeriodStart: \"4/1/25\": slash date is ambiguous; give the date order") ||
			!strings.Contains(engage.ErrorMessage(err), "14 of 14 rows cannot be read; nothing was imported") || f.count("SELECT COUNT(*) FROM cloud_imports") != 0 {
			t.Fatalf("import of unreadable rows = %v", err)
		}
		rep := f.importFile(saasFile, cloudbill.ImportOptions{AcceptPartial: true})
		if rep.Rows != 14 || rep.Rejected != 14 || rep.Added != 0 || len(rep.Errors) != 14 || len(rep.Totals) != 0 {
			t.Fatalf("report %+v", rep)
		}
		for i, e := range rep.Errors {
			if e.Line != i+2 || e.Column != "ChargePeriodStart" || !strings.Contains(e.Message, "ambiguous; give the date order (mdy or dmy)") {
				t.Errorf("error %d = %+v", i, e)
			}
		}
		if n := f.count("SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"); n != 0 {
			t.Errorf("%d charges stored", n)
		}
	})
}

// splitLines returns the header and the data lines of a CSV file without
// quoted line breaks.
func splitLines(t *testing.T, path string) (string, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[0], lines[1:]
}

// TestOverlappingFiles imports the first 600 rows of the sample, then rows
// 400 to 1000: the second adds only the 400 rows the first lacked.
func TestOverlappingFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		header, lines := splitLines(t, sampleFile)
		if len(lines) != 1000 {
			t.Fatalf("%d lines", len(lines))
		}
		first := f.importString("first.csv", header+"\n"+strings.Join(lines[:600], "\n")+"\n", cloudbill.ImportOptions{})
		second := f.importString("second.csv", header+"\n"+strings.Join(lines[399:], "\n")+"\n", cloudbill.ImportOptions{})
		if first.Added != 600 || first.Duplicates != 0 {
			t.Errorf("first: added %d duplicates %d", first.Added, first.Duplicates)
		}
		if second.Rows != 601 || second.Added != 400 || second.Duplicates != 201 || second.Accepted != 601 {
			t.Errorf("second: rows %d added %d duplicates %d", second.Rows, second.Added, second.Duplicates)
		}
		if n := f.count("SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"); n != 1000 {
			t.Errorf("%d charges stored, want 1000", n)
		}
		// Together they hold exactly the whole file.
		want, _ := independentSums(t, sampleFile, "")
		charges, allocs := storedSums(t, f, "billed")
		billed := new(big.Rat)
		for _, w := range want {
			billed.Add(billed, w[0])
		}
		if charges["USD"].Cmp(billed) != 0 {
			t.Errorf("stored billed %s, file %s", charges["USD"].FloatString(12), billed.FloatString(12))
		}
		effective, _ := storedSums(t, f, "effective")
		if allocs["USD"].Cmp(effective["USD"]) != 0 {
			t.Errorf("allocated %s, stored effective %s", allocs["USD"].FloatString(12), effective["USD"].FloatString(12))
		}
		// The line of a charge is its line in the file that stored it.
		if n := f.chargesOf(second.ID, 2); n != 0 {
			t.Errorf("second file's line 2 was stored again")
		}
		if n := f.chargesOf(second.ID, 203); n != 1 {
			t.Errorf("second file's first new row (line 203) is not stored as line 203")
		}
	})
}

// failingReader yields the first n bytes of data and then fails.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// TestImportIsAtomic: a file that fails part way leaves nothing behind, and
// importing it again completes it.
func TestImportIsAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.BatchRows = 50 // several batches are written before the failure
		f.rule(cloudbill.AllocationRuleInput{Name: "All to IT", Action: cloudbill.ActionAssign, DepartmentID: f.dept["IT"]})
		data, err := os.ReadFile(sampleFile)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Import(f.ctx, f.finance, "broken.csv", &failingReader{r: strings.NewReader(string(data)), n: len(data) * 3 / 4}, cloudbill.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("Import of a failing reader = %v", err)
		}
		for _, table := range []string{"cloud_charge_keys", "cloud_charge_batches", "cloud_imports"} {
			if n := f.count("SELECT COUNT(*) FROM " + table); n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity_type = 'cloud_import'"); n != 0 {
			t.Errorf("%d import audit events left", n)
		}
		rep := f.importFile(sampleFile, cloudbill.ImportOptions{})
		if rep.Added != 1000 || f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches WHERE department_id = ?", f.dept["IT"]) != 1000 {
			t.Errorf("import after the failure added %d", rep.Added)
		}
	})
}

// TestImportStoreFailure: when storing a batch fails part way (batches are
// stored while the next are filled), the import reports it and leaves
// nothing behind; once the fault is gone it completes.
func TestImportStoreFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.BatchRows, f.s.BatchCharges = 50, 20 // fifty batches, stored one by one
		if d.Dialect == db.SQLite {
			f.exec(`CREATE TRIGGER full_disk BEFORE INSERT ON cloud_charge_batches
				WHEN (SELECT COUNT(*) FROM cloud_charge_batches) >= 3 BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`)
		} else {
			f.exec(`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF (SELECT COUNT(*) FROM cloud_charge_batches) >= 3 THEN RAISE EXCEPTION 'the disk is full'; END IF; RETURN NEW; END $$`)
			f.exec(`CREATE TRIGGER full_disk BEFORE INSERT ON cloud_charge_batches FOR EACH ROW EXECUTE FUNCTION full_disk()`)
		}
		data, err := os.ReadFile(sampleFile)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Import(f.ctx, f.finance, "sample.csv", bytes.NewReader(data), cloudbill.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "storing charges") || !strings.Contains(err.Error(), "the disk is full") {
			t.Fatalf("Import with a failing store = %v", err)
		}
		for _, table := range []string{"cloud_charge_keys", "cloud_charge_batches", "cloud_imports"} {
			if n := f.count("SELECT COUNT(*) FROM " + table); n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		if d.Dialect == db.SQLite {
			f.exec("DROP TRIGGER full_disk")
		} else {
			f.exec("DROP TRIGGER full_disk ON cloud_charge_batches")
		}
		rep := f.importFile(sampleFile, cloudbill.ImportOptions{})
		if rep.Added != 1000 || f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches") != 1000 ||
			f.count("SELECT COUNT(*) FROM cloud_charge_batches") < 50 {
			t.Errorf("import after the fault added %d in %d batches", rep.Added, f.count("SELECT COUNT(*) FROM cloud_charge_batches"))
		}
	})
}

// TestImportRefusals: wrong people and unreadable files.
func TestImportRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		data := "BilledCost,ChargePeriodStart,ChargePeriodEnd,BillingCurrency\n1,2026-02-01T00:00:00Z,2026-02-02T00:00:00Z,USD\n"
		if _, err := f.s.Import(f.ctx, f.bio, "x.csv", strings.NewReader(data), cloudbill.ImportOptions{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester import = %v", err)
		}
		_, err := f.s.Import(f.ctx, f.admin, "x.csv", strings.NewReader("BilledCost,ChargePeriodStart\n1,2026-02-01\n"), cloudbill.ImportOptions{})
		if engage.ErrorCode(err) != engage.EINVALID || len(engage.ErrorFields(err)) != 1 || engage.ErrorFields(err)[0].Field != "line 1" ||
			!strings.Contains(engage.ErrorFields(err)[0].Message, "ChargePeriodEnd") {
			t.Errorf("missing column = %v", err)
		}
		if _, err := f.s.Import(f.ctx, f.admin, "x.csv", strings.NewReader(data), cloudbill.ImportOptions{Basis: "list"}); engage.ErrorCode(err) != engage.EINVALID {
			t.Errorf("unknown basis = %v", err)
		}
		if rep, err := f.s.Import(f.ctx, f.admin, "x.csv", strings.NewReader(data), cloudbill.ImportOptions{}); err != nil || rep.Added != 1 {
			t.Errorf("admin import = %+v, %v", rep, err)
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_imports"); n != 1 {
			t.Errorf("%d imports recorded, want 1", n)
		}
	})
}

// TestConcurrentImports: two imports of one file at the same time take
// turns; the rows are stored once.
func TestConcurrentImports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		data, err := os.ReadFile(sampleFile)
		if err != nil {
			t.Fatal(err)
		}
		reps := make([]cloudbill.CloudImport, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = f.s.Import(f.ctx, f.finance, "same.csv", strings.NewReader(string(data)), cloudbill.ImportOptions{})
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("imports failed: %v, %v", errs[0], errs[1])
		}
		if reps[0].Added+reps[1].Added != 1000 || reps[0].Duplicates+reps[1].Duplicates != 1000 {
			t.Errorf("added %d+%d, duplicates %d+%d", reps[0].Added, reps[1].Added, reps[0].Duplicates, reps[1].Duplicates)
		}
		if n := f.count("SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys"); n != 1000 {
			t.Errorf("%d charges stored", n)
		}
		if n := f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches"); n != 1000 {
			t.Errorf("%d allocations stored", n)
		}
	})
}

type parquetCharge struct {
	BilledCost        string            `parquet:"BilledCost"`
	EffectiveCost     string            `parquet:"EffectiveCost"`
	BillingCurrency   string            `parquet:"BillingCurrency"`
	ChargePeriodStart time.Time         `parquet:"ChargePeriodStart,timestamp(millisecond)"`
	ChargePeriodEnd   time.Time         `parquet:"ChargePeriodEnd,timestamp(millisecond)"`
	ProviderName      string            `parquet:"ProviderName"`
	ServiceName       string            `parquet:"ServiceName"`
	Tags              map[string]string `parquet:"Tags"`
}

// TestImportParquet reads a Parquet file (random access) and hashes the
// whole file.
func TestImportParquet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.rule(cloudbill.AllocationRuleInput{Name: "Chemistry", Match: cloudbill.RuleMatch{TagKey: "team", TagValue: "chem"},
			Action: cloudbill.ActionAssign, DepartmentID: f.dept["CHEM"]})
		start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		path := filepath.Join(t.TempDir(), "bill.parquet")
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := parquet.NewGenericWriter[parquetCharge](out)
		if _, err := w.Write([]parquetCharge{
			{"1.10", "1.00", "EUR", start, start.Add(time.Hour), "Cloud", "VM", map[string]string{"team": "chem"}},
			{"2.20", "2.00", "EUR", start, start.Add(time.Hour), "Cloud", "VM", map[string]string{"team": "bio"}},
			{"0.000000001", "0.000000001", "EUR", start.Add(time.Hour), start.Add(2 * time.Hour), "Cloud", "DNS", nil},
		}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out.Close()
		rep := f.importFile(path, cloudbill.ImportOptions{})
		if rep.Format != "parquet" || rep.Added != 3 || rep.SHA256 != fileSHA(t, path) {
			t.Fatalf("report %+v", rep)
		}
		if len(rep.Totals) != 1 || !rep.Totals[0].BilledCost.Equal(dec("3.300000001")) || !rep.Totals[0].EffectiveCost.Equal(dec("3.000000001")) {
			t.Errorf("totals %+v", rep.Totals)
		}
		if len(rep.Allocation) != 1 || !rep.Allocation[0].Allocated.Equal(dec("1")) || !rep.Allocation[0].Unallocated.Equal(dec("2.000000001")) {
			t.Errorf("allocation %+v", rep.Allocation)
		}
		if got := f.allocationsOf(rep.ID, 1); !slices.Equal(got, []string{"CHEM=1"}) {
			t.Errorf("row 1 allocated %v", got)
		}
	})
}

// fingerprintsOf reads a FOCUS file with the reader alone and returns each
// line's fingerprint.
func fingerprintsOf(t *testing.T, path string) map[int]string {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rd, err := focus.NewReader(file, focus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[row.Line] = row.Fingerprint
	}
}

// TestPartialFiles: a bill with a row that cannot be read is refused whole,
// the row named, unless a partial file is accepted; a bill cut in its last
// row (plain or gzip-compressed) is refused either way; the same for
// Parquet.
func TestPartialFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		refused := func(name string, data []byte, opts cloudbill.ImportOptions, field, want string) {
			t.Helper()
			_, err := f.s.Import(f.ctx, f.finance, name, bytes.NewReader(data), opts)
			fields := engage.ErrorFields(err)
			if engage.ErrorCode(err) != engage.EINVALID || len(fields) == 0 || fields[0].Field != field || !strings.Contains(fields[0].Message, want) {
				t.Fatalf("%s = %v; want %s: %q", name, err, field, want)
			}
			if n := f.count("SELECT COUNT(*) FROM cloud_imports"); n != 0 {
				t.Fatalf("%s: %d imports recorded", name, n)
			}
		}
		bad := []byte(csvOf(charge{billed: "1.00", service: "A"}, charge{billed: "1,5", service: "B"}, charge{billed: "3.00", service: "C"}))
		refused("bad.csv", bad, cloudbill.ImportOptions{}, "line 3", "has 13 fields, the header has 11")
		whole := []byte(csvOf(charge{billed: "1.00", service: "A"}, charge{billed: "2.00", service: "B"}, charge{billed: "3.00", service: "C"}))
		cut := whole[:len(whole)-30]
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(cut)
		zw.Close()
		for _, opts := range []cloudbill.ImportOptions{{}, {AcceptPartial: true}} {
			refused("cut.csv", cut, opts, "file", "line 4 is cut")
			refused("cut.csv.gz", gz.Bytes(), opts, "file", "line 4 is cut")
			refused("open-quote.csv", append(append([]byte{}, whole...), `1.00,1.00,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,AWS,D,,,,"{`+"\n"...),
				opts, "file", "line 5 is cut")
		}
		// Cut where every field still looks whole (here, just before the
		// last line break): refused too, partial or not.
		for _, opts := range []cloudbill.ImportOptions{{}, {AcceptPartial: true}} {
			refused("no-last-break.csv", whole[:len(whole)-1], opts, "file", "line 4 is cut")
		}
		badText := csvOf(charge{billed: "1.00", service: "Caf\xe9"}, charge{billed: "2.00", service: "Nul\x00l"}, charge{billed: "4.00", service: "Fine"})
		refused("latin-1.csv", []byte(badText), cloudbill.ImportOptions{}, "line 2", "ServiceName: Contains bytes that are not UTF-8")
		rep := f.importString("bad.csv", string(bad), cloudbill.ImportOptions{AcceptPartial: true})
		if rep.Added != 2 || rep.Rejected != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 {
			t.Fatalf("partial import = %+v", rep)
		}
		// Text that is not UTF-8, or holds NUL, makes its line unreadable:
		// listed and refused, or left out when a partial file is accepted,
		// never stored with the bytes replaced.
		rep = f.importString("latin-1.csv", badText, cloudbill.ImportOptions{AcceptPartial: true})
		if rep.Added != 1 || rep.Rejected != 2 || len(rep.Errors) != 2 || rep.Errors[1].Line != 3 || !strings.Contains(rep.Errors[1].Message, "NUL") {
			t.Fatalf("partial import of bad text = %+v", rep)
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_charge_batches WHERE service_name NOT IN ('A', 'C', 'Fine')"); n != 0 {
			t.Fatalf("%d charges stored with other service names", n)
		}

		// Parquet, with one cost that cannot be read.
		start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		path := filepath.Join(t.TempDir(), "bill.parquet")
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := parquet.NewGenericWriter[parquetCharge](out)
		if _, err := w.Write([]parquetCharge{
			{"1.10", "1.00", "EUR", start, start.Add(time.Hour), "Cloud", "VM", nil},
			{"two", "2.00", "EUR", start, start.Add(time.Hour), "Cloud", "VM", nil},
		}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out.Close()
		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		if _, err := f.s.Import(f.ctx, f.finance, path, file, cloudbill.ImportOptions{}); len(engage.ErrorFields(err)) != 1 ||
			engage.ErrorFields(err)[0].Field != "line 2" || !strings.Contains(engage.ErrorFields(err)[0].Message, "BilledCost") {
			t.Fatalf("Parquet with an unreadable cost = %v", err)
		}
		if rep := f.importFile(path, cloudbill.ImportOptions{AcceptPartial: true}); rep.Added != 1 || rep.Rejected != 1 {
			t.Fatalf("Parquet, partial = %+v", rep)
		}
	})
}

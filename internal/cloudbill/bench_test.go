package cloudbill_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/focus/focussynth"
)

// synthMonth is the month of the synthetic rows.
var synthMonth = time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)

// benchRules are typical rules: a tag, a split and a driver; a quarter of
// the rows match none.
func benchRules(f *fixture) {
	f.rule(cloudbill.AllocationRuleInput{Name: "Business unit 3", Match: cloudbill.RuleMatch{TagKey: "business_unit", TagValue: "bu3"},
		Action: cloudbill.ActionAssign, DepartmentID: f.dept["BIO"]})
	f.rule(cloudbill.AllocationRuleInput{Name: "Storage", Match: cloudbill.RuleMatch{ServiceCategory: "Storage"}, Action: cloudbill.ActionSplit,
		Splits: []cloudbill.SplitShare{{f.dept["BIO"], dec("40")}, {f.dept["CHEM"], dec("60")}}})
	f.rule(cloudbill.AllocationRuleInput{Name: "Compute", Match: cloudbill.RuleMatch{ServiceName: "Amazon Elastic Compute Cloud"}, Action: cloudbill.ActionDriver,
		Driver: cloudbill.DriverHeadcount})
	f.rule(cloudbill.AllocationRuleInput{Name: "Networking", Match: cloudbill.RuleMatch{ServiceCategory: "Networking"}, Action: cloudbill.ActionAssign,
		DepartmentID: f.dept["IT"]})
}

// BenchmarkImportCSV imports a generated FOCUS 1.0 CSV file of 200,000
// rows (about 140 MB) from disk, on each engine, with allocation rules, and
// reports rows per second and the peak heap in use.
func BenchmarkImportCSV(b *testing.B) {
	const rows = 200000
	for _, e := range dbtest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			d := e.Open(b)
			f := setup(b, d)
			benchRules(f)
			paths := make([]string, b.N)
			for i := range b.N {
				paths[i] = filepath.Join(b.TempDir(), "focus.csv")
				writeSynth(b, paths[i], i*rows, rows)
			}
			fi, _ := os.Stat(paths[0])
			b.SetBytes(fi.Size())
			runtime.GC()
			var peak uint64
			var ms runtime.MemStats
			sample := func(int64, int64) {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ResetTimer()
			start, cpu0 := time.Now(), benchkit.ProcessCPU()
			for i := range b.N {
				file, err := os.Open(paths[i])
				if err != nil {
					b.Fatal(err)
				}
				rep, err := f.s.Import(f.ctx, f.finance, "focus.csv", file, cloudbill.ImportOptions{Progress: sample})
				file.Close()
				if err != nil {
					b.Fatal(err)
				}
				if rep.Added != rows {
					b.Fatalf("added %d rows, want %d", rep.Added, rows)
				}
			}
			elapsed, cpu := time.Since(start), benchkit.ProcessCPU()-cpu0
			b.StopTimer()
			b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			// CPU time of this process per row (the database server's, on
			// PostgreSQL, is not included): on a busy machine the rate above
			// falls while this stays put.
			b.ReportMetric(float64(cpu.Microseconds())/float64(rows*b.N), "cpu-µs/row")
		})
	}
}

// processCPU is the user and system CPU time used by this process so far.
func writeSynth(tb testing.TB, path string, from, n int) {
	tb.Helper()
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	if _, err := io.Copy(w, &focussynth.Stream{Month: synthMonth, From: from, N: n}); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// TestImportMemoryIsFlat imports a generated file that is never in memory
// and checks that the heap stays small while it streams.
func TestImportMemoryIsFlat(t *testing.T) {
	rows := 150000
	if testing.Short() {
		rows = 20000
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		benchRules(f)
		runtime.GC()
		var peak uint64
		var ms runtime.MemStats
		calls := 0
		rep, err := f.s.Import(f.ctx, f.finance, "stream.csv", &focussynth.Stream{Month: synthMonth, N: rows}, cloudbill.ImportOptions{Progress: func(int64, int64) {
			calls++
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != int64(rows) || calls < 2 {
			t.Fatalf("added %d of %d rows, %d progress calls", rep.Added, rows, calls)
		}
		t.Logf("%d rows, peak heap in use %d MB", rows, peak>>20)
		if peak > 96<<20 {
			t.Errorf("peak heap in use %d MB while streaming; want under 96 MB", peak>>20)
		}
		// Every row was allocated: the parts add up to the rows.
		charges, allocs := storedSums(t, f, "effective")
		if charges["USD"].Cmp(allocs["USD"]) != 0 {
			t.Errorf("allocated %s of %s", allocs["USD"].FloatString(12), charges["USD"].FloatString(12))
		}
	})
}

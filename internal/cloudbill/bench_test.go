package cloudbill_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// synthHeader is the FOCUS 1.0 layout of the FinOps Foundation sample (43
// columns) plus an x_ column.
const synthHeader = "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart," +
	"ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory," +
	"CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,CommitmentDiscountType,ConsumedQuantity,ConsumedUnit," +
	"ContractedCost,ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity," +
	"PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName," +
	"SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags,x_Operation\n"

var synthServices = []struct{ name, category, unit string }{
	{"Amazon Elastic Compute Cloud", "Compute", "Hours"},
	{"Amazon Simple Storage Service", "Storage", "GB-Mo"},
	{"Elastic Load Balancing", "Networking", "LCU-Hours"},
	{"Amazon Relational Database Service", "Databases", "Hours"},
}

// appendSynthRow appends a realistic row i (about 700 bytes) of September
// 2024. Every row is distinct; costs have 11 decimals like real exports.
func appendSynthRow(b []byte, i int) []byte {
	svc := synthServices[i%len(synthServices)]
	hour := i % (30 * 24)
	start := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(hour) * time.Hour)
	end := start.Add(time.Hour)
	cost := strconv.FormatFloat(float64(i%100000)/1e7+0.00000001, 'f', 11, 64)
	qty := strconv.Itoa(1 + i%7)
	sub := strconv.Itoa(100000000000 + i%73)
	b = append(b, "us-east-1a,"...)
	b = append(b, cost...)
	b = append(b, ",123456789012,Acme Payer,USD,2024-10-01T00:00:00Z,2024-09-01T00:00:00Z,Usage,,"...)
	b = append(b, `"$0.0416 per On Demand Linux t3.medium Instance Hour",Usage-Based,`...)
	b = end.AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = start.AppendFormat(b, time.RFC3339)
	b = append(b, ",,,,,,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.unit...)
	b = append(b, ',')
	b = append(b, cost...)
	b = append(b, ",0.0416,"...)
	b = append(b, cost...)
	b = append(b, ",Amazon Web Services Inc.,"...)
	b = append(b, cost...)
	b = append(b, ",0.0416,Standard,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.unit...)
	b = append(b, ",AWS,Amazon Web Services Inc.,us-east-1,US East (N. Virginia),arn:aws:ec2:us-east-1:123456789012:instance/i-"...)
	b = strconv.AppendInt(b, int64(1000000000+i), 16)
	b = append(b, ",web-"...)
	b = strconv.AppendInt(b, int64(i%5000), 10)
	b = append(b, ",Instance,"...)
	b = append(b, svc.category...)
	b = append(b, ',')
	b = append(b, svc.name...)
	b = append(b, ",G95FST5FTYV3JSRX,G95FST5FTYV3JSRX.JRTCKXETXF.6YS6EN2CT7,"...)
	b = append(b, sub...)
	b = append(b, ",Team "...)
	b = append(b, sub[len(sub)-2:]...)
	b = append(b, `,"{""application"": ""app`...)
	b = strconv.AppendInt(b, int64(i%40), 10)
	b = append(b, `"", ""environment"": ""prod"", ""business_unit"": ""bu`...)
	b = strconv.AppendInt(b, int64(i%9), 10)
	b = append(b, `""}",RunInstances`...)
	b = append(b, '\n')
	return b
}

// synthStream generates rows [from, from+n) on the fly, so that a file
// of any size can be imported without ever being in memory.
type synthStream struct {
	from, n, i int
	buf        []byte
	off        int
	started    bool
}

func (s *synthStream) Read(p []byte) (int, error) {
	if s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
		if !s.started {
			s.buf = append(s.buf, synthHeader...)
			s.started = true
		}
		for k := 0; k < 64 && s.i < s.n; k++ {
			s.buf = appendSynthRow(s.buf, s.from+s.i)
			s.i++
		}
		if len(s.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

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
			start, cpu0 := time.Now(), processCPU()
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
			elapsed, cpu := time.Since(start), processCPU()-cpu0
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
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func writeSynth(tb testing.TB, path string, from, n int) {
	tb.Helper()
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	if _, err := io.Copy(w, &synthStream{from: from, n: n}); err != nil {
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
		rep, err := f.s.Import(f.ctx, f.finance, "stream.csv", &synthStream{n: rows}, cloudbill.ImportOptions{Progress: func(int64, int64) {
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
		charges, allocs := storedSums(t, f, "effective_cost")
		if charges["USD"].Cmp(allocs["USD"]) != 0 {
			t.Errorf("allocated %s of %s", allocs["USD"].FloatString(12), charges["USD"].FloatString(12))
		}
	})
}

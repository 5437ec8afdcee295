package focus

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
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

// appendSynthRow appends a realistic row i (about 700 bytes). Every row is
// distinct; costs have 11 decimals like real exports.
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

func synthCSV(rows int) []byte {
	b := make([]byte, 0, rows*760+len(synthHeader))
	b = append(b, synthHeader...)
	for i := range rows {
		b = appendSynthRow(b, i)
	}
	return b
}

// synthStream generates a synthetic file of n rows on the fly, so that a
// test can read a large file that is never in memory.
type synthStream struct {
	n, i int
	buf  []byte
	off  int
}

func (s *synthStream) Read(p []byte) (int, error) {
	if s.off == len(s.buf) {
		if s.i > s.n {
			return 0, io.EOF
		}
		s.buf, s.off = s.buf[:0], 0
		if s.i == 0 {
			s.buf = append(s.buf, synthHeader...)
		}
		for k := 0; k < 64 && s.i < s.n; k++ {
			s.buf = appendSynthRow(s.buf, s.i)
			s.i++
		}
		if s.i == s.n {
			s.i++ // done after this buffer
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

func BenchmarkReadCSV(b *testing.B) {
	const rows = 50000
	data := synthCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
}

// TestStreamingMemory reads a generated file of 300,000 rows (about 220 MB
// of CSV) that never exists in memory, and checks that the heap stays small.
func TestStreamingMemory(t *testing.T) {
	rows := 300000
	if testing.Short() {
		rows = 30000
	}
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	sample := func(int64, int64) {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	calls := 0
	var lastRows int64
	progress := func(b, n int64) {
		calls++
		lastRows = n
		sample(b, n)
	}
	began := time.Now()
	r, err := NewReader(&synthStream{n: rows}, Options{Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n%50000 == 0 {
			sample(0, 0)
		}
	}
	sample(0, 0)
	rep := r.Report()
	if n != rows || rep.RowsAccepted != int64(rows) {
		t.Fatalf("read %d rows (report %d), want %d", n, rep.RowsAccepted, rows)
	}
	if rep.BytesRead < int64(rows)*600 {
		t.Fatalf("BytesRead = %d, too small for %d rows", rep.BytesRead, rows)
	}
	// Progress: at most every 100 ms (the first comes early), plus the final call.
	if limit := int(time.Since(began)/progressEvery) + 2; calls < 1 || calls > limit || lastRows != int64(rows) {
		t.Errorf("%d progress calls (limit %d), last at %d rows", calls, limit, lastRows)
	}
	t.Logf("%d rows, %d MB read, peak heap in use %d MB, %d progress calls", rows, rep.BytesRead>>20, peak>>20, calls)
	if peak > 64<<20 {
		t.Fatalf("peak heap in use %d MB, want under 64 MB", peak>>20)
	}
}

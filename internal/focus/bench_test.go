package focus

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/focus/focussynth"
)

// synthMonth is the month of the synthetic rows.
var synthMonth = time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)

func synthCSV(rows int) []byte {
	b := make([]byte, 0, rows*760+len(focussynth.Header))
	b = append(b, focussynth.Header...)
	for i := range rows {
		b = focussynth.AppendRow(b, synthMonth, i)
	}
	return b
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
	r, err := NewReader(&focussynth.Stream{Month: synthMonth, N: rows}, Options{Progress: progress})
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

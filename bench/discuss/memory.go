package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// The server's memory. Engage runs in this process beside the loader and
// the callers: the loader's rows (a million replies' worth) are garbage
// once loaded, so after loading the heap is collected and returned to the
// system and the peak resident size (VmHWM) is reset (Linux: writing 5 to
// /proc/self/clear_refs); the peak measured afterwards is that of Engage
// serving, with the 50 callers' connections (a few MiB). The Go heap is
// sampled too, to tell the kept data from the collector's headroom.

// resetPeak collects the loader's garbage and resets VmHWM; false when the
// kernel does not allow it (the peak then includes the loading).
func resetPeak() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// heapWatch samples the Go heap every 100 ms until stopped.
type heapWatch struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	// peak of the heap's live and unswept objects, and of all the memory
	// the Go runtime holds from the system.
	peakHeap, peakTotal uint64
}

func watchHeap() *heapWatch {
	h := &heapWatch{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	h.wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			h.mu.Lock()
			h.peakHeap = max(h.peakHeap, samples[0].Value.Uint64())
			h.peakTotal = max(h.peakTotal, samples[1].Value.Uint64())
			h.mu.Unlock()
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// done stops sampling and says what was seen.
func (h *heapWatch) done() string {
	close(h.stop)
	h.wg.Wait()
	var live runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&live)
	return fmt.Sprintf("Go heap objects peak %s (live after a collection at the end: %s), Go runtime's memory peak %s, memory limit %s",
		mib(h.peakHeap), mib(live.HeapAlloc), mib(h.peakTotal), limitText(debug.SetMemoryLimit(-1)))
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func limitText(l int64) string {
	if l <= 0 || l == 1<<63-1 {
		return "none"
	}
	return mib(uint64(l))
}

// gcCount is how many garbage collections have run so far.
func gcCount() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

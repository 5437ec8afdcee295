package search

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks run on generated documents whose words follow a Zipf
// distribution over a vocabulary of IT and everyday words (the frequent
// head) and invented words (the long tail), with English stop words mixed
// in as in real text. Run them with
//
//	go test ./internal/search/ -run x -bench . -benchtime 2000x

// itWords are the frequent head of the generated vocabulary.
var itWords = strings.Fields(`
	access account accounts add agreement alert analysis analytics android api app apple
	application applications approval archive assistant audio authentication automation
	backup badge batch battery billing broken browser budget bucket build business cable
	calendar call camera capacity certificate change channel chat client cloud cluster code
	collaboration colleague compliance computer computing configuration connection
	connectivity container contract copy cost create customer dashboard data database
	deadline delete department deploy desk desktop developer development device digital
	disk display document documents domain download drive email encryption error excel
	experiment external failure file files finance firewall folder form gpu group guest
	hardware headset help home hosting identity incident install instrument integration
	internet inventory invoice ipad iphone keyboard lab laboratory laptop learning licence
	license linux load log login machine mailbox maintenance managed management meeting
	memory microsoft migration mobile model monitor monitoring mouse network notebook
	office onboarding outlook password patch payment performance permission phone pipeline
	platform policy portal power print printer privacy procurement production project
	protection provider purchase python query rack recovery release remote report reporting
	request research reset restore results review room router sample samples scanner
	schedule screen script secure security server service sharepoint sign site slow
	smartphone software space speed sql storage subscription supplier support system
	tablet team teams test ticket token tool training transfer travel update upgrade upload
	user users vendor video virtual vpn web website wifi windows wireless workflow
	workstation`)

// fillerWords are stop words that appear between content words.
var fillerWords = strings.Fields(`the a to for and of in we our is it on with my i need can not be this that from at`)

type corpus struct {
	vocab []string
	zipf  *rand.Zipf
	r     *rand.Rand
}

func newCorpus(seed uint64, tail int) *corpus {
	r := rand.New(rand.NewPCG(seed, 7))
	head := slices.Clone(itWords)
	r.Shuffle(len(head), func(i, j int) { head[i], head[j] = head[j], head[i] })
	syll := strings.Fields("ka lo mi ne ru sa ti vo ber con dex fin gal har ion jor kel lum mar nor pol quin ris sol tor ven wex yar zen")
	seen := make(map[string]bool)
	for _, w := range head {
		seen[w] = true
	}
	vocab := head
	for len(vocab) < len(head)+tail {
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		if w := sb.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &corpus{vocab: vocab, zipf: rand.NewZipf(r, 1.05, 3, uint64(len(vocab)-1)), r: r}
}

// text returns n words: content words drawn by Zipf, with one stop word in
// three and an occasional capital and comma.
func (c *corpus) text(n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			if c.r.IntN(12) == 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte(' ')
		}
		if c.r.IntN(3) == 0 {
			sb.WriteString(fillerWords[c.r.IntN(len(fillerWords))])
			continue
		}
		w := c.vocab[c.zipf.Uint64()]
		if i == 0 || c.r.IntN(20) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		sb.WriteString(w)
	}
	return sb.String()
}

type fixture struct {
	ix      *Index
	docs    []Doc
	heapMB  float64
	buildMS float64
	queries []Query
}

var (
	catalogOnce, needsOnce sync.Once
	catalogFix, needsFix   *fixture
)

// build indexes docs from two goroutines and measures the live heap the
// index adds.
func build(docs []Doc) *fixture {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := New()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(docs); i += 2 {
				ix.Put(docs[i])
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return &fixture{
		ix:      ix,
		docs:    docs,
		heapMB:  float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20),
		buildMS: float64(elapsed.Milliseconds()),
	}
}

// catalogFixture is 5,000 services and 20,000 offerings.
func catalogFixture() *fixture {
	catalogOnce.Do(func() {
		c := newCorpus(1, 3000)
		docs := make([]Doc, 0, 25000)
		for i := range 25000 {
			kind := "offering"
			if i < 5000 {
				kind = "service"
			}
			docs = append(docs, Doc{
				ID:   fmt.Sprintf("%s-%05d", kind, i),
				Kind: kind,
				Fields: []Field{
					{Name: "name", Text: c.text(2 + c.r.IntN(4)), Boost: 3},
					{Name: "keywords", Text: c.text(3 + c.r.IntN(4)), Boost: 2},
					{Name: "description", Text: c.text(15 + c.r.IntN(30)), Boost: 1},
				},
				Tags: []string{
					fmt.Sprintf("family:f%02d", c.r.IntN(15)),
					[]string{"lifecycle:live", "lifecycle:live", "lifecycle:live", "lifecycle:planned", "lifecycle:retiring", "lifecycle:retired"}[c.r.IntN(6)],
					fmt.Sprintf("dept:%d", c.r.IntN(40)),
				},
			})
		}
		catalogFix = build(docs)
		catalogFix.queries = []Query{
			{Text: "virtual server", Facets: []string{"family:", "lifecycle:"}},
			{Text: "storage", Kinds: []string{"offering"}},
			{Text: "colaboration"},
			{Text: "lapt"},
			{Text: "database backup", AnyOf: [][]string{{"family:f01", "family:f02", "family:f03"}}},
			{Require: []string{"lifecycle:live"}, Facets: []string{"family:"}},
			{Text: "gpu machine for learning", Facets: []string{"family:"}},
			{Text: "vpn access from home"},
			{Text: "rack me a server", Require: []string{"lifecycle:live"}},
			{Text: "team chat for the lab"},
			{Text: "storrage", Facets: []string{"dept:"}},
			{Text: "printer scanner", Kinds: []string{"service"}, Limit: 50},
		}
	})
	return catalogFix
}

// needsFixture is 100,000 needs of about 80 words.
func needsFixture() *fixture {
	needsOnce.Do(func() {
		c := newCorpus(2, 6000)
		docs := make([]Doc, 0, 100000)
		for i := range 100000 {
			docs = append(docs, Doc{
				ID:   fmt.Sprintf("need-%06d", i),
				Kind: "need",
				Fields: []Field{
					{Name: "title", Text: c.text(6 + c.r.IntN(5)), Boost: 3},
					{Name: "body", Text: c.text(60 + c.r.IntN(30)), Boost: 1},
				},
				Tags: []string{
					fmt.Sprintf("dept:%d", c.r.IntN(12)),
					[]string{"status:open", "status:brokering", "status:delivered", "status:closed"}[c.r.IntN(4)],
				},
			})
		}
		needsFix = build(docs)
		needsFix.queries = []Query{
			{Text: "laptop battery replacement"},
			{Text: "vpn access from home"},
			{Text: "new server for analytics"},
			{Text: "storrage for lab data"},
			{Text: "colaboration tool for the team"},
			{Text: "collab"},
			{Text: "printer not working", Facets: []string{"dept:"}},
			{Text: "database backup", Require: []string{"status:open"}},
			{Text: "password reset", AnyOf: [][]string{{"dept:1", "dept:2", "dept:3"}}},
			{Text: "access to sharepoint site for project", Facets: []string{"dept:", "status:"}},
			{Text: "need a gpu machine for machine learning"},
			{Require: []string{"dept:7"}, Facets: []string{"status:"}},
		}
	})
	return needsFix
}

func benchSequential(b *testing.B, f *fixture) {
	i := 0
	for b.Loop() {
		f.ix.Search(f.queries[i%len(f.queries)])
		i++
	}
}

// benchParallel runs 25 searchers per CPU (50 on two CPUs) while one writer
// replaces a document every 10 ms, and reports search latency percentiles.
func benchParallel(b *testing.B, f *fixture) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i += 7919 {
			select {
			case <-stop:
				return
			case <-t.C:
				f.ix.Put(f.docs[i%len(f.docs)])
			}
		}
	}()
	var (
		mu     sync.Mutex
		all    []time.Duration
		worker atomic.Int64
	)
	b.SetParallelism(25)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1)) * 5
		var local []time.Duration
		for pb.Next() {
			start := time.Now()
			f.ix.Search(f.queries[i%len(f.queries)])
			local = append(local, time.Since(start))
			i++
		}
		mu.Lock()
		all = append(all, local...)
		mu.Unlock()
	})
	b.StopTimer()
	close(stop)
	<-done
	slices.Sort(all)
	if len(all) > 0 {
		pct := func(p float64) float64 {
			return float64(all[min(len(all)-1, int(p*float64(len(all))))]) / 1e6
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(all[len(all)-1])/1e6, "max-ms")
	}
}

func BenchmarkSearchCatalog(b *testing.B) {
	f := catalogFixture()
	benchSequential(b, f)
	b.ReportMetric(f.heapMB, "MB-heap")
}

func BenchmarkSearchCatalogParallel(b *testing.B) {
	benchParallel(b, catalogFixture())
}

func BenchmarkSearchNeeds(b *testing.B) {
	f := needsFixture()
	benchSequential(b, f)
	b.ReportMetric(f.heapMB, "MB-heap")
	b.ReportMetric(f.buildMS, "build-ms")
}

func BenchmarkSearchNeedsParallel(b *testing.B) {
	f := needsFixture()
	benchParallel(b, f)
	b.ReportMetric(f.heapMB, "MB-heap")
}

// BenchmarkPutNeed replaces one need in the 100,000-need index.
func BenchmarkPutNeed(b *testing.B) {
	f := needsFixture()
	i := 0
	for b.Loop() {
		f.ix.Put(f.docs[(i*104729)%len(f.docs)])
		i++
	}
}

// BenchmarkSearchNeedsSkipTotal runs the needs queries asking only for the
// page, as reuse suggestions do.
func BenchmarkSearchNeedsSkipTotal(b *testing.B) {
	f := needsFixture()
	qs := make([]Query, len(f.queries))
	for i, q := range f.queries {
		q.SkipTotal = true
		qs[i] = q
	}
	i := 0
	for b.Loop() {
		f.ix.Search(qs[i%len(qs)])
		i++
	}
}

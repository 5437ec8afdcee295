package config

import (
	"os"
	"runtime/debug"
)

// The server's soft memory limit. Go's collector otherwise lets the heap
// grow to twice what is live before collecting; with the kept replies,
// rendered pages and search index of a large organisation live, that
// headroom alone is over a hundred MiB. Under the limit, Go collects
// sooner as the heap nears it; it is soft: a server that needs more than
// the limit keeps working, collecting more often (Go bounds the
// collector's share of the CPU), so raise it for a larger organisation.
// With 50,000 people and a million community replies about 110 MiB is
// live; at 180 MiB the server's peak resident size while serving was 264
// MiB, and 348 MiB without a limit, for the same CPU a request
// (BENCHMARKS.md, "Community discussions").
const (
	DefaultMemoryLimitMiB = 180
	MinMemoryLimitMiB     = 64
	MaxMemoryLimitMiB     = 1 << 20
)

// ApplyMemoryLimit sets the configured limit for this process, unless
// GOMEMLIMIT is set (it wins) or the limit is 0. It returns the limit in
// effect, in bytes, 0 for none.
func (c Config) ApplyMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") == "" && c.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimitMiB) << 20)
	}
	if l := debug.SetMemoryLimit(-1); l != 1<<63-1 {
		return l
	}
	return 0
}

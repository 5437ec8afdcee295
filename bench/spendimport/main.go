// Command spendimport measures how fast Engage imports card lines, and
// the memory it takes: it starts Engage in-process on a fresh database
// (SQLite in a temporary directory, or a new schema of the PostgreSQL
// database given with -database-url) with the twelve cost centres of the
// card sample, generates -lines card lines as it goes (the sample's
// merchants, other dates, amounts and people), streams them through
// spend.Service.Import as engage import spend and POST
// /api/v1/spend-imports call it, then imports the same file again (which
// adds nothing). It prints lines a second and the process's peak RSS. It
// runs under the server's soft memory limit, as POST /api/v1/spend-imports
// does (-memory-limit-mib 0 for none).
//
//	go run ./bench/spendimport                                  # SQLite, 1,000,000 lines
//	go run ./bench/spendimport -database-url postgres://…       # PostgreSQL
//	go run ./bench/spendimport -lines 5000000                   # the memory claim
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
)

func main() {
	lines := flag.Int("lines", 1000000, "card lines to import")
	databaseURL := flag.String("database-url", "", "PostgreSQL URL (a fresh schema is made in it); SQLite when empty")
	seed := flag.Uint64("seed", 1, "seed of the generated lines")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	memoryLimit := flag.Int("memory-limit-mib", config.DefaultMemoryLimitMiB, "the soft memory limit, as the server's (0 for none; GOMEMLIMIT wins)")
	flag.Parse()
	cfg := config.Default()
	cfg.MemoryLimitMiB = *memoryLimit
	if l := cfg.ApplyMemoryLimit(); l > 0 {
		fmt.Printf("soft memory limit %d MiB (the server's default)\n", l>>20)
	}
	ctx := context.Background()
	a, closeApp, err := benchkit.Open(ctx, *databaseURL, "spendimport")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer closeApp()
	sys := access.System("spendimport")
	for _, c := range benchkit.SpendDepartments {
		if _, err := a.Org.CreateDepartment(ctx, sys, org.DepartmentInput{Code: c, Name: c}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	stop, err := benchkit.StartCPUProfile(*cpuprofile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	run := func(what string) spend.SpendImport {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(benchkit.GenerateSpend(pw, *lines, *seed)) }()
		start := time.Now()
		rep, err := a.Spend.Import(ctx, sys, "generated.csv", pr)
		d := time.Since(start)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%-14s %9d lines in %8s: %8.0f lines/s (%d added, %d unchanged, %d software)\n", what, rep.Lines,
			d.Round(time.Millisecond), float64(rep.Lines)/d.Seconds(), rep.Added, rep.Unchanged, rep.Software)
		return rep
	}
	run("import")
	run("same again")
	stop()
	fmt.Printf("peak RSS %s\n", benchkit.ProcStatus("VmHWM:"))
}

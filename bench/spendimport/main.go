// Command spendimport measures how fast Engage imports card lines, and
// the memory it takes: it starts Engage in-process on a fresh database
// (SQLite in a temporary directory, or a new schema of the PostgreSQL
// database given with -database-url) with the twelve cost centres of the
// card sample, generates -lines card lines as it goes (the sample's
// merchants, other dates, amounts and people), streams them through
// spend.Service.Import as engage import spend and POST
// /api/v1/spend-imports call it, then imports the same file again (which
// adds nothing). It prints lines a second and the process's peak RSS.
//
//	go run ./bench/spendimport                                  # SQLite, 1,000,000 lines
//	go run ./bench/spendimport -database-url postgres://…       # PostgreSQL
//	go run ./bench/spendimport -lines 5000000                   # the memory claim
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
)

var departments = []string{"MKT", "HR", "IT", "DISC", "RND", "FIN", "CLIN", "CHEM", "BIO", "SALES", "CORP", "COM"}

// merchants are descriptors as card networks print them, with their MCC.
var merchants = [][2]string{
	{"ZOOM.US 888-799-9666", "4816"}, {"SLACK T02K8ABCD", "5734"}, {"FS *MIRO", "5734"}, {"PAYPAL *EVERNOTE", "5734"},
	{"MSFT * E0400ABCD", "5734"}, {"ATLASSIAN", "5734"}, {"GITHUB INC.", ""}, {"NOTION LABS INC", "5734"},
	{"CANVA* 03904-1234567", "5818"}, {"DIGITALOCEAN.COM", "4816"}, {"FS *QUILLSTACK", "5734"}, {"PADDLE.NET* N8N", "5734"},
	{"UBER *TRIP HELP.UBER.C", "4121"}, {"STARBUCKS #12345", "5814"}, {"HILTON GARDEN INN", "3504"}, {"STAPLES 00123", "5943"},
	{"UNITED AIRLINES", "3000"}, {"AMZN MKTP US*2K4T71", "5942"}, {"FEDEX 12345678", "4215"}, {"JOE'S DINER 0042", "5812"},
}

var currencies = []string{"GBP", "EUR", "USD", "CHF"}

// generate writes n card lines to w.
func generate(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 16))
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "date,merchant,amount,currency,department,employee_email,mcc,memo,transaction_id")
	for i := 0; i < n; i++ {
		m := merchants[r.IntN(len(merchants))]
		fmt.Fprintf(bw, "2026-%02d-%02d,%s,%d.%02d,%s,%s,person%d@example.com,%s,subscription,T%09d\n",
			1+r.IntN(12), 1+r.IntN(28), m[0], 1+r.IntN(2000), r.IntN(100), currencies[r.IntN(len(currencies))],
			departments[r.IntN(len(departments))], r.IntN(5000), m[1], i)
	}
	return bw.Flush()
}

func main() {
	lines := flag.Int("lines", 1000000, "card lines to import")
	databaseURL := flag.String("database-url", "", "PostgreSQL URL (a fresh schema is made in it); SQLite when empty")
	seed := flag.Uint64("seed", 1, "seed of the generated lines")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	ctx := context.Background()
	a, closeApp, err := benchkit.Open(ctx, *databaseURL, "spendimport")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer closeApp()
	sys := access.System("spendimport")
	for _, c := range departments {
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
		go func() { pw.CloseWithError(generate(pw, *lines, *seed)) }()
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

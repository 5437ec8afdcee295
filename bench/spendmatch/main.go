// Command spendmatch measures how well Engage recognises card and expense
// lines: software or not, and which vendor, against a file whose vendor
// column is the label (empty for spend that is not software). It scores
// the file as it is, reprinted in the ways other card networks print the
// same merchants (lower case, cut at 22 characters, behind a processor's
// prefix, with references, phone numbers and locations), with each
// labelled vendor taken out of the dictionary in turn, and on invented
// vendors no dictionary knows.
//
//	go run ./bench/spendmatch                                   # the repository's sample
//	go run ./bench/spendmatch -file ../shared/data/spend/card_transactions_2026.csv
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/engagehq/engage/internal/spend"
)

func main() {
	file := flag.String("file", "internal/spend/testdata/card_transactions_2026.csv", "labelled card file")
	seed := flag.Uint64("seed", 1, "seed of the reprinted variants")
	invented := flag.Int("invented", 200, "invented vendors")
	flag.Parse()
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lines, err := spend.ReadLabelled(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	m := spend.NewMatcher(spend.Shipped())
	fmt.Printf("%-34s %s\n", "as printed", m.Score(lines))
	for _, v := range spend.Variants {
		fmt.Printf("%-34s %s\n", v.Name, m.Score(spend.Reprint(lines, v, *seed)))
	}
	unseen, groups := m.Unseen(lines)
	fmt.Printf("%-34s %s\n", "each vendor unseen", unseen)
	var scattered []string
	for v, n := range groups {
		if n > 1 {
			scattered = append(scattered, fmt.Sprintf("%s (%d)", v, n))
		}
	}
	sort.Strings(scattered)
	fmt.Printf("%-34s %d of %d vendors under one new vendor; in more: %v\n", "  grouping", len(groups)-len(scattered), len(groups), scattered)
	inv := spend.Invented(*invented, *seed)
	fmt.Printf("%-34s %s\n", fmt.Sprintf("%d invented vendors", *invented), m.Score(inv))
	groupsOf := map[string]map[string]bool{}
	for _, l := range inv {
		got := m.Match(l.Line)
		if got.Software {
			if groupsOf[l.Vendor] == nil {
				groupsOf[l.Vendor] = map[string]bool{}
			}
			groupsOf[l.Vendor][got.Vendor] = true
		}
	}
	whole := 0
	for _, g := range groupsOf {
		if len(g) == 1 {
			whole++
		}
	}
	fmt.Printf("%-34s %d of %d under one new vendor\n", "  grouping", whole, *invented)
}

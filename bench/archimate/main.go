// Command archimate measures importing an ArchiMate exchange file into the
// process register: it generates a file of about -mb megabytes (value
// streams, processes, application components, elements the register skips,
// composition and serving relations, and diagrams), starts Engage
// in-process on a fresh database (SQLite in a temporary directory, or a new
// schema of the PostgreSQL database given with -database-url), and times
// the dry run, the import and a second import of the same file, which must
// change nothing.
//
//	go run ./bench/archimate                               # SQLite
//	go run ./bench/archimate -database-url postgres://…    # PostgreSQL
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
)

func main() {
	processes := flag.Int("processes", 2000, "business processes and functions (one value stream per 100)")
	apps := flag.Int("applications", 1000, "application components")
	links := flag.Int("links", 20000, "serving relations from an application to a process")
	mb := flag.Int("mb", 10, "pad the file with diagrams to about this many megabytes")
	databaseURL := flag.String("database-url", "", "a PostgreSQL database to measure in (a fresh schema); SQLite when empty")
	keep := flag.String("o", "", "also write the generated file here")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the imports here")
	flag.Parse()
	if *cpuprofile != "" {
		stop, err := benchkit.StartCPUProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "archimate:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(*processes, *apps, *links, *mb, *databaseURL, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "archimate:", err)
		os.Exit(2)
	}
}

func run(processes, apps, links, mb int, databaseURL, keep string) error {
	ctx := context.Background()
	file := generate(processes, apps, links, mb)
	if keep != "" {
		if err := os.WriteFile(keep, file, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("file: %.1f MB, %d processes, %d applications, %d links\n", float64(len(file))/1e6, processes+processes/100, apps, links)
	a, closeApp, err := benchkit.Open(ctx, databaseURL, "archimate")
	if err != nil {
		return err
	}
	defer closeApp()
	who := access.System("archimate benchmark")
	for _, step := range []struct {
		what   string
		dryRun bool
	}{{"dry run", true}, {"import", false}, {"import again", false}} {
		t := time.Now()
		plan, err := a.Processes.ImportArchiMate(ctx, who, "bench.xml", bytes.NewReader(file), step.dryRun)
		if err != nil {
			return err
		}
		fmt.Printf("%-14s %9s  %d created, %d changed\n", step.what, time.Since(t).Round(time.Millisecond), plan.Created, plan.Changed)
	}
	fmt.Printf("peak RSS %s\n", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// generate writes an exchange file: value streams composed of processes,
// applications serving them with a weight, actors and data objects the
// register skips, and diagrams up to about mb megabytes.
func generate(processes, apps, links, mb int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="bench-model">
  <name xml:lang="en">Benchmark model</name>
  <elements>
`)
	streams := max(1, processes/100)
	for i := range streams {
		fmt.Fprintf(&b, "    <element identifier=\"vs-%d\" xsi:type=\"ValueStream\"><name xml:lang=\"en\">Value stream %d</name></element>\n", i, i)
	}
	types := []string{"BusinessProcess", "BusinessFunction", "BusinessProcess", "BusinessService"}
	for i := range processes {
		fmt.Fprintf(&b, "    <element identifier=\"p-%d\" xsi:type=\"%s\"><name xml:lang=\"en\">Process %d</name><documentation xml:lang=\"en\">What process %d does, who does it and why it matters to the business.</documentation></element>\n", i, types[i%len(types)], i, i)
	}
	for i := range apps {
		fmt.Fprintf(&b, "    <element identifier=\"a-%d\" xsi:type=\"ApplicationComponent\"><name xml:lang=\"en\">Application %d</name></element>\n", i, i)
	}
	for i := range processes {
		fmt.Fprintf(&b, "    <element identifier=\"o-%d\" xsi:type=\"DataObject\"><name xml:lang=\"en\">Data %d</name></element>\n", i, i)
	}
	b.WriteString("  </elements>\n  <relationships>\n")
	for i := range processes {
		fmt.Fprintf(&b, "    <relationship identifier=\"c-%d\" source=\"vs-%d\" target=\"p-%d\" xsi:type=\"Composition\" />\n", i, i%streams, i)
	}
	for i := range links {
		fmt.Fprintf(&b, "    <relationship identifier=\"s-%d\" source=\"a-%d\" target=\"p-%d\" xsi:type=\"Serving\"><properties><property propertyDefinitionRef=\"w\"><value>%d</value></property></properties></relationship>\n",
			i, i%apps, (i*7919)%processes, 1+i%9)
	}
	for i := range processes {
		fmt.Fprintf(&b, "    <relationship identifier=\"x-%d\" source=\"p-%d\" target=\"o-%d\" xsi:type=\"Access\" />\n", i, i, i)
	}
	b.WriteString("  </relationships>\n  <propertyDefinitions>\n    <propertyDefinition identifier=\"w\" type=\"number\"><name xml:lang=\"en\">Weight</name></propertyDefinition>\n  </propertyDefinitions>\n  <views>\n    <diagrams>\n")
	for v := 0; b.Len() < mb*1_000_000-2000; v++ {
		fmt.Fprintf(&b, "      <view identifier=\"v-%d\" xsi:type=\"Diagram\"><name xml:lang=\"en\">View %d</name>\n", v, v)
		for n := range 20 {
			fmt.Fprintf(&b, "        <node identifier=\"v-%d-%d\" elementRef=\"p-%d\" xsi:type=\"Element\" x=\"%d\" y=\"%d\" w=\"120\" h=\"55\" />\n", v, n, (v*20+n)%processes, 12+n*130, 24)
		}
		b.WriteString("      </view>\n")
	}
	b.WriteString("    </diagrams>\n  </views>\n</model>\n")
	return b.Bytes()
}

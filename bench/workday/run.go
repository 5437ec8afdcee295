package main

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
)

// run opens Engage with the demo, lets the day happen and checks it.
func run(ctx context.Context, o options) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fmt.Println(header(o))
	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "workday", stepWidth)
	if err != nil {
		return false, err
	}
	defer closeApp()
	w, err := setUp(ctx, a, o)
	if err != nil {
		return false, err
	}
	if err := a.Listen(); err != nil {
		return false, err
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx) }()
	defer func() { cancel(); <-served }()
	w.base = a.URL()
	if err := w.discover(ctx); err != nil {
		return false, err
	}
	fmt.Printf("%-*s %9s\n", stepWidth, "peak RSS before the day", benchkit.ProcStatus("VmHWM:"))

	stop, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return false, err
	}
	dayCtx, endDay := context.WithTimeout(ctx, o.duration)
	t := time.Now()
	w.day(dayCtx)
	endDay()
	elapsed := time.Since(t)
	stop()
	errs := w.report(elapsed)
	fmt.Printf("peak RSS (VmHWM) of the process (Engage and the simulated people): %s\n", benchkit.ProcStatus("VmHWM:"))

	t = time.Now()
	failures := w.check(ctx)
	benchkit.Step(stepWidth, "checks", t)
	for _, f := range failures {
		fmt.Println("CHECK FAILED:", f)
	}
	return errs == 0 && len(failures) == 0, nil
}

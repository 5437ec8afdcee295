package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
)

// historyStart is the first month the demo has anything to bill: the
// demo subscriptions start on 1 November 2025.
var historyStart = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// billingMonths lists the months of demo billing for now: up to thirteen,
// ending with now's month, none before historyStart.
func billingMonths(now time.Time) []time.Time {
	now = now.UTC()
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	first := current.AddDate(0, -(billing.TrendMonths - 1), 0)
	if first.Before(historyStart) {
		first = historyStart
	}
	var out []time.Time
	for m := first; !m.After(current); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// loadBilling gives the demo organisation its billing history, relative to
// the clock: metered usage for every month up to now (HPC core-hours and
// GPU VM hours for the labs, printed pages everywhere, text messages for
// Sales and Marketing), a billing run of every month, all months but the
// last two closed, and one adjustment in the current month correcting the
// last closed one. Everything is deterministic for a given month.
func loadBilling(ctx context.Context, d *db.DB, b *billing.Service) error {
	sys := access.System("demo data")
	now := b.Clock.Now()
	months := billingMonths(now)
	if len(months) == 0 {
		return nil
	}
	heads, err := headcount(ctx, d)
	if err != nil {
		return err
	}
	hpcSub, err := subscriptionOf(ctx, d, "BIO", "hpc-core-hours")
	if err != nil {
		return err
	}
	var usage []billing.UsageInput
	add := func(key string, at time.Time, dept, offering, unit, source string, qty decimal.Decimal, sub int64) {
		if !at.Before(now) || qty.IsZero() {
			return // nothing from the future
		}
		in := billing.UsageInput{IdempotencyKey: "demo:" + key, Time: at, Offering: offering, Quantity: qty, Unit: unit, Source: source}
		if sub != 0 {
			in.SubscriptionID = sub
		} else {
			in.Department = dept
		}
		usage = append(usage, in)
	}
	for mi, m := range months {
		rng := rand.New(rand.NewPCG(uint64(m.Year()), uint64(m.Month())))
		for day := m; day.Month() == m.Month(); day = day.AddDate(0, 0, 1) {
			date := day.Format(time.DateOnly)
			weekday := day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
			// HPC: the cluster's scheduler reports BIO's core-hours nightly;
			// the lab's use grows over the year.
			hours := 2400 + rng.IntN(2600) + mi*90
			if !weekday {
				hours /= 2
			}
			add("hpc:BIO:"+date, day.Add(23*time.Hour+50*time.Minute), "BIO", "hpc-core-hours", "unit-hour", "hpc-scheduler",
				decimal.NewFromInt(int64(hours)), hpcSub)
			// GPU VMs: image-analysis jobs for BIO, model training for IT.
			if weekday {
				for j, n := 0, 1+rng.IntN(2); j < n; j++ {
					add(fmt.Sprintf("gpu:BIO:%s:%d", date, j), day.Add(time.Duration(9+j*5)*time.Hour), "BIO", "cloud-vm-gpu", "unit-hour", "cloud-metering",
						decimal.NewFromInt(int64(1+rng.IntN(8))), 0)
				}
				if rng.IntN(3) == 0 {
					add("gpu:IT:"+date, day.Add(14*time.Hour), "IT", "cloud-vm-gpu", "unit-hour", "cloud-metering",
						decimal.NewFromInt(int64(2+rng.IntN(10))), 0)
				}
			}
			// Text messages: appointment reminders and campaigns.
			for _, dept := range []string{"SALES", "MKT"} {
				n := 150 + rng.IntN(600)
				if dept == "MKT" && day.Day() == 15 {
					n += 4000 // the monthly campaign
				}
				add("sms:"+dept+":"+date, day.Add(18*time.Hour), dept, "sms-message", "request", "sms-gateway", decimal.NewFromInt(int64(n)), 0)
			}
			// Printed pages: the print fleet reports every Monday.
			if day.Weekday() == time.Monday {
				for _, dep := range departments {
					pages := heads[dep.code] * int64(6+rng.IntN(8))
					add("print:"+dep.code+":"+date, day.Add(7*time.Hour), dep.code, "print-pages", "unit", "print-fleet", decimal.NewFromInt(pages), 0)
				}
			}
		}
	}
	rep, err := b.Ingest(ctx, sys, usage, billing.IngestOptions{})
	if err != nil {
		return fmt.Errorf("demo usage: %w", err)
	}
	if rep.Rejected > 0 {
		return fmt.Errorf("demo usage: %d records refused, the first: %+v", rep.Rejected, rep.Errors[0])
	}
	open := min(openMonths, len(months))
	for _, m := range months[:len(months)-open] {
		if _, err := b.Close(ctx, sys, billing.PeriodOf(m)); err != nil {
			return fmt.Errorf("closing demo billing of %s: %w", billing.PeriodOf(m), err)
		}
	}
	if closed := len(months) - open; closed > 0 {
		var bio int64
		if err := d.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'BIO'").Scan(&bio); err != nil {
			return err
		}
		last := billing.PeriodOf(months[closed-1])
		if _, err := b.Adjust(ctx, sys, billing.AdjustmentInput{DepartmentID: bio, Corrects: last, Amount: decimal.RequireFromString("-57.60"),
			Currency: "EUR", Reason: "A GPU job that failed and was restarted was billed twice (24 hours)"}); err != nil {
			return fmt.Errorf("demo adjustment: %w", err)
		}
	}
	for _, m := range months[len(months)-open:] {
		if _, err := b.Run(ctx, sys, billing.PeriodOf(m)); err != nil {
			return fmt.Errorf("demo billing run of %s: %w", billing.PeriodOf(m), err)
		}
	}
	return nil
}

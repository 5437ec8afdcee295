package costs

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
)

type demoPool struct {
	category, name, amount, method string
	targets                        []demoTarget
}

type demoTarget struct {
	slug, percent string
}

// demoPools are a month of IT cost of the demo company, in euros, shared
// in each of the ways Engage knows, with one pool left unallocated.
var demoPools = []demoPool{
	{"hardware", "Data centre hardware depreciation", "18400.00", MethodPercent,
		[]demoTarget{{"physical-server", "40"}, {"san-storage", "25"}, {"hpc-cluster", "20"}, {"on-prem-database", "15"}}},
	{"facilities", "Data centre lease and power", "9800.00", MethodPercent,
		[]demoTarget{{"physical-server", "35"}, {"san-storage", "30"}, {"hpc-cluster", "20"}, {"wan-site-link", "15"}}},
	{"external-vendor", "Cloud provider subscription", "6200.00", MethodChargedAmount,
		[]demoTarget{{"cloud-vm", ""}, {"container-platform", ""}, {"object-storage", ""}, {"backup", ""}, {"database-service", ""}, {"serverless-functions", ""}}},
	{"external-vendor", "Network carrier contracts", "7200.00", MethodPercent, []demoTarget{{"wan-site-link", "60"}, {"sd-wan", "40"}}},
	{"software", "Collaboration licences", "21500.00", MethodSubscriptionQuantity, []demoTarget{{"email", ""}, {"team-chat", ""}, {"office-suite", ""}}},
	{"hardware", "Laptop fleet leases", "30000.00", MethodSubscriptionQuantity, []demoTarget{{"laptops", ""}}},
	{"labour", "Service desk staff", "16000.00", MethodPercent, []demoTarget{{"service-desk", "100"}}},
	{"labour", "Infrastructure engineers", "42000.00", MethodChargedAmount, nil},
	{"labour", "Innovation lab", "5000.00", MethodNone, nil},
}

// LoadDemo gives each of periods (YYYY-MM) the demo company's cost pools,
// allocated by percentages, by subscription quantity and by charged amount,
// with one pool left unallocated. Amounts rise by 1% a month in a
// three-month cycle so that months differ. Pools already there (same period
// and name) are left alone, so loading twice adds nothing. It needs the
// demo catalog; run billing for the same periods to have charges to recover
// the cost from.
func LoadDemo(ctx context.Context, svc *Service, periods []string) error {
	sys := access.System("demo data")
	for i, period := range periods {
		existing, err := svc.ListPools(ctx, sys, period)
		if err != nil {
			return fmt.Errorf("demo cost pools for %s: %w", period, err)
		}
		have := map[string]bool{}
		for _, p := range existing {
			have[p.Name] = true
		}
		rise := decimal.NewFromInt(int64(100 + i%3)).Div(decimal.NewFromInt(100))
		for _, dp := range demoPools {
			if have[dp.name] {
				continue
			}
			a := &PoolAllocationInput{Method: dp.method}
			for _, t := range dp.targets {
				ti := PoolTargetInput{Service: t.slug}
				if t.percent != "" {
					pc := decimal.RequireFromString(t.percent)
					ti.Percent = &pc
				}
				a.Targets = append(a.Targets, ti)
			}
			in := PoolInput{Period: period, Category: dp.category, Name: dp.name, Currency: "EUR",
				Amount: decimal.RequireFromString(dp.amount).Mul(rise), Allocation: a}
			if _, err := svc.CreatePool(ctx, sys, in); err != nil {
				return fmt.Errorf("demo cost pool %s for %s: %w", dp.name, period, err)
			}
		}
	}
	return nil
}

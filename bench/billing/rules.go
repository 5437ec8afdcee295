package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/shopspring/decimal"
)

// focusRules gives the generated bill allocation rules shaped like a real
// company's (and the demo's): shared accounts first — one split by
// headcount across every department, one split by fixed percentages —
// then a business-unit tag per department for eight of the nine units;
// the ninth matches nothing and stays unallocated. Each row of the
// generated file tries up to ten rules and has 1.2 shares on average.
func focusRules(ctx context.Context, a *app.App, p *access.Principal) (int, error) {
	depts, err := db.QueryIDs(ctx, a.DB, "SELECT id FROM departments ORDER BY code")
	if err != nil {
		return 0, err
	}
	if len(depts) < 8 {
		return 0, fmt.Errorf("the demo has %d departments; the rules need 8", len(depts))
	}
	pct := decimal.RequireFromString
	rules := []cloudbill.AllocationRuleInput{
		{Name: "Shared platform account, by headcount", Match: cloudbill.RuleMatch{SubAccountID: "100000000000"},
			Action: cloudbill.ActionDriver, Driver: cloudbill.DriverHeadcount},
		{Name: "Data lake account, split", Match: cloudbill.RuleMatch{SubAccountID: "100000000001"},
			Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{
				{DepartmentID: depts[0], Percent: pct("50")}, {DepartmentID: depts[1], Percent: pct("30")}, {DepartmentID: depts[2], Percent: pct("20")}}},
	}
	for k := range 8 {
		rules = append(rules, cloudbill.AllocationRuleInput{Name: "Business unit bu" + strconv.Itoa(k),
			Match:  cloudbill.RuleMatch{TagKey: "business_unit", TagValue: "bu" + strconv.Itoa(k)},
			Action: cloudbill.ActionAssign, DepartmentID: depts[k]})
	}
	for _, r := range rules {
		if _, err := a.CloudBill.CreateRule(ctx, p, r); err != nil {
			return 0, fmt.Errorf("rule %q: %w", r.Name, err)
		}
	}
	return len(rules), nil
}

package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
)

// LoadApp loads the whole demo into an empty database: the organisation,
// catalog, needs and billing history (Load), then the company's cloud bill
// allocated by rules and IT's cost pools (LoadCosts), holding db.LockDemo
// throughout.
func LoadApp(ctx context.Context, a *app.App) error {
	return a.DB.WithLock(ctx, db.LockDemo, func() error {
		if err := load(ctx, a.DB, a.Services); err != nil {
			return err
		}
		return LoadCosts(ctx, a.DB, a.Billing, a.CloudBill, a.Costs)
	})
}

// DemoCloudFile is the name the demo's cloud bill is imported under.
const DemoCloudFile = "demo-cloud-bill.csv"

// Demo cloud accounts: the payer and its member accounts (FOCUS
// SubAccountId).
const (
	cloudPayer    = "501234567890"
	acctClinical  = "210987654321" // the clinical trials platform: CLIN's
	acctDataLake  = "318273645501" // the research data lake: shared by the labs and CLIN
	acctNetwork   = "402938475610" // the network hub: shared by everyone, by headcount
	acctWorkloads = "613572468013" // workloads of many teams, told apart by cost-centre tag
	acctSandbox   = "724681357902" // engineers' sandbox: untagged, nobody's yet
)

var cloudAccountNames = map[string]string{acctClinical: "clinical-trials-prod", acctDataLake: "research-data-lake",
	acctNetwork: "network-hub", acctWorkloads: "shared-workloads", acctSandbox: "sandbox"}

// cloudResource is one resource that appears on the bill every day.
type cloudResource struct {
	account, service, category, resourceType, name, unit string
	tags                                                 map[string]string
	// quantity per day (low and high) and unit price in EUR.
	low, high int
	price     string
}

var cloudResources = []cloudResource{
	{acctWorkloads, "Amazon SageMaker", "AI and Machine Learning", "Notebook instance", "bio-image-analysis", "Hours",
		map[string]string{"cost-centre": "BIO", "application": "cell-imaging"}, 16, 24, "1.2240"},
	{acctWorkloads, "Amazon Simple Storage Service", "Storage", "Bucket", "bio-imaging-raw", "GB-Mo",
		map[string]string{"cost-centre": "BIO", "application": "cell-imaging"}, 1400, 1700, "0.0230"},
	{acctWorkloads, "Amazon Elastic Compute Cloud", "Compute", "Instance", "chem-quantum-sim-01", "Hours",
		map[string]string{"cost-centre": "CHEM", "application": "quantum-chemistry"}, 20, 24, "0.9180"},
	{acctWorkloads, "Amazon CloudFront", "Networking", "Distribution", "brand-website", "GB",
		map[string]string{"cost-centre": "MKT", "application": "brand-site"}, 300, 900, "0.0850"},
	{acctWorkloads, "AWS Lambda", "Compute", "Function", "sales-quote-builder", "Requests",
		map[string]string{"cost-centre": "SALES", "application": "quote-builder"}, 40000, 90000, "0.0000002"},
	{acctClinical, "Amazon Relational Database Service", "Databases", "DB instance", "ctms-primary", "Hours",
		map[string]string{"application": "ctms"}, 24, 24, "0.7760"},
	{acctClinical, "Amazon Elastic Compute Cloud", "Compute", "Instance", "ctms-app-01", "Hours",
		map[string]string{"application": "ctms"}, 24, 24, "0.1920"},
	{acctDataLake, "Amazon Simple Storage Service", "Storage", "Bucket", "research-lake-curated", "GB-Mo",
		map[string]string{"application": "data-lake"}, 5200, 5600, "0.0230"},
	{acctDataLake, "Amazon Athena", "Analytics", "Workgroup", "research-queries", "TB",
		nil, 1, 6, "5.0000"},
	{acctNetwork, "AWS Transit Gateway", "Networking", "Transit gateway", "tgw-hub", "Hours",
		nil, 24, 24, "0.0600"},
	{acctNetwork, "AWS Direct Connect", "Networking", "Connection", "dx-basel-frankfurt", "Hours",
		nil, 24, 24, "0.3000"},
	{acctSandbox, "Amazon Elastic Compute Cloud", "Compute", "Instance", "sandbox-test", "Hours",
		nil, 2, 30, "0.0928"},
}

var cloudColumns = []string{"BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName", "ProviderName", "PublisherName",
	"InvoiceIssuerName", "BillingCurrency", "BilledCost", "EffectiveCost", "ListCost", "BillingPeriodStart", "BillingPeriodEnd",
	"ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
	"ServiceName", "ServiceCategory", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
	"ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit", "Tags"}

// CloudBill writes the demo company's cloud bill in FOCUS 1.0 for the
// months given (first days), one row per resource and day before now, in
// euros. Enterprise discounts make EffectiveCost 8% below ListCost; the
// bill is deterministic for a given set of months and now.
func CloudBill(months []time.Time, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(cloudColumns); err != nil {
		return nil, err
	}
	discount := decimal.RequireFromString("0.92")
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, m := range months {
		rng := rand.New(rand.NewPCG(uint64(m.Year())*7, uint64(m.Month())))
		end := m.AddDate(0, 1, 0)
		for day := m; day.Before(end) && !day.AddDate(0, 0, 1).After(now); day = day.AddDate(0, 0, 1) {
			for _, r := range cloudResources {
				qty := r.low
				if r.high > r.low {
					qty += rng.IntN(r.high - r.low + 1)
				}
				q := decimal.NewFromInt(int64(qty))
				list := q.Mul(decimal.RequireFromString(r.price))
				effective := list.Mul(discount)
				tags := "{}"
				if len(r.tags) > 0 {
					b, err := json.Marshal(r.tags)
					if err != nil {
						return nil, err
					}
					tags = string(b)
				}
				id := fmt.Sprintf("arn:aws:%s:eu-central-1:%s:%s/%s", serviceCode(r.service), r.account, resourceKind(r.resourceType), r.name)
				desc := fmt.Sprintf("%s %s usage, %s %s", r.service, r.resourceType, q.String(), r.unit)
				if err := w.Write([]string{cloudPayer, "Engage Demo Payer", r.account, cloudAccountNames[r.account], "Amazon Web Services",
					"Amazon Web Services", "Amazon Web Services EMEA SARL", "EUR", effective.String(), effective.String(), list.String(),
					stamp(m), stamp(end), stamp(day), stamp(day.AddDate(0, 0, 1)), "Usage", "", desc, "Usage-Based",
					r.service, r.category, "eu-central-1", "Europe (Frankfurt)", id, r.name, r.resourceType,
					q.String(), r.unit, q.String(), r.unit, tags}); err != nil {
					return nil, err
				}
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func serviceCode(name string) string {
	switch name {
	case "Amazon SageMaker":
		return "sagemaker"
	case "Amazon Simple Storage Service":
		return "s3"
	case "Amazon Elastic Compute Cloud":
		return "ec2"
	case "Amazon CloudFront":
		return "cloudfront"
	case "AWS Lambda":
		return "lambda"
	case "Amazon Relational Database Service":
		return "rds"
	case "Amazon Athena":
		return "athena"
	case "AWS Transit Gateway", "AWS Direct Connect":
		return "ec2"
	}
	return "service"
}

func resourceKind(t string) string {
	return strings.ReplaceAll(strings.ToLower(t), " ", "-")
}

// cloudRules are finance's allocation rules for the demo bill, in order:
// whole accounts first, then the cost-centre tag; the sandbox matches
// none and stays unallocated for finance to chase.
func cloudRules(dept map[string]int64) []cloudbill.AllocationRuleInput {
	pct := decimal.RequireFromString
	rules := []cloudbill.AllocationRuleInput{
		{Name: "Clinical trials account", Match: cloudbill.RuleMatch{SubAccountID: acctClinical},
			Action: cloudbill.ActionAssign, DepartmentID: dept["CLIN"]},
		{Name: "Research data lake, shared by the labs and clinical", Match: cloudbill.RuleMatch{SubAccountID: acctDataLake},
			Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{
				{DepartmentID: dept["BIO"], Percent: pct("50")}, {DepartmentID: dept["CHEM"], Percent: pct("30")}, {DepartmentID: dept["CLIN"], Percent: pct("20")}}},
		{Name: "Network hub, shared by headcount", Match: cloudbill.RuleMatch{SubAccountID: acctNetwork},
			Action: cloudbill.ActionDriver, Driver: cloudbill.DriverHeadcount},
	}
	for _, code := range []string{"BIO", "CHEM", "MKT", "SALES"} {
		rules = append(rules, cloudbill.AllocationRuleInput{Name: "Cost centre tag " + code,
			Match: cloudbill.RuleMatch{TagKey: "cost-centre", TagValue: code}, Action: cloudbill.ActionAssign, DepartmentID: dept[code]})
	}
	return rules
}

// LoadCosts gives the demo its cloud bill and IT's cost pools: it sets the
// allocation rules, imports one FOCUS file covering the open billing
// months up to now, runs those months again so the statements carry the
// allocated cloud charges, and loads cost pools for every demo month.
func LoadCosts(ctx context.Context, d *db.DB, b *billing.Service, cb *cloudbill.Service, cs *costs.Service) error {
	sys := access.System("demo data")
	now := b.Clock.Now()
	months := billingMonths(now)
	if len(months) == 0 {
		return nil
	}
	dept := map[string]int64{}
	rows, err := d.Query(ctx, "SELECT code, id FROM departments")
	if err != nil {
		return err
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			rows.Close()
			return err
		}
		dept[code] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range cloudRules(dept) {
		if _, err := cb.CreateRule(ctx, sys, r); err != nil {
			return fmt.Errorf("demo allocation rule %q: %w", r.Name, err)
		}
	}
	open := months[max(0, len(months)-openMonths):]
	bill, err := CloudBill(open, now)
	if err != nil {
		return err
	}
	rep, err := cb.Import(ctx, sys, DemoCloudFile, bytes.NewReader(bill), cloudbill.ImportOptions{})
	if err != nil {
		return fmt.Errorf("demo cloud bill: %w", err)
	}
	if rep.Rejected > 0 {
		return fmt.Errorf("demo cloud bill: %d rows refused, the first: %+v", rep.Rejected, rep.Errors[0])
	}
	for _, m := range open {
		if _, err := b.Run(ctx, sys, billing.PeriodOf(m)); err != nil {
			return fmt.Errorf("demo billing run of %s: %w", billing.PeriodOf(m), err)
		}
	}
	periods := make([]string, len(months))
	for i, m := range months {
		periods[i] = billing.PeriodOf(m)
	}
	return costs.LoadDemo(ctx, cs, periods)
}

// openMonths is how many of the latest demo months stay open.
const openMonths = 2

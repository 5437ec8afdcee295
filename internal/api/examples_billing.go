package api

// The examples of approvals, billing, statements, costs and cost pools,
// cloud bills, usage and events, on the demo as it stands on 16 March 2026:
// January is closed, February and March are open. The examples run in
// order (creations, readings, actions, changes, deletions), so a later one
// names what an earlier one made: approval policy 3 and delegation 1,
// adjustments 2 (create-adjustment) and 3 (the late usage ingest-usage
// sends), cost pools 46 (create-cost-pool) and 47 (import-cost-pools),
// cloud allocation rule 8 and cloud import 2. The demo's second order
// waiting for approval is request 60.

// demoCloudBill is a small FOCUS file: a day of three resources of the
// demo's cloud accounts, one of them in the engineers' sandbox.
const demoCloudBill = `BillingAccountId,SubAccountId,SubAccountName,ProviderName,BillingCurrency,BilledCost,EffectiveCost,ListCost,` +
	`BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,ResourceId,ResourceName,` +
	`ConsumedQuantity,ConsumedUnit,Tags
501234567890,724681357902,sandbox,Amazon Web Services,EUR,5.5752,5.5752,6.0600,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,` +
	`2026-03-15T00:00:00Z,2026-03-16T00:00:00Z,Usage,Amazon Elastic Compute Cloud,Compute,arn:aws:ec2:eu-central-1:724681357902:instance/sandbox-gpu-trial,` +
	`sandbox-gpu-trial,6,Hours,{}
501234567890,613572468013,shared-workloads,Amazon Web Services,EUR,44.4360,44.4360,48.3000,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,` +
	`2026-03-15T00:00:00Z,2026-03-16T00:00:00Z,Usage,Amazon Simple Storage Service,Storage,arn:aws:s3:eu-central-1:613572468013:bucket/chem-spectra-archive,` +
	`chem-spectra-archive,2100,GB-Mo,"{""cost-centre"":""CHEM"",""application"":""spectra-archive""}"
501234567890,613572468013,shared-workloads,Amazon Web Services,EUR,9.0086,9.0086,9.7920,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,` +
	`2026-03-15T00:00:00Z,2026-03-16T00:00:00Z,Usage,Amazon SageMaker,AI and Machine Learning,arn:aws:sagemaker:eu-central-1:613572468013:notebook-instance/bio-image-analysis,` +
	`bio-image-analysis,8,Hours,"{""cost-centre"":""BIO"",""application"":""cell-imaging""}"
`

func init() {
	const (
		finance   = "finance@example.com"
		budget    = "budget@example.com" // Dana Whitfield, head of Discovery Science and its labs
		requester = "requester@example.com"
	)
	id := func(v string) map[string]string { return map[string]string{"id": v} }
	period := func(v string) map[string]string { return map[string]string{"period": v} }
	addExamples(map[string]example{
		// Approvals: the administrator drafts a policy and switches it on;
		// Dana delegates a week of approvals and takes it back; Riley reads
		// her order's request and withdraws the other; Dana approves.
		"create-approval-policy": {Body: `{"name": "Clinical systems of €20,000 or more", ` +
			`"description": "Large clinical orders need the budget holder and then IT finance.", "active": false, "priority": 8, ` +
			`"conditions": {"min_amount": "20000.00", "currency": "EUR", "department_ids": [5], "subject_types": ["order"]}, ` +
			`"stages": [{"name": "Budget holder", "quorum": "any", "approvers": [{"kind": "budget-holder"}]}, ` +
			`{"name": "IT finance", "quorum": "any", "approvers": [{"kind": "role", "role": "reviewer-finance"}]}]}`},
		"get-approval-policy":    {As: requester, Params: id("1")},
		"update-approval-policy": {Params: id("3"), Body: `{"version": 1, "active": true}`},
		"get-approval-request":   {As: requester, Params: id("1")},
		"cancel-approval-request": {As: requester, Params: id("60"),
			Body: `{"reason": "The microscope arrives in June; I will ask for the extra VMs then."}`},
		"decide-approval-request": {As: budget, Params: id("1"),
			Body: `{"verdict": "approve", "reason": "Funded from the imaging microscope's project budget."}`},
		"create-approval-delegation": {As: budget, Body: `{"delegate_id": 13, "from": "2026-03-23", "to": "2026-03-27", ` +
			`"note": "At the AACR annual meeting; Felix decides on the labs' orders."}`},
		"delete-approval-delegation": {As: budget, Params: id("1")},

		// Usage and events: a day of GPU hours for the chemistry lab and a
		// January record that arrived late (charged by an adjustment in the
		// next open period); an HPC job reported by the cluster's scheduler.
		"ingest-usage": {As: finance, Type: "application/json", Body: `[` +
			`{"idempotency_key": "cloud-metering:gpu:CHEM:2026-03-16", "time": "2026-03-16T08:00:00Z", "department": "CHEM", ` +
			`"offering": "cloud-vm-gpu", "quantity": "6", "unit": "unit-hour", "source": "cloud-metering"}, ` +
			`{"idempotency_key": "cloud-metering:gpu:CHEM:2026-01-29", "time": "2026-01-29T14:00:00Z", "department": "CHEM", ` +
			`"offering": "cloud-vm-gpu", "quantity": "4", "unit": "unit-hour", "source": "cloud-metering"}]`},
		"send-events": {As: finance, Type: "application/cloudevents+json", Body: `{"specversion": "1.0", "id": "slurm-job-4471823", ` +
			`"source": "//hpc.example.com/slurm", "type": "org.example.hpc.job.finished", "subject": "department/BIO", ` +
			`"time": "2026-03-16T07:42:00Z", "datacontenttype": "application/json", "data": {"job": "4471823", "core_hours": 512}}`},
		"list-usage":     {As: finance, Params: map[string]string{"period": "2026-03", "department_id": "12", "offering_id": "4"}},
		"get-late-usage": {As: finance, Params: id("3")},

		// Billing: an adjustment, the statements as Dana reads them, the
		// journal and FOCUS exports; February is closed and March run again.
		"create-adjustment": {As: finance, Body: `{"department_id": 7, "corrects": "2026-01", "amount": "-180.00", "currency": "EUR", ` +
			`"reason": "The gateway sent the January newsletter campaign twice after a time-out; the second sending is refunded."}`},
		"get-statement":        {As: budget, Params: id("59")},
		"export-statement-csv": {As: budget, Params: id("60")},
		"journal-summary":      {As: finance, Params: period("2026-02")},
		"export-journal":       {As: finance, Params: period("2026-01")},
		"export-focus":         {As: finance, Params: period("2026-02")},
		"close-billing-period": {As: finance, Params: period("2026-02")},
		"run-billing":          {As: finance, Params: period("2026-03")},

		// Cost pools: March's security tooling, loaded and corrected; the
		// network contractors imported from a file and shared out.
		"create-cost-pool": {As: finance, Body: `{"period": "2026-03", "category": "software", "name": "Security tooling licences", ` +
			`"amount": "8400.00", "currency": "EUR", "allocation": {"method": "percent", "targets": [` +
			`{"service": "endpoint-protection", "percent": "60"}, {"service": "single-sign-on", "percent": "25"}, ` +
			`{"service": "security-keys", "percent": "15"}]}}`},
		"import-cost-pools": {As: finance, Body: "period,category,name,amount,currency\n2026-03,labour,Network operations contractors,12600.00,EUR\n"},
		"get-cost-pool":     {As: finance, Params: id("46")},
		"update-cost-pool": {As: finance, Params: id("46"), Body: `{"version": 1, "period": "2026-03", "category": "software", ` +
			`"name": "Security tooling licences", "amount": "8950.00", "currency": "EUR"}`},
		"set-cost-pool-allocation": {As: finance, Params: id("47"), Body: `{"version": 1, "method": "percent", "targets": [` +
			`{"service": "wan-site-link", "percent": "55"}, {"service": "sd-wan", "percent": "30"}, {"service": "wifi", "percent": "15"}]}`},
		"delete-cost-pool":    {As: finance, Params: id("46")},
		"get-cost-results":    {As: "board@example.com", Params: period("2026-02")},
		"get-service-costs":   {As: "owner@example.com", Params: map[string]string{"service": "cloud-vm"}},
		"get-cost-drill-down": {As: finance, Params: map[string]string{"subject": "process", "id": "10"}},

		// Cloud bills: the sandbox account goes to IT, a day's bill is
		// imported, March is allocated again; the rule is then shared with
		// R&D and finally removed.
		"create-cloud-allocation-rule": {As: finance, Body: `{"name": "Engineers' sandbox account", ` +
			`"match": {"sub_account_id": "724681357902"}, "action": "assign", "department_id": 10}`},
		"import-cloud-bill":              {As: finance, Type: "text/csv", Body: demoCloudBill},
		"get-cloud-import":               {As: finance, Params: id("2")},
		"get-cloud-allocation-rule":      {As: finance, Params: id("8")},
		"list-cloud-charges":             {As: finance, Params: period("2026-03")},
		"list-unallocated-cloud-charges": {As: finance, Params: period("2026-03")},
		"reallocate-cloud-period":        {As: finance, Params: period("2026-03")},
		"update-cloud-allocation-rule": {As: finance, Params: id("8"), Body: `{"version": 1, "name": "Engineers' sandbox account", ` +
			`"match": {"sub_account_id": "724681357902"}, "action": "split", ` +
			`"splits": [{"department_id": 10, "percent": "75"}, {"department_id": 1, "percent": "25"}]}`},
		"delete-cloud-allocation-rule": {As: finance, Params: map[string]string{"id": "8", "version": "2"}},
	})
}

// Package billingpages is the web interface's money area: a department's
// costs (statements, trend, usage), finance's billing (runs, closing,
// adjustments, exports), cost pools with each service's cost recovery, and
// cloud bills (imports, allocation rules, reallocation, unallocated spend,
// the charges behind a statement's cloud line). The billing, costs and
// cloud-bill services check every access again.
package billingpages

import (
	"bytes"
	"embed"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the money area.
type Pages struct {
	*page.Kit
	Org       *org.Service
	Catalog   *catalog.Catalog // names a statement's services, links those the reader sees
	Billing   *billing.Service
	Costs     *costs.Service
	CloudBill *cloudbill.Service
	Clock     engage.Clock
}

// MaxCloudBill is the largest cloud bill a browser may upload.
const MaxCloudBill = cloudbill.MaxFileSize

// Routes are "Your department's costs" for budget holders and those who
// may read a department's statements; billing, cost pools and cloud bills
// for finance; a service's costs for its owner; and the drill-down from a
// statement's cloud line to the charges behind it.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /costs", Handle: s.costs},
		{Pattern: "GET /costs/trend.csv", Handle: s.costsTrendCSV},
		{Pattern: "GET /costs/usage", Handle: s.costsUsage},
		{Pattern: "GET /costs/statements/{id}/csv", Handle: s.statementCSV},
		{Pattern: "GET /costs/cloud", Handle: s.cloudCharges},

		{Pattern: "GET /billing", Handle: s.billingPage},
		{Pattern: "GET /billing/periods.csv", Handle: s.billingPeriodsCSV},
		{Pattern: "GET /billing/statements.csv", Handle: s.billingStatementsCSV},
		{Pattern: "POST /billing/periods/{period}/run", Handle: s.billingRun},
		{Pattern: "POST /billing/periods/{period}/close", Handle: s.billingClose},
		{Pattern: "POST /billing/adjustments", Handle: s.billingAdjust},
		{Pattern: "GET /billing/periods/{period}/journal.csv", Handle: s.billingJournal},
		{Pattern: "GET /billing/periods/{period}/focus.csv", Handle: s.billingFOCUS},

		{Pattern: "GET /billing/cost-pools", Handle: s.costPoolsPage},
		{Pattern: "GET /billing/cost-pools/new", Handle: s.costPoolForm},
		{Pattern: "POST /billing/cost-pools", Handle: s.saveCostPool},
		{Pattern: "GET /billing/cost-pools/{id}/edit", Handle: s.costPoolForm},
		{Pattern: "POST /billing/cost-pools/{id}", Handle: s.saveCostPool},
		{Pattern: "POST /billing/cost-pools/{id}/delete", Handle: s.deleteCostPool},
		{Pattern: "POST /billing/cost-pools/import", Handle: s.importCostPools, MaxBody: page.MaxCSVUpload, MayUpload: s.Costs.MayWrite},
		{Pattern: "GET /billing/cost-pools/export.csv", Handle: s.exportCostPools},
		{Pattern: "GET /catalog/{slug}/costs", Handle: s.serviceCostsPage},

		{Pattern: "GET /billing/cloud", Handle: s.cloudPage},
		// The form's upload, without JavaScript; the multipart envelope
		// is allowed a little room beside the file.
		{Pattern: "POST /billing/cloud/imports", Handle: s.cloudImportForm, MaxBody: MaxCloudBill + 1<<20,
			MayUpload: s.CloudBill.MayImport, UploadTime: cloudbill.UploadTime},
		// The script's upload: the file is the body, streamed into the
		// import as it arrives, so upload progress is import progress.
		{Pattern: "POST /billing/cloud/upload", Handle: s.cloudImportStream, MaxBody: MaxCloudBill, HeaderCSRF: true,
			MayUpload: s.CloudBill.MayImport, UploadTime: cloudbill.UploadTime},
		{Pattern: "GET /billing/cloud/imports/{id}", Handle: s.cloudImportReport},
		{Pattern: "GET /billing/cloud/rules", Handle: s.cloudRules},
		{Pattern: "GET /billing/cloud/rules/new", Handle: s.cloudRuleForm},
		{Pattern: "POST /billing/cloud/rules", Handle: s.saveCloudRule},
		{Pattern: "GET /billing/cloud/rules/{id}/edit", Handle: s.cloudRuleForm},
		{Pattern: "POST /billing/cloud/rules/{id}", Handle: s.saveCloudRule},
		{Pattern: "GET /billing/cloud/rules/{id}/delete", Handle: s.confirmDeleteCloudRule},
		{Pattern: "POST /billing/cloud/rules/{id}/delete", Handle: s.deleteCloudRule},
		{Pattern: "POST /billing/cloud/periods/{period}/reallocate", Handle: s.reallocateCloud},
		{Pattern: "GET /billing/cloud/unallocated", Handle: s.cloudUnallocated},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "billing",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"periodLabel": billing.PeriodLabel,
		// The shadow-IT links are shown to those who may follow them.
		"readsShadow":      spend.CanReadShadow,
		"worksShadowCases": spend.CanWorkCases,
		"plainAmount":      billing.PlainAmount,
		"unitPrice": func(l billing.Line, currency string) string {
			p, ok := l.UnitPrice()
			if !ok {
				return ""
			}
			return formatUnitPrice(p, currency)
		},
		"unitWords": unitWords,
		"columns": func(ch *columnChart) (template.HTML, error) {
			var b bytes.Buffer
			err := columnsSVG.Execute(&b, ch) // html/template: escaped as it is drawn
			return template.HTML(b.String()), err
		},
		"roundingRule": roundingRule,
		// lineLabel drops the service's name from a line shown under it.
		"lineLabel": func(desc, service string) string {
			if rest, ok := strings.CutPrefix(desc, service+" — "); ok && service != "" {
				return rest
			}
			return desc
		},

		"poolCategory": costs.CategoryLabel,
		"poolMethod":   costs.MethodLabel,
		"poolPeriod":   costs.PeriodLabel,
		"recovery": func(r *decimal.Decimal) string {
			if r == nil {
				return "—"
			}
			return r.StringFixed(1) + "%"
		},
		"poolQty": func(d decimal.Decimal) string {
			if d.Equal(d.Truncate(0)) {
				return d.Truncate(0).String()
			}
			return d.Round(2).StringFixed(2)
		},

		// cloudDrill is the address of the drill-down behind a statement's
		// cloud line, whose source is "cloud:<provider>:<service name>".
		"cloudDrill": func(source string, department int64, period string) template.URL {
			rest, ok := strings.CutPrefix(source, "cloud:")
			if !ok {
				return ""
			}
			provider, service, _ := strings.Cut(rest, ":")
			q := url.Values{"period": {period}, "provider": {provider}, "service": {service}}
			if department != 0 {
				q.Set("department", strconv.FormatInt(department, 10))
			}
			return template.URL("/costs/cloud?" + q.Encode())
		},
		// csvOf is the drill-down's own address asking for the CSV file.
		"csvOf": func(q url.Values) template.URL {
			v := url.Values{}
			for _, k := range []string{"department", "period", "provider", "service"} {
				if x := q.Get(k); x != "" {
					v.Set(k, x)
				}
			}
			v.Set("format", "csv")
			return template.URL("/costs/cloud?" + v.Encode())
		},
	},
	Views: map[string]page.View{
		"costs.html":             &costsView{Allowed: true},
		"costs_usage.html":       &usageView{},
		"billing.html":           &billingView{},
		"costpools.html":         &costPoolsView{},
		"costpool_form.html":     &costPoolFormView{},
		"service_costs.html":     &serviceCostsView{SC: costs.ServiceCosts{Months: []costs.ServiceCostMonth{{}}}},
		"cloud.html":             &cloudView{},
		"cloud_import.html":      &importView{},
		"cloud_rules.html":       &cloudRulesView{},
		"cloud_rule_form.html":   &ruleFormView{},
		"cloud_rule_delete.html": &ruleDeleteView{},
		"cloud_unallocated.html": &unallocatedView{},
		"cloud_charges.html":     &chargesView{},
	},
}

package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

type statementCSVInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type journalInput struct {
	Period             string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" example:"2026-03"`
	ExpenseAccount     string `query:"expense_account" doc:"Debited on each department's cost centre (default 6400)"`
	ExpenseAccountName string `query:"expense_account_name" doc:"Default: IT services"`
	RecoveryAccount    string `query:"recovery_account" doc:"Credited on IT's cost centre (default 4900)"`
	RecoveryName       string `query:"recovery_account_name" doc:"Default: IT cost recovery"`
	RecoveryCostCentre string `query:"recovery_cost_centre" doc:"IT's cost centre (default IT)"`
}

func (in journalInput) accounts() billing.JournalAccounts {
	return billing.JournalAccounts{Expense: in.ExpenseAccount, ExpenseName: in.ExpenseAccountName, Recovery: in.RecoveryAccount,
		RecoveryName: in.RecoveryName, RecoveryCostCentre: in.RecoveryCostCentre}
}

type focusInput struct {
	Period       string `path:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" example:"2026-03"`
	DepartmentID int64  `query:"department_id" doc:"Only this department; its statement readers may then export it. Without it, the whole period (finance and administrators)."`
}

type trendInput struct {
	DepartmentID int64  `query:"department_id" doc:"Default: your own department"`
	Through      string `query:"through" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"The last month, YYYY-MM (default: the current month)"`
	Months       int    `query:"months" minimum:"0" maximum:"60" default:"13"`
}

type breakdownInput struct {
	DepartmentID int64  `query:"department_id" doc:"Default: your own department"`
	Period       string `query:"period" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"YYYY-MM (default: the current month)"`
}

// csvResponse documents a streamed CSV body.
func csvResponse(what string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {Description: what,
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string", Description: what}}}}}
}

// streamed sends a prepared export; errors before it were already turned
// into problems, and one half-way can only be logged.
func (a *API) streamed(ex *billing.Export) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", ex.ContentType)
		hc.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, ex.Filename))
		hc.SetStatus(http.StatusOK)
		if err := ex.Stream(hc.Context(), hc.BodyWriter()); err != nil {
			a.Logger.ErrorContext(hc.Context(), "export failed while streaming", "file", ex.Filename, "err", err)
		}
	}}
}

func (a *API) registerBillingExports(api huma.API) {
	tags := []string{"Billing"}
	register(a, api, huma.Operation{OperationID: "export-statement-csv", Method: http.MethodGet, Path: "/statements/{id}/csv", Tags: tags,
		Summary: "A statement as CSV", Description: "One row per line and a total row, the sum of the rounded lines. Amounts are plain decimals " +
			"with the currency's minor unit. For the department's budget holders and those above, its BRM, finance, the board and admins.",
		Responses: csvResponse("The statement's lines and total"), Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *statementCSVInput) (*huma.StreamResponse, error) {
			ex, err := a.Billing.StatementCSV(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return a.streamed(ex), nil
		})
	register(a, api, huma.Operation{OperationID: "export-journal", Method: http.MethodGet, Path: "/billing/periods/{period}/journal", Tags: tags,
		Summary: "The ledger journal of a period as CSV",
		Description: "Finance. One entry per chargeback statement, in two rows: debit the expense account on the department's cost centre, " +
			"credit the recovery account on IT's cost centre. Showback statements are never posted (see journal-summary). " +
			"Debits equal credits per currency. An open period's journal is marked draft.",
		Responses: csvResponse("Journal rows"), Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *journalInput) (*huma.StreamResponse, error) {
			ex, err := a.Billing.Journal(ctx, p, in.Period, in.accounts())
			if err != nil {
				return nil, err
			}
			return a.streamed(ex), nil
		})
	register(a, api, huma.Operation{OperationID: "journal-summary", Method: http.MethodGet, Path: "/billing/periods/{period}/journal-summary", Tags: tags,
		Summary: "What a period's journal holds", Description: "Finance. Entries, debits and credits per currency, and the statements left out with why.",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *journalInput) (*Body[billing.JournalSummary], error) {
			sum, err := a.Billing.JournalSummary(ctx, p, in.Period, in.accounts())
			return body(sum), err
		})
	register(a, api, huma.Operation{OperationID: "export-focus", Method: http.MethodGet, Path: "/billing/periods/{period}/focus", Tags: tags,
		Summary: "A period's internal charges as FOCUS CSV",
		Description: "Every statement line as a FOCUS 1.2 row (ProviderName \"" + billing.ProviderName + "\", BilledCost = EffectiveCost = the line's amount, " +
			"SubAccountId = the cost centre), for FinOps tools. The whole period is for finance and administrators; with department_id, " +
			"for that department's statement readers.",
		Responses: csvResponse("FOCUS 1.2 rows"), Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *focusInput) (*huma.StreamResponse, error) {
			ex, err := a.Billing.FOCUS(ctx, p, billing.FOCUSFilter{Period: in.Period, DepartmentID: in.DepartmentID})
			if err != nil {
				return nil, err
			}
			return a.streamed(ex), nil
		})
	register(a, api, huma.Operation{OperationID: "get-costs-trend", Method: http.MethodGet, Path: "/costs/trend", Tags: tags,
		Summary: "A department's totals month by month", Description: "The statements' totals per currency, oldest month first. " +
			"For the department's budget holders and those above, its BRM, finance, the board and admins."},
		func(ctx context.Context, p *access.Principal, in *trendInput) (*Body[billing.Trend], error) {
			dept := in.DepartmentID
			if dept == 0 {
				dept = p.DepartmentID
			}
			tr, err := a.Billing.Trend(ctx, p, dept, in.Through, in.Months)
			return body(tr), err
		})
	register(a, api, huma.Operation{OperationID: "get-costs-breakdown", Method: http.MethodGet, Path: "/costs/breakdown", Tags: tags,
		Summary: "A department's costs by service, offering and delivery model", Description: "Computed from the month's statement lines: " +
			"by service and offering, and the cloud-versus-legacy share (by each service's delivery model; allocated cloud bills count as cloud)."},
		func(ctx context.Context, p *access.Principal, in *breakdownInput) (*Body[billing.Breakdown], error) {
			dept := in.DepartmentID
			if dept == 0 {
				dept = p.DepartmentID
			}
			b, err := a.Billing.Breakdown(ctx, p, dept, in.Period)
			return body(b), err
		})
}

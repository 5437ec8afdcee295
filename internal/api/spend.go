package api

import (
	"context"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/spend"
)

// spendImportInput streams the request body into the import, which reads
// it line by line inside one transaction.
type spendImportInput struct {
	Name string `query:"name" maxLength:"200" doc:"The file's name, for the import's record."`

	body io.Reader
}

// Resolve keeps the request body to stream it.
func (in *spendImportInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// maxSpendFile bounds a spend file sent to the API.
const maxSpendFile = 2 << 30

func (a *API) registerSpend(api huma.API) {
	tags := []string{"Spend"}
	upload := &huma.RequestBody{Required: true, Description: "A card or expense file (columns date, merchant, amount, currency, department, " +
		"and optionally employee_email, mcc, memo) or an accounts-payable file (vendor, invoice, amount, currency, cost_centre, gl_account, " +
		"and optionally date). Other columns are kept with each line.",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}
	register(a, api, huma.Operation{OperationID: "import-spend", Method: http.MethodPost, Path: "/spend-imports", Tags: tags,
		Summary: "Import card, expense or invoice spend", DefaultStatus: http.StatusCreated, RequestBody: upload,
		Description: "Finance and administrators. Send the CSV file as the request body. Each line's merchant (or vendor) is recognised: " +
			"vendor, software or not, confidence. Lines stored before (same content, same occurrence among equal lines of the file) are " +
			"counted as unchanged, so sending a file again adds nothing. A file with a bad line stores nothing; the error lists up to 50 " +
			"bad lines as `line N: column`. Amounts are exact decimals; departments are given by cost-centre code."},
		func(ctx context.Context, p *access.Principal, in *spendImportInput) (*Body[spend.SpendImport], error) {
			rep, err := a.Spend.Import(ctx, p, in.Name, &limitedBody{r: in.body, max: maxSpendFile,
				hint: "Send a file of at most %d MiB; split larger files by month."})
			return body(rep), err
		})
}

type spendLineList struct {
	ListParams
	DepartmentID int64 `query:"department_id" required:"true" minimum:"1" doc:"The department whose lines to list."`
	Waiting      bool  `query:"waiting" doc:"Only lines whose match waits for a person."`
}

type spendCorrection struct {
	ID   int64 `path:"id" minimum:"1"`
	Body spend.Correction
}

// SpendMatch is what recognition made of a line, or what a person said.
type SpendMatch struct {
	Vendor     string  `json:"vendor"`
	Known      bool    `json:"known"`
	Category   string  `json:"category,omitempty"`
	Software   bool    `json:"software"`
	Confidence float64 `json:"confidence" minimum:"0" maximum:"1"`
	Reason     string  `json:"reason"`
}

type spendVendorList struct {
	Items []spend.Vendor `json:"items" nullable:"false"`
}

func (a *API) registerSpendLearning(api huma.API) {
	tags := []string{"Spend"}
	register(a, api, huma.Operation{OperationID: "list-spend-lines", Method: http.MethodGet, Path: "/spend-lines", Tags: tags,
		Summary: "A department's spend lines",
		Description: "Spend lines name people: a department's budget holders, its BRM, finance and administrators see all its lines; " +
			"anyone else only their own. Newest first."},
		func(ctx context.Context, p *access.Principal, in *spendLineList) (*Page[spend.SpendLine], error) {
			items, next, err := a.Spend.ListLines(ctx, p, spend.LineFilter{DepartmentID: in.DepartmentID, Waiting: in.Waiting, Limit: in.Limit, Cursor: in.Cursor})
			if err != nil {
				return nil, err
			}
			return page(items, next), nil
		})
	register(a, api, huma.Operation{OperationID: "correct-spend-match", Method: http.MethodPost, Path: "/spend-lines/{id}/match", Tags: tags,
		Summary: "Confirm or correct a line's vendor", Errors: []int{http.StatusNotFound},
		Description: "Those who see the department's lines. The line's descriptor becomes a name of the vendor in the dictionary, so later " +
			"lines with it match that vendor; lines already stored with the same descriptor take it at once. Sending it again changes nothing more."},
		func(ctx context.Context, p *access.Principal, in *spendCorrection) (*Body[SpendMatch], error) {
			m, err := a.Spend.Correct(ctx, p, in.ID, in.Body)
			return body(SpendMatch(m)), err
		})
	register(a, api, huma.Operation{OperationID: "list-spend-vendors", Method: http.MethodGet, Path: "/spend-vendors", Tags: tags,
		Summary: "The vendor dictionary", Description: "Finance, administrators, the board, BRMs and budget holders. The vendors Engage ships with, extended by finance and by people's corrections."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[spendVendorList], error) {
			items, err := a.Spend.ListVendors(ctx, p)
			if err != nil {
				return nil, err
			}
			return body(spendVendorList{Items: items}), nil
		})
	register(a, api, huma.Operation{OperationID: "add-spend-vendor", Method: http.MethodPost, Path: "/spend-vendors", Tags: tags,
		Summary:     "Extend the vendor dictionary",
		Description: "Finance and administrators. Adds a vendor, or adds names and domains to one the dictionary has. Sending it again changes nothing more."},
		func(ctx context.Context, p *access.Principal, in *struct{ Body spend.Vendor }) (*Body[spend.Vendor], error) {
			v, err := a.Spend.AddVendor(ctx, p, in.Body)
			return body(v), err
		})
}

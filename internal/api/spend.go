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

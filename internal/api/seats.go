package api

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/spend"
)

// seatImportInput takes the export as the request body.
type seatImportInput struct {
	body io.Reader
}

// Resolve keeps the request body to read it.
func (in *seatImportInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// maxSeatFile bounds a single-sign-on export.
const maxSeatFile = 32 << 20

type seatList struct {
	DepartmentID int64 `query:"department_id" required:"true" minimum:"1" doc:"The department whose seats to measure."`
	Window       int   `query:"window" minimum:"30" maximum:"90" default:"30" doc:"30, 60 or 90 days"`
}

type seatItems struct {
	Items []spend.SeatUse `json:"items" nullable:"false"`
}

type seatRightSize struct {
	ID     int64 `path:"id" minimum:"1"`
	Window int   `query:"window" minimum:"30" maximum:"90" default:"30" doc:"30, 60 or 90 days"`
}

func (a *API) registerSeats(api huma.API) {
	tags := []string{"Spend"}
	upload := &huma.RequestBody{Required: true, Description: "A single-sign-on export with the columns " + strings.Join(spend.SeatColumns, ",") +
		": one line per application and department (a cost-centre code); assigned users; users active over the last 30, 60 and 90 days; " +
		"and, optionally, users assigned within each window who have not signed in yet (not counted idle).",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}
	register(a, api, huma.Operation{OperationID: "import-seats", Method: http.MethodPost, Path: "/seat-imports", Tags: tags,
		Summary: "Import a single-sign-on export of seats", DefaultStatus: http.StatusCreated, RequestBody: upload,
		Description: "Finance and administrators. Each line replaces the counts of its application and department, so sending the file " +
			"again changes nothing. A file with a bad line stores nothing; the error lists up to 50 bad lines."},
		func(ctx context.Context, p *access.Principal, in *seatImportInput) (*Body[spend.SeatImport], error) {
			rep, err := a.Seats.ImportSeats(ctx, p, &limitedBody{r: in.body, max: maxSeatFile, hint: "Send a file of at most %d MiB."})
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-seats", Method: http.MethodGet, Path: "/seats", Tags: tags,
		Summary: "Seats actually used in a department",
		Description: "Those who read the department's statements. Per application: active ÷ (assigned − new) over the window, idle seats " +
			"and what they cost a month (catalog prices for a subscription priced per person or for a sanctioned vendor the catalog sells per person, else the vendor's spend run rate ÷ seats), " +
			"most idle cost first; seats of catalog subscriptions and sanctioned SaaS first, then shadow apps (standing)."},
		func(ctx context.Context, p *access.Principal, in *seatList) (*Body[seatItems], error) {
			items, err := a.Seats.Utilisation(ctx, p, in.DepartmentID, in.Window)
			if err != nil {
				return nil, err
			}
			return body(seatItems{Items: items}), nil
		})
	register(a, api, huma.Operation{OperationID: "right-size-seats", Method: http.MethodPost, Path: "/seats/{id}/right-size", Tags: tags,
		Summary: "Order the quantity that leaves no idle seat", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "A quantity-change order for the catalog subscription that pays for the application, down to the seats used over " +
			"the window plus the new ones; it goes through the order's approvals. Send an Idempotency-Key to make a retry safe."},
		func(ctx context.Context, p *access.Principal, in *seatRightSize) (*Body[catalog.Order], error) {
			o, err := a.Seats.RightSize(ctx, p, in.ID, in.Window)
			return body(o), err
		})
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
)

type usageInput struct {
	Atomic  bool   `query:"atomic" doc:"Refuse the whole batch when any record is invalid"`
	RawBody []byte `contentType:"application/json" doc:"A JSON array of usage records, or NDJSON (one record per line, Content-Type application/x-ndjson)"`
}

type periodPath struct {
	Period string `path:"period" example:"2026-03"`
}

type statementList struct {
	Period       string `query:"period"`
	DepartmentID int64  `query:"department_id"`
}

type usageList struct {
	Period       string `path:"period"`
	DepartmentID int64  `query:"department_id" required:"true"`
	OfferingID   int64  `query:"offering_id" required:"true"`
	Limit        int    `query:"limit" minimum:"0" maximum:"5000" default:"500"`
}

// ndjsonFormat lets requests send NDJSON (application/x-ndjson); the
// operations that accept it read their raw body themselves, so there is
// nothing to unmarshal but a placeholder to validate, and no response is written in it.
var ndjsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		return errors.New("responses are not written as NDJSON")
	},
	Unmarshal: func(data []byte, v any) error {
		if p, ok := v.(*any); ok {
			*p = "" // validated as the raw body's schema, a string
		}
		return nil
	},
}

// decodeUsage reads a JSON array or NDJSON; a record that cannot be read
// is reported by position like any invalid record.
func decodeUsage(body []byte) ([]billing.UsageInput, []billing.RecordError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, []billing.RecordError{{Position: -1, Field: "body", Message: "The body is not a JSON array of records: " + err.Error()}}
		}
		return decodeEach(raw)
	}
	// One record a line; blank lines are skipped. The lines are read in
	// place: the body outlives the records' decoding.
	var raw []json.RawMessage
	for rest := trimmed; len(rest) > 0; {
		line := rest
		if n := bytes.IndexByte(rest, '\n'); n >= 0 {
			line, rest = rest[:n], rest[n+1:]
		} else {
			rest = nil
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			raw = append(raw, line)
		}
	}
	return decodeEach(raw)
}

func decodeEach(raw []json.RawMessage) ([]billing.UsageInput, []billing.RecordError) {
	out := make([]billing.UsageInput, len(raw))
	var errs []billing.RecordError
	var dec billing.UsageDecoder
	for i, r := range raw {
		if err := dec.Decode(r, &out[i]); err != nil {
			errs = append(errs, billing.RecordError{Position: i, Field: "record", Message: "Cannot be read: " + err.Error()})
			out[i] = billing.UsageInput{}
		}
	}
	return out, errs
}

func (a *API) registerBilling(api huma.API) {
	tags := []string{"Billing"}
	register(a, api, huma.Operation{OperationID: "ingest-usage", Method: http.MethodPost, Path: "/usage", Tags: tags,
		Summary: "Send metered usage", Description: "Finance role. Records are checked one by one and reported by position; " +
			"the same idempotency key is stored once. With atomic=true any invalid record refuses the whole batch.",
		MaxBodyBytes: 256 << 20},
		func(ctx context.Context, p *access.Principal, in *usageInput) (*Body[billing.IngestReport], error) {
			records, bad := decodeUsage(in.RawBody)
			if len(bad) > 0 && bad[0].Position < 0 {
				return nil, fieldError("body", bad[0].Message)
			}
			// Unreadable records are left out and reported; the rest go on.
			var keep []billing.UsageInput
			var positions []int
			for i, r := range records {
				if !containsPosition(bad, i) {
					keep = append(keep, r)
					positions = append(positions, i)
				}
			}
			if in.Atomic && len(bad) > 0 {
				return body(billing.IngestReport{Received: len(records), Rejected: len(bad), Errors: bad, Atomic: true}), nil
			}
			rep, err := a.Billing.Ingest(ctx, p, keep, in.Atomic)
			for i := range rep.Errors {
				rep.Errors[i].Position = positions[rep.Errors[i].Position]
			}
			rep.Received = len(records)
			rep.Rejected += len(bad)
			rep.Errors = append(bad, rep.Errors...)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-billing-periods", Method: http.MethodGet, Path: "/billing/periods", Tags: tags, Summary: "Billing periods"},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Page[billing.Period], error) {
			list, err := a.Billing.Periods(ctx, p)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "run-billing", Method: http.MethodPost, Path: "/billing/periods/{period}/run", Tags: tags,
		Summary: "Rate a period and replace its statements", Description: "Finance. Refused on a closed period; repeatable with identical results.",
		Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *periodPath) (*Body[billing.RunReport], error) {
			rep, err := a.Billing.Run(ctx, p, in.Period)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "close-billing-period", Method: http.MethodPost, Path: "/billing/periods/{period}/close", Tags: tags,
		Summary: "Run a period one last time and close it", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *periodPath) (*Body[billing.RunReport], error) {
			rep, err := a.Billing.Close(ctx, p, in.Period)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "list-statements", Method: http.MethodGet, Path: "/statements", Tags: tags,
		Summary: "Statements you may read", Description: "A department's budget holders and those above, its BRM, finance, the board and admins."},
		func(ctx context.Context, p *access.Principal, in *statementList) (*Page[billing.Statement], error) {
			list, err := a.Billing.Statements(ctx, p, billing.StatementFilter{Period: in.Period, DepartmentID: in.DepartmentID})
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "get-statement", Method: http.MethodGet, Path: "/statements/{id}", Tags: tags,
		Summary: "A statement with its lines", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[billing.Statement], error) {
			st, err := a.Billing.Statement(ctx, p, in.ID)
			return body(st), err
		})
	register(a, api, huma.Operation{OperationID: "list-usage", Method: http.MethodGet, Path: "/billing/periods/{period}/usage", Tags: tags,
		Summary: "The usage records behind a usage line"},
		func(ctx context.Context, p *access.Principal, in *usageList) (*Page[billing.UsageRecord], error) {
			list, err := a.Billing.Usage(ctx, p, in.Period, in.DepartmentID, in.OfferingID, in.Limit)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-adjustment", Method: http.MethodPost, Path: "/billing/adjustments", Tags: tags,
		Summary: "Correct charges in the next open period", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[billing.AdjustmentInput]) (*Body[map[string]string], error) {
			period, err := a.Billing.Adjust(ctx, p, in.Body)
			return body(map[string]string{"period": period, "message": fmt.Sprintf("The adjustment appears in %s.", period)}), err
		})
}

func containsPosition(errs []billing.RecordError, i int) bool {
	for _, e := range errs {
		if e.Position == i {
			return true
		}
	}
	return false
}

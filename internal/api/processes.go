package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/process"
)

type processList struct {
	ListParams
	Kind     process.Kind `query:"kind" enum:"value_stream,process" doc:"Only value streams, or only processes"`
	ParentID int64        `query:"parent_id" minimum:"0" doc:"Only those directly below this value stream or process"`
}

type processPath struct {
	ID int64 `path:"id" minimum:"1"`
}

// ProcessInput is a new value stream or process (named apart from other
// areas' inputs in the OpenAPI document).
type ProcessInput struct {
	process.Input
}

type processCreate struct {
	Body ProcessInput
}

type processUpdate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1" doc:"The version read; a stale one is refused"`
		process.Input
	}
}

type performersPut struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		FunctionIDs []int64 `json:"function_ids" maxItems:"200" doc:"The business functions that perform it"`
		LocationIDs []int64 `json:"location_ids" maxItems:"200" doc:"Where it is performed"`
	}
}

type linkPut struct {
	ID       int64 `path:"id" minimum:"1"`
	TargetID int64 `path:"target" minimum:"1" doc:"The application's or the catalog service's id"`
	Body     struct {
		Weight decimal.Decimal `json:"weight" doc:"Percent, 0 to 100: how much of the application's or service's use serves this process"`
	}
}

type linkPath struct {
	ID       int64 `path:"id" minimum:"1"`
	TargetID int64 `path:"target" minimum:"1"`
}

type applicationCreate struct {
	Body process.ApplicationInput
}

type applicationUpdate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		process.ApplicationInput
	}
}

type journeyCreate struct {
	Body process.JourneyInput
}

type journeyUpdate struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int `json:"version" minimum:"1"`
		process.JourneyInput
	}
}

type listOf[T any] struct {
	Items []T `json:"items" nullable:"false"`
}

type archiMateImport struct {
	DryRun  bool   `query:"dry_run" doc:"Only say what would change"`
	RawBody []byte `contentType:"application/xml" doc:"An ArchiMate 3.1 Open Exchange Format file"`
}

type registerCSVPath struct {
	Kind string `path:"kind" enum:"processes,applications"`
}

type registerCSVImport struct {
	Kind    string `path:"kind" enum:"processes,applications"`
	DryRun  bool   `query:"dry_run" doc:"Only say what would change"`
	RawBody []byte `contentType:"text/csv" doc:"The CSV file; the first line names the columns (those of the export)."`
}

// registerProcesses serves the process register: value streams and
// processes, their functions, locations and links, applications, customer
// journeys, and the register's files (CSV, ArchiMate).
func (a *API) registerProcesses(api huma.API) {
	tags := []string{"Processes"}
	register(a, api, huma.Operation{OperationID: "list-processes", Method: http.MethodGet, Path: "/processes", Tags: tags,
		Summary: "The process register: value streams and processes", Description: "Everyone signed in may read it. In the order entries were created."},
		func(ctx context.Context, p *access.Principal, in *processList) (*Page[process.Entry], error) {
			list, next, err := a.Processes.List(ctx, p, process.ListFilter{Kind: in.Kind, ParentID: in.ParentID, Limit: in.Limit, Cursor: in.Cursor})
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-process", Method: http.MethodGet, Path: "/processes/{id}", Tags: tags,
		Summary: "A value stream or process of the register", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processPath) (*Body[process.Entry], error) {
			e, err := a.Processes.Get(ctx, p, in.ID)
			return body(e), err
		})
	register(a, api, huma.Operation{OperationID: "get-process-detail", Method: http.MethodGet, Path: "/processes/{id}/detail", Tags: tags,
		Summary:     "A process with its enablement and evidence",
		Description: "Its functions, locations and customer journeys, and the applications and catalog services that enable it, with their weights.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *processPath) (*Body[process.ProcessDetail], error) {
			d, err := a.Processes.Describe(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "get-process-map", Method: http.MethodGet, Path: "/process-map", Tags: tags,
		Summary: "The whole register with each entry's enablement",
		Description: "Every value stream and process, with its enablement (manual, partly automated, automated, or empty when not assessed) " +
			"and the number of applications and services linked as evidence."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[process.RegisterMap], error) {
			m, err := a.Processes.ProcessMap(ctx, p)
			return body(m), err
		})
	register(a, api, huma.Operation{OperationID: "create-process", Method: http.MethodPost, Path: "/processes", Tags: tags,
		Summary: "Add a value stream or process", Description: "Enterprise architects and administrators. Sending the same entry again returns the one created.",
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *processCreate) (*Body[process.Entry], error) {
			e, err := a.Processes.Create(ctx, p, in.Body.Input)
			return body(e), err
		})
	register(a, api, huma.Operation{OperationID: "update-process", Method: http.MethodPut, Path: "/processes/{id}", Tags: tags,
		Summary: "Change a value stream or process", Description: "Enterprise architects and administrators, with the version read.",
		Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *processUpdate) (*Body[process.Entry], error) {
			e, err := a.Processes.Update(ctx, p, in.ID, in.Body.Version, in.Body.Input)
			return body(e), err
		})
	register(a, api, huma.Operation{OperationID: "set-process-performers", Method: http.MethodPut, Path: "/processes/{id}/performers", Tags: tags,
		Summary: "Say which functions perform a process, and where", Description: "Enterprise architects and administrators. Replaces the lists.",
		Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *performersPut) (*Body[process.ProcessDetail], error) {
			if err := a.Processes.SetPerformers(ctx, p, in.ID, in.Body.FunctionIDs, in.Body.LocationIDs); err != nil {
				return nil, err
			}
			d, err := a.Processes.Describe(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "link-process-application", Method: http.MethodPut, Path: "/processes/{id}/applications/{target}", Tags: tags,
		Summary:     "Link a process to an application with a weight",
		Description: "Enterprise architects and administrators. The weight is an exact percentage from 0 to 100; sending it again replaces it.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *linkPut) (*Body[process.AppLink], error) {
			l, err := a.Processes.LinkApplication(ctx, p, in.ID, in.TargetID, in.Body.Weight)
			return body(l), err
		})
	register(a, api, huma.Operation{OperationID: "unlink-process-application", Method: http.MethodDelete, Path: "/processes/{id}/applications/{target}", Tags: tags,
		Summary: "Remove a process's link to an application", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *linkPath) (*struct{}, error) {
			return nil, a.Processes.Unlink(ctx, p, in.ID, "application", in.TargetID)
		})
	register(a, api, huma.Operation{OperationID: "link-process-service", Method: http.MethodPut, Path: "/processes/{id}/services/{target}", Tags: tags,
		Summary:     "Link a process to a catalog service with a weight",
		Description: "Enterprise architects and administrators. The weight is an exact percentage from 0 to 100: how much of the service's use serves the process.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *linkPut) (*Body[process.ServiceLink], error) {
			l, err := a.Processes.LinkService(ctx, p, in.ID, in.TargetID, in.Body.Weight)
			return body(l), err
		})
	register(a, api, huma.Operation{OperationID: "unlink-process-service", Method: http.MethodDelete, Path: "/processes/{id}/services/{target}", Tags: tags,
		Summary: "Remove a process's link to a catalog service", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *linkPath) (*struct{}, error) {
			return nil, a.Processes.Unlink(ctx, p, in.ID, "service", in.TargetID)
		})

	apps := []string{"Applications"}
	register(a, api, huma.Operation{OperationID: "list-applications", Method: http.MethodGet, Path: "/applications", Tags: apps,
		Summary: "The business applications, with their TIME disposition", Description: "Everyone signed in. By name."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[listOf[process.Application]], error) {
			list, err := a.Processes.ListApplications(ctx, p)
			return body(listOf[process.Application]{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "get-application", Method: http.MethodGet, Path: "/applications/{id}", Tags: apps,
		Summary: "A business application", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[process.Application], error) {
			app, err := a.Processes.GetApplication(ctx, p, in.ID)
			return body(app), err
		})
	register(a, api, huma.Operation{OperationID: "create-application", Method: http.MethodPost, Path: "/applications", Tags: apps,
		Summary: "Add a business application", Description: "Enterprise architects and administrators. Sending the same application again returns the one created.",
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *applicationCreate) (*Body[process.Application], error) {
			app, err := a.Processes.CreateApplication(ctx, p, in.Body)
			return body(app), err
		})
	register(a, api, huma.Operation{OperationID: "update-application", Method: http.MethodPut, Path: "/applications/{id}", Tags: apps,
		Summary: "Change a business application", Description: "Enterprise architects and administrators, with the version read.",
		Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *applicationUpdate) (*Body[process.Application], error) {
			app, err := a.Processes.UpdateApplication(ctx, p, in.ID, in.Body.Version, in.Body.ApplicationInput)
			return body(app), err
		})

	journeys := []string{"Customer journeys"}
	register(a, api, huma.Operation{OperationID: "list-journeys", Method: http.MethodGet, Path: "/journeys", Tags: journeys,
		Summary: "The customer journeys and the processes they go through", Description: "Everyone signed in. By name."},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*Body[listOf[process.Journey]], error) {
			list, err := a.Processes.ListJourneys(ctx, p)
			return body(listOf[process.Journey]{Items: list}), err
		})
	register(a, api, huma.Operation{OperationID: "get-journey", Method: http.MethodGet, Path: "/journeys/{id}", Tags: journeys,
		Summary: "A customer journey", Errors: []int{http.StatusNotFound}},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[process.Journey], error) {
			j, err := a.Processes.GetJourney(ctx, p, in.ID)
			return body(j), err
		})
	register(a, api, huma.Operation{OperationID: "create-journey", Method: http.MethodPost, Path: "/journeys", Tags: journeys,
		Summary: "Add a customer journey", Description: "Enterprise architects and administrators. Only processes external customers touch may be on it.",
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *journeyCreate) (*Body[process.Journey], error) {
			j, err := a.Processes.CreateJourney(ctx, p, in.Body)
			return body(j), err
		})
	register(a, api, huma.Operation{OperationID: "update-journey", Method: http.MethodPut, Path: "/journeys/{id}", Tags: journeys,
		Summary: "Change a customer journey", Errors: []int{http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *journeyUpdate) (*Body[process.Journey], error) {
			j, err := a.Processes.UpdateJourney(ctx, p, in.ID, in.Body.Version, in.Body.JourneyInput)
			return body(j), err
		})

	files := []string{"Processes"}
	register(a, api, huma.Operation{OperationID: "import-archimate", Method: http.MethodPost, Path: "/archimate-imports", Tags: files,
		Summary: "Import an ArchiMate exchange file into the register",
		Description: "Enterprise architects and administrators. Business processes, functions, services and value streams become processes, " +
			"application components applications, and serving, realization, assignment and flow relations links (the README has the whole mapping). " +
			"Importing the same file again changes nothing. With dry_run, only says what would change. Refused: files that are not ArchiMate, " +
			"malformed XML (the line is named), any DOCTYPE, files over 32 MiB; nothing is half-written.",
		MaxBodyBytes: process.MaxFileBytes + 1},
		func(ctx context.Context, p *access.Principal, in *archiMateImport) (*Body[process.RegisterPlan], error) {
			plan, err := a.Processes.ImportArchiMate(ctx, p, "body", bytes.NewReader(in.RawBody), in.DryRun)
			return body(plan), err
		})
	register(a, api, huma.Operation{OperationID: "export-archimate", Method: http.MethodGet, Path: "/archimate-export", Tags: files,
		Summary: "The register as an ArchiMate exchange file", Description: "Everyone signed in. It validates against the Open Group's schemas.",
		Responses: map[string]*huma.Response{"200": {Description: "An ArchiMate 3.1 Open Exchange Format file",
			Content: map[string]*huma.MediaType{"application/xml": {Schema: &huma.Schema{Type: "string"}}}}}},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.Processes.ExportArchiMate(ctx, p, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "application/xml; charset=utf-8", Body: buf.Bytes()}, nil
		})
	register(a, api, huma.Operation{OperationID: "import-register-csv", Method: http.MethodPost, Path: "/process-register/{kind}/import", Tags: files,
		Summary: "Import processes or applications from CSV",
		Description: "Enterprise architects and administrators. All or nothing: if any line is wrong nothing is written and every wrong line is named. " +
			"With dry_run, only says what would change.", MaxBodyBytes: process.MaxFileBytes + 1},
		func(ctx context.Context, p *access.Principal, in *registerCSVImport) (*Body[process.RegisterPlan], error) {
			plan, err := a.Processes.ImportCSV(ctx, p, in.Kind, bytes.NewReader(in.RawBody), in.DryRun)
			return body(plan), err
		})
	register(a, api, huma.Operation{OperationID: "export-register-csv", Method: http.MethodGet, Path: "/process-register/{kind}/export", Tags: files,
		Summary: "Processes or applications as CSV", Description: "The import's columns, so the file can be edited and imported again.",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string"}}}}}},
		func(ctx context.Context, p *access.Principal, in *registerCSVPath) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.Processes.ExportCSV(ctx, p, in.Kind, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes()}, nil
		})
}

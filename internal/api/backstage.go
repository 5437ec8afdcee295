package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/backstage"
)

type backstageImport struct {
	DryRun  bool   `query:"dry_run" doc:"Only say what would change"`
	RawBody []byte `contentType:"application/yaml" doc:"Backstage catalog descriptor documents (apiVersion backstage.io/v1alpha1), several separated by ---"`
}

// registerBackstage serves the Backstage catalog import and export.
func (a *API) registerBackstage(api huma.API) {
	tags := []string{"Backstage"}
	register(a, api, huma.Operation{OperationID: "import-backstage", Method: http.MethodPost, Path: "/backstage-imports", Tags: tags,
		Summary: "Import a Backstage catalog file",
		Description: "Enterprise architects and administrators (changing departments needs an administrator). Groups of type department, " +
			"organization or business-unit become departments (matched by the engage.io/department-code annotation or by name, never duplicated), " +
			"Users are matched to people by e-mail (never created), Systems and Components become applications; APIs, Resources and Domains are " +
			"named in warnings. Importing the same file again changes nothing; with dry_run, only says what would change. Refused, naming the " +
			"line, with nothing written: malformed YAML, an unknown kind, a loop in the group tree, an owner that does not exist, a Location " +
			"target outside the file (a body has no directory: use the command line for a tree of files), files over 4 MiB.",
		MaxBodyBytes: backstage.MaxFileBytes + 1},
		func(ctx context.Context, p *access.Principal, in *backstageImport) (*Body[backstage.Report], error) {
			if err := backstage.MayImport(p); err != nil {
				return nil, err
			}
			set, err := backstage.ReadFiles(backstage.Files{"body": in.RawBody})
			if err != nil {
				return nil, err
			}
			rep, err := a.Backstage.Import(ctx, p, set, in.DryRun)
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "export-backstage", Method: http.MethodGet, Path: "/backstage-export", Tags: tags,
		Summary: "The catalog's services as a Backstage catalog-info.yaml",
		Description: "Everyone signed in, each seeing the services they may see: one Component of type service per service, with its " +
			"lifecycle, owner (user:default/ and the part of the owner's e-mail before @), tags and a link back to its page in Engage.",
		Responses: map[string]*huma.Response{"200": {Description: "Backstage descriptor documents",
			Content: map[string]*huma.MediaType{"application/yaml": {Schema: &huma.Schema{Type: "string"}}}}}},
		func(ctx context.Context, p *access.Principal, _ *struct{}) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.Backstage.Export(ctx, p, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "application/yaml; charset=utf-8", Body: buf.Bytes()}, nil
		})
}

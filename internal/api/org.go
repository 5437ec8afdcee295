package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
)

type departmentList struct {
	ListParams
	Query    string `query:"q" doc:"Case-insensitive match on name or cost-centre code."`
	ParentID int64  `query:"parent_id" doc:"Only the direct children of this department."`
}

type departmentPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version     int     `json:"version" minimum:"1" doc:"The version you read; a stale version is refused with 409."`
		Code        *string `json:"code,omitempty"`
		Name        *string `json:"name,omitempty"`
		ParentID    *int64  `json:"parent_id,omitempty" doc:"0 makes it a top-level department."`
		HeadID      *int64  `json:"head_id,omitempty" doc:"0 clears it."`
		BRMID       *int64  `json:"brm_id,omitempty" doc:"0 clears it."`
		BillingMode *string `json:"billing_mode,omitempty" enum:"showback,chargeback"`
	}
}

type locationPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version  int     `json:"version" minimum:"1"`
		Code     *string `json:"code,omitempty"`
		Name     *string `json:"name,omitempty"`
		City     *string `json:"city,omitempty"`
		Country  *string `json:"country,omitempty"`
		Region   *string `json:"region,omitempty"`
		TimeZone *string `json:"time_zone,omitempty"`
	}
}

type functionPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version int     `json:"version" minimum:"1"`
		Code    *string `json:"code,omitempty"`
		Name    *string `json:"name,omitempty"`
	}
}

type personList struct {
	ListParams
	Query        string `query:"q" doc:"Case-insensitive match on name, e-mail or title."`
	DepartmentID int64  `query:"department_id"`
	LocationID   int64  `query:"location_id"`
	FunctionID   int64  `query:"function_id"`
	Role         string `query:"role" doc:"Only people holding this role."`
}

type personPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version      int            `json:"version" minimum:"1"`
		Email        *string        `json:"email,omitempty"`
		Name         *string        `json:"name,omitempty"`
		Title        *string        `json:"title,omitempty"`
		DepartmentID *int64         `json:"department_id,omitempty"`
		LocationID   *int64         `json:"location_id,omitempty"`
		FunctionID   *int64         `json:"function_id,omitempty"`
		ManagerID    *int64         `json:"manager_id,omitempty"`
		Active       *bool          `json:"active,omitempty"`
		Roles        *[]access.Role `json:"roles,omitempty"`
	}
}

type importInput struct {
	Kind    string `path:"kind" enum:"locations,functions,departments,people"`
	RawBody []byte `contentType:"text/csv" doc:"The CSV file; the first line names the columns."`
}

type exportInput struct {
	Kind string `path:"kind" enum:"locations,functions,departments,people"`
}

type csvOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

// set copies a patch field onto the current value when it was sent.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (a *API) registerOrg(api huma.API) {
	tags := []string{"Organisation"}
	register(a, api, huma.Operation{OperationID: "list-departments", Method: http.MethodGet, Path: "/departments", Tags: tags, Summary: "List departments"},
		func(ctx context.Context, p *access.Principal, in *departmentList) (*Page[org.Department], error) {
			items, next, err := a.Org.ListDepartments(ctx, p, org.ListFilter{Query: in.Query, ParentID: in.ParentID, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-department", Method: http.MethodPost, Path: "/departments", Tags: tags,
		Summary: "Create a department", DefaultStatus: http.StatusCreated, Description: "Administrators only."},
		func(ctx context.Context, p *access.Principal, in *Body[org.DepartmentInput]) (*Body[org.Department], error) {
			d, err := a.Org.CreateDepartment(ctx, p, in.Body)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "get-department", Method: http.MethodGet, Path: "/departments/{id}", Tags: tags, Summary: "Get a department"},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[org.Department], error) {
			d, err := a.Org.FindDepartment(ctx, p, in.ID)
			return body(d), err
		})
	register(a, api, huma.Operation{OperationID: "update-department", Method: http.MethodPatch, Path: "/departments/{id}", Tags: tags,
		Summary: "Change a department", Description: "Administrators only. Send the version you read; fields you leave out keep their value.", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *departmentPatch) (*Body[org.Department], error) {
			cur, err := a.Org.FindDepartment(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v := cur.Input()
			b := in.Body
			set(&v.Code, b.Code)
			set(&v.Name, b.Name)
			set(&v.ParentID, b.ParentID)
			set(&v.HeadID, b.HeadID)
			set(&v.BRMID, b.BRMID)
			set(&v.BillingMode, b.BillingMode)
			d, err := a.Org.UpdateDepartment(ctx, p, in.ID, b.Version, v)
			return body(d), err
		})

	register(a, api, huma.Operation{OperationID: "list-locations", Method: http.MethodGet, Path: "/locations", Tags: tags, Summary: "List locations"},
		func(ctx context.Context, p *access.Principal, in *struct {
			ListParams
			Query string `query:"q"`
		}) (*Page[org.Location], error) {
			items, next, err := a.Org.ListLocations(ctx, p, org.ListFilter{Query: in.Query, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-location", Method: http.MethodPost, Path: "/locations", Tags: tags,
		Summary: "Create a location", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[org.LocationInput]) (*Body[org.Location], error) {
			l, err := a.Org.CreateLocation(ctx, p, in.Body)
			return body(l), err
		})
	register(a, api, huma.Operation{OperationID: "get-location", Method: http.MethodGet, Path: "/locations/{id}", Tags: tags, Summary: "Get a location"},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[org.Location], error) {
			l, err := a.Org.FindLocation(ctx, p, in.ID)
			return body(l), err
		})
	register(a, api, huma.Operation{OperationID: "update-location", Method: http.MethodPatch, Path: "/locations/{id}", Tags: tags,
		Summary: "Change a location", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *locationPatch) (*Body[org.Location], error) {
			cur, err := a.Org.FindLocation(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v, b := cur.Input(), in.Body
			set(&v.Code, b.Code)
			set(&v.Name, b.Name)
			set(&v.City, b.City)
			set(&v.Country, b.Country)
			set(&v.Region, b.Region)
			set(&v.TimeZone, b.TimeZone)
			l, err := a.Org.UpdateLocation(ctx, p, in.ID, b.Version, v)
			return body(l), err
		})

	register(a, api, huma.Operation{OperationID: "list-functions", Method: http.MethodGet, Path: "/functions", Tags: tags, Summary: "List business functions"},
		func(ctx context.Context, p *access.Principal, in *struct {
			ListParams
			Query string `query:"q"`
		}) (*Page[org.Function], error) {
			items, next, err := a.Org.ListFunctions(ctx, p, org.ListFilter{Query: in.Query, Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-function", Method: http.MethodPost, Path: "/functions", Tags: tags,
		Summary: "Create a business function", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[org.FunctionInput]) (*Body[org.Function], error) {
			f, err := a.Org.CreateFunction(ctx, p, in.Body)
			return body(f), err
		})
	register(a, api, huma.Operation{OperationID: "get-function", Method: http.MethodGet, Path: "/functions/{id}", Tags: tags, Summary: "Get a business function"},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[org.Function], error) {
			f, err := a.Org.FindFunction(ctx, p, in.ID)
			return body(f), err
		})
	register(a, api, huma.Operation{OperationID: "update-function", Method: http.MethodPatch, Path: "/functions/{id}", Tags: tags,
		Summary: "Change a business function", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *functionPatch) (*Body[org.Function], error) {
			cur, err := a.Org.FindFunction(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v := cur.Input()
			set(&v.Code, in.Body.Code)
			set(&v.Name, in.Body.Name)
			f, err := a.Org.UpdateFunction(ctx, p, in.ID, in.Body.Version, v)
			return body(f), err
		})

	register(a, api, huma.Operation{OperationID: "list-people", Method: http.MethodGet, Path: "/people", Tags: tags, Summary: "List people",
		Description: "Only people in departments you may see: your own, those you head or are BRM of (and below), or all for finance, the portfolio board and administrators."},
		func(ctx context.Context, p *access.Principal, in *personList) (*Page[org.Person], error) {
			items, next, err := a.Org.ListPeople(ctx, p, org.ListFilter{Query: in.Query, DepartmentID: in.DepartmentID, LocationID: in.LocationID,
				FunctionID: in.FunctionID, Role: access.Role(in.Role), Cursor: in.Cursor, Limit: in.Limit})
			return page(items, next), err
		})
	register(a, api, huma.Operation{OperationID: "create-person", Method: http.MethodPost, Path: "/people", Tags: tags,
		Summary: "Add a person", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, p *access.Principal, in *Body[org.PersonInput]) (*Body[org.Person], error) {
			person, err := a.Org.CreatePerson(ctx, p, in.Body)
			return body(person), err
		})
	register(a, api, huma.Operation{OperationID: "get-person", Method: http.MethodGet, Path: "/people/{id}", Tags: tags, Summary: "Get a person"},
		func(ctx context.Context, p *access.Principal, in *IDPath) (*Body[org.Person], error) {
			person, err := a.Org.FindPerson(ctx, p, in.ID)
			return body(person), err
		})
	register(a, api, huma.Operation{OperationID: "update-person", Method: http.MethodPatch, Path: "/people/{id}", Tags: tags,
		Summary: "Change a person", Errors: []int{http.StatusConflict}},
		func(ctx context.Context, p *access.Principal, in *personPatch) (*Body[org.Person], error) {
			cur, err := a.Org.FindPerson(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v, b := cur.Input(), in.Body
			set(&v.Email, b.Email)
			set(&v.Name, b.Name)
			set(&v.Title, b.Title)
			set(&v.DepartmentID, b.DepartmentID)
			set(&v.LocationID, b.LocationID)
			set(&v.FunctionID, b.FunctionID)
			set(&v.ManagerID, b.ManagerID)
			set(&v.Active, b.Active)
			set(&v.Roles, b.Roles)
			person, err := a.Org.UpdatePerson(ctx, p, in.ID, b.Version, v)
			return body(person), err
		})

	register(a, api, huma.Operation{OperationID: "import-organisation", Method: http.MethodPost, Path: "/imports/{kind}", Tags: tags,
		Summary: "Import organisation data from CSV",
		Description: "Administrators only. Rows are matched by code (e-mail for people) and added or updated. " +
			"If any line is wrong nothing is written and every wrong line is reported, located as `body line N: column`."},
		func(ctx context.Context, p *access.Principal, in *importInput) (*Body[org.ImportReport], error) {
			rep, err := a.Org.Import(ctx, p, in.Kind, bytes.NewReader(in.RawBody))
			return body(rep), err
		})
	register(a, api, huma.Operation{OperationID: "export-organisation", Method: http.MethodGet, Path: "/exports/{kind}", Tags: tags,
		Summary: "Export organisation data as CSV", Description: "Administrators only. The same columns as the import."},
		func(ctx context.Context, p *access.Principal, in *exportInput) (*csvOutput, error) {
			var buf bytes.Buffer
			if err := a.Org.Export(ctx, p, in.Kind, &buf); err != nil {
				return nil, err
			}
			return &csvOutput{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes()}, nil
		})
}

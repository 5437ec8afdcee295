package api

import (
	"cmp"
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
)

type communityList struct {
	Kind     string `query:"kind" enum:"product,service,local," doc:"Only communities of this kind."`
	Query    string `query:"q" maxLength:"200" doc:"Part of the name, the handle or the description."`
	Mine     bool   `query:"mine" doc:"Only the communities you belong to."`
	Archived bool   `query:"archived" doc:"Archived ones too (administrators and moderators)."`
}

// CommunityInput is what is written about a community (its schema is
// named apart from other areas' inputs).
type CommunityInput struct {
	community.Input
}

type communityPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type communityPatch struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version     int                   `json:"version" minimum:"1" doc:"The version you read; a stale version is refused with 409."`
		Slug        *string               `json:"slug,omitempty" maxLength:"64"`
		Name        *string               `json:"name,omitempty" maxLength:"120"`
		Kind        *community.Kind       `json:"kind,omitempty" enum:"product,service,local"`
		Visibility  *community.Visibility `json:"visibility,omitempty" enum:"open,closed,announcement"`
		Description *string               `json:"description,omitempty" maxLength:"20000"`
		ServiceID   *int64                `json:"service_id,omitempty" minimum:"0" doc:"0 clears it."`
		LocationID  *int64                `json:"location_id,omitempty" minimum:"0" doc:"0 clears it."`
		FunctionID  *int64                `json:"function_id,omitempty" minimum:"0" doc:"0 clears it."`
		SponsorID   *int64                `json:"sponsor_id,omitempty" minimum:"0" doc:"The executive sponsor; 0 clears it."`
	}
}

type communityArchive struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Version  int  `json:"version" minimum:"1" doc:"The version you read."`
		Archived bool `json:"archived" doc:"true archives it; false brings it back."`
	}
}

type memberList struct {
	ID int64 `path:"id" minimum:"1"`
	ListParams
	Show  string `query:"show" enum:"members,opted_out,requests," doc:"members (default); opted_out and requests for its moderators."`
	Query string `query:"q" maxLength:"200" doc:"Part of a name."`
}

type staffChange struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		PersonID int64               `json:"person_id" minimum:"1"`
		Role     community.StaffRole `json:"role" enum:"moderator,it_staff,support"`
		Remove   bool                `json:"remove,omitempty" doc:"true takes the person off the role."`
	}
}

type ruleRemove struct {
	ID     int64 `path:"id" minimum:"1"`
	RuleID int64 `path:"rule" minimum:"1"`
}

type requestDecision struct {
	ID       int64 `path:"id" minimum:"1"`
	PersonID int64 `path:"person" minimum:"1"`
	Body     struct {
		Grant bool `json:"grant" doc:"true grants the request; false refuses it."`
	}
}

func (a *API) registerCommunities(api huma.API) {
	tags := []string{"Communities"}
	cs := a.Communities
	register(a, api, huma.Operation{OperationID: "list-communities", Method: http.MethodGet, Path: "/communities", Tags: tags,
		Summary: "List communities", Description: "The communities you belong to and those you may join or ask to join, by name, with your rights in each."},
		func(ctx context.Context, p *access.Principal, in *communityList) (*Page[community.DirectoryEntry], error) {
			list, err := cs.Directory(ctx, p, community.ListFilter{Kind: community.Kind(in.Kind), Query: in.Query, Mine: in.Mine, Archived: in.Archived})
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "create-community", Method: http.MethodPost, Path: "/communities", Tags: tags,
		Summary: "Create a community", DefaultStatus: http.StatusCreated,
		Description: "Administrators and moderators. Sending the same community again answers with the one created."},
		func(ctx context.Context, p *access.Principal, in *Body[CommunityInput]) (*Body[community.Community], error) {
			c, err := cs.Create(ctx, p, in.Body.Input)
			return body(c), err
		})
	register(a, api, huma.Operation{OperationID: "get-community", Method: http.MethodGet, Path: "/communities/{id}", Tags: tags, Summary: "Get a community"},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Body[community.DirectoryEntry], error) {
			c, err := cs.Find(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			r, err := cs.Rights(ctx, p, in.ID)
			return body(community.DirectoryEntry{Community: c, Rights: r}), err
		})
	register(a, api, huma.Operation{OperationID: "update-community", Method: http.MethodPatch, Path: "/communities/{id}", Tags: tags,
		Summary: "Change a community", Errors: []int{http.StatusConflict},
		Description: "Administrators and moderators. Send the version you read; fields you leave out keep their value. The sponsor is set here."},
		func(ctx context.Context, p *access.Principal, in *communityPatch) (*Body[community.Community], error) {
			cur, err := cs.Find(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			v, b := cur.Input(), in.Body
			set(&v.Slug, b.Slug)
			set(&v.Name, b.Name)
			set(&v.Kind, b.Kind)
			set(&v.Visibility, b.Visibility)
			set(&v.Description, b.Description)
			set(&v.ServiceID, b.ServiceID)
			set(&v.LocationID, b.LocationID)
			set(&v.FunctionID, b.FunctionID)
			set(&v.SponsorID, b.SponsorID)
			c, err := cs.Update(ctx, p, in.ID, b.Version, v)
			return body(c), err
		})
	register(a, api, huma.Operation{OperationID: "archive-community", Method: http.MethodPost, Path: "/communities/{id}/archive", Tags: tags,
		Summary: "Archive a community or bring it back", Description: "Administrators and moderators. Asking for the state it is in changes nothing."},
		func(ctx context.Context, p *access.Principal, in *communityArchive) (*Body[community.Community], error) {
			c, err := cs.SetArchived(ctx, p, in.ID, in.Body.Version, in.Body.Archived)
			return body(c), err
		})
	register(a, api, huma.Operation{OperationID: "join-community", Method: http.MethodPost, Path: "/communities/{id}/join", Tags: tags,
		Summary: "Join a community", Description: "At once for an open or announcement-only community; as a request for a closed one. Joining again changes nothing; it clears an earlier opt-out."},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Body[community.Rights], error) {
			r, err := cs.Join(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "leave-community", Method: http.MethodPost, Path: "/communities/{id}/leave", Tags: tags,
		Summary: "Leave a community", Description: "Also withdraws a request. When a rule makes you a member, you stay out until you join again."},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Body[community.Rights], error) {
			r, err := cs.Leave(ctx, p, in.ID)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "list-community-members", Method: http.MethodGet, Path: "/communities/{id}/members", Tags: tags,
		Summary: "List a community's members", Description: "By person id, with why each is in: by hand, by rule (and which rules). Whoever reads the community may."},
		func(ctx context.Context, p *access.Principal, in *memberList) (*Page[community.Member], error) {
			var after int64
			if in.Cursor != "" {
				n, err := strconv.ParseInt(in.Cursor, 10, 64)
				if err != nil || n < 0 {
					return nil, &engage.Error{Code: engage.EINVALID, Message: "Some fields need fixing.",
						Fields: []engage.FieldError{{Field: "cursor", Message: "Pass the next_cursor of the previous page."}}}
				}
				after = n
			}
			limit := cmp.Or(in.Limit, 50)
			list, err := cs.Members(ctx, p, in.ID, community.MemberFilter{Show: in.Show, Query: in.Query, After: after, Limit: limit})
			next := ""
			if len(list) == limit {
				next = strconv.FormatInt(list[len(list)-1].PersonID, 10)
			}
			return page(list, next), err
		})
	register(a, api, huma.Operation{OperationID: "get-community-staff", Method: http.MethodGet, Path: "/communities/{id}/staff", Tags: tags,
		Summary: "Who runs a community", Description: "The executive sponsor, moderators, IT staff and local support contacts, with names."},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Body[community.Staff], error) {
			st, err := cs.Staff(ctx, p, in.ID)
			return body(st), err
		})
	register(a, api, huma.Operation{OperationID: "change-community-staff", Method: http.MethodPost, Path: "/communities/{id}/staff", Tags: tags,
		Summary: "Name or remove a staff member", Description: "Administrators and moderators. Naming someone already named, or removing someone not named, changes nothing."},
		func(ctx context.Context, p *access.Principal, in *staffChange) (*Body[community.Staff], error) {
			b := in.Body
			if b.Remove {
				st, err := cs.RemoveStaff(ctx, p, in.ID, b.PersonID, b.Role)
				return body(st), err
			}
			st, err := cs.AddStaff(ctx, p, in.ID, b.PersonID, b.Role)
			return body(st), err
		})
	register(a, api, huma.Operation{OperationID: "list-community-rules", Method: http.MethodGet, Path: "/communities/{id}/rules", Tags: tags,
		Summary: "List a community's membership rules"},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Page[community.Rule], error) {
			list, err := cs.Rules(ctx, p, in.ID)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "add-community-rule", Method: http.MethodPost, Path: "/communities/{id}/rules", Tags: tags,
		Summary: "Add a membership rule", DefaultStatus: http.StatusCreated,
		Description: "The community's moderators, moderators and administrators. The people it matches are members at once (those who left stay out). Adding a rule it has changes nothing."},
		func(ctx context.Context, p *access.Principal, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body community.RuleInput
		}) (*Body[community.Rule], error) {
			r, err := cs.AddRule(ctx, p, in.ID, in.Body)
			return body(r), err
		})
	register(a, api, huma.Operation{OperationID: "remove-community-rule", Method: http.MethodDelete, Path: "/communities/{id}/rules/{rule}", Tags: tags,
		Summary: "Remove a membership rule", DefaultStatus: http.StatusNoContent, Description: "Those only it made members stop being members."},
		func(ctx context.Context, p *access.Principal, in *ruleRemove) (*struct{}, error) {
			return &struct{}{}, cs.RemoveRule(ctx, p, in.ID, in.RuleID)
		})
	register(a, api, huma.Operation{OperationID: "list-community-requests", Method: http.MethodGet, Path: "/communities/{id}/requests", Tags: tags,
		Summary: "List requests to join", Description: "The community's moderators."},
		func(ctx context.Context, p *access.Principal, in *communityPath) (*Page[community.JoinRequest], error) {
			list, err := cs.Requests(ctx, p, in.ID)
			return page(list, ""), err
		})
	register(a, api, huma.Operation{OperationID: "decide-community-request", Method: http.MethodPost, Path: "/communities/{id}/requests/{person}", Tags: tags,
		Summary: "Grant or refuse a request to join", DefaultStatus: http.StatusNoContent,
		Description: "The community's moderators. The person is told in their inbox. A request no longer waiting changes nothing."},
		func(ctx context.Context, p *access.Principal, in *requestDecision) (*struct{}, error) {
			return &struct{}{}, cs.Decide(ctx, p, in.ID, in.PersonID, in.Body.Grant)
		})
}

package backstage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// Annotations Engage reads and writes.
const (
	// DepartmentCode on a Group names the department it is, by code.
	DepartmentCode = "engage.io/department-code"
	// ApplicationRef on a System or Component names its application.
	ApplicationRef = "engage.io/application-ref"
	// ServiceSlug on an exported Component names the catalog service.
	ServiceSlug = "engage.io/service"
)

// DepartmentTypes are the Group types that are departments.
var DepartmentTypes = []string{"department", "organization", "organisation", "business-unit", "division"}

// Lifecycle maps a Component's lifecycle to an application's.
var Lifecycle = map[string]string{"experimental": "plan", "production": "active", "deprecated": "phase-out", "retired": "retired"}

// Service imports Backstage catalogs and writes the catalog as one.
type Service struct {
	DB        *db.DB
	Clock     engage.Clock
	Org       *org.Service
	Processes *process.Service
	Catalog   *catalog.Catalog
	// BaseURL is Engage's public address, for the links written.
	BaseURL string
	// Examples are descriptor files the Backstage page offers to check and
	// import without choosing files (the demo's); nil offers none.
	Examples Files
}

// MayImport says whether p may import a Backstage catalog: enterprise
// architects and administrators (changing departments needs an
// administrator), asked before a file is received.
func MayImport(p *access.Principal) error { return process.MayWrite(p) }

// Change is one department or application an import creates or changes.
type Change struct {
	Action string   `json:"action" enum:"create,update"`
	Kind   string   `json:"kind" enum:"department,application"`
	Ref    string   `json:"ref" doc:"The department's code or the application's handle"`
	Name   string   `json:"name"`
	From   string   `json:"from" doc:"The Backstage entity it comes from, kind:namespace/name"`
	Fields []string `json:"fields,omitempty" doc:"What changes, field by field"`
}

// KindCount is how many entities of a kind were read.
type KindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// Report says what an import did (or, in a dry run, would do).
type Report struct {
	Files         int         `json:"files"`
	Entities      []KindCount `json:"entities" nullable:"false"`
	PeopleMatched int         `json:"people_matched" doc:"Users matched to people by e-mail"`
	Created       int         `json:"created"`
	Changed       int         `json:"changed"`
	Changes       []Change    `json:"changes" nullable:"false"`
	Warnings      []string    `json:"warnings" nullable:"false"`
	DryRun        bool        `json:"dry_run"`
}

// String is the report as the command line prints it.
func (r Report) String() string {
	var b strings.Builder
	var read []string
	for _, k := range r.Entities {
		read = append(read, fmt.Sprintf("%d %s", k.Count, k.Kind))
	}
	fmt.Fprintf(&b, "Read %d files: %s; %d users matched to people.\n", r.Files, strings.Join(read, ", "), r.PeopleMatched)
	fmt.Fprintf(&b, "%d created, %d changed\n", r.Created, r.Changed)
	for _, c := range r.Changes {
		mark := "+"
		if c.Action == "update" {
			mark = "~"
		}
		fmt.Fprintf(&b, "%s %s %s: %s (from %s)\n", mark, c.Kind, c.Ref, c.Name, c.From)
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "    %s\n", f)
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

var errDryRun = errors.New("dry run")

// Import makes Engage match a Backstage catalog read by Read: departments
// from department Groups, applications from Systems and Components, in one
// transaction; with dryRun it only says what would change. Entities are
// matched to what exists, never duplicated; what the catalog does not name
// is left alone. Enterprise architects and administrators.
func (s *Service) Import(ctx context.Context, p *access.Principal, set *Set, dryRun bool) (Report, error) {
	if err := MayImport(p); err != nil {
		return Report{}, err
	}
	im := &importer{s: s, p: p, set: set, byRef: map[string]*Entity{}, parent: map[string]string{}, outside: map[string]string{},
		members: map[string][]string{}, people: map[string]org.Person{}, deptOf: map[string]org.Department{}}
	if err := im.plan(ctx); err != nil {
		return Report{}, err
	}
	if len(im.errs) > 0 {
		return Report{}, invalid(im.errs)
	}
	var rep Report
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		if rep, err = im.apply(ctx, tx); err != nil {
			return err
		}
		if rep.DryRun = dryRun; dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return rep, err
}

type importer struct {
	s     *Service
	p     *access.Principal
	set   *Set
	errs  []engage.FieldError
	warns []string
	byRef map[string]*Entity
	// The group tree: a group's parent in the files, or the reference
	// of a parent outside them.
	parent, outside map[string]string
	members         map[string][]string // group → its users, by ref
	people          map[string]org.Person
	// Departments as stored, and which one each department Group is.
	depts             []org.Department
	deptOf            map[string]org.Department
	deptGroups        []*Entity
	matchedByCode     map[string]bool
	apps              process.RegisterFile
	appFrom           map[string]string // application ref → entity ref
	appsByRef         map[string]process.Application
	emails            map[int64]string
	unmatched, unkept map[string][]string
	kinds             []KindCount
}

func (im *importer) fail(where, format string, args ...any) {
	im.errs = append(im.errs, engage.FieldError{Field: where, Message: fmt.Sprintf(format, args...)})
}

// parseRef reads an entity reference [kind:][namespace/]name.
func parseRef(ref, kind, namespace string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if k, rest, ok := strings.Cut(ref, ":"); ok {
		kind, ref = k, rest
	}
	if ns, rest, ok := strings.Cut(ref, "/"); ok {
		namespace, ref = ns, rest
	}
	return kind + ":" + namespace + "/" + ref
}

func refName(ref string) string {
	_, name, _ := strings.Cut(ref, "/")
	return name
}

func refKind(ref string) string {
	kind, _, _ := strings.Cut(ref, ":")
	return kind
}

func isDepartment(e *Entity) bool {
	return e != nil && e.Kind == "Group" && slices.Contains(DepartmentTypes, strings.ToLower(e.Spec.Type))
}

// plan reads what is stored and works out what the catalog means, before
// anything is written.
func (im *importer) plan(ctx context.Context) error {
	counts := map[string]int{}
	for _, e := range im.set.Entities {
		counts[e.Kind]++
		if first, ok := im.byRef[e.Ref()]; ok {
			im.fail(e.Where, "%s is defined twice (first at %s).", e.Ref(), first.Where)
			continue
		}
		im.byRef[e.Ref()] = e
	}
	im.warns = slices.Clone(im.set.Warnings)
	for _, k := range Kinds {
		if counts[k] > 0 {
			im.kinds = append(im.kinds, KindCount{Kind: k, Count: counts[k]})
		}
	}
	im.tree()
	if err := im.matchPeople(ctx); err != nil {
		return err
	}
	if err := im.matchDepartments(ctx); err != nil {
		return err
	}
	return im.applications(ctx)
}

// apply writes the plan in tx and says what it changed.
func (im *importer) apply(ctx context.Context, tx *db.Tx) (Report, error) {
	// The lists are empty rather than absent when there is nothing to say.
	rep := Report{Files: im.set.Files, Entities: append([]KindCount{}, im.kinds...), PeopleMatched: len(im.people), Changes: []Change{},
		Warnings: append([]string{}, im.warns...)}
	add := func(c Change) {
		rep.Changes = append(rep.Changes, c)
		if c.Action == "create" {
			rep.Created++
		} else {
			rep.Changed++
		}
	}
	var errs []engage.FieldError
	failed := func(where string, err error) (bool, error) {
		var e *engage.Error
		if err == nil {
			return false, nil
		}
		if engage.ErrorCode(err) == engage.EFORBIDDEN {
			return true, engage.Errorf(engage.EFORBIDDEN, "%s is a department Group: only administrators create or change departments "+
				"(an enterprise architect may import files without department Groups).", where)
		}
		if !errors.As(err, &e) || e.Code != engage.EINVALID {
			return true, err
		}
		for _, fe := range e.Fields {
			errs = append(errs, engage.FieldError{Field: where + ": " + fe.Field, Message: fe.Message})
		}
		if len(e.Fields) == 0 {
			errs = append(errs, engage.FieldError{Field: where, Message: e.Message})
		}
		return true, nil
	}
	ids, codes := map[string]int64{}, map[int64]string{}
	for _, d := range im.depts {
		codes[d.ID] = d.Code
	}
	for _, g := range im.deptGroups {
		parentID := im.parentDepartment(g, ids)
		code, name := groupCode(g), g.Title()
		cur, ok := im.deptOf[g.Ref()]
		if !ok {
			id, err := im.s.Org.CreateDepartmentIn(ctx, tx, im.p, org.DepartmentInput{Code: code, Name: name, ParentID: parentID})
			if bad, err := failed(g.Where, err); err != nil {
				return Report{}, err
			} else if !bad {
				ids[g.Ref()], codes[id] = id, code
				add(Change{Action: "create", Kind: "department", Ref: code, Name: name, From: g.Ref()})
			}
			continue
		}
		ids[g.Ref()] = cur.ID
		want := cur.Input()
		if im.matchedByCode[g.Ref()] {
			want.Name = name
		}
		if parentID != 0 {
			want.ParentID = parentID
		}
		var fields []string
		if want.Name != cur.Name {
			fields = append(fields, fmt.Sprintf("name: %s → %s", cur.Name, want.Name))
		}
		if want.ParentID != cur.ParentID {
			fields = append(fields, fmt.Sprintf("parent: %s → %s", orNone(codes[cur.ParentID]), codes[want.ParentID]))
		}
		if len(fields) == 0 {
			continue
		}
		err := im.s.Org.UpdateDepartmentIn(ctx, tx, im.p, cur.ID, cur.Version, want)
		if bad, err := failed(g.Where, err); err != nil {
			return Report{}, err
		} else if !bad {
			add(Change{Action: "update", Kind: "department", Ref: cur.Code, Name: want.Name, From: g.Ref(), Fields: fields})
		}
	}
	if len(errs) > 0 {
		return Report{}, invalid(errs)
	}
	plan, err := im.s.Processes.ApplyRegisterIn(ctx, tx, im.p, im.apps)
	if err != nil {
		return Report{}, err
	}
	for _, c := range plan.Changes {
		add(Change{Action: c.Action, Kind: c.Kind, Ref: c.Ref, Name: c.Name, From: im.appFrom[c.Ref], Fields: c.Fields})
	}
	rep.Warnings = append(rep.Warnings, plan.Warnings...)
	return rep, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// parentDepartment is the department a department Group sits below: the
// nearest department Group above it in the files, or the stored
// department named by a parent outside them.
func (im *importer) parentDepartment(g *Entity, ids map[string]int64) int64 {
	last := g.Ref()
	for node := im.parent[last]; node != ""; node = im.parent[node] {
		if isDepartment(im.byRef[node]) {
			return ids[node]
		}
		last = node
	}
	if out := im.outside[last]; out != "" && refKind(out) == "group" {
		if d, ok, _ := im.findDepartment(refName(out), refName(out)); ok {
			return d.ID
		}
	}
	return 0
}

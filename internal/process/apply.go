package process

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
)

// RegisterChange is one entry a register file creates or changes.
type RegisterChange struct {
	Action string   `json:"action" enum:"create,update"`
	Kind   string   `json:"kind" enum:"process,application,journey"`
	Ref    string   `json:"ref"`
	Name   string   `json:"name"`
	Fields []string `json:"fields,omitempty" doc:"What changes, field by field"`
}

// RegisterPlan is what applying a register file does (or, in a dry run, would do).
type RegisterPlan struct {
	Created  int              `json:"created"`
	Changed  int              `json:"changed"`
	Changes  []RegisterChange `json:"changes" nullable:"false"`
	Warnings []string         `json:"warnings" nullable:"false"`
	DryRun   bool             `json:"dry_run"`
}

// String is the plan as the command line prints it.
func (p RegisterPlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d created, %d changed\n", p.Created, p.Changed)
	for _, c := range p.Changes {
		mark := "+"
		if c.Action == "update" {
			mark = "~"
		}
		fmt.Fprintf(&b, "%s %s %s: %s\n", mark, c.Kind, c.Ref, c.Name)
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "    %s\n", f)
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

var errDryRun = errors.New("dry run")

// ApplyRegister makes the register match f, in one transaction, or with
// dryRun only says what it would change. Entries the file does not name are
// left as they are: a file adds and changes, it never deletes. Every error
// names the entry (a file's line, an ArchiMate element) and the field, and
// then nothing is written. Enterprise architects and administrators only.
func (s *Service) ApplyRegister(ctx context.Context, p *access.Principal, f RegisterFile, dryRun bool) (RegisterPlan, error) {
	if err := requireWriter(p); err != nil {
		return RegisterPlan{}, err
	}
	var plan RegisterPlan
	err := s.transact(ctx, func(tx *db.Tx) (err error) {
		if plan, err = s.applyRegister(ctx, tx, p, f); err != nil {
			return err
		}
		if plan.DryRun = dryRun; dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return plan, err
}

// ApplyRegisterIn makes the register match f within the caller's
// transaction tx, for an import that writes several areas all or nothing
// (a Backstage catalog); the caller commits, or rolls back for a dry run.
// Enterprise architects and administrators only.
func (s *Service) ApplyRegisterIn(ctx context.Context, tx *db.Tx, p *access.Principal, f RegisterFile) (RegisterPlan, error) {
	if err := requireWriter(p); err != nil {
		return RegisterPlan{}, err
	}
	plan, err := s.applyRegister(ctx, tx, p, f)
	if err != nil {
		return RegisterPlan{}, err
	}
	return plan, db.BumpGeneration(ctx, tx, generationKey)
}

func (s *Service) applyRegister(ctx context.Context, tx *db.Tx, p *access.Principal, f RegisterFile) (RegisterPlan, error) {
	a := &applier{ctx: ctx, s: s, tx: tx, p: p, f: f, plan: RegisterPlan{Changes: []RegisterChange{}, Warnings: slices.Clone(f.Warnings)}}
	if a.plan.Warnings == nil {
		a.plan.Warnings = []string{}
	}
	if err := a.run(ctx); err != nil {
		return RegisterPlan{}, err
	}
	if len(a.errs) > 0 {
		n := len(a.errs)
		msg := "The register file has an error; nothing was written."
		if n > 1 {
			msg = fmt.Sprintf("The register file has %d errors; nothing was written.", n)
		}
		return RegisterPlan{}, &engage.Error{Code: engage.EINVALID, Message: msg, Fields: a.errs}
	}
	return a.plan, nil
}

type applier struct {
	ctx  context.Context
	s    *Service
	tx   *db.Tx
	p    *access.Principal
	f    RegisterFile
	plan RegisterPlan
	errs []engage.FieldError
	org  *orgIndex
	svcs map[string]ServiceRef // by slug
	// What the register holds, by ref, updated as the file is applied.
	procs map[string]Entry
	apps  map[string]Application
	k     *known
	// The links of every process as they were before the file, by
	// process id and the application's ref or the service's slug.
	appLinks, svcLinks   map[int64]map[string]decimal.Decimal
	functions, locations map[int64][]int64
	// relinked says links to services changed (told once, at the end).
	relinked bool
}

func (a *applier) fail(where, field, format string, args ...any) {
	if field != "" {
		where += ": " + field
	}
	a.errs = append(a.errs, engage.FieldError{Field: where, Message: fmt.Sprintf(format, args...)})
}

// failed records err's fields when it is a caller's mistake and reports
// whether it was one; any other error stops the run.
func (a *applier) failed(where string, err error) (bool, error) {
	var e *engage.Error
	if err == nil {
		return false, nil
	}
	if !errors.As(err, &e) || (e.Code != engage.EINVALID && e.Code != engage.ECONFLICT) {
		return true, err
	}
	if len(e.Fields) == 0 {
		a.fail(where, "", "%s", e.Message)
	}
	for _, fe := range e.Fields {
		a.fail(where, fe.Field, "%s", fe.Message)
	}
	return true, nil
}

func (a *applier) change(action, kind, ref, name string, fields []string) {
	a.plan.Changes = append(a.plan.Changes, RegisterChange{Action: action, Kind: kind, Ref: ref, Name: name, Fields: fields})
	if action == "create" {
		a.plan.Created++
	} else {
		a.plan.Changed++
	}
}

func (a *applier) run(ctx context.Context) error {
	var err error
	if a.org, err = loadOrgIndex(ctx, a.s.Org); err != nil {
		return err
	}
	refs, err := a.s.serviceRefs(ctx)
	if err != nil {
		return err
	}
	a.svcs = map[string]ServiceRef{}
	for _, r := range refs {
		a.svcs[r.Slug] = r
	}
	a.procs, a.apps = map[string]Entry{}, map[string]Application{}
	a.k = &known{tree: map[int64]int64{}, people: map[int64]bool{}, depts: map[int64]bool{}, services: refs}
	for _, id := range a.org.departments {
		a.k.depts[id] = true
	}
	entries, err := allEntries(ctx, a.tx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		a.procs[e.Ref] = e
		a.k.tree[e.ID] = e.ParentID
	}
	if err := a.loadLinks(ctx); err != nil {
		return err
	}
	apps, err := a.s.applications(ctx, a.tx, "")
	if err != nil {
		return err
	}
	for _, app := range apps {
		a.apps[app.Ref] = app
	}
	for i := range a.f.Applications {
		if err := a.application(ctx, &a.f.Applications[i]); err != nil {
			return err
		}
	}
	order, err := a.processOrder()
	if err != nil || len(a.errs) > 0 {
		return err
	}
	for _, fp := range order {
		if err := a.process(ctx, fp); err != nil {
			return err
		}
	}
	if len(a.errs) > 0 {
		return nil
	}
	for _, fp := range order {
		if err := a.links(ctx, fp); err != nil {
			return err
		}
	}
	for i := range a.f.Journeys {
		if err := a.journey(ctx, &a.f.Journeys[i]); err != nil {
			return err
		}
	}
	if a.relinked {
		return a.s.servicesRelinked(ctx, a.tx)
	}
	return nil
}

func allEntries(ctx context.Context, q db.Querier) ([]Entry, error) {
	rows, err := q.Query(ctx, "SELECT "+columns+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading the process register: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func normRef(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func whereOf(where, kind, ref string) string {
	if where != "" {
		return where + " (" + kind + " " + ref + ")"
	}
	return kind + " " + ref
}

func (a *applier) application(ctx context.Context, fa *FileApplication) error {
	fa.Ref = normRef(fa.Ref)
	where := whereOf(fa.Where, "application", fa.Ref)
	cur, exists := a.apps[fa.Ref]
	var in ApplicationInput
	if exists && a.f.Partial {
		in = cur.Input()
		in.Name, in.Description, in.ArchiMateID = fa.Name, fa.Description, fa.ArchiMateID
	} else {
		in = ApplicationInput{Ref: fa.Ref, Name: fa.Name, Description: fa.Description, Vendor: fa.Vendor, Lifecycle: fa.Lifecycle,
			FunctionalFit: fa.FunctionalFit, TechnicalFit: fa.TechnicalFit, ArchiMateID: fa.ArchiMateID}
		in.OwnerPersonID = a.person(ctx, where, "owner", fa.Owner)
		for _, slug := range fa.Services {
			if svc, ok := a.svcs[strings.TrimSpace(slug)]; ok {
				in.ServiceIDs = append(in.ServiceIDs, svc.ID)
			} else {
				a.fail(where, "services", "No catalog service %q.", slug)
			}
		}
	}
	if bad, err := a.failed(where, a.s.checkApplication(ctx, &in, a.k)); bad || err != nil {
		return err
	}
	var out Application
	var err error
	if !exists {
		out, err = a.s.createApplication(ctx, a.tx, a.p, in, a.k)
		a.change("create", "application", in.Ref, in.Name, nil)
	} else if before := cur.Input(); !before.same(in) {
		out, err = a.s.updateApplication(ctx, a.tx, a.p, cur.ID, cur.Version, in, a.k)
		a.change("update", "application", in.Ref, in.Name, a.applicationDiff(before, in))
	} else {
		return nil
	}
	if bad, err := a.failed(where, err); bad || err != nil {
		return err
	}
	a.apps[out.Ref] = out
	return nil
}

func (a *applier) person(ctx context.Context, where, field, email string) int64 {
	if strings.TrimSpace(email) == "" {
		return 0
	}
	person, err := a.s.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		a.fail(where, field, "No person with the e-mail address %s.", email)
		return 0
	}
	return person.ID
}

// processOrder returns the file's processes with every parent before its
// children, refusing unknown parents and loops.
func (a *applier) processOrder() ([]*FileProcess, error) {
	byRef := map[string]*FileProcess{}
	for i := range a.f.Processes {
		fp := &a.f.Processes[i]
		fp.Ref, fp.Parent = normRef(fp.Ref), normRef(fp.Parent)
		if _, dup := byRef[fp.Ref]; dup && fp.Ref != "" {
			a.fail(whereOf(fp.Where, "process", fp.Ref), "ref", "%s is named twice in the file.", fp.Ref)
		}
		byRef[fp.Ref] = fp
	}
	var order []*FileProcess
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(fp *FileProcess) bool
	visit = func(fp *FileProcess) bool {
		switch state[fp.Ref] {
		case 1:
			a.fail(whereOf(fp.Where, "process", fp.Ref), "parent", "The tree loops: %s sits below itself.", fp.Ref)
			return false
		case 2:
			return true
		}
		state[fp.Ref] = 1
		if parent, ok := byRef[fp.Parent]; ok && fp.Parent != "" {
			if !visit(parent) {
				state[fp.Ref] = 2
				return false
			}
		} else if _, known := a.procs[fp.Parent]; fp.Parent != "" && !known {
			a.fail(whereOf(fp.Where, "process", fp.Ref), "parent", "No process %s in the file or the register.", fp.Parent)
		}
		state[fp.Ref] = 2
		order = append(order, fp)
		return true
	}
	for i := range a.f.Processes {
		visit(&a.f.Processes[i])
	}
	return order, nil
}

func (a *applier) process(ctx context.Context, fp *FileProcess) error {
	where := whereOf(fp.Where, "process", fp.Ref)
	cur, exists := a.procs[fp.Ref]
	kind := fp.Kind
	if kind == "" {
		kind = Process
	}
	var in Input
	if exists && a.f.Partial {
		in = cur.Input()
		in.Kind, in.Name, in.Description, in.ArchiMateType, in.ArchiMateID = kind, fp.Name, fp.Description, fp.ArchiMateType, fp.ArchiMateID
		if fp.Parent != "" {
			in.ParentID = a.procs[fp.Parent].ID
		}
	} else {
		in = Input{Kind: kind, Ref: fp.Ref, Name: fp.Name, Description: fp.Description, Criticality: fp.Criticality,
			ExternalCustomers: fp.ExternalCustomers, Enablement: fp.Enablement, ArchiMateType: fp.ArchiMateType, ArchiMateID: fp.ArchiMateID}
		if fp.Parent != "" {
			in.ParentID = a.procs[fp.Parent].ID
		}
		in.OwnerPersonID = a.person(ctx, where, "owner", fp.Owner)
		if fp.Department != "" {
			if id, ok := a.org.departments[strings.ToUpper(strings.TrimSpace(fp.Department))]; ok {
				in.OwnerDepartmentID = id
			} else {
				a.fail(where, "department", "No department with the code %s.", fp.Department)
			}
		}
	}
	id := int64(0)
	if exists {
		id = cur.ID
	}
	if bad, err := a.failed(where, a.s.check(ctx, a.tx, id, &in, a.k)); bad || err != nil {
		return err
	}
	var out Entry
	var err error
	if !exists {
		out, err = a.s.create(ctx, a.tx, a.p, in, a.k)
		a.change("create", "process", in.Ref, in.Name, nil)
	} else if before := cur.Input(); before != in {
		out, err = a.s.update(ctx, a.tx, a.p, cur.ID, cur.Version, in, a.k)
		a.change("update", "process", in.Ref, in.Name, a.processDiff(before, in))
	} else {
		return nil
	}
	if bad, err := a.failed(where, err); bad || err != nil {
		return err
	}
	a.procs[out.Ref] = out
	a.k.tree[out.ID] = out.ParentID
	return nil
}

// loadLinks reads every process's links and performers once.
func (a *applier) loadLinks(ctx context.Context) error {
	a.appLinks, a.svcLinks = map[int64]map[string]decimal.Decimal{}, map[int64]map[string]decimal.Decimal{}
	a.functions, a.locations = map[int64][]int64{}, map[int64][]int64{}
	apps, err := a.s.appLinks(ctx, a.tx, "1 = 1")
	if err != nil {
		return err
	}
	for _, l := range apps {
		if a.appLinks[l.ProcessID] == nil {
			a.appLinks[l.ProcessID] = map[string]decimal.Decimal{}
		}
		a.appLinks[l.ProcessID][l.Ref] = l.Weight
	}
	svcs, err := a.s.serviceLinks(ctx, a.tx, "1 = 1")
	if err != nil {
		return err
	}
	for _, l := range svcs {
		if a.svcLinks[l.ProcessID] == nil {
			a.svcLinks[l.ProcessID] = map[string]decimal.Decimal{}
		}
		a.svcLinks[l.ProcessID][l.Slug] = l.Weight
	}
	for table, into := range map[string]map[int64][]int64{"process_functions": a.functions, "process_locations": a.locations} {
		column := strings.TrimSuffix(strings.TrimPrefix(table, "process_"), "s") + "_id"
		rows, err := a.tx.Query(ctx, "SELECT process_id, "+column+" FROM "+table+" ORDER BY process_id, "+column)
		if err != nil {
			return fmt.Errorf("reading the register's %s: %w", table, err)
		}
		for rows.Next() {
			var pid, id int64
			if err := rows.Scan(&pid, &id); err != nil {
				rows.Close()
				return err
			}
			into[pid] = append(into[pid], id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// links makes a process's functions, locations, applications and services
// match the file (only its applications when the file is partial), writing
// only what changes and recording it once in the audit log.
func (a *applier) links(ctx context.Context, fp *FileProcess) error {
	where := whereOf(fp.Where, "process", fp.Ref)
	proc := a.procs[fp.Ref]
	had := a.appLinks[proc.ID]
	want := map[string]decimal.Decimal{}
	for _, fl := range fp.Applications {
		ref := normRef(fl.Ref)
		if _, ok := a.apps[ref]; !ok {
			a.fail(where, "applications", "No application %s in the file or the register.", fl.Ref)
			continue
		}
		w, ok := a.weight(where, "applications", fl, had[ref], a.f.Partial)
		if ok {
			want[ref] = w
		}
	}
	var wantSvcs map[string]decimal.Decimal
	var functions, locations []int64
	if !a.f.Partial {
		wantSvcs = map[string]decimal.Decimal{}
		for _, fl := range fp.Services {
			slug := strings.TrimSpace(fl.Ref)
			if _, ok := a.svcs[slug]; !ok {
				a.fail(where, "services", "No catalog service %q.", fl.Ref)
				continue
			}
			if w, ok := a.weight(where, "services", fl, decimal.Zero, false); ok {
				wantSvcs[slug] = w
			}
		}
		functions = a.codes(where, "functions", fp.Functions, a.org.functions)
		locations = a.codes(where, "locations", fp.Locations, a.org.locations)
	}
	if len(a.errs) > 0 {
		return nil
	}
	diffs := weightDiff("applications", had, want)
	if len(diffs) > 0 {
		ids := map[string]int64{}
		for ref := range had {
			ids[ref] = a.apps[ref].ID
		}
		for ref := range want {
			ids[ref] = a.apps[ref].ID
		}
		if err := replaceLinks(ctx, a.tx, "process_applications", "application_id", proc.ID, had, want, ids); err != nil {
			return err
		}
	}
	if !a.f.Partial {
		hadSvcs := a.svcLinks[proc.ID]
		svcDiffs := weightDiff("services", hadSvcs, wantSvcs)
		if len(svcDiffs) > 0 {
			ids := map[string]int64{}
			for slug := range hadSvcs {
				ids[slug] = a.svcs[slug].ID
			}
			for slug := range wantSvcs {
				ids[slug] = a.svcs[slug].ID
			}
			if err := replaceLinks(ctx, a.tx, "process_services", "service_id", proc.ID, hadSvcs, wantSvcs, ids); err != nil {
				return err
			}
			a.relinked = true
			diffs = append(diffs, svcDiffs...)
		}
		oldF, oldL := sortedSet(a.functions[proc.ID]), sortedSet(a.locations[proc.ID])
		performers := append(a.codeDiff("functions", oldF, functions, a.org.functionCodes), a.codeDiff("locations", oldL, locations, a.org.locationCodes)...)
		if len(performers) > 0 {
			if err := writePerformers(ctx, a.tx, proc, functions, locations); err != nil {
				return err
			}
			diffs = append(diffs, performers...)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	if err := audit.Record(ctx, a.tx, a.s.Clock.Now(), a.p, "update", "process", proc.ID, "Process "+proc.Ref+": links from a register file", nil, diffs); err != nil {
		return err
	}
	// A process the file created or changed already counts once.
	for i := range a.plan.Changes {
		if c := &a.plan.Changes[i]; c.Kind == "process" && c.Ref == proc.Ref {
			if c.Action == "update" {
				c.Fields = append(c.Fields, diffs...)
			}
			return nil
		}
	}
	a.change("update", "process", proc.Ref, proc.Name, diffs)
	return nil
}

// weight reads a link's weight; an empty one keeps the weight the link has
// when keep is set (an ArchiMate relation without one), or is 100.
func (a *applier) weight(where, field string, fl FileLink, had decimal.Decimal, keep bool) (decimal.Decimal, bool) {
	text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(fl.Weight), "%"))
	if text == "" {
		if keep && !had.IsZero() {
			return had, true
		}
		return hundred, true
	}
	w, err := decimal.NewFromString(text)
	if err != nil {
		a.fail(where, field, "The weight of %s is not a number: %q.", fl.Ref, fl.Weight)
		return w, false
	}
	var v engage.Validation
	CheckWeight(&v, field, w)
	if v.Err() != nil {
		a.fail(where, field, "The weight of %s: %s", fl.Ref, v.Fields[0].Message)
		return w, false
	}
	return w, true
}

func (a *applier) codes(where, field string, codes []string, known map[string]int64) []int64 {
	var out []int64
	for _, c := range codes {
		if id, ok := known[strings.ToUpper(strings.TrimSpace(c))]; ok {
			out = append(out, id)
		} else {
			a.fail(where, field, "No %s with the code %s.", strings.TrimSuffix(field, "s"), c)
		}
	}
	return sortedSet(out)
}

func (a *applier) codeDiff(field string, old, new []int64, codes map[int64]string) []string {
	if slices.Equal(old, new) {
		return nil
	}
	name := func(ids []int64) string {
		var out []string
		for _, id := range ids {
			out = append(out, codes[id])
		}
		return orNone(strings.Join(out, ", "))
	}
	return []string{fmt.Sprintf("%s: %s → %s", field, name(old), name(new))}
}

func weightDiff(field string, had, want map[string]decimal.Decimal) []string {
	var out []string
	for _, ref := range slices.Sorted(maps.Keys(want)) {
		if old, ok := had[ref]; !ok {
			out = append(out, fmt.Sprintf("%s: + %s %s%%", field, ref, want[ref]))
		} else if !old.Equal(want[ref]) {
			out = append(out, fmt.Sprintf("%s: %s %s%% → %s%%", field, ref, old, want[ref]))
		}
	}
	for _, ref := range slices.Sorted(maps.Keys(had)) {
		if _, ok := want[ref]; !ok {
			out = append(out, fmt.Sprintf("%s: − %s", field, ref))
		}
	}
	return out
}

func (a *applier) journey(ctx context.Context, fj *FileJourney) error {
	fj.Ref = normRef(fj.Ref)
	where := whereOf(fj.Where, "journey", fj.Ref)
	in := JourneyInput{Ref: fj.Ref, Name: fj.Name, Description: fj.Description, ProcessIDs: []int64{}}
	for _, ref := range fj.Processes {
		if e, ok := a.procs[normRef(ref)]; ok {
			in.ProcessIDs = append(in.ProcessIDs, e.ID)
		} else {
			a.fail(where, "processes", "No process %s in the file or the register.", ref)
		}
	}
	if bad, err := a.failed(where, a.s.checkJourney(ctx, a.tx, &in)); bad || err != nil {
		return err
	}
	cur, err := a.s.journey(ctx, a.tx, "ref = ?", in.Ref)
	switch {
	case engage.ErrorCode(err) == engage.ENOTFOUND:
		_, err = a.s.createJourney(ctx, a.tx, a.p, in)
		a.change("create", "journey", in.Ref, in.Name, nil)
	case err != nil:
		return err
	case !cur.Input().same(in):
		var diffs []string
		diffText(&diffs, "name", cur.Name, in.Name)
		diffText(&diffs, "description", cur.Description, in.Description)
		if !slices.Equal(cur.Input().ProcessIDs, in.ProcessIDs) {
			diffs = append(diffs, "processes: "+a.refList(cur.Input().ProcessIDs)+" → "+a.refList(in.ProcessIDs))
		}
		_, err = a.s.updateJourney(ctx, a.tx, a.p, cur.ID, cur.Version, in)
		a.change("update", "journey", in.Ref, in.Name, diffs)
	}
	_, err = a.failed(where, err)
	return err
}

func (a *applier) refList(ids []int64) string {
	byID := map[int64]string{}
	for ref, e := range a.procs {
		byID[e.ID] = ref
	}
	var out []string
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return orNone(strings.Join(out, ", "))
}

func diffText(out *[]string, field, old, new string) {
	if old != new {
		*out = append(*out, fmt.Sprintf("%s: “%s” → “%s”", field, old, new))
	}
}

func (a *applier) processDiff(old, new Input) []string {
	var out []string
	byID := map[int64]string{}
	for ref, e := range a.procs {
		byID[e.ID] = ref
	}
	diffText(&out, "parent", byID[old.ParentID], byID[new.ParentID])
	diffText(&out, "kind", string(old.Kind), string(new.Kind))
	diffText(&out, "name", old.Name, new.Name)
	diffText(&out, "description", old.Description, new.Description)
	diffText(&out, "owner", a.org.email(a.ctx, old.OwnerPersonID, a.s.Org), a.org.email(a.ctx, new.OwnerPersonID, a.s.Org))
	diffText(&out, "department", a.org.departmentCodes[old.OwnerDepartmentID], a.org.departmentCodes[new.OwnerDepartmentID])
	diffText(&out, "criticality", old.Criticality, new.Criticality)
	diffText(&out, "external_customers", strconv.FormatBool(old.ExternalCustomers), strconv.FormatBool(new.ExternalCustomers))
	diffText(&out, "enablement", old.Enablement, new.Enablement)
	diffText(&out, "archimate_type", old.ArchiMateType, new.ArchiMateType)
	diffText(&out, "archimate_id", old.ArchiMateID, new.ArchiMateID)
	return out
}

func (a *applier) applicationDiff(old, new ApplicationInput) []string {
	var out []string
	diffText(&out, "name", old.Name, new.Name)
	diffText(&out, "description", old.Description, new.Description)
	diffText(&out, "owner", a.org.email(a.ctx, old.OwnerPersonID, a.s.Org), a.org.email(a.ctx, new.OwnerPersonID, a.s.Org))
	diffText(&out, "vendor", old.Vendor, new.Vendor)
	diffText(&out, "lifecycle", old.Lifecycle, new.Lifecycle)
	diffText(&out, "functional_fit", strconv.Itoa(old.FunctionalFit), strconv.Itoa(new.FunctionalFit))
	diffText(&out, "technical_fit", strconv.Itoa(old.TechnicalFit), strconv.Itoa(new.TechnicalFit))
	diffText(&out, "archimate_id", old.ArchiMateID, new.ArchiMateID)
	slugs := func(ids []int64) string {
		bySlug := map[int64]string{}
		for slug, r := range a.svcs {
			bySlug[r.ID] = slug
		}
		var out []string
		for _, id := range sortedSet(ids) {
			out = append(out, bySlug[id])
		}
		return strings.Join(out, ", ")
	}
	diffText(&out, "services", slugs(old.ServiceIDs), slugs(new.ServiceIDs))
	return out
}

// orgIndex names the organisation's departments, functions and locations
// by code, and people by e-mail, for files.
type orgIndex struct {
	departments, functions, locations             map[string]int64
	departmentCodes, functionCodes, locationCodes map[int64]string
	emails                                        map[int64]string
}

func loadOrgIndex(ctx context.Context, o *org.Service) (*orgIndex, error) {
	x := &orgIndex{departments: map[string]int64{}, functions: map[string]int64{}, locations: map[string]int64{},
		departmentCodes: map[int64]string{}, functionCodes: map[int64]string{}, locationCodes: map[int64]string{}, emails: map[int64]string{}}
	sys := access.System("process register")
	for cursor := ""; ; {
		list, next, err := o.ListDepartments(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, d := range list {
			x.departments[strings.ToUpper(d.Code)], x.departmentCodes[d.ID] = d.ID, d.Code
		}
		if cursor = next; next == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := o.ListFunctions(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, f := range list {
			x.functions[strings.ToUpper(f.Code)], x.functionCodes[f.ID] = f.ID, f.Code
		}
		if cursor = next; next == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := o.ListLocations(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, l := range list {
			x.locations[strings.ToUpper(l.Code)], x.locationCodes[l.ID] = l.ID, l.Code
		}
		if cursor = next; next == "" {
			break
		}
	}
	return x, nil
}

func (x *orgIndex) email(ctx context.Context, id int64, o *org.Service) string {
	if id == 0 {
		return ""
	}
	if e, ok := x.emails[id]; ok {
		return e
	}
	if p, err := o.FindPersonByID(ctx, id); err == nil {
		x.emails[id] = p.Email
	}
	return x.emails[id]
}

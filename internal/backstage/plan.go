package backstage

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/process"
)

// sorted returns the entities of a kind in the order they were read.
func (im *importer) sorted(kind string) []*Entity {
	var out []*Entity
	for _, e := range im.set.Entities {
		if e.Kind == kind && im.byRef[e.Ref()] == e {
			out = append(out, e)
		}
	}
	return out
}

// tree builds the group tree from parents and children, refusing a group
// given two parents and a loop.
func (im *importer) tree() {
	where := map[string]string{}
	set := func(child, parent, at string) {
		if old, ok := im.parent[child]; ok && old != parent {
			im.fail(at, "%s has two parents: %s (%s) and %s.", child, old, where[child], parent)
			return
		}
		if old, ok := im.outside[child]; ok && old != parent {
			im.fail(at, "%s has two parents: %s and %s.", child, old, parent)
			return
		}
		if im.byRef[parent] == nil {
			im.outside[child] = parent
			return
		}
		im.parent[child], where[child] = parent, at
	}
	for _, g := range im.sorted("Group") {
		if g.Spec.Parent != "" {
			set(g.Ref(), parseRef(g.Spec.Parent, "group", g.Namespace()), g.Where)
		}
		for _, c := range g.Spec.Children {
			child := parseRef(c, "group", g.Namespace())
			if im.byRef[child] == nil {
				im.warns = append(im.warns, fmt.Sprintf("%s: child %s of %s is not in the files; skipped.", g.Where, child, g.Ref()))
				continue
			}
			set(child, g.Ref(), g.Where)
		}
	}
	reported := map[string]bool{}
	for _, g := range im.sorted("Group") {
		seen := map[string]bool{}
		var chain []string
		for node := g.Ref(); node != ""; node = im.parent[node] {
			if seen[node] {
				loop := chain[slices.Index(chain, node):]
				key := slices.Clone(loop)
				sort.Strings(key)
				if !reported[strings.Join(key, " ")] {
					reported[strings.Join(key, " ")] = true
					im.fail(im.byRef[node].Where, "The group tree has a loop: %s → %s.", strings.Join(loop, " → "), node)
				}
				break
			}
			seen[node] = true
			chain = append(chain, node)
		}
	}
	for _, u := range im.sorted("User") {
		for _, m := range u.Spec.MemberOf {
			g := parseRef(m, "group", u.Namespace())
			im.members[g] = append(im.members[g], u.Ref())
		}
	}
	for g := range im.members {
		sort.Strings(im.members[g])
	}
}

// matchPeople finds the person of each User by e-mail.
func (im *importer) matchPeople(ctx context.Context) error {
	im.unmatched = map[string][]string{}
	for _, u := range im.sorted("User") {
		email := ""
		if u.Spec.Profile != nil {
			email = org.NormaliseEmail(u.Spec.Profile.Email)
		}
		if email == "" {
			im.unmatched["no e-mail"] = append(im.unmatched["no e-mail"], u.Ref())
			continue
		}
		person, err := im.s.Org.FindPersonByEmail(ctx, email)
		if engage.ErrorCode(err) == engage.ENOTFOUND {
			im.unmatched["not a person in Engage"] = append(im.unmatched["not a person in Engage"], u.Ref())
			continue
		} else if err != nil {
			return err
		}
		im.people[u.Ref()] = person
	}
	for _, why := range []string{"no e-mail", "not a person in Engage"} {
		if names := im.unmatched[why]; len(names) > 0 {
			im.warns = append(im.warns, fmt.Sprintf("%d users matched no one (%s; people are not created from Backstage): %s.",
				len(names), why, strings.Join(names, ", ")))
		}
	}
	return nil
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// groupCode is the department code a Group names.
func groupCode(g *Entity) string {
	if c := strings.TrimSpace(g.Metadata.Annotations[DepartmentCode]); c != "" {
		return c
	}
	return g.Metadata.Name
}

// findDepartment matches a code or name to a stored department, by code
// first.
func (im *importer) findDepartment(code, name string) (org.Department, bool, bool) {
	for _, d := range im.depts {
		if strings.EqualFold(d.Code, code) {
			return d, true, true
		}
	}
	for _, d := range im.depts {
		if strings.EqualFold(d.Name, name) {
			return d, true, false
		}
	}
	return org.Department{}, false, false
}

// matchDepartments matches each department Group to a stored department,
// parents first.
func (im *importer) matchDepartments(ctx context.Context) error {
	sys := access.System("Backstage import")
	for cursor := ""; ; {
		list, next, err := im.s.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		im.depts = append(im.depts, list...)
		if cursor = next; next == "" {
			break
		}
	}
	depth := map[string]int{}
	for _, g := range im.sorted("Group") {
		if !isDepartment(g) {
			continue
		}
		n := 0
		for node := im.parent[g.Ref()]; node != "" && n <= len(im.parent); node = im.parent[node] {
			n++
		}
		depth[g.Ref()] = n
		im.deptGroups = append(im.deptGroups, g)
	}
	sort.SliceStable(im.deptGroups, func(i, j int) bool { return depth[im.deptGroups[i].Ref()] < depth[im.deptGroups[j].Ref()] })
	im.matchedByCode = map[string]bool{}
	claimed := map[int64]string{}
	for _, g := range im.deptGroups {
		code := groupCode(g)
		if !codePattern.MatchString(code) {
			im.fail(g.Where, "%s cannot be a department code (up to 32 letters, digits, dots, dashes or underscores): give the Group the annotation %s.",
				code, DepartmentCode)
			continue
		}
		d, ok, byCode := im.findDepartment(code, g.Title())
		if !ok {
			continue
		}
		if other, taken := claimed[d.ID]; taken {
			im.fail(g.Where, "%s and %s are both department %s (%s): give each its own %s annotation.", other, g.Ref(), d.Code, d.Name, DepartmentCode)
			continue
		}
		claimed[d.ID] = g.Ref()
		// Only a code the Group gives on purpose makes it the department's
		// name-giver; a name that happens to be a code does not rename.
		_, annotated := g.Metadata.Annotations[DepartmentCode]
		im.deptOf[g.Ref()], im.matchedByCode[g.Ref()] = d, byCode && annotated
	}
	return nil
}

// ownerEmail finds the person owning an entity: the User's person, or a
// Group's (its e-mail, its department's head, or its first member who is
// a person). An owner that names no entity, in the files or among the
// departments, is an error; one without a person is a warning.
func (im *importer) ownerEmail(ctx context.Context, e *Entity) (string, error) {
	if strings.TrimSpace(e.Spec.Owner) == "" {
		im.fail(e.Where, "spec.owner is missing: a %s names the Group or User owning it.", e.Kind)
		return "", nil
	}
	ref := parseRef(e.Spec.Owner, "group", e.Namespace())
	owner := im.byRef[ref]
	switch {
	case refKind(ref) != "group" && refKind(ref) != "user":
		im.fail(e.Where, "spec.owner %s: an owner is a Group or a User.", e.Spec.Owner)
		return "", nil
	case owner == nil && refKind(ref) == "group":
		d, ok, _ := im.findDepartment(refName(ref), refName(ref))
		if !ok {
			im.fail(e.Where, "The owner %s does not exist: no Group of that name in the files and no department with that code or name.", ref)
			return "", nil
		}
		return im.email(ctx, d.HeadID)
	case owner == nil:
		im.fail(e.Where, "The owner %s does not exist: no User of that name in the files.", ref)
		return "", nil
	case owner.Kind == "User":
		if person, ok := im.people[ref]; ok {
			return person.Email, nil
		}
		return "", nil
	}
	if owner.Spec.Profile != nil && owner.Spec.Profile.Email != "" {
		person, err := im.s.Org.FindPersonByEmail(ctx, owner.Spec.Profile.Email)
		if err == nil {
			return person.Email, nil
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return "", err
		}
	}
	if d, ok := im.deptOf[ref]; ok && d.HeadID != 0 {
		return im.email(ctx, d.HeadID)
	}
	for _, m := range im.members[ref] {
		if person, ok := im.people[m]; ok {
			return person.Email, nil
		}
	}
	return "", nil
}

func (im *importer) email(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if e, ok := im.emails[id]; ok {
		return e, nil
	}
	person, err := im.s.Org.FindPersonByID(ctx, id)
	if err != nil {
		return "", err
	}
	im.emails[id] = person.Email
	return person.Email, nil
}

var notRef = regexp.MustCompile(`[^a-z0-9]+`)

// applicationRef is the handle of the application an entity is.
func applicationRef(e *Entity) string {
	if r := strings.TrimSpace(e.Metadata.Annotations[ApplicationRef]); r != "" {
		return strings.ToLower(r)
	}
	return strings.Trim(notRef.ReplaceAllString(strings.ToLower(e.Metadata.Name), "-"), "-")
}

// applications builds the register file of the Systems and Components;
// what an application has that Backstage does not say (vendor, fits,
// services, ArchiMate identity) is kept.
func (im *importer) applications(ctx context.Context) error {
	im.emails, im.appFrom, im.appsByRef = map[int64]string{}, map[string]string{}, map[string]process.Application{}
	im.unkept = map[string][]string{}
	for _, k := range []string{"Domain", "API", "Resource"} {
		for _, e := range im.sorted(k) {
			im.unkept[k] = append(im.unkept[k], e.Ref())
		}
		if names := im.unkept[k]; len(names) > 0 {
			im.warns = append(im.warns, fmt.Sprintf("%d %s entities not imported (Engage keeps no %ss): %s.", len(names), k, strings.ToLower(k), strings.Join(names, ", ")))
		}
	}
	list, err := im.s.Processes.ListApplications(ctx, im.p)
	if err != nil {
		return err
	}
	for _, a := range list {
		im.appsByRef[a.Ref] = a
	}
	var noOwner []string
	for _, e := range append(im.sorted("System"), im.sorted("Component")...) {
		owner, err := im.ownerEmail(ctx, e)
		if err != nil {
			return err
		}
		ref := applicationRef(e)
		if other, ok := im.appFrom[ref]; ok {
			im.fail(e.Where, "%s and %s would both be application %s: give one the annotation %s.", other, e.Ref(), ref, ApplicationRef)
			continue
		}
		im.appFrom[ref] = e.Ref()
		fa := process.FileApplication{Ref: ref, Name: e.Title(), Description: strings.TrimSpace(e.Metadata.Description), Owner: owner, Where: e.Where}
		if e.Kind == "Component" && e.Spec.Lifecycle != "" {
			if fa.Lifecycle = Lifecycle[strings.ToLower(e.Spec.Lifecycle)]; fa.Lifecycle == "" {
				im.warns = append(im.warns, fmt.Sprintf("%s: lifecycle %q is not one Engage knows (experimental, production, deprecated); the application's is kept.",
					e.Where, e.Spec.Lifecycle))
			}
		}
		if cur, ok := im.appsByRef[ref]; ok {
			fa.Vendor, fa.FunctionalFit, fa.TechnicalFit, fa.ArchiMateID = cur.Vendor, cur.FunctionalFit, cur.TechnicalFit, cur.ArchiMateID
			for _, svc := range cur.Services {
				fa.Services = append(fa.Services, svc.Slug)
			}
			if fa.Lifecycle == "" {
				fa.Lifecycle = cur.Lifecycle
			}
			if fa.Owner == "" {
				if fa.Owner, err = im.email(ctx, cur.OwnerPersonID); err != nil {
					return err
				}
			}
		}
		if owner == "" {
			noOwner = append(noOwner, e.Ref())
		}
		im.apps.Applications = append(im.apps.Applications, fa)
	}
	if len(noOwner) > 0 {
		im.warns = append(im.warns, fmt.Sprintf("%d owners are not people in Engage, so these keep the owner they have (or none): %s.",
			len(noOwner), strings.Join(noOwner, ", ")))
	}
	return nil
}

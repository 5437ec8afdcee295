package org_test

import (
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

const orgCSV = `code,name,country,city,region,time_zone
LON,London HQ,gb,London,Europe,Europe/London
NYC,New York,US,New York,North America,America/New_York
`

const deptCSV = `code,name,parent_code,billing_mode
SCI,Science,,chargeback
LAB,Laboratory,SCI,
FIN,Finance,,
`

const peopleCSV = `email,name,department_code,location_code,manager_email,roles
Ada@Example.com,Ada Head,SCI,LON,,requester;budget-holder
bob@example.com,Bob Lab,LAB,LON,ada@example.com,requester
fay@example.com,Fay Finance,FIN,NYC,,requester
bea@example.com,Bea BRM,FIN,NYC,,brm
`

func loadOrg(t *testing.T, s *org.Service) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ kind, body string }{{"locations", orgCSV}, {"departments", deptCSV}, {"people", peopleCSV}} {
		rep, err := s.Import(ctx, admin, f.kind, strings.NewReader(f.body))
		if err != nil {
			t.Fatalf("import %s: %v", f.kind, err)
		}
		if rep.Created != strings.Count(f.body, "\n")-1 {
			t.Fatalf("import %s report = %+v", f.kind, rep)
		}
	}
}

func TestImportAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		loadOrg(t, s)

		// Departments refer to a parent later in the file too.
		rep, err := s.Import(ctx, admin, "departments", strings.NewReader("code,name,parent_code\nCHEM,Chemistry,RND\nRND,Research,SCI\n"))
		if err != nil || rep.Created != 2 {
			t.Fatalf("forward reference import = %+v, %v", rep, err)
		}
		chem, _, _ := s.ListDepartments(ctx, admin, org.ListFilter{Query: "chemistry"})
		if len(chem) != 1 || chem[0].ParentName != "Research" {
			t.Fatalf("chemistry = %+v", chem)
		}

		// Importing the same file again changes nothing.
		rep, err = s.Import(ctx, admin, "people", strings.NewReader(peopleCSV))
		if err != nil || rep.Unchanged != 4 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import = %+v, %v; want 4 unchanged", rep, err)
		}

		// One bad line among good ones: every bad line is named, nothing is written.
		people := count(t, d, "people")
		events := count(t, d, "audit_events")
		bad := "email,name,department_code,roles\nnew1@example.com,New One,SCI,requester\nnot-an-email,X,SCI,\nnew2@example.com,New Two,NOPE,wizard\n"
		_, err = s.Import(ctx, admin, "people", strings.NewReader(bad))
		fields := engage.ErrorFields(err)
		want := []string{"line 3: email", "line 4: department_code", "line 4: roles"}
		if len(fields) != len(want) {
			t.Fatalf("bad import errors = %+v; want %v", fields, want)
		}
		for i, w := range want {
			if fields[i].Field != w {
				t.Errorf("error %d field = %q, want %q (%s)", i, fields[i].Field, w, fields[i].Message)
			}
		}
		if count(t, d, "people") != people || count(t, d, "audit_events") != events {
			t.Fatal("a failed import wrote rows")
		}

		// Header problems are reported on line 1.
		_, err = s.Import(ctx, admin, "locations", strings.NewReader("code,nmae\nX,Y\n"))
		if f := engage.ErrorFields(err); len(f) != 3 || f[0].Field != "line 1" {
			t.Fatalf("header errors = %+v", f)
		}
		// Only admins import.
		_, err = s.Import(ctx, &access.Principal{PersonID: 1, Roles: []access.Role{access.Finance}}, "functions", strings.NewReader("code,name\nA,B\n"))
		if engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("finance import = %v; want forbidden", err)
		}
	})
}

func TestPeopleVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		loadOrg(t, s)
		ada, _ := s.FindPersonByEmail(ctx, "ADA@example.com")
		bob, _ := s.FindPersonByEmail(ctx, "bob@example.com")
		fay, _ := s.FindPersonByEmail(ctx, "fay@example.com")
		bea, _ := s.FindPersonByEmail(ctx, "bea@example.com")
		if bob.ManagerName != "Ada Head" || len(ada.Roles) != 2 {
			t.Fatalf("imported people: bob %+v ada %+v", bob, ada)
		}
		// Make Ada head of Science and Bea the BRM of Science.
		sci, _, _ := s.ListDepartments(ctx, admin, org.ListFilter{Query: "science"})
		in := sci[0].Input()
		in.HeadID, in.BRMID = ada.ID, bea.ID
		if _, err := s.UpdateDepartment(ctx, admin, sci[0].ID, sci[0].Version, in); err != nil {
			t.Fatal(err)
		}

		emails := func(p *access.Principal) string {
			list, _, err := s.ListPeople(ctx, p, org.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range list {
				out = append(out, x.Email)
			}
			return strings.Join(out, " ")
		}
		principal := func(id int64) *access.Principal {
			p, err := s.Principal(ctx, id, "test")
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Bob (Laboratory) sees only his own department.
		if got := emails(principal(bob.ID)); got != "bob@example.com" {
			t.Errorf("bob sees %q", got)
		}
		// Ada heads Science, so she sees Science and the Laboratory below it.
		if got := emails(principal(ada.ID)); got != "ada@example.com bob@example.com" {
			t.Errorf("ada sees %q", got)
		}
		// Bea is in Finance and BRM of Science: both.
		if got := emails(principal(bea.ID)); got != "ada@example.com bea@example.com bob@example.com fay@example.com" {
			t.Errorf("bea sees %q", got)
		}
		// Fay (requester in Finance) cannot open Bob's record.
		if _, err := s.FindPerson(ctx, principal(fay.ID), bob.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Errorf("fay reading bob = %v; want not found", err)
		}
		// Finance role sees everyone.
		finance := principal(fay.ID)
		finance.Roles = append(finance.Roles, access.Finance)
		if _, err := s.FindPerson(ctx, finance, bob.ID); err != nil {
			t.Errorf("finance reading bob = %v", err)
		}
	})
}

package org_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

var admin = access.System("test admin")

func newService(d *db.DB) *org.Service {
	return &org.Service{DB: d, Clock: engage.NewFixedClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDepartments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		root, err := s.CreateDepartment(ctx, admin, org.DepartmentInput{Code: "CORP", Name: "Corporate"})
		if err != nil {
			t.Fatal(err)
		}
		if root.BillingMode != org.Showback || root.Version != 1 {
			t.Fatalf("new department = %+v; want showback, version 1", root)
		}
		lab, err := s.CreateDepartment(ctx, admin, org.DepartmentInput{Code: "LAB", Name: "Laboratory", ParentID: root.ID})
		if err != nil {
			t.Fatal(err)
		}
		if lab.ParentName != "Corporate" {
			t.Errorf("parent name = %q, want Corporate", lab.ParentName)
		}

		// A duplicate code names the field.
		_, err = s.CreateDepartment(ctx, admin, org.DepartmentInput{Code: "LAB", Name: "Other"})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "code" {
			t.Fatalf("duplicate code error = %v; want a field error on code", err)
		}
		// Missing name and a bad billing mode are both reported.
		_, err = s.CreateDepartment(ctx, admin, org.DepartmentInput{Code: "X", BillingMode: "sometimes"})
		if f := engage.ErrorFields(err); len(f) != 2 || f[0].Field != "name" || f[1].Field != "billing_mode" {
			t.Fatalf("invalid department error fields = %+v", f)
		}
		// A department cannot move below its own child.
		_, err = s.UpdateDepartment(ctx, admin, root.ID, root.Version, org.DepartmentInput{Code: "CORP", Name: "Corporate", ParentID: lab.ID})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "parent_id" {
			t.Fatalf("cycle error = %v; want a field error on parent_id", err)
		}

		// Two editors: the second save, on the version both read, is refused.
		in := lab.Input()
		in.Name = "Research Laboratory"
		updated, err := s.UpdateDepartment(ctx, admin, lab.ID, lab.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || updated.Name != "Research Laboratory" {
			t.Fatalf("updated = %+v", updated)
		}
		in.Name = "Lab (stale)"
		_, err = s.UpdateDepartment(ctx, admin, lab.ID, lab.Version, in)
		if engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("stale update error = %v; want conflict", err)
		}
		got, _ := s.FindDepartment(ctx, admin, lab.ID)
		if got.Name != "Research Laboratory" {
			t.Fatalf("stale update changed the name to %q", got.Name)
		}

		// A requester may not create departments, and nothing is written.
		req := &access.Principal{PersonID: 99, Name: "R", Roles: []access.Role{access.Requester}}
		before := count(t, d, "departments")
		_, err = s.CreateDepartment(ctx, req, org.DepartmentInput{Code: "EVIL", Name: "Evil"})
		if engage.ErrorCode(err) != engage.EFORBIDDEN || count(t, d, "departments") != before {
			t.Fatalf("requester create = %v; want forbidden and no row", err)
		}

		// Every change is audited with before and after.
		events, _, err := audit.List(ctx, d, audit.Filter{EntityType: "department", EntityID: itoa(lab.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Action != "update" || !strings.Contains(string(events[0].Before), `"Laboratory"`) ||
			!strings.Contains(string(events[0].After), "Research Laboratory") {
			t.Fatalf("audit events = %+v", events)
		}

		// Search and keyset pagination.
		for i := 0; i < 5; i++ {
			if _, err := s.CreateDepartment(ctx, admin, org.DepartmentInput{Code: "OPS" + itoa(int64(i)), Name: "Operations " + itoa(int64(i))}); err != nil {
				t.Fatal(err)
			}
		}
		page1, next, err := s.ListDepartments(ctx, admin, org.ListFilter{Query: "operat", Limit: 3})
		if err != nil || len(page1) != 3 || next == "" {
			t.Fatalf("page 1 = %d rows, next %q, %v", len(page1), next, err)
		}
		page2, next2, err := s.ListDepartments(ctx, admin, org.ListFilter{Query: "operat", Limit: 3, Cursor: next})
		if err != nil || len(page2) != 2 || next2 != "" || page2[0].Name != "Operations 3" {
			t.Fatalf("page 2 = %+v, next %q, %v", page2, next2, err)
		}
		_, _, err = s.ListDepartments(ctx, admin, org.ListFilter{Cursor: "garbage"})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "cursor" {
			t.Fatalf("bad cursor error = %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

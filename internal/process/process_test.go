package process_test

import (
	"context"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

var sys = access.System("test")

type world struct {
	s                    *process.Service
	d                    *db.DB
	dept                 org.Department
	owner                org.Person
	admin, board, reader *access.Principal
	architect            *access.Principal
	gate                 *access.Principal
	clock                *engage.FixedClock
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SALES", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	owner, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: "owner@example.com", Name: "Olive Owner", DepartmentID: dept.ID, Active: true,
		Roles: []access.Role{access.Requester}})
	if err != nil {
		t.Fatal(err)
	}
	return world{s: &process.Service{DB: d, Clock: clock, Org: o}, d: d, dept: dept, owner: owner, clock: clock,
		admin:     &access.Principal{PersonID: owner.ID, Name: "admin", Roles: []access.Role{access.Admin}},
		board:     &access.Principal{PersonID: owner.ID, Name: "board", Roles: []access.Role{access.PortfolioBoard}},
		architect: &access.Principal{PersonID: owner.ID, Name: "architect", Roles: []access.Role{access.EnterpriseArchitect}},
		reader:    &access.Principal{PersonID: owner.ID, Name: "reader", DepartmentID: dept.ID, Roles: []access.Role{access.Requester}},
		gate:      &access.Principal{PersonID: owner.ID, Name: "pipeline", Roles: []access.Role{access.Requester}, Scope: access.ScopeGate}}
}

func fields(err error) map[string]bool {
	out := map[string]bool{}
	for _, f := range engage.ErrorFields(err) {
		out[f.Field] = true
	}
	return out
}

// TestProcessRegister: the register is a tree of value streams and
// processes that everyone signed in reads and architects and admins change,
// with every field checked, no loops, and a repeated create answered once.
func TestProcessRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		o2c, err := w.s.Create(ctx, w.architect, process.Input{Kind: process.ValueStream, Ref: "Order-to-Cash ", Name: "Order to cash",
			OwnerPersonID: w.owner.ID, OwnerDepartmentID: w.dept.ID, Criticality: "critical", ExternalCustomers: true})
		if err != nil || o2c.Ref != "order-to-cash" || o2c.Version != 1 || o2c.OwnerPersonID != w.owner.ID || !o2c.ExternalCustomers {
			t.Fatalf("create value stream = %+v, %v", o2c, err)
		}
		quote, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote", ParentID: o2c.ID})
		if err != nil || quote.ParentID != o2c.ID || quote.Criticality != "medium" {
			t.Fatalf("create process = %+v, %v", quote, err)
		}
		sub, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.Process, Ref: "price-check", Name: "Check the price", ParentID: quote.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Sending the same create again answers with the one created.
		again, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote", ParentID: o2c.ID})
		if err != nil || again.ID != quote.ID {
			t.Fatalf("repeated create = %+v, %v; want %d", again, err, quote.ID)
		}
		// The same ref for something else is refused, naming the field.
		if _, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.Process, Ref: "quote", Name: "Something else"}); engage.ErrorCode(err) != engage.ECONFLICT || !fields(err)["ref"] {
			t.Fatalf("duplicate ref = %v", err)
		}
		// Bad input names each field and stores nothing.
		_, err = w.s.Create(ctx, w.admin, process.Input{Kind: "step", Ref: "no spaces", Name: "", Criticality: "urgent",
			ParentID: 9999, OwnerPersonID: 9999, OwnerDepartmentID: 9999})
		if got := fields(err); len(got) != 7 || !got["kind"] || !got["ref"] || !got["name"] || !got["criticality"] || !got["parent_id"] ||
			!got["owner_person_id"] || !got["owner_department_id"] {
			t.Fatalf("bad input = %v", err)
		}
		if _, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.ValueStream, Ref: "vs", Name: "VS", ParentID: o2c.ID}); !fields(err)["parent_id"] {
			t.Fatalf("value stream with a parent = %v", err)
		}
		// No loops: a process cannot move below its own sub-process.
		in := quote.Input()
		in.ParentID = sub.ID
		if _, err := w.s.Update(ctx, w.admin, quote.ID, quote.Version, in); !fields(err)["parent_id"] {
			t.Fatalf("loop = %v", err)
		}
		// Updates carry the version read.
		in = quote.Input()
		in.Name, in.Criticality = "Give a quote to a customer", "high"
		if _, err := w.s.Update(ctx, w.board, quote.ID, quote.Version, in); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("the board changes the register: %v", err)
		}
		updated, err := w.s.Update(ctx, w.architect, quote.ID, quote.Version, in)
		if err != nil || updated.Version != 2 || updated.Name != in.Name || updated.Criticality != "high" {
			t.Fatalf("update = %+v, %v", updated, err)
		}
		if _, err := w.s.Update(ctx, w.architect, quote.ID, quote.Version, in); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("stale update = %v", err)
		}
		// Everyone signed in reads; only architects and admins write; a gate token reads nothing.
		if _, err := w.s.Create(ctx, w.reader, process.Input{Kind: process.Process, Ref: "x", Name: "X"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("requester create = %v", err)
		}
		if _, err := w.s.Update(ctx, w.reader, quote.ID, updated.Version, in); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("requester update = %v", err)
		}
		if _, _, err := w.s.List(ctx, w.gate, process.ListFilter{}); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("gate token list = %v", err)
		}
		got, err := w.s.Get(ctx, w.reader, quote.ID)
		if err != nil || got != updated {
			t.Fatalf("get = %+v, %v; want %+v", got, err, updated)
		}
		if _, err := w.s.Get(ctx, w.reader, 9999); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("get unknown = %v", err)
		}
		// Lists page in creation order and filter by kind and parent.
		first, next, err := w.s.List(ctx, w.reader, process.ListFilter{Limit: 2})
		if err != nil || len(first) != 2 || first[0].ID != o2c.ID || next == "" {
			t.Fatalf("first page = %+v, %q, %v", first, next, err)
		}
		rest, next, err := w.s.List(ctx, w.reader, process.ListFilter{Limit: 2, Cursor: next})
		if err != nil || len(rest) != 1 || rest[0].ID != sub.ID || next != "" {
			t.Fatalf("second page = %+v, %q, %v", rest, next, err)
		}
		streams, _, _ := w.s.List(ctx, w.reader, process.ListFilter{Kind: process.ValueStream})
		children, _, _ := w.s.List(ctx, w.reader, process.ListFilter{ParentID: quote.ID})
		if len(streams) != 1 || streams[0].ID != o2c.ID || len(children) != 1 || children[0].ID != sub.ID {
			t.Fatalf("value streams = %+v; below the quote = %+v", streams, children)
		}
		// Other areas read what they show through Refs.
		refs, err := w.s.Refs(ctx, d, []int64{quote.ID, 9999, o2c.ID})
		if err != nil || len(refs) != 2 || refs[quote.ID].Name != in.Name || refs[o2c.ID].Kind != process.ValueStream {
			t.Fatalf("refs = %+v, %v", refs, err)
		}
	})
}

// TestProcessMigrationReversible: migration 20 goes down and up again.
func TestProcessMigrationReversible(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "SELECT COUNT(*) FROM processes"); err == nil {
			t.Fatal("processes is still there after migrating down")
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		w := setup(t, d)
		if _, err := w.s.Create(ctx, w.admin, process.Input{Kind: process.ValueStream, Ref: "hire-to-retire", Name: "Hire to retire"}); err != nil {
			t.Fatal(err)
		}
	})
}

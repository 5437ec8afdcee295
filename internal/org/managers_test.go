package org_test

import (
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// TestManagerLoopRefused: a person cannot be made the manager of their own
// manager, directly (3 → 2 → 3) or further up, by an edit or by a CSV
// import; nothing is written.
func TestManagerLoopRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		loadOrg(t, s)
		find := func(email string) org.Person {
			p, err := s.FindPersonByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		ada, bob := find("ada@example.com"), find("bob@example.com") // bob reports to ada
		setManager := func(p org.Person, manager int64) error {
			in := org.PersonInput{Email: p.Email, Name: p.Name, DepartmentID: p.DepartmentID, LocationID: p.LocationID,
				ManagerID: manager, Active: p.Active, Roles: p.Roles}
			_, err := s.UpdatePerson(ctx, admin, p.ID, p.Version, in)
			return err
		}
		err := setManager(ada, bob.ID)
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "manager_id" || !strings.Contains(f[0].Message, "own manager") {
			t.Fatalf("ada managed by bob = %v; want a manager_id error", err)
		}
		// Further up: fay → ada → (bob): bob may not manage fay's boss chain
		// once fay manages ada.
		fay := find("fay@example.com")
		if err := setManager(ada, fay.ID); err != nil {
			t.Fatal(err)
		}
		if err := setManager(find("fay@example.com"), bob.ID); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("fay managed by bob (bob → ada → fay) = %v; want invalid", err)
		}
		if got := find("fay@example.com"); got.ManagerID != 0 {
			t.Fatalf("fay's manager was written: %d", got.ManagerID)
		}
		_, err = s.Import(ctx, admin, "people", strings.NewReader("email,name,manager_email\nfay@example.com,Fay Finance,bob@example.com\n"))
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "line 2: manager_email" {
			t.Fatalf("import closing a loop = %v", err)
		}
		if err := setManager(find("bob@example.com"), fay.ID); err != nil {
			t.Fatalf("a chain without a loop = %v", err)
		}
	})
}

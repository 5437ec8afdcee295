package approval_test

import (
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
)

// TestCancellableBy: the requester or an administrator, while the request
// waits; nobody once it is decided, and nobody signed out.
func TestCancellableBy(t *testing.T) {
	requester := &access.Principal{PersonID: 1}
	other := &access.Principal{PersonID: 2, Roles: []access.Role{access.Requester}}
	admin := &access.Principal{PersonID: 3, Roles: []access.Role{access.Admin}}
	pending := approval.Request{RequesterID: 1, Status: approval.Pending}
	approved := approval.Request{RequesterID: 1, Status: approval.Approved}
	for _, c := range []struct {
		name string
		r    approval.Request
		p    *access.Principal
		want bool
	}{
		{"requester, pending", pending, requester, true},
		{"administrator, pending", pending, admin, true},
		{"someone else, pending", pending, other, false},
		{"signed out", pending, nil, false},
		{"requester, approved", approved, requester, false},
		{"administrator, approved", approved, admin, false},
	} {
		if got := c.r.CancellableBy(c.p); got != c.want {
			t.Errorf("%s: CancellableBy = %v, want %v", c.name, got, c.want)
		}
	}
}

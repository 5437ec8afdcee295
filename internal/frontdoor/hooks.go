package frontdoor

import (
	"context"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Origin says where a need came from when another area created it on
// someone's behalf: the area's kind of thing and its reference there (an
// idea of a community: kind "idea", ref "42"). The front door keeps it,
// shows it and hands it back; it never reads into it. The zero Origin is a
// need written in the front door.
type Origin struct {
	Kind string `json:"kind" example:"idea" doc:"What the need came from, in the area that created it"`
	Ref  string `json:"ref" example:"42" doc:"Its reference in that area"`
}

// IsZero reports whether o names no origin.
func (o Origin) IsZero() bool { return o.Kind == "" }

// String is "kind:ref", such as "idea:42".
func (o Origin) String() string {
	if o.IsZero() {
		return ""
	}
	return o.Kind + ":" + o.Ref
}

// StateChange is a need moving from one state to another, as an observer
// sees it: From is empty when the need was just created (as a draft).
type StateChange struct {
	NeedID    int64
	Reference string
	Origin    Origin
	From, To  State
	// Action is what moved it: create, a workflow action, or consent_<status>
	// when the approval of a decision ended.
	Action string
	Reason string
	At     time.Time
}

// Observer learns of a need's state changes.
type Observer func(ctx context.Context, tx *db.Tx, c StateChange) error

// OnStateChange registers fn for the state changes of needs whose origin
// is of kind (such as "idea"), replacing any earlier observer of that kind.
// Register observers when wiring the application, before serving; this is
// how an area that creates needs (CreateFor) follows them without the front
// door knowing the area.
//
// fn runs inside the transaction that changes the need, after the change is
// written: what the area keeps about the need (an idea's status, its link)
// therefore changes together with the need or not at all, and an error from
// fn undoes the change. Telling people goes through notify's publisher in
// that same transaction, which delivers only after the commit; fn must not
// send anything itself before the commit.
func (f *Service) OnStateChange(kind string, fn Observer) {
	f.observersMu.Lock()
	defer f.observersMu.Unlock()
	if f.observers == nil {
		f.observers = map[string]Observer{}
	}
	f.observers[kind] = fn
}

// moved tells people, systems and the need's origin that n, as it was read,
// moved to to; it runs in the change's transaction.
func (f *Service) moved(ctx context.Context, tx *db.Tx, n Need, to State, action, reason string, now time.Time) error {
	if err := f.publish(ctx, tx, n, n.State, to, reason, now); err != nil {
		return err
	}
	if err := f.signal(ctx, tx, n, to, now); err != nil {
		return err
	}
	return f.observe(ctx, tx, n, n.State, to, action, reason, now)
}

// OnEveryStateChange registers fn for the state changes of every need,
// whatever its origin, in the change's transaction like OnStateChange's:
// an area that follows the board's decisions (shadow spend) learns of them.
func (f *Service) OnEveryStateChange(fn Observer) {
	f.observersMu.Lock()
	defer f.observersMu.Unlock()
	f.everyObservers = append(f.everyObservers, fn)
}

func (f *Service) observe(ctx context.Context, tx *db.Tx, n Need, from, to State, action, reason string, now time.Time) error {
	f.observersMu.Lock()
	every := f.everyObservers
	var fn Observer
	if n.Origin != nil {
		fn = f.observers[n.Origin.Kind]
	}
	f.observersMu.Unlock()
	c := StateChange{NeedID: n.ID, Reference: n.Reference, From: from, To: to, Action: action, Reason: reason, At: now}
	if n.Origin != nil {
		c.Origin = *n.Origin
	}
	for _, o := range every {
		if err := o(ctx, tx, c); err != nil {
			return err
		}
	}
	if fn == nil {
		return nil
	}
	return fn(ctx, tx, c)
}

// HoldsDecision reports whether a need in state carries the board's decision
// (approved or later): its chosen option's vendor is one IT is involved with.
func HoldsDecision(state State) bool {
	return state == Approved || state == InDelivery || state == Delivered || state == Closed
}

// CreateFor creates a draft need on someone's behalf for another area (a
// BRM turning a community's idea into a need), with origin as its
// back-reference, in tx — the area's transaction, so that the area's link to
// the need commits with it. The requester is the person the need is for
// (the idea's author): the need belongs to their department, and they
// submit it. by is who acts; the area has checked that by may do this (its
// own rule), and the front door records them in the history and the audit
// log. Creating for the same origin again returns the need already created:
// one need per origin.
func (f *Service) CreateFor(ctx context.Context, tx *db.Tx, by *access.Principal, requesterID int64, origin Origin, in NeedInput) (Need, error) {
	if by == nil || by.GateOnly() {
		return Need{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	origin.Kind, origin.Ref = strings.TrimSpace(origin.Kind), strings.TrimSpace(origin.Ref)
	var v engage.Validation
	v.Require("origin.kind", origin.Kind, "what the need comes from, such as idea")
	v.Require("origin.ref", origin.Ref, "its reference")
	v.MaxLen("origin.kind", origin.Kind, 40)
	v.MaxLen("origin.ref", origin.Ref, 200)
	if err := v.Err(); err != nil {
		return Need{}, err
	}
	if existing, err := findNeed(ctx, tx, "n.origin_kind = ? AND n.origin_ref = ?", origin.Kind, origin.Ref); err == nil {
		f.stamp(&existing)
		return existing, nil
	} else if engage.ErrorCode(err) != engage.ENOTFOUND {
		return Need{}, err
	}
	requester, err := f.Org.FindPersonByID(ctx, requesterID)
	if err != nil || requester.DepartmentID == 0 {
		return Need{}, fieldErr("requester_id", "The person the need is for must exist and belong to a department.")
	}
	if err := f.checkInput(ctx, &in); err != nil {
		return Need{}, err
	}
	n, err := f.create(ctx, tx, by, requester.ID, requester.DepartmentID, origin, in)
	if db.IsUniqueViolation(err) {
		return Need{}, engage.Errorf(engage.ECONFLICT, "A need for %s is being created at this moment; try again to see it.", origin)
	} else if err != nil {
		return Need{}, err
	}
	f.changed()
	return n, nil
}

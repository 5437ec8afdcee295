// Package community holds Engage's communities: product communities around
// an end-user technology, service communities around a catalog service, and
// local communities around a place and/or a business function; their staff
// (sponsor, moderators, IT staff, local support contacts), their membership
// rules and their members. Discussions, pulses and engagement measurement
// build on it and ask it who may do what through Rights.
//
// Decisions:
//   - Everyone signed in sees every community that is not archived: the
//     ones they belong to and the ones they may join or ask to join.
//   - A person is a member when they joined by hand or a rule matches them,
//     and they have not left: leaving is kept (an opt-out) until they join
//     again, even while a rule still matches them.
//   - Open communities are joined in one step; closed ones on request, which
//     a moderator grants; announcement-only ones are joined in one step and
//     only their staff post in them.
//   - A closed community's discussions are read by its members, its staff
//     and administrators only.
//   - Moderators of a community are its own moderators, people holding the
//     moderator role, and administrators.
//   - An official IT answer may be given by the service owner of a service
//     community's service, the community's IT staff, its moderators and
//     administrators.
package community

import (
	"time"
)

// Kind is what a community gathers around.
type Kind string

// Kinds of community.
const (
	KindProduct Kind = "product" // an end-user technology: iPhone, Chrome OS, Outlook
	KindService Kind = "service" // a catalog service IT delivers: messaging, collaboration
	KindLocal   Kind = "local"   // a place and/or a business function
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{KindProduct, KindService, KindLocal}

// Visibility says who joins a community and who posts in it.
type Visibility string

// Visibilities.
const (
	Open         Visibility = "open"         // anyone joins; members post
	Closed       Visibility = "closed"       // join on request; only members read
	Announcement Visibility = "announcement" // anyone joins; only staff post
)

// Visibilities lists every visibility, in the order forms show them.
var Visibilities = []Visibility{Open, Closed, Announcement}

// StaffRole is what a person does for a community besides being a member.
type StaffRole string

// Staff roles.
const (
	ModeratorRole StaffRole = "moderator"
	ITStaff       StaffRole = "it_staff"
	Support       StaffRole = "support" // a local community's support contact
)

// Community is one community.
type Community struct {
	ID          int64      `json:"id"`
	Slug        string     `json:"slug" example:"mexico-site" doc:"Stable handle, unique"`
	Name        string     `json:"name"`
	Kind        Kind       `json:"kind" enum:"product,service,local"`
	Visibility  Visibility `json:"visibility" enum:"open,closed,announcement"`
	Description string     `json:"description" doc:"Markdown"`
	ServiceID   int64      `json:"service_id,omitempty" doc:"The catalog service of a service community"`
	LocationID  int64      `json:"location_id,omitempty" doc:"The place of a local community"`
	FunctionID  int64      `json:"function_id,omitempty" doc:"The business function of a local community"`
	SponsorID   int64      `json:"sponsor_id,omitempty" doc:"The executive sponsor"`
	Archived    bool       `json:"archived"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Read-only, joined for display.
	SponsorName string `json:"sponsor_name,omitempty"`
	Members     int    `json:"members"`
}

// NeedsSponsor reports whether c is a service community without an
// executive sponsor: such a community is flagged wherever it is listed.
func (c Community) NeedsSponsor() bool { return c.Kind == KindService && c.SponsorID == 0 }

// Input is what is written about a community.
type Input struct {
	Slug        string     `json:"slug" maxLength:"64"`
	Name        string     `json:"name" maxLength:"120"`
	Kind        Kind       `json:"kind" enum:"product,service,local"`
	Visibility  Visibility `json:"visibility,omitempty" enum:"open,closed,announcement" doc:"open when absent"`
	Description string     `json:"description,omitempty" maxLength:"20000"`
	ServiceID   int64      `json:"service_id,omitempty"`
	LocationID  int64      `json:"location_id,omitempty"`
	FunctionID  int64      `json:"function_id,omitempty"`
	SponsorID   int64      `json:"sponsor_id,omitempty"`
}

// Input returns the editable part of c.
func (c Community) Input() Input {
	return Input{Slug: c.Slug, Name: c.Name, Kind: c.Kind, Visibility: c.Visibility, Description: c.Description,
		ServiceID: c.ServiceID, LocationID: c.LocationID, FunctionID: c.FunctionID, SponsorID: c.SponsorID}
}

// Rights is what one person may do in one community. Discussions, pulses
// and announcements ask for it rather than reading membership themselves.
type Rights struct {
	Member    bool `json:"member"`    // belongs to it now
	Requested bool `json:"requested"` // asked to join a closed community
	Read      bool `json:"read"`      // reads its topics and replies
	Post      bool `json:"post"`      // starts topics and replies
	Moderate  bool `json:"moderate"`  // hides, locks, moves, edits, handles flags, grants requests
	Answer    bool `json:"answer"`    // gives official IT answers
	Join      bool `json:"join"`      // may join in one step now
	Ask       bool `json:"ask"`       // may ask to join (closed) now
}

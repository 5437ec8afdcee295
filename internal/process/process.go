// Package process is the process register: value streams and the business
// processes under them, to any depth, each with an owner (a person and a
// department), a criticality and whether external customers touch it. It
// sits low in the house, above the organisation: the front door links needs
// to processes through it, and the portfolio builds on it.
//
// Decisions:
//   - A value stream stands at the top: it has no parent. A process sits
//     below a value stream or another process, or at the top while it is not
//     yet placed. The tree never loops: a process cannot move below itself
//     or one of its own sub-processes.
//   - Ref is the process's stable handle (lower-case letters, digits and
//     hyphens, unique in the register), for files, links and imports.
//   - Criticality is low, medium, high or critical (medium when not given).
//   - Everyone signed in reads the register. Administrators and the
//     portfolio board change it.
//   - Changes carry the version read; a stale version is refused. Creating a
//     process whose ref exists returns the existing one when what was sent is
//     the same (a repeated request), and is refused otherwise.
//   - Other areas read the register through Refs, never its table.
package process

import (
	"time"
)

// Kind says where a process stands in the register.
type Kind string

// Kinds of process.
const (
	ValueStream Kind = "value_stream"
	Process     Kind = "process"
)

// Criticalities, from the least to the most critical.
var Criticalities = []string{"low", "medium", "high", "critical"}

// Entry is one value stream or process of the register.
type Entry struct {
	ID                int64     `json:"id"`
	ParentID          int64     `json:"parent_id,omitempty" doc:"The value stream or process it sits below"`
	Kind              Kind      `json:"kind" enum:"value_stream,process"`
	Ref               string    `json:"ref" example:"order-to-cash" doc:"Stable handle, unique in the register"`
	Name              string    `json:"name"`
	Description       string    `json:"description"`
	OwnerPersonID     int64     `json:"owner_person_id,omitempty"`
	OwnerDepartmentID int64     `json:"owner_department_id,omitempty"`
	Criticality       string    `json:"criticality" enum:"low,medium,high,critical"`
	ExternalCustomers bool      `json:"external_customers" doc:"Whether customers outside the company touch it"`
	Version           int       `json:"version"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Input is what is written about a value stream or process.
type Input struct {
	ParentID          int64  `json:"parent_id,omitempty"`
	Kind              Kind   `json:"kind" enum:"value_stream,process"`
	Ref               string `json:"ref" maxLength:"64"`
	Name              string `json:"name" maxLength:"200"`
	Description       string `json:"description,omitempty" maxLength:"10000"`
	OwnerPersonID     int64  `json:"owner_person_id,omitempty"`
	OwnerDepartmentID int64  `json:"owner_department_id,omitempty"`
	Criticality       string `json:"criticality,omitempty" enum:"low,medium,high,critical" doc:"medium when absent"`
	ExternalCustomers bool   `json:"external_customers,omitempty"`
}

// Input returns the editable part of e.
func (e Entry) Input() Input {
	return Input{ParentID: e.ParentID, Kind: e.Kind, Ref: e.Ref, Name: e.Name, Description: e.Description, OwnerPersonID: e.OwnerPersonID,
		OwnerDepartmentID: e.OwnerDepartmentID, Criticality: e.Criticality, ExternalCustomers: e.ExternalCustomers}
}

// Ref is what other areas show of a process: a need's linked processes.
type Ref struct {
	ID   int64  `json:"id"`
	Kind Kind   `json:"kind" enum:"value_stream,process"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// ListFilter narrows a list of the register.
type ListFilter struct {
	Kind     Kind  // value streams or processes; both when empty
	ParentID int64 // only those directly below this one; any when 0
	Limit    int
	Cursor   string
}

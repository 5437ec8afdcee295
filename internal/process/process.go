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
//   - Everyone signed in reads the register. Enterprise architects and
//     administrators change it. The portfolio board decides on needs and
//     reads the register, but does not change it: the register describes
//     the business as it is, which is the architects' work, while the board
//     judges what to change.
//   - Enablement says how far technology carries a process: manual, partly
//     automated or automated, or not assessed (empty). Its evidence is the
//     applications and catalog services linked to the process.
//   - Links of a process to an application or to a catalog service carry a
//     weight, an exact percentage from 0 to 100: how much of the
//     application's or service's use serves that process. One link per pair;
//     setting it again replaces the weight.
//   - A customer journey ("get a quote", "make a claim") is an ordered list
//     of processes that external customers touch; other processes are
//     refused.
//   - Applications have a lifecycle (plan, active, phase-out, retired) and a
//     functional and a technical fit from 1 to 5. Their TIME disposition
//     follows from the two fits: both 3 or more invest, functional 3 or more
//     with technical below 3 migrate, functional below 3 with technical 3 or
//     more tolerate, both below 3 eliminate; none while either fit is
//     unrated.
//   - Catalog services are the catalog's: the register checks them through
//     the Services directory it is given, never through the catalog's tables.
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
	Enablement        string    `json:"enablement" enum:",manual,partly_automated,automated" doc:"How far technology carries it; empty when not assessed"`
	ArchiMateType     string    `json:"archimate_type,omitempty" doc:"The ArchiMate element type it was imported as, such as BusinessFunction"`
	ArchiMateID       string    `json:"archimate_id,omitempty" doc:"The identifier of the element in the ArchiMate model it came from"`
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
	Enablement        string `json:"enablement,omitempty" enum:",manual,partly_automated,automated"`
	ArchiMateType     string `json:"archimate_type,omitempty" maxLength:"64"`
	ArchiMateID       string `json:"archimate_id,omitempty" maxLength:"200"`
}

// Input returns the editable part of e.
func (e Entry) Input() Input {
	return Input{ParentID: e.ParentID, Kind: e.Kind, Ref: e.Ref, Name: e.Name, Description: e.Description, OwnerPersonID: e.OwnerPersonID,
		OwnerDepartmentID: e.OwnerDepartmentID, Criticality: e.Criticality, ExternalCustomers: e.ExternalCustomers,
		Enablement: e.Enablement, ArchiMateType: e.ArchiMateType, ArchiMateID: e.ArchiMateID}
}

// Enablement levels, from the least to the most automated.
var Enablements = []string{"manual", "partly_automated", "automated"}

// EnablementLabels are the words shown for each level.
var EnablementLabels = map[string]string{"": "not assessed", "manual": "manual", "partly_automated": "partly automated", "automated": "automated"}

// Ref is what other areas show of a process: a need's linked processes.
type Ref struct {
	ID   int64  `json:"id"`
	Kind Kind   `json:"kind" enum:"value_stream,process,journey" doc:"journey for the customer journeys a process is part of"`
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

// Package org holds Engage's organisation: departments (a tree with a
// cost-centre code, a head and an assigned BRM), locations, business
// functions and people with their roles. The Service applies the rules —
// authorisation, validation, optimistic locking, audit — once, above the SQL
// in store.go, which is the same text for SQLite and PostgreSQL.
//
// Decisions:
//   - Organisation structure (department, location and function names) is
//     readable by everyone signed in: forms and the catalog need it. People
//     are department data: readable as access.Principal.CanReadDepartment
//     says, and each person can always read their own record.
//   - Only admins change organisation data. Every change is audited.
//   - Updates carry the version the editor read; a stale version is a
//     conflict, never a silent overwrite.
//   - Codes (cost centre, location, function) and e-mail addresses are the
//     natural keys used by CSV imports; e-mail is stored lower-case.
package org

import (
	"time"

	"github.com/engagehq/engage/internal/access"
)

// Billing modes of a department.
const (
	Showback   = "showback"   // statements shown for information
	Chargeback = "chargeback" // statements feed the ledger
)

// Department is a node of the organisation tree.
type Department struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	ParentID    int64     `json:"parent_id,omitempty"`
	HeadID      int64     `json:"head_id,omitempty"`
	BRMID       int64     `json:"brm_id,omitempty"`
	BillingMode string    `json:"billing_mode"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// Read-only names joined for display.
	ParentName  string `json:"parent_name,omitempty"`
	HeadName    string `json:"head_name,omitempty"`
	BRMName     string `json:"brm_name,omitempty"`
	PeopleCount int    `json:"people_count"`
}

// DepartmentInput is what a person or a program may set on a department.
type DepartmentInput struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	ParentID    int64  `json:"parent_id,omitempty"`
	HeadID      int64  `json:"head_id,omitempty"`
	BRMID       int64  `json:"brm_id,omitempty"`
	BillingMode string `json:"billing_mode,omitempty" enum:"showback,chargeback" doc:"showback when absent"`
}

// Location is a site where people work.
type Location struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	City      string    `json:"city"`
	Country   string    `json:"country"`
	Region    string    `json:"region"`
	TimeZone  string    `json:"time_zone"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LocationInput is what may be set on a location.
type LocationInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	City     string `json:"city,omitempty"`
	Country  string `json:"country"`
	Region   string `json:"region,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
}

// Function is a business function (Science, Finance, …).
type Function struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FunctionInput is what may be set on a function.
type FunctionInput struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Person is someone in the organisation, who may sign in.
type Person struct {
	ID           int64         `json:"id"`
	Email        string        `json:"email"`
	Name         string        `json:"name"`
	Title        string        `json:"title"`
	DepartmentID int64         `json:"department_id,omitempty"`
	LocationID   int64         `json:"location_id,omitempty"`
	FunctionID   int64         `json:"function_id,omitempty"`
	ManagerID    int64         `json:"manager_id,omitempty"`
	Active       bool          `json:"active"`
	Roles        []access.Role `json:"roles"`
	Version      int           `json:"version"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`

	DepartmentName string `json:"department_name,omitempty"`
	LocationName   string `json:"location_name,omitempty"`
	FunctionName   string `json:"function_name,omitempty"`
	ManagerName    string `json:"manager_name,omitempty"`
}

// PersonInput is what may be set on a person.
type PersonInput struct {
	Email        string        `json:"email"`
	Name         string        `json:"name"`
	Title        string        `json:"title,omitempty"`
	DepartmentID int64         `json:"department_id,omitempty"`
	LocationID   int64         `json:"location_id,omitempty"`
	FunctionID   int64         `json:"function_id,omitempty"`
	ManagerID    int64         `json:"manager_id,omitempty"`
	Active       bool          `json:"active"`
	Roles        []access.Role `json:"roles"`
}

// Input returns the editable part of d.
func (d Department) Input() DepartmentInput {
	return DepartmentInput{Code: d.Code, Name: d.Name, ParentID: d.ParentID, HeadID: d.HeadID, BRMID: d.BRMID, BillingMode: d.BillingMode}
}

// Input returns the editable part of l.
func (l Location) Input() LocationInput {
	return LocationInput{Code: l.Code, Name: l.Name, City: l.City, Country: l.Country, Region: l.Region, TimeZone: l.TimeZone}
}

// Input returns the editable part of f.
func (f Function) Input() FunctionInput { return FunctionInput{Code: f.Code, Name: f.Name} }

// Input returns the editable part of p.
func (p Person) Input() PersonInput {
	return PersonInput{Email: p.Email, Name: p.Name, Title: p.Title, DepartmentID: p.DepartmentID,
		LocationID: p.LocationID, FunctionID: p.FunctionID, ManagerID: p.ManagerID, Active: p.Active, Roles: p.Roles}
}

// ListFilter narrows a list. Query matches names, codes and e-mails
// (case-insensitive substring). Zero values mean "any".
type ListFilter struct {
	Query        string
	ParentID     int64
	DepartmentID int64
	LocationID   int64
	FunctionID   int64
	Role         access.Role
	Cursor       string
	Limit        int
}

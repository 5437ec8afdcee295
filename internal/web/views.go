package web

import (
	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/waiting"
	"github.com/engagehq/engage/internal/web/page"
)

// shellViews are the shell's page templates (templates/), each with a
// sample of its view.
var shellViews = map[string]page.View{
	"home.html":          &homeView{},
	"search.html":        &searchView{},
	"departments.html":   &departmentsView{},
	"department.html":    &departmentView{},
	"people.html":        &peopleView{},
	"person.html":        &personView{},
	"area.html":          &areaView{},
	"account.html":       &accountView{},
	"signin.html":        &signInView{},
	"error.html":         &errorView{},
	"api_reference.html": &apiReferenceView{},
}

// homeView is the home page: what waits for the person, their needs and
// orders, the news, and their department's cost this month.
type homeView struct {
	page.Base
	Department  *org.Department
	News        []catalog.Announcement
	Orders      []catalog.Order
	Needs       []frontdoor.Need // open, written or sponsored by the person
	Delivered   []frontdoor.Need // delivered, waiting for them to accept
	WaitingList []waiting.Item
	// Unsponsored are the service communities without an executive
	// sponsor, flagged for IT (administrators, moderators, service owners).
	Unsponsored []community.Community
	Cost        *homeCost
	SeesCosts   bool
}

// searchView is what a search found.
type searchView struct {
	page.Base
	Search      string
	Reference   bool // the text is written like a reference
	Departments []org.Department
	People      []org.Person
	Services    []catalog.ServiceCard
}

// departmentsView lists departments.
type departmentsView struct {
	page.Base
	Search      string
	Departments []org.Department
	Next        string
}

// departmentView is a department, its departments and its people.
type departmentView struct {
	page.Base
	Department   org.Department
	CanSeePeople bool
	Children     []org.Department
	People       []org.Person
	Next         string
}

// peopleView lists people.
type peopleView struct {
	page.Base
	Search string
	People []org.Person
	Next   string
}

// personView is a person.
type personView struct {
	page.Base
	Person org.Person
}

// areaView is an area of Engage still to come.
type areaView struct {
	page.Base
	Lead string
}

// accountView is the person's account: password and API tokens.
type accountView struct {
	page.Base
	Me       org.Person
	Tokens   []auth.APIToken
	NewToken string // shown once, right after it is made
}

// signInView is the sign-in page.
type signInView struct {
	page.Base
	SSO bool // single sign-on is offered
}

// errorView is an error page.
type errorView struct {
	page.Base
	Status  int
	Message string
	Fields  []engage.FieldError
}

// apiReferenceView is the API reference.
type apiReferenceView struct {
	page.Base
	Ref apiReference
}

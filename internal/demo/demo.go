// Package demo loads Engage's demo data: a deterministic company of about
// 2,000 people in 12 departments on three levels, six locations on three
// continents and eight business functions, with a named, signable account
// for every role; and a catalog of 46 services and 100 offerings with
// subscriptions, approval policies, announcements and two orders waiting
// for approval. Every later part of Engage extends it.
//
// The organisation is loaded through the same CSV import an administrator
// uses, so the demo exercises the real validation and audit paths. The
// catalog (catalog.yaml, in the catalog file format) and the technology
// needs (needs.yaml, played through the front door) are data files embedded
// in the binary.
package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// Password is the password of every named demo account.
const Password = "engage-demo-2026"

// People is how many people the demo organisation has.
const People = 2000

// Account is a named demo account to sign in with.
type Account struct {
	Email, Name, Title, Department string
	Roles                          []access.Role
}

// Accounts lists the named accounts, one or more per role.
var Accounts = []Account{
	{"admin@example.com", "Alex Morgan", "IT Operations Lead", "IT", []access.Role{access.Requester, access.Admin}},
	{"requester@example.com", "Riley Chen", "Research Scientist", "BIO", []access.Role{access.Requester}},
	{"budget@example.com", "Dana Whitfield", "Head of Discovery Science", "DISC", []access.Role{access.Requester, access.BudgetHolder}},
	{"brm@example.com", "Sam Okafor", "Business Relationship Manager, R&D and Commercial", "IT", []access.Role{access.Requester, access.BRM}},
	{"brm.corporate@example.com", "Priya Nair", "Business Relationship Manager, Corporate Services", "IT", []access.Role{access.Requester, access.BRM}},
	{"architect@example.com", "Jonas Becker", "Enterprise Architect", "IT", []access.Role{access.Requester, access.ReviewerArchitecture, access.EnterpriseArchitect}},
	{"security@example.com", "Mei Tanaka", "Information Security Officer", "IT", []access.Role{access.Requester, access.ReviewerSecurity}},
	{"finance.reviewer@example.com", "Luis Ortega", "IT Finance Analyst", "FIN", []access.Role{access.Requester, access.ReviewerFinance}},
	{"board@example.com", "Grace Liu", "Chief Information Officer", "IT", []access.Role{access.Requester, access.PortfolioBoard, access.BudgetHolder}},
	{"owner@example.com", "Tom Hughes", "Collaboration Services Owner", "IT", []access.Role{access.Requester, access.ServiceOwner}},
	{"finance@example.com", "Hannah Schmidt", "Finance Business Partner, IT", "FIN", []access.Role{access.Requester, access.Finance}},
	{"moderator@example.com", "Kofi Mensah", "Lab Systems Community Lead", "CHEM", []access.Role{access.Requester, access.Moderator}},
}

type department struct {
	code, name, parent, mode string
	weight                   int // share of the headcount
}

var departments = []department{
	{"RND", "Research & Development", "", "chargeback", 2},
	{"COM", "Commercial", "", "chargeback", 2},
	{"CORP", "Corporate Services", "", "showback", 1},
	{"DISC", "Discovery Science", "RND", "chargeback", 2},
	{"CLIN", "Clinical Development", "RND", "chargeback", 4},
	{"SALES", "Sales", "COM", "chargeback", 5},
	{"MKT", "Marketing", "COM", "chargeback", 2},
	{"FIN", "Finance", "CORP", "showback", 2},
	{"HR", "Human Resources", "CORP", "showback", 1},
	{"IT", "Information Technology", "CORP", "showback", 3},
	{"BIO", "Biology Laboratory", "DISC", "chargeback", 3},
	{"CHEM", "Chemistry Laboratory", "DISC", "chargeback", 3},
}

// brmOf says which named BRM looks after each top-level department.
var brmOf = map[string]string{"RND": "brm@example.com", "COM": "brm@example.com", "CORP": "brm.corporate@example.com"}

// headOf names the heads that are named demo accounts.
// Dana Whitfield heads Discovery Science and both its laboratories, so she
// is the budget holder who approves the labs' orders.
var headOf = map[string]string{"DISC": "budget@example.com", "BIO": "budget@example.com", "CHEM": "budget@example.com", "IT": "board@example.com"}

var locations = [][]string{
	// code, name, country, city, region, time zone
	{"LON", "London Headquarters", "GB", "London", "Europe", "Europe/London"},
	{"BSL", "Basel Research Campus", "CH", "Basel", "Europe", "Europe/Zurich"},
	{"BOS", "Boston Science Park", "US", "Boston", "North America", "America/New_York"},
	{"TOR", "Toronto Commercial Office", "CA", "Toronto", "North America", "America/Toronto"},
	{"SIN", "Singapore Regional Hub", "SG", "Singapore", "Asia", "Asia/Singapore"},
	{"TYO", "Tokyo Office", "JP", "Tokyo", "Asia", "Asia/Tokyo"},
}

var functions = [][]string{
	{"SCI", "Science"}, {"MFG", "Manufacturing"}, {"FIN", "Finance"}, {"HR", "Human Resources"},
	{"SAM", "Sales & Marketing"}, {"LEG", "Legal & Compliance"}, {"IT", "Information Technology"}, {"OPS", "Operations"},
}

// functionOf is the usual business function of each department's people.
var functionOf = map[string]string{"RND": "SCI", "DISC": "SCI", "BIO": "SCI", "CHEM": "SCI", "CLIN": "SCI",
	"COM": "SAM", "SALES": "SAM", "MKT": "SAM", "CORP": "OPS", "FIN": "FIN", "HR": "HR", "IT": "IT"}

var titles = map[string][]string{
	"SCI": {"Research Scientist", "Senior Scientist", "Lab Technician", "Principal Investigator", "Data Scientist", "Clinical Research Associate"},
	"SAM": {"Account Manager", "Sales Representative", "Marketing Manager", "Brand Specialist", "Customer Success Manager"},
	"FIN": {"Accountant", "Financial Analyst", "Controller", "Procurement Specialist"},
	"HR":  {"HR Business Partner", "Recruiter", "Learning Specialist"},
	"IT":  {"Systems Engineer", "Service Desk Analyst", "Network Engineer", "Developer", "Cloud Engineer"},
	"OPS": {"Operations Manager", "Facilities Coordinator", "Executive Assistant"},
}

var firstNames = strings.Fields(`Aaliyah Adam Aiko Akira Alejandro Alice Amara Amir Ana Andrei Anika Anton Arjun Ava Beatriz Ben
Bianca Carlos Carmen Chen Chloe Chidi Clara Daniel Daria David Diego Elena Elif Emil Emma Eun Farah Felix Fatima Gabriel Hana
Hassan Helena Hiro Ibrahim Ines Isaac Ivan Jade Jamal Javier Jin Joao Julia Kai Karim Kavya Kenji Laila Lars Leila Leon Lina
Lucas Maya Mateo Mia Mohammed Nadia Naomi Niamh Nikhil Noah Olga Omar Oscar Paolo Rafael Rania Ravi Rosa Ruth Sara Sebastian
Sofia Sven Tariq Thomas Uma Valentina Victor Wei Yara Yusuf Zoe Zara`)

var lastNames = strings.Fields(`Abe Adeyemi Ahmed Alvarez Andersen Bauer Bianchi Brown Castillo Chowdhury Costa Dubois Eriksen
Fernandes Fischer Garcia Gupta Haddad Hansen Hoffmann Ibrahim Ito Ivanova Jensen Johnson Kaur Kim Kowalski Kumar Larsen Lee
Lopez Martin Meyer Moreau Muller Murphy Nakamura Nguyen Novak Oliveira Olsen Park Patel Petrov Popescu Rossi Sato Schmidt
Silva Singh Smith Suzuki Tan Taylor Thompson Wagner Walker Wang Weber Williams Wong Yamamoto Yilmaz Zhang`)

// Load fills an empty database with the demo organisation and catalog. It
// refuses a database that already has departments, so it never mixes with
// real data. It holds db.LockDemo while it checks and loads, so that every
// replica answers as starting until the demo is whole.
func Load(ctx context.Context, d *db.DB, s product.Services) error {
	return d.WithLock(ctx, db.LockDemo, func() error { return load(ctx, d, s) })
}

func load(ctx context.Context, d *db.DB, s product.Services) error {
	o, au, cat, ap, fd, b := s.Org, s.Auth, s.Catalog, s.Approval, s.FrontDoor, s.Billing
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM departments").Scan(&n); err != nil {
		return fmt.Errorf("checking the database is empty: %w", err)
	}
	if n > 0 {
		return engage.Errorf(engage.ECONFLICT, "The database already holds an organisation (%d departments); demo data is only loaded into an empty database.", n)
	}
	// The demo's files are read before anything is written, so that a
	// mistake in one leaves the database empty.
	cf, err := catalog.ParseFile("catalog.yaml", bytes.NewReader(catalogFile))
	if err != nil {
		return fmt.Errorf("demo catalog: %w", err)
	}
	needs, err := readNeeds(cf)
	if err != nil {
		return fmt.Errorf("demo needs: %w", err)
	}
	loader := access.System("demo data")
	files := []struct{ kind, body string }{
		{"locations", table([]string{"code", "name", "country", "city", "region", "time_zone"}, locations)},
		{"functions", table([]string{"code", "name"}, functions)},
		{"departments", departmentsCSV(false)},
		{"people", peopleCSV()},
		{"departments", departmentsCSV(true)},
	}
	for _, f := range files {
		if _, err := o.Import(ctx, loader, f.kind, strings.NewReader(f.body)); err != nil {
			return fmt.Errorf("loading demo %s: %w", f.kind, err)
		}
	}
	if err := setPasswords(ctx, d, o, au); err != nil {
		return err
	}
	if err := loadCatalog(ctx, d, o, cat, ap, cf); err != nil {
		return err
	}
	if err := loadNeeds(ctx, fd, needs, cf); err != nil {
		return err
	}
	if err := loadBilling(ctx, d, b); err != nil {
		return err
	}
	if err := loadCommunities(ctx, d, s); err != nil {
		return err
	}
	if err := loadSpend(ctx, s); err != nil {
		return err
	}
	if err := loadSeats(ctx, s); err != nil {
		return err
	}
	if err := loadShadow(ctx, s); err != nil {
		return err
	}
	if err := loadRegister(ctx, s); err != nil {
		return err
	}
	if err := loadBackstage(ctx, s); err != nil {
		return err
	}
	if err := loadObjectives(ctx, s); err != nil {
		return err
	}
	return loadWaitingChange(ctx, d, s)
}

func table(header []string, rows [][]string) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	return buf.String()
}

// headEmail is the e-mail of a department's head: a named account, or the
// generated person who heads it.
func headEmail(code string) string {
	if e, ok := headOf[code]; ok {
		return e
	}
	return "head." + strings.ToLower(code) + "@example.com"
}

func departmentsCSV(withPeople bool) string {
	var rows [][]string
	for _, dep := range departments {
		head, brm := "", ""
		if withPeople {
			head = headEmail(dep.code)
			top := dep.code
			for p := dep.parent; p != ""; p = parentOf(p) {
				top = p
			}
			brm = brmOf[top]
		}
		rows = append(rows, []string{dep.code, dep.name, dep.parent, head, brm, dep.mode})
	}
	return table([]string{"code", "name", "parent_code", "head_email", "brm_email", "billing_mode"}, rows)
}

func parentOf(code string) string {
	for _, dep := range departments {
		if dep.code == code {
			return dep.parent
		}
	}
	return ""
}

// locationOf spreads a department's people over the sites where it works.
var locationOf = map[string][]string{
	"RND": {"BSL", "BOS"}, "DISC": {"BSL", "BOS"}, "BIO": {"BSL", "BOS", "SIN"}, "CHEM": {"BSL", "BOS"}, "CLIN": {"BOS", "LON", "TYO"},
	"COM": {"LON", "TOR"}, "SALES": {"LON", "TOR", "SIN", "TYO"}, "MKT": {"LON", "TOR"},
	"CORP": {"LON"}, "FIN": {"LON", "SIN"}, "HR": {"LON", "TOR"}, "IT": {"LON", "BOS", "SIN"},
}

func peopleCSV() string {
	rng := rand.New(rand.NewPCG(2026, 11))
	header := []string{"email", "name", "title", "department_code", "location_code", "function_code", "manager_email", "roles"}
	var rows [][]string
	used := map[string]bool{}
	named := map[string]bool{}
	for _, a := range Accounts {
		named[a.Email] = true
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = string(r)
		}
		manager := headEmail(a.Department)
		if manager == a.Email {
			// A head reports to the head of the department above, if any.
			manager = ""
			if parent := parentOf(a.Department); parent != "" {
				manager = headEmail(parent)
			}
		}
		rows = append(rows, []string{a.Email, a.Name, a.Title, a.Department, locationOf[a.Department][0], functionOf[a.Department], manager, strings.Join(roles, ";")})
		used[a.Email] = true
	}
	// Heads of departments that are not named accounts.
	for _, dep := range departments {
		email := headEmail(dep.code)
		if named[email] {
			continue
		}
		manager := ""
		if dep.parent != "" {
			manager = headEmail(dep.parent)
		}
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		rows = append(rows, []string{email, name, "Head of " + dep.name, dep.code, locationOf[dep.code][0], functionOf[dep.code], manager, "requester;budget-holder"})
		used[email] = true
	}
	total := 0
	for _, dep := range departments {
		total += dep.weight
	}
	remaining := People - len(rows)
	for i, dep := range departments {
		count := remaining * dep.weight / total
		if i == len(departments)-1 {
			count = People - len(rows) // the last takes the rounding remainder
		}
		fn := functionOf[dep.code]
		for j := 0; j < count; j++ {
			first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
			base := strings.ToLower(first + "." + last)
			email := base + "@example.com"
			for k := 2; used[email]; k++ {
				email = fmt.Sprintf("%s%d@example.com", base, k)
			}
			used[email] = true
			locs := locationOf[dep.code]
			rows = append(rows, []string{email, first + " " + last, titles[fn][rng.IntN(len(titles[fn]))], dep.code,
				locs[rng.IntN(len(locs))], fn, headEmail(dep.code), "requester"})
		}
	}
	return table(header, rows)
}

// setPasswords gives every named account and every department head the demo
// password. The hash is computed once: hashing 20 passwords separately
// would only slow the demo down.
func setPasswords(ctx context.Context, d *db.DB, o *org.Service, au *auth.Service) error {
	hash, err := au.HashPassword(Password)
	if err != nil {
		return err
	}
	var emails []string
	for _, a := range Accounts {
		emails = append(emails, a.Email)
	}
	for _, dep := range departments {
		emails = append(emails, headEmail(dep.code))
	}
	now := o.Clock.Now()
	return d.Transact(ctx, func(tx *db.Tx) error {
		seen := map[string]bool{}
		for _, e := range emails {
			if seen[e] {
				continue
			}
			seen[e] = true
			var id int64
			if err := tx.QueryRow(ctx, "SELECT id FROM people WHERE email = ?", e).Scan(&id); err != nil {
				return fmt.Errorf("finding demo account %s: %w", e, err)
			}
			if err := auth.SetPasswordHash(ctx, tx, id, hash, now); err != nil {
				return err
			}
		}
		return nil
	})
}

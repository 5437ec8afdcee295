package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The words the synthetic catalog and needs are written in. A need is
// about a thing (chat, storage, a CRM …) for a team, with a partner or
// instead of something old, the way business people write them; the same
// things recur across thousands of needs and hundreds of services, while
// project names, sites and products make a long tail of rare words.

// topic is something people ask for, with the words they use for it and
// the catalog family that offers it.
type topic struct {
	things   []string // how a need names it
	words    []string // words of the problem text and the service tags
	family   string
	subjects []string // how a service names it
	vendors  []string
	unit     string
	price    float64
}

var topics = []topic{
	{things: []string{"team chat", "a chat tool", "instant messaging", "chat channels"}, words: []string{"chat", "messages", "channels", "handover", "questions", "WhatsApp"},
		family: "collaboration", subjects: []string{"Team chat", "Messaging", "Chat channels"}, vendors: []string{"Microsoft", "Slack", "Google"}, unit: "person-month", price: 6.5},
	{things: []string{"video meetings", "video calls", "online meetings", "webinars"}, words: []string{"video", "meetings", "calls", "screen sharing", "guests", "webinar"},
		family: "collaboration", subjects: []string{"Video meetings", "Webinars", "Meeting rooms"}, vendors: []string{"Microsoft", "Zoom", "Cisco"}, unit: "person-month", price: 8},
	{things: []string{"a shared drive", "file sharing", "a place to share large files", "secure file exchange"}, words: []string{"files", "folders", "share", "upload", "download", "versions", "courier", "hard drives"},
		family: "collaboration", subjects: []string{"File sync and share", "Shared folders", "External file exchange"}, vendors: []string{"Box", "Dropbox", "Microsoft"}, unit: "person-month", price: 3.2},
	{things: []string{"storage", "more storage", "long-term storage", "an archive"}, words: []string{"terabytes", "images", "instrument", "backup", "archive", "retention", "disk"},
		family: "storage", subjects: []string{"Object storage", "File storage", "Archive storage", "Research data storage"}, vendors: []string{"NetApp", "Dell", "Amazon Web Services"}, unit: "unit-month", price: 0.02},
	{things: []string{"servers", "virtual machines", "computing capacity", "GPU machines"}, words: []string{"server", "compute", "GPU", "cluster", "simulation", "overnight", "analysis"},
		family: "compute", subjects: []string{"Virtual machines", "GPU compute", "HPC cluster", "Linux servers"}, vendors: []string{"VMware", "Red Hat", "Microsoft Azure"}, unit: "unit-month", price: 62},
	{things: []string{"a CRM", "customer relationship management", "a sales pipeline tool", "account management"}, words: []string{"leads", "customers", "pipeline", "accounts", "forecast", "opportunities"},
		family: "business-applications", subjects: []string{"CRM", "Sales pipeline", "Partner portal"}, vendors: []string{"Salesforce", "Microsoft", "HubSpot"}, unit: "person-month", price: 95},
	{things: []string{"dashboards", "self-service reporting", "analytics", "KPI reports"}, words: []string{"reports", "dashboard", "KPIs", "Excel", "monthly", "data team"},
		family: "data", subjects: []string{"Analytics workspace", "Dashboards", "Data warehouse"}, vendors: []string{"Microsoft", "Tableau", "Qlik"}, unit: "fixed-month", price: 400},
	{things: []string{"a LIMS", "sample tracking", "a sample register", "lab data management"}, words: []string{"samples", "shipments", "freezer", "barcodes", "tubes", "assays"},
		family: "business-applications", subjects: []string{"LIMS", "Sample tracking", "Lab data management"}, vendors: []string{"LabWare", "Thermo Fisher", "STARLIMS"}, unit: "person-month", price: 45},
	{things: []string{"an electronic lab notebook", "an ELN", "digital lab notebooks"}, words: []string{"notebook", "protocols", "experiments", "witness", "paper"},
		family: "business-applications", subjects: []string{"Electronic lab notebook", "Lab notebook"}, vendors: []string{"Benchling", "Revvity", "Dotmatics"}, unit: "person-month", price: 22},
	{things: []string{"e-mail", "a shared mailbox", "mailboxes", "a calendar"}, words: []string{"mailbox", "e-mail", "calendar", "inbox", "address"},
		family: "messaging", subjects: []string{"E-mail and calendar", "Shared mailboxes", "Mailboxes"}, vendors: []string{"Microsoft", "Google"}, unit: "person-month", price: 4.5},
	{things: []string{"electronic signatures", "e-signatures", "digital signing"}, words: []string{"contracts", "signatures", "signing", "scanned", "courier"},
		family: "business-applications", subjects: []string{"Electronic signatures", "Digital signing"}, vendors: []string{"DocuSign", "Adobe"}, unit: "person-month", price: 40},
	{things: []string{"a wiki", "a knowledge base", "a place for procedures"}, words: []string{"procedures", "SOPs", "runbooks", "policies", "knowledge", "search"},
		family: "collaboration", subjects: []string{"Knowledge base", "Wiki", "Team sites"}, vendors: []string{"Atlassian", "Microsoft"}, unit: "person-month", price: 1.5},
	{things: []string{"laptops", "tablets", "phones", "rugged devices"}, words: []string{"laptop", "tablet", "phone", "devices", "battery", "new joiners"},
		family: "end-user-devices", subjects: []string{"Laptops", "Tablets", "Mobile phones"}, vendors: []string{"Dell", "Apple", "Lenovo", "Samsung"}, unit: "unit-month", price: 38},
	{things: []string{"a survey tool", "feedback forms", "questionnaires"}, words: []string{"survey", "feedback", "responses", "questions", "results"},
		family: "business-applications", subjects: []string{"Surveys", "Forms"}, vendors: []string{"Qualtrics", "Microsoft"}, unit: "person-month", price: 12},
	{things: []string{"a booking system", "room booking", "desk booking", "instrument booking"}, words: []string{"booking", "schedule", "rooms", "desks", "slots", "whiteboard"},
		family: "collaboration", subjects: []string{"Booking", "Resource scheduling"}, vendors: []string{"Robin", "Microsoft"}, unit: "fixed-month", price: 150},
	{things: []string{"remote access", "VPN access", "access for partners"}, words: []string{"VPN", "remote", "home", "partners", "access", "contractors"},
		family: "network", subjects: []string{"Remote access", "Partner access", "VPN"}, vendors: []string{"Cisco", "Zscaler", "Palo Alto Networks"}, unit: "person-month", price: 2},
	{things: []string{"a website", "a landing page", "a study website", "a microsite"}, words: []string{"website", "campaign", "registration", "form", "launch", "visitors"},
		family: "hosting", subjects: []string{"Website hosting", "Web hosting", "Landing pages"}, vendors: []string{"Agency", "Acquia"}, unit: "fixed-month", price: 250},
	{things: []string{"a recruiting system", "onboarding", "training records", "a learning platform"}, words: []string{"candidates", "hiring", "training", "courses", "joiners", "compliance"},
		family: "business-applications", subjects: []string{"Recruiting", "Learning platform", "HR system"}, vendors: []string{"Workday", "Docebo", "Greenhouse"}, unit: "person-month", price: 8.5},
	{things: []string{"invoice scanning", "expense reports", "a consolidation tool", "cash forecasting"}, words: []string{"invoices", "expenses", "receipts", "month-end", "approvals", "ERP"},
		family: "business-applications", subjects: []string{"Finance ERP", "Expenses", "Invoice capture"}, vendors: []string{"SAP", "Basware", "Oracle"}, unit: "person-month", price: 65},
	{things: []string{"translations", "a translation service"}, words: []string{"languages", "translation", "documents", "patients", "countries"},
		family: "support", subjects: []string{"Translation service", "Language services"}, vendors: []string{"TransPerfect", "RWS"}, unit: "unit", price: 120},
	{things: []string{"a digital whiteboard", "workshop tools", "brainstorming boards"}, words: []string{"workshops", "sticky notes", "whiteboard", "remote", "ideas"},
		family: "collaboration", subjects: []string{"Digital whiteboard", "Workshop boards"}, vendors: []string{"Miro", "Mural", "Microsoft"}, unit: "person-month", price: 7},
	{things: []string{"security keys", "a password manager", "single sign-on", "log monitoring"}, words: []string{"passwords", "sign-in", "accounts", "phishing", "alerts", "audit"},
		family: "security", subjects: []string{"Single sign-on", "Security keys", "Password vault", "Security monitoring"}, vendors: []string{"Okta", "Yubico", "1Password", "Splunk"}, unit: "person-month", price: 3},
}

// teams, partners and old ways of working fill in the need titles.
var (
	teams = []string{"the lab", "the Basel lab", "the Singapore lab", "the assay team", "the chemistry lab", "clinical operations", "the study teams",
		"the new Asia sales team", "field sales in Canada", "the Tokyo office", "the marketing team", "the brand team", "finance", "accounts payable",
		"the controllers", "HR business partners", "the Singapore hub", "the integration team", "IT operations", "reception", "Legal",
		"the discovery teams", "the screening group", "medical writing", "the safety team", "key account managers", "the events team"}
	partners = []string{"the CRO", "our agency", "the auditors", "the university", "distributors", "trial sites", "the contract lab",
		"external partners", "suppliers", "the film crew", "investigators", "the consortium", "customers"}
	oldWays = []string{"the Excel tracker", "the Access database", "paper forms", "the shared spreadsheet", "e-mail threads", "USB sticks",
		"the old server", "personal WhatsApp groups", "a paper sheet on the door", "free online tools", "hard drives sent by courier"}
	shareables = []string{"large files", "microscopy images", "tender documents", "campaign assets", "spectra", "site contracts", "video rushes",
		"study documents", "audit evidence", "patent drafts", "sequencing data", "board papers"}
	purposes = []string{"sample shipments", "monitoring visits", "tender documents", "campaign assets", "microscopy images", "site contracts",
		"customer visits", "month-end close", "new joiners", "safety reports", "instrument data", "compound registration", "trade fairs",
		"patient materials", "supplier queries", "quarterly reviews", "training records", "catalyst screening"}
	problems = []string{
		"Today we use %s and it does not scale any more.",
		"We lose time every week because of %s.",
		"Last quarter something went wrong because of %s, and the auditors noticed.",
		"People in other sites cannot see what we do in %s.",
		"Nobody owns %s, so it is always out of date.",
	}
	outcomes = []string{
		"Everyone involved works in one place and can find past decisions.",
		"The work takes days instead of weeks, with a clear owner.",
		"Partners and colleagues get what they need the same day.",
		"We can show auditors who did what and when.",
		"Managers see the status without asking.",
	}
	// Project names, product codes and sites: the long tail of words.
	syllables = strings.Fields("ka lo mi ne ru sa ti vo ber con dex fin gal har ion jor kel lum mar nor pol quin ris sol tor ven wex yar zen al")
	qualifier = []string{"Managed", "Standard", "Secure", "Shared", "Enterprise", "Self-service", "Regional", "Research", "Premium", "Basic"}
	contexts  = []string{"for research", "for sales", "for the labs", "for partners", "for finance", "for sites", "for Asia", "for Europe", "for clinical studies"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// codeName is a made-up project or product name such as "Project Kelmar".
func codeName(r *rand.Rand) string {
	var b strings.Builder
	for range 2 + r.IntN(2) {
		b.WriteString(pick(r, syllables))
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

func capitalise(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// needText writes a need: a title, a problem and an outcome.
func needText(r *rand.Rand) (title, problem, outcome string, t *topic) {
	t = &topics[r.IntN(len(topics))]
	thing := pick(r, t.things)
	switch r.IntN(6) {
	case 0:
		title = capitalise(thing) + " for " + pick(r, teams)
	case 1:
		title = capitalise(thing) + " with " + pick(r, partners)
	case 2:
		title = "Replace " + pick(r, oldWays) + " for " + pick(r, purposes)
	case 3:
		title = capitalise(thing) + " for " + pick(r, purposes)
	case 4:
		title = capitalise(thing) + " for " + pick(r, teams) + " (" + codeName(r) + ")"
	default:
		title = "A place to share " + pick(r, shareables) + " with " + pick(r, partners)
	}
	var p strings.Builder
	fmt.Fprintf(&p, problems[r.IntN(len(problems))], pick(r, oldWays))
	fmt.Fprintf(&p, " We need %s for %s, about %s and %s.", thing, pick(r, purposes), pick(r, t.words), pick(r, t.words))
	if r.IntN(2) == 0 {
		fmt.Fprintf(&p, " It concerns project %s with %s in %s.", codeName(r), pick(r, partners), pick(r, []string{"Basel", "Boston", "London", "Singapore", "Tokyo", "Toronto"}))
	}
	if r.IntN(3) == 0 {
		other := &topics[r.IntN(len(topics))]
		fmt.Fprintf(&p, " It should work with %s and %s.", pick(r, other.things), pick(r, other.words))
	}
	return title, p.String(), pick(r, outcomes), t
}

// query is what someone types into the need form: mostly a title such as
// people write, sometimes a few words, a typo or an unfinished word.
func query(r *rand.Rand) string {
	title, _, _, t := needText(r)
	switch r.IntN(10) {
	case 0, 1:
		return pick(r, t.things) + " " + pick(r, t.words)
	case 2: // still typing
		if len(title) > 12 {
			return title[:len(title)-3]
		}
	case 3: // a typo: two letters swapped in the middle
		if len(title) > 10 {
			b := []byte(title)
			k := len(b) / 2
			b[k], b[k+1] = b[k+1], b[k]
			return string(b)
		}
	}
	return strings.ToLower(title)
}

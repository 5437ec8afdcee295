package search

import (
	"slices"
	"testing"
)

// catalogEntry is a service as Engage's catalog would index it.
type catalogEntry struct {
	id, kind, name, keywords, description, family string
}

var catalog = []catalogEntry{
	{"teams", "service", "Team chat and collaboration", "Microsoft Teams, messaging, video calls",
		"Microsoft Teams for chat, meetings and calls, with channels for every team and shared files.", "collaboration"},
	{"mail", "service", "E-mail and calendar", "Exchange Online, Outlook, mailbox",
		"A mailbox and calendar for every employee, shared mailboxes and room booking.", "collaboration"},
	{"intranet", "service", "Intranet and team sites", "SharePoint, portal",
		"Publish news and documents for your department on the company intranet.", "collaboration"},
	{"video", "service", "Video conferencing rooms", "meeting rooms, Zoom Rooms",
		"Conference room screens, cameras and microphones for hybrid meetings.", "collaboration"},
	{"vm-s", "offering", "Cloud VM — small", "virtual machine, IaaS",
		"A virtual server in the private cloud: 2 vCPU, 8 GB RAM, 100 GB disk, patched monthly.", "compute"},
	{"vm-m", "offering", "Cloud VM — medium", "virtual machine, IaaS",
		"A virtual server in the private cloud: 4 vCPU, 16 GB RAM, 200 GB disk, patched monthly.", "compute"},
	{"vm-gpu", "offering", "GPU virtual machine", "CUDA, machine learning",
		"A virtual machine with an NVIDIA GPU for machine learning and simulation.", "compute"},
	{"phys", "service", "Physical server (legacy)", "bare metal, hardware",
		"A rack-mounted physical server in our data centre, for workloads that cannot be virtualised.", "compute"},
	{"k8s", "service", "Kubernetes container platform", "containers, OpenShift",
		"Run containerised applications on the managed Kubernetes platform.", "compute"},
	{"hpc", "service", "High-performance computing cluster", "HPC, batch jobs, Slurm",
		"Submit batch jobs to the scientific computing cluster with thousands of cores.", "compute"},
	{"colo", "service", "Colocation", "rack space, data centre",
		"Space, power and cooling in a data centre rack for equipment your team owns.", "compute"},
	{"obj", "service", "Object storage", "S3, buckets",
		"S3-compatible storage for files, backups and archives, billed per terabyte.", "storage"},
	{"nas", "service", "File shares (NAS)", "network drive, SMB, NFS",
		"Network file shares for departments and projects, with snapshots.", "storage"},
	{"backup", "service", "Backup and restore", "recovery",
		"Nightly backup of servers and databases, with restores on request.", "storage"},
	{"archive", "service", "Long-term archive", "retention, compliance",
		"Keep records for ten years or more on low-cost storage.", "storage"},
	{"db-pg", "offering", "Managed PostgreSQL database", "SQL, relational database",
		"A managed PostgreSQL database with backups, monitoring and upgrades.", "data"},
	{"db-ora", "offering", "Oracle database", "SQL, licences",
		"Oracle databases on shared infrastructure, for vendor applications that require it.", "data"},
	{"dwh", "service", "Data warehouse and reporting", "BI, Power BI, dashboards",
		"Central data warehouse with dashboards and self-service reporting.", "data"},
	{"lims", "service", "Lab data management (LIMS)", "laboratory information management system, samples",
		"Track laboratory samples, tests and results; connects to lab instruments.", "research"},
	{"eln", "service", "Electronic lab notebook", "ELN, experiments",
		"Record experiments and protocols in a searchable electronic notebook.", "research"},
	{"instruments", "service", "Lab instrument support", "instrument PCs, drivers",
		"Support for computers attached to laboratory instruments and their software.", "research"},
	{"laptop", "offering", "Standard laptop", "notebook, Windows 11",
		"A 14-inch business laptop with Windows 11, replaced every four years.", "workplace"},
	{"mac", "offering", "MacBook", "Apple, macOS",
		"An Apple MacBook for people whose work needs macOS.", "workplace"},
	{"phone", "offering", "Mobile phone", "smartphone, iPhone, Android",
		"A company smartphone with a data plan and mobile device management.", "workplace"},
	{"print", "service", "Printing and scanning", "printers, copiers",
		"Multi-function printers on every floor: print, copy and scan to e-mail.", "workplace"},
	{"m365", "service", "Microsoft 365 apps", "M365, Office, Word, Excel",
		"Word, Excel, PowerPoint and OneDrive for every employee.", "workplace"},
	{"desk", "service", "Service desk", "helpdesk, support, incidents",
		"Call or chat with the service desk when something is broken.", "support"},
	{"onsite", "service", "On-site IT support", "desk-side support",
		"A technician comes to your desk to fix hardware and software problems.", "support"},
	{"vpn", "service", "Remote access (VPN)", "VPN, working from home",
		"Connect securely to the company network from home or while travelling.", "network"},
	{"wifi", "service", "Wi-Fi and guest network", "wireless, WLAN",
		"Wireless network in all buildings, with a guest network for visitors.", "network"},
	{"fw", "service", "Firewall changes", "firewall rules, ports",
		"Request a firewall rule to open a port between systems.", "network"},
	{"dns", "service", "Domain names and certificates", "DNS, TLS, SSL",
		"Register a domain name and get TLS certificates for your web site.", "network"},
	{"iam", "service", "Accounts and access", "identity, passwords, single sign-on",
		"User accounts, password resets, group membership and single sign-on for applications.", "security"},
	{"mfa", "service", "Multi-factor authentication", "MFA, authenticator app",
		"Protect your account with an authenticator app or a hardware key.", "security"},
	{"pentest", "service", "Security review and penetration test", "security assessment",
		"Have a new application reviewed and tested by the security team before go-live.", "security"},
	{"web", "service", "Web site hosting", "CMS, WordPress",
		"Host a public web site or landing page on the managed content platform.", "applications"},
	{"crm", "service", "Customer relationship management (CRM)", "Salesforce, sales",
		"Manage customers, opportunities and sales pipelines.", "applications"},
	{"erp", "service", "ERP and finance systems", "SAP, finance, purchasing",
		"Finance, purchasing and controlling in the company ERP.", "applications"},
	{"hr", "service", "HR system", "personnel, payroll",
		"Personnel records, leave requests and payroll.", "applications"},
	{"dev", "service", "Software development tools", "Git, CI/CD, GitLab",
		"Source code hosting, continuous integration and artifact repositories for developers.", "applications"},
	{"ai", "service", "AI assistant", "ChatGPT, Copilot, generative AI",
		"A generative AI assistant for writing, summarising and coding, approved for internal data.", "applications"},
}

func catalogIndex() *Index {
	ix := New()
	for _, e := range catalog {
		ix.Put(Doc{ID: e.id, Kind: e.kind, Tags: []string{"family:" + e.family, "lifecycle:live"},
			Fields: []Field{
				{Name: "name", Text: e.name, Boost: 3},
				{Name: "keywords", Text: e.keywords, Boost: 2},
				{Name: "description", Text: e.description, Boost: 1},
			}})
	}
	return ix
}

func TestCatalogQueries(t *testing.T) {
	ix := catalogIndex()
	if ix.Len() != len(catalog) {
		t.Fatalf("len %d, want %d", ix.Len(), len(catalog))
	}
	top := func(q string, n int) []string {
		got := ids(ix.Search(Query{Text: q, Limit: n}))
		t.Logf("%q → %v", q, got)
		return got
	}

	if got := top("team chat for the lab", 3); !slices.Contains(got, "teams") {
		t.Errorf("team chat for the lab: %v, want teams in the top 3", got)
	}
	got := top("rack me a server", 5)
	if !slices.Contains(got, "phys") || !slices.Contains(got, "vm-m") {
		t.Errorf("rack me a server: %v, want phys and vm-m in the top 5", got)
	}
	if len(got) == 0 || got[0] != "phys" {
		t.Errorf("rack me a server: %v, want phys (rack and server) first", got)
	}
	for _, c := range []struct {
		q    string
		want string
		n    int
	}{
		{"I need a new laptop", "laptop", 1},
		{"reset my password", "iam", 1},
		{"postgres database", "db-pg", 1},
		{"lab samples", "lims", 1},
		{"store files in s3", "obj", 1},
		{"work from home", "vpn", 1},
		{"colaboration", "teams", 1},
		{"storrage", "obj", 3},
		{"kuberntes", "k8s", 1},
		{"firewal", "fw", 1},
		{"collab", "teams", 1},
		{"certif", "dns", 1},
		{"virtual machines with gpus", "vm-gpu", 1},
		{"meeting rooms", "video", 1},
	} {
		if got := top(c.q, c.n); !slices.Contains(got, c.want) {
			t.Errorf("%q: %v, want %s in the top %d", c.q, got, c.want, c.n)
		}
	}

	r := ix.Search(Query{Text: "server", Facets: []string{"family:"}})
	if r.Facets["family:compute"] < 3 || r.Facets["family:storage"] != 1 {
		t.Errorf("server facets: %v", r.Facets)
	}
	r = ix.Search(Query{Text: "virtual server", Kinds: []string{"offering"}, AnyOf: [][]string{{"family:compute"}}})
	if got := ids(r); len(got) != 3 || !slices.Contains(got, "vm-s") || !slices.Contains(got, "vm-gpu") {
		t.Errorf("virtual server offerings: %v", got)
	}
}

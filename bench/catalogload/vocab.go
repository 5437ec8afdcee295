package main

// The vocabulary the synthetic catalog is written in: for each family of
// services, what is offered, the words people tag and search it with, what
// it includes, who sells it and how it is priced. Frequent words ("server",
// "storage", "managed") recur across hundreds of services and rare ones
// across a few, so searches meet posting lists of realistic sizes.

type family struct {
	code      string
	kind      []string // service kinds, the first the most usual
	subjects  []string // what is offered; the heart of a service's name
	tags      []string
	features  []string // what a service includes, for descriptions
	vendors   []string
	variants  [][]string // offering name sets, one chosen per service
	units     []string   // price units, the first the most usual
	basePrice float64    // a typical monthly price of the smallest offering, in EUR
}

var families = []family{
	{code: "compute", kind: []string{"technical"},
		subjects: []string{"Virtual machines", "Linux servers", "Windows servers", "GPU compute", "Batch compute", "HPC cluster",
			"Container platform", "Kubernetes namespaces", "Serverless functions", "Bare-metal servers", "Mainframe capacity", "Edge compute"},
		tags: []string{"server", "vm", "virtual machine", "linux", "windows", "iaas", "cpu", "gpu", "cluster", "container",
			"kubernetes", "batch", "compute", "hpc", "docker", "autoscaling"},
		features: []string{"operating system patching", "monitoring and alerting", "nightly backups", "root access on request",
			"autoscaling", "a choice of Linux or Windows images", "GPU drivers and CUDA", "a job scheduler", "private networking",
			"infrastructure as code templates"},
		vendors:   []string{"VMware", "Red Hat", "Amazon Web Services", "Microsoft Azure", "Google Cloud", "Dell", "HPE", "Nutanix"},
		variants:  [][]string{{"Small (2 vCPU, 8 GB)", "Medium (4 vCPU, 16 GB)", "Large (8 vCPU, 32 GB)", "Extra large (16 vCPU, 64 GB)"}, {"Standard node", "High-memory node", "GPU node", "Reserved capacity"}, {"Development", "Test", "Production", "Production with failover"}},
		units:     []string{"unit-month", "unit-hour"},
		basePrice: 31},
	{code: "storage", kind: []string{"technical"},
		subjects: []string{"Object storage", "File shares", "Block storage", "Backup", "Archive storage", "SAN storage", "NAS storage",
			"Data lake storage", "Disaster recovery", "Snapshots", "Research data storage", "Tape library"},
		tags: []string{"storage", "backup", "archive", "s3", "file share", "nfs", "smb", "disk", "san", "nas", "data", "restore",
			"retention", "replication"},
		features: []string{"replication to a second data centre", "daily snapshots", "self-service restore", "encryption at rest",
			"retention policies", "an S3-compatible API", "quota alerts", "immutable copies against ransomware", "lifecycle rules to cheaper tiers"},
		vendors:   []string{"NetApp", "Pure Storage", "Dell EMC", "Veeam", "Commvault", "Amazon Web Services", "IBM", "Cohesity"},
		variants:  [][]string{{"Standard tier", "Performance tier", "Cold tier", "Archive tier"}, {"100 GB", "1 TB", "10 TB", "100 TB"}, {"Daily backup", "Hourly backup", "Long-term retention", "Restore on request"}},
		units:     []string{"unit-month"},
		basePrice: 0.023},
	{code: "network", kind: []string{"technical"},
		subjects: []string{"VPN", "Wi-Fi", "Firewall rules", "Load balancers", "DNS", "WAN links", "Internet breakout", "Network ports",
			"SD-WAN", "Guest Wi-Fi", "Private connectivity", "Proxy service", "IP address management"},
		tags: []string{"network", "vpn", "wifi", "wireless", "firewall", "dns", "internet", "remote access", "lan", "wan",
			"connectivity", "load balancer", "proxy", "bandwidth"},
		features: []string{"redundant links", "24x7 monitoring", "certificate management", "access from home and abroad",
			"split tunnelling", "change requests within a day", "traffic reports", "DDoS protection at the edge"},
		vendors:   []string{"Cisco", "Palo Alto Networks", "Zscaler", "Juniper", "Aruba", "Fortinet", "F5", "Cloudflare"},
		variants:  [][]string{{"Per user", "Site", "Campus", "Data centre"}, {"100 Mbit/s", "1 Gbit/s", "10 Gbit/s", "Burst capacity"}, {"Standard rule", "Emergency change", "Yearly review", "Temporary access"}},
		units:     []string{"unit-month", "fixed-month", "person-month"},
		basePrice: 4.5},
	{code: "hosting", kind: []string{"technical", "application"},
		subjects: []string{"Web hosting", "Database hosting", "Application hosting", "PostgreSQL databases", "Oracle databases",
			"SQL Server databases", "MongoDB clusters", "Redis caches", "Message queues", "API gateway", "Managed Kafka", "Static websites"},
		tags: []string{"hosting", "database", "web", "website", "postgresql", "oracle", "sql", "api", "queue", "kafka", "cache",
			"paas", "managed", "high availability"},
		features: []string{"point-in-time recovery", "read replicas", "TLS certificates", "a staging environment", "automatic failover",
			"version upgrades", "performance dashboards", "a web application firewall", "deployment pipelines"},
		vendors:   []string{"Oracle", "Microsoft", "MongoDB", "Confluent", "Redis", "Amazon Web Services", "Kong", "Akamai"},
		variants:  [][]string{{"Small", "Medium", "Large", "High availability"}, {"Shared", "Dedicated", "Clustered", "Geo-replicated"}, {"Starter", "Business", "Enterprise", "Support add-on"}},
		units:     []string{"unit-month"},
		basePrice: 45},
	{code: "end-user-devices", kind: []string{"technical", "business"},
		subjects: []string{"Laptops", "Desktops", "Monitors", "Smartphones", "Tablets", "Headsets", "Docking stations", "Printers",
			"Scanners", "Developer workstations", "Thin clients", "Rugged tablets", "Keyboards and mice", "Webcams"},
		tags: []string{"laptop", "computer", "device", "hardware", "phone", "mobile", "tablet", "monitor", "printer", "headset",
			"windows", "mac", "iphone", "android", "accessories"},
		features: []string{"delivery to your desk or home", "a replacement within one working day", "disk encryption",
			"a standard software image", "three years of warranty", "secure disposal", "device management", "a spare pool per site"},
		vendors:   []string{"Dell", "Lenovo", "HP", "Apple", "Samsung", "Jabra", "Logitech", "Microsoft"},
		variants:  [][]string{{"Standard", "Performance", "Ultralight", "Developer"}, {"Lease per month", "Purchase", "Replacement", "Accessory bundle"}, {"Basic", "Plus", "Pro", "Executive"}},
		units:     []string{"unit-month", "one-time"},
		basePrice: 38},
	{code: "messaging", kind: []string{"business", "technical"},
		subjects: []string{"Email", "Mailboxes", "Shared mailboxes", "Distribution lists", "SMS gateway", "Secure email",
			"Email archiving", "Mail relay", "Calendar service"},
		tags: []string{"email", "mail", "mailbox", "outlook", "calendar", "exchange", "sms", "archive", "messaging", "spam",
			"newsletter"},
		features: []string{"50 GB of mailbox space", "spam and phishing filtering", "mobile access", "shared calendars",
			"legal hold", "encryption for external mail", "delegated access", "mail flow reports"},
		vendors:   []string{"Microsoft", "Google", "Proofpoint", "Mimecast", "Twilio", "Barracuda"},
		variants:  [][]string{{"Standard", "Large", "Archive add-on", "Legal hold"}, {"Per user", "Shared", "Room", "Resource"}, {"Basic", "Business", "Enterprise", "Frontline"}},
		units:     []string{"person-month"},
		basePrice: 3.2},
	{code: "collaboration", kind: []string{"business", "application"},
		subjects: []string{"Team chat", "Video meetings", "Meeting rooms", "Webinars", "Digital whiteboards", "Document sharing",
			"Intranet sites", "Wikis", "SharePoint sites", "Project workspaces", "E-signature", "Screen sharing"},
		tags: []string{"collaboration", "chat", "teams", "meeting", "video", "conference", "webinar", "whiteboard", "sharepoint",
			"intranet", "wiki", "document", "sharing", "signature"},
		features: []string{"guest access for partners", "recording and transcripts", "room booking", "templates for projects",
			"integration with email and calendar", "external sharing with expiry", "mobile apps", "live captions"},
		vendors:   []string{"Microsoft", "Zoom", "Slack", "Atlassian", "Miro", "DocuSign", "Cisco Webex", "Google"},
		variants:  [][]string{{"Standard", "Premium", "Enterprise", "Add-on"}, {"Small room", "Medium room", "Boardroom", "Huddle space"}, {"Per user", "Per team", "Department", "Company-wide event"}},
		units:     []string{"person-month", "unit-month"},
		basePrice: 4},
	{code: "search", kind: []string{"application", "technical"},
		subjects: []string{"Enterprise search", "Document search", "Knowledge base search", "Code search", "Log search",
			"Scientific literature search"},
		tags: []string{"search", "find", "index", "knowledge", "documents", "logs", "literature", "code", "analytics"},
		features: []string{"connectors to file shares and sites", "security trimming", "synonyms and spelling correction",
			"saved searches and alerts", "an API", "usage analytics"},
		vendors:   []string{"Elastic", "Coveo", "Splunk", "Sourcegraph", "Elsevier", "Microsoft"},
		variants:  [][]string{{"Per user", "Per index", "Connector", "Premium support"}, {"Small index", "Medium index", "Large index", "Retention add-on"}},
		units:     []string{"person-month", "unit-month"},
		basePrice: 2.5},
	{code: "client-computing", kind: []string{"technical", "business"},
		subjects: []string{"Office suite", "Software packaging", "Virtual desktops", "Remote desktop", "Print management",
			"Software catalog", "Browser management", "Patch management", "PDF editor", "Endpoint management"},
		tags: []string{"software", "office", "desktop", "virtual desktop", "vdi", "install", "application", "licence", "patch",
			"print", "pdf", "excel", "word"},
		features: []string{"self-service installation", "automatic updates", "access from any device", "licence tracking",
			"packaging within five days", "follow-me printing", "application compatibility testing"},
		vendors:   []string{"Microsoft", "Citrix", "VMware", "Adobe", "Ivanti", "Omnissa", "PaperCut"},
		variants:  [][]string{{"Standard", "Full", "Power user", "Developer"}, {"Per user", "Per device", "Site licence", "Packaging request"}},
		units:     []string{"person-month", "request"},
		basePrice: 6},
	{code: "identity", kind: []string{"technical"},
		subjects: []string{"Single sign-on", "Multi-factor authentication", "User accounts", "Privileged access", "Service accounts",
			"Certificates", "Access reviews", "Directory groups", "Guest access", "Password reset"},
		tags: []string{"identity", "access", "account", "login", "sso", "mfa", "password", "certificate", "security", "directory",
			"permissions", "authentication"},
		features: []string{"integration with SAML and OpenID Connect applications", "hardware security keys", "quarterly access reviews",
			"just-in-time elevation", "self-service password reset", "audit trails", "automatic deprovisioning"},
		vendors:   []string{"Microsoft", "Okta", "CyberArk", "Ping Identity", "SailPoint", "DigiCert", "Yubico"},
		variants:  [][]string{{"Per user", "Per application", "Hardware key", "Premium"}, {"Standard", "Privileged", "External", "Emergency"}},
		units:     []string{"person-month", "unit-month", "one-time"},
		basePrice: 1.8},
	{code: "data", kind: []string{"application", "technical"},
		subjects: []string{"Data warehouse", "Dashboards", "Reporting", "Data pipelines", "Machine learning platform", "Notebooks",
			"Data catalog", "Master data", "ETL jobs", "Analytics workspaces", "Statistical software", "Data science sandboxes"},
		tags: []string{"data", "analytics", "reporting", "dashboard", "bi", "warehouse", "machine learning", "ai", "python",
			"notebook", "sql", "etl", "statistics", "power bi"},
		features: []string{"governed data sets", "scheduled refreshes", "row-level security", "Python and R notebooks",
			"GPU-backed training", "lineage and a data catalog", "sharing with colleagues", "connectors to the ERP and CRM"},
		vendors:   []string{"Snowflake", "Databricks", "Microsoft", "Tableau", "Qlik", "SAS", "Posit", "Informatica"},
		variants:  [][]string{{"Viewer", "Creator", "Developer", "Capacity"}, {"Small workspace", "Medium workspace", "Large workspace", "GPU workspace"}},
		units:     []string{"person-month", "unit-month", "unit-hour"},
		basePrice: 9},
	{code: "security", kind: []string{"technical", "business"},
		subjects: []string{"Vulnerability scanning", "Penetration testing", "Security monitoring", "Endpoint protection",
			"Encryption keys", "Secrets vault", "Security awareness training", "DDoS protection", "Web application firewall",
			"Email filtering", "Incident response", "Security reviews"},
		tags: []string{"security", "vulnerability", "scan", "pentest", "antivirus", "encryption", "keys", "secrets", "phishing",
			"compliance", "siem", "soc", "threat", "firewall"},
		features: []string{"a 24x7 security operations centre", "monthly reports", "remediation advice", "key rotation",
			"phishing simulations", "a retest after fixes", "alerts to the service owner", "evidence for auditors"},
		vendors:   []string{"CrowdStrike", "Palo Alto Networks", "Qualys", "Tenable", "HashiCorp", "KnowBe4", "Microsoft", "Rapid7"},
		variants:  [][]string{{"Per device", "Per application", "Per user", "Retainer"}, {"Basic", "Standard", "Advanced", "Managed"}, {"One-off test", "Quarterly", "Continuous", "Retest"}},
		units:     []string{"unit-month", "one-time", "person-month"},
		basePrice: 5},
	{code: "business-applications", kind: []string{"application", "business"},
		subjects: []string{"CRM", "ERP", "HR system", "Payroll", "Expense management", "Procurement portal", "Contract management",
			"LIMS", "Electronic lab notebook", "Clinical trial management", "Document management", "Quality management",
			"Travel booking", "Marketing automation", "E-commerce platform"},
		tags: []string{"application", "crm", "erp", "sap", "salesforce", "hr", "payroll", "expenses", "procurement", "lims",
			"eln", "lab", "clinical", "gxp", "quality", "marketing", "contracts"},
		features: []string{"single sign-on", "mobile approval", "validated for GxP", "integration with the ERP", "audit trails",
			"reports and dashboards", "training for new users", "configuration changes each quarter"},
		vendors: []string{"SAP", "Salesforce", "Workday", "Oracle", "Veeva", "Benchling", "Medidata", "Coupa", "SAP Concur",
			"LabWare", "Adobe", "Icertis"},
		variants:  [][]string{{"Full user", "Light user", "Read-only", "Administrator"}, {"Standard", "Professional", "Enterprise", "Sandbox"}},
		units:     []string{"person-month"},
		basePrice: 24},
	{code: "support", kind: []string{"business"},
		subjects: []string{"Service desk", "Desk-side support", "On-call support", "Application support", "Onboarding", "IT training",
			"IT consulting", "Project management", "Software licensing", "Hardware repair", "Data migration", "Office moves"},
		tags: []string{"support", "help", "service desk", "ticket", "incident", "training", "onboarding", "consulting", "project",
			"repair", "migration", "move", "licence"},
		features: []string{"a single phone number and portal", "answers within four working hours", "visits on site",
			"a named contact", "monthly service reviews", "out-of-hours cover", "knowledge articles"},
		vendors:   []string{"ServiceNow", "Atos", "Accenture", "Computacenter", "Kyndryl", "Capgemini", "Softcat"},
		variants:  [][]string{{"Per user", "Per request", "Per hour", "Monthly retainer"}, {"Standard", "Extended hours", "24x7", "VIP"}},
		units:     []string{"person-month", "request", "unit-hour"},
		basePrice: 7},
}

// qualifiers start many service names.
var qualifiers = []string{"Managed", "Self-service", "Standard", "Premium", "Secure", "High-availability", "Regional", "Global",
	"Research", "Clinical", "Lab", "Developer", "Enterprise", "Legacy", "Cloud", "On-premises", "Shared", "Dedicated",
	"Express", "Sandbox", "Validated", "Hybrid"}

// contexts end some service names: who or where a variant is for.
var contexts = []string{"for Research", "for Sales", "for Finance", "for Manufacturing", "for Labs", "for Clinical Trials",
	"for Developers", "for Marketing", "for HR", "for Partners", "for Executives", "(EMEA)", "(Americas)", "(APAC)",
	"(Basel)", "(Boston)", "(Singapore)"}

// benefits close summaries.
var benefits = []string{"ready the next working day", "with 24x7 support", "billed monthly by use", "backed up every night",
	"with single sign-on", "validated for GxP work", "hosted in the company data centre", "hosted in the EU region",
	"managed end to end by IT", "with a named service owner", "included in the standard workplace", "on a three-year contract"}

var audiencesText = []string{"research scientists", "lab technicians", "sales teams", "finance and procurement", "developers",
	"clinical operations", "marketing", "everyone in the company", "project teams", "data scientists", "HR business partners",
	"executives and their assistants"}

var supportHours = []string{"24x7", "Mon-Fri 08:00-18:00", "Mon-Fri 07:00-19:00 CET", "Business hours", "Mon-Sat 06:00-22:00"}

var availabilities = []string{"99.0", "99.5", "99.9", "99.95", "99.99"}

// Demo organisation codes, for audiences.
var (
	departmentCodes = []string{"RND", "COM", "CORP", "DISC", "CLIN", "SALES", "MKT", "FIN", "HR", "IT", "BIO", "CHEM"}
	locationCodes   = []string{"LON", "BSL", "BOS", "TOR", "SIN", "TYO"}
	functionCodes   = []string{"SCI", "MFG", "FIN", "HR", "SAM", "LEG", "IT", "OPS"}
)

// queryExtras are words people add to searches that are not in any name.
var queryExtras = []string{"new", "request", "access", "cost", "price", "order", "for lab", "for team", "home", "cheap"}

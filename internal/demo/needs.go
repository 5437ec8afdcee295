package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
)

// The demo's technology needs: about 150 requests from all twelve
// departments, in every state of the front door, many of them for things
// the catalog already has, so that reuse suggestions, queues, the
// dashboard and the delivery gate have something real to show.
//
// Each need has a story (written, submitted, triaged, reviewed, decided,
// delivered …) that is played through the real front door, acting as the
// right demo person at each step. The stories are spread over the months
// before the clock's now: every step gets a moment in working hours, the
// steps of all needs are played in the order of those moments, and the
// front door used for loading reads a clock set to each moment. So the
// history, reviews, options, decisions, the audit log and the yearly
// references (NEED-2025-…, NEED-2026-…) all carry the time the step
// happened, and catalog prices are those of that day. About a third of the
// needs waiting in a stage with a service level have waited longer than it
// allows.
//
// The loading front door has no publisher: these are past events, and
// notifying about them now would fill the demo people's inboxes (and, with
// SMTP configured, send e-mail).

// way is one way to meet a need: reuse a catalog offering, or buy, build
// or broker something. Amounts are whole euros.
type way struct {
	kind             string // reuse, buy, build, broker
	slug             string // reuse: the offering's slug
	vendor, title    string
	oneTime, monthly int64
}

func reuse(offering string) way { return way{kind: "reuse", slug: offering} }

func buy(vendor, title string, oneTime, monthly int64) way {
	return way{kind: "buy", vendor: vendor, title: title, oneTime: oneTime, monthly: monthly}
}

func build(title string, oneTime, monthly int64) way {
	return way{kind: "build", title: title, oneTime: oneTime, monthly: monthly}
}

func broker(vendor, title string, oneTime, monthly int64) way {
	return way{kind: "broker", vendor: vendor, title: title, oneTime: oneTime, monthly: monthly}
}

// needSpec is one demo need and where its story ends. end is a state,
// optionally with how it got there: "draft@info" (sent back for more
// information), "closed@catalog" (sent to the catalog offering of the
// first way), "closed@merge" (merged into the need titled note's first
// line), "rejected@triage|assessment|decision", "withdrawn@STATE".
type needSpec struct {
	dept, title, problem, outcome string
	users                         int
	class                         string
	end                           string
	note                          string // the reason of the last move, or the BRM's question
	ways                          []way  // the first is chosen when decided
}

func need(dept, title, problem, outcome string, users int, class, end, note string, ways ...way) needSpec {
	return needSpec{dept: dept, title: title, problem: problem, outcome: outcome, users: users, class: class, end: end, note: note, ways: ways}
}

// processesOf is what a department's needs usually touch.
var processesOf = map[string]string{
	"RND": "Research portfolio management", "DISC": "Target discovery; lead optimisation", "BIO": "Assay development; sample management",
	"CHEM": "Compound synthesis; analytical chemistry", "CLIN": "Clinical trial operations; site management", "COM": "Commercial planning",
	"SALES": "Lead to order; account management", "MKT": "Campaign management; brand management", "CORP": "Corporate administration",
	"FIN": "Record to report; procure to pay", "HR": "Hire to retire", "IT": "IT operations; service management",
}

// rileyWrites are the needs written by requester@example.com.
var rileyWrites = []string{"Team chat for the lab", "Replace the Excel tracker for sample shipments", "Barcode label printer for the cold room",
	"Tablet computers for the tissue culture room"}

var demoNeeds = []needSpec{
	// Biology Laboratory
	need("BIO", "Team chat for the lab",
		"We coordinate experiments in private WhatsApp groups. Shift handovers get lost, nothing can be searched, and some of it is about unpublished results.",
		"One place where the whole lab talks, shares quick photos of gels and plates, and can find last month's decisions.",
		45, "internal", "closed", "", reuse("team-chat-standard")),
	need("BIO", "A place to share large microscopy images with the CRO",
		"Our confocal image sets are 5 to 40 GB each. We ship hard drives to the CRO in Lyon by courier; it takes a week and one drive got lost in February.",
		"The CRO downloads new image sets the same day, and we can see who opened what.",
		12, "confidential", "in_delivery", "", reuse("file-sync-external"), buy("IBM", "IBM Aspera on Cloud for large transfers", 0, 1400)),
	need("BIO", "Replace the Excel tracker for sample shipments",
		"Sample shipments to Boston and Singapore are tracked in a shared Excel file that three people edit at once. Last quarter we lost track of two boxes of frozen samples.",
		"Every shipment has a status, a temperature log and an owner, and anyone can see what is in transit.",
		30, "confidential", "approved", "", reuse("lims-user"), buy("Freezerworks", "Freezerworks sample tracking", 12000, 900)),
	need("BIO", "Storage for the new imaging microscope",
		"The light-sheet microscope arriving in May writes about 2 TB a day. The instrument PC has 8 TB, so it would be full within a week.",
		"Images move off the instrument automatically and stay available for analysis for two years.",
		15, "confidential", "assessment", "", buy("Dell", "Dell PowerScale storage next to the microscope", 48000, 400), reuse("file-share-gb")),
	need("BIO", "Image analysis servers with GPUs",
		"Deep-learning segmentation of cell images runs on one workstation under a desk. A single run takes three days and blocks everyone else.",
		"Analysis runs overnight, and several people can run it at the same time.",
		4, "confidential", "closed", "", reuse("cloud-vm-large")),
	need("BIO", "Electronic lab notebook for the assay team",
		"Assay protocols live in paper notebooks and Word files. When someone leaves, their know-how leaves with them, and audits take days.",
		"Protocols and results in one searchable notebook, signed and witnessed electronically.",
		18, "confidential", "in_delivery", "", reuse("eln-user")),
	need("BIO", "Video meetings with external partners",
		"Partners at the CRO and at two universities cannot join our meetings, so we end up using their Zoom accounts.",
		"We can host meetings that external people join from a browser.",
		60, "internal", "rejected@triage",
		"Team chat and meetings already lets external guests join from a browser, without an account. The service desk has sent the lab the how-to, so no new tool is needed."),
	need("BIO", "Barcode label printer for the cold room",
		"Handwritten tube labels smudge and fall off at −80 °C, and we cannot scan them.",
		"Printed barcode labels that survive the freezer and scan into the sample tracker.",
		10, "internal", "delivered", "", buy("Brady", "Brady BBP35 label printers with cryogenic labels", 4200, 35)),
	need("BIO", "Shared calendar for booking the flow cytometer",
		"Bookings are on a paper sheet on the door, so colleagues in Boston never know when the instrument is free.",
		"Anyone can see and book free slots from their calendar.",
		40, "internal", "closed@catalog",
		"A resource mailbox books the cytometer like a meeting room, from everyone's calendar. Set up for the lab through E-mail and calendar.",
		reuse("shared-mailbox")),
	need("BIO", "Genome sequencing data pipeline",
		"The new sequencer produces data faster than our one bioinformatician can process it; runs wait two weeks for analysis.",
		"Sequencing runs are analysed automatically within a day, with quality reports.",
		6, "confidential", "assessment", "",
		build("Nextflow pipeline on the research computing cluster", 38000, 300), broker("Illumina", "Illumina Connected Analytics as a managed service", 0, 2100)),
	need("BIO", "Sample tracking across Basel and Singapore",
		"Singapore receives our samples and logs them again in a spreadsheet of their own, so the two lists never match.",
		"One list of samples that both sites update.",
		14, "confidential", "closed@merge", "Replace the Excel tracker for sample shipments"),
	need("BIO", "Team chat for the Singapore lab",
		"The Singapore lab team works across three shifts and hands over by e-mail. We want a chat channel per project.",
		"Quick questions answered in minutes instead of the next shift.",
		20, "internal", "submitted", ""),
	need("BIO", "Lab inventory of antibodies and reagents",
		"We reorder antibodies we already have because nobody knows what is in which freezer. Some vials expire unused.",
		"We know what we have, where it is and when it expires, before ordering more.",
		35, "internal", "triage", "", reuse("lims-user")),
	need("BIO", "Tablet computers for the tissue culture room",
		"Paper protocols in the tissue culture room get wet and contaminated, and we copy results by hand afterwards.",
		"Protocols and results on a wipeable tablet at the hood.",
		8, "internal", "draft", ""),
	need("BIO", "Remote access to instrument PCs",
		"Instrument PCs run an old Windows and must stay off the network, so we copy data with USB sticks.",
		"Data leaves the instruments without USB sticks.",
		20, "confidential", "withdrawn@assessment", "The vendor's software upgrade in April connects the instruments safely; this is no longer needed.",
		reuse("vdi-shared")),
	need("BIO", "Statistical software licences for the new postdocs",
		"GraphPad Prism licences are bought one by one on credit cards and expire at random times.",
		"Everyone who needs Prism has a licence, renewed in one go.",
		12, "internal", "delivered", "", buy("GraphPad", "GraphPad Prism site licence", 0, 210)),
	need("BIO", "Cell counter results straight into the LIMS",
		"Technicians retype counts from the cell counter into the LIMS; we found typing errors in two studies.",
		"Counts flow into the LIMS without retyping.",
		25, "confidential", "decision", "", reuse("lims-instrument"), build("Custom import script for the cell counter", 9000, 80)),
	need("BIO", "Automatic alerts when a freezer warms up",
		"A −80 °C freezer failed over a weekend in January and we lost two years of samples.",
		"Someone on call gets a text message within minutes when any freezer warms up.",
		25, "confidential", "approved", "", buy("Elpro", "Elpro freezer monitoring with text alerts", 9500, 180)),

	// Chemistry Laboratory
	need("CHEM", "Quantum chemistry simulation capacity",
		"DFT calculations for catalyst screening queue for two weeks on our six old servers, and the servers are being retired.",
		"A screening round finishes within two days.",
		8, "confidential", "in_delivery", "", reuse("cloud-vm-large"), buy("Amazon Web Services", "Cloud HPC cluster under our own contract", 5000, 4500)),
	need("CHEM", "Electronic lab notebook for synthesis",
		"Synthesis procedures are in paper notebooks; we cannot search for a reaction we ran two years ago.",
		"Reactions, yields and spectra searchable in one notebook.",
		40, "confidential", "closed", "", reuse("eln-user")),
	need("CHEM", "Chemical inventory and safety data sheets",
		"Our chemical inventory is an Access database from 2009. Safety audits take days and the data sheets are out of date.",
		"Every container is barcoded, located and linked to a current safety data sheet.",
		60, "internal", "decision", "", buy("ChemInventory", "ChemInventory cloud with the safety data sheet library", 6000, 450)),
	need("CHEM", "Move the NMR processing servers to the cloud",
		"The two servers that process NMR spectra are nine years old and on the list of physical servers being retired.",
		"NMR processing keeps working after the old servers are switched off.",
		6, "confidential", "approved", "", reuse("cloud-vm-medium")),
	need("CHEM", "Share spectra with the contract lab in Hyderabad",
		"We e-mail zipped spectra to the contract lab and they bounce because they are too large.",
		"The contract lab picks up spectra from a shared folder.",
		10, "confidential", "closed@catalog",
		"File sync and share with the external sharing add-on does exactly this; ordered for the ten people who work with the contract lab.",
		reuse("file-sync-external")),
	need("CHEM", "Molecular modelling software",
		"Medicinal chemists want to dock compounds before making them; today we ask a partner, which takes weeks.",
		"Chemists run docking studies themselves.",
		5, "confidential", "rejected@decision",
		"Discovery Science already licenses this software for ten seats and four are unused. Use those seats, and come back if they run out.",
		buy("Schrödinger", "Schrödinger Suite, five concurrent seats", 0, 7800)),
	need("CHEM", "Lab wiki for standard operating procedures",
		"SOPs are Word files in e-mail attachments, and nobody is sure which version is current.",
		"One place with the current SOPs, their history and who approved them.",
		70, "internal", "closed", "", reuse("wiki-user")),
	need("CHEM", "Team chat for the chemistry lab",
		"We want a chat tool for the lab so that we stop shouting across the corridor.",
		"Quick questions answered without walking over.",
		70, "internal", "rejected@triage",
		"Everyone in Chemistry already has Team chat and meetings. We created a Chemistry Lab team with a channel per project instead."),
	need("CHEM", "Reaction database search",
		"Chemists search reactions on free websites and miss the literature behind paywalls.",
		"Reaction and substance searches in the standard database, from any lab PC.",
		20, "internal", "in_delivery", "", buy("CAS", "CAS SciFinder, 20 users", 0, 3900)),
	need("CHEM", "GPU machine for machine learning on reaction data",
		"We want to train models on our reaction outcomes to predict yields, but our laptops are far too slow.",
		"A machine where we can train a model in hours.",
		3, "confidential", "assessment", "", reuse("cloud-vm-large"), buy("Dell", "Dell Precision workstation with two GPUs", 22000, 0)),
	need("CHEM", "Instrument data straight into the electronic notebook",
		"HPLC and NMR results are exported to USB sticks and attached to the notebook by hand.",
		"Instrument results appear in the right notebook entry on their own.",
		40, "confidential", "decision", "", build("Connect HPLC and NMR to the electronic notebook", 24000, 200)),
	need("CHEM", "Chemical waste disposal log",
		"The waste log is a paper binder; the environmental audit asked for monthly totals we cannot produce.",
		"Monthly totals by waste category at the press of a button.",
		15, "internal", "draft", ""),
	need("CHEM", "Video meetings with the university partners",
		"Our partners at ETH want weekly video meetings and screen sharing.",
		"Weekly meetings with screen sharing that partners join easily.",
		15, "internal", "withdrawn@submitted", "We found that Team chat and meetings already lets guests join. Withdrawn."),
	need("CHEM", "Booking of shared instruments",
		"The mass spectrometers are booked on a whiteboard, and the Boston team cannot see it.",
		"Booking from any site, with usage per project for recharging.",
		50, "internal", "triage", ""),
	need("CHEM", "Mobile phones that survive the lab",
		"Ordinary phones break or cannot be cleaned; we need phones for the on-call chemist.",
		"Robust phones that can be wiped down.",
		6, "internal", "triage", "",
		reuse("phone-rugged")),
	need("CHEM", "Secure storage for patent drafts",
		"Patent drafts are exchanged with outside counsel by e-mail; Legal wants this to stop.",
		"Drafts kept in one place with access for counsel only.",
		12, "confidential", "closed", "", reuse("file-sync-user")),

	// Clinical Development
	need("CLIN", "Self-service dashboards for clinical operations",
		"Study managers wait a week for the monthly enrolment report from the data team, and by then it is out of date.",
		"Study managers see enrolment, screening failures and site performance themselves, updated daily.",
		40, "confidential", "in_delivery", "", reuse("dwh-workspace"), buy("Tableau", "Tableau Cloud licences for clinical operations", 0, 2400)),
	need("CLIN", "Text message reminders for trial participants",
		"Participants miss visits; sites call them one by one the day before.",
		"Participants get an automatic text message two days before each visit.",
		2000, "confidential", "approved", "", reuse("sms-bulk")),
	need("CLIN", "Electronic signatures for site contracts",
		"Site contracts go back and forth by courier for signatures; start-up takes three extra weeks.",
		"Contracts signed electronically by both sides within days.",
		25, "confidential", "closed", "", buy("DocuSign", "DocuSign Business Pro, 25 senders", 0, 1150)),
	need("CLIN", "Video meetings with investigators in Japan",
		"Investigator meetings with Japanese sites use the CRO's video tool, which our people cannot start themselves.",
		"We host investigator meetings ourselves.",
		30, "internal", "closed@catalog", "Team chat and meetings hosts meetings with external guests; the study team has been shown how.",
		reuse("team-chat-standard")),
	need("CLIN", "Secure file exchange with trial sites",
		"Sites send us scanned documents by e-mail, some of them with patient initials.",
		"Sites upload documents to a secure folder per site.",
		80, "confidential", "in_delivery", "", reuse("file-sync-external")),
	need("CLIN", "Patient recruitment website for the OA-301 study",
		"Recruitment for OA-301 is behind plan; the CRO suggests a study website with a pre-screening form.",
		"A study website in four languages, live before the summer campaign.",
		5, "internal", "approved", "", reuse("web-site"), buy("Agency", "Website built and hosted by the recruitment agency", 18000, 600)),
	need("CLIN", "Translation of patient materials into nine languages",
		"Informed consent forms and diaries must be translated and back-translated for each country.",
		"Certified translations within ten working days per document.",
		10, "internal", "closed", "", broker("TransPerfect", "TransPerfect translations through the procurement framework", 0, 3800)),
	need("CLIN", "Clinical trial management system",
		"Studies are run from spreadsheets and the CRO's portals; we have no single view of our 14 studies.",
		"One system for milestones, sites, monitoring visits and payments across all studies.",
		120, "confidential", "decision", "",
		buy("Veeva", "Veeva Vault CTMS", 85000, 9500), build("Trial management built on the data warehouse", 180000, 3000)),
	need("CLIN", "Shared mailbox for safety reports",
		"Adverse event reports arrive in personal mailboxes and could be missed during holidays.",
		"One monitored mailbox for safety reports.",
		8, "confidential", "closed@catalog", "A shared mailbox does this; set up as safety@ with the pharmacovigilance team as members.",
		reuse("shared-mailbox")),
	need("CLIN", "Randomisation and drug supply for small studies",
		"Small investigator studies randomise with sealed envelopes.",
		"Web randomisation and drug supply management for small studies.",
		20, "confidential", "rejected@decision",
		"The CRO framework contract already includes randomisation and drug supply for every study, small ones too. Use it through the CRO.",
		broker("Almac", "Almac IRT as a managed service", 25000, 2800)),
	need("CLIN", "Replace the Excel tracker for monitoring visits",
		"Monitoring visits are planned in a spreadsheet per study; visit reports are chased by e-mail.",
		"Visits planned and reports tracked across studies.",
		40, "confidential", "closed@merge", "Clinical trial management system"),
	need("CLIN", "Laptops for the new Tokyo study team",
		"Six people join the Tokyo study team in April.",
		"They can work from their first day.",
		6, "internal", "closed@catalog", "Standard laptops from the catalog; ordered with the new joiners' start dates.",
		reuse("laptop-standard")),
	need("CLIN", "Virtual desktops for CRO monitors",
		"CRO monitors need access to our trial systems without us shipping laptops to them.",
		"Monitors work in our systems from their own computers, securely.",
		35, "confidential", "in_delivery", "", reuse("vdi-standard")),
	need("CLIN", "Data warehouse for pooled trial data",
		"Pooled analyses across studies need the data of 14 studies in one place; today statisticians copy files by hand.",
		"Pooled, pseudonymised trial data ready for analysis.",
		15, "restricted", "assessment", "", reuse("dwh-workspace"), build("Clinical data repository", 140000, 2500)),
	need("CLIN", "Electronic diaries on tablets for patients",
		"Patients fill in paper diaries that we key in later; the regulator asks for electronic outcome data.",
		"Patients record symptoms on a tablet, with an audit trail.",
		400, "restricted", "assessment", "", buy("Signant Health", "Signant eCOA devices and service", 30000, 4200)),
	need("CLIN", "Team chat for the study teams",
		"Study teams want a chat tool to work with CRO staff.",
		"Faster answers between study teams and the CRO.",
		90, "internal", "rejected@triage",
		"Study teams already have Team chat and meetings, and CRO staff can be added as guests. No new chat tool."),
	need("CLIN", "Templates for medical writing",
		"Medical writers start each clinical study report from an old report.",
		"Approved templates that fill in study data.",
		12, "confidential", "draft@info", "Is this about software, or about a library of approved templates? How many writers would use it?"),
	need("CLIN", "Audit trail for the trial master file",
		"Inspectors asked who changed which trial master file document and when; we could not tell.",
		"A complete audit trail for the trial master file.",
		60, "confidential", "submitted", ""),
	need("CLIN", "Dashboards for site performance",
		"We want to see which sites recruit and which do not, without waiting for the CRO's monthly slides.",
		"Site performance visible every week.",
		25, "confidential", "closed@merge", "Self-service dashboards for clinical operations"),
	need("CLIN", "Meeting room cameras for the London office",
		"The two large rooms in London have no camera; remote people cannot see the whiteboard.",
		"Hybrid meetings in which everyone sees and hears everyone.",
		2, "internal", "closed", "", reuse("room-large")),

	// Sales
	need("SALES", "CRM for the new Asia sales team",
		"The Singapore and Tokyo team, twelve people since January, tracks leads in Excel and LinkedIn. Managers cannot see the pipeline.",
		"The Asia team works in the same CRM as everyone else, with its own pipeline.",
		12, "confidential", "in_delivery", "", reuse("crm-user"), buy("HubSpot", "HubSpot Sales Hub Professional", 1500, 1300)),
	need("SALES", "Video meetings with customers",
		"Customers ask for video demos; reps use free tools with a 40-minute limit.",
		"Professional video demos without time limits.",
		150, "internal", "rejected@triage",
		"Team chat and meetings has no time limit and customers join from a browser; the sales academy now covers it."),
	need("SALES", "Phones for the field sales team in Canada",
		"Reps in Canada use private phones and claim the bills.",
		"Company phones with data plans.",
		18, "internal", "closed", "", reuse("phone-standard")),
	need("SALES", "Quote generator for distributors",
		"Quotes for distributors are built in Word from the price list; half of them contain pricing errors.",
		"Correct quotes from the CRM in minutes.",
		60, "confidential", "approved", "", build("Quote builder on the CRM", 42000, 300), buy("Salesforce", "Salesforce CPQ", 15000, 2600)),
	need("SALES", "Team chat for Asia sales",
		"The Asia team wants a chat tool across Singapore and Tokyo.",
		"One chat across both offices.",
		12, "internal", "closed@catalog", "They already have Team chat and meetings licences; an Asia Sales team has been created.",
		reuse("team-chat-standard")),
	need("SALES", "Sales dashboards on the phone",
		"Managers want pipeline and targets on their phones before customer meetings.",
		"Pipeline dashboards on the phone.",
		30, "confidential", "decision", "", reuse("dwh-workspace")),
	need("SALES", "Expense reports from the road",
		"Reps collect paper receipts for a month and key them in at the weekend.",
		"Receipts photographed and expenses filed from the phone.",
		150, "confidential", "rejected@decision",
		"Finance rolls out expenses in the Finance ERP in the third quarter, with a phone app. Wait for it rather than buying a second tool.",
		buy("SAP Concur", "SAP Concur Expense", 8000, 900)),
	need("SALES", "Sales Navigator licences",
		"Reps prospect on LinkedIn with free accounts and hit the search limits.",
		"Prospecting without limits, with leads saved to the CRM.",
		30, "internal", "closed", "", buy("LinkedIn", "Sales Navigator Core, 30 seats", 0, 2100)),
	need("SALES", "Customer contract repository",
		"Signed customer contracts are in personal folders; renewals are missed.",
		"All contracts in one place with renewal reminders.",
		40, "confidential", "assessment", "", buy("Ironclad", "Ironclad contract management", 12000, 1800)),
	need("SALES", "CRM access for the Toronto distributors",
		"Distributors in Toronto send their forecasts by e-mail every Friday.",
		"Distributors see and update their own opportunities.",
		25, "confidential", "approved", "", reuse("crm-light")),
	need("SALES", "Call recording for the inside sales team",
		"New inside sales reps want to learn from recorded calls.",
		"Calls recorded and searchable for coaching.",
		20, "confidential", "withdrawn@decision", "The works council did not agree to recording calls; we will coach in person instead.",
		buy("Gong", "Gong conversation intelligence", 5000, 2400)),
	need("SALES", "Territory planning maps",
		"Territories are drawn on printed maps every year.",
		"Territories planned on a map with customer data.",
		10, "internal", "draft", ""),
	need("SALES", "A shared drive for tender documents",
		"Tender documents are e-mailed back and forth between sales, legal and finance.",
		"One folder per tender that everyone works in.",
		35, "confidential", "closed@catalog", "File sync and share gives each tender a shared folder; set up for the bid team.",
		reuse("file-sync-user")),
	need("SALES", "CRM for the Japan key accounts",
		"Key account managers in Tokyo keep customer notes in notebooks.",
		"Customer history in the CRM.",
		5, "confidential", "closed@merge", "CRM for the new Asia sales team"),
	need("SALES", "Webinars for customer training",
		"Customer training sessions are limited to 300 people; our product launches draw more.",
		"Webinars for up to a few thousand customers with registration.",
		10, "internal", "delivered", "", reuse("team-chat-webinar")),
	need("SALES", "Sales training videos",
		"New reps learn the products by shadowing; we want short training videos.",
		"A library of product videos for new reps.",
		150, "internal", "triage", ""),
	need("SALES", "E-mail for the new distributor partners",
		"Distributor staff want company e-mail addresses to look official.",
		"Partners can write from an address in our domain.",
		40, "internal", "rejected@triage",
		"Partners are not employees and cannot have company mailboxes. Give them partner access to the CRM instead."),
	need("SALES", "Price list app for trade fairs",
		"At trade fairs reps carry printed price lists that are already out of date.",
		"Current prices on a tablet, offline.",
		30, "internal", "triage", ""),
	need("SALES", "Commission calculation",
		"Commissions are calculated in a 40-tab workbook by one person; disputes take weeks.",
		"Reps see their commission as deals close.",
		150, "confidential", "decision", "",
		build("Commission calculation on the data warehouse", 35000, 250), buy("Xactly", "Xactly Incent", 20000, 3000)),
	need("SALES", "Customer visit reports on tablets",
		"Reps write visit reports at night from memory.",
		"Visit reports written in the car right after the visit.",
		80, "confidential", "assessment", "", reuse("crm-user")),
	need("SALES", "Video meetings with external partners",
		"Distributors abroad want regular video calls with our product managers.",
		"Monthly video calls with distributors.",
		40, "internal", "withdrawn@triage", "Found that Team chat and meetings already does this with guest links."),
	need("SALES", "Order status for customers",
		"Customers call customer service to ask where their order is.",
		"Customers look up their order status online.",
		2000, "confidential", "rejected@assessment",
		"The e-commerce programme starting in the autumn includes order tracking; this need joins that programme.",
		build("Customer order status portal", 75000, 900)),

	// Marketing
	need("MKT", "Shared drive for the marketing agency",
		"We send artwork to the agency through free transfer sites; files expire and versions get mixed up.",
		"The agency and our team work in the same folders.",
		15, "confidential", "in_delivery", "", reuse("file-sync-external")),
	need("MKT", "Social media scheduling tool",
		"Posts on five channels are published by hand, sometimes at night.",
		"Posts planned a month ahead and approved before they go out.",
		8, "internal", "closed", "", buy("Hootsuite", "Hootsuite Team", 0, 740)),
	need("MKT", "Digital whiteboard for campaign workshops",
		"Campaign workshops with the regions are hard to run remotely; photos of sticky notes get lost.",
		"Workshops where remote people add ideas on the same board.",
		25, "internal", "decision", "", reuse("whiteboard-user"), buy("Miro", "Miro Business", 0, 400)),
	need("MKT", "Website for the autumn product launch",
		"The launch needs a product website with a registration form by September.",
		"A launch site live in time, under our domain.",
		6, "internal", "approved", "", reuse("web-site-large"), buy("Agency", "Launch site built and hosted by the agency", 25000, 900)),
	need("MKT", "Marketing automation for newsletters",
		"Newsletters go out from a free tool with a 2,000-contact limit; unsubscribes are handled by hand.",
		"Newsletters to all customers, with consent and unsubscribes handled automatically.",
		6, "confidential", "closed", "", reuse("crm-marketing"), buy("Mailchimp", "Mailchimp Standard", 0, 600)),
	need("MKT", "Image library for brand assets",
		"Logos and product photos are scattered; the wrong logo appeared in a trade magazine.",
		"One library of approved brand assets for us and our agencies.",
		60, "internal", "decision", "", buy("Bynder", "Bynder digital asset management", 9000, 1250), reuse("file-sync-user")),
	need("MKT", "Event registration for the customer congress",
		"Registration for our congress of 1,500 guests runs on spreadsheets and e-mail.",
		"Online registration, badges and reminders.",
		8, "confidential", "approved", "", broker("Cvent", "Cvent through our events agency", 2500, 600)),
	need("MKT", "Team chat with the agency",
		"We want a chat tool with our creative agency.",
		"Quick feedback on drafts.",
		15, "internal", "rejected@triage",
		"The agency can join our Team chat and meetings as guests; the service desk has added them."),
	need("MKT", "Survey tool for customer feedback",
		"We want to ask customers after every event what they thought.",
		"Surveys after each event, with results by region.",
		10, "confidential", "withdrawn@approved", "The budget was cut in the second-quarter forecast.",
		buy("Qualtrics", "Qualtrics CustomerXM", 5000, 1500)),
	need("MKT", "Video editing workstations",
		"Our two video editors render on standard laptops; a two-minute video takes hours.",
		"Rendering in minutes.",
		2, "internal", "closed@catalog", "The developer laptop has the graphics and memory needed; ordered for both editors.",
		reuse("laptop-developer")),
	need("MKT", "Influencer campaign tracking",
		"We pay influencers but cannot tell which posts bring visitors.",
		"Results per influencer and campaign.",
		5, "internal", "draft", ""),
	need("MKT", "Translation of the website",
		"Our website is in English only; distributors translate pages themselves, badly.",
		"The website in six languages, kept up to date.",
		5, "public", "assessment", "", broker("TransPerfect", "TransPerfect website translation through the procurement framework", 0, 1200)),
	need("MKT", "Landing pages without IT tickets",
		"Every campaign landing page needs an IT ticket and takes two weeks.",
		"Marketing builds landing pages itself, within brand rules.",
		10, "public", "submitted", ""),
	need("MKT", "A place to share large video files with the film crew",
		"The film crew delivers rushes of 100 GB; we pick them up on hard drives.",
		"Rushes uploaded and downloaded the same day.",
		8, "internal", "triage", "", reuse("file-sync-external")),

	// Commercial
	need("COM", "One customer view across sales and marketing",
		"Sales and marketing keep separate customer lists; customers get calls and e-mails that contradict each other.",
		"One view of each customer with every contact we have had.",
		200, "confidential", "assessment", "", reuse("crm-user"), build("Customer data hub", 120000, 2000)),
	need("COM", "Pricing analytics",
		"Discounts are granted deal by deal; we do not know what they cost us.",
		"Price and discount analysis by customer, product and region.",
		15, "confidential", "decision", "", buy("PROS", "PROS Smart Price Optimization", 60000, 7000), reuse("dwh-workspace")),
	need("COM", "Competitor news monitoring",
		"Product managers read competitor news in their spare time.",
		"A daily digest of competitor news.",
		40, "internal", "delivered", "", buy("Meltwater", "Meltwater media monitoring", 0, 950)),
	need("COM", "Board papers on tablets",
		"Commercial leadership prints 200 pages for each quarterly review.",
		"Papers read and annotated on tablets.",
		12, "confidential", "approved", "", buy("Diligent", "Diligent Boards", 3000, 700)),
	need("COM", "Team chat for the commercial leadership team",
		"The leadership team wants a private chat.",
		"Quick decisions between meetings.",
		12, "confidential", "rejected@triage",
		"A private team in Team chat and meetings does this; the BRM set it up with the team."),

	// Discovery Science
	need("DISC", "Target identification with AI",
		"Finding new targets takes years of literature work; partners offer AI platforms.",
		"A shortlist of targets backed by data within months.",
		20, "confidential", "assessment", "",
		broker("Insilico", "AI target discovery through a research partnership", 50000, 12000), build("In-house target ranking models", 160000, 2500)),
	need("DISC", "Shared project space with the University of Basel",
		"Our joint project with the university shares data by e-mail.",
		"One project space for both teams.",
		25, "confidential", "closed", "", reuse("file-sync-external")),
	need("DISC", "Compound registration system",
		"New compounds are registered in a spreadsheet; duplicates and wrong structures slip in.",
		"Every compound registered once, with its structure checked.",
		50, "confidential", "decision", "",
		buy("Dotmatics", "Dotmatics Register", 45000, 2500), build("Compound registry built by the delivery team", 110000, 1500)),
	need("DISC", "Portfolio view of discovery projects",
		"The portfolio review is prepared by copying slides from twelve project teams.",
		"A live view of all projects, their stage and their spend.",
		30, "confidential", "approved", "", reuse("dwh-workspace")),
	need("DISC", "High-content screening image analysis",
		"Screening images are analysed on the instrument PC, one plate at a time.",
		"Whole screens analysed overnight.",
		6, "confidential", "in_delivery", "", reuse("cloud-vm-large")),
	need("DISC", "Literature alerts for scientists",
		"Scientists set up their own alerts on free sites and miss papers.",
		"Weekly alerts on each project's topics from the main databases.",
		150, "internal", "closed", "", buy("Elsevier", "Embase alerts, site licence", 0, 1800)),
	need("DISC", "Electronic lab notebook for Discovery",
		"Discovery scientists still write on paper.",
		"Experiments recorded electronically.",
		80, "confidential", "closed@merge", "Electronic lab notebook for the assay team"),
	need("DISC", "Collaboration space with the CRO",
		"We need somewhere to exchange reports and data with our chemistry CRO.",
		"Reports and data exchanged in one place.",
		15, "confidential", "rejected@triage",
		"File sync and share with external sharing already does this and Discovery has it; use a shared folder per CRO."),
	need("DISC", "Protein structure prediction on GPUs",
		"Structure prediction runs take a week on CPUs.",
		"Predictions in hours.",
		10, "confidential", "triage", ""),
	need("DISC", "Data management plan templates",
		"Grant funders now require data management plans.",
		"Templates and guidance for data management plans.",
		40, "internal", "draft@info", "Is this a document template, or a system to manage the plans? Who would maintain it?"),
	need("DISC", "Meeting room screens for the Basel campus",
		"The small meeting rooms in Basel have no screens.",
		"Every small room can share a laptop screen and join video meetings.",
		6, "internal", "delivered", "", reuse("room-huddle")),
	need("DISC", "Video meetings with external partners",
		"Academic partners want to meet us by video every week.",
		"Weekly video meetings with partners.",
		30, "internal", "closed@catalog", "Team chat and meetings lets partners join as guests; the team was shown how.",
		reuse("team-chat-standard")),

	// Research & Development
	need("RND", "R&D project portfolio tool",
		"R&D portfolio decisions are made on slides; resource conflicts between projects show up too late.",
		"Projects, resources and budgets planned in one tool.",
		60, "confidential", "decision", "",
		buy("Planisware", "Planisware Orchestra", 70000, 5200), reuse("dwh-workspace")),
	need("RND", "Research data catalogue",
		"Nobody knows which datasets exist across R&D, so experiments are repeated.",
		"A searchable catalogue of research datasets with owners.",
		300, "internal", "assessment", "", build("Research data catalogue on the data warehouse", 60000, 900)),
	need("RND", "Digital whiteboard for research retreats",
		"Our retreats need a digital whiteboard for brainstorming.",
		"Ideas captured on a shared board.",
		40, "internal", "rejected@triage", "The Digital whiteboard pilot is open to every department; R&D has joined it."),
	need("RND", "External collaboration portal for consortia",
		"EU consortia partners need a portal to share documents with us.",
		"A portal for consortium partners.",
		100, "confidential", "withdrawn@decision", "The consortium provides its own portal, which we will use.",
		buy("Wrike", "Wrike for external collaboration", 4000, 1500)),
	need("RND", "Quantum computing sandbox access",
		"Our computational chemists want to try quantum algorithms for molecule simulation.",
		"A sandbox to test algorithms on simulators.",
		6, "internal", "submitted", ""),

	// Finance
	need("FIN", "Invoice scanning for accounts payable",
		"Supplier invoices arrive on paper and as PDFs and are keyed in by hand; 4,000 a month.",
		"Invoices read automatically and routed for approval.",
		15, "confidential", "in_delivery", "", buy("Basware", "Basware invoice capture", 18000, 1600)),
	need("FIN", "Replace the Excel consolidation workbook",
		"The group consolidation runs in one workbook with 60 tabs and takes eight days each month.",
		"Consolidation done in three days, with an audit trail.",
		20, "restricted", "decision", "",
		buy("OneStream", "OneStream consolidation", 90000, 6500), build("Consolidation in the Finance ERP", 150000, 2000)),
	need("FIN", "Secure file exchange with the auditors",
		"The auditors send requests in e-mails and we send back files with confidential figures.",
		"A secure folder per audit area with access for the auditors.",
		20, "confidential", "closed@catalog", "File sync and share with external sharing covers this; folders set up for this year's audit.",
		reuse("file-sync-external")),
	need("FIN", "Expense approvals on the phone",
		"Managers approve expenses only when they are at their desks; reimbursements take weeks.",
		"Approvals from the phone.",
		120, "restricted", "closed", "", reuse("erp-approver")),
	need("FIN", "Treasury cash forecasting",
		"Cash forecasts are collected from 14 entities in spreadsheets.",
		"A weekly cash forecast for the group.",
		6, "restricted", "assessment", "", buy("Kyriba", "Kyriba cash management", 40000, 4200)),
	need("FIN", "Team chat for finance",
		"Finance wants a chat tool for the month-end close.",
		"Quick questions during the close.",
		60, "internal", "rejected@triage", "Finance already has Team chat and meetings; a Month-end close channel now exists."),
	need("FIN", "Shared mailbox for supplier queries",
		"Suppliers e-mail anyone they know in accounts payable.",
		"One address that the team works from together.",
		10, "confidential", "closed@catalog", "A shared mailbox does this; ap-queries@ is set up.",
		reuse("shared-mailbox")),
	need("FIN", "Dashboards for controllers",
		"Controllers rebuild the same reports in Excel each month.",
		"Monthly reports refreshed automatically.",
		25, "confidential", "in_delivery", "", reuse("dwh-workspace")),
	need("FIN", "Fixed asset register",
		"Fixed assets are tracked in a spreadsheet outside the ERP.",
		"Assets in the ERP with depreciation calculated.",
		5, "confidential", "draft", ""),
	need("FIN", "Bank statement import",
		"Bank statements are downloaded from eight bank portals every morning.",
		"Statements arrive in the ERP on their own.",
		6, "restricted", "submitted", ""),
	need("FIN", "Travel booking tool",
		"Travel is booked by an agency by e-mail; we cannot see spend until the invoice.",
		"Self-service booking within the travel policy.",
		800, "confidential", "approved", "", broker("American Express GBT", "Amex GBT Neo through the travel agency contract", 0, 1100)),
	need("FIN", "Procurement catalogue punch-out",
		"Buyers order office supplies on supplier websites with credit cards.",
		"Supplier catalogues inside the purchase-to-pay process.",
		300, "internal", "withdrawn@submitted", "Procurement covers this in the ERP upgrade next year."),

	// Human Resources
	need("HR", "Recruiting system for the Singapore hub",
		"Singapore hires 40 people this year; applications arrive by e-mail.",
		"Job posts, applications and interviews in one place.",
		15, "restricted", "closed", "", reuse("hr-recruiting"), buy("Greenhouse", "Greenhouse recruiting", 1200, 700)),
	need("HR", "Learning platform for compliance training",
		"Compliance training is tracked with attendance lists; the auditor found gaps.",
		"Everyone's mandatory training assigned, done and recorded.",
		2000, "confidential", "in_delivery", "", buy("Docebo", "Docebo learning platform", 12000, 2300)),
	need("HR", "Onboarding checklist for new joiners",
		"New joiners wait days for laptops, accounts and badges because nobody owns the checklist.",
		"Everything ready on the first day.",
		30, "confidential", "approved", "", build("Onboarding workflow in the HR system", 18000, 150), buy("Enboarder", "Enboarder onboarding", 6000, 900)),
	need("HR", "Electronic signatures for employment contracts",
		"Contracts are printed, signed, scanned and posted.",
		"Contracts signed electronically.",
		15, "restricted", "closed@merge", "Electronic signatures for site contracts"),
	need("HR", "Employee survey tool",
		"The yearly engagement survey runs on a free form tool; results cannot be broken down safely.",
		"Anonymous surveys with results by team.",
		2000, "confidential", "decision", "", buy("Culture Amp", "Culture Amp engagement surveys", 4000, 1100)),
	need("HR", "Team chat for HR business partners",
		"HR business partners want a private chat space.",
		"A private space for HR topics.",
		12, "confidential", "closed@catalog", "Team chat and meetings with a private team does this; created.",
		reuse("team-chat-standard")),
	need("HR", "Video interviews with candidates",
		"Candidates abroad are interviewed by phone.",
		"Video interviews with candidates.",
		20, "internal", "withdrawn@triage", "The guest link of Team chat and meetings does this."),
	need("HR", "Wellbeing app for employees",
		"Employees asked for a wellbeing and meditation app.",
		"A wellbeing app offered to everyone.",
		2000, "internal", "rejected@decision",
		"This is an employee benefit, not an IT service: buy it through the benefits provider from the HR benefits budget.",
		buy("Headspace", "Headspace for Work", 0, 4500)),
	need("HR", "Org charts that stay up to date",
		"Org charts are drawn by hand and are wrong within weeks.",
		"Org charts generated from the HR system.",
		2000, "internal", "triage", ""),
	need("HR", "Knowledge base for HR policies",
		"Policies are PDFs on the intranet that nobody finds.",
		"Searchable policies with answers to common questions.",
		2000, "internal", "approved", "", reuse("wiki-space")),

	// Information Technology
	need("IT", "Password manager for administrators",
		"Administrator passwords are shared in a spreadsheet.",
		"Passwords in a vault, shared by role.",
		40, "restricted", "closed", "", buy("1Password", "1Password Business", 0, 260)),
	need("IT", "Monitoring for the Singapore network",
		"Outages in Singapore are noticed when users call.",
		"Alerts before users notice.",
		10, "internal", "in_delivery", "", build("Monitoring dashboards for the Singapore site", 9000, 200)),
	need("IT", "Security keys for administrators",
		"Administrators still sign in with text-message codes.",
		"Phishing-resistant sign-in for every administrator.",
		40, "internal", "closed@catalog", "Security keys are in the catalog; ordered for all administrators.",
		reuse("security-key")),
	need("IT", "Ticket exchange with the network vendor",
		"Incidents for the network vendor are copied from our service desk into their portal.",
		"Tickets flow between both service desks.",
		15, "internal", "triage", ""),
	need("IT", "Containers for the integration team",
		"The integration team runs its services on hand-built VMs.",
		"Services deployed as containers with a pipeline.",
		8, "internal", "closed", "", reuse("container-namespace")),
	need("IT", "Test environments on demand",
		"Test environments take three weeks to set up.",
		"A test environment in an hour.",
		10, "internal", "approved", "", reuse("cloud-vm-small")),
	need("IT", "Team wiki for runbooks",
		"Runbooks are scattered over shared drives.",
		"Runbooks in one searchable place.",
		60, "internal", "closed@catalog", "The Knowledge base does this; an IT Operations space is created.",
		reuse("wiki-user")),
	need("IT", "Replace the fax line in the London office",
		"Legal still receives a few faxes a month; the fax machine broke.",
		"Faxes received somehow.",
		3, "internal", "rejected@triage", "The fax service is retired. Senders are asked to use e-mail; Legal agreed."),
	need("IT", "Log analytics for security events",
		"Security events from 30 systems are checked by hand, if at all.",
		"Security events correlated with alerts around the clock.",
		12, "restricted", "assessment", "",
		buy("Elastic", "Elastic Security, 200 GB a day", 25000, 5400), build("Security analytics on the data warehouse", 80000, 1500)),
	need("IT", "Developer laptops for the integration team",
		"The new integration developers got standard laptops that are too slow for their builds.",
		"Builds in minutes.",
		8, "internal", "delivered", "", reuse("laptop-developer")),
	need("IT", "AI coding assistant for developers",
		"Developers ask to use AI coding assistants; some already do with private accounts.",
		"An approved assistant that does not leak our code.",
		40, "confidential", "approved", "", buy("GitHub", "GitHub Copilot Business, 40 seats", 0, 720)),
	need("IT", "Automated patching for lab instrument PCs",
		"Instrument PCs are patched by hand, when someone remembers.",
		"Instrument PCs patched on a schedule agreed with the labs.",
		150, "internal", "draft@info", "Which instruments, and do the vendors allow patching? Please list them."),

	// Corporate Services
	need("CORP", "Visitor registration at reception",
		"Visitors sign a paper book at reception; we cannot tell who is in the building during an evacuation.",
		"Visitors pre-registered, badged and listed in an emergency.",
		10, "confidential", "closed", "", buy("Envoy", "Envoy visitor management", 1500, 320)),
	need("CORP", "Board portal for the executive committee",
		"The executive committee receives its papers by e-mail.",
		"Papers in a secure portal.",
		12, "restricted", "closed@merge", "Board papers on tablets"),
	need("CORP", "Desk booking for hybrid work",
		"With hybrid work, people come in and find no free desk.",
		"Desks booked in advance.",
		400, "internal", "rejected@decision",
		"Team chat and meetings includes desk booking since March. Try it on one floor first.",
		buy("Robin", "Robin desk booking", 2000, 600)),
	need("CORP", "Contract archive for Legal",
		"Signed contracts are in filing cabinets and scattered drives.",
		"Every contract findable in seconds.",
		20, "confidential", "submitted", ""),
}

// reuseAlternatives is what a department would otherwise buy instead of
// reusing an offering: priced per user per month plus a fixed monthly fee.
var reuseAlternatives = map[string]struct {
	vendor, title    string
	oneTime, perUser string
	fixed, days      int64
	ceiling          string
}{
	"team-chat-standard":  {"Slack", "Slack Business+", "0", "12.50", 0, 10, "confidential"},
	"file-sync-user":      {"Dropbox", "Dropbox Business Advanced", "0", "18", 0, 10, "confidential"},
	"file-sync-external":  {"Box", "Box Business Plus with external collaborators", "0", "24", 0, 15, "confidential"},
	"crm-user":            {"HubSpot", "HubSpot Sales Hub Professional", "1500", "100", 0, 30, "confidential"},
	"crm-light":           {"Distributor portal vendor", "Partner portal subscription", "3000", "20", 200, 45, "confidential"},
	"lims-user":           {"LabWare", "LabWare LIMS for the department", "40000", "60", 0, 120, "confidential"},
	"eln-user":            {"Benchling", "Benchling notebook", "5000", "90", 0, 45, "confidential"},
	"wiki-user":           {"Atlassian", "Confluence Cloud Standard", "0", "6", 0, 5, "internal"},
	"wiki-space":          {"Guru", "Guru knowledge base", "2000", "4", 0, 20, "internal"},
	"whiteboard-user":     {"Mural", "Mural Business", "0", "10", 0, 5, "internal"},
	"dwh-workspace":       {"Qlik", "Qlik Sense Business", "4000", "30", 0, 30, "confidential"},
	"cloud-vm-large":      {"Dell", "Rack servers bought for the department", "9000", "0", 120, 60, "confidential"},
	"cloud-vm-medium":     {"Dell", "Replacement rack servers", "6000", "0", 90, 60, "confidential"},
	"cloud-vm-small":      {"Hetzner", "Rented servers from a hosting provider", "0", "25", 0, 10, "internal"},
	"vdi-standard":        {"Citrix", "Citrix DaaS for external users", "3000", "35", 0, 30, "confidential"},
	"vdi-shared":          {"TeamViewer", "TeamViewer Tensor for instrument PCs", "0", "20", 150, 20, "internal"},
	"hr-recruiting":       {"Workable", "Workable recruiting", "0", "60", 0, 15, "confidential"},
	"erp-approver":        {"Expensify", "Expensify approvals app", "0", "9", 0, 30, "confidential"},
	"phone-standard":      {"Rogers", "Local carrier contract with handsets", "0", "32", 0, 10, "internal"},
	"room-large":          {"Zoom", "Zoom Rooms kits bought and installed locally", "9000", "0", 120, 30, "internal"},
	"room-huddle":         {"Logitech", "Logitech room kits bought locally", "5000", "0", 40, 20, "internal"},
	"web-site":            {"Agency", "Site hosted by the agency", "6000", "0", 250, 30, "internal"},
	"web-site-large":      {"Agency", "Site hosted by the agency", "8000", "0", 400, 30, "internal"},
	"laptop-developer":    {"Apple", "Workstations bought by the department", "0", "95", 0, 20, "internal"},
	"container-namespace": {"Red Hat", "OpenShift cluster for the team", "15000", "0", 900, 60, "internal"},
	"sms-bulk":            {"Twilio", "Twilio under a contract of our own", "1500", "0", 180, 20, "internal"},
	"team-chat-webinar":   {"ON24", "ON24 webinar platform", "0", "0", 1200, 20, "internal"},
	"crm-marketing":       {"Mailchimp", "Mailchimp Standard", "0", "0", 600, 10, "confidential"},
}

// Review notes, chosen by need so that the demo reads differently from
// need to need.
var (
	architectureNotes = []string{"Fits the target architecture.", "Uses a standard platform; no new integration needed.",
		"Sign-in through single sign-on only; no local accounts.", "Data must stay exportable in an open format."}
	securityNotes = map[string][]string{
		"confidential": {"Multi-factor sign-in and EU data residency required.", "Vendor security questionnaire to be completed before go-live.",
			"External users through guest accounts that expire after 90 days.", "Access reviewed every quarter by the data owner."},
		"restricted": {"Only pseudonymised data; no patient or employee identifiers.",
			"Restricted data: EU hosting, customer-managed keys and a data processing agreement."},
	}
	financeNotes = []string{"Within the department's budget.", "Charge to the department's cost centre; review usage after six months.",
		"Costs confirmed against the catalog price list.", "Include in next year's budget round."}
	decisionReasons = map[string][]string{
		"reuse":  {"Reuse: the service exists, is supported and costs a fraction of the alternatives.", "Reuse the catalog service; no new contract or integration needed."},
		"buy":    {"Buy: nothing in the catalog fits, and the product meets the need out of the box.", "Buy: the vendor passed the security review and the price is within budget."},
		"build":  {"Build: no product fits the process; the delivery team has capacity next quarter."},
		"broker": {"Broker: the partner already works for us under a framework contract."},
	}
)

// step is one thing that happens to a need, at a moment.
type step struct {
	need   int
	action string
	arg    int // the way, for add_option
	at     time.Time
}

// stepsFor lists the actions that take a need to where its story ends.
func stepsFor(s needSpec, i int) ([]step, error) {
	end, via, _ := strings.Cut(s.end, "@")
	state := frontdoor.State(end)
	var out []step
	add := func(action string, arg int) { out = append(out, step{need: i, action: action, arg: arg}) }
	options := func() {
		for k := range s.ways {
			add("add_option", k)
		}
		if len(s.ways) == 1 {
			add("add_alternative", 0)
		}
	}
	reviews := func(n int) {
		for _, k := range frontdoor.ReviewKinds[:n] {
			add("review_"+k, 0)
		}
	}
	// reach takes the need to state along the usual path.
	reach := func(target frontdoor.State) {
		order := []frontdoor.State{frontdoor.Draft, frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision, frontdoor.Approved,
			frontdoor.InDelivery, frontdoor.Delivered, frontdoor.Closed}
		at := slices.Index(order, target)
		if at < 0 {
			out = nil
			return
		}
		add("create", 0)
		if at >= 1 {
			add("submit", 0)
		}
		if at >= 2 {
			add("start_triage", 0)
		}
		if at == 2 && len(s.ways) > 0 && s.ways[0].kind == "reuse" {
			add("add_option", 0) // the BRM notes what already exists
		}
		if at >= 3 {
			add("accept", 0)
			options()
		}
		if at == 3 {
			reviews(i % 3)
		}
		if at >= 4 {
			reviews(3)
			add("to_decision", 0)
		}
		if at >= 5 {
			add("decide", 0)
		}
		if at >= 6 {
			add("start_delivery", 0)
		}
		if at >= 7 {
			add("deliver", 0)
		}
		if at >= 8 {
			add("accept_delivery", 0)
		}
	}
	switch {
	case state == frontdoor.Draft && via == "info":
		reach(frontdoor.Triage)
		add("request_info", 0)
		add("edit", 0)
	case state == frontdoor.Closed && via == "catalog":
		reach(frontdoor.Triage)
		add("use_catalog", 0)
	case state == frontdoor.Closed && via == "merge":
		reach(frontdoor.Triage)
		add("merge", 0)
	case state == frontdoor.Rejected && via == "triage":
		reach(frontdoor.Triage)
		add("reject_triage", 0)
	case state == frontdoor.Rejected && via == "assessment":
		add("create", 0)
		add("submit", 0)
		add("start_triage", 0)
		add("accept", 0)
		options()
		add("review_architecture", 0)
		add("review_finance", 0)
		add("reject", 0)
	case state == frontdoor.Rejected && via == "decision":
		reach(frontdoor.Decision)
		add("reject", 0)
	case state == frontdoor.Withdrawn:
		reach(frontdoor.State(via))
		add("withdraw", 0)
	case via == "":
		reach(state)
	default:
		return nil, fmt.Errorf("demo need %q: unknown ending %q", s.title, s.end)
	}
	if len(out) == 0 || out[0].action != "create" || out[len(out)-1].action == "create" && state != frontdoor.Draft {
		return nil, fmt.Errorf("demo need %q: unknown ending %q", s.title, s.end)
	}
	return out, nil
}

// days returns a duration of between lo and hi days.
func days(r *rand.Rand, lo, hi float64) time.Duration {
	return time.Duration((lo + r.Float64()*(hi-lo)) * float64(24*time.Hour))
}

// gapBefore is how long after the previous step an action usually comes.
func gapBefore(r *rand.Rand, action string, deliveryDays int) time.Duration {
	switch action {
	case "submit":
		return days(r, 0.1, 5)
	case "start_triage":
		return days(r, 0.05, 2.5)
	case "accept", "request_info", "use_catalog", "merge", "reject_triage":
		return days(r, 0.2, 4)
	case "edit":
		return days(r, 0.5, 4)
	case "add_option":
		return days(r, 0.05, 2)
	case "review_architecture", "review_security", "review_finance":
		return days(r, 0.5, 5)
	case "to_decision":
		return days(r, 0.2, 2)
	case "decide", "reject":
		return days(r, 1, 8)
	case "start_delivery":
		return days(r, 1, 10)
	case "deliver":
		d := float64(min(max(deliveryDays, 2), 60))
		return days(r, d*0.8, d*1.5)
	case "accept_delivery":
		return days(r, 0.5, 6)
	case "withdraw":
		return days(r, 1, 10)
	}
	return days(r, 0.1, 1)
}

// idleFor is how long ago a need's last step happened. In a stage with a
// service level, one need in three has overstayed it.
func idleFor(r *rand.Rand, s needSpec, i int) time.Duration {
	end, via, _ := strings.Cut(s.end, "@")
	state := frontdoor.State(end)
	if sla, ok := frontdoor.ServiceLevels[state]; ok {
		if i%3 == 0 {
			return days(r, float64(sla)*1.4+3, float64(sla)*1.4+12)
		}
		return days(r, 0.05, float64(sla)*0.8)
	}
	switch {
	case state == frontdoor.Draft:
		return days(r, 0.5, 25)
	case state == frontdoor.InDelivery:
		return days(r, 1, 30)
	case state == frontdoor.Delivered:
		return days(r, 0.5, 5)
	case via == "merge" || via == "catalog" || via == "triage":
		return days(r, 1, 45)
	}
	return days(r, 3, 150)
}

// officeHours moves t back, never forward, into working hours: 08:00 to
// 18:00, Monday to Friday. A moment outside them moves to an hour of the
// working day before that its minutes pick, so that steps do not all
// gather at the end of the day.
func officeHours(t time.Time) time.Time {
	at := func(day time.Time) time.Time {
		y, m, d := day.Date()
		return time.Date(y, m, d, 8+(t.Minute()*7+t.Second())%10, t.Minute(), t.Second(), 0, t.Location())
	}
	for {
		switch {
		case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday || t.Hour() < 8:
			t = at(t.AddDate(0, 0, -1))
		case t.Hour() >= 18:
			t = at(t)
		default:
			return t
		}
	}
}

// settle puts the steps in working hours, last first, keeping each at
// least ten minutes before the next.
func settle(steps []step, last time.Time) {
	next := last.Add(10 * time.Minute)
	for k := len(steps) - 1; k >= 0; k-- {
		at := steps[k].at
		if at.IsZero() || at.After(next.Add(-10*time.Minute)) {
			at = next.Add(-10 * time.Minute)
		}
		steps[k].at = officeHours(at).Truncate(time.Minute)
		next = steps[k].at
	}
}

// timeline gives every step of every need its moment, before now.
func timeline(now time.Time) ([][]step, error) {
	stories := make([][]step, len(demoNeeds))
	byTitle := map[string]int{}
	for i, s := range demoNeeds {
		if _, dup := byTitle[s.title]; !dup {
			byTitle[s.title] = i
		}
		steps, err := stepsFor(s, i)
		if err != nil {
			return nil, err
		}
		r := rand.New(rand.NewPCG(2026, uint64(i)+1))
		deliveryDays := 20
		if len(s.ways) > 0 {
			deliveryDays = map[string]int{"reuse": 5, "buy": 30, "build": 60, "broker": 20}[s.ways[0].kind]
		}
		gaps := make([]time.Duration, len(steps))
		for k := 1; k < len(steps); k++ {
			gaps[k] = gapBefore(r, steps[k].action, deliveryDays) + 10*time.Minute
		}
		at := now.Add(-idleFor(r, s, i))
		for k := len(steps) - 1; k >= 0; k-- {
			steps[k].at = at
			at = at.Add(-gaps[k])
		}
		settle(steps, now.Add(-time.Hour))
		stories[i] = steps
	}
	// A need is merged into one written before it: when the story says
	// otherwise, the earlier need's story moves back in time.
	for i, s := range demoNeeds {
		if !strings.HasSuffix(s.end, "@merge") {
			continue
		}
		j, ok := byTitle[s.note]
		if !ok || j == i {
			return nil, fmt.Errorf("demo need %q merges into %q, which is not a demo need", s.title, s.note)
		}
		mergedAt := stories[i][len(stories[i])-1].at
		if first := stories[j][0].at; !first.Before(mergedAt.Add(-24 * time.Hour)) {
			shift := first.Sub(mergedAt) + days(rand.New(rand.NewPCG(2026, uint64(j))), 2, 20)
			for k := range stories[j] {
				stories[j][k].at = stories[j][k].at.Add(-shift)
			}
			settle(stories[j], stories[j][len(stories[j])-1].at)
		}
	}
	return stories, nil
}

// stepClock is the time the loading front door reads: the moment of the
// step being played.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

// story is a need being played.
type story struct {
	spec      needSpec
	requester *access.Principal
	brm       *access.Principal
	ref       string
	version   int
	options   []frontdoor.NeedOption // by way
}

// loadNeeds plays the demo needs through fd's rules.
func loadNeeds(ctx context.Context, fd *frontdoor.Service) error {
	if fd == nil {
		return fmt.Errorf("loading demo needs: no front door")
	}
	o := fd.Org
	now := fd.Clock.Now()
	clock := &stepClock{t: now}
	loader := &frontdoor.Service{DB: fd.DB, Clock: clock, Org: o, Catalog: fd.Catalog, Approvals: fd.Approvals}
	sys := access.System("demo data")

	principal := map[string]*access.Principal{}
	person := func(email string) (*access.Principal, error) {
		if p, ok := principal[email]; ok {
			return p, nil
		}
		who, err := o.FindPersonByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("demo needs: %s: %w", email, err)
		}
		p, err := o.Principal(ctx, who.ID, "demo")
		if err != nil {
			return nil, err
		}
		principal[email] = p
		return p, nil
	}
	architect, err := person("architect@example.com")
	if err != nil {
		return err
	}
	security, err := person("security@example.com")
	if err != nil {
		return err
	}
	finance, err := person("finance.reviewer@example.com")
	if err != nil {
		return err
	}
	board, err := person("board@example.com")
	if err != nil {
		return err
	}
	reviewer := map[string]*access.Principal{"architecture": architect, "security": security, "finance": finance}

	// Requesters: people of each department, heads and named accounts aside.
	depts, _, err := o.ListDepartments(ctx, sys, org.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	deptID := map[string]int64{}
	for _, d := range depts {
		deptID[d.Code] = d.ID
	}
	named := map[string]bool{}
	for _, a := range Accounts {
		named[a.Email] = true
	}
	staff := map[string][]string{}
	for _, dep := range departments {
		people, _, err := o.ListPeople(ctx, sys, org.ListFilter{DepartmentID: deptID[dep.code], Limit: 200})
		if err != nil {
			return err
		}
		for _, p := range people {
			if !named[p.Email] && !strings.HasPrefix(p.Email, "head.") {
				staff[dep.code] = append(staff[dep.code], p.Email)
			}
		}
		if len(staff[dep.code]) == 0 {
			return fmt.Errorf("demo needs: department %s has nobody to write needs", dep.code)
		}
	}

	offerings := map[string]int64{}
	rows, err := fd.DB.Query(ctx, "SELECT id, slug FROM offerings")
	if err != nil {
		return fmt.Errorf("demo needs: reading offerings: %w", err)
	}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			rows.Close()
			return err
		}
		offerings[slug] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	stories, err := timeline(now)
	if err != nil {
		return err
	}
	played := make([]*story, len(demoNeeds))
	var all []step
	for i, s := range demoNeeds {
		st := &story{spec: s, options: make([]frontdoor.NeedOption, len(s.ways))}
		email := staff[s.dept][(i*37+11)%len(staff[s.dept])]
		if slices.Contains(rileyWrites, s.title) {
			email = "requester@example.com"
		}
		if st.requester, err = person(email); err != nil {
			return err
		}
		if st.brm, err = person(brmOf[topOf(s.dept)]); err != nil {
			return err
		}
		for _, w := range s.ways {
			if w.kind == "reuse" && offerings[w.slug] == 0 {
				return fmt.Errorf("demo need %q: no offering %s", s.title, w.slug)
			}
		}
		played[i] = st
		all = append(all, stories[i]...)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].at.Before(all[b].at) })
	refOf := func(title string) string {
		for _, st := range played {
			if st.spec.title == title {
				return st.ref
			}
		}
		return ""
	}

	for _, stp := range all {
		clock.t = stp.at
		st := played[stp.need]
		if err := playStep(ctx, loader, st, stp, offerings, board, reviewer, refOf); err != nil {
			return fmt.Errorf("demo need %q, %s: %w", st.spec.title, stp.action, err)
		}
	}

	// Decisions that no policy covers are approved at once; their approval
	// requests carry the moment of the decision, like everything else.
	if _, err := fd.DB.Exec(ctx, `UPDATE approval_requests SET
		created_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id),
		updated_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id),
		decided_at = (SELECT n.decided_at FROM needs n WHERE n.id = approval_requests.subject_id)
		WHERE subject_type = ? AND EXISTS (SELECT 1 FROM needs n WHERE n.id = approval_requests.subject_id AND n.decided_at IS NOT NULL)`,
		frontdoor.SubjectNeed); err != nil {
		return fmt.Errorf("demo needs: dating approval requests: %w", err)
	}
	return nil
}

// topOf is the top-level department above code.
func topOf(code string) string {
	for p := parentOf(code); p != ""; p = parentOf(code) {
		code = p
	}
	return code
}

// playStep takes one step of a need's story as the person who would.
func playStep(ctx context.Context, fd *frontdoor.Service, st *story, stp step, offerings map[string]int64,
	board *access.Principal, reviewer map[string]*access.Principal, refOf func(string) string) error {
	s := st.spec
	i := stp.need
	act := func(p *access.Principal, action string, in frontdoor.ActInput) error {
		in.Version = st.version
		n, err := fd.Act(ctx, p, st.ref, frontdoor.Action(action), in)
		if err != nil {
			return err
		}
		st.version = n.Version
		return nil
	}
	switch stp.action {
	case "create":
		in := frontdoor.NeedInput{Title: s.title, Problem: s.problem, Outcome: s.outcome, Processes: processesOf[s.dept],
			Users: s.users, DataClass: s.class, Currency: "EUR"}
		if len(s.ways) > 0 && s.ways[0].kind != "reuse" {
			w := s.ways[0]
			top := decimal.NewFromInt((w.oneTime + 36*w.monthly) * 115 / 100).Div(decimal.NewFromInt(1000)).Ceil().Mul(decimal.NewFromInt(1000))
			bottom := top.Mul(decimal.RequireFromString("0.6")).Round(-3)
			in.BudgetMin, in.BudgetMax = &bottom, &top
			if w.oneTime+36*w.monthly >= 100000 {
				head, err := fd.Org.FindPersonByEmail(ctx, headEmail(s.dept))
				if err != nil {
					return err
				}
				in.SponsorID = head.ID
			}
		}
		if i%4 == 1 {
			d := catalog.DateOf(stp.at.AddDate(0, 0, 45+i%90))
			in.NeededBy = &d
		}
		n, err := fd.Create(ctx, st.requester, in)
		if err != nil {
			return err
		}
		st.ref, st.version = n.Reference, n.Version
	case "submit", "accept_delivery":
		return act(st.requester, stp.action, frontdoor.ActInput{})
	case "withdraw":
		return act(st.requester, stp.action, frontdoor.ActInput{Reason: s.note})
	case "edit":
		n, err := fd.Find(ctx, st.requester, st.ref)
		if err != nil {
			return err
		}
		in := n.Input()
		in.Problem += fmt.Sprintf("\n\nAdded after the question from IT: about %d people would use it, and it holds %s data.", s.users, s.class)
		n, err = fd.Update(ctx, st.requester, st.ref, st.version, in)
		if err != nil {
			return err
		}
		st.version = n.Version
	case "start_triage", "accept", "to_decision", "start_delivery", "deliver":
		return act(st.brm, stp.action, frontdoor.ActInput{})
	case "request_info", "reject_triage":
		return act(st.brm, stp.action, frontdoor.ActInput{Reason: s.note})
	case "use_catalog":
		return act(st.brm, stp.action, frontdoor.ActInput{Reason: s.note, OfferingID: offerings[s.ways[0].slug]})
	case "merge":
		target := refOf(s.note)
		if target == "" {
			return fmt.Errorf("%q has not been written yet", s.note)
		}
		return act(st.brm, stp.action, frontdoor.ActInput{DuplicateOf: target,
			Reason: fmt.Sprintf("Same need as %s (%s); followed up there.", target, s.note)})
	case "add_option":
		w := s.ways[stp.arg]
		in, proposer := optionInput(w, s, offerings), st.brm
		if w.kind == "build" {
			proposer = reviewer["architecture"]
		}
		if w.kind == "reuse" {
			if _, _, err := fd.Catalog.FindOffering(ctx, proposer, in.OfferingID); err != nil {
				proposer = board // the service is meant for other departments than the BRM's own
			}
		}
		in.Version = st.version
		o, err := fd.AddOption(ctx, proposer, st.ref, in)
		if err != nil {
			return err
		}
		st.options[stp.arg], st.version = o, st.version+1
	case "add_alternative":
		in, proposer := alternative(s), st.brm
		if in.Kind == "build" {
			proposer = reviewer["architecture"]
		}
		in.Version = st.version
		if _, err := fd.AddOption(ctx, proposer, st.ref, in); err != nil {
			return err
		}
		st.version++
	case "review_architecture", "review_security", "review_finance":
		kind := strings.TrimPrefix(stp.action, "review_")
		verdict, notes := "approve", ""
		switch kind {
		case "architecture":
			notes = architectureNotes[i%len(architectureNotes)]
		case "security":
			if ns := securityNotes[s.class]; len(ns) > 0 {
				notes = ns[i%len(ns)]
			}
		case "finance":
			notes = financeNotes[i%len(financeNotes)]
		}
		if notes != "" && i%2 == 0 {
			verdict = "approve_with_conditions"
		}
		if strings.HasPrefix(s.end, string(frontdoor.Rejected)) && kind == "finance" {
			verdict, notes = "reject", "The benefit described does not justify the cost; see the board's decision."
		}
		n, err := fd.Review(ctx, reviewer[kind], st.ref, kind, verdict, notes, st.version)
		if err != nil {
			return err
		}
		st.version = n.Version
	case "decide":
		chosen := st.options[0]
		in := frontdoor.ActInput{OptionID: chosen.ID}
		reasons := decisionReasons[chosen.Kind]
		in.Reason = reasons[i%len(reasons)]
		if !chosen.CanHoldData {
			in.Exception = "Agreed with the security officer: only pseudonymised or minimal data goes into this service."
		}
		return act(board, stp.action, in)
	case "reject":
		return act(board, stp.action, frontdoor.ActInput{Reason: s.note})
	default:
		return fmt.Errorf("unknown step")
	}
	return nil
}

// alternative is the option weighed against a need's only way: buying
// something similar instead of reusing, building instead of buying, or
// buying instead of building. Amounts are rounded to what people quote.
func alternative(s needSpec) frontdoor.NeedOptionInput {
	w := s.ways[0]
	thousands := func(v int64) *decimal.Decimal {
		d := decimal.NewFromInt(max(v, 0)).Div(decimal.NewFromInt(1000)).Round(0).Mul(decimal.NewFromInt(1000))
		return &d
	}
	tens := func(v int64) *decimal.Decimal {
		d := decimal.NewFromInt(max(v, 0)).Div(decimal.NewFromInt(10)).Round(0).Mul(decimal.NewFromInt(10))
		return &d
	}
	if alt, ok := reuseAlternatives[w.slug]; ok && w.kind == "reuse" {
		one, per := decimal.RequireFromString(alt.oneTime), decimal.RequireFromString(alt.perUser)
		monthly := per.Mul(decimal.NewFromInt(int64(s.users))).Add(decimal.NewFromInt(alt.fixed))
		return frontdoor.NeedOptionInput{Kind: "buy", Title: alt.title, Vendor: alt.vendor, OneTime: &one, Monthly: &monthly,
			DeliveryDays: int(alt.days), DataCeiling: alt.ceiling, Currency: "EUR",
			Risks: "A second product for the same job: another contract, another sign-in, data in two places."}
	}
	if w.kind == "build" {
		return frontdoor.NeedOptionInput{Kind: "buy", Title: "A packaged product, with the process adapted to it", Vendor: "Shortlisted vendor",
			OneTime: thousands(w.oneTime / 3), Monthly: tens(w.oneTime/30 + w.monthly), DeliveryDays: 45, DataCeiling: "confidential", Currency: "EUR",
			Risks: "The process changes to fit the product; licence prices rise with use."}
	}
	yearly := w.oneTime + 12*w.monthly
	if w.kind == "reuse" {
		yearly = 12000
	}
	return frontdoor.NeedOptionInput{Kind: "build", Title: "Build it with the solution delivery team", Vendor: "Solution delivery team",
		OneTime: thousands(max(2*yearly, 20000)), Monthly: tens(max(w.monthly/4, 150)), DeliveryDays: 90, DataCeiling: "restricted", Currency: "EUR",
		Risks: "Months before anything is usable; IT maintains it for years after."}
}

// optionInput is how a way is proposed.
func optionInput(w way, s needSpec, offerings map[string]int64) frontdoor.NeedOptionInput {
	if w.kind == "reuse" {
		return frontdoor.NeedOptionInput{Kind: "reuse", OfferingID: offerings[w.slug]}
	}
	one, monthly := decimal.NewFromInt(w.oneTime), decimal.NewFromInt(w.monthly)
	in := frontdoor.NeedOptionInput{Kind: w.kind, Title: w.title, Vendor: w.vendor, OneTime: &one, Monthly: &monthly, Currency: "EUR"}
	switch w.kind {
	case "buy":
		in.DeliveryDays, in.DataCeiling = 30, "confidential"
		in.Risks = "Vendor lock-in: data export and exit terms to be agreed in the contract."
	case "build":
		in.DeliveryDays, in.DataCeiling = 90, "restricted"
		in.Risks = "Needs a product owner in the department, and maintenance by IT after go-live."
	case "broker":
		in.DeliveryDays, in.DataCeiling = 20, "confidential"
		in.Risks = "Depends on the partner's capacity; the framework contract is renewed yearly."
	}
	if w.vendor == "" && w.kind == "build" {
		in.Vendor = "Solution delivery team"
	}
	return in
}

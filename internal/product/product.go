// Package product names Engage's product services once. The application
// builds them (internal/app); the web interface and the API take them as
// they are. It holds no rules and no configuration: only which services the
// product has.
package product

import (
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
	"github.com/engagehq/engage/internal/pulse"
	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/waiting"
)

// Services are the product services, each owning its area's rules and
// tables. Every field is set by app.Open.
type Services struct {
	// Org keeps departments, locations, functions and people.
	Org *org.Service
	// Auth signs people in: passwords, sessions, API tokens.
	Auth *auth.Service
	// Audit is the append-only audit log.
	Audit *audit.Service
	// Approval decides orders and needs by configurable policies.
	Approval *approval.Service
	// Catalog serves services, offerings, quotes, orders, subscriptions and
	// announcements. (It is not catalog.Service: that is the domain's IT
	// service, a catalog entry.)
	Catalog *catalog.Catalog
	// Notify publishes events to inboxes, webhooks and e-mail.
	Notify *notify.Service
	// FrontDoor takes technology needs through triage, review and decision.
	FrontDoor *frontdoor.Service
	// Billing rates periods into statements.
	Billing *billing.Service
	// Costs allocates cost pools to services for unit cost and recovery.
	Costs *costs.Service
	// Spend imports card, expense and invoice lines and recognises their vendors.
	Spend *spend.Service
	// Seats measures the seats actually used from single-sign-on exports.
	Seats *spend.Seats
	// CloudBill imports FOCUS cloud bills and allocates them to departments.
	CloudBill *cloudbill.Service
	// Processes is the process register: value streams and processes.
	Processes *process.Service
	// Backstage reads and writes Backstage catalog descriptor files.
	Backstage *backstage.Service
	// Landscape reads the register as a whole: risks, redundancy, heatmap.
	Landscape *landscape.Service
	// ProcessCosts is what each process and customer journey costs.
	ProcessCosts *processcost.Service
	// Portfolio keeps strategic objectives, the board's ranking of needs
	// and budget scenarios.
	Portfolio *portfolio.Service
	// Communities keeps communities, their staff and their members.
	Communities *community.Service
	// Discussions keeps communities' topics, replies, follows and flags.
	Discussions *discuss.Service
	// Ideas keeps the votes and status of ideas, and the needs they became.
	Ideas *idea.Service
	// Pulses sends CSAT and NPS surveys and shows their aggregates.
	Pulses *pulse.Service
	// Engagement keeps the engagement signals and measures communities,
	// coverage and departments' engagement; it sends the weekly digest.
	Engagement *engagement.Service
	// Waiting lists what waits for a person, merged from the services
	// above, and keeps each person's count for the navigation a second.
	Waiting *waiting.Counter
}

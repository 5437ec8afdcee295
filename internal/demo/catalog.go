package demo

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

//go:embed catalog.yaml
var catalogFile []byte

// CatalogFile is the demo catalog in the catalog file format.
func CatalogFile() []byte { return catalogFile }

// headcount is roughly how many people each demo department has; per-person
// services are subscribed for that many.
func headcount(ctx context.Context, d *db.DB) (map[string]int64, error) {
	rows, err := d.Query(ctx, "SELECT dp.code, COUNT(p.id) FROM departments dp LEFT JOIN people p ON p.department_id = dp.id GROUP BY dp.code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		m[code] = n
	}
	return m, rows.Err()
}

// loadCatalog applies the demo catalog (f, parsed from catalogFile) and
// gives the demo departments the subscriptions, approval policy,
// announcements and open order that make the catalog look lived in. Subscriptions start on 1 November 2025, so that
// thirteen months of history exist by the end of 2026.
func loadCatalog(ctx context.Context, d *db.DB, o *org.Service, cat *catalog.Catalog, ap *approval.Service, f catalog.File) error {
	sys := access.System("demo data")
	if _, err := cat.Apply(ctx, sys, f, false); err != nil {
		return fmt.Errorf("applying the demo catalog: %w", err)
	}
	heads, err := headcount(ctx, d)
	if err != nil {
		return err
	}
	start := catalog.DateOf(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
	var subs []catalog.ExistingSubscription
	add := func(dept, offering string, qty int64, from catalog.Date) {
		subs = append(subs, catalog.ExistingSubscription{DepartmentCode: dept, OfferingSlug: offering, Quantity: decimal.NewFromInt(qty), Start: from})
	}
	for _, dep := range departments {
		n := heads[dep.code]
		if n == 0 {
			continue
		}
		add(dep.code, "mailbox-standard", n, start)
		add(dep.code, "team-chat-standard", n, start)
		add(dep.code, "office-full", n, start)
		add(dep.code, "service-desk-user", n, start)
		add(dep.code, "laptop-standard", n*9/10, start)
		add(dep.code, "vpn-user", n/2+1, start)
	}
	for _, code := range []string{"BIO", "CHEM", "CLIN"} {
		add(code, "lims-user", heads[code]*2/3, start)
		add(code, "eln-user", heads[code]/2, start)
	}
	add("BIO", "hpc-core-hours", 1, start) // metered; the subscription enables it
	add("CHEM", "physical-server-standard", 6, start)
	add("CHEM", "san-tier1", 40000, start)
	add("BIO", "cloud-vm-medium", 12, start)
	add("BIO", "object-storage-standard", 80000, start)
	add("CLIN", "db-medium", 4, start)
	add("CLIN", "physical-server-highmem", 2, start)
	add("SALES", "crm-user", heads["SALES"]*3/4, start)
	add("MKT", "crm-marketing", heads["MKT"]/2, start)
	add("FIN", "erp-user", heads["FIN"], start)
	add("IT", "cloud-vm-large", 20, start)
	add("IT", "container-namespace", 5, start)
	add("IT", "laptop-developer", heads["IT"]/3, start)
	add("MKT", "web-site", 3, start)
	if _, err := cat.ImportSubscriptions(ctx, sys, subs); err != nil {
		return fmt.Errorf("demo subscriptions: %w", err)
	}

	five := decimal.NewFromInt(5000)
	if _, err := ap.CreatePolicy(ctx, sys, approval.PolicyInput{Name: "Orders of €5,000 or more", Active: true, Priority: 10,
		Description: "The department's budget holder approves orders whose whole-term cost reaches €5,000.",
		Conditions:  approval.Conditions{MinAmount: &five, Currency: "EUR", SubjectTypes: []string{catalog.SubjectOrder}},
		Stages: []approval.Stage{{Name: "Budget holder", Quorum: approval.QuorumAny,
			Approvers: []approval.ApproverRule{{Kind: approval.RuleBudgetHolder}}}}}); err != nil {
		return fmt.Errorf("demo approval policy: %w", err)
	}
	// The CIO deputises for the security officer, who cannot approve
	// their own orders.
	cio, err := o.FindPersonByEmail(ctx, "board@example.com")
	if err != nil {
		return err
	}
	if _, err := ap.CreatePolicy(ctx, sys, approval.PolicyInput{Name: "Restricted data", Active: true, Priority: 5,
		Description: "Services that may hold restricted data need the security officer (or the CIO, their deputy) and then the budget holder.",
		Conditions:  approval.Conditions{MinDataClass: "restricted", SubjectTypes: []string{catalog.SubjectOrder}},
		Stages: []approval.Stage{
			{Name: "Security review", Quorum: approval.QuorumAny, Approvers: []approval.ApproverRule{
				{Kind: approval.RuleRole, Role: access.ReviewerSecurity}, {Kind: approval.RulePeople, PersonIDs: []int64{cio.ID}}}},
			{Name: "Budget holder", Quorum: approval.QuorumAny, Approvers: []approval.ApproverRule{{Kind: approval.RuleBudgetHolder}}}}}); err != nil {
		return fmt.Errorf("demo approval policy: %w", err)
	}

	owner, err := o.FindPersonByEmail(ctx, "owner@example.com")
	if err != nil {
		return err
	}
	ownerP, err := o.Principal(ctx, owner.ID, "demo")
	if err != nil {
		return err
	}
	for _, a := range []struct{ slug, kind, title, body string }{
		{"cloud-vm", "change", "Cloud VMs are cheaper from January", "The price of every cloud VM size fell by about 9% on 1 January 2026. A medium VM now costs €62 a month — a third of a rack server, ready the next day."},
		{"physical-server", "retirement", "Physical servers are being retired", "No new physical servers after 2026. Talk to your BRM about moving to **Cloud virtual machines**; the platform team helps with the move."},
		{"team-chat", "launch", "Webinars for up to 10,000 people", "Run company events and customer webinars with the new webinar add-on."},
		{"whiteboard", "launch", "Digital whiteboards: join the pilot", "Workshops with remote colleagues? Try the digital whiteboard pilot this quarter."},
	} {
		svc, err := cat.FindService(ctx, sys, a.slug)
		if err != nil {
			return err
		}
		if _, err := cat.Announce(ctx, ownerP, catalog.AnnouncementInput{ServiceID: svc.Service.ID, Kind: a.kind, Title: a.title, Body: a.body, AudienceAll: true}); err != nil {
			return fmt.Errorf("demo announcement: %w", err)
		}
	}

	// One order waits for the budget holder: Riley's lab wants VMs.
	riley, err := o.FindPersonByEmail(ctx, "requester@example.com")
	if err != nil {
		return err
	}
	rileyP, err := o.Principal(ctx, riley.ID, "demo")
	if err != nil {
		return err
	}
	vm, err := cat.FindService(ctx, rileyP, "cloud-vm")
	if err != nil {
		return err
	}
	var medium int64
	for _, off := range vm.Offerings {
		if off.Slug == "cloud-vm-medium" {
			medium = off.ID
		}
	}
	q, err := cat.CreateQuote(ctx, rileyP, catalog.QuoteInput{Title: "Image analysis pipeline", TermMonths: 36,
		Lines: []catalog.QuoteLineInput{{OfferingID: medium, Quantity: decimal.NewFromInt(4)}}})
	if err != nil {
		return fmt.Errorf("demo quote: %w", err)
	}
	if _, err := cat.OrderQuote(ctx, rileyP, q.Number, catalog.OrderInput{Note: "For the new imaging microscope."}); err != nil {
		return fmt.Errorf("demo order: %w", err)
	}
	return nil
}

// loadWaitingChange has a second order wait for the budget holder, made
// last so that nothing else in the demo moves: Riley asks for eight more
// medium VMs for the lab from the first of next month, €5,952 over a year.
func loadWaitingChange(ctx context.Context, d *db.DB, s product.Services) error {
	riley, err := demoPrincipal(ctx, s, "requester@example.com")
	if err != nil {
		return err
	}
	sub, err := subscriptionOf(ctx, d, "BIO", "cloud-vm-medium")
	if err != nil {
		return err
	}
	now := s.Catalog.Clock.Now().UTC()
	start := catalog.DateOf(time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := s.Catalog.ChangeQuantity(ctx, riley, sub, decimal.NewFromInt(20), catalog.OrderInput{StartDate: &start,
		Note: "Eight more VMs for the imaging microscope's first screening runs."}); err != nil {
		return fmt.Errorf("demo change order: %w", err)
	}
	return nil
}

// subscriptionOf is a demo department's first subscription to an offering.
func subscriptionOf(ctx context.Context, d *db.DB, dept, offering string) (int64, error) {
	var id int64
	if err := d.QueryRow(ctx, `SELECT s.id FROM subscriptions s JOIN offerings o ON o.id = s.offering_id JOIN departments dp ON dp.id = s.department_id
		WHERE o.slug = ? AND dp.code = ? ORDER BY s.id LIMIT 1`, offering, dept).Scan(&id); err != nil {
		return 0, fmt.Errorf("finding the %s subscription of %s: %w", offering, dept, err)
	}
	return id, nil
}

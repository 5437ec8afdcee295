package product_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// owners says which package owns each table: only it writes the table or
// reads it in SQL; other areas call its functions (README, "How the code is
// laid out"). The README's table says the same.
var owners = map[string][]string{
	"org":         {"departments", "locations", "functions", "people", "person_roles"},
	"auth":        {"credentials", "sessions", "api_tokens", "signin_failures"},
	"audit":       {"audit_events"},
	"db":          {"counters", "settings", "goose_db_version"},
	"idempotency": {"idempotency_keys"},
	"process": {"processes", "process_functions", "process_locations", "journeys", "journey_processes", "applications",
		"application_services", "process_applications", "process_services"},
	"catalog": {"services", "service_audience", "offerings", "rate_plans", "quotes", "quote_lines", "orders", "order_lines",
		"subscriptions", "subscription_segments", "announcements", "announcement_audience", "announcement_reach", "meters"},
	"approval": {"approval_policies", "approval_policy_stages", "approval_requests", "approval_request_stages",
		"approval_request_approvers", "approval_decisions", "approval_delegations"},
	"portfolio": {"portfolio_objectives", "portfolio_objective_processes", "portfolio_objective_needs", "portfolio_scenarios"},
	"frontdoor": {"needs", "need_departments", "need_events", "need_reviews", "need_options", "need_processes"},
	"notify":    {"notify_events", "notify_inbox", "notify_webhooks", "notify_deliveries", "notify_attempts"},
	"billing": {"billing_periods", "usage_records", "usage_totals", "usage_keys", "usage_batches", "statements", "statement_lines",
		"statement_history", "adjustments", "billing_schedule"},
	"cloudbill": {"cloud_imports", "cloud_charges", "cloud_charge_batches", "cloud_charge_keys", "cloud_allocation_rules",
		"cloud_allocation_targets", "cloud_allocations"},
	"costs":       {"cost_pools", "cost_pool_targets"},
	"processcost": {"process_costs", "process_cost_periods"},
	"discuss":     {"discuss_topics", "discuss_replies", "discuss_followers", "discuss_revisions", "discuss_flags"},
	"community":   {"communities", "community_staff", "community_rules", "community_members"},
	"idea":        {"idea_ideas", "idea_votes", "idea_status_events"},
	"pulse":       {"pulses", "pulse_recipients", "pulse_answers"},
	"spend":       {"spend_imports", "spend_lines", "spend_vendor_names", "spend_line_keys", "seat_usage", "shadow_cases", "shadow_case_events", "spend_sums", "spend_people"},
	"engagement": {"engagement_signals", "engagement_people", "engagement_participation", "engagement_topics", "engagement_months",
		"engagement_person_months", "engagement_pulses", "engagement_pulse_tallies", "engagement_digests"},
}

// Everyone may join the organisation's departments and people, for their
// names, and keep keys of its own in settings. Packages that are not areas
// (migrations, the demo loader, test helpers) are not checked.
var (
	everyones = []string{"departments", "people", "settings"}
	notAnArea = []string{"db", "demo", "apptest", "dbtest"}
	// known are the reads of another area's tables written before the rule,
	// to be moved behind the owner's functions; nothing may be added.
	known = []string{
		"approval -> person_roles",
		"billing -> offerings", "billing -> rate_plans", "billing -> services", "billing -> subscriptions", "billing -> subscription_segments",
		"catalog -> functions", "catalog -> locations",
		"cloudbill -> offerings", "cloudbill -> services", "cloudbill -> subscriptions", "cloudbill -> subscription_segments",
		"costs -> offerings", "costs -> rate_plans", "costs -> services",
		"frontdoor -> offerings", "frontdoor -> orders", "frontdoor -> services",
	}
)

var tableRef = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z_]+)`)

// TestAreasReadOtherAreasThroughTheirFunctions reads every SQL string
// literal of every package and fails on a table another package owns,
// beyond the rules above; and on a table that no package owns.
func TestAreasReadOtherAreasThroughTheirFunctions(t *testing.T) {
	owner := map[string]string{}
	for pkg, tables := range owners {
		for _, table := range tables {
			owner[table] = pkg
		}
	}
	// Every table the migrations create has an owner.
	err := filepath.WalkDir("../db", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)`).FindAllStringSubmatch(string(b), -1) {
			if owner[strings.ToLower(m[1])] == "" {
				t.Errorf("%s creates %s, which no package owns: add it to owners here and to the README's table", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		// A package's own subpackages (cloudbill/batchformat) are the
		// package: the area is the folder right under internal/.
		pkg := strings.Split(filepath.ToSlash(strings.TrimPrefix(path, "../")), "/")[0]
		if slices.Contains(notAnArea, pkg) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				table := strings.ToLower(m[1])
				o := owner[table]
				if o == "" || o == pkg || slices.Contains(everyones, table) {
					continue
				}
				pair := pkg + " -> " + table
				seen[pair] = true
				if !slices.Contains(known, pair) {
					t.Errorf("%s: package %s uses %s, which belongs to %s: call a function of %s instead (README, \"How the code is laid out\")",
						path, pkg, table, o, o)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range known {
		if !seen[pair] {
			t.Logf("%s no longer happens: take it off the known list", pair)
		}
	}
}

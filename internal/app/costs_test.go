package app_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
)

// TestCostPoolsAndRecovery loads cost pools as finance through the API and
// the browser, reads recovery as finance and as a service owner, and checks
// that a requester reaches none of it.
func TestCostPoolsAndRecovery(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	// February is billed (the demo may have billed and closed it already).
	if _, err := e.Billing.Run(ctx, system, "2026-02"); err != nil && engage.ErrorCode(err) != engage.ECONFLICT {
		t.Fatal(err)
	}
	serviceID := func(slug string) string {
		d, err := e.Catalog.FindService(ctx, system, slug)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(d.Service.ID, 10)
	}
	// A service the demo owner does not own.
	admin := person(t, e, "admin@example.com")
	if _, err := e.Catalog.CreateService(ctx, system, catalog.ServiceInput{Name: "Archive vault", Slug: "archive-vault", Kind: "technical",
		Family: "storage", Sourcing: "built", Lifecycle: "live", DeliveryModel: "legacy", DataCeiling: "internal", ArchStatus: "standard",
		AudienceAll: true, OwnerID: admin.ID}); err != nil {
		t.Fatal(err)
	}

	finance := clientOf(t, e, "finance@example.com")
	// A bad line writes nothing and is named.
	bad := "period,category,name,amount,currency,allocation,services\n" +
		"2026-02,hardware,VM hosts,3000.00,EUR,percent,cloud-vm 100\n" +
		"2026-02,hardware,Vault disks,250.00,EUR,percent,archive-vault 99\n"
	status, out := finance.do("POST", "/cost-pools/import", "text/csv", bad)
	if status != http.StatusUnprocessableEntity || strings.Join(locations(out), ",") != "body line 3: services" {
		t.Fatalf("bad import = %d %v; want 422 naming line 3", status, out)
	}
	if status, out = finance.do("GET", "/cost-pools?period=2026-02", "", ""); status != 200 || len(out["items"].([]any)) != 0 {
		t.Fatalf("pools after a bad import = %d %v; want none", status, out)
	}
	good := strings.Replace(bad, "archive-vault 99", "archive-vault 100", 1) + "2026-02,facilities,Lab space,500.00,EUR,none,\n"
	if status, out = finance.do("POST", "/cost-pools/import", "text/csv", good); status != 200 || out["created"] != float64(3) {
		t.Fatalf("import = %d %v", status, out)
	}

	// Recovery of Cloud VMs = what their statement lines charged ÷ 3,000.00,
	// to one decimal; the charges are summed here straight from the database.
	var charged decimal.Decimal
	rows, err := e.DB.Query(ctx, `SELECT l.amount FROM statement_lines l JOIN statements s ON s.id = l.statement_id JOIN services v ON v.id = l.service_id
		WHERE s.period = '2026-02' AND s.currency = 'EUR' AND v.slug = 'cloud-vm'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a decimal.Decimal
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		charged = charged.Add(a)
	}
	rows.Close()
	if !charged.IsPositive() {
		t.Fatal("the demo charged nothing for Cloud VMs in February")
	}
	wantRecovery := charged.Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(3000), 1)
	var results struct {
		Totals []struct {
			Currency    string `json:"currency"`
			Unallocated string `json:"unallocated"`
		} `json:"totals"`
		Services []struct {
			Slug    string `json:"slug"`
			Figures []struct {
				Currency string `json:"currency"`
				Cost     string `json:"cost"`
				Charged  string `json:"charged"`
				Recovery string `json:"recovery"`
			} `json:"figures"`
		} `json:"services"`
		Partial bool `json:"partial"`
	}
	if status := getJSON(t, e, finance.token, "/api/v1/cost-results/2026-02", &results); status != 200 {
		t.Fatalf("results = %d", status)
	}
	found := false
	for _, s := range results.Services {
		if s.Slug == "cloud-vm" {
			f := s.Figures[0]
			found = true
			if f.Currency != "EUR" || f.Cost != "3000" || !decimal.RequireFromString(f.Charged).Equal(charged) || !decimal.RequireFromString(f.Recovery).Equal(wantRecovery) {
				t.Errorf("Cloud VM = %+v; want cost 3000, charged %s, recovery %s", f, charged, wantRecovery)
			}
		}
	}
	if !found || len(results.Totals) != 1 || results.Totals[0].Unallocated != "500" || results.Partial {
		t.Fatalf("results = %+v", results)
	}

	// Finance adds a pool in the browser: 1,000.00 as 33.33 / 33.33 / 33.34 %.
	fb := e.SignIn(t, "finance@example.com")
	res, body := fb.Get("/billing/cost-pools/new?period=2026-02")
	if res.StatusCode != 200 || !strings.Contains(body, `name="pct-`+serviceID("cloud-vm")+`"`) {
		t.Fatalf("new pool form = %d", res.StatusCode)
	}
	form := url.Values{"period": {"2026-02"}, "category": {"labour"}, "name": {"Platform team"}, "amount": {"1000.00"}, "currency": {"EUR"},
		"method": {"percent"}, "pct-" + serviceID("cloud-vm"): {"33.33"}, "pct-" + serviceID("physical-server"): {"33.33"}, "pct-" + serviceID("san-storage"): {"33.34"}}
	if res, body = fb.Post("/billing/cost-pools", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a pool = %d %s", res.StatusCode, body)
	}
	form.Set("name", "Odd team")
	form.Set("pct-"+serviceID("san-storage"), "30")
	if res, body = fb.Post("/billing/cost-pools", form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "add up to 96.66") {
		t.Fatalf("percentages of 96.66 = %d; want refused", res.StatusCode)
	}
	res, body = fb.Get("/billing/cost-pools?period=2026-02")
	for _, want := range []string{"Cost pools and recovery — February 2026", "Platform team", "€333.30", "€333.40", `id="recovery"`, "Archive vault"} {
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("cost pools page (%d) lacks %q", res.StatusCode, want)
		}
	}
	// A bad file through the browser names its line and writes nothing.
	res, body = postFile(t, e, fb, "/billing/cost-pools/import", "period,category,name,amount,currency\n2026-02,labour,Temps,\"12,5\",EUR\n2026-02,marketing,Ads,10,EUR\n")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 2: amount") || !strings.Contains(body, "Line 3: category") {
		t.Errorf("bad file in the browser = %d", res.StatusCode)
	}
	if pools, _ := e.Costs.ListPools(ctx, system, "2026-02"); len(pools) != 4 {
		t.Errorf("%d pools in February; want the 3 imported and the 1 added", len(pools))
	}

	// The owner of most demo services sees their costs, and only theirs.
	ob := e.SignIn(t, "owner@example.com")
	res, body = ob.Get("/catalog/cloud-vm/costs?period=2026-02&months=3")
	for _, want := range []string{"Costs of Cloud virtual machines", "<svg", `id="months"`, "December 2025", "February 2026", `id="consumer-list"`, "Biology Laboratory"} {
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("owner's service costs page (%d) lacks %q", res.StatusCode, want)
		}
	}
	if res, _ = ob.Get("/catalog/archive-vault/costs"); res.StatusCode != http.StatusForbidden {
		t.Errorf("owner reads another owner's service costs = %d; want 403", res.StatusCode)
	}
	if res, _ = ob.Get("/billing/cost-pools"); res.StatusCode != http.StatusForbidden {
		t.Errorf("owner reads the cost pools = %d; want 403", res.StatusCode)
	}
	if status := getJSON(t, e, e.Token(t, "owner@example.com"), "/api/v1/cost-results/2026-02", &results); status != 200 || !results.Partial {
		t.Fatalf("owner's results = %d partial=%v", status, results.Partial)
	}
	for _, s := range results.Services {
		if s.Slug == "archive-vault" {
			t.Error("the owner's results include a service they do not own")
		}
	}
	if res, _ = e.SignIn(t, "board@example.com").Get("/catalog/archive-vault/costs"); res.StatusCode != 200 {
		t.Errorf("board reads a service's costs = %d", res.StatusCode)
	}

	// A requester reaches none of it.
	rb := e.SignIn(t, "requester@example.com")
	for _, path := range []string{"/billing/cost-pools", "/billing/cost-pools/new", "/catalog/cloud-vm/costs", "/billing/cost-pools/export.csv"} {
		if res, _ := rb.Get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("requester GET %s = %d; want 403", path, res.StatusCode)
		}
	}
	if res, _ := rb.Post("/billing/cost-pools", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("requester saves a pool = %d; want 403", res.StatusCode)
	}
	requester := clientOf(t, e, "requester@example.com")
	for _, call := range [][3]string{{"GET", "/cost-pools", ""}, {"POST", "/cost-pools/import", good}, {"GET", "/cost-results/2026-02", ""},
		{"GET", "/services/cloud-vm/costs", ""}} {
		ct := "application/json"
		if call[0] == "POST" {
			ct = "text/csv"
		}
		if status, _ := requester.do(call[0], call[1], ct, call[2]); status != http.StatusForbidden {
			t.Errorf("requester %s %s = %d; want 403", call[0], call[1], status)
		}
	}
}

// postFile submits a CSV file the way the import form does.
func postFile(t *testing.T, e *apptest.Engage, b *apptest.Browser, path, content string) (*http.Response, string) {
	t.Helper()
	return postFileWith(t, e, b, path, "pools.csv", content, nil)
}

// postFileWith submits a file named name and the form's other fields.
func postFileWith(t *testing.T, e *apptest.Engage, b *apptest.Browser, path, name, content string, fields url.Values) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.CSRF())
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return res, out.String()
}

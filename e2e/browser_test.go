// Package e2e drives Engage's web UI in a real headless Chromium, the way a
// person with a browser uses it: through the forms, links and buttons.
//
// The tests need Chromium. scripts/test finds or installs it and sets
// ENGAGE_CHROMIUM; without it the tests look for chromium or chromium-browser
// in PATH, and skip when there is none (they fail instead when CI=true).
// Screenshots go to $ENGAGE_ARTIFACTS, or to e2e/artifacts/.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/org"
)

// timeout bounds the browser work of one test or subtest.
const timeout = 60 * time.Second

// CSS and CSSAll are short for chromedp's typed CSS selectors: the first
// match, and every match.
type (
	CSS    = chromedp.CSS
	CSSAll = chromedp.CSSAll
)

func TestAdminCreatesDepartment(t *testing.T) {
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			p := openPage(t, browser, e.URL, "admin-creates-department-"+engine)
			p.signIn("admin@example.com")
			if got := p.text(CSS("main h1")); got != "Hello, Alex Morgan" {
				t.Fatalf("home page heading = %q, want %q", got, "Hello, Alex Morgan")
			}

			p.open("/admin/departments")
			p.expectText(CSS("main h1"), "Departments")
			p.follow("clicking Add a department", chromedp.Click(CSS(`main a[href="/admin/departments/new"]`)))
			p.expectText(CSS("main h1"), "New department")

			// An empty form comes back with an error summary that names the
			// name field, and the form keeps what was sent.
			if status := p.follow("submitting the empty form", chromedp.Click(CSS(`main form button[type="submit"]`))); status != 422 {
				t.Errorf("empty form: status %d, want 422", status)
			}
			summary := p.text(CSS(".error-summary"))
			if !strings.Contains(summary, "There is a problem") {
				t.Errorf("error summary = %q, want it to say there is a problem", summary)
			}
			nameLink := p.text(CSS(`.error-summary a[href="#name"]`))
			if !strings.Contains(strings.ToLower(nameLink), "name") {
				t.Errorf("error summary link to #name = %q, want it to name the name field", nameLink)
			}
			if inv := p.attr(CSS("#name"), "aria-invalid"); inv != "true" {
				t.Errorf("#name aria-invalid = %q, want true", inv)
			}
			for _, field := range []string{"#name", "#code", "#head_email", "#brm_email", "#parent_id"} {
				if v := p.value(CSS(field)); v != "" {
					t.Errorf("after the empty submit %s = %q, want it still empty", field, v)
				}
			}
			if !p.eval(`document.querySelector('input[name="billing_mode"][value="showback"]').checked`) {
				t.Error("after the empty submit the billing choice Showback is no longer checked")
			}
			p.screenshot("admin-creates-department-" + engine + "-errors.png")

			// Fill the form in and save it.
			p.do("filling in the form",
				chromedp.SendKeys(CSS("#name"), "Genomics Core"),
				chromedp.SendKeys(CSS("#code"), "GEN-CORE"),
			)
			p.choose(CSS("#parent_id"), "Biology Laboratory")
			p.follow("saving the department", chromedp.Click(CSS(`main form button[type="submit"]`)))
			if flash := p.text(CSS(".flash")); !strings.Contains(flash, "Saved department Genomics Core") {
				t.Errorf("flash = %q, want it to say the department was saved", flash)
			}

			// Find it again with the filter box.
			p.do("typing in the filter box",
				chromedp.Clear(CSS("#q")),
				chromedp.SendKeys(CSS("#q"), "genomics"),
			)
			p.follow("filtering the departments", chromedp.Click(CSS(`form[role="search"] button[type="submit"]`)))
			if loc := p.location(); !strings.Contains(loc, "q=genomics") {
				t.Errorf("after filtering the page is %s, want the query q=genomics", loc)
			}
			row := p.text(CSS("main table tbody tr"))
			if !strings.Contains(row, "Genomics Core") || !strings.Contains(row, "GEN-CORE") || !strings.Contains(row, "Biology Laboratory") {
				t.Errorf("first row after filtering = %q, want Genomics Core, GEN-CORE and Biology Laboratory", row)
			}
			if n := p.count("main table tbody tr"); n != 1 {
				t.Errorf("filtering for genomics shows %d rows, want 1", n)
			}
			p.screenshot("admin-creates-department-" + engine + ".png")

			// The department is in the database with the right parent.
			ctx := context.Background()
			sys := access.System("test")
			found, _, err := e.Org.ListDepartments(ctx, sys, org.ListFilter{Query: "GEN-CORE"})
			if err != nil {
				t.Fatal(err)
			}
			parents, _, err := e.Org.ListDepartments(ctx, sys, org.ListFilter{Query: "Biology Laboratory"})
			if err != nil {
				t.Fatal(err)
			}
			var bio int64
			for _, d := range parents {
				if d.Name == "Biology Laboratory" {
					bio = d.ID
				}
			}
			if bio == 0 {
				t.Fatal("the demo data has no Biology Laboratory")
			}
			var saved *org.Department
			for i, d := range found {
				if d.Code == "GEN-CORE" {
					saved = &found[i]
				}
			}
			switch {
			case saved == nil:
				t.Errorf("no department GEN-CORE in the database; found %+v", found)
			case saved.Name != "Genomics Core" || saved.ParentID != bio || saved.BillingMode != org.Showback:
				t.Errorf("saved department = name %q, parent %d (%s), billing %q; want Genomics Core, parent %d (Biology Laboratory), %s",
					saved.Name, saved.ParentID, saved.ParentName, saved.BillingMode, bio, org.Showback)
			}
		})
	}
}

func TestRequesterCannotReachAdmin(t *testing.T) {
	browser := startBrowser(t, 1)
	e := apptest.New(t, "sqlite")
	p := openPage(t, browser, e.URL, "requester-cannot-reach-admin")
	p.signIn("requester@example.com")
	if got := p.text(CSS("main h1")); got != "Hello, Riley Chen" {
		t.Fatalf("home page heading = %q, want %q", got, "Hello, Riley Chen")
	}

	if status := p.open("/admin/departments"); status != 403 {
		t.Errorf("GET /admin/departments as a requester: status %d, want 403", status)
	}
	p.expectText(CSS("main h1"), "You cannot do this")
	if nav := p.text(CSS("header nav")); !strings.Contains(nav, "Home") || strings.Contains(nav, "Admin") {
		t.Errorf("main navigation = %q, want it signed in and without Admin", nav)
	}
	if n := p.count(`header a[href^="/admin"]`); n != 0 {
		t.Errorf("the header has %d links to /admin, want none", n)
	}
	if strings.Contains(p.text(CSS("main")), "Add a department") {
		t.Error("the forbidden page shows the departments admin page")
	}
	p.screenshot("requester-cannot-reach-admin.png")
}

// chromium returns the path of the browser, or skips or fails the test when
// there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("ENGAGE_CHROMIUM"); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("ENGAGE_CHROMIUM=%s: %v", path, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const msg = "no Chromium: set ENGAGE_CHROMIUM or put chromium in PATH; scripts/test installs it and runs the browser tests"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts one headless Chromium for a test function that opens
// the given number of pages. It stops when the test ends, or after timeout
// per page.
func startBrowser(t *testing.T, pages int) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Headless,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), time.Duration(pages)*timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelRoot()
	})
	// The first run starts the browser, which lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// page is one browser tab, with cookies of its own, on one Engage.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// openPage opens a tab in a new browser context, so that no cookie leaks
// between tests. If the test fails, it saves a screenshot named after it.
func openPage(t *testing.T, browser context.Context, base, name string) *page {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancel()
		cancelTab()
	})
	p := &page{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		sctx, cancel := context.WithTimeout(tab, 10*time.Second)
		defer cancel()
		if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
			if file, err := writeArtifact(name+"-failed.png", png); err == nil {
				t.Logf("screenshot of the failure: %s", file)
			}
		}
	})
	return p
}

// do runs browser steps and fails the test if one fails.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// follow runs steps that load a new page, waits for it and returns its HTTP
// status.
func (p *page) follow(what string, steps ...chromedp.Action[chromedp.Void]) int {
	p.t.Helper()
	res, err := chromedp.RunResponse(p.ctx, steps...)
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return int(res.Status)
}

// open goes to a path of Engage and returns the HTTP status.
func (p *page) open(path string) int {
	p.t.Helper()
	res, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.t.Fatalf("opening %s: %v", path, err)
	}
	return int(res.Status)
}

// signIn signs in through the sign-in form with the demo password.
func (p *page) signIn(email string) {
	p.t.Helper()
	p.open("/signin")
	p.do("filling in the sign-in form",
		chromedp.SendKeys(CSS("#email"), email),
		chromedp.SendKeys(CSS("#password"), demo.Password),
	)
	p.follow("signing in as "+email, chromedp.Click(CSS(`main form button[type="submit"]`)))
	if loc := p.location(); strings.Contains(loc, "/signin") {
		p.t.Fatalf("signing in as %s: still on %s: %s", email, loc, p.text(CSS("main")))
	}
}

// choose selects the option of a select box whose label starts with label.
func (p *page) choose(sel CSS, label string) {
	p.t.Helper()
	options, err := chromedp.Run(p.ctx, chromedp.Nodes(CSSAll(string(sel)+" option")))
	if err != nil {
		p.t.Fatalf("reading the options of %s: %v", sel, err)
	}
	var labels []string
	for _, o := range options {
		text, err := chromedp.Run(p.ctx, chromedp.TextContent(chromedp.NodeIDs{o.NodeID}))
		if err != nil {
			p.t.Fatalf("reading an option of %s: %v", sel, err)
		}
		labels = append(labels, text)
		if strings.HasPrefix(strings.TrimSpace(text), label) {
			p.do("choosing "+label+" in "+string(sel), chromedp.SetValue(sel, o.AttributeValue("value")))
			if got := p.evalString(`document.querySelector(` + quoteJS(string(sel)) + `).selectedOptions[0].text`); !strings.HasPrefix(got, label) {
				p.t.Fatalf("%s shows %q after choosing %q", sel, got, label)
			}
			return
		}
	}
	p.t.Fatalf("%s has no option %q; it has %q", sel, label, labels)
}

func (p *page) text(sel CSS) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(sel))
	if err != nil {
		p.t.Fatalf("reading the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (p *page) expectText(sel CSS, want string) {
	p.t.Helper()
	if got := p.text(sel); got != want {
		p.t.Fatalf("%s = %q, want %q (page %s)", sel, got, want, p.location())
	}
}

func (p *page) value(sel CSS) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Value(sel))
	if err != nil {
		p.t.Fatalf("reading the value of %s: %v", sel, err)
	}
	return s
}

func (p *page) attr(sel CSS, name string) string {
	p.t.Helper()
	a, err := chromedp.Run(p.ctx, chromedp.AttributeValue(sel, name))
	if err != nil {
		p.t.Fatalf("reading %s of %s: %v", name, sel, err)
	}
	return a.Value
}

func (p *page) location() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatalf("reading the location: %v", err)
	}
	return s
}

// count returns how many elements match a CSS selector, without waiting.
func (p *page) count(sel string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quoteJS(sel)+`).length`))
	if err != nil {
		p.t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

func (p *page) eval(expr string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return ok
}

func (p *page) evalString(expr string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

// screenshot saves a full-page PNG of the tab as a test artifact.
func (p *page) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("taking a screenshot: %v", err)
	}
	file, err := writeArtifact(name, png)
	if err != nil {
		p.t.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil {
		p.t.Fatal(err)
	}
	if info.Size() == 0 || !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		p.t.Fatalf("screenshot %s is not a PNG (%d bytes)", file, info.Size())
	}
	p.t.Logf("screenshot: %s", file)
}

// writeArtifact writes a file into $ENGAGE_ARTIFACTS, or e2e/artifacts/.
func writeArtifact(name string, data []byte) (string, error) {
	dir := os.Getenv("ENGAGE_ARTIFACTS")
	if dir == "" {
		dir = "artifacts" // tests run in e2e/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	file, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	return file, os.WriteFile(file, data, 0o644)
}

// quoteJS quotes s as a JavaScript string literal.
func quoteJS(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

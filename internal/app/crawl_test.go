package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/web"
)

// crawlRoles are the demo people whose pages are walked: one per kind of
// work, since people with the same roles see the same pages.
var crawlRoles = []string{
	"requester@example.com", "budget@example.com", "brm@example.com", "architect@example.com",
	"board@example.com", "owner@example.com", "finance@example.com", "moderator@example.com",
	"admin@example.com",
}

// crawlPagesPerRole bounds each walk; pages of one kind (one route, the
// same filters) are visited once, so this covers every kind of page the
// demo data reaches.
const crawlPagesPerRole = 150

// TestCrawlEveryPageAsEachRole signs in as each demo role and follows the
// links and search forms that pages offer, from the home page on. It fails
// on a page that answers with an error, a link to no page at all, a form
// control without a label, and a "next page" that shows the first rows again.
func TestCrawlEveryPageAsEachRole(t *testing.T) {
	routes := web.RouteMux()
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		for _, email := range crawlRoles {
			t.Run(strings.TrimSuffix(email, "@example.com"), func(t *testing.T) {
				c := &crawler{t: t, b: e.SignIn(t, email), routes: routes, seen: map[string]bool{}, kinds: map[string]bool{}}
				c.walk("/")
				t.Logf("%s: %d pages", email, c.visited)
			})
		}
	})
}

type crawlItem struct {
	url, from string
	// pagerHops counts the "next page" links followed to reach url.
	pagerHops int
	// firstRow is the first row of the page the pager link was on.
	firstRow string
}

type crawler struct {
	t       *testing.T
	b       *apptest.Browser
	routes  *http.ServeMux
	seen    map[string]bool // urls queued
	kinds   map[string]bool // route and filter names visited
	queue   []crawlItem
	visited int
}

func (c *crawler) walk(start string) {
	c.queue = append(c.queue, crawlItem{url: start})
	c.seen[start] = true
	for len(c.queue) > 0 && c.visited < crawlPagesPerRole {
		it := c.queue[0]
		c.queue = c.queue[1:]
		c.visit(it)
	}
}

func (c *crawler) visit(it crawlItem) {
	c.visited++
	target := it.url
	res, body := c.b.Get(target)
	for hops := 0; res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusFound; hops++ {
		loc := res.Header.Get("Location")
		if hops == 3 || strings.HasPrefix(loc, "/signin") {
			c.t.Errorf("%s (linked from %s) redirects to %s", it.url, it.from, loc)
			return
		}
		target = loc
		res, body = c.b.Get(target)
	}
	if res.StatusCode >= 400 {
		c.t.Errorf("%s (linked from %s) = %d", it.url, it.from, res.StatusCode)
		return
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		return
	}
	first := firstRow(body)
	if it.pagerHops > 0 && first != "" && first == it.firstRow {
		c.t.Errorf("%s (next page of %s) starts with the same row again: %q", it.url, it.from, first)
	}
	base, _ := url.Parse(target)
	for _, f := range apptest.Forms(body) {
		if missing := f.Unlabelled(); len(missing) > 0 {
			c.t.Errorf("%s: the form for %q has controls without a label: %v", target, f.Action, missing)
		}
		if f.Method == http.MethodGet {
			action := f.Action
			if action == "" {
				action = base.Path
			}
			c.follow(base, action+"?"+f.Values().Encode(), target, 0, "")
		}
	}
	for _, l := range apptest.Links(body) {
		if l.Rel == "next" || l.Text == "Next page" {
			if it.pagerHops < 2 {
				c.follow(base, l.Href, target, it.pagerHops+1, first)
			}
			continue
		}
		c.follow(base, l.Href, target, 0, "")
	}
}

// follow checks that a link leads to a page Engage has and queues it when
// it is a kind of page not seen yet.
func (c *crawler) follow(base *url.URL, href, from string, pagerHops int, first string) {
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "mailto:") {
		return
	}
	u, err := base.Parse(href)
	if err != nil {
		c.t.Errorf("%s links to %q, which is no URL", from, href)
		return
	}
	if u.Host != base.Host && u.Host != "" {
		return
	}
	u.Fragment = ""
	if u.Scheme == "" || u.Host == "" {
		u.Scheme, u.Host = base.Scheme, base.Host
	}
	local := u.RequestURI()
	if strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/api/") {
		c.queueURL(local, from, local, pagerHops, first)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, local, nil)
	_, pattern := c.routes.Handler(req)
	if pattern == "" {
		c.t.Errorf("%s links to %s, which is no page of Engage", from, local)
		return
	}
	// Sign-out and downloads are not pages to walk.
	if strings.Contains(u.Path, "signout") || strings.Contains(u.Path, "logout") || strings.HasSuffix(u.Path, ".csv") ||
		u.Query().Get("format") == "csv" || strings.Contains(u.Path, "/export") || strings.HasPrefix(u.Path, "/auth/") {
		return
	}
	keys := slices.Collect(func(yield func(string) bool) {
		for k, v := range u.Query() {
			if k != "cursor" && k != "page" && slices.ContainsFunc(v, func(s string) bool { return s != "" }) && !yield(k) {
				return
			}
		}
	})
	sort.Strings(keys)
	kind := pattern + "?" + strings.Join(keys, "&")
	if pagerHops == 0 {
		if c.kinds[kind] {
			return
		}
		c.kinds[kind] = true
	}
	c.queueURL(local, from, kind, pagerHops, first)
}

func (c *crawler) queueURL(local, from, kind string, pagerHops int, first string) {
	if c.seen[local] {
		return
	}
	c.seen[local] = true
	c.queue = append(c.queue, crawlItem{url: local, from: from, pagerHops: pagerHops, firstRow: first})
}

// firstRow is the text of the main list's first row: the first row of the
// first table body, else the first card.
func firstRow(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	for _, open := range []string{"<tbody", "<article"} {
		i := strings.Index(page, open)
		if i < 0 {
			continue
		}
		rest := page[i:]
		if open == "<tbody" {
			j := strings.Index(rest, "<tr")
			if j < 0 {
				continue
			}
			rest = rest[j:]
			if k := strings.Index(rest, "</tr>"); k >= 0 {
				rest = rest[:k]
			}
		} else if k := strings.Index(rest, "</article>"); k >= 0 {
			rest = rest[:k]
		}
		var text strings.Builder
		for _, tg := range apptest.Tags(rest) {
			text.WriteString(tg.Text)
		}
		return strings.Join(strings.Fields(text.String()), " ")
	}
	return ""
}

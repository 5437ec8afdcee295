package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/discuss"
)

// TestCommunityPagesOnAPhone opens the community, topic, pulse,
// engagement and Backstage pages at 375 px as an administrator: none of
// them makes the page scroll sideways, not even a topic whose title, body
// and replies hold a long unbroken word and a long link.
func TestCommunityPagesOnAPhone(t *testing.T) {
	const narrow = 375
	long := strings.Repeat("Supercalifragilistic", 8)
	link := "https://intranet.example.com/" + strings.Repeat("very-long-path-segment/", 10)
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			person, err := e.Org.FindPersonByEmail(ctx, "admin@example.com")
			if err != nil {
				t.Fatal(err)
			}
			admin, err := e.Org.Principal(ctx, person.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.Communities.FindBySlug(ctx, admin, "outlook")
			if err != nil {
				t.Fatal(err)
			}
			tp, err := e.Discussions.CreateTopic(ctx, admin, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea,
				Title: "Wide " + long, Body: "See " + link + " and `" + long + "`\n\n    " + long + long + "\n\n| a | b |\n|---|---|\n| " + long + " | " + link + " |"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Discussions.Reply(ctx, admin, tp.ID, discuss.ReplyInput{Body: long + " " + link}); err != nil {
				t.Fatal(err)
			}
			p := openPage(t, browser, e.URL, "community-on-a-phone-"+engine)
			p.sized(narrow)
			p.signIn("admin@example.com")
			paths := []string{"/communities", "/communities/outlook", "/communities/outlook/members", "/communities/outlook/ideas",
				fmt.Sprintf("/communities/outlook/topics/%d", tp.ID), fmt.Sprintf("/communities/outlook/topics/%d/idea", tp.ID),
				fmt.Sprintf("/communities/outlook/topics/%d/history", tp.ID), "/communities/search?q=outlook", "/communities/moderation",
				"/pulses", "/engagement", "/engagement/communities/outlook", "/engagement/coverage", "/engagement/brm",
				fmt.Sprintf("/engagement/departments/%d", admin.DepartmentID), "/backstage"}
			fitsTheWindow(t, p, paths)
		})
	}
}

// fitsTheWindow opens each path and fails the test for each page wider
// than the window, with its widest elements and a picture of it.
func fitsTheWindow(t *testing.T, p *page, paths []string) {
	t.Helper()
	for _, path := range paths {
		if status := p.open(path); status != 200 {
			t.Errorf("%s: %d", path, status)
			continue
		}
		if !p.eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Errorf("%s is wider than the window: %s", path, p.evalString(wideElements))
			p.pageShot(strings.NewReplacer("/", "_", "?", "_").Replace(path) + ".png")
		}
	}
}

// wideElements lists the innermost elements that reach past the window's
// right edge, outside any element that scrolls sideways on its own.
const wideElements = `(() => {
	const out = [];
	for (const el of document.querySelectorAll("body *")) {
		if (el.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
		let inner = false;
		for (const c of el.children) if (c.getBoundingClientRect().right > window.innerWidth + 0.5) inner = true;
		if (inner) continue;
		let scrolled = false;
		for (let a = el.parentElement; a; a = a.parentElement) {
			const o = getComputedStyle(a).overflowX;
			if ((o === "auto" || o === "scroll" || o === "hidden") && getComputedStyle(el).position !== "absolute") { scrolled = true; break; }
		}
		if (!scrolled) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " " + Math.round(el.getBoundingClientRect().right) + "px");
	}
	return String(document.documentElement.scrollWidth) + " px: " + out.slice(0, 8).join(", ");
})()`

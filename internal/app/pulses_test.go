package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/pulse"
)

// demoPulse returns the id of the demo's newest pulse whose question has
// the given words, as the administrator lists them.
func demoPulse(t *testing.T, admin apiClient, words string) (int64, map[string]any) {
	t.Helper()
	status, lists := admin.json("GET", "/pulses", "")
	if status != http.StatusOK {
		t.Fatalf("list pulses = %d %v", status, lists)
	}
	for _, it := range lists["running"].([]any) {
		p := it.(map[string]any)
		if strings.Contains(p["question"].(string), words) {
			return int64(p["id"].(float64)), p
		}
	}
	t.Fatalf("no demo pulse asks %q", words)
	return 0, nil
}

// TestPulseFloorOnEverySurface: a pulse with fewer than five answers shows
// its counts and nothing else, on its page, in the API, in the trend and in
// the trend's CSV.
func TestPulseFloorOnEverySurface(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := clientOf(t, e, "admin@example.com")
		id, p := demoPulse(t, admin, "physical servers since the move")
		if p["answers"].(float64) != 3 {
			t.Fatalf("the demo's small pulse has %v answers; want 3", p["answers"])
		}
		status, res := admin.json("GET", fmt.Sprintf("/pulses/%d/results", id), "")
		f, _ := res["figures"].(map[string]any)
		if status != http.StatusOK || f["hidden"] != true || f["answers"].(float64) != 3 || f["score"] != nil || f["distribution"] != nil ||
			len(res["comments"].([]any)) != 0 || f["note"] != pulse.HiddenMessage {
			t.Fatalf("API results under the floor = %d %v", status, res)
		}
		b := e.SignIn(t, "admin@example.com")
		_, body := b.Get(fmt.Sprintf("/pulses/%d/results", id))
		if !strings.Contains(body, "Fewer than 5 answers — results are hidden to protect those who answered.") || strings.Contains(body, `id="score"`) ||
			strings.Contains(body, `id="distribution"`) {
			t.Fatal("the results page shows a pulse of 3 answers")
		}
		// The administrator sees the service's trend under the results, its chart and its table.
		if !strings.Contains(body, `id="trend"`) || !strings.Contains(body, "<svg") || !strings.Contains(body, `id="months"`) {
			t.Fatal("the results page has no trend for the administrator")
		}
		svc := int64(p["service_id"].(float64))
		status, tr := admin.json("GET", fmt.Sprintf("/pulses/trend?service_id=%d&survey=csat&months=3", svc), "")
		months, _ := tr["months"].([]any)
		if status != http.StatusOK || len(months) != 3 {
			t.Fatalf("trend = %d %v", status, tr)
		}
		last := months[1].(map[string]any)["figures"].(map[string]any) // last month: the small pulse
		if last["hidden"] != true || last["score"] != nil || last["answers"].(float64) != 3 {
			t.Fatalf("trend month of 3 answers: %v", last)
		}
		res2, csv := b.Get(fmt.Sprintf("/pulses/trend.csv?service=%d&survey=csat&months=3", svc))
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if res2.StatusCode != http.StatusOK || len(lines) != 4 || !strings.HasPrefix(lines[0], "month,pulses,open,recipients,answers,response_rate_percent,score,note") {
			t.Fatalf("CSV = %d %q", res2.StatusCode, csv)
		}
		if row := lines[2]; !strings.Contains(row, ",3,") || !strings.Contains(row, ",,Fewer than 5 answers") {
			t.Fatalf("CSV row of a month of 3 answers shows a score: %q", row)
		}
		// The demo's monthly HPC pulses: every closed month shows a score, the current one is open.
		hpc, err := e.Catalog.FindService(context.Background(), system, "hpc-cluster")
		if err != nil {
			t.Fatal(err)
		}
		_, tr = admin.json("GET", fmt.Sprintf("/pulses/trend?service_id=%d&survey=csat&months=5", hpc.Service.ID), "")
		for i, m := range tr["months"].([]any) {
			month := m.(map[string]any)
			f := month["figures"].(map[string]any)
			if open := i == 4; month["pulses"].(float64) != 1 || (month["open"].(float64) == 1) != open || (f["score"] == nil) != open {
				t.Fatalf("HPC trend month %d: %v", i, month)
			}
		}
		_, page := b.Get(fmt.Sprintf("/pulses/trend?service=%d&survey=csat&months=3", svc))
		if !strings.Contains(page, "<svg") || !strings.Contains(page, `id="months"`) || !strings.Contains(page, "Hidden") {
			t.Fatal("the trend page has no chart, no table or no hidden month")
		}
	})
}

// TestPulseSendAnswerAndAccess: the owner sends a pulse through the API to
// the subscribing department's people; a recipient answers once from the
// page, another through a signed link without signing in; answering twice,
// out of range, after close or without being sent it is refused; results
// are read by runners and recipients only.
func TestPulseSendAnswerAndAccess(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		owner, requester := clientOf(t, e, "owner@example.com"), clientOf(t, e, "requester@example.com")
		hpc, err := e.Catalog.FindService(ctx, system, "hpc-cluster")
		if err != nil {
			t.Fatal(err)
		}
		closes := e.Clock.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)
		body := fmt.Sprintf(`{"survey":"csat","service_id":%d,"question":"How was HPC this week?","closes_at":%q}`, hpc.Service.ID, closes)
		if status, _ := requester.json("POST", "/pulses", body); status != http.StatusForbidden {
			t.Fatalf("a requester sent a pulse: %d", status)
		}
		status, sent := owner.json("POST", "/pulses", body)
		if status != http.StatusCreated || sent["recipients"].(float64) < 5 {
			t.Fatalf("send = %d %v", status, sent)
		}
		id := int64(sent["id"].(float64))
		if status, again := owner.json("POST", "/pulses", body); status != http.StatusCreated || again["id"] != sent["id"] {
			t.Fatalf("sending again = %d %v", status, again)
		}
		// The requester (Biology, which subscribes) finds it in the inbox and on /pulses.
		b := e.SignIn(t, "requester@example.com")
		if _, inbox := b.Get("/inbox"); !strings.Contains(inbox, "A CSAT pulse about High-performance computing") {
			t.Fatal("the pulse is not in the recipient's inbox")
		}
		page := fmt.Sprintf("/pulses/%d", id)
		if _, list := b.Get("/pulses"); !strings.Contains(list, `href="`+page+`"`) {
			t.Fatal("/pulses does not list the pulse sent to the requester")
		}
		res, html := b.Submit(page, page+"/answer", url.Values{"score": {"7"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "Choose a score from 1 to 5.") {
			t.Fatalf("score 7 = %d", res.StatusCode)
		}
		if res, _ = b.Submit(page, page+"/answer", url.Values{"score": {"4"}, "comment": {"Queues are shorter."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer = %d", res.StatusCode)
		}
		if _, html = b.Get(page); !strings.Contains(html, `id="answered"`) || strings.Contains(html, page+"/answer") {
			t.Fatal("the answer page still offers the form after answering")
		}
		status, problem := requester.json("POST", fmt.Sprintf("/pulses/%d/answer", id), `{"score":5}`)
		if status != http.StatusConflict || !strings.Contains(problem["detail"].(string), "already answered") {
			t.Fatalf("answering twice = %d %v", status, problem)
		}
		// Someone the pulse was not sent to: no answer, no results.
		architect := clientOf(t, e, "architect@example.com")
		if status, _ := architect.json("POST", fmt.Sprintf("/pulses/%d/answer", id), `{"score":5}`); status != http.StatusForbidden {
			t.Fatalf("a non-recipient answered: %d", status)
		}
		if status, _ := architect.json("GET", fmt.Sprintf("/pulses/%d/results", id), ""); status != http.StatusNotFound {
			t.Fatalf("a non-recipient read the results: %d", status)
		}
		if status, _ := requester.json("GET", fmt.Sprintf("/pulses/%d/results", id), ""); status != http.StatusOK {
			t.Fatalf("a recipient cannot read the results: %d", status)
		}
		if status, _ := requester.json("GET", fmt.Sprintf("/pulses/trend?service_id=%d&survey=csat", hpc.Service.ID), ""); status != http.StatusForbidden {
			t.Fatalf("a requester read the trend: %d", status)
		}
		if res, html := b.Get(page + "/results"); res.StatusCode != http.StatusOK || strings.Contains(html, `id="trend"`) {
			t.Fatalf("a recipient's results page = %d, or shows the service's trend", res.StatusCode)
		}
		if res, _ := b.Get(fmt.Sprintf("/pulses/trend?service=%d&survey=csat", hpc.Service.ID)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester's trend page = %d", res.StatusCode)
		}
		// A colleague in Biology answers through their signed link, signed out.
		recipients, err := e.Pulses.Recipients(ctx, system, id)
		if err != nil {
			t.Fatal(err)
		}
		var other int64
		me := person(t, e, "requester@example.com")
		for _, r := range recipients {
			if r != me.ID {
				other = r
				break
			}
		}
		p, err := e.Org.Principal(ctx, other, "test")
		if err != nil {
			t.Fatal(err)
		}
		link, err := e.Pulses.SignedLink(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		anon := e.Browser(t)
		if res, _ := anon.Get(link + "x"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("tampered link = %d", res.StatusCode)
		}
		if res, _ = anon.Submit(link, link, url.Values{"score": {"5"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer by link = %d", res.StatusCode)
		}
		status, got := owner.json("GET", fmt.Sprintf("/pulses/%d", id), "")
		if status != http.StatusOK || got["answers"].(float64) != 2 {
			t.Fatalf("after two answers: %d %v", status, got)
		}
		// Two answers: the owner sees counts only.
		_, results := owner.json("GET", fmt.Sprintf("/pulses/%d/results", id), "")
		if f := results["figures"].(map[string]any); f["hidden"] != true || f["score"] != nil {
			t.Fatalf("results of 2 answers: %v", f)
		}
		// The owner sends one from the form: a bad day is named, a good one sends it.
		ob := e.SignIn(t, "owner@example.com")
		form := fmt.Sprintf("/pulses/new?service=%d", hpc.Service.ID)
		res, html = ob.Submit(form, "/pulses", url.Values{"closes": {"someday"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="closes-error"`) {
			t.Fatalf("bad closing day = %d", res.StatusCode)
		}
		res, _ = ob.Submit(form, "/pulses", url.Values{"closes": {e.Clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)}, "survey": {"nps"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/results") {
			t.Fatalf("sending from the form = %d %s", res.StatusCode, loc)
		}
		if _, list := ob.Get("/pulses"); !strings.Contains(list, "How likely are you to recommend High-performance computing to a colleague?") {
			t.Fatal("the owner's pulses do not list the NPS pulse sent from the form")
		}
		// After close: refused, and the link has expired.
		e.Clock.Advance(7*24*time.Hour + time.Second)
		if res, _ := anon.Get(link); res.StatusCode != http.StatusForbidden {
			t.Fatalf("expired link = %d", res.StatusCode)
		}
		var third int64
		for _, r := range recipients {
			if r != me.ID && r != other {
				third = r
			}
		}
		p2, _ := e.Org.Principal(ctx, third, "test")
		if _, err := e.Pulses.Answer(ctx, p2, id, pulse.AnswerInput{Score: 3}); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("answering after close: %v", err)
		}
	})
}

package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
)

// TestOpenPulseMovesNoEngagementFigure: answers to an open community pulse
// change no satisfaction figure of engagement — the community's months
// and every department's satisfaction part, as the API gives them — while
// they still count as activity; once the pulse closes at its end date its
// five answers appear (NPS 40 by hand); a pulse closed with four answers
// never shows.
func TestOpenPulseMovesNoEngagementFigure(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := clientOf(t, e, "admin@example.com")
		path := "/engagement/communities/" + demo.CommunityOutlook
		status, c := admin.json("GET", path, "")
		if status != http.StatusOK || c["members"].(float64) < 9 {
			t.Fatalf("%s = %d, %v members; want 9 or more", path, status, c["members"])
		}
		community := int64(c["id"].(float64))
		// satisfaction is every satisfaction figure engagement serves.
		satisfaction := func() string {
			t.Helper()
			_, c := admin.json("GET", path, "")
			_, scores := admin.json("GET", "/engagement/departments", "")
			parts := map[string]any{}
			for _, it := range scores["items"].([]any) {
				sc := it.(map[string]any)
				for _, p := range sc["parts"].([]any) {
					if part := p.(map[string]any); part["key"] == "satisfaction" {
						parts[fmt.Sprint(sc["department_id"])] = part
					}
				}
			}
			out, _ := json.Marshal([]any{c["satisfaction"], parts})
			return string(out)
		}
		send := func(question string) (int64, []string) {
			t.Helper()
			body := fmt.Sprintf(`{"survey":"nps","community_id":%d,"question":%q,"closes_at":%q}`, community, question,
				e.Clock.Now().Add(24*time.Hour).Format(time.RFC3339))
			status, sent := admin.json("POST", "/pulses", body)
			if status != http.StatusCreated {
				t.Fatalf("send = %d %v", status, sent)
			}
			id := int64(sent["id"].(float64))
			rows, err := e.DB.Query(ctx, `SELECT p.email FROM pulse_recipients r JOIN people p ON p.id = r.person_id
				WHERE r.pulse_id = ? AND p.active ORDER BY p.id`, id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var emails []string
			for rows.Next() {
				var email string
				if err := rows.Scan(&email); err != nil {
					t.Fatal(err)
				}
				emails = append(emails, email)
			}
			return id, emails
		}
		before := satisfaction()
		id, emails := send("How likely are you to recommend Outlook on the web?")
		if len(emails) < 9 {
			t.Fatalf("%d recipients", len(emails))
		}
		for i, score := range []int{10, 10, 9, 7, 3} {
			if status, res := clientOf(t, e, emails[i]).json("POST", "/pulses/"+strconv.FormatInt(id, 10)+"/answer", fmt.Sprintf(`{"score":%d}`, score)); status != http.StatusOK {
				t.Fatalf("answer %d = %d %v", i+1, status, res)
			}
			if got := satisfaction(); got != before {
				t.Fatalf("after %d answers to an open pulse:\n%s\nwas\n%s", i+1, got, before)
			}
		}
		if _, c = admin.json("GET", path, ""); c["active_members"].(float64) < 5 {
			t.Errorf("answering is not activity: %v active members", c["active_members"])
		}
		// The pulse closes at its end date: 3 promoters, 1 detractor of 5.
		e.Clock.Advance(25 * time.Hour)
		after := satisfaction()
		_, c = admin.json("GET", path, "")
		months := c["satisfaction"].([]any)
		last := months[len(months)-1].(map[string]any)["nps"].(map[string]any)
		if last["answers"].(float64) != 5 || last["shown"] != true || last["value"].(float64) != 40 {
			t.Errorf("the closed pulse's month: %v; want 5 answers, NPS 40", last)
		}
		if after == before {
			t.Error("no department's satisfaction changed when the pulse closed")
		}
		// Four answers to another pulse: nothing, open or closed.
		id, emails = send("How likely are you to recommend Outlook on phones?")
		for i := range 4 {
			if status, res := clientOf(t, e, emails[5+i]).json("POST", "/pulses/"+strconv.FormatInt(id, 10)+"/answer", `{"score":0}`); status != http.StatusOK {
				t.Fatalf("answer %d = %d %v", i+1, status, res)
			}
		}
		e.Clock.Advance(25 * time.Hour)
		if got := satisfaction(); got != after {
			t.Errorf("a pulse closed with four answers shows:\n%s\nwas\n%s", got, after)
		}
	})
}

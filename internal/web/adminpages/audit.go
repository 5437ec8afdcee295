package adminpages

import (
	"net/http"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/web/page"
)

// auditView is the audit log page: a page of events with the changes of
// each in words, and the filters.
type auditView struct {
	page.Base
	Events []auditEvent
	Next   string
	Kinds  []string
	Filter audit.Filter
	From   string // the filter's days, as typed
	To     string
}

type auditEvent struct {
	audit.Event
	Changes []audit.FieldChange
}

// auditLog shows the audit log, filtered by day, person and kind; with
// format=csv, every matching event as a file.
func (s *Pages) auditLog(w http.ResponseWriter, r *http.Request) error {
	p, ctx, q := page.Principal(r), r.Context(), r.URL.Query()
	f := audit.Filter{EntityType: q.Get("entity_type"), EntityID: strings.TrimSpace(q.Get("entity_id")), Action: q.Get("action"),
		Actor: strings.TrimSpace(q.Get("actor")), Cursor: q.Get("cursor"), Limit: 50}
	f.ActorID = page.QueryInt(r, "actor_id")
	v := &auditView{Base: page.Base{Title: "Audit log", Nav: "admin"}}
	var err error
	if v.From, v.To, f.From, f.Until, err = page.DayRange(r, s.Clock.Now()); err != nil {
		return err
	}
	if q.Get("format") == "csv" {
		return s.auditCSV(w, r, f)
	}
	events, next, err := s.Audit.List(ctx, p, f)
	if err != nil {
		return err
	}
	if v.Kinds, err = s.Audit.Kinds(ctx, p); err != nil {
		return err
	}
	v.Next, v.Filter = next, f
	for _, e := range events {
		v.Events = append(v.Events, auditEvent{Event: e, Changes: e.Changes()})
	}
	s.Render(w, r, "audit.html", v)
	return nil
}

// auditCSV writes every event the filter matches, newest first, a row
// each with its changes in words and the state before and after as JSON.
func (s *Pages) auditCSV(w http.ResponseWriter, r *http.Request, f audit.Filter) error {
	p, ctx := page.Principal(r), r.Context()
	f.Cursor, f.Limit = "", 500
	events, next, err := s.Audit.List(ctx, p, f) // refused before anything is written
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "audit-"+s.Clock.Now().UTC().Format("2006-01-02")+".csv")
	_ = cw.Write([]string{"at", "actor", "action", "entity_type", "entity_id", "summary", "changes", "before", "after"})
	for {
		for _, e := range events {
			var changes []string
			for _, c := range e.Changes() {
				changes = append(changes, c.Field+": "+c.Before+" → "+c.After)
			}
			_ = cw.Write([]string{e.At.UTC().Format(time.RFC3339), e.ActorName, e.Action, e.EntityType, e.EntityID, e.Summary,
				strings.Join(changes, "; "), string(e.Before), string(e.After)})
		}
		if next == "" {
			break
		}
		f.Cursor = next
		if events, next, err = s.Audit.List(ctx, p, f); err != nil {
			// The status has gone: the file ends short, and the log says why.
			s.Logger.Error("audit export failed while streaming", "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

package billing

// CloudEvents usage: metering systems send CloudEvents 1.0 in the JSON
// format, one event (application/cloudevents+json) or a JSON array of them
// (application/cloudevents-batch+json). A meter of the catalog
// (catalog/meters.go) maps each event's type to an offering and says where
// its quantity is; the event then becomes a usage record like those sent to
// /usage, checked, stored and rated by the same code.
//
// Decisions:
//   - id and source together are the idempotency key: the record's key is
//     "ce:" + the length of source + ":" + source + id, so that no two
//     (source, id) pairs share a key. id is at most 64 characters, source
//     at most 128.
//   - subject names who is charged: "department/<cost-centre code>" or
//     "subscription/<id>".
//   - time is optional (then the time of receipt) and bounded like /usage:
//     by default at most 2 days ahead and 400 days back.
//   - A request is all or nothing: any refused event refuses the request
//     (422), naming each refused event by its index and field; nothing of
//     it is stored. A request is answered once its events are stored
//     (group commit, group.go), so an acknowledged event is durable; a
//     request not answered may be sent again whole.
//   - Attributes other than the ones read here (extensions, dataschema)
//     are accepted and ignored; data_base64 is refused (the value must be
//     read from JSON data).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/jsonscan"
	"github.com/engagehq/engage/internal/textenc"
)

// CloudEvent is one event in the CloudEvents 1.0 JSON format.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion" enum:"1.0"`
	ID              string          `json:"id" minLength:"1" maxLength:"64" doc:"With source, identifies the event: the same id and source twice is counted once"`
	Source          string          `json:"source" minLength:"1" maxLength:"128" doc:"The system that measured it (a URI reference)"`
	Type            string          `json:"type" minLength:"1" maxLength:"200" doc:"The event type; a meter of the catalog file maps it to an offering"`
	Subject         string          `json:"subject" doc:"Who is charged: department/<cost-centre code> or subscription/<id>" example:"department/BIO"`
	Time            string          `json:"time,omitempty" format:"date-time" doc:"When the usage happened (RFC 3339); absent, when it is received"`
	DataContentType string          `json:"datacontenttype,omitempty" doc:"application/json when given"`
	Data            json.RawMessage `json:"data,omitempty" doc:"The event's JSON data; the meter's value path reads the quantity in it"`
	DataBase64      string          `json:"data_base64,omitempty" doc:"Refused: send JSON data"`
}

// EventReport says what happened to the events of a request.
type EventReport struct {
	Received   int `json:"received"`
	Accepted   int `json:"accepted" doc:"Events stored now"`
	Duplicates int `json:"duplicates" doc:"Events whose id and source were already stored; counted once"`
}

// Limits of a request of events.
const (
	MaxEventBatch = 10000   // events a request
	MaxEventBody  = 4 << 20 // bytes a request
	maxEventID    = 64
	maxEventSrc   = 128
)

// DecodeEvents reads a request's body: one event, or with batch a JSON
// array of events. An element that is not an event object is refused by
// its index. The events' data may share body's bytes: keep body unchanged
// while they are used.
func DecodeEvents(body []byte, batch bool) ([]CloudEvent, error) {
	// Most senders write events plainly: those are read directly, their
	// data left in body; anything else goes to encoding/json.
	var d UsageDecoder
	if !batch {
		var ev CloudEvent
		if end, ok := d.plainEvent(body, jsonscan.Space(body, 0), &ev); ok && jsonscan.Space(body, end) == len(body) {
			return []CloudEvent{ev}, nil
		}
		ev = CloudEvent{}
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, bodyError("The body is not a CloudEvent (a JSON object): %v", err)
		}
		return []CloudEvent{ev}, nil
	}
	// Read at once; only a body that does not read so is gone through
	// element by element, to name the elements that are not events.
	if events, ok := d.plainEvents(body); ok && len(events) > 0 {
		return events, nil
	}
	var events []CloudEvent
	if err := json.Unmarshal(body, &events); err == nil && len(events) > 0 && len(events) <= MaxEventBatch {
		return events, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, bodyError("The body is not a JSON array of CloudEvents: %v", err)
	}
	if len(raw) == 0 {
		return nil, bodyError("The batch is empty: send 1 to %d events.", MaxEventBatch)
	}
	if len(raw) > MaxEventBatch {
		return nil, &engage.Error{Code: engage.ETOOLARGE, Message: "The batch is too large.", Fields: []engage.FieldError{{Field: "body",
			Message: fmt.Sprintf("%d events; send at most %d a request.", len(raw), MaxEventBatch)}}}
	}
	out := make([]CloudEvent, len(raw))
	var e *engage.Error
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil || !bytes.HasPrefix(bytes.TrimSpace(r), []byte("{")) {
			if e == nil {
				e = &engage.Error{Code: engage.EINVALID, Message: "Some events cannot be read; nothing was stored."}
			}
			e.Fields = append(e.Fields, engage.FieldError{Field: fmt.Sprintf("[%d]", i), Message: "Not a CloudEvent (a JSON object with specversion, id, source, type…)."})
		}
	}
	if e != nil {
		return nil, e
	}
	return out, nil
}

// eventFields names an event's attribute for each field of a usage record.
var eventFields = map[string]string{"idempotency_key": "id", "source": "source", "time": "time", "quantity": "data",
	"department": "subject", "subscription_id": "subject", "offering": "type", "unit": "type"}

// IngestEvents stores usage events, all or nothing: a refusal is an
// EINVALID error naming each refused event as [index].attribute. It
// returns once the events are stored (group commit).
func (s *Service) IngestEvents(ctx context.Context, p *access.Principal, events []CloudEvent) (EventReport, error) {
	if err := requireFinance(p); err != nil {
		return EventReport{}, err
	}
	now := s.Clock.Now()
	ins := make([]UsageInput, 0, len(events))
	var fields []engage.FieldError
	paths := map[string]catalog.Path{}
	for i, ev := range events {
		in, errs := s.eventUsage(ctx, now, ev, paths)
		if err := firstFatal(errs); err != nil {
			return EventReport{}, err
		}
		for _, fe := range errs {
			fields = append(fields, engage.FieldError{Field: fmt.Sprintf("[%d].%s", i, fe.Field), Message: fe.Message})
		}
		ins = append(ins, in)
	}
	if len(fields) > 0 {
		return EventReport{}, refusedEvents(len(events), fields)
	}
	rep, err := s.IngestGrouped(ctx, p, ins)
	if err != nil {
		return EventReport{}, err
	}
	if rep.Rejected > 0 {
		for _, re := range rep.Errors {
			name := eventFields[re.Field]
			if name == "" {
				name = re.Field
			}
			fields = append(fields, engage.FieldError{Field: fmt.Sprintf("[%d].%s", re.Position, name), Message: re.Message})
		}
		return EventReport{}, refusedEvents(len(events), fields)
	}
	return EventReport{Received: rep.Received, Accepted: rep.Accepted, Duplicates: rep.Duplicates}, nil
}

// firstFatal returns an error that is not about the event itself (the
// catalog could not be read).
func firstFatal(errs []engage.FieldError) error {
	for _, e := range errs {
		if e.Field == "" {
			return errors.New(e.Message)
		}
	}
	return nil
}

func refusedEvents(n int, fields []engage.FieldError) error {
	what := "event"
	if n != 1 {
		what = "events"
	}
	return &engage.Error{Code: engage.EINVALID, Fields: fields,
		Message: fmt.Sprintf("%d of %d %s cannot be taken; nothing was stored.", countEvents(fields), n, what)}
}

// countEvents counts the events the refusals name.
func countEvents(fields []engage.FieldError) int {
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Field[:strings.IndexByte(f.Field, ']')+1]] = true
	}
	return len(seen)
}

// EventKey is the usage key of an event: its source and id, unambiguous.
func EventKey(source, id string) string {
	return "ce:" + strconv.Itoa(len(source)) + ":" + source + id
}

// eventUsage turns an event into a usage record through its meter, or
// says which attributes are wrong (a field "" is a failure to read the
// catalog). paths keeps the meters' parsed value paths of a request.
func (s *Service) eventUsage(ctx context.Context, now time.Time, ev CloudEvent, paths map[string]catalog.Path) (UsageInput, []engage.FieldError) {
	var errs []engage.FieldError
	fail := func(field, format string, args ...any) {
		errs = append(errs, engage.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if ev.SpecVersion != "1.0" {
		fail("specversion", "Send CloudEvents 1.0: specversion \"1.0\", not %q.", ev.SpecVersion)
	}
	text := func(field, v string, most int) {
		switch {
		case strings.TrimSpace(v) == "":
			fail(field, "Give the event's %s.", field)
		case len(v) > most:
			fail(field, "An event's %s is at most %d characters.", field, most)
		case textenc.Storable(v) != v:
			fail(field, "The %s must be UTF-8 text without NUL characters.", field)
		}
	}
	text("id", ev.ID, maxEventID)
	text("source", ev.Source, maxEventSrc)
	in := UsageInput{IdempotencyKey: EventKey(ev.Source, ev.ID), Source: ev.Source, Time: now}
	if ev.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, ev.Time)
		if err != nil {
			fail("time", "%q is not an RFC 3339 time such as 2026-03-16T09:30:00Z.", ev.Time)
		}
		in.Time = t
	}
	kind, ref, _ := strings.Cut(ev.Subject, "/")
	switch {
	case kind == "department" && ref != "":
		in.Department = ref
	case kind == "subscription":
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil || id <= 0 {
			fail("subject", "%q names no subscription: write subscription/<id>, such as subscription/42.", ev.Subject)
		}
		in.SubscriptionID = id
	default:
		fail("subject", "%q names nobody to charge: write department/<cost-centre code> or subscription/<id>.", ev.Subject)
	}
	if ct := ev.DataContentType; ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.Contains(ct, "+json") {
		fail("datacontenttype", "Send the data as JSON (application/json), not %s.", ct)
	}
	if ev.DataBase64 != "" {
		fail("data_base64", "Send the data as JSON in data, not encoded in data_base64.")
	}
	if strings.TrimSpace(ev.Type) == "" {
		fail("type", "Give the event's type.")
		return in, errs
	}
	m, ok, err := s.Catalog.MeterOf(ctx, ev.Type)
	if err != nil {
		return in, []engage.FieldError{{Message: fmt.Sprintf("reading the meters: %v", err)}}
	}
	if !ok {
		fail("type", "No meter counts events of type %q; the catalog file declares meters under their offerings.", truncate(ev.Type, 200))
		return in, errs
	}
	in.Offering, in.Unit = strconv.FormatInt(m.OfferingID, 10), m.Unit
	if m.Aggregation == "count" {
		in.Quantity = decimal.NewFromInt(1)
		return in, errs
	}
	if len(ev.Data) == 0 || string(ev.Data) == "null" {
		fail("data", "The %s meter reads its quantity at %s in data; the event has no data.", ev.Type, m.Value)
		return in, errs
	}
	path, ok := paths[m.Value]
	if !ok {
		if path, err = catalog.ParsePath(m.Value); err == nil {
			paths[m.Value] = path
		}
	}
	if err == nil {
		in.Quantity, err = path.Read(ev.Data)
	}
	if err != nil {
		fail("data", "The %s meter reads its quantity at %s: %v.", ev.Type, m.Value, err)
	}
	return in, errs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

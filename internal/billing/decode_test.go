package billing

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"unicode/utf8"
)

var decodeSamples = []string{
	`{"idempotency_key":"a-1","time":"2026-03-01T00:00:00Z","department":"LAB","offering":"vm-hours","quantity":"1.5","unit":"unit-hour","source":"meter"}`,
	` { "idempotency_key" : "a-2" , "time" : "2026-03-01T00:00:00.123456789+01:00", "subscription_id": 42, "quantity": 2.25e2 } `,
	`{"idempotency_key":"é-ü","quantity":-0.5,"source":null,"time":null,"subscription_id":null,"quantity":7}`,
	`{}`,
	`{"idempotency_key":"x","quantity":null}`,
	// Read by encoding/json instead: escapes, other names, wrong types, bad JSON.
	`{"idempotency_key":"a\"b","quantity":1}`,
	`{"Idempotency_Key":"case","quantity":1}`,
	`{"idempotency_key":"x","extra":{"nested":[1,2]}}`,
	`{"idempotency_key":1}`,
	`{"idempotency_key":"x","subscription_id":"7"}`,
	`{"idempotency_key":"x","subscription_id":1.5}`,
	`{"idempotency_key":"x","subscription_id":99999999999999999999}`,
	`{"idempotency_key":"x","quantity":"abc"}`,
	`{"idempotency_key":"x","quantity":""}`,
	`{"idempotency_key":"x","quantity":01}`,
	`{"idempotency_key":"x","quantity":1.}`,
	`{"idempotency_key":"x","quantity":true}`,
	`{"idempotency_key":"x","time":"2026-03-01"}`,
	`{"idempotency_key":"x","time":"2026-03-01T25:00:00Z"}`,
	`{"idempotency_key":"x"} trailing`,
	`{"idempotency_key":"x",}`,
	`{"idempotency_key":"x"`,
	`{"idempotency_key":"\xff\xfe"}`,
	"{\"idempotency_key\":\"tab\there\"}",
	`[1,2]`,
	`nul`,
	``,
}

// TestUsageDecoderMatchesEncodingJSON: every sample decodes to what
// encoding/json gives, or fails when it fails; the plain ones are read
// without it.
func TestUsageDecoderMatchesEncodingJSON(t *testing.T) {
	for i, s := range decodeSamples {
		checkDecoder(t, []byte(s))
		var d UsageDecoder
		var in UsageInput
		if plain := d.plain([]byte(s), &in); plain != (i < 5) {
			t.Errorf("sample %d read plainly = %v; want %v", i, plain, i < 5)
		}
	}
}

func checkDecoder(t *testing.T, b []byte) {
	t.Helper()
	var d UsageDecoder
	var got, want UsageInput
	gotErr := d.Decode(b, &got)
	if !utf8.Valid(b) {
		// encoding/json reads such bytes as U+FFFD; a record is refused.
		if gotErr != errNotUTF8 {
			t.Fatalf("%q: %v; want it refused as not UTF-8", b, gotErr)
		}
		return
	}
	wantErr := json.Unmarshal(b, &want)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v; encoding/json says %v", b, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %+v; encoding/json gives %+v", b, got, want)
	}
}

func FuzzUsageDecoder(f *testing.F) {
	for _, s := range decodeSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecoder(t, b) })
}

var eventSamples = []string{
	`{"specversion":"1.0","id":"e-1","source":"hpc","type":"org.example.hpc.job.finished","subject":"department/CHEM","time":"2026-03-16T09:00:00Z","data":{"core_hours":1}}`,
	` { "specversion" : "1.0", "id":"é", "data": [1, {"a": null}, true, false, -1.5e3], "ext": {"x": [1]} , "datacontenttype": "application/json"} `,
	`{"id":"x","data":null,"subject":null}`,
	`{"id":"x","data":"text","data_base64":"AAA="}`,
	`{}`,
	// Read by encoding/json instead.
	`{"ID":"case"}`, `{"id":"a\"b"}`, `{"id":5}`, `{"id":"x","data":"a\nb"}`, `{"id":"x"} trailing`, `{"id":"x",}`,
	`{"Data":1}`, `{"id":"\xff"}`, `[{"id":"x"}]`, `nul`, ``, `{"id":"x","data":01}`, `{"id":"x","data":[1,]}`,
}

// TestEventDecoderMatchesEncodingJSON: an event or a batch read plainly is
// what encoding/json reads; what cannot be read plainly is left to it.
func TestEventDecoderMatchesEncodingJSON(t *testing.T) {
	for i, s := range eventSamples {
		var d UsageDecoder
		if _, plain := d.plainEvents([]byte("[" + s + "]")); plain != (i < 5) {
			t.Errorf("sample %d read plainly = %v; want %v", i, plain, i < 5)
		}
		checkEventDecoder(t, []byte(s))
		checkEventDecoder(t, []byte("["+s+"]"))
		checkEventDecoder(t, []byte("[ "+s+" , "+eventSamples[0]+"]"))
	}
}

func checkEventDecoder(t *testing.T, b []byte) {
	t.Helper()
	var d UsageDecoder
	var got, want []CloudEvent
	var ok bool
	var wantErr error
	if len(b) > 0 && b[0] == '[' {
		got, ok = d.plainEvents(b)
		wantErr = json.Unmarshal(b, &want)
	} else {
		var ev, w CloudEvent
		var end int
		end, ok = d.plainEvent(b, 0, &ev)
		ok = ok && end == len(b)
		wantErr = json.Unmarshal(b, &w)
		got, want = []CloudEvent{ev}, []CloudEvent{w}
	}
	if !ok {
		return
	}
	if wantErr != nil || !utf8.Valid(b) {
		t.Fatalf("%q: read plainly, yet encoding/json says %v", b, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %+v; encoding/json gives %+v", b, got, want)
	}
}

func FuzzEventDecoder(f *testing.F) {
	for _, s := range eventSamples {
		f.Add([]byte(s))
		f.Add([]byte("[" + s + "]"))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkEventDecoder(t, b) })
}

// benchBatch is a batch of 20 events as bench/events sends them.
func benchBatch() []byte {
	var b []byte
	b = append(b, '[')
	for i := range 20 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fmt.Sprintf(`{"specversion":"1.0","id":"bench-7-%d","source":"bench/events","type":"org.example.hpc.job.finished",`+
			`"subject":"department/CHEM","time":"2026-03-16T09:30:00Z","datacontenttype":"application/json","data":{"core_hours":1,"job":"j-%d"}}`, i, i)...)
	}
	return append(b, ']')
}

// BenchmarkDecodeEvents: a batch of 20 read plainly, and by encoding/json.
func BenchmarkDecodeEvents(b *testing.B) {
	batch := benchBatch()
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeEvents(batch, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var evs []CloudEvent
			if err := json.Unmarshal(batch, &evs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

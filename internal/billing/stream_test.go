package billing

import (
	"strings"
	"testing"

	"github.com/engagehq/engage"
)

// TestUsageReader: NDJSON and JSON arrays are read in chunks with each
// record's position, a line longer than the read buffer included; an
// unreadable record is reported at its position; a body that is not an
// array or NDJSON is an error.
func TestUsageReader(t *testing.T) {
	long := strings.Repeat("x", 600<<10)
	rec := func(key, source string) string {
		return `{"idempotency_key":"` + key + `","time":"2026-03-01T00:00:00Z","quantity":"1","unit":"unit-hour","source":"` + source + `"}`
	}
	read := func(body string, n int) ([]UsageChunk, error) {
		rd := NewUsageReader(strings.NewReader(body))
		var out []UsageChunk
		for {
			c, err := rd.Next(n)
			if err != nil {
				return out, err
			}
			if len(c.Records)+len(c.Unreadable) == 0 {
				return out, nil
			}
			// The chunk is reused by the next call: keep a copy.
			out = append(out, UsageChunk{Records: append([]UsageInput(nil), c.Records...), Positions: append([]int(nil), c.Positions...),
				Unreadable: append([]RecordError(nil), c.Unreadable...)})
		}
	}
	check := func(name string, chunks []UsageChunk, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(chunks) != 2 || len(chunks[0].Records) != 2 || len(chunks[1].Records) != 1 || len(chunks[1].Unreadable) != 1 {
			t.Fatalf("%s: chunks %+v", name, chunks)
		}
		if k := chunks[0].Records[1].IdempotencyKey; k != "b" || chunks[0].Records[1].Source != long {
			t.Fatalf("%s: second record %q with a source of %d bytes", name, k, len(chunks[0].Records[1].Source))
		}
		if chunks[1].Positions[0] != 3 || chunks[1].Records[0].IdempotencyKey != "d" || chunks[1].Unreadable[0].Position != 2 {
			t.Fatalf("%s: second chunk %+v", name, chunks[1])
		}
	}
	chunks, err := read("\n"+rec("a", "s")+"\n\n"+rec("b", long)+"\r\n{not json}\n"+rec("d", "s"), 2)
	check("NDJSON", chunks, err)
	chunks, err = read(" ["+rec("a", "s")+",\n"+rec("b", long)+", 7, "+rec("d", "s")+"] ", 2)
	check("array", chunks, err)
	// A chunk that reaches the end, then the end again.
	for _, body := range []string{"[" + rec("a", "s") + "]", rec("a", "s") + "\n"} {
		if chunks, err := read(body, 10); err != nil || len(chunks) != 1 || len(chunks[0].Records) != 1 {
			t.Errorf("%q in one chunk = %+v, %v", body, chunks, err)
		}
	}

	for _, bad := range []string{`[` + rec("a", "s") + `,`, `[` + rec("a", "s") + `] [`, `[{"a":}]`} {
		_, err := read(bad, 10)
		if fields := engage.ErrorFields(err); len(fields) != 1 || fields[0].Field != "body" {
			t.Errorf("%q: error %v; want one about the body", bad, err)
		}
	}
	if chunks, err := read("  \n", 10); err != nil || len(chunks) != 0 {
		t.Errorf("blank body = %v, %v", chunks, err)
	}
}

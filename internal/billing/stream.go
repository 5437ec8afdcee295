package billing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/engagehq/engage"
)

// UsageChunk is the next part of a stream of usage records: the records
// read, with their positions in the stream (nil: in order from where the
// last chunk ended), and those that could not be read.
type UsageChunk struct {
	Records    []UsageInput
	Positions  []int
	Unreadable []RecordError
}

// UsageReader reads usage records from a request body as it arrives: a
// JSON array of records, or NDJSON (one record a line, blank lines
// skipped). A record that cannot be read is reported by its position like
// any refused record; a body that is not a JSON array or NDJSON at all is
// an error.
type UsageReader struct {
	r     *bufio.Reader
	dec   UsageDecoder
	array *json.Decoder // set for a JSON array
	start bool
	done  bool // the end was reached
	pos   int
	line  []byte
	chunk UsageChunk
	// cut: the last line read ends the body without a line break.
	cut bool
}

// NewUsageReader reads records from r.
func NewUsageReader(r io.Reader) *UsageReader {
	return &UsageReader{r: bufio.NewReaderSize(r, 256<<10)}
}

// bodyError says why the body cannot be read; an error the body's reader
// gave already in Engage's terms (a body too large) is passed on.
func bodyError(format string, args ...any) error {
	for _, a := range args {
		var e *engage.Error
		if err, ok := a.(error); ok && errors.As(err, &e) {
			return e
		}
	}
	return &engage.Error{Code: engage.EINVALID, Message: "The body cannot be read.",
		Fields: []engage.FieldError{{Field: "body", Message: fmt.Sprintf(format, args...)}}}
}

// Next returns up to n more records; at the end, an empty chunk. The
// chunk is reused by the following call.
func (u *UsageReader) Next(n int) (UsageChunk, error) {
	c := &u.chunk
	c.Records, c.Positions, c.Unreadable = c.Records[:0], c.Positions[:0], c.Unreadable[:0]
	if !u.start {
		u.start = true
		if err := u.begin(); err != nil {
			return *c, err
		}
	}
	for !u.done && len(c.Records)+len(c.Unreadable) < n {
		raw, err := u.next()
		if err == io.EOF {
			u.done = true
			break
		}
		if err != nil {
			return *c, err
		}
		var in UsageInput
		if err := u.dec.Decode(raw, &in); err != nil && u.cut {
			// A body that breaks off in its last record is refused whole,
			// whatever partial batches are accepted.
			return *c, bodyError("Record %d is cut: the body ends in the middle of it (%v).", u.pos, err)
		} else if err != nil {
			c.Unreadable = append(c.Unreadable, RecordError{Position: u.pos, Field: "record", Message: "Cannot be read: " + err.Error()})
		} else {
			c.Records, c.Positions = append(c.Records, in), append(c.Positions, u.pos)
		}
		u.pos++
	}
	return *c, nil
}

// begin tells a JSON array from NDJSON by the first byte that is not
// white space.
func (u *UsageReader) begin() error {
	for {
		b, err := u.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bodyError("%v", err)
		}
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			continue
		}
		if err := u.r.UnreadByte(); err != nil {
			return bodyError("%v", err)
		}
		if b == '[' {
			u.array = json.NewDecoder(u.r)
			if _, err := u.array.Token(); err != nil {
				return bodyError("The body is not a JSON array of records: %v", err)
			}
		}
		return nil
	}
}

// next returns the next record's JSON, or io.EOF at the end.
func (u *UsageReader) next() ([]byte, error) {
	if u.array != nil {
		if !u.array.More() {
			if _, err := u.array.Token(); err != nil {
				return nil, bodyError("The body is not a JSON array of records: %v", err)
			}
			if _, err := u.array.Token(); err != io.EOF {
				return nil, bodyError("The body has more after its array of records.")
			}
			return nil, io.EOF
		}
		var raw json.RawMessage
		if err := u.array.Decode(&raw); err != nil {
			return nil, bodyError("The body is not a JSON array of records: %v", err)
		}
		return raw, nil
	}
	for {
		line, err := u.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it.
			u.line = append(u.line[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = u.r.ReadSlice('\n')
				u.line = append(u.line, line...)
			}
			line = u.line
		}
		if err != nil && err != io.EOF {
			return nil, bodyError("%v", err)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			u.cut = err == io.EOF && line[len(line)-1] != '\n'
			return trimmed, nil
		}
		if err == io.EOF {
			return nil, io.EOF
		}
	}
}

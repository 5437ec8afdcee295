package focus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/engagehq/engage/internal/csvfile"
)

// csvSource splits a CSV stream into records, reading CSV as RFC 4180 and
// encoding/csv (strict quotes, any number of fields) read it: fields are
// separated by commas and may be quoted, a quote in a quoted field is
// doubled, quoted fields may span lines, CRLF reads as LF, a CR just before
// the end of the file is dropped, and empty lines are skipped. It does the
// work of encoding/csv with one allocation a record and no bookkeeping of
// field positions, which the reader does not need.
type csvSource struct {
	br     *bufio.Reader
	header []string
	// line is the number of the last line read (1-based).
	line int
	// buf holds the fields of the record being read, unquoted, and ends
	// where each ends in buf.
	buf  []byte
	ends []int
	// fields are the last record's fields, reused.
	fields []string
	// long holds a line longer than the buffer of br.
	long []byte
	// cut says the file ended in the middle of a line (no line break
	// after the last one while the lines before it have one: csvfile.Cut)
	// or of a quoted field.
	cut bool
}

// Messages of malformed records, as encoding/csv words them.
const (
	errBareQuote = `bare " in non-quoted-field`
	errQuote     = `extraneous or missing " in quoted-field`
)

func newCSVSource(br *bufio.Reader, w *warnings) (*csvSource, error) {
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
		w.add(WarnBOM, 1, "")
	}
	// Look for CRLF at the end of the header line, if it fits the buffer.
	if b, _ := br.Peek(br.Size()); len(b) > 0 {
		if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
			w.add(WarnCRLF, 1, "")
		}
	}
	s := &csvSource{br: br}
	var rec record
	err := s.next(&rec)
	if err == io.EOF {
		return nil, errors.New("focus: the file is empty (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("focus: reading the header: %w", err)
	}
	s.header = append([]string(nil), rec.fields...)
	return s, nil
}

// readLine returns the next line with its LF (none at the end of the file),
// CRLF turned into LF. The line is valid until the next call. At the end of
// the file it returns an empty line and io.EOF.
func (s *csvSource) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.br.ReadSlice('\n')
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	n := len(line)
	if n == 0 {
		return nil, io.EOF
	}
	s.line++
	if err == io.EOF && csvfile.Cut(s.line-1, line[n-1] == '\n' || line[n-1] == '\r') {
		s.cut = true
	}
	switch {
	case n >= 2 && line[n-2] == '\r' && line[n-1] == '\n':
		line[n-2] = '\n'
		line = line[:n-1]
	case err == io.EOF && line[n-1] == '\r':
		line = line[:n-1]
	}
	return line, nil
}

// next reads the next record into rec: its fields and the line it starts
// on. A record that is not valid CSV is a *RowError, and reading goes on
// with the next line.
func (s *csvSource) next(rec *record) error {
	var line []byte
	for {
		var err error
		if line, err = s.readLine(); err != nil {
			return err
		}
		if len(line) > 1 || len(line) == 1 && line[0] != '\n' {
			break
		}
	}
	start := s.line
	rec.line = start
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	malformed := func(col int, msg string) error {
		return &RowError{Line: start, Message: fmt.Sprintf("malformed CSV: %s (line %d, byte %d)", msg, s.line, col+1)}
	}
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			// A quoted field: up to a quote that is not doubled.
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					s.buf = append(s.buf, line[pos:]...)
					var err error
					if line, err = s.readLine(); err == io.EOF {
						s.cut = true
						return malformed(0, errQuote)
					} else if err != nil {
						return err
					}
					pos = 0
					continue
				}
				s.buf = append(s.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					s.buf = append(s.buf, '"')
					pos++
					continue
				}
				break
			}
			s.ends = append(s.ends, len(s.buf))
			switch {
			case pos == len(line) || line[pos] == '\n':
				return s.record(rec)
			case line[pos] == ',':
				pos++
				continue
			default:
				return malformed(pos, errQuote)
			}
		}
		// A plain field: up to a comma or the end of the line.
		rest := line[pos:]
		i := bytes.IndexByte(rest, ',')
		last := i < 0
		if last {
			i = len(rest)
			if i > 0 && rest[i-1] == '\n' {
				i--
			}
		}
		if q := bytes.IndexByte(rest[:i], '"'); q >= 0 {
			return malformed(pos+q, errBareQuote)
		}
		s.buf = append(s.buf, rest[:i]...)
		s.ends = append(s.ends, len(s.buf))
		if last {
			return s.record(rec)
		}
		pos += i + 1
	}
}

// record hands the fields read to rec, as one string cut in pieces.
func (s *csvSource) record(rec *record) error {
	all := string(s.buf)
	s.fields = s.fields[:0]
	from := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, all[from:end])
		from = end
	}
	rec.fields = s.fields
	return nil
}

func (s *csvSource) close() error { return nil }

// endsCut says whether the file ended in the middle of the last record
// read.
func (s *csvSource) endsCut() bool { return s.cut }

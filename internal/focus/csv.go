package focus

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvSource splits a CSV stream into records with encoding/csv.
type csvSource struct {
	cr     *csv.Reader
	header []string
}

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
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	h, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("focus: the file is empty (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("focus: reading the header: %w", err)
	}
	return &csvSource{cr: cr, header: append([]string(nil), h...)}, nil
}

func (s *csvSource) next(rec *record) error {
	fields, err := s.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rec.line = pe.StartLine
			return &RowError{Line: pe.StartLine, Message: fmt.Sprintf("malformed CSV: %v (line %d, byte %d)", pe.Err, pe.Line, pe.Column)}
		}
		return err
	}
	rec.fields = fields
	rec.line, _ = s.cr.FieldPos(0)
	return nil
}

func (s *csvSource) close() error { return nil }

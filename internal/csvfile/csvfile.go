// Package csvfile writes and reads the CSV files Engage hands out and takes
// back, so that a file opened in a spreadsheet cannot run a formula
// someone typed into a name.
//
// A cell that a spreadsheet would take for a formula — one starting with
// =, +, -, @, a tab or a carriage return — is written with a leading
// apostrophe, which spreadsheets show as text. A cell that is a plain
// decimal number (-12.50, +3) is a number, not a formula, and is written as
// it is, so amounts stay numbers. A cell that already starts with
// apostrophes before such a character gets one more, so that Reader, which
// takes one away, gives back exactly what Writer was given: a file Engage
// exports can be imported again unchanged.
package csvfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/engagehq/engage"
)

// Writer is a csv.Writer that neutralises formula cells.
type Writer struct {
	*csv.Writer
	rec []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{Writer: csv.NewWriter(w)}
}

// Write writes one record, its formula cells made text.
func (w *Writer) Write(record []string) error {
	out := record
	for i, c := range record {
		if !needsQuote(c) {
			continue
		}
		if &out[0] == &record[0] {
			w.rec = append(w.rec[:0], record...)
			out = w.rec
		}
		out[i] = "'" + c
	}
	return w.Writer.Write(out)
}

// WriteAll writes records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// Reader is a csv.Reader that takes away the apostrophe Writer adds.
type Reader struct {
	*csv.Reader
	// RefuseCut makes the last line a *csv.ParseError wrapping ErrCut when
	// the file does not end with a line break while the lines before it do
	// (see Cut). Money imports set it.
	RefuseCut bool
	src       *endReader
}

// NewReader returns a Reader from r.
func NewReader(r io.Reader) *Reader {
	src := &endReader{r: r}
	return &Reader{Reader: csv.NewReader(src), src: src}
}

// ErrCut says a file ends in the middle of its last line.
var ErrCut = errors.New("the file ends in the middle of this line, which has no line break at its end as every line before it has: " +
	"the file was cut short (copied or downloaded in part?); a whole file ends with a line break")

// Cut says whether a file is cut short in its last line: every CSV writer
// that matters (Go, Python, pandas, spreadsheets, the cloud providers'
// exports) ends every line, the last one included, with a line break, so a
// file whose lines before the last end with one and whose last does not was
// cut — inside a field perhaps (12.3 cut to 12.), where the number of
// fields cannot tell. A file of one line (a header alone) without a line
// break has nothing cut. lineBreaks is how many line breaks precede the
// end; endsWithBreak whether the last byte is one.
func Cut(lineBreaks int, endsWithBreak bool) bool {
	return lineBreaks > 0 && !endsWithBreak
}

// endReader notes what Cut needs of the bytes it passes on.
type endReader struct {
	r     io.Reader
	n     int64 // bytes read
	lines int   // line breaks read
	last  byte
	eof   bool
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if n > 0 {
		e.n += int64(n)
		e.lines += bytes.Count(p[:n], []byte{'\n'})
		e.last = p[n-1]
	}
	if err == io.EOF {
		e.eof = true
	}
	return n, err
}

// cutHere says whether the record just read ends the file, cut: without
// a line break, or (openQuote) inside a quoted field.
func (r *Reader) cutHere(openQuote bool) bool {
	e := r.src
	if !r.RefuseCut || !e.eof || r.Reader.InputOffset() != e.n {
		return false
	}
	return openQuote || Cut(e.lines, e.last == '\n' || e.last == '\r')
}

// Read reads one record, formula cells as they were before Writer made
// them text. A cell that is not UTF-8 text, or holds a NUL character, is a
// *csv.ParseError naming its line and column: such bytes are never stored.
// With RefuseCut, a last line that is cut (see Cut), or a quoted field
// still open at the end of the file, is a *csv.ParseError wrapping ErrCut.
func (r *Reader) Read() ([]string, error) {
	rec, err := r.Reader.Read()
	var pe *csv.ParseError
	if (err == nil || errors.As(err, &pe)) && r.cutHere(pe != nil && errors.Is(pe.Err, csv.ErrQuote)) {
		line, _ := r.Reader.FieldPos(0)
		if pe != nil {
			line = pe.StartLine
		}
		return nil, &csv.ParseError{StartLine: line, Line: line, Column: 1, Err: ErrCut}
	}
	for i, c := range rec {
		if p := engage.TextProblem(c); p != "" {
			line, _ := r.Reader.FieldPos(i)
			return nil, &csv.ParseError{StartLine: line, Line: line, Column: i + 1,
				Err: fmt.Errorf("column %d: %s", i+1, strings.TrimSuffix(p, "."))}
		}
		rec[i] = Unquote(c)
	}
	return rec, err
}

// Cell returns c as Writer writes it.
func Cell(c string) string {
	if needsQuote(c) {
		return "'" + c
	}
	return c
}

// Unquote returns what Writer was given for a cell it wrote as c.
func Unquote(c string) string {
	if len(c) > 1 && c[0] == '\'' && needsQuote(c[1:]) {
		return c[1:]
	}
	return c
}

// needsQuote says whether a spreadsheet would read c as a formula (or c
// starts with apostrophes before one).
func needsQuote(c string) bool {
	i := 0
	for i < len(c) && c[i] == '\'' {
		i++
	}
	if i == len(c) {
		return false
	}
	switch c[i] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return i > 0 || !plainNumber(c)
	}
	return false
}

// plainNumber says whether s is a decimal number: an optional sign, digits
// and an optional fraction.
func plainNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

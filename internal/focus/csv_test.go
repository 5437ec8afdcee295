package focus

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// csvSeeds are inputs whose records csvSource must split as encoding/csv
// does, including the malformed ones.
var csvSeeds = []string{
	"",
	"a,b,c\n1,2,3\n",
	"a,b,c\r\n1,2,3\r\n",
	"a,b\n\n\n1,2\n\r\n3,4",
	"a,b\n1,2\r",
	"a,\"b\"\n\"x,y\",\"say \"\"hi\"\"\"\n",
	"a,b\n\"multi\nline\",2\n3,4\n",
	"a,b\n\"multi\r\nline\r\n\",2\r\n",
	"a,b\n1,x\"y\n2,3\n",
	"a,b\n\"1\"x,2\n3,4\n",
	"a,b\n\"never closed,2\n3,4\n",
	"a,b\n1,\"\"\n,\n,,,\n",
	"a\n\"\"\"\"\n\"\n\"\n",
	"a,b\n1,2,\n\"x\"\r\n",
	"a,b\n\"x\"\"\n",
	"x\ry,z\n",
	"\r",
	"a\n\"x\n\r",
	"\"a\nb\"",
	strings.Repeat("long,", 40) + "\n" + strings.Repeat("\"q\"\"uoted\",", 30) + "end\n",
	"a,b\n  \"1\",2\n",
}

// splitStd splits in with encoding/csv, one string per record: its line
// and fields, or its line and "malformed".
func splitStd(in string) []string {
	cr := csv.NewReader(strings.NewReader(in))
	cr.FieldsPerRecord = -1
	var out []string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			out = append(out, fmt.Sprintf("%d malformed", pe.StartLine))
			continue
		}
		if err != nil {
			return append(out, "error "+err.Error())
		}
		line, _ := cr.FieldPos(0)
		out = append(out, fmt.Sprintf("%d %q", line, rec))
	}
}

// splitOurs splits in with csvSource, with the smallest buffer bufio
// allows so that long lines are read in pieces.
func splitOurs(in string) []string {
	s := &csvSource{br: bufio.NewReaderSize(strings.NewReader(in), 16)}
	var out []string
	for {
		var rec record
		err := s.next(&rec)
		if err == io.EOF {
			return out
		}
		var re *RowError
		if errors.As(err, &re) {
			if !strings.HasPrefix(re.Message, "malformed CSV: ") {
				return append(out, "unexpected message "+re.Message)
			}
			out = append(out, fmt.Sprintf("%d malformed", re.Line))
			continue
		}
		if err != nil {
			return append(out, "error "+err.Error())
		}
		out = append(out, fmt.Sprintf("%d %q", rec.line, rec.fields))
	}
}

func TestCSVSplitsAsEncodingCSV(t *testing.T) {
	for _, in := range csvSeeds {
		if got, want := splitOurs(in), splitStd(in); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q:\n got %v\nwant %v", in, got, want)
		}
	}
	// The records are kept apart: a record's fields survive the next read.
	s := &csvSource{br: bufio.NewReaderSize(strings.NewReader("a,b\nc,d\n"), 16)}
	var r1, r2 record
	if err := s.next(&r1); err != nil {
		t.Fatal(err)
	}
	first := r1.fields[0] + r1.fields[1]
	if err := s.next(&r2); err != nil {
		t.Fatal(err)
	}
	if first != "ab" || r2.fields[0]+r2.fields[1] != "cd" || r2.line != 2 {
		t.Errorf("records %q then %q (line %d)", first, r2.fields, r2.line)
	}
}

func FuzzCSV(f *testing.F) {
	for _, in := range csvSeeds {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := splitOurs(in), splitStd(in); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q:\n got %v\nwant %v", in, got, want)
		}
	})
}

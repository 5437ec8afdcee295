package focus

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetSource turns the rows of a Parquet file into text records, so that
// they go through the same checks as CSV. Top-level leaf columns are fields;
// a Tags column may be a JSON string or a MAP of strings.
type parquetSource struct {
	file   *parquet.File
	names  []string // per leaf column; "" for the leaves of a Tags map
	leaves []parquet.LeafColumn
	used   []bool
	fields []string

	tagKey, tagVal int // leaf columns of a Tags map, -1 when none
	tagDef         int // definition level of a present map entry
	keys, vals     []string

	groups  []parquet.RowGroup
	gi      int
	rows    parquet.Rows
	rowsEOF bool
	buf     []parquet.Row
	n, pos  int
	rowNum  int

	w *warnings
}

func newParquetSource(ra io.ReaderAt, size int64, w *warnings) (*parquetSource, error) {
	f, err := parquet.OpenFile(ra, size)
	if err != nil {
		return nil, fmt.Errorf("focus: opening Parquet: %w", err)
	}
	schema := f.Schema()
	paths := schema.Columns()
	p := &parquetSource{
		file:   f,
		names:  make([]string, len(paths)),
		leaves: make([]parquet.LeafColumn, len(paths)),
		used:   make([]bool, len(paths)),
		fields: make([]string, len(paths)),
		tagKey: -1,
		tagVal: -1,
		groups: f.RowGroups(),
		buf:    make([]parquet.Row, 128),
		w:      w,
	}
	for _, path := range paths {
		leaf, ok := schema.Lookup(path...)
		if !ok {
			continue
		}
		i := leaf.ColumnIndex
		p.leaves[i] = leaf
		switch {
		case len(path) == 1 && leaf.MaxRepetitionLevel == 0:
			p.names[i] = path[0]
		case len(path) == 3 && strings.EqualFold(path[0], "Tags") && path[2] == "key":
			p.tagKey, p.tagDef = i, leaf.MaxDefinitionLevel
		case len(path) == 3 && strings.EqualFold(path[0], "Tags") && path[2] == "value":
			p.tagVal = i
		case len(path) == 1:
			p.names[i] = path[0] + " (repeated)"
		default:
			p.names[i] = strings.Join(path, ".")
		}
	}
	if (p.tagKey < 0) != (p.tagVal < 0) {
		return nil, fmt.Errorf("focus: Parquet column Tags is neither a string nor a map of strings")
	}
	if p.tagKey >= 0 {
		for i, n := range p.names {
			if strings.EqualFold(n, "Tags") {
				return nil, fmt.Errorf("focus: Parquet file has two Tags columns (%q and a map)", p.names[i])
			}
		}
	}
	return p, nil
}

// bind marks the columns the layout uses, so that no time is spent on the
// others.
func (p *parquetSource) bind(l *layout) {
	for f, i := range l.col {
		if i < 0 {
			continue
		}
		p.used[i] = true
		if isMoney(f) {
			switch p.leaves[i].Node.Type().Kind() {
			case parquet.Float, parquet.Double:
				p.w.add(WarnFloatColumn, 1, fieldNames[f])
			}
		}
	}
}

func (p *parquetSource) fill() error {
	for {
		if p.rows != nil && p.rowsEOF {
			p.rows.Close()
			p.rows = nil
		}
		if p.rows == nil {
			if p.gi >= len(p.groups) {
				return io.EOF
			}
			p.rows = p.groups[p.gi].Rows()
			p.rowsEOF = false
			p.gi++
		}
		n, err := p.rows.ReadRows(p.buf)
		p.n, p.pos = n, 0
		if err == io.EOF {
			p.rowsEOF = true
		} else if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

func (p *parquetSource) next(rec *record) error {
	for p.pos >= p.n {
		if err := p.fill(); err != nil {
			return err
		}
	}
	row := p.buf[p.pos]
	p.pos++
	p.rowNum++
	rec.line = p.rowNum
	for i := range p.fields {
		p.fields[i] = ""
	}
	p.keys, p.vals = p.keys[:0], p.vals[:0]
	for _, v := range row {
		c := v.Column()
		switch {
		case c == p.tagKey:
			if v.DefinitionLevel() == p.tagDef {
				p.keys = append(p.keys, p.text(c, v))
			}
		case c == p.tagVal:
			if v.DefinitionLevel() >= p.tagDef {
				s := ""
				if !v.IsNull() {
					s = p.text(c, v)
				}
				p.vals = append(p.vals, s)
			}
		case c >= 0 && c < len(p.used) && p.used[c] && !v.IsNull():
			p.fields[c] = p.text(c, v)
		}
	}
	rec.fields = p.fields
	rec.tags, rec.tagsSet = nil, p.tagKey >= 0
	if rec.tagsSet && len(p.keys) > 0 {
		if len(p.keys) != len(p.vals) {
			return &RowError{Line: rec.line, Column: "Tags", Message: "map keys and values do not pair"}
		}
		rec.tags = make(map[string]string, len(p.keys))
		for i, k := range p.keys {
			rec.tags[k] = p.vals[i]
		}
	}
	return nil
}

// text renders a Parquet value as the text a CSV file would hold.
func (p *parquetSource) text(c int, v parquet.Value) string {
	typ := p.leaves[c].Node.Type()
	lt := typ.LogicalType()
	switch typ.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32, parquet.Int64:
		var n int64
		if typ.Kind() == parquet.Int32 {
			n = int64(v.Int32())
		} else {
			n = v.Int64()
		}
		if lt != nil {
			switch t := lt.Value.(type) {
			case *format.DecimalType:
				return scaled(big.NewInt(n), int(t.Scale))
			case *format.DateType:
				return time.Unix(n*86400, 0).UTC().Format(time.DateOnly)
			case *format.TimestampType:
				var tm time.Time
				switch t.Unit.Value.(type) {
				case *format.MilliSeconds:
					tm = time.UnixMilli(n)
				case *format.MicroSeconds:
					tm = time.UnixMicro(n)
				default:
					tm = time.Unix(0, n)
				}
				if t.IsAdjustedToUTC {
					return tm.UTC().Format(time.RFC3339Nano)
				}
				return tm.UTC().Format("2006-01-02T15:04:05.999999999")
			}
		}
		return strconv.FormatInt(n, 10)
	case parquet.Int96:
		// Legacy timestamps: nanoseconds of the day and a Julian day.
		x := v.Int96()
		nanos := int64(x[1])<<32 | int64(x[0])
		days := int64(x[2]) - 2440588
		return time.Unix(days*86400, nanos).UTC().Format(time.RFC3339Nano)
	case parquet.Float:
		return formatFloat(float64(v.Float()), 32)
	case parquet.Double:
		return formatFloat(v.Double(), 64)
	default: // byte arrays
		b := v.ByteArray()
		if lt != nil {
			if t, ok := lt.Value.(*format.DecimalType); ok {
				return scaled(twosComplement(b), int(t.Scale))
			}
		}
		return string(b)
	}
}

// formatFloat writes the shortest decimal that reads back as f, without an
// exponent. NaN and infinities come out as text that is not a number.
func formatFloat(f float64, bits int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// scaled writes unscaled × 10^-scale as a plain decimal.
func scaled(unscaled *big.Int, scale int) string {
	s := unscaled.String()
	if scale <= 0 {
		return s + strings.Repeat("0", -scale)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	if neg {
		s = "-" + s
	}
	return s
}

// twosComplement reads a big-endian two's complement integer.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

func (p *parquetSource) close() error {
	if p.rows != nil {
		err := p.rows.Close()
		p.rows = nil
		return err
	}
	return nil
}

package page

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/engagehq/engage/internal/csvfile"
)

// StartCSV sets the headers of a CSV download called filename and returns
// the writer of its rows.
func StartCSV(w http.ResponseWriter, filename string) *csvfile.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	return csvfile.NewWriter(w)
}

// UpperFirst capitalises the first letter of an ASCII text, such as a
// file's "line 4" heading its mistake.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

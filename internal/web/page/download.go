package page

import (
	"fmt"
	"net/http"

	"github.com/engagehq/engage/internal/csvfile"
)

// Attachment sets the headers of a file the browser saves rather than
// shows: its content type and its name.
func Attachment(w http.ResponseWriter, contentType, filename string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
}

// CSVFile starts a CSV file named filename as the answer, and returns the
// writer of its rows.
func CSVFile(w http.ResponseWriter, filename string) *csvfile.Writer {
	Attachment(w, "text/csv; charset=utf-8", filename)
	return csvfile.NewWriter(w)
}

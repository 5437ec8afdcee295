package billingpages

import (
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage"
)

// TestImportFieldErrors: an import refused for its size says so on the
// file with the limit; the options' errors stay beside the options and
// everything about the file goes on the file, line by line.
func TestImportFieldErrors(t *testing.T) {
	errs := importFieldErrors(&http.MaxBytesError{Limit: 16})
	if len(errs) != 1 || errs[0].Field != "file" || !strings.Contains(errs[0].Message, "larger than Engage accepts (16 bytes)") {
		t.Errorf("too large: %+v", errs)
	}
	err := &engage.Error{Code: engage.EINVALID, Message: "The file could not be imported.",
		Fields: []engage.FieldError{{Field: "basis", Message: "Choose billed or effective."}, {Field: "line 3", Message: "no currency"}}}
	errs = importFieldErrors(err)
	if len(errs) != 2 || errs[0].Field != "file" || errs[0].Message != "The file could not be imported. Line 3: no currency." ||
		errs[1].Field != "basis" {
		t.Errorf("refused: %+v", errs)
	}
	if importFieldErrors(engage.Errorf(engage.EINTERNAL, "broken")) != nil {
		t.Error("an internal error is not the form's")
	}
}

package api

import (
	"os"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/focus"
)

// TestSpoolLimit: an upload over its limit is refused as too large and
// leaves no temporary file; one within it is stored whole.
func TestSpoolLimit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, _, err := focus.Spool(&limitedBody{r: strings.NewReader(strings.Repeat("x", 11)), max: 10, hint: "at most %d MiB"})
	if engage.ErrorCode(err) != engage.ETOOLARGE || engage.HTTPStatus(err) != 413 {
		t.Errorf("over the limit: %v (code %q)", err, engage.ErrorCode(err))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	f, remove, err := focus.Spool(&limitedBody{r: strings.NewReader(strings.Repeat("x", 10)), max: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	if st, _ := f.Stat(); st.Size() != 10 {
		t.Errorf("stored %d bytes", st.Size())
	}
}

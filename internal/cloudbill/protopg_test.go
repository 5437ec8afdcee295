package cloudbill_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/dbtest"
)

func clusterCPU(ppid int) time.Duration {
	entries, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		s = s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(s)
		pp, _ := strconv.Atoi(f[1])
		if pp != ppid && pid != ppid {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(u+st) * 10 * time.Millisecond
	}
	return total
}

func TestProtoPGImport(t *testing.T) {
	ppid, _ := strconv.Atoi(os.Getenv("PGPID"))
	d := dbtest.OpenPostgres(t)
	f := setup(t, d)
	benchRules(f)
	for _, q := range strings.Split(os.Getenv("SQL"), ";") {
		if strings.TrimSpace(q) != "" {
			f.exec(q)
		}
	}
	const rows = 200000
	path := t.TempDir() + "/f.csv"
	writeSynth(t, path, 0, rows)
	file, _ := os.Open(path)
	defer file.Close()
	start, c0, s0 := time.Now(), processCPU(), clusterCPU(ppid)
	rep, err := f.s.Import(f.ctx, f.finance, "f.csv", file, cloudbill.ImportOptions{})
	if err != nil || rep.Added != rows {
		t.Fatal(err, rep.Added)
	}
	el, c, sv := time.Since(start), processCPU()-c0, clusterCPU(ppid)-s0
	t.Logf("wall %.2fus/row, client cpu %.2fus/row, server cpu %.2fus/row", float64(el.Microseconds())/rows, float64(c.Microseconds())/rows, float64(sv.Microseconds())/rows)
}

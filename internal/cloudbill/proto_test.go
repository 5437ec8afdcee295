package cloudbill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/dbtest"
)

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestProtoReal(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	ctx := context.Background()
	v := os.Getenv("V")
	B, _ := strconv.Atoi(os.Getenv("B"))
	if B == 0 {
		B = 400
	}
	conn, _ := d.SQL().Conn(ctx)
	defer conn.Close()
	conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY")
	if !strings.Contains(v, "smallcache") {
		conn.ExecContext(ctx, "PRAGMA cache_size = -65536")
	}
	fpType := "TEXT"
	if strings.Contains(v, "blob") {
		fpType = "BLOB"
	}
	uniq := "UNIQUE"
	if strings.Contains(v, "nouniq") {
		uniq = ""
	}
	conn.ExecContext(ctx, `CREATE TABLE pc (id INTEGER PRIMARY KEY, fingerprint `+fpType+` NOT NULL `+uniq+`, import_id INTEGER NOT NULL, line INTEGER NOT NULL,
    period TEXT NOT NULL, provider TEXT NOT NULL, billing_account_id TEXT NOT NULL, sub_account_id TEXT NOT NULL, sub_account_name TEXT NOT NULL,
    service_name TEXT NOT NULL, service_category TEXT NOT NULL, resource_id TEXT NOT NULL, resource_name TEXT NOT NULL, charge_category TEXT NOT NULL,
    charge_description TEXT NOT NULL, billed_cost TEXT NOT NULL, effective_cost TEXT NOT NULL, currency TEXT NOT NULL,
    charge_period_start TIMESTAMP NOT NULL, charge_period_end TIMESTAMP NOT NULL, tags TEXT NOT NULL DEFAULT '{}')`)
	if !strings.Contains(v, "noperiod") {
		conn.ExecContext(ctx, "CREATE INDEX pc_period ON pc(period)")
	}
	const N = 200000
	fps := make([]any, N)
	for i := range N {
		h := sha256.Sum256([]byte(strconv.Itoa(i)))
		if fpType == "BLOB" {
			fps[i] = h[:]
		} else {
			fps[i] = hex.EncodeToString(h[:])
		}
	}
	res := make([]string, N)
	for i := range N {
		res[i] = "arn:aws:ec2:us-east-1:123456789012:instance/i-" + strconv.FormatInt(int64(1000000000+i), 16)
	}
	tx, _ := conn.BeginTx(ctx, nil)
	idcol, idph := "id, ", "?,"
	if strings.Contains(v, "noid") {
		idcol, idph = "", ""
	}
	ret := ""
	if strings.Contains(v, "ret") {
		ret = " RETURNING id"
	}
	verb := "INSERT OR IGNORE"
	conf := ""
	if strings.Contains(v, "fail") {
		verb, conf = "INSERT OR FAIL", " ON CONFLICT (fingerprint) DO NOTHING"
	}
	q := verb + " INTO pc(" + idcol + "fingerprint, import_id, line, period, provider, billing_account_id, sub_account_id, sub_account_name, service_name, service_category, resource_id, resource_name, charge_category, charge_description, billed_cost, effective_cost, currency, charge_period_start, charge_period_end, tags) VALUES " + strings.TrimSuffix(strings.Repeat("("+idph+"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?),", B), ",") + conf + ret
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	start, c0 := time.Now(), selfCPU()
	args := make([]any, 0, 21*B)
	for b := 0; b < N/B; b++ {
		args = args[:0]
		for i := b * B; i < (b+1)*B; i++ {
			if idph != "" {
				args = append(args, int64(i+1))
			}
			args = append(args, fps[i], int64(1), int64(i+2), "2024-09", "AWS", "123456789012", "100000000012", "Team 12", "Amazon Elastic Compute Cloud", "Compute",
				res[i], "web-12", "Usage", "$0.0416 per On Demand Linux t3.medium Instance Hour", "0.00000012345", "0.00000012345", "USD",
				"2024-09-01 00:00:00+00:00", "2024-09-01 01:00:00+00:00", `{"application":"app1","business_unit":"bu3","environment":"prod"}`)
		}
		if ret != "" {
			rows, err := st.QueryContext(ctx, args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
			}
			rows.Close()
		} else if _, err := st.ExecContext(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	tx.Commit()
	t.Logf("%s: %.2fus/row wall, %.2fus/row cpu", v, float64(time.Since(start).Microseconds())/N, float64((selfCPU()-c0).Microseconds())/N)
}

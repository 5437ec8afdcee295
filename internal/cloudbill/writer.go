package cloudbill

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// inTx runs fn in one transaction, committed when fn returns nil. Unlike
// db.Transact it never runs fn twice: an import's input cannot be read
// again. Imports and reallocations take turns, and write many rows.
func (s *Service) inTx(ctx context.Context, fn func(t *db.Tx) error) error {
	return s.DB.TransactOnce(ctx, fn, db.BulkWrite(), db.Holding(db.LockCloudImport))
}

// row is a charge on its way to the database, with its allocation.
type row struct {
	importID                                                    int64
	line                                                        int
	key                                                         db.Key // the first bytes of the fingerprint
	period, provider, billingAccountID                          string
	subAccountID, subAccountName, serviceName, serviceCategory  string
	resourceID, resourceName, chargeCategory, chargeDescription string
	currency, tags                                              string
	billed, effective                                           decimal.Decimal
	start, end                                                  time.Time
	parts                                                       []part
	added                                                       bool

	// body is the charge as batches store it (see batches.go), when it is
	// already written: a reallocated charge keeps its stored text.
	body []byte
}

func (s *Service) batchRows() int {
	if s.BatchRows > 0 {
		return s.BatchRows
	}
	return 1000
}

func (s *Service) batchCharges() int {
	if s.BatchCharges > 0 {
		return s.BatchCharges
	}
	return 10000
}

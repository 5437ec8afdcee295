// Package focussynth writes realistic synthetic FOCUS 1.0 cloud bills of any
// size, as bytes or as a stream that is never held in memory, for
// benchmarks and tests of the FOCUS reader and the cloud-bill import.
package focussynth

import (
	"io"
	"strconv"
	"time"
)

// Header is the FOCUS 1.0 layout of the FinOps Foundation sample (43
// columns) plus an x_ column.
const Header = "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart," +
	"ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory," +
	"CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,CommitmentDiscountType,ConsumedQuantity,ConsumedUnit," +
	"ContractedCost,ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity," +
	"PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName," +
	"SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags,x_Operation\n"

// Services are the services the rows cycle through.
var Services = []struct{ Name, Category, Unit string }{
	{"Amazon Elastic Compute Cloud", "Compute", "Hours"},
	{"Amazon Simple Storage Service", "Storage", "GB-Mo"},
	{"Elastic Load Balancing", "Networking", "LCU-Hours"},
	{"Amazon Relational Database Service", "Databases", "Hours"},
}

// AppendRow appends a realistic FOCUS row i (about 700 bytes) of the
// month. Every row is distinct; costs have 11 decimals like real exports.
func AppendRow(b []byte, month time.Time, i int) []byte {
	svc := Services[i%len(Services)]
	start := month.Add(time.Duration(i%(28*24)) * time.Hour)
	end := start.Add(time.Hour)
	next := month.AddDate(0, 1, 0)
	cost := strconv.FormatFloat(float64(i%100000)/1e7+0.00000001, 'f', 11, 64)
	qty := strconv.Itoa(1 + i%7)
	sub := strconv.Itoa(100000000000 + i%73)
	b = append(b, "us-east-1a,"...)
	b = append(b, cost...)
	b = append(b, ",123456789012,Acme Payer,USD,"...)
	b = next.AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = month.AppendFormat(b, time.RFC3339)
	b = append(b, ",Usage,,"...)
	b = append(b, `"$0.0416 per On Demand Linux t3.medium Instance Hour",Usage-Based,`...)
	b = end.AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = start.AppendFormat(b, time.RFC3339)
	b = append(b, ",,,,,,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.Unit...)
	b = append(b, ',')
	b = append(b, cost...)
	b = append(b, ",0.0416,"...)
	b = append(b, cost...)
	b = append(b, ",Amazon Web Services Inc.,"...)
	b = append(b, cost...)
	b = append(b, ",0.0416,Standard,"...)
	b = append(b, qty...)
	b = append(b, ',')
	b = append(b, svc.Unit...)
	b = append(b, ",AWS,Amazon Web Services Inc.,us-east-1,US East (N. Virginia),arn:aws:ec2:us-east-1:123456789012:instance/i-"...)
	b = strconv.AppendInt(b, int64(1000000000+i), 16)
	b = append(b, ",web-"...)
	b = strconv.AppendInt(b, int64(i%5000), 10)
	b = append(b, ",Instance,"...)
	b = append(b, svc.Category...)
	b = append(b, ',')
	b = append(b, svc.Name...)
	b = append(b, ",G95FST5FTYV3JSRX,G95FST5FTYV3JSRX.JRTCKXETXF.6YS6EN2CT7,"...)
	b = append(b, sub...)
	b = append(b, ",Team "...)
	b = append(b, sub[len(sub)-2:]...)
	b = append(b, `,"{""application"": ""app`...)
	b = strconv.AppendInt(b, int64(i%40), 10)
	b = append(b, `"", ""environment"": ""prod"", ""business_unit"": ""bu`...)
	b = strconv.AppendInt(b, int64(i%9), 10)
	b = append(b, `""}",RunInstances`...)
	b = append(b, '\n')
	return b
}

// Stream generates a FOCUS CSV of n rows while it is read, so that a
// file of any size is imported without ever being in memory.
type Stream struct {
	// Month is the month of the charges (its first instant, UTC); From
	// is the number of the first row and N how many rows there are.
	Month   time.Time
	From, N int
	i       int
	buf     []byte
	off     int
	started bool
}

func (s *Stream) Read(p []byte) (int, error) {
	if s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
		if !s.started {
			s.buf = append(s.buf, Header...)
			s.started = true
		}
		for k := 0; k < 64 && s.i < s.N; k++ {
			s.buf = AppendRow(s.buf, s.Month, s.From+s.i)
			s.i++
		}
		if len(s.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

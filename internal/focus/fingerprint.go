package focus

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// fingerprintVersion starts the hashed content; change it when the encoding
// or the set of fields changes, since stored fingerprints would no longer
// match.
const fingerprintVersion = "focus-row-v1"

// contentHash hashes the normalised content of r: every field but Line and
// Fingerprint, each length-prefixed so that no two rows encode alike.
// Decimals are hashed by value (1.50 and 1.5 match), times as UTC instants,
// tags sorted by key.
func contentHash(buf []byte, r *Row) ([sha256.Size]byte, []byte) {
	b := append(buf[:0], fingerprintVersion...)
	for _, s := range [...]string{
		r.BillingAccountId, r.BillingAccountName, r.SubAccountId, r.SubAccountName,
		r.ProviderName, r.PublisherName, r.InvoiceIssuerName, r.InvoiceId, r.BillingCurrency,
	} {
		b = appendString(b, s)
	}
	b = appendDecimal(b, r.BilledCost, true)
	b = appendDecimal(b, r.EffectiveCost, true)
	b = appendDecimal(b, r.ListCost.Decimal, r.ListCost.Valid)
	b = appendDecimal(b, r.ContractedCost.Decimal, r.ContractedCost.Valid)
	for _, t := range [...]time.Time{r.BillingPeriodStart, r.BillingPeriodEnd, r.ChargePeriodStart, r.ChargePeriodEnd} {
		b = appendTime(b, t)
	}
	for _, s := range [...]string{
		r.ChargeCategory, r.ChargeClass, r.ChargeDescription, r.ChargeFrequency,
		r.ServiceName, r.ServiceCategory, r.RegionId, r.RegionName,
		r.ResourceId, r.ResourceName, r.ResourceType, r.SkuId, r.SkuPriceId, r.CommitmentDiscountId,
		r.ConsumedUnit, r.PricingUnit,
	} {
		b = appendString(b, s)
	}
	b = appendDecimal(b, r.ConsumedQuantity.Decimal, r.ConsumedQuantity.Valid)
	b = appendDecimal(b, r.PricingQuantity.Decimal, r.PricingQuantity.Valid)
	b = binary.AppendUvarint(b, uint64(len(r.Tags)))
	if len(r.Tags) > 0 {
		var arr [16]string
		keys := arr[:0]
		for k := range r.Tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = appendString(b, k)
			b = appendString(b, r.Tags[k])
		}
	}
	return sha256.Sum256(b), b
}

// fingerprint turns a content hash and the number of earlier rows of the
// file with the same content into the row's fingerprint. The first
// occurrence's fingerprint is the content hash itself.
func fingerprint(h [sha256.Size]byte, occurrence uint32) [sha256.Size]byte {
	if occurrence > 0 {
		var b [sha256.Size + 1 + binary.MaxVarintLen32]byte
		n := copy(b[:], h[:])
		b[n] = '#'
		n++
		n += binary.PutUvarint(b[n:], uint64(occurrence))
		h = sha256.Sum256(b[:n])
	}
	return h
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// appendDecimal writes a decimal by value: its coefficient without trailing
// zeros and the matching exponent (so 1216 and 1216.000000000000000 encode
// alike), independent of the package's global formatting settings.
func appendDecimal(b []byte, d decimal.Decimal, valid bool) []byte {
	if !valid {
		return append(b, 0)
	}
	b = append(b, 1)
	if d.NumDigits() > 18 {
		d = d.Normalize() // may fit 18 digits once trailing zeros are gone
	}
	if d.NumDigits() <= 18 {
		m, e := d.CoefficientInt64(), d.Exponent()
		if m == 0 {
			e = 0
		}
		for m != 0 && m%10 == 0 {
			m /= 10
			e++
		}
		b = binary.AppendVarint(b, m)
		return binary.AppendVarint(b, int64(e))
	}
	b = append(b, 'b')
	b = d.Coefficient().Append(b, 10)
	return binary.AppendVarint(b, int64(d.Exponent()))
}

// seenSet remembers the 64-bit prefixes of the content hashes of a file's
// rows, to tell duplicates. It costs about 11 to 21 bytes per row: a file of
// ten million rows needs under 210 MB. It is an open-addressing table split
// in shards so that growing one never needs twice the whole memory.
type seenSet struct {
	shards [256]seenShard
	extra  map[uint64]uint32 // occurrences beyond the first, for duplicates
}

type seenShard struct {
	slots []uint64
	n     int
}

// add records key and returns how many times it was seen before.
func (s *seenSet) add(key uint64) uint32 {
	if key == 0 {
		key = 1 // 0 marks an empty slot
	}
	sh := &s.shards[key>>56]
	if sh.n+1 > len(sh.slots)*3/4 {
		sh.grow()
	}
	mask := uint64(len(sh.slots) - 1)
	for i := (key * 0x9E3779B97F4A7C15) & mask; ; i = (i + 1) & mask {
		switch sh.slots[i] {
		case 0:
			sh.slots[i] = key
			sh.n++
			return 0
		case key:
			if s.extra == nil {
				s.extra = map[uint64]uint32{}
			}
			s.extra[key]++
			return s.extra[key]
		}
	}
}

func (sh *seenShard) grow() {
	size := 2 * len(sh.slots)
	if size == 0 {
		size = 64
	}
	old := sh.slots
	sh.slots = make([]uint64, size)
	mask := uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := (k * 0x9E3779B97F4A7C15) & mask
		for sh.slots[i] != 0 {
			i = (i + 1) & mask
		}
		sh.slots[i] = k
	}
}

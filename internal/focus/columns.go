package focus

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMissingColumn is wrapped by the error NewReader returns for a file that
// lacks a required column.
var ErrMissingColumn = errors.New("focus: missing required column")

// Field ids of the columns a Reader uses.
const (
	fBillingAccountId = iota
	fBillingAccountName
	fSubAccountId
	fSubAccountName
	fProviderName
	fServiceProviderName
	fPublisherName
	fInvoiceIssuerName
	fInvoiceId
	fBillingCurrency
	fBilledCost
	fEffectiveCost
	fListCost
	fContractedCost
	fBillingPeriodStart
	fBillingPeriodEnd
	fChargePeriodStart
	fChargePeriodEnd
	fChargeCategory
	fChargeClass
	fChargeDescription
	fChargeFrequency
	fServiceName
	fServiceCategory
	fRegionId
	fRegionName
	fResourceId
	fResourceName
	fResourceType
	fSkuId
	fSkuPriceId
	fCommitmentDiscountId
	fConsumedQuantity
	fConsumedUnit
	fPricingQuantity
	fPricingUnit
	fTags
	numFields
)

var fieldNames = [numFields]string{
	fBillingAccountId:     "BillingAccountId",
	fBillingAccountName:   "BillingAccountName",
	fSubAccountId:         "SubAccountId",
	fSubAccountName:       "SubAccountName",
	fProviderName:         "ProviderName",
	fServiceProviderName:  "ServiceProviderName",
	fPublisherName:        "PublisherName",
	fInvoiceIssuerName:    "InvoiceIssuerName",
	fInvoiceId:            "InvoiceId",
	fBillingCurrency:      "BillingCurrency",
	fBilledCost:           "BilledCost",
	fEffectiveCost:        "EffectiveCost",
	fListCost:             "ListCost",
	fContractedCost:       "ContractedCost",
	fBillingPeriodStart:   "BillingPeriodStart",
	fBillingPeriodEnd:     "BillingPeriodEnd",
	fChargePeriodStart:    "ChargePeriodStart",
	fChargePeriodEnd:      "ChargePeriodEnd",
	fChargeCategory:       "ChargeCategory",
	fChargeClass:          "ChargeClass",
	fChargeDescription:    "ChargeDescription",
	fChargeFrequency:      "ChargeFrequency",
	fServiceName:          "ServiceName",
	fServiceCategory:      "ServiceCategory",
	fRegionId:             "RegionId",
	fRegionName:           "RegionName",
	fResourceId:           "ResourceId",
	fResourceName:         "ResourceName",
	fResourceType:         "ResourceType",
	fSkuId:                "SkuId",
	fSkuPriceId:           "SkuPriceId",
	fCommitmentDiscountId: "CommitmentDiscountId",
	fConsumedQuantity:     "ConsumedQuantity",
	fConsumedUnit:         "ConsumedUnit",
	fPricingQuantity:      "PricingQuantity",
	fPricingUnit:          "PricingUnit",
	fTags:                 "Tags",
}

// isMoney tells the fields whose Parquet floating-point type is worth a
// warning.
func isMoney(f int) bool {
	switch f {
	case fBilledCost, fEffectiveCost, fListCost, fContractedCost:
		return true
	}
	return false
}

// otherColumns are the FOCUS 1.0 to 1.3 columns a Reader does not use. They
// are ignored silently; any other column not starting with x_ is counted as
// unknown.
var otherColumns = []string{
	"AvailabilityZone", "BillingAccountType", "SubAccountType",
	"CapacityReservationId", "CapacityReservationStatus",
	"CommitmentDiscountCategory", "CommitmentDiscountName", "CommitmentDiscountQuantity",
	"CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit",
	"ContractedUnitPrice", "ListUnitPrice", "PricingCategory", "PricingCurrency",
	"PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
	"ServiceSubcategory", "SkuMeter", "SkuPriceDetails", "HostProviderName",
	"AllocatedMethodId", "AllocatedMethodDetails", "AllocatedResourceId", "AllocatedResourceName",
	"AllocatedTags", "ContractApplied",
}

// versionMarkers are the columns introduced by each FOCUS version.
var versionMarkers = map[string]string{
	"chargeclass": "1.0", "commitmentdiscountstatus": "1.0", "contractedcost": "1.0",
	"contractedunitprice": "1.0", "regionid": "1.0", "regionname": "1.0",

	"capacityreservationid": "1.1", "capacityreservationstatus": "1.1",
	"commitmentdiscountquantity": "1.1", "commitmentdiscountunit": "1.1",
	"servicesubcategory": "1.1", "skumeter": "1.1", "skupricedetails": "1.1",

	"billingaccounttype": "1.2", "subaccounttype": "1.2", "invoiceid": "1.2",
	"pricingcurrency": "1.2", "pricingcurrencycontractedunitprice": "1.2",
	"pricingcurrencyeffectivecost": "1.2", "pricingcurrencylistunitprice": "1.2",

	"serviceprovidername": "1.3", "hostprovidername": "1.3", "allocatedmethodid": "1.3",
	"allocatedmethoddetails": "1.3", "allocatedresourceid": "1.3", "allocatedresourcename": "1.3",
	"allocatedtags": "1.3", "contractapplied": "1.3",
}

var (
	fieldByLower = map[string]int{}
	otherByLower = map[string]bool{}
)

func init() {
	for f, n := range fieldNames {
		fieldByLower[strings.ToLower(n)] = f
	}
	for _, n := range otherColumns {
		otherByLower[strings.ToLower(n)] = true
	}
}

// layout is what a header says: where each used field is and what to warn
// about once.
type layout struct {
	col     [numFields]int // index in the record, -1 when absent
	ncols   int
	names   []string // the header's names, as written
	version string
	unknown []string // non-FOCUS columns
	custom  []string // x_ columns
}

// mapHeader matches column names case-insensitively. names[i] may be empty
// for a column that must be skipped (a nested Parquet column handled
// elsewhere).
func mapHeader(names []string) (*layout, error) {
	l := &layout{ncols: len(names), names: names}
	for i := range l.col {
		l.col[i] = -1
	}
	seen := map[string]string{}
	for i, raw := range names {
		name := strings.TrimSpace(raw)
		if name == "" {
			continue
		}
		lower := strings.ToLower(name)
		if prev, dup := seen[lower]; dup {
			return nil, fmt.Errorf("focus: column %q appears twice in the header (also as %q)", name, prev)
		}
		seen[lower] = name
		if v, ok := versionMarkers[lower]; ok && v > l.version {
			l.version = v
		}
		if f, ok := fieldByLower[lower]; ok {
			l.col[f] = i
			continue
		}
		switch {
		case otherByLower[lower]:
		case strings.HasPrefix(lower, "x_"):
			l.custom = append(l.custom, name)
		default:
			l.unknown = append(l.unknown, name)
		}
	}
	var missing []string
	for _, f := range []int{fBilledCost, fChargePeriodStart, fChargePeriodEnd} {
		if l.col[f] < 0 {
			missing = append(missing, fieldNames[f])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrMissingColumn, strings.Join(missing, ", "))
	}
	return l, nil
}

// name is the name of column i, as the header writes it, or its number.
func (l *layout) name(i int) string {
	if i < len(l.names) {
		if n := strings.TrimSpace(l.names[i]); n != "" {
			return n
		}
	}
	return fmt.Sprintf("column %d", i+1)
}

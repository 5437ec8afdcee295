package rating

import (
	"fmt"
	"slices"
	"strings"
)

// iso4217 lists the active ISO 4217 currency codes, funds and precious
// metals, test and "no currency" codes (XAU, XTS, XXX…) left out: nothing is
// priced in them.
const iso4217 = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND
BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF
DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS
INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV
WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`

var isoCodes = func() map[string]bool {
	m := make(map[string]bool)
	for _, c := range strings.Fields(iso4217) {
		m[c] = true
	}
	return m
}()

// IsISO4217 reports whether code is an active ISO 4217 currency code, in
// capitals.
func IsISO4217(code string) bool { return isoCodes[code] }

// DefaultCurrencies are the currencies an organisation uses when its
// configuration names none: the euro of the demo organisation and the
// currencies cloud providers and suppliers most often bill in.
var DefaultCurrencies = []string{"EUR", "USD", "GBP", "CHF", "JPY"}

// Currencies is the set of currencies an organisation uses: prices,
// adjustments, budgets, option costs, cost pools and approval thresholds
// may be in these and no other. The zero value is DefaultCurrencies.
type Currencies struct {
	codes []string
}

// NewCurrencies checks codes (ISO 4217, any case) and returns them as a
// set; none gives DefaultCurrencies.
func NewCurrencies(codes []string) (Currencies, error) {
	var c Currencies
	var bad []string
	for _, code := range codes {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" || slices.Contains(c.codes, code) {
			continue
		}
		if !IsISO4217(code) {
			bad = append(bad, code)
			continue
		}
		c.codes = append(c.codes, code)
	}
	if len(bad) > 0 {
		return Currencies{}, fmt.Errorf("not ISO 4217 currency codes: %s", strings.Join(bad, ", "))
	}
	return c, nil
}

// Codes returns the currencies in the order configured.
func (c Currencies) Codes() []string {
	if len(c.codes) == 0 {
		return DefaultCurrencies
	}
	return c.codes
}

// Check returns "" when code (already trimmed and in capitals) is one of
// the organisation's currencies, or a message naming them.
func (c Currencies) Check(code string) string {
	if slices.Contains(c.Codes(), code) {
		return ""
	}
	list := strings.Join(c.Codes(), ", ")
	if !IsISO4217(code) {
		return fmt.Sprintf("Use a three-letter ISO 4217 currency code this organisation uses: %s.", list)
	}
	return fmt.Sprintf("%s is not one of the currencies this organisation uses (%s); an administrator can add it to the configuration (currencies).", code, list)
}

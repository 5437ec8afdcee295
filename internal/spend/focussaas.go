package spend

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/textenc"
)

// KindFocus is a spend line made of a SaaS charge of a cloud bill.
const KindFocus = "focus"

// SaaS charges of cloud bills are spend too.
//
// Decisions (FOCUS, 1.2 included, has no column that says a charge is
// SaaS: its SaaS example, saas_spend_agreements_b2.csv, is a SaaS vendor's
// own bill, and the sample bills sell third parties' products through the
// provider's marketplace, the publisher then differing from the provider):
//   - A charge is SaaS when its ServiceCategory is Business Applications
//     (Microsoft 365, Dynamics… in a cloud provider's bill); or when its
//     publisher is not its provider (a marketplace purchase: Red Hat sold by
//     AWS), the publisher and the provider compared as vendors of the
//     dictionary (AWS and Amazon Web Services EMEA SARL are one); or when
//     its provider is not an infrastructure cloud (a SaaS vendor's own FOCUS
//     bill). Infrastructure clouds are the dictionary's cloud-infrastructure
//     vendors and the providers named in infrastructureClouds. This holds for
//     files of every FOCUS version.
//   - Each department's share of the charge (the cloud bill's allocation;
//     the import's basis, EffectiveCost by default) is a spend line of kind
//     focus: the vendor is the publisher (the provider when there is none)
//     through the dictionary, software, sure; the merchant the publisher as
//     the bill writes it; the memo the charge's description; the invoice
//     the InvoiceId. Unallocated shares and shares of 0 are not spend.
//   - A line is keyed by the charge's key (its content fingerprint) and the
//     department: importing the bill again, or another file with the same
//     charges, adds nothing. Lines are written in the bill import's
//     transaction. Reallocating a period later does not move them.
//   - A product billed by its own provider is billed through IT's cloud
//     account: its vendor is sanctioned (see sanctions) for the departments
//     the bill allocates it to; the same vendor paid by card elsewhere is
//     judged by the usual rules. A marketplace purchase is sanctioned by the usual rules
//     (a catalog service's vendor, a board decision, a sanctioning case).

// infrastructureClouds are providers whose FOCUS bills are infrastructure
// first (normalised names): their own products are SaaS only as Business
// Applications.
var infrastructureClouds = map[string]bool{
	"aws": true, "amazon web services": true, "microsoft": true, "azure": true, "microsoft azure": true,
	"google": true, "google cloud": true, "gcp": true, "oracle": true, "oci": true, "oracle cloud": true,
	"ibm": true, "ibm cloud": true, "alibaba": true, "alibaba cloud": true, "tencent cloud": true,
	"huawei cloud": true, "ovhcloud": true, "digitalocean": true, "linode": true, "akamai": true, "hetzner": true,
}

// businessApplications is the FOCUS ServiceCategory of SaaS products.
const businessApplications = "business applications"

var (
	shippedMatcherOnce sync.Once
	shippedMatcher     *Matcher
)

// shippedMatch returns a matcher over the shipped dictionary, made once.
func shippedMatch() *Matcher {
	shippedMatcherOnce.Do(func() { shippedMatcher = NewMatcher(Shipped()) })
	return shippedMatcher
}

// IsSaaS says whether a cloud bill's charge is SaaS (see the decisions
// above). It reads the shipped dictionary.
func (s *Service) IsSaaS(provider, publisher, serviceCategory string) bool {
	return isSaaS(shippedMatch(), provider, publisher, serviceCategory)
}

func isSaaS(m *Matcher, provider, publisher, serviceCategory string) bool {
	if strings.EqualFold(strings.TrimSpace(serviceCategory), businessApplications) {
		return true
	}
	if !ownProduct(m, provider, publisher) {
		return true
	}
	return !infrastructureCloud(m, provider)
}

// ownProduct says whether publisher is provider itself (or says nothing).
func ownProduct(m *Matcher, provider, publisher string) bool {
	if strings.TrimSpace(publisher) == "" || strings.TrimSpace(provider) == "" {
		return true
	}
	a, b := focusVendor(m, provider), focusVendor(m, publisher)
	if a.Vendor == b.Vendor {
		return true
	}
	pn, pub := Normalise(provider).Name, Normalise(publisher).Name
	return pn != "" && (pub == pn || strings.HasPrefix(pub, pn+" "))
}

func infrastructureCloud(m *Matcher, provider string) bool {
	if infrastructureClouds[Normalise(provider).Name] {
		return true
	}
	v := focusVendor(m, provider)
	return v.Known && (v.Category == "cloud-infrastructure" || infrastructureClouds[Normalise(v.Vendor).Name])
}

// focusVendor names the vendor of a publisher or provider as a bill
// writes it: the dictionary's vendor, or its normalised name in title case
// (Red Hat Inc. is Red Hat).
func focusVendor(m *Matcher, name string) Match {
	got := m.Match(Line{Merchant: name})
	if got.Known {
		return got
	}
	words := strings.Fields(Normalise(name).Name)
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToTitle(r[0])
		words[i] = string(r)
	}
	v := strings.Join(words, " ")
	if v == "" {
		v = clip(strings.TrimSpace(name), 100)
	}
	return Match{Vendor: v}
}

// RecordSaaS stores the SaaS charges of a cloud import as spend lines, in
// the import's transaction; charges stored before add nothing.
func (s *Service) RecordSaaS(ctx context.Context, tx *db.Tx, imp cloudbill.SaaSImport, charges []cloudbill.SaaSCharge) error {
	dict, err := s.Dictionary(ctx)
	if err != nil {
		return err
	}
	m := NewMatcher(dict)
	vendors := map[string]Match{}
	vendorOf := func(name string) Match {
		v, ok := vendors[name]
		if !ok {
			v = focusVendor(m, name)
			vendors[name] = v
		}
		return v
	}
	now := s.Clock.Now()
	var importID int64
	added, months := 0, map[deptPeriod]bool{}
	for i := range charges {
		c := &charges[i]
		name := c.Publisher
		if strings.TrimSpace(name) == "" {
			name = c.Provider
		}
		v := vendorOf(name)
		billedBy, reason := "", fmt.Sprintf("SaaS in cloud bill %s: published by %s", clip(imp.FileName, 100), clip(name, 100))
		if ownProduct(m, c.Provider, c.Publisher) {
			billedBy = clip(textenc.Storable(c.Provider), 100)
			reason += ", billed through IT's cloud account"
		} else {
			reason += fmt.Sprintf(", bought through %s's marketplace", clip(c.Provider, 100))
		}
		for _, sh := range c.Shares {
			if sh.DepartmentID == 0 || sh.Amount.IsZero() {
				continue
			}
			if importID == 0 {
				if importID, err = s.focusImport(ctx, tx, imp); err != nil {
					return err
				}
			}
			res, err := tx.Exec(ctx, `INSERT INTO spend_lines(line_key, import_id, line_no, kind, spent_on, period, merchant, amount, currency,
				department_id, memo, invoice, extra, vendor, vendor_known, software, confidence, reason, billed_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (line_key) DO NOTHING`,
				fmt.Sprintf("focus-%s-%d", c.Fingerprint, sh.DepartmentID), importID, c.Line, KindFocus, c.Date, c.Period,
				clip(textenc.Storable(name), MaxDescriptor), sh.Amount.String(), c.Currency, sh.DepartmentID,
				clip(textenc.Storable(c.ChargeDescription), maxMemo), clip(textenc.Storable(c.InvoiceID), maxReferenc),
				focusExtra(c), v.Vendor, v.Known, true, 100, reason, billedBy)
			if err != nil {
				return fmt.Errorf("storing the SaaS charge of line %d: %w", c.Line, err)
			}
			if n, err := res.RowsAffected(); err == nil && n > 0 {
				added += int(n)
				months[deptPeriod{sh.DepartmentID, c.Period}] = true
			}
		}
	}
	if added == 0 {
		if importID != 0 {
			// Only lines stored before: the import recorded above holds none.
			if _, err := tx.Exec(ctx, "DELETE FROM spend_imports WHERE id = ? AND lines = 0", importID); err != nil {
				return fmt.Errorf("recording the cloud import's spend: %w", err)
			}
		}
		return nil
	}
	if _, err := tx.Exec(ctx, "UPDATE spend_imports SET lines = lines + ?, added = added + ? WHERE id = ?", added, added, importID); err != nil {
		return fmt.Errorf("counting SaaS spend lines: %w", err)
	}
	// The kept sums of the months these lines fall in are summed again
	// (while they are not kept, the next import sums every line).
	if kept, err := sumsKept(ctx, tx); err != nil {
		return err
	} else if kept {
		pairs := slices.SortedFunc(maps.Keys(months), func(a, b deptPeriod) int {
			return cmp.Or(cmp.Compare(a.dept, b.dept), cmp.Compare(a.period, b.period))
		})
		if err := resum(ctx, tx, pairs, false); err != nil {
			return fmt.Errorf("summing the SaaS spend lines: %w", err)
		}
	}
	tx.AfterCommit(s.WakeCases) // the new SaaS spend opens its shadow cases, as a spend import does
	return audit.Record(ctx, tx, now, imp.By, "spend.import", "spend_import", importID,
		fmt.Sprintf("Took %d SaaS spend lines from cloud bill %s", added, clip(imp.FileName, 200)), nil,
		map[string]any{"cloud_import_id": imp.ID, "added": added})
}

// focusImport returns the spend import of cloud import imp's lines,
// recording it the first time.
func (s *Service) focusImport(ctx context.Context, tx *db.Tx, imp cloudbill.SaaSImport) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM spend_imports WHERE cloud_import_id = ?", imp.ID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("finding the cloud import's spend: %w", err)
	}
	var by any
	if imp.By != nil && imp.By.PersonID != 0 {
		by = imp.By.PersonID
	}
	if err := tx.QueryRow(ctx, `INSERT INTO spend_imports(kind, file_name, lines, added, imported_by, created_at, cloud_import_id)
		VALUES (?, ?, 0, 0, ?, ?, ?) RETURNING id`, KindFocus, clip(textenc.Storable(imp.FileName), 200), by, s.Clock.Now(), imp.ID).Scan(&id); err != nil {
		return 0, fmt.Errorf("recording the cloud import's spend: %w", err)
	}
	return id, nil
}

// focusExtra keeps what the bill says of a charge beside the line.
func focusExtra(c *cloudbill.SaaSCharge) string {
	b := []byte{'{'}
	add := func(k, v string) {
		if v == "" {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(textenc.AppendJSONString(b, k), ':')
		b = textenc.AppendJSONString(b, clip(textenc.Storable(v), 300))
	}
	add("billing_account_id", c.BillingAccountID)
	add("charge_category", c.ChargeCategory)
	add("invoice_issuer", c.InvoiceIssuer)
	add("provider", c.Provider)
	add("publisher", c.Publisher)
	add("service_category", c.ServiceCategory)
	add("service_name", c.ServiceName)
	add("sub_account_id", c.SubAccountID)
	return string(append(b, '}'))
}

// cloudSanctions sanctions, for the departments a cloud bill allocates
// them to, the vendors whose products their own provider bills through
// IT's cloud account (unless the catalog sanctions them everywhere).
func (s *Service) cloudSanctions(ctx context.Context, d *Dictionary, z sanctions) error {
	rows, err := s.DB.Query(ctx, cloudSanctionsQuery)
	if err != nil {
		return fmt.Errorf("reading vendors billed through the cloud: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var vendor, by string
		var dept int64
		if err := rows.Scan(&vendor, &dept, &by); err != nil {
			return err
		}
		k := vendorKey(d, vendor)
		if dv := (deptVendor{k, dept}); k != "" && z.everywhere[k] == "" && z.byDept[dv] == "" {
			z.byDept[dv] = fmt.Sprintf("Billed through IT's cloud account with %s", by)
		}
	}
	return rows.Err()
}

// deptCurrency is a department's spend in one currency.
type deptCurrency struct {
	dept     int64
	currency string
}

// cloudShadow adds up the shadow spend from cloud bills' SaaS charges of
// the window by department × currency × month. A department's statements
// already carry its cloud charges once the month is billed, so its
// technology spend counts them once (see departmentShares).
func (s *Service) cloudShadow(ctx context.Context, months []string, depts []int64, all bool, z sanctions, d *Dictionary) (map[deptCurrency]map[string]decimal.Decimal, error) {
	out := map[deptCurrency]map[string]decimal.Decimal{}
	if len(months) == 0 || !all && len(depts) == 0 {
		return out, nil
	}
	q, args := cloudShadowQuery(months)
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading cloud bills' SaaS spend: %w", err)
	}
	defer rows.Close()
	keys := map[string]string{}
	for rows.Next() {
		var k deptCurrency
		var period, vendor, amount string
		if err := rows.Scan(&k.dept, &k.currency, &period, &vendor, &amount); err != nil {
			return nil, err
		}
		if !all && !slices.Contains(depts, k.dept) {
			continue
		}
		vk, ok := keys[vendor]
		if !ok {
			vk = vendorKey(d, vendor)
			keys[vendor] = vk
		}
		if z.why(vk, k.dept) != "" {
			continue
		}
		x, err := decimal.NewFromString(amount)
		if err != nil {
			return nil, fmt.Errorf("a spend line's amount %q: %w", amount, err)
		}
		if out[k] == nil {
			out[k] = map[string]decimal.Decimal{}
		}
		out[k][period] = out[k][period].Add(x)
	}
	return out, rows.Err()
}

// cloudSanctionsQuery reads the vendors billed through IT's cloud account
// by department. Only SaaS charges (kind focus) have billed_by: saying so
// lets the engines find them through spend_lines_focus even before
// PostgreSQL has statistics of a table millions of lines were just
// imported into (it would then guess that most lines have billed_by, and
// scan them all at every request).
const cloudSanctionsQuery = "SELECT DISTINCT vendor, department_id, billed_by FROM spend_lines WHERE kind = '" + KindFocus +
	"' AND billed_by <> '' ORDER BY vendor, department_id, billed_by"

// cloudShadowQuery reads the SaaS charges of the window's months, of every
// department (the caller keeps those it wants: a department's condition
// would let the engines prefer spend_lines_department, and walk its card
// lines). The kind is written in the statement as the partial index
// spend_lines_focus says it: with a parameter, neither engine could use
// the index.
func cloudShadowQuery(months []string) (string, []any) {
	return "SELECT department_id, currency, period, vendor, CAST(amount AS TEXT) FROM spend_lines WHERE kind = '" + KindFocus +
		"' AND software = ? AND period >= ? AND period <= ?", []any{true, months[0], months[len(months)-1]}
}

package api

// The examples of the catalog's changes, the needs, the quotes, the orders
// and the subscriptions, against the demo organisation: Tom Hughes
// (owner@example.com) owns every demo service and takes the quantum
// computing sandbox from planned to pilot; Riley Chen
// (requester@example.com) of the Biology Laboratory edits a draft, accepts
// a delivered need, orders an approved one and the quote create-quote made;
// Dana Whitfield (budget@example.com) heads both laboratories and changes
// their subscriptions.
func init() {
	addExamples(map[string]example{
		// The catalog, as the service owner.
		"create-service": {As: "owner@example.com", Body: `{"name": "Electronic signatures", ` +
			`"summary": "Sign contracts and forms online, with an audit trail.", ` +
			`"description": "Send documents for signature to colleagues and outside parties; every signature is logged.", ` +
			`"kind": "business", "family": "business-applications", "sourcing": "bought", "vendor": "DocuSign", "lifecycle": "planned", ` +
			`"delivery_model": "cloud", "data_ceiling": "confidential", "arch_status": "approved", ` +
			`"sla": {"availability": "99.9", "support_hours": "Mon-Fri 08:00-18:00", "lead_time_days": 5}, ` +
			`"audience_all": true, "tags": ["contracts", "signature"]}`},
		"update-service": {As: "owner@example.com", Params: map[string]string{"service": "45"}, Body: `{"version": 1, ` +
			`"slug": "quantum-sandbox", "name": "Quantum computing sandbox", ` +
			`"summary": "Try quantum algorithms on a cloud simulator and on IBM quantum processors.", ` +
			`"description": "Try quantum algorithms on a cloud simulator; the pilot adds time on IBM quantum processors.\n\n` +
			`**Who it is for:** computational chemists and data scientists of Research & Development.", ` +
			`"kind": "technical", "family": "compute", "owner_id": 10, "sourcing": "brokered", "vendor": "IBM", "lifecycle": "pilot", ` +
			`"delivery_model": "cloud", "data_ceiling": "internal", "arch_status": "approved", ` +
			`"sla": {"availability": "99.5", "support_hours": "Mon-Fri 08:00-18:00", "lead_time_days": 20}, ` +
			`"audience_all": false, "audience": [{"kind": "department", "id": 1}], "tags": ["quantum", "research", "simulator"]}`},
		"create-offering": {As: "owner@example.com", Params: map[string]string{"service": "45"}, Body: `{"slug": "quantum-hardware-minutes", ` +
			`"name": "Quantum hardware minutes", "description": "Runs on IBM quantum processors, billed per minute of processor time.", ` +
			`"lifecycle": "planned", "lead_time_days": 20, "unit_name": "QPU minute", ` +
			`"rate_plans": [{"currency": "EUR", "unit": "unit", "unit_price": "96", "fixed_monthly": "0", "one_time": "0", "minimum": "0", ` +
			`"tiers": [], "effective_from": "2026-06-01"}]}`},
		"update-offering": {As: "owner@example.com", Params: map[string]string{"id": "99"}, Body: `{"version": 1, "slug": "quantum-hours", ` +
			`"name": "Simulator hours", "description": "Hours on the cloud simulator, up to 32 qubits.", "lifecycle": "pilot", ` +
			`"lead_time_days": 10, "unit_name": "simulator hour"}`},
		// From January, the hours beyond the first hundred of a month are cheaper.
		"add-rate-plan": {As: "owner@example.com", Params: map[string]string{"id": "99"}, Body: `{"currency": "EUR", "unit": "unit-hour", ` +
			`"tier_mode": "graduated", "unit_price": "0", "fixed_monthly": "0", "one_time": "0", "minimum": "0", ` +
			`"tiers": [{"up_to": "100", "unit_price": "12"}, {"unit_price": "9"}], "effective_from": "2027-01-01"}`},

		// Needs: Riley Chen's own, and the reviewers' and the BRM's work.
		"get-need":      {As: "requester@example.com", Params: map[string]string{"reference": "NEED-2026-0021"}},
		"delivery-gate": {Params: map[string]string{"reference": "NEED-2026-0021"}},
		"update-need": {As: "requester@example.com", Params: map[string]string{"reference": "NEED-2026-0098"}, Body: `{"version": 1, ` +
			`"title": "Tablet computers for the tissue culture room", ` +
			`"problem": "Paper protocols in the tissue culture room get wet and contaminated, and we copy results by hand afterwards.", ` +
			`"outcome": "Protocols and results on a wipeable tablet at each of the four hoods, saved straight to the lab notebook.", ` +
			`"processes": "Assay development; sample management", "users": 12, "data_class": "internal", "needed_by": "2026-05-29"}`},
		// The barcode printer was delivered: its requester accepts it.
		"act-on-need": {As: "requester@example.com", Params: map[string]string{"reference": "NEED-2026-0008", "action": "accept_delivery"},
			Body: `{"version": 13}`},
		"review-need": {As: "security@example.com", Params: map[string]string{"reference": "NEED-2026-0114"}, Body: `{"kind": "security", ` +
			`"verdict": "approve_with_conditions", ` +
			`"notes": "Tablets enrolled in device management with remote wipe; visit reports stay in the CRM, not on the device.", "version": 7}`},
		"add-need-option": {As: "brm@example.com", Params: map[string]string{"reference": "NEED-2026-0074"}, Body: `{"kind": "buy", ` +
			`"title": "DNAnexus Titan sequencing platform", "vendor": "DNAnexus", "one_time": "5000", "monthly": "2400", "delivery_days": 30, ` +
			`"data_ceiling": "confidential", "risks": "Sequencing data must stay in the EU region.", "version": 6}`},
		// The board chose to reuse the LIMS: its requester orders it.
		"order-need-reuse": {As: "requester@example.com", Params: map[string]string{"reference": "NEED-2026-0021"}},

		// Quotes, orders and subscriptions.
		"get-quote": {As: "requester@example.com", Params: map[string]string{"number": "Q-2026-000001"}},
		"get-order": {As: "requester@example.com", Params: map[string]string{"number": "ORD-2026-000001"}},
		// The quote create-quote made: the demo has made two before it.
		"order-quote": {As: "requester@example.com", Params: map[string]string{"number": "Q-2026-000003"},
			Body: `{"start_date": "2026-04-01", "note": "Sequencing runs start in April."}`},
		"change-subscription": {As: "budget@example.com", Params: map[string]string{"id": "82"},
			Body: `{"quantity": "16", "start_date": "2026-04-01", "note": "Four more VMs for the image analysis pipeline."}`},
		"cancel-subscription": {As: "budget@example.com", Params: map[string]string{"id": "80"},
			Body: `{"start_date": "2026-06-30", "note": "The chemistry lab's workloads move to cloud VMs; the rack servers go at the end of June."}`},
	})
}

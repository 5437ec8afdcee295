package api

// The portfolio's examples: the process register, applications and
// customer journeys (the enterprise architect's), objectives, the ranking's
// weights and budget scenarios (the portfolio board's), and the shadow-IT
// loop: spend and seats imported by finance, lines and cases a BRM works
// through.
//
// On the demo data: processes 1–66 and applications 1–42 are the demo
// register's; the examples below add, in the order they are sent,
// application 43 (create-application), process 67 and application 44
// (import-archimate), application 45 (import-backstage), journey 7,
// objective 5, process 68 (create-process) and budget scenario 2.
// Spend line 1067 is the BenchSci line of import-spend's file. Shadow
// cases are numbered worst run rate first over the twelve months before
// today, so their ids move with the clock: case 4 is an open case of
// Marketing, a department of the BRM's, both on the tests' clock (March
// 2026) and through the winter of 2026–27.

// archiMateExample is a small exchange file: the architects modelled how
// the laboratories maintain their instruments, below the demo's value
// stream Research to product, with the application that serves it.
const archiMateExample = `<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-lab-operations">
  <name xml:lang="en">Laboratory operations</name>
  <elements>
    <element identifier="engage-process-research-to-product" xsi:type="ValueStream">
      <name xml:lang="en">Research to product</name>
    </element>
    <element identifier="id-maintain-instruments" xsi:type="BusinessProcess">
      <name xml:lang="en">Maintain lab instruments</name>
      <documentation xml:lang="en">Calibrate, service and qualify the balances, pipettes and plate readers of the laboratories.</documentation>
    </element>
    <element identifier="id-instrument-maintenance" xsi:type="ApplicationComponent">
      <name xml:lang="en">Instrument maintenance system</name>
    </element>
  </elements>
  <relationships>
    <relationship identifier="id-rel-1" source="engage-process-research-to-product" target="id-maintain-instruments" xsi:type="Composition" />
    <relationship identifier="id-rel-2" source="id-instrument-maintenance" target="id-maintain-instruments" xsi:type="Serving">
      <properties>
        <property propertyDefinitionRef="id-weight"><value xml:lang="en">70</value></property>
      </properties>
    </relationship>
  </relationships>
  <propertyDefinitions>
    <propertyDefinition identifier="id-weight" type="number">
      <name xml:lang="en">Weight</name>
    </propertyDefinition>
  </propertyDefinitions>
</model>
`

// backstageExample is a Backstage catalog file: the Biology Laboratory's
// sample tracker, owned by the department's group.
const backstageExample = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: sample-tracker
  title: Sample tracker
  description: Tracks each sample from receipt to disposal, with its freezer position.
spec:
  type: service
  lifecycle: production
  owner: group:bio
`

func init() {
	const (
		architect = "architect@example.com"
		board     = "board@example.com"
		finance   = "finance@example.com"
		brm       = "brm@example.com"
	)
	addExamples(map[string]example{
		// The process register (the enterprise architect's).
		"create-process": {As: architect, Body: `{"parent_id": 4, "kind": "process", "ref": "book-lab-equipment", "name": "Book lab equipment", ` +
			`"description": "Researchers book shared microscopes, sequencers and plate readers by the hour.", "owner_department_id": 11, ` +
			`"criticality": "medium", "enablement": "manual"}`},
		"get-process":        {As: architect, Params: map[string]string{"id": "39"}},
		"get-process-detail": {As: architect, Params: map[string]string{"id": "39"}},
		"get-process-risks":  {As: architect, Params: map[string]string{"id": "39"}},
		"get-process-cost":   {As: finance, Params: map[string]string{"id": "8"}},
		"update-process": {As: architect, Params: map[string]string{"id": "68"}, Body: `{"version": 1, "parent_id": 4, "kind": "process", ` +
			`"ref": "book-lab-equipment", "name": "Book lab equipment", "description": "Researchers book shared microscopes, sequencers and ` +
			`plate readers by the hour in the booking application.", "owner_department_id": 11, "criticality": "medium", "enablement": "partly_automated"}`},
		"set-process-performers":     {As: architect, Params: map[string]string{"id": "68"}, Body: `{"function_ids": [1], "location_ids": [2, 3]}`},
		"link-process-application":   {As: architect, Params: map[string]string{"id": "68", "target": "43"}, Body: `{"weight": "80"}`},
		"link-process-service":       {As: architect, Params: map[string]string{"id": "68", "target": "38"}, Body: `{"weight": "10"}`},
		"unlink-process-application": {As: architect, Params: map[string]string{"id": "10", "target": "6"}},
		"unlink-process-service":     {As: architect, Params: map[string]string{"id": "40", "target": "21"}},
		"import-archimate":           {As: architect, Body: archiMateExample},
		"import-register-csv": {As: architect, Params: map[string]string{"kind": "applications"},
			Body: "ref,name,description,vendor,lifecycle,functional_fit,technical_fit,services\n" +
				"chromatography-data,Chromatography data system,Acquires and processes HPLC runs,Waters,active,4,3,lims\n" +
				"label-printing,Sample label printing,Prints barcode labels for tubes and plates,Seagull Scientific,active,3,3,managed-print\n"},
		"export-register-csv": {As: architect, Params: map[string]string{"kind": "processes"}},
		"import-backstage":    {As: architect, Body: backstageExample},

		// Applications and customer journeys.
		"create-application": {As: architect, Body: `{"ref": "lab-equipment-booking", "name": "Lab equipment booking", ` +
			`"description": "Books shared instruments by the hour and bills the hours to the projects.", "vendor": "Clustermarket", ` +
			`"lifecycle": "plan", "functional_fit": 4, "technical_fit": 3, "service_ids": [34]}`},
		"get-application": {As: architect, Params: map[string]string{"id": "30"}},
		"update-application": {As: architect, Params: map[string]string{"id": "43"}, Body: `{"version": 1, "ref": "lab-equipment-booking", ` +
			`"name": "Lab equipment booking", "description": "Books shared instruments by the hour and bills the hours to the projects.", ` +
			`"owner_person_id": 3, "vendor": "Clustermarket", "lifecycle": "active", "functional_fit": 4, "technical_fit": 4, "service_ids": [34]}`},
		"create-journey": {As: architect, Body: `{"ref": "report-a-side-effect", "name": "Report a side effect", ` +
			`"description": "A patient or a doctor reports a suspected reaction to one of our medicines and hears back once it is assessed.", ` +
			`"process_ids": [59, 45]}`},
		"get-journey":      {As: architect, Params: map[string]string{"id": "1"}},
		"get-journey-cost": {As: finance, Params: map[string]string{"id": "1"}},
		"update-journey": {As: architect, Params: map[string]string{"id": "7"}, Body: `{"version": 1, "ref": "report-a-side-effect", ` +
			`"name": "Report a side effect", "description": "A patient or a doctor reports a suspected reaction to one of our medicines and ` +
			`hears back once it is assessed; a serious one may recall the batch.", "process_ids": [59, 45, 65]}`},

		// Objectives, the ranking's weights and budget scenarios (the board's).
		"create-objective": {As: board, Body: `{"ref": "instruments-bookable-online", "title": "Every shared instrument bookable online", ` +
			`"description": "Researchers find a free instrument in minutes instead of walking the corridors.", "owner_person_id": 13, ` +
			`"horizon": "2027", "measure": "Share of instrument hours booked through the booking application", "target": "90 %", "process_ids": [39]}`},
		"get-objective": {As: board, Params: map[string]string{"id": "1"}},
		"update-objective": {As: board, Params: map[string]string{"id": "5"}, Body: `{"version": 1, "ref": "instruments-bookable-online", ` +
			`"title": "Every shared instrument bookable online", "description": "Researchers find a free instrument in minutes instead of ` +
			`walking the corridors.", "owner_person_id": 13, "horizon": "2027-06-30", ` +
			`"measure": "Share of instrument hours booked through the booking application", "target": "90 %", "process_ids": [39, 68]}`},
		"set-ranking-weights":      {As: board, Body: `{"value": 4, "cost": 4, "risk": 2, "urgency": 1}`},
		"plan-budget-scenario":     {As: finance, Params: map[string]string{"year": "2027", "amount": "250000", "currency": "EUR"}},
		"save-budget-scenario":     {As: board, Body: `{"name": "Next year at 250,000", "year": 2027, "amount": "250000", "currency": "EUR"}`},
		"get-budget-scenario":      {As: board, Params: map[string]string{"id": "1"}},
		"compare-budget-scenarios": {As: board, Params: map[string]string{"a": "1", "b": "2"}},

		// Spend, shadow cases and seats.
		"import-spend": {As: finance, Params: map[string]string{"name": "card-lines-2026-02.csv"},
			Body: "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
				"2026-02-03,MIRO.COM*SUBSCRIPTION,96.00,EUR,MKT,aaliyah.kaur@example.com,5734,campaign planning board\n" +
				"2026-02-09,BENCHSCI*ANNUAL PLAN,1250.00,EUR,BIO,aaliyah.larsen@example.com,5734,antibody search\n" +
				"2026-02-14,LUFTHANSA 2204512,412.60,EUR,SALES,aaliyah.costa@example.com,3000,customer visit in Basel\n"},
		"list-spend-lines":    {As: brm, Params: map[string]string{"department_id": "11"}},
		"correct-spend-match": {As: brm, Params: map[string]string{"id": "1067"}, Body: `{"vendor": "BenchSci", "software": true, "category": "research search"}`},
		"add-spend-vendor": {As: finance, Body: `{"name": "Labguru", "category": "lab notebook", "software": true, ` +
			`"aliases": ["LABGURU", "BIODATA LABGURU"], "domains": ["labguru.com"]}`},
		"get-shadow-case":    {As: brm, Params: map[string]string{"id": "4"}},
		"act-on-shadow-case": {As: brm, Params: map[string]string{"id": "4", "action": "sanction"}, Body: `{"security_verdict": "approve", "review_by": "2027-06-30"}`},
		"import-seats": {As: finance, Body: "application,domain,department,assigned,active_30,active_60,active_90,new_30,new_60,new_90\n" +
			"Miro,miro.com,MKT,20,11,14,16,2,2,2\n"},
		"list-seats":       {As: finance, Params: map[string]string{"department_id": "6"}},
		"right-size-seats": {As: "head.sales@example.com", Params: map[string]string{"id": "9"}}, // the Sales CRM seats; its budget holder orders
	})
}

package process

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/csvfile"
)

// The register's CSV files: one of processes (with their functions,
// locations and weighted links) and one of applications. Lists in a cell
// are separated by semicolons; a link is ref:weight (weight in percent).
var csvColumns = map[string][]string{
	"processes": {"ref", "parent", "kind", "name", "description", "owner", "department", "criticality", "external_customers", "enablement",
		"functions", "locations", "applications", "services", "archimate_type", "archimate_id"},
	"applications": {"ref", "name", "description", "owner", "vendor", "lifecycle", "functional_fit", "technical_fit", "services", "archimate_id"},
}

// CSVKinds are the register's CSV files.
var CSVKinds = []string{"processes", "applications"}

func checkCSVKind(kind string) error {
	if _, ok := csvColumns[kind]; !ok {
		return engage.Errorf(engage.EINVALID, "The register's CSV files are processes and applications, not %q.", kind)
	}
	return nil
}

// ExportCSV writes the register's processes or applications as CSV, in the
// columns ImportCSV takes. Everyone signed in may.
func (s *Service) ExportCSV(ctx context.Context, p *access.Principal, kind string, w io.Writer) error {
	if err := checkCSVKind(kind); err != nil {
		return err
	}
	f, err := s.ExportRegister(ctx, p)
	if err != nil {
		return err
	}
	cw := csvfile.NewWriter(w)
	rows := [][]string{csvColumns[kind]}
	links := func(ls []FileLink) string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Ref+":"+l.Weight)
		}
		return strings.Join(out, ";")
	}
	fit := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	if kind == "processes" {
		for _, fp := range f.Processes {
			rows = append(rows, []string{fp.Ref, fp.Parent, string(fp.Kind), fp.Name, fp.Description, fp.Owner, fp.Department, fp.Criticality,
				strconv.FormatBool(fp.ExternalCustomers), fp.Enablement, strings.Join(fp.Functions, ";"), strings.Join(fp.Locations, ";"),
				links(fp.Applications), links(fp.Services), fp.ArchiMateType, fp.ArchiMateID})
		}
	} else {
		for _, fa := range f.Applications {
			rows = append(rows, []string{fa.Ref, fa.Name, fa.Description, fa.Owner, fa.Vendor, fa.Lifecycle, fit(fa.FunctionalFit), fit(fa.TechnicalFit),
				strings.Join(fa.Services, ";"), fa.ArchiMateID})
		}
	}
	return cw.WriteAll(rows)
}

// ImportCSV applies a CSV file of processes or applications to the
// register: all or nothing, every wrong line named; with dryRun only says
// what it would change. Enterprise architects and administrators only.
func (s *Service) ImportCSV(ctx context.Context, p *access.Principal, kind string, r io.Reader, dryRun bool) (RegisterPlan, error) {
	if err := requireWriter(p); err != nil {
		return RegisterPlan{}, err
	}
	if err := checkCSVKind(kind); err != nil {
		return RegisterPlan{}, err
	}
	f, err := ParseRegisterCSV(kind, r)
	if err != nil {
		return RegisterPlan{}, err
	}
	return s.ApplyRegister(ctx, p, f, dryRun)
}

// ParseRegisterCSV reads a CSV file of processes or applications into a
// register file, each entry named by its line.
func ParseRegisterCSV(kind string, r io.Reader) (RegisterFile, error) {
	f := RegisterFile{Kind: RegisterKind}
	src, err := readLimited(r, kind+".csv")
	if err != nil {
		return f, err
	}
	cr := csvfile.NewReader(bytes.NewReader(src))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return f, fileError(kind+".csv", "line 1", "The file is empty: the first line names the columns.")
	} else if err != nil {
		return f, csvError(kind, err)
	}
	known := csvColumns[kind]
	col := map[string]int{}
	var v engage.Validation
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(known, h) {
			v.Add("line 1", "Unknown column %q; the columns are %s.", h, strings.Join(known, ", "))
		}
		col[h] = i
	}
	for _, need := range []string{"ref", "name"} {
		if _, ok := col[need]; !ok {
			v.Add("line 1", "The column %s is missing.", need)
		}
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	var errs engage.Validation
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return f, csvError(kind, err)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("line %d", line)
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		list := func(name string) []string {
			var out []string
			for _, x := range strings.Split(cell(name), ";") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
			return out
		}
		linksOf := func(name string) []FileLink {
			var out []FileLink
			for _, x := range list(name) {
				ref, weight, _ := strings.Cut(x, ":")
				out = append(out, FileLink{Ref: strings.TrimSpace(ref), Weight: strings.TrimSpace(weight)})
			}
			return out
		}
		number := func(name string) int {
			c := cell(name)
			if c == "" {
				return 0
			}
			n, err := strconv.Atoi(c)
			if err != nil {
				errs.Add(where+": "+name, "Not a whole number: %q.", c)
			}
			return n
		}
		if kind == "processes" {
			ext := false
			if c := strings.ToLower(cell("external_customers")); c != "" {
				switch c {
				case "true", "yes", "1":
					ext = true
				case "false", "no", "0":
				default:
					errs.Add(where+": external_customers", "Write true or false, not %q.", c)
				}
			}
			f.Processes = append(f.Processes, FileProcess{Ref: cell("ref"), Parent: cell("parent"), Kind: Kind(cell("kind")), Name: cell("name"),
				Description: cell("description"), Owner: cell("owner"), Department: cell("department"), Criticality: cell("criticality"),
				ExternalCustomers: ext, Enablement: cell("enablement"), Functions: list("functions"), Locations: list("locations"),
				Applications: linksOf("applications"), Services: linksOf("services"), ArchiMateType: cell("archimate_type"),
				ArchiMateID: cell("archimate_id"), Where: where})
		} else {
			f.Applications = append(f.Applications, FileApplication{Ref: cell("ref"), Name: cell("name"), Description: cell("description"),
				Owner: cell("owner"), Vendor: cell("vendor"), Lifecycle: cell("lifecycle"), FunctionalFit: number("functional_fit"),
				TechnicalFit: number("technical_fit"), Services: list("services"), ArchiMateID: cell("archimate_id"), Where: where})
		}
	}
	return f, errs.Err()
}

func csvError(kind string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fileError(kind+".csv", fmt.Sprintf("line %d", pe.Line), pe.Err.Error())
	}
	return fmt.Errorf("reading %s.csv: %w", kind, err)
}

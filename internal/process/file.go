package process

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
)

// RegisterFile is the whole register as a file holds it: the YAML register
// file, the CSV files and an ArchiMate model all become one, which
// ApplyRegister makes the register match. Entries are named by their refs;
// people by e-mail, departments, functions and locations by code, catalog
// services by their URL name (slug).
type RegisterFile struct {
	Kind         string            `yaml:"kind"`
	Processes    []FileProcess     `yaml:"processes,omitempty"`
	Applications []FileApplication `yaml:"applications,omitempty"`
	Journeys     []FileJourney     `yaml:"journeys,omitempty"`
	// Partial says the file carries only part of what the register holds
	// (an ArchiMate model): of an entry that exists, only the name,
	// description, ArchiMate identity, kind and parent (when given) and the
	// application links of a process are taken from the file; the rest is
	// kept.
	Partial bool `yaml:"-"`
	// Warnings are what reading the file skipped (unknown ArchiMate types).
	Warnings []string `yaml:"-"`
}

// RegisterKind is the kind: key a register file starts with.
const RegisterKind = "engage/process-register"

// FileProcess is a value stream or process in a register file.
type FileProcess struct {
	Ref               string     `yaml:"ref"`
	Parent            string     `yaml:"parent,omitempty"`
	Kind              Kind       `yaml:"kind,omitempty"`
	Name              string     `yaml:"name"`
	Description       string     `yaml:"description,omitempty"`
	Owner             string     `yaml:"owner,omitempty"`
	Department        string     `yaml:"department,omitempty"`
	Criticality       string     `yaml:"criticality,omitempty"`
	ExternalCustomers bool       `yaml:"external_customers,omitempty"`
	Enablement        string     `yaml:"enablement,omitempty"`
	ArchiMateType     string     `yaml:"archimate_type,omitempty"`
	ArchiMateID       string     `yaml:"archimate_id,omitempty"`
	Functions         []string   `yaml:"functions,omitempty"`
	Locations         []string   `yaml:"locations,omitempty"`
	Applications      []FileLink `yaml:"applications,omitempty"`
	Services          []FileLink `yaml:"services,omitempty"`
	// Where names the entry in error messages: a line of the file, an
	// ArchiMate element.
	Where string `yaml:"-"`
}

// FileLink is a link from a process to an application (by ref) or to a
// catalog service (by slug), with its weight in percent.
type FileLink struct {
	Ref    string `yaml:"ref"`
	Weight string `yaml:"weight"`
}

// FileApplication is an application in a register file.
type FileApplication struct {
	Ref           string   `yaml:"ref"`
	Name          string   `yaml:"name"`
	Description   string   `yaml:"description,omitempty"`
	Owner         string   `yaml:"owner,omitempty"`
	Vendor        string   `yaml:"vendor,omitempty"`
	Lifecycle     string   `yaml:"lifecycle,omitempty"`
	FunctionalFit int      `yaml:"functional_fit,omitempty"`
	TechnicalFit  int      `yaml:"technical_fit,omitempty"`
	ArchiMateID   string   `yaml:"archimate_id,omitempty"`
	Services      []string `yaml:"services,omitempty"`
	Where         string   `yaml:"-"`
}

// FileJourney is a customer journey in a register file.
type FileJourney struct {
	Ref         string   `yaml:"ref"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Processes   []string `yaml:"processes"`
	Where       string   `yaml:"-"`
}

// MaxFileBytes is the largest register file, CSV file or ArchiMate model
// read: 32 MiB.
const MaxFileBytes = 32 << 20

// ParseRegisterFile reads a YAML register file. It must start with
// kind: engage/process-register; unknown keys are refused, naming the line.
func ParseRegisterFile(name string, r io.Reader) (RegisterFile, error) {
	src, err := readLimited(r, name)
	if err != nil {
		return RegisterFile{}, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return RegisterFile{}, fileError(name, "", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var f RegisterFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return RegisterFile{}, fileError(name, "", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if f.Kind != RegisterKind {
		return RegisterFile{}, fileError(name, "kind", fmt.Sprintf("A register file starts with kind: %s (this one says %q).", RegisterKind, f.Kind))
	}
	// Name every entry by its line, for the errors ApplyRegister finds.
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		top := doc.Content[0].Content
		for i := 0; i+1 < len(top); i += 2 {
			items := top[i+1].Content
			for j, item := range items {
				where := fmt.Sprintf("%s:%d", name, item.Line)
				switch top[i].Value {
				case "processes":
					f.Processes[j].Where = where
				case "applications":
					f.Applications[j].Where = where
				case "journeys":
					f.Journeys[j].Where = where
				}
			}
		}
	}
	return f, nil
}

func readLimited(r io.Reader, name string) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(src) > MaxFileBytes {
		return nil, engage.Errorf(engage.EINVALID, "%s is larger than %d MiB: split it, or import it in parts.", name, MaxFileBytes>>20)
	}
	return src, nil
}

func fileError(name, field, msg string) error {
	if field != "" {
		field = name + ": " + field
	} else {
		field = name
	}
	return &engage.Error{Code: engage.EINVALID, Message: name + " cannot be read; nothing was written.", Fields: []engage.FieldError{{Field: field, Message: msg}}}
}

// WriteRegisterFile writes f as YAML.
func WriteRegisterFile(w io.Writer, f RegisterFile) error {
	f.Kind = RegisterKind
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}

package process

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/access"
)

// The ArchiMate 3.1 Open Exchange Format, as the register reads and writes
// it. The mapping (also in the README):
//
//   - BusinessProcess, BusinessFunction, BusinessService → processes,
//     keeping the ArchiMate type in archimate_type; ValueStream → value
//     streams. ApplicationComponent → applications. Other element types are
//     skipped with a warning.
//   - Composition and Aggregation from one of these to another → the tree
//     (the source is the parent). A second parent, or a value stream as the
//     child, is skipped with a warning.
//   - Serving, Realization, Assignment and Flow between an application
//     component and a process (either way) → a link process ↔ application.
//     Its weight is the relation's "Weight" property; without one an
//     existing link keeps its weight and a new one gets 100.
//   - Other relations are skipped, counted in one warning.
//   - Elements are matched to the register by their identifier
//     (archimate_id), or by an identifier Engage wrote itself
//     (engage-process-REF, engage-application-REF); a new one gets a ref
//     made from its name.
//   - A DOCTYPE (and so any entity) is refused, as are files over
//     MaxFileBytes and files whose root is not an ArchiMate model.
const (
	archiMateNS = "http://www.opengroup.org/xsd/archimate/3.0/"
	xsiNS       = "http://www.w3.org/2001/XMLSchema-instance"
	exportProc  = "engage-process-"
	exportApp   = "engage-application-"
	weightName  = "Weight"
)

// archiProcessTypes are the element types that become processes.
var archiProcessTypes = []string{"BusinessProcess", "BusinessFunction", "BusinessService", "ValueStream"}

// archiLinkTypes are the relation types that link an application to a process.
var archiLinkTypes = []string{"Serving", "Realization", "Assignment", "Flow"}

type archiText struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type archiProperty struct {
	Ref    string      `xml:"propertyDefinitionRef,attr"`
	Values []archiText `xml:"value"`
}

type archiElement struct {
	ID            string          `xml:"identifier,attr"`
	Type          string          `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Source        string          `xml:"source,attr"`
	Target        string          `xml:"target,attr"`
	Names         []archiText     `xml:"name"`
	Documentation []archiText     `xml:"documentation"`
	Properties    []archiProperty `xml:"properties>property"`
	line          int
}

func first(ts []archiText) string {
	if len(ts) == 0 {
		return ""
	}
	return strings.TrimSpace(ts[0].Text)
}

// archiModel is what the register takes from an exchange file.
type archiModel struct {
	elements  []archiElement
	relations []archiElement
	propNames map[string]string // property definition id → name
}

// readArchiMate reads an exchange file, refusing what is not one.
func readArchiMate(name string, r io.Reader) (archiModel, error) {
	src, err := readLimited(r, name)
	if err != nil {
		return archiModel{}, err
	}
	m := archiModel{propNames: map[string]string{}}
	dec := xml.NewDecoder(bytes.NewReader(src))
	var stack []string
	// The line of the decoder's position, counted on from the last asked.
	line, counted := 1, int64(0)
	lineOf := func() int {
		off := dec.InputOffset()
		line += bytes.Count(src[counted:off], []byte("\n"))
		counted = off
		return line
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return m, fileError(name, fmt.Sprintf("line %d", se.Line), "This is not well-formed XML: "+se.Msg+".")
			}
			return m, fileError(name, fmt.Sprintf("line %d", lineOf()), "This is not well-formed XML: "+err.Error()+".")
		}
		switch t := tok.(type) {
		case xml.Directive:
			return m, fileError(name, fmt.Sprintf("line %d", lineOf()), "The file declares a DOCTYPE: exchange files have none, and Engage refuses them (no entities are expanded).")
		case xml.StartElement:
			if len(stack) == 0 && (t.Name.Local != "model" || t.Name.Space != archiMateNS) {
				return m, fileError(name, "line 1", fmt.Sprintf("This is not an ArchiMate exchange file: its root is <%s> in %q, not <model> in %s.", t.Name.Local, t.Name.Space, archiMateNS))
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch {
			case t.Name.Local == "element" && parent == "elements" && len(stack) == 2,
				t.Name.Local == "relationship" && parent == "relationships" && len(stack) == 2:
				line := lineOf()
				var e archiElement
				if err := dec.DecodeElement(&e, &t); err != nil {
					return m, fileError(name, fmt.Sprintf("line %d", line), "This element cannot be read: "+err.Error()+".")
				}
				e.line = line
				if t.Name.Local == "element" {
					m.elements = append(m.elements, e)
				} else {
					m.relations = append(m.relations, e)
				}
				continue
			case t.Name.Local == "propertyDefinition" && parent == "propertyDefinitions":
				var pd archiElement
				if err := dec.DecodeElement(&pd, &t); err != nil {
					return m, fileError(name, fmt.Sprintf("line %d", lineOf()), "This property definition cannot be read: "+err.Error()+".")
				}
				m.propNames[pd.ID] = first(pd.Names)
				continue
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) != 0 || (len(m.elements) == 0 && len(m.relations) == 0 && len(src) == 0) {
		return m, fileError(name, "", "The file ends before its model does.")
	}
	return m, nil
}

var notRefChars = regexp.MustCompile(`[^a-z0-9]+`)

// refFrom makes a ref out of a name: lower-case words joined by hyphens.
func refFrom(name string) string {
	r := strings.Trim(notRefChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(r) > 56 {
		r = strings.TrimRight(r[:56], "-")
	}
	if r == "" {
		r = "element"
	}
	return r
}

// ParseArchiMate reads an ArchiMate exchange file into a register file,
// matching its elements to the register's entries. Everyone who may change
// the register may.
func (s *Service) ParseArchiMate(ctx context.Context, p *access.Principal, name string, r io.Reader) (RegisterFile, error) {
	if err := requireWriter(p); err != nil {
		return RegisterFile{}, err
	}
	m, err := readArchiMate(name, r)
	if err != nil {
		return RegisterFile{}, err
	}
	entries, err := allEntries(ctx, s.DB)
	if err != nil {
		return RegisterFile{}, err
	}
	apps, err := s.applications(ctx, s.DB, "")
	if err != nil {
		return RegisterFile{}, err
	}
	f := RegisterFile{Kind: RegisterKind, Partial: true}
	taken := map[string]bool{}
	procByArchi, procByRef := map[string]Entry{}, map[string]Entry{}
	for _, e := range entries {
		taken["p:"+e.Ref] = true
		procByRef[e.Ref] = e
		if e.ArchiMateID != "" {
			procByArchi[e.ArchiMateID] = e
		}
	}
	appByArchi, appByRef := map[string]Application{}, map[string]Application{}
	for _, a := range apps {
		taken["a:"+a.Ref] = true
		appByRef[a.Ref] = a
		if a.ArchiMateID != "" {
			appByArchi[a.ArchiMateID] = a
		}
	}
	unique := func(prefix, base string) string {
		ref := base
		for i := 2; taken[prefix+ref]; i++ {
			ref = fmt.Sprintf("%s-%d", base, i)
		}
		taken[prefix+ref] = true
		return ref
	}
	procIdx, appIdx := map[string]int{}, map[string]int{}
	skipped := map[string]int{}
	for _, el := range m.elements {
		where := fmt.Sprintf("%s:%d element %s", name, el.line, el.ID)
		switch {
		case slices.Contains(archiProcessTypes, el.Type):
			kind := Process
			if el.Type == "ValueStream" {
				kind = ValueStream
			}
			fp := FileProcess{Kind: kind, Name: first(el.Names), Description: first(el.Documentation), ArchiMateType: el.Type, ArchiMateID: el.ID, Where: where}
			if cur, ok := procByArchi[el.ID]; ok {
				fp.Ref = cur.Ref
			} else if cur, ok := procByRef[strings.TrimPrefix(el.ID, exportProc)]; ok && strings.HasPrefix(el.ID, exportProc) && cur.ArchiMateID == "" {
				fp.Ref, fp.ArchiMateID = cur.Ref, ""
			} else if ref := strings.TrimPrefix(el.ID, exportProc); ref != el.ID && refPattern.MatchString(ref) && !taken["p:"+ref] {
				fp.Ref, fp.ArchiMateID = unique("p:", ref), ""
			} else {
				fp.Ref = unique("p:", refFrom(fp.Name))
			}
			if cur, ok := procByRef[fp.Ref]; ok && cur.ArchiMateType == "" && el.Type == defaultArchiType(kind) {
				fp.ArchiMateType = ""
			} else if !ok && fp.ArchiMateID == "" && el.Type == defaultArchiType(kind) {
				fp.ArchiMateType = ""
			}
			procIdx[el.ID] = len(f.Processes)
			f.Processes = append(f.Processes, fp)
		case el.Type == "ApplicationComponent":
			fa := FileApplication{Name: first(el.Names), Description: first(el.Documentation), ArchiMateID: el.ID, Where: where}
			if cur, ok := appByArchi[el.ID]; ok {
				fa.Ref = cur.Ref
			} else if cur, ok := appByRef[strings.TrimPrefix(el.ID, exportApp)]; ok && strings.HasPrefix(el.ID, exportApp) && cur.ArchiMateID == "" {
				fa.Ref, fa.ArchiMateID = cur.Ref, ""
			} else if ref := strings.TrimPrefix(el.ID, exportApp); ref != el.ID && refPattern.MatchString(ref) && !taken["a:"+ref] {
				fa.Ref, fa.ArchiMateID = unique("a:", ref), ""
			} else {
				fa.Ref = unique("a:", refFrom(fa.Name))
			}
			appIdx[el.ID] = len(f.Applications)
			f.Applications = append(f.Applications, fa)
		default:
			skipped[el.Type]++
		}
	}
	for _, t := range slices.Sorted(maps.Keys(skipped)) {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%d %s element(s) skipped: the register keeps processes, value streams and applications.", skipped[t], t))
	}
	ignored := 0
	hasParent := map[string]string{}
	for _, rel := range m.relations {
		src, srcProc := procIdx[rel.Source]
		dst, dstProc := procIdx[rel.Target]
		app, srcApp := appIdx[rel.Source]
		if !srcApp {
			app = appIdx[rel.Target]
		}
		_, dstApp := appIdx[rel.Target]
		switch {
		case (rel.Type == "Composition" || rel.Type == "Aggregation") && srcProc && dstProc:
			child := &f.Processes[dst]
			if child.Kind == ValueStream {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s %s puts value stream %s below %s: a value stream stays at the top.", rel.Type, rel.ID, child.Name, f.Processes[src].Name))
			} else if prev, ok := hasParent[rel.Target]; ok && prev != rel.Source {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s %s gives %s a second parent: it stays below %s.", rel.Type, rel.ID, child.Name, f.Processes[procIdx[prev]].Name))
			} else {
				hasParent[rel.Target] = rel.Source
				child.Parent = f.Processes[src].Ref
			}
		case slices.Contains(archiLinkTypes, rel.Type) && ((srcApp && dstProc) || (dstApp && srcProc)):
			proc := &f.Processes[dst]
			if !dstProc {
				proc = &f.Processes[src]
			}
			ref := f.Applications[app].Ref
			weight := ""
			for _, prop := range rel.Properties {
				if strings.EqualFold(m.propNames[prop.Ref], weightName) {
					weight = first(prop.Values)
				}
			}
			i := slices.IndexFunc(proc.Applications, func(l FileLink) bool { return l.Ref == ref })
			if i < 0 {
				proc.Applications = append(proc.Applications, FileLink{Ref: ref, Weight: weight})
			} else if weight != "" {
				proc.Applications[i].Weight = weight
			}
		default:
			ignored++
		}
	}
	if ignored > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%d relation(s) skipped: the register keeps composition and aggregation between processes, and serving, realization, assignment and flow between an application and a process.", ignored))
	}
	return f, nil
}

func defaultArchiType(k Kind) string {
	if k == ValueStream {
		return "ValueStream"
	}
	return "BusinessProcess"
}

// ImportArchiMate reads an exchange file and applies it to the register in
// one transaction, or with dryRun only says what it would change.
// Enterprise architects and administrators only.
func (s *Service) ImportArchiMate(ctx context.Context, p *access.Principal, name string, r io.Reader, dryRun bool) (RegisterPlan, error) {
	f, err := s.ParseArchiMate(ctx, p, name, r)
	if err != nil {
		return RegisterPlan{}, err
	}
	return s.ApplyRegister(ctx, p, f, dryRun)
}

// ExportArchiMate writes the register as an exchange file: value streams
// and processes (with their ArchiMate type), applications, the tree as
// compositions and the links as serving relations carrying their weight.
// Everyone signed in may.
func (s *Service) ExportArchiMate(ctx context.Context, p *access.Principal, w io.Writer) error {
	f, err := s.ExportRegister(ctx, p)
	if err != nil {
		return err
	}
	procID := map[string]string{}
	appID := map[string]string{}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<model xmlns="` + archiMateNS + `" xmlns:xsi="` + xsiNS + `" xsi:schemaLocation="` + archiMateNS + ` http://www.opengroup.org/xsd/archimate/3.1/archimate3_Model.xsd" identifier="engage-register">` + "\n")
	b.WriteString(`  <name xml:lang="en">Engage process register</name>` + "\n")
	if len(f.Processes)+len(f.Applications) > 0 {
		b.WriteString("  <elements>\n")
		for _, fp := range f.Processes {
			id := fp.ArchiMateID
			if id == "" {
				id = exportProc + fp.Ref
			}
			procID[fp.Ref] = id
			t := fp.ArchiMateType
			if !slices.Contains(archiProcessTypes, t) || (t == "ValueStream") != (fp.Kind == ValueStream) {
				t = defaultArchiType(fp.Kind)
			}
			writeArchiElement(&b, id, t, fp.Name, fp.Description)
		}
		for _, fa := range f.Applications {
			id := fa.ArchiMateID
			if id == "" {
				id = exportApp + fa.Ref
			}
			appID[fa.Ref] = id
			writeArchiElement(&b, id, "ApplicationComponent", fa.Name, fa.Description)
		}
		b.WriteString("  </elements>\n")
	}
	var rels bytes.Buffer
	n := 0
	for _, fp := range f.Processes {
		if fp.Parent != "" {
			n++
			fmt.Fprintf(&rels, "    <relationship identifier=\"engage-rel-%d\" source=\"%s\" target=\"%s\" xsi:type=\"Composition\" />\n", n, attr(procID[fp.Parent]), attr(procID[fp.Ref]))
		}
	}
	for _, fp := range f.Processes {
		for _, l := range fp.Applications {
			n++
			fmt.Fprintf(&rels, "    <relationship identifier=\"engage-rel-%d\" source=\"%s\" target=\"%s\" xsi:type=\"Serving\">\n", n, attr(appID[l.Ref]), attr(procID[fp.Ref]))
			fmt.Fprintf(&rels, "      <properties>\n        <property propertyDefinitionRef=\"engage-weight\">\n          <value>%s</value>\n        </property>\n      </properties>\n    </relationship>\n", text(l.Weight))
		}
	}
	if n > 0 {
		b.WriteString("  <relationships>\n")
		b.Write(rels.Bytes())
		b.WriteString("  </relationships>\n")
		b.WriteString("  <propertyDefinitions>\n    <propertyDefinition identifier=\"engage-weight\" type=\"number\">\n      <name xml:lang=\"en\">" + weightName + "</name>\n    </propertyDefinition>\n  </propertyDefinitions>\n")
	}
	b.WriteString("</model>\n")
	_, err = w.Write(b.Bytes())
	return err
}

func writeArchiElement(b *bytes.Buffer, id, typ, name, doc string) {
	fmt.Fprintf(b, "    <element identifier=\"%s\" xsi:type=\"%s\">\n      <name xml:lang=\"en\">%s</name>\n", attr(id), attr(typ), text(name))
	if doc != "" {
		fmt.Fprintf(b, "      <documentation xml:lang=\"en\">%s</documentation>\n", text(doc))
	}
	b.WriteString("    </element>\n")
}

func text(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func attr(s string) string { return text(s) }

// ArchiMateCounts says how many processes, applications and links a plan's
// file holds, for reports.
func ArchiMateCounts(f RegisterFile) (processes, applications, links int) {
	for _, p := range f.Processes {
		links += len(p.Applications)
	}
	return len(f.Processes), len(f.Applications), links
}

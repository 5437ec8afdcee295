package catalog

// Reading a large catalog file one service at a time.
//
// A YAML node tree costs about twenty times the text it was read from (a
// 12 MB file of 5,000 services made a 230 MB tree), and the tree is only
// needed while one service is read. So a file written the usual way —
// services as a block list under a top-level `services:` key, as
// `engage export catalog` writes it — is cut into its services by their
// lines, and each service is decoded on its own; the rest of the file (the
// header keys) is decoded with the services' lines left blank, so every
// line number stays the file's own. Anything else (a flow list, documents
// markers or tabs among the services, a second services key, an anchor
// used across services) is read whole, as before: splitting only ever
// changes how much memory reading takes, never what is read.

import (
	"bytes"
	"regexp"

	"gopkg.in/yaml.v3"
)

// splitFile is a catalog file cut into its header and its services.
type splitFile struct {
	header   []byte     // the file with every service's lines blanked
	services []fileSpan // each service's lines, in file order
}

// fileSpan is a run of whole lines of the file, starting at line first
// (1-based).
type fileSpan struct {
	text  []byte
	first int
}

var servicesKey = regexp.MustCompile(`^services:[ ]*(#.*)?$`)

// splitServices cuts src into its header and services, or reports false
// when the file is not written in the usual way.
func splitServices(src []byte) (splitFile, bool) {
	var lines [][]byte
	for rest := src; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			lines = append(lines, rest)
			break
		}
		lines = append(lines, rest[:i+1])
		rest = rest[i+1:]
	}
	key := -1
	for i, l := range lines {
		if servicesKey.Match(bytes.TrimRight(l, "\r\n")) {
			if key >= 0 {
				return splitFile{}, false // given twice: reported by the whole reading
			}
			key = i
		}
	}
	if key < 0 {
		return splitFile{}, false
	}
	// The list's items start at one indentation, with "- ".
	indent := -1
	end := len(lines)
	var starts []int
	for i := key + 1; i < len(lines); i++ {
		l := bytes.TrimRight(lines[i], "\r\n")
		trimmed := bytes.TrimLeft(l, " ")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if bytes.HasPrefix(l, []byte("\t")) || bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) {
			return splitFile{}, false
		}
		n := len(l) - len(trimmed)
		isItem := trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ')
		if indent < 0 {
			if !isItem {
				return splitFile{}, false
			}
			indent = n
		}
		if n < indent || (n == indent && !isItem) {
			end = i
			break
		}
		if n == indent {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return splitFile{}, false
	}
	out := splitFile{services: make([]fileSpan, len(starts))}
	for k, s := range starts {
		e := end
		if k+1 < len(starts) {
			e = starts[k+1]
		}
		out.services[k] = fileSpan{text: bytes.Join(lines[s:e], nil), first: s + 1}
	}
	var h bytes.Buffer
	h.Grow(len(src) / 64)
	for i, l := range lines {
		if i >= starts[0] && i < end {
			h.WriteByte('\n')
			continue
		}
		h.Write(l)
	}
	out.header = h.Bytes()
	return out, true
}

// decodeService decodes one service's lines into the node of the service,
// with the file's line numbers, or reports false when they do not decode
// as one list item on their own.
func decodeService(s fileSpan) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.text, &doc); err != nil {
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, false
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode || len(list.Content) != 1 {
		return nil, false
	}
	shiftLines(list.Content[0], s.first-1)
	return list.Content[0], true
}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

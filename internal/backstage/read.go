// Package backstage reads and writes Backstage software catalog descriptor
// files (apiVersion backstage.io/v1alpha1): Groups become departments,
// Users are matched to people, Systems and Components become applications
// of the portfolio register, and Engage's catalog services are written as
// Components for Backstage to show.
//
// Decisions:
//   - Files are read from one directory (or the files of one upload) and
//     nothing else: a Location's relative targets are followed inside it; a
//     target that leaves it, an absolute path or a URL is an error; a target
//     that is not there is a warning (Backstage's own examples name files
//     they do not ship).
//   - A document of another apiVersion (a scaffolder Template) is skipped
//     with a warning; a backstage.io document of a kind Backstage does not
//     define is an error, as are malformed YAML, a cyclic group tree, an
//     owner that names no entity, and a name used twice. Every error names
//     the file and line, and then nothing is written.
//   - Users are matched to people by e-mail and never create people:
//     people come from the HR import or from signing in, with their roles.
//   - APIs, Resources and Domains have no place in Engage: they are counted
//     and named in one warning per kind, not kept.
//   - An import writes departments and applications in one transaction; a
//     dry run says what it would change and writes nothing. Importing the
//     same files again changes nothing.
package backstage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
)

// Limits of what is read.
const (
	MaxFileBytes  = 4 << 20  // one descriptor file
	MaxTotalBytes = 32 << 20 // every file of one import
	MaxFiles      = 1000
	MaxEntities   = 10000
)

// Kinds are the entity kinds of backstage.io/v1alpha1.
var Kinds = []string{"Group", "User", "Domain", "System", "Component", "API", "Resource", "Location"}

// Entity is one descriptor document, with the parts Engage reads.
type Entity struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   Metadata `yaml:"metadata"`
	Spec       Spec     `yaml:"spec"`
	// Where is the file and line of the document, for messages.
	Where string `yaml:"-"`
}

// Metadata is an entity's metadata block.
type Metadata struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace,omitempty"`
	Title       string            `yaml:"title,omitempty"`
	Description string            `yaml:"description,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
	Tags        []string          `yaml:"tags,omitempty"`
	Links       []Link            `yaml:"links,omitempty"`
}

// Link is one of an entity's links.
type Link struct {
	URL   string `yaml:"url"`
	Title string `yaml:"title,omitempty"`
	Icon  string `yaml:"icon,omitempty"`
	Type  string `yaml:"type,omitempty"`
}

// Spec holds the spec fields of every kind Engage reads.
type Spec struct {
	Type      string   `yaml:"type,omitempty"`
	Lifecycle string   `yaml:"lifecycle,omitempty"`
	Owner     string   `yaml:"owner,omitempty"`
	System    string   `yaml:"system,omitempty"`
	Domain    string   `yaml:"domain,omitempty"`
	Parent    string   `yaml:"parent,omitempty"`
	Children  []string `yaml:"children,omitempty"`
	MemberOf  []string `yaml:"memberOf,omitempty"`
	Profile   *Profile `yaml:"profile,omitempty"`
	Target    string   `yaml:"target,omitempty"`
	Targets   []string `yaml:"targets,omitempty"`
}

// Profile is a Group's or User's profile.
type Profile struct {
	DisplayName string `yaml:"displayName,omitempty"`
	Email       string `yaml:"email,omitempty"`
}

// Namespace is the entity's namespace, "default" when none is given.
func (e *Entity) Namespace() string {
	if e.Metadata.Namespace == "" {
		return "default"
	}
	return strings.ToLower(e.Metadata.Namespace)
}

// Ref is the entity's reference, kind:namespace/name, lower-case as
// Backstage compares them.
func (e *Entity) Ref() string {
	return strings.ToLower(e.Kind) + ":" + e.Namespace() + "/" + strings.ToLower(e.Metadata.Name)
}

// Title is the entity's display name: the profile's, the title, or the name.
func (e *Entity) Title() string {
	if e.Spec.Profile != nil && strings.TrimSpace(e.Spec.Profile.DisplayName) != "" {
		return strings.TrimSpace(e.Spec.Profile.DisplayName)
	}
	if t := strings.TrimSpace(e.Metadata.Title); t != "" {
		return t
	}
	return e.Metadata.Name
}

// Set is what reading files found.
type Set struct {
	Entities []*Entity
	Warnings []string
	Files    int
}

var yamlLine = regexp.MustCompile(`^line (\d+): `)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9]([-_.]?[A-Za-z0-9])*$`)

// reader reads descriptor files from one file system.
type reader struct {
	fsys  fs.FS
	set   Set
	errs  []engage.FieldError
	read  map[string]bool
	bytes int
}

func (r *reader) fail(where, format string, args ...any) {
	r.errs = append(r.errs, engage.FieldError{Field: where, Message: fmt.Sprintf(format, args...)})
}

// Read reads descriptor files from fsys: start names files, or "." for
// every .yaml and .yml file below the root. Location targets are followed
// inside fsys only. Errors name the file and line; a set with any error is
// not returned.
func Read(fsys fs.FS, start ...string) (*Set, error) {
	r := &reader{fsys: fsys, read: map[string]bool{}}
	var queue []string
	for _, s := range start {
		if s != "." {
			queue = append(queue, s)
			continue
		}
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				queue = append(queue, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing the descriptor files: %w", err)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if r.read[name] {
			continue
		}
		if len(r.read) >= MaxFiles {
			r.fail(name, "More than %d files: import the catalog in parts.", MaxFiles)
			break
		}
		r.read[name] = true
		targets, err := r.file(name)
		if err != nil {
			return nil, err
		}
		queue = append(queue, targets...)
	}
	if len(r.errs) > 0 {
		return nil, invalid(r.errs)
	}
	return &r.set, nil
}

// ReadFiles reads uploaded files, by name: their Location targets can
// name only each other.
func ReadFiles(files Files) (*Set, error) {
	return Read(files, files.names()...)
}

func invalid(errs []engage.FieldError) error {
	msg := "The Backstage catalog has an error; nothing was written."
	if len(errs) > 1 {
		msg = fmt.Sprintf("The Backstage catalog has %d errors; nothing was written.", len(errs))
	}
	return &engage.Error{Code: engage.EINVALID, Message: msg, Fields: errs}
}

// file reads one file and returns the Location targets it names.
func (r *reader) file(name string) ([]string, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.set.Warnings = append(r.set.Warnings, fmt.Sprintf("%s: not found; skipped.", name))
			return nil, nil
		}
		r.fail(name, "Cannot be read: %v.", err)
		return nil, nil
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		r.fail(name, "Cannot be read: %v.", err)
		return nil, nil
	}
	if len(src) > MaxFileBytes {
		r.fail(name, "Larger than %d MiB: split it into several files.", MaxFileBytes>>20)
		return nil, nil
	}
	if r.bytes += len(src); r.bytes > MaxTotalBytes {
		r.fail(name, "The files together are larger than %d MiB: import the catalog in parts.", MaxTotalBytes>>20)
		return nil, nil
	}
	r.set.Files++
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var targets []string
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			msg, where := strings.TrimPrefix(err.Error(), "yaml: "), name
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				msg, where = msg[len(m[0]):], name+":"+m[1]
			}
			r.fail(where, "Not valid YAML: %s.", msg)
			return nil, nil
		}
		if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
			continue // an empty document
		}
		where := fmt.Sprintf("%s:%d", name, doc.Content[0].Line)
		if doc.Content[0].Kind != yaml.MappingNode {
			r.fail(where, "A descriptor is a mapping with apiVersion, kind, metadata and spec.")
			continue
		}
		e := &Entity{Where: where}
		if err := doc.Decode(e); err != nil {
			r.fail(where, "%s.", strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		if !r.entity(e) {
			continue
		}
		if e.Kind == "Location" {
			targets = append(targets, r.targets(name, e)...)
		}
	}
	return targets, nil
}

// entity checks a document and keeps it; false when it is not kept.
func (r *reader) entity(e *Entity) bool {
	if !strings.HasPrefix(e.APIVersion, "backstage.io/") {
		if e.APIVersion == "" {
			r.fail(e.Where, "apiVersion is missing: a descriptor says apiVersion: backstage.io/v1alpha1.")
		} else {
			r.set.Warnings = append(r.set.Warnings, fmt.Sprintf("%s: %s %s of %s is not a catalog entity Engage reads; skipped.",
				e.Where, e.Kind, e.Metadata.Name, e.APIVersion))
		}
		return false
	}
	if e.APIVersion != "backstage.io/v1alpha1" && e.APIVersion != "backstage.io/v1beta1" {
		r.fail(e.Where, "apiVersion %s is not one Engage reads: use backstage.io/v1alpha1.", e.APIVersion)
		return false
	}
	if !slices.Contains(Kinds, e.Kind) {
		r.fail(e.Where, "Unknown kind %q: a backstage.io entity is one of %s.", e.Kind, strings.Join(Kinds, ", "))
		return false
	}
	if n := e.Metadata.Name; n == "" {
		r.fail(e.Where, "metadata.name is missing.")
		return false
	} else if len(n) > 63 || !namePattern.MatchString(n) {
		r.fail(e.Where, "metadata.name %q: use up to 63 letters and digits, separated by single -, _ or . characters.", n)
		return false
	}
	if len(r.set.Entities) >= MaxEntities {
		r.fail(e.Where, "More than %d entities: import the catalog in parts.", MaxEntities)
		return false
	}
	r.set.Entities = append(r.set.Entities, e)
	return true
}

// targets resolves a Location's targets against the directory of the file
// naming them, refusing what would leave the root.
func (r *reader) targets(name string, e *Entity) []string {
	all := slices.Clone(e.Spec.Targets)
	if e.Spec.Target != "" {
		all = append(all, e.Spec.Target)
	}
	var out []string
	for _, t := range all {
		t = strings.TrimSpace(t)
		switch {
		case e.Spec.Type == "url" || strings.Contains(t, "://"):
			r.fail(e.Where, "Location target %s is remote: Engage reads only files in the directory given.", t)
		case strings.HasPrefix(t, "/") || strings.HasPrefix(t, `\`) || strings.Contains(t, `\`):
			r.fail(e.Where, "Location target %s is not a relative path inside the directory given.", t)
		default:
			p := path.Join(path.Dir(name), t)
			if !fs.ValidPath(p) {
				r.fail(e.Where, "Location target %s leaves the directory given: only files inside it are read.", t)
				continue
			}
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Files are uploaded files by name, a flat directory.
type Files map[string][]byte

func (f Files) names() []string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open opens a file, for Read.
func (f Files) Open(name string) (fs.File, error) {
	src, ok := f[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: bytes.NewReader(src), name: name, size: int64(len(src))}, nil
}

type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (m *memFile) Stat() (fs.FileInfo, error) { return memInfo{m.name, m.size}, nil }
func (m *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

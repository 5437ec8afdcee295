package page

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"text/template/parse"
	"time"

	"github.com/engagehq/engage/internal/access"
)

// CheckTemplates checks every registered page template against its view:
// each field and method a template names, on every branch, must exist on
// the type it is asked of (as far as the types are known: what an `any`
// or a function returning one holds is not), and the template must render
// its sample view without error. Tests call it.
func (k *Kit) CheckTemplates() error {
	var errs []error
	for _, name := range k.TemplateNames() {
		pt := k.pages[name]
		c := &checker{page: name, t: pt.utc, funcs: map[string]reflect.Type{}, seen: map[string]bool{}}
		for _, m := range []template.FuncMap{funcs, pt.set.Funcs, zoneFuncs(time.UTC)} {
			for fn, f := range m {
				c.funcs[fn] = reflect.TypeOf(f)
			}
		}
		// Executing first escapes the templates (html/template does it on
		// the first execution), so that the walk reads settled trees.
		if err := pt.utc.Execute(io.Discard, sampleOf(pt.set.Views[name])); err != nil {
			errs = append(errs, fmt.Errorf("%s with its sample view: %w", name, err))
		}
		c.template("layout.html", pt.view)
		errs = append(errs, c.errs...)
	}
	return errors.Join(errs...)
}

// sampleOf is a copy of a sample view as a signed-in administrator sees it.
func sampleOf(v View) View {
	cp := reflect.New(reflect.TypeOf(v).Elem())
	cp.Elem().Set(reflect.ValueOf(v).Elem())
	view := cp.Interface().(View)
	if b := view.PageBase(); b.P == nil {
		b.P = &access.Principal{PersonID: 1, Name: "Sample Person", Email: "sample@example.com", Roles: []access.Role{access.Admin}}
		b.CSRF = "sample-csrf-token"
	}
	return view
}

// checker walks a page's templates with the type of dot, as far as it is
// known (nil when not).
type checker struct {
	page  string
	t     *template.Template
	tree  *parse.Tree
	funcs map[string]reflect.Type
	seen  map[string]bool // template name and dot type already walked
	errs  []error
}

type variable struct {
	name string
	typ  reflect.Type
}

func (c *checker) template(name string, dot reflect.Type) {
	t := c.t.Lookup(name)
	if t == nil || t.Tree == nil {
		return
	}
	key := fmt.Sprintf("%s|%v", name, dot)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	outer := c.tree
	c.tree = t.Tree
	vars := []variable{{"$", dot}}
	c.walk(t.Tree.Root, dot, &vars)
	c.tree = outer
}

func (c *checker) walk(node parse.Node, dot reflect.Type, vars *[]variable) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			c.walk(x, dot, vars)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe, dot, vars)
	case *parse.IfNode:
		mark := len(*vars)
		c.pipe(n.Pipe, dot, vars)
		c.walk(n.List, dot, vars)
		*vars = (*vars)[:mark]
		c.walk(n.ElseList, dot, vars)
	case *parse.WithNode:
		mark := len(*vars)
		t := c.pipe(n.Pipe, dot, vars)
		c.walk(n.List, t, vars)
		*vars = (*vars)[:mark]
		c.walk(n.ElseList, dot, vars)
	case *parse.RangeNode:
		mark := len(*vars)
		decl := n.Pipe.Decl
		key, elem := rangeTypes(c.pipeline(n.Pipe, dot, vars))
		switch len(decl) {
		case 1:
			*vars = append(*vars, variable{decl[0].Ident[0], elem})
		case 2:
			*vars = append(*vars, variable{decl[0].Ident[0], key}, variable{decl[1].Ident[0], elem})
		}
		c.walk(n.List, elem, vars)
		*vars = (*vars)[:mark]
		c.walk(n.ElseList, dot, vars)
	case *parse.TemplateNode:
		var t reflect.Type
		if n.Pipe != nil {
			t = c.pipe(n.Pipe, dot, vars)
		}
		c.template(n.Name, t)
	}
}

// pipe checks a pipeline and returns the type it yields.
func (c *checker) pipe(p *parse.PipeNode, dot reflect.Type, vars *[]variable) reflect.Type {
	if p == nil {
		return nil
	}
	last := c.pipeline(p, dot, vars)
	if !p.IsAssign {
		for _, d := range p.Decl {
			*vars = append(*vars, variable{d.Ident[0], last})
		}
	}
	return last
}

// pipeline checks a pipeline's commands and returns the type it yields,
// declaring nothing.
func (c *checker) pipeline(p *parse.PipeNode, dot reflect.Type, vars *[]variable) reflect.Type {
	var last reflect.Type
	for _, cmd := range p.Cmds {
		last = c.command(cmd, dot, vars)
	}
	return last
}

func (c *checker) command(cmd *parse.CommandNode, dot reflect.Type, vars *[]variable) reflect.Type {
	for _, a := range cmd.Args[1:] {
		c.arg(a, dot, vars)
	}
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		return c.call(id.Ident, cmd.Args[1:], dot, vars)
	}
	return c.arg(cmd.Args[0], dot, vars)
}

// call is the type a function returns.
func (c *checker) call(name string, args []parse.Node, dot reflect.Type, vars *[]variable) reflect.Type {
	switch name {
	case "index":
		if len(args) == 0 {
			return nil
		}
		t := c.arg(args[0], dot, vars)
		for range args[1:] {
			t = elemOf(t)
		}
		return t
	case "slice":
		if len(args) == 0 {
			return nil
		}
		return c.arg(args[0], dot, vars)
	case "len":
		return reflect.TypeFor[int]()
	case "eq", "ne", "lt", "le", "gt", "ge", "not":
		return reflect.TypeFor[bool]()
	case "print", "printf", "println", "html", "js", "urlquery":
		return reflect.TypeFor[string]()
	}
	if f := c.funcs[name]; f != nil && f.NumOut() > 0 {
		return known(f.Out(0))
	}
	return nil
}

func (c *checker) arg(node parse.Node, dot reflect.Type, vars *[]variable) reflect.Type {
	switch n := node.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.fields(dot, n.Ident, n)
	case *parse.VariableNode:
		var t reflect.Type
		for i := len(*vars) - 1; i >= 0; i-- {
			if (*vars)[i].name == n.Ident[0] {
				t = (*vars)[i].typ
				break
			}
		}
		return c.fields(t, n.Ident[1:], n)
	case *parse.ChainNode:
		return c.fields(c.arg(n.Node, dot, vars), n.Field, n)
	case *parse.PipeNode:
		return c.pipe(n, dot, vars)
	case *parse.IdentifierNode:
		return c.call(n.Ident, nil, dot, vars)
	case *parse.StringNode:
		return reflect.TypeFor[string]()
	case *parse.BoolNode:
		return reflect.TypeFor[bool]()
	}
	return nil
}

// fields follows a chain of field and method names from t, noting the
// first name t lacks.
func (c *checker) fields(t reflect.Type, names []string, node parse.Node) reflect.Type {
	for _, name := range names {
		if t == nil {
			return nil
		}
		next, ok := member(t, name)
		if !ok {
			loc, _ := c.tree.ErrorContext(node)
			c.errs = append(c.errs, fmt.Errorf("%s: %s: %v has no field or method %s", c.page, loc, t, name))
			return nil
		}
		t = next
	}
	return t
}

// member is the type of t's field or method name; ok is false when t
// has none. What an interface holds is not known: nil, ok.
func member(t reflect.Type, name string) (reflect.Type, bool) {
	pt := t
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt = reflect.PointerTo(t)
	}
	if m, ok := pt.MethodByName(name); ok {
		if m.Type.NumOut() == 0 {
			return nil, true
		}
		return known(m.Type.Out(0)), true
	}
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	switch base.Kind() {
	case reflect.Interface:
		return nil, true
	case reflect.Struct:
		if f, ok := base.FieldByName(name); ok && f.IsExported() {
			return known(f.Type), true
		}
	case reflect.Map:
		if base.Key().Kind() == reflect.String {
			return known(base.Elem()), true
		}
	}
	return nil, false
}

// known is t, or nil for an empty interface, whose value may be anything.
func known(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Interface && t.NumMethod() == 0 {
		return nil
	}
	return t
}

func elemOf(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return known(t.Elem())
	}
	return nil
}

// rangeTypes are the key and element types of ranging over t.
func rangeTypes(t reflect.Type) (key, elem reflect.Type) {
	if t == nil {
		return nil, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return reflect.TypeFor[int](), known(t.Elem())
	case reflect.Map:
		return known(t.Key()), known(t.Elem())
	case reflect.Int, reflect.Int64:
		return t, t
	}
	return nil, nil
}

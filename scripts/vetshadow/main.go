// Command vetshadow is go vet's shadow analyzer with its safe idioms left
// out, so that what it reports is worth fixing. Left out: a variable
// declared in the header of an if, for or switch statement (it lives and is
// checked there); a variable of a function literal that shadows one outside
// it (a closure's own err); and a variable that is checked by the statement
// right after it is declared and never assigned again. What is reported is
// a variable declared again in an inner block, while the outer one is still
// used after it, whose value can reach past its check — as when an error
// set further down the block never reaches the check after the block. Test
// files are not checked.
//
//	go vet -vettool="$(go tool -n vetshadow)" ./...
package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/shadow"
	"golang.org/x/tools/go/analysis/singlechecker"
	"golang.org/x/tools/go/ast/astutil"
)

var analyzer = &analysis.Analyzer{
	Name:     "shadow",
	Doc:      "check for shadowed variables that hide a value from the code after the block",
	Requires: shadow.Analyzer.Requires,
	Run:      run,
}

var shadowedLine = regexp.MustCompile(`shadows declaration at line (\d+)`)

func run(pass *analysis.Pass) (any, error) {
	inner := *pass
	inner.Report = func(d analysis.Diagnostic) {
		if keep(pass, d) {
			pass.Report(d)
		}
	}
	return shadow.Analyzer.Run(&inner)
}

// keep says whether a diagnostic of the shadow analyzer is worth reporting.
func keep(pass *analysis.Pass, d analysis.Diagnostic) bool {
	pos := pass.Fset.Position(d.Pos)
	if strings.HasSuffix(pos.Filename, "_test.go") {
		return false
	}
	m := shadowedLine.FindStringSubmatch(d.Message)
	if m == nil {
		return true
	}
	outer, _ := strconv.Atoi(m[1])
	for _, f := range pass.Files {
		if f.Pos() > d.Pos || d.Pos > f.End() {
			continue
		}
		idiom := false
		ast.Inspect(f, func(n ast.Node) bool {
			if idiom || n == nil || n.Pos() > d.Pos || d.Pos >= n.End() {
				return !idiom && n != nil
			}
			switch n := n.(type) {
			case *ast.IfStmt:
				idiom = within(n.Init, d.Pos)
			case *ast.ForStmt:
				idiom = within(n.Init, d.Pos)
			case *ast.SwitchStmt:
				idiom = within(n.Init, d.Pos)
			case *ast.TypeSwitchStmt:
				idiom = within(n.Init, d.Pos)
			case *ast.FuncLit:
				// The shadowed variable is declared outside the literal.
				idiom = pass.Fset.Position(n.Pos()).Line > outer
			}
			return !idiom
		})
		return !idiom && !checkedOnce(pass, f, d.Pos)
	}
	return true
}

// checkedOnce says whether the variable declared at pos is tested by the
// statement that follows its declaration and never assigned again.
func checkedOnce(pass *analysis.Pass, f *ast.File, pos token.Pos) bool {
	path, _ := astutil.PathEnclosingInterval(f, pos, pos)
	var id *ast.Ident
	var decl ast.Stmt
	var list []ast.Stmt
	for _, n := range path {
		switch n := n.(type) {
		case *ast.Ident:
			if id == nil {
				id = n
			}
		case *ast.AssignStmt, *ast.DeclStmt:
			if decl == nil {
				decl = n.(ast.Stmt)
			}
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		if list != nil {
			break
		}
	}
	obj := pass.TypesInfo.Defs[id]
	if obj == nil || decl == nil {
		return false
	}
	checked := false
	for i, st := range list {
		if st == decl && i+1 < len(list) {
			if next, ok := list[i+1].(*ast.IfStmt); ok && next.Init == nil {
				checked = mentions(pass, next.Cond, obj)
			}
		}
	}
	if !checked {
		return false
	}
	// Assigned again anywhere in the enclosing function?
	var fn ast.Node
	for _, n := range path {
		if _, ok := n.(*ast.FuncDecl); ok {
			fn = n
			break
		}
		if _, ok := n.(*ast.FuncLit); ok {
			fn = n
			break
		}
	}
	again := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && a.Tok != token.DEFINE {
			for _, l := range a.Lhs {
				if l, ok := l.(*ast.Ident); ok && pass.TypesInfo.Uses[l] == obj {
					again = true
				}
			}
		}
		return !again
	})
	return !again
}

func mentions(pass *analysis.Pass, n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && pass.TypesInfo.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

func within(n ast.Node, pos token.Pos) bool {
	return n != nil && n.Pos() <= pos && pos < n.End()
}

func main() { singlechecker.Main(analyzer) }

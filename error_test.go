package passnum

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryCodeInTheTable finds every error code constant declared in the
// domain (a string constant named E…) and requires it in the table, so
// that no code can be answered as an internal error by omission.
func TestEveryCodeInTheTable(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	found := 0
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if len(name.Name) < 2 || name.Name[0] != 'E' || strings.ToUpper(name.Name) != name.Name || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					code, _ := strconv.Unquote(lit.Value)
					found++
					if _, ok := LookupCode(code); !ok {
						t.Errorf("%s (%q, %s) is not in the table of codes in error.go", name.Name, code, fset.Position(name.Pos()))
					}
				}
			}
		}
	}
	if found < 30 {
		t.Fatalf("found only %d error code constants: the test no longer sees them", found)
	}
	if len(ErrorCodes()) != found {
		t.Errorf("the table has %d codes, the domain declares %d: remove the codes nothing declares", len(ErrorCodes()), found)
	}
}

func TestCodeInfo(t *testing.T) {
	for _, c := range ErrorCodes() {
		info, _ := LookupCode(c)
		if info.Status < 400 || info.Status > 599 || info.Title == "" {
			t.Errorf("code %q: %+v", c, info)
		}
	}
	if _, ok := LookupCode("no_such_code"); ok {
		t.Error("an unknown code was found")
	}
}

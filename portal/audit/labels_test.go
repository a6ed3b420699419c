package audit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"onestop/portal/i18n"
	"onestop/services/bases"
	"onestop/services/grants"
	"onestop/services/hotline"
	"onestop/services/mentors"
)

// open marks an action whose end the code decides at run time
// ("loan."+in.Action): the part before it is a prefix.
const open = "*"

// TestEveryAuditActionLabelled (#20.9): the audit page shows each action
// in the reader's language (「變更角色」, not user.role_change). Every action
// the code records — found by reading the calls of Record, and following
// an action passed down as a parameter to the literals its callers pass —
// has a label in the three catalogs. An action finished at run time
// ("case."+action) is listed below from the code that decides it; a new
// one fails until it is.
func TestEveryAuditActionLabelled(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The endings decided at run time, by prefix, from the code that
	// decides them.
	runtime := map[string][]string{
		"mentor.":          {mentors.Active, mentors.Paused, mentors.Retired},                                          // mentors.SetStatus
		"base.":            {bases.Approved, bases.Suspended, bases.Pending},                                           // bases.SetStatus
		"grant.":           grants.Actions,                                                                             // grants' steps
		"application.":     {"accept", "decline", "waitlist", "withdraw", "accept_offer", "decline_offer", "move_out"}, // bases.Act's rules
		"loan.":            {"forward", "return", "resubmit", "withdraw", "approve", "decline", "disburse", "repay"},   // loans' steps
		"case.link.":       hotline.LinkKinds,
		"case.close.":      hotline.Outcomes,
		"venture.checkin.": hotline.ReviewDecisions,
		"complaint.":       {"assign", "start", "answer", "close", "reopen", "note"}, // hotline's complaint transitions
		"claim.":           {"approve", "reject", "pay"},                             // training's claim steps
		"service.":         {"assign", "start", "complete", "cancel"},                // onestop's transitions
	}
	actions := recorded(t, "../../services", "../../portal")
	if len(actions) < 60 {
		t.Fatalf("found only %d actions: the scan is broken", len(actions))
	}
	var all []string
	for _, a := range actions {
		prefix, isOpen := strings.CutSuffix(a, open)
		if !isOpen {
			all = append(all, a)
			continue
		}
		ends, ok := runtime[prefix]
		if !ok {
			t.Errorf("the code records %q…, finished at run time: list its endings in this test", prefix)
		}
		for _, e := range ends {
			all = append(all, prefix+e)
		}
	}
	for _, a := range all {
		for _, l := range i18n.Languages {
			if !b.Has(l, "audit.action."+a) {
				t.Errorf("%s has no label for the audit action %q (audit.action.%s)", l, a, a)
			}
		}
	}
	// And no label for an action nobody records any more.
	for _, k := range b.Keys(i18n.Default) {
		if a, ok := strings.CutPrefix(k, "audit.action."); ok && !slices.Contains(all, a) {
			t.Errorf("%s labels an action the code no longer records", k)
		}
	}
}

// recorded returns the actions the code under dirs records with
// audit.Log.Record(ctx, actor, action, result, target, detail).
func recorded(t *testing.T, dirs ...string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s := &scan{t: t, fset: fset, files: files}
	var out []string
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 6 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Record" {
					for _, a := range s.values(f, fn, call.Args[2], 0) {
						if !slices.Contains(out, a) {
							out = append(out, a)
						}
					}
				}
				return true
			})
		}
	}
	slices.Sort(out)
	return out
}

type scan struct {
	t     *testing.T
	fset  *token.FileSet
	files []*ast.File
}

// values are the strings expr can be inside fn: a literal; a literal
// followed by something decided at run time (ending in open); a variable
// assigned literals; a parameter, from what fn's callers pass.
func (s *scan) values(f *ast.File, fn *ast.FuncDecl, expr ast.Expr, depth int) []string {
	if depth > 4 {
		return []string{open}
	}
	switch e := expr.(type) {
	case *ast.BasicLit:
		if v, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
			return []string{v}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			var out []string
			for _, l := range s.values(f, fn, e.X, depth+1) {
				if strings.HasSuffix(l, open) {
					out = append(out, l)
					continue
				}
				for _, r := range s.values(f, fn, e.Y, depth+1) {
					out = append(out, l+r)
				}
			}
			return out
		}
	case *ast.Ident:
		if i := paramIndex(fn, e.Name); i >= 0 {
			return s.fromCallers(fn, i, depth)
		}
		var out []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != len(as.Rhs) {
				return true
			}
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == e.Name {
					out = append(out, s.assigned(f, fn, as.Rhs[i], depth)...)
				}
			}
			return true
		})
		if len(out) > 0 {
			return out
		}
	}
	return []string{open}
}

// assigned reads what a variable is given: a value, or a value picked
// from a map literal (map[bool]string{true: "a", false: "b"}[x]).
func (s *scan) assigned(f *ast.File, fn *ast.FuncDecl, rhs ast.Expr, depth int) []string {
	if ix, ok := rhs.(*ast.IndexExpr); ok {
		if lit, ok := ix.X.(*ast.CompositeLit); ok {
			var out []string
			for _, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					out = append(out, s.values(f, fn, kv.Value, depth+1)...)
				}
			}
			return out
		}
	}
	return s.values(f, fn, rhs, depth+1)
}

// fromCallers follows a parameter to the arguments fn's callers pass.
func (s *scan) fromCallers(fn *ast.FuncDecl, i, depth int) []string {
	var out []string
	for _, f := range s.files {
		for _, decl := range f.Decls {
			caller, ok := decl.(*ast.FuncDecl)
			if !ok || caller.Body == nil {
				continue
			}
			ast.Inspect(caller.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || i >= len(call.Args) || !sameFunc(call.Fun, fn) || s.pkg(f) != s.pkgOf(fn) {
					return true
				}
				out = append(out, s.values(f, caller, call.Args[i], depth+1)...)
				return true
			})
		}
	}
	if len(out) == 0 {
		return []string{open} // called from another package: decided there
	}
	return out
}

// sameFunc: a call of fn by its name, as a method (s.change) or not.
func sameFunc(fun ast.Expr, fn *ast.FuncDecl) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return fn.Recv == nil && f.Name == fn.Name.Name
	case *ast.SelectorExpr:
		return fn.Recv != nil && f.Sel.Name == fn.Name.Name
	}
	return false
}

func (s *scan) pkg(f *ast.File) string { return filepath.Dir(s.fset.Position(f.Package).Filename) }

func (s *scan) pkgOf(fn *ast.FuncDecl) string {
	return filepath.Dir(s.fset.Position(fn.Pos()).Filename)
}

// paramIndex is the position of name among fn's arguments, or -1.
func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == name {
				return i
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return -1
}

package portal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"onestop/templates"
)

// chinese is a Chinese character or a full-width punctuation mark:
// written into a template or the code, it shows in every language.
var chinese = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303f}\x{ff01}-\x{ff1f}]`)

// separator is a Chinese punctuation mark alone, as lists are joined with.
var separator = regexp.MustCompile(`^\s*[\x{3000}-\x{303f}\x{ff01}-\x{ff1f}]+\s*$`)

// TestTemplatesLeaveWordsToTheCatalogs (#20.9, #20.10): the words and the
// punctuation a page shows come from the catalogs, so each language has
// its own: no Chinese character or full-width mark in a template's text or
// string constants (「、」 between list items and 「：」 after a label read in
// English pages), and no ASCII colon after a label (「跟蹤個案: 王小明」 in
// Chinese) — punct.colon, list.sep and punct.quote say them per language.
func TestTemplatesLeaveWordsToTheCatalogs(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		raw, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		tree := parse.New(p)
		tree.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		if _, err := tree.Parse(string(raw), "{{", "}}", trees); err != nil {
			return err
		}
		for _, tr := range trees {
			n++
			walkText(tr.Root, false, func(s string, afterAction bool) {
				if m := chinese.FindString(s); m != "" {
					t.Errorf("%s: %q in %q: say it with the catalogs", p, m, s)
				}
				if afterAction && strings.HasPrefix(s, ":") {
					t.Errorf("%s: a label followed by %q: use punct.colon", p, s[:min(len(s), 12)])
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("only %d templates read: the walk is broken", n)
	}
}

// walkText calls f with each text of the template and the string constants
// of its actions; afterAction says whether the text follows an action.
func walkText(node parse.Node, afterAction bool, f func(s string, afterAction bool)) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		after := afterAction
		for _, c := range n.Nodes {
			walkText(c, after, f)
			_, isText := c.(*parse.TextNode)
			after = !isText
		}
	case *parse.TextNode:
		f(string(n.Text), afterAction)
	case *parse.StringNode:
		f(n.Text, false)
	case *parse.ActionNode:
		walkText(n.Pipe, false, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkText(c, false, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkText(a, false, f)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walkText(n.Pipe, false, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(string, bool)) {
	walkText(b.Pipe, false, f)
	walkText(b.List, true, f)
	walkText(b.ElseList, true, f)
}

// TestCodeLeavesSeparatorsToTheCatalogs (#20.9): a list joined in the
// portal's code with 「、」 or 「，」 reads so in English too; list.sep says
// it per language. (Chinese words in code are sample content, as the load
// generator's questions.)
func TestCodeLeavesSeparatorsToTheCatalogs(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && separator.MatchString(s) {
				t.Errorf("%s: %q written in the code", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

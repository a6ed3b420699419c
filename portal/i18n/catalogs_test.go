package i18n_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/longbridgeapp/opencc"

	"onestop/portal/i18n"
)

// TestTraditionalCatalogHasNoSimplified: every zh-Hant string reads in
// Traditional characters. OpenCC's Simplified→Traditional conversion must
// leave it as it is, apart from the characters where Taiwan and Hong Kong
// write the form OpenCC does not pick (平台, 稽核, 群, 公布, 了解).
func TestTraditionalCatalogHasNoSimplified(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	accepted := map[rune]rune{'台': '臺', '核': '覈', '群': '羣', '布': '佈', '了': '瞭'}
	for _, k := range b.Keys("zh-Hant") {
		s := b.T("zh-Hant", k)
		out, err := cc.Convert(s)
		if err != nil {
			t.Fatal(err)
		}
		in, got := []rune(s), []rune(out)
		if len(in) != len(got) {
			t.Errorf("%s: %q reads %q in Traditional", k, s, out)
			continue
		}
		for i := range in {
			if in[i] != got[i] && accepted[in[i]] != got[i] {
				t.Errorf("%s: %q has %c, Traditional %c", k, s, in[i], got[i])
			}
		}
	}
}

// TestEnglishLabelsCapitalised: the English words shown alone as a label —
// a status badge, a history entry, a table heading, a choice in a list —
// begin with a capital letter, as the rest of the English interface does.
func TestEnglishLabelsCapitalised(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{"action.", "app.", "audit.result.", "bstatus.", "caseaction.", "cpaction.", "cstatus.", "disputes.decision.",
		"disputes.status.", "figdim.", "figures.", "form.", "gender.", "group.", "laction.", "lstatus.", "match.", "moveout.", "mstatus.", "paction.",
		"req.", "role.", "stage.", "status.", "verify.basis.", "waiting.", "value.yes", "value.no", "value.unanswered", "services.overdue"}
	// Shown inside a sentence or after a number, not as a label.
	inline := map[string]bool{"figures.self_short": true, "match.excluded": true, "match.points": true}
	n := 0
	for _, k := range b.Keys("en") {
		if inline[k] || strings.HasPrefix(k, "match.unknown.") || !hasAnyPrefix(k, labels) { // match.unknown.*: listed inside a sentence
			continue
		}
		n++
		s := b.T("en", k)
		if first := []rune(s)[0]; unicode.IsLower(first) {
			t.Errorf("%s: %q begins in lower case", k, s)
		}
	}
	if n < 100 {
		t.Fatalf("only %d labels checked: the prefixes no longer name the catalog's keys", n)
	}
}

// hasAnyPrefix: a name ending in a dot is a family of keys, else one key.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasSuffix(p, ".") && strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

package i18n_test

import (
	"regexp"
	"slices"
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
	labels := []string{"action.", "app.", "audit.action.", "audit.result.", "bstatus.", "caseaction.", "cpaction.", "cstatus.", "disputes.decision.",
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

// TestPluralFormsPaired: a message about a count has both its forms —
// key.one and key.other — in every catalog, each showing the count, and no
// text of its own beside them (T would never reach the forms). A key
// ending in .other alone is a code ("other" of a list), not a form.
func TestPluralFormsPaired(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range i18n.Languages {
		for _, k := range b.Keys(l) {
			base, ok := strings.CutSuffix(k, ".one")
			if !ok {
				continue
			}
			one := b.T(l, k)
			if !strings.Contains(one, "{0}") {
				continue // a code named "one", not a form
			}
			n++
			if !hasPlural(b, l, base) {
				t.Errorf("%s: %s has no other form", l, k)
				continue
			}
			if !strings.Contains(b.T(l, base+".other"), "{0}") {
				t.Errorf("%s: %s.other does not show its count {0}", l, base)
			}
			if slices.Contains(b.Keys(l), base) {
				t.Errorf("%s: %s has plural forms and a text of its own", l, base)
			}
		}
	}
	if n < 3*40 {
		t.Fatalf("only %d plural forms: the messages about counts lost them", n)
	}
}

// hasPlural reports whether key is a message with both plural forms in lang.
func hasPlural(b *i18n.Bundle, lang, key string) bool {
	keys := b.Keys(lang)
	return slices.Contains(keys, key+".one") && slices.Contains(keys, key+".other")
}

// TestEnglishCountsAgree: "1 venture due", "2 ventures due": the count picks
// the form, whether it is a number from a page or a value carried by a
// field message (core.Msg); Chinese has one form for every count.
func TestEnglishCountsAgree(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "stability.caption", []any{1}, "1 venture due"},
		{"en", "stability.caption", []any{0}, "0 ventures due"},
		{"en", "stability.caption", []any{21}, "21 ventures due"},
		{"en", "admin.audit.caption", []any{int64(1)}, "1 event"},
		{"en", "error.text.min|1", nil, "Write at least 1 character."},
		{"en", "error.text.min|5", nil, "Write at least 5 characters."},
		{"en", "notify.case.reassigned", []any{"1"}, "1 case or complaint was handed to you."},
		{"en", "mentors.rating", []any{1, "5.0"}, "5.0 (1 rating)"},
		{"en", "op.within_years", []any{"1", "graduation date", "date of the check"}, "less than 1 year from the graduation date to date of the check"},
		{"en", "training.hours", []any{"1.5"}, "1.5 hours"},
		{"zh-Hant", "stability.caption", []any{1}, "共 1 家企業待回訪"},
		{"zh-Hans", "stability.caption", []any{2}, "共 2 家企业待回访"},
	} {
		if got := b.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
	if !b.Has("en", "stability.caption") || b.Has("en", "stability.nothing") {
		t.Error("Has does not know a message by its plural forms")
	}
}

// TestEnglishCountMessagesHavePlurals: an English message that puts a
// value before a plural noun ("{0} ventures") is a count, and says "1
// ventures" unless it has plural forms with the count first.
func TestEnglishCountMessagesHavePlurals(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	count := regexp.MustCompile(`\{\d\}%? (?:[a-z-]+ )?([a-z]+)\b`)
	verbs := map[string]bool{"is": true, "was": true, "has": true, "does": true}
	// {0} is an industry here ("take catering projects"), not a count.
	notCounts := map[string]bool{"library.next.bases": true}
	for _, k := range b.Keys("en") {
		base, _ := strings.CutSuffix(k, ".one")
		base, _ = strings.CutSuffix(base, ".other")
		if base != k && hasPlural(b, "en", base) || notCounts[k] {
			continue
		}
		for _, m := range count.FindAllStringSubmatch(b.T("en", k), -1) {
			if w := m[1]; !verbs[w] && (strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") || w == "people") {
				t.Errorf("%s: %q counts without plural forms", k, m[0])
			}
		}
	}
}

// TestEnglishHasNoChinesePunctuation (#20.9): English text uses English
// punctuation — no （），。：；！？「」、 — and no Chinese characters.
func TestEnglishHasNoChinesePunctuation(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	chinese := regexp.MustCompile(`[\p{Han}\x{3000}-\x{303f}\x{ff01}-\x{ff1f}]`)
	for _, k := range b.Keys("en") {
		if m := chinese.FindString(b.T("en", k)); m != "" {
			t.Errorf("en %s: %q in %q", k, m, b.T("en", k))
		}
	}
}

// TestChineseWording (#20.10): one word for one thing. zh-Hant writes
// 諮詢, 身分 (身分證) and 徵地 as Taiwan and Hong Kong do; zh-Hans writes
// 咨询 and 身份 as the mainland does.
func TestChineseWording(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	avoid := map[string]map[string]string{
		"zh-Hant": {"咨詢": "諮詢", "谘詢": "諮詢", "身份": "身分", "征地": "徵地"},
		"zh-Hans": {"谘询": "咨询", "諮询": "咨询", "身分": "身份"},
	}
	for lang, words := range avoid {
		for _, k := range b.Keys(lang) {
			s := b.T(lang, k)
			for bad, good := range words {
				if strings.Contains(s, bad) {
					t.Errorf("%s %s: %q writes %s, not %s", lang, k, s, bad, good)
				}
			}
		}
	}
}

// TestChineseSpacingAndPunctuation (#20.10): Chinese text takes full-width
// punctuation — no ASCII colon or comma against a Chinese character or
// after a value ({0}:) — and no space between two Chinese characters; a
// number or a Latin word is set off by a space on each side, as the
// catalogs write it throughout. An example to type, in quotation marks
// (「起日 ~ 止日 名稱」), and a title in 《》 are written as they are.
func TestChineseSpacingAndPunctuation(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	const han = `\p{Han}`
	quoted := regexp.MustCompile(`「[^」]*」|“[^”]*”|《[^》]*》`)
	rules := []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`[` + han + `}]\s?[:,;!?()]|[:,;!?()]\s?` + han), "ASCII punctuation in Chinese text"},
		{regexp.MustCompile(han + ` +` + han), "a space between Chinese characters"},
		{regexp.MustCompile(han + `[0-9A-Za-z]|[0-9A-Za-z]` + han), "a number or Latin word not set off by spaces"},
	}
	for _, lang := range []string{"zh-Hant", "zh-Hans"} {
		for _, k := range b.Keys(lang) {
			s := quoted.ReplaceAllString(b.T(lang, k), "「」")
			for _, r := range rules {
				if m := r.re.FindString(s); m != "" {
					t.Errorf("%s %s: %s (%q) in %q", lang, k, r.what, m, b.T(lang, k))
				}
			}
		}
	}
}

package i18n

import (
	"slices"
	"strings"
	"testing"
)

// FuzzMatch (S14): whatever Accept-Language a client sends, the choice is
// one of the three catalogs, and a language the header weighs q=0 ("not
// acceptable", RFC 9110 §12.5.4) is never chosen over the default.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"zh-TW,zh;q=0.9,en;q=0.8", "zh-CN", "en-US,en;q=0.5", "fr-FR", "", "*", "en;q=0", "zh-Hans;q=NaN,en;q=0.1",
		"en;q=1e400", "zh-hans-cn;q=-1", ";;;,,,", "EN", "zh-Hant-TW", "x-klingon;q=1, en ; q=0.2", strings.Repeat("en,", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		l := Match(header)
		if !slices.Contains(Languages, l) {
			t.Fatalf("Match(%q) = %q", header, l)
		}
		if l == Default {
			return
		}
		// Some part of the header names l with a positive weight.
		for _, w := range weights(header) {
			if w.lang == l && w.q > 0 {
				return
			}
		}
		t.Fatalf("Match(%q) = %q, which the header does not accept", header, l)
	})
}

// FuzzSupported: Supported returns "" or one of the catalogs, and only for
// a spelling of that catalog's name.
func FuzzSupported(f *testing.F) {
	for _, s := range []string{"zh-Hant", "ZH-HANS", "en", "en-US", "", "../en", "zh-Hant\x00", "ｅｎ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := Supported(s)
		if l != "" && (!slices.Contains(Languages, l) || !strings.EqualFold(l, s)) {
			t.Fatalf("Supported(%q) = %q", s, l)
		}
		if l == "" && slices.Contains(Languages, s) {
			t.Fatalf("Supported(%q) refused a catalog", s)
		}
	})
}

// Regression (found by FuzzMatch): "en;q=0" chose English, the one
// language the client said it does not accept.
func TestMatchRefusesZeroWeight(t *testing.T) {
	for h, want := range map[string]string{"en;q=0": Default, "en;q=0, zh-CN;q=0.1": "zh-Hans", "zh-CN;q=0.0,en": "en", "en;q=NaN": Default} {
		if got := Match(h); got != want {
			t.Errorf("Match(%q) = %q, want %q", h, got, want)
		}
	}
}

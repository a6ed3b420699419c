// Package i18n holds the message catalogs — zh-Hant (the default, like the
// source texts), zh-Hans and en — and picks a language for a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Languages, default first.
var Languages = []string{"zh-Hant", "zh-Hans", "en"}

// Default is the language when nothing else is known.
const Default = "zh-Hant"

//go:embed catalogs/*.json
var files embed.FS

// Bundle is the loaded catalogs.
type Bundle struct {
	cat map[string]map[string]string
	// data answers keys the catalogs lack from texts kept as data (the
	// labels of facts an administrator defined); nil answers none.
	data func(lang, key string) (string, bool)
}

// WithData makes b answer keys its catalogs lack from data: texts an
// administrator keeps (a defined fact's label), looked up after the
// catalogs, so data never overrides a catalog's text. Call it before b
// serves.
func (b *Bundle) WithData(fn func(lang, key string) (string, bool)) { b.data = fn }

// Load reads the embedded catalogs; a missing or broken one stops start-up.
func Load() (*Bundle, error) {
	b := &Bundle{cat: map[string]map[string]string{}}
	for _, l := range Languages {
		raw, err := files.ReadFile("catalogs/" + l + ".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", l, err)
		}
		b.cat[l] = m
	}
	return b, nil
}

// T translates key into lang; args fill {0}, {1}… (a key made by core.Msg
// carries its own values, which come first). A message about a count has
// plural forms instead of a text of its own — key.one and key.other — and
// its first argument, the count, picks one (Plural). A key missing from a
// catalog falls back to the default language, then to the key itself, so a
// gap shows up on screen instead of breaking the page (a test keeps the
// catalogs complete).
func (b *Bundle) T(lang, key string, args ...any) string {
	if k, values, ok := strings.Cut(key, "|"); ok {
		// A message with its values (core.Msg): they come first.
		key = k
		for i, v := range strings.Split(values, "|") {
			args = slices.Insert(args, i, any(v))
		}
	}
	s, ok := b.lookup(lang, key)
	if !ok {
		var count any
		if len(args) > 0 {
			count = args[0]
		}
		s, ok = b.lookup(lang, key+"."+Plural(lang, count))
	}
	if !ok {
		return key
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return s
}

// lookup finds key in lang's catalog, else in the default one.
func (b *Bundle) lookup(lang, key string) (string, bool) {
	if s, ok := b.cat[lang][key]; ok {
		return s, true
	}
	if s, ok := b.cat[Default][key]; ok {
		return s, true
	}
	if b.data != nil {
		return b.data(lang, key)
	}
	return "", false
}

// Plural names the form ("one" or "other") a message about count takes in
// lang. Chinese has one form; English says "1 venture" but "0 ventures",
// "2 ventures". A count is a whole number, or a string of digits (the
// values core.Msg carries); anything else takes "other".
func Plural(lang string, count any) string {
	if lang == "en" {
		if n, ok := whole(count); ok && n == 1 {
			return "one"
		}
	}
	return "other"
}

func whole(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// Has reports whether lang's catalog has key, as a text or as the plural
// forms of a message about a count.
func (b *Bundle) Has(lang, key string) bool {
	_, ok := b.cat[lang][key]
	if !ok {
		_, ok = b.cat[lang][key+".other"]
	}
	if !ok && b.data != nil {
		_, ok = b.data(lang, key)
	}
	return ok
}

// Keys returns the keys of lang's catalog, sorted.
func (b *Bundle) Keys(lang string) []string {
	keys := make([]string, 0, len(b.cat[lang]))
	for k := range b.cat[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Supported returns lang when it is one of ours, else "".
func Supported(lang string) string {
	for _, l := range Languages {
		if strings.EqualFold(l, lang) {
			return l
		}
	}
	return ""
}

// Match picks a language from an Accept-Language header: the supported
// language with the highest weight above 0, zh-Hant when none fits.
func Match(header string) string {
	best, bestQ := "", -1.0
	for _, w := range weights(header) {
		// q=0 means "not acceptable" (RFC 9110 §12.5.4); NaN fails q > 0 too.
		if w.lang != "" && w.q > 0 && w.q > bestQ {
			best, bestQ = w.lang, w.q
		}
	}
	if best == "" {
		return Default
	}
	return best
}

// weighted is one part of an Accept-Language header: the catalog its tag
// names ("" for none) and its weight.
type weighted struct {
	lang string
	q    float64
}

func weights(header string) []weighted {
	var out []weighted
	for _, part := range strings.Split(header, ",") {
		tag, q := strings.TrimSpace(part), 1.0
		if i := strings.IndexByte(tag, ';'); i >= 0 {
			if v, ok := strings.CutPrefix(strings.TrimSpace(tag[i+1:]), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			tag = strings.TrimSpace(tag[:i])
		}
		out = append(out, weighted{fromTag(tag), q})
	}
	return out
}

func fromTag(tag string) string {
	t := strings.ToLower(tag)
	switch {
	case t == "zh-hans" || strings.HasPrefix(t, "zh-hans-") || t == "zh-cn" || t == "zh-sg" || t == "zh-my":
		return "zh-Hans"
	case t == "zh" || strings.HasPrefix(t, "zh-"):
		return "zh-Hant"
	case t == "en" || strings.HasPrefix(t, "en-"):
		return "en"
	}
	return ""
}

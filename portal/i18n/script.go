package i18n

import (
	"sync"
	"sync/atomic"

	"github.com/longbridgeapp/opencc"
)

// Content shows text people wrote (project titles, base and course names,
// a policy's basis) in the reader's script: Simplified for zh-Hans, and
// Traditional — the portal's default, like the source texts — for zh-Hant
// and English, so no page mixes the two. It converts with OpenCC's phrase
// dictionaries (the same data the search folds with; s2tw one way, t2s
// the other), for display only: what is stored, exported and put back in
// a form stays as typed, and names of people are not passed through it.
func Content(lang, s string) string {
	if s == "" || !hasHan(s) {
		return s
	}
	c := converters()
	conv, cache := c.s2t, &c.toTrad
	if lang == "zh-Hans" {
		conv, cache = c.t2s, &c.toSimp
	}
	if v, ok := cache.m.Load(s); ok {
		return v.(string)
	}
	out, err := conv.Convert(s)
	if err != nil {
		return s // a conversion that fails shows the text as written
	}
	cache.put(s, out)
	return out
}

// contentCache remembers conversions: the same titles and names are shown
// over and over, and OpenCC costs about a microsecond a character. It is
// emptied when full rather than kept in order; a page after that pays the
// conversions once more.
type contentCache struct {
	m sync.Map
	n atomic.Int64
}

const contentCacheMax = 50_000

func (c *contentCache) put(k, v string) {
	if c.n.Add(1) > contentCacheMax {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(k, v)
}

type scriptConverters struct {
	s2t, t2s       *opencc.OpenCC
	toTrad, toSimp contentCache
}

var converters = sync.OnceValue(func() *scriptConverters {
	// s2tw: Traditional with the character forms of Taiwan's standard
	// (吃, 為, 裡), the ones the catalogs use; plain s2t writes 喫 and 爲.
	s2t, err := opencc.New("s2tw")
	if err != nil {
		panic("i18n: OpenCC s2tw: " + err.Error()) // embedded data; cannot fail at run time
	}
	t2s, err := opencc.New("t2s")
	if err != nil {
		panic("i18n: OpenCC t2s: " + err.Error())
	}
	return &scriptConverters{s2t: s2t, t2s: t2s}
})

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF {
			return true
		}
	}
	return false
}

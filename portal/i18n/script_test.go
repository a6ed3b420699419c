package i18n

import "testing"

func TestContentInTheReadersScript(t *testing.T) {
	tests := []struct {
		lang, in, want string
	}{
		{"zh-Hant", "智能灌溉设备安装服务", "智能灌溉設備安裝服務"},
		{"zh-Hans", "高新創業園", "高新创业园"},
		{"en", "农产品电商带货", "農產品電商帶貨"},
		{"zh-Hans", "促進以創業帶動就業 (五) 改善行政管理", "促进以创业带动就业 (五) 改善行政管理"},
		{"zh-Hant", "頭髮與發展", "頭髮與發展"},   // already Traditional: unchanged
		{"zh-Hant", "理发店的发展", "理髮店的發展"}, // phrases pick the right character
		{"zh-Hans", "Plain English 123", "Plain English 123"},
		{"zh-Hant", "", ""},
	}
	for _, tt := range tests {
		for range 2 { // the second time from the cache
			if got := Content(tt.lang, tt.in); got != tt.want {
				t.Errorf("Content(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
			}
		}
	}
}

func BenchmarkContent(b *testing.B) {
	titles := []string{"智能灌溉设备安装服务", "社区生鲜团购站", "手工豆腐坊扩建", "高新創業園孵化服務"}
	b.Run("cached", func(b *testing.B) {
		for i := range b.N {
			Content("zh-Hant", titles[i%len(titles)])
		}
	})
	b.Run("uncached", func(b *testing.B) {
		conv := converters().s2t
		for i := range b.N {
			_, _ = conv.Convert(titles[i%len(titles)])
		}
	})
}

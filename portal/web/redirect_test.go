package web

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"/", "/"}, {"/manage", "/manage"}, {"/manage?status=offered#x", "/manage?status=offered#x"}, {"/a/b?next=//x", "/a/b?next=//x"},
		{"/%2f/evil.example", "/%2f/evil.example"}, {"/manage%0d%0aSet-Cookie:x", "/manage%0d%0aSet-Cookie:x"},
		{"", "F"}, {"manage", "F"}, {"//evil.example", "F"}, {"/\\evil.example", "F"}, {"\\/evil.example", "F"},
		{"/manage\r\nSet-Cookie: x=1", "F"}, {"/\t/evil.example", "F"}, {"/x\u0085y", "F"}, {"/x\x00", "F"},
		{"https://evil.example", "F"}, {"javascript:alert(1)", "F"}, {" /x", "F"}, {"/" + strings.Repeat("a", maxRedirect), "F"},
	} {
		if got := LocalPath(tt.in, "F"); got != tt.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, area, want string }{
		{"/manage?status=offered", "/manage", "/manage?status=offered"}, {"/manage", "/manage", "/manage"},
		{"/manager-evil", "/manage", "/manage"}, {"/applications", "/manage", "/manage"}, {"/manage\r\nX: y", "/manage", "/manage"},
	} {
		if got := LocalBack(tt.in, tt.area, "/manage"); got != tt.want {
			t.Errorf("LocalBack(%q, %q) = %q, want %q", tt.in, tt.area, got, tt.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, next := range []string{"//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"} {
		if got := SafeNext(next); got != "/" {
			t.Errorf("SafeNext(%q) = %q", next, got)
		}
	}
	if SafeNext("/account?x=1") != "/account?x=1" {
		t.Error("local path refused")
	}
}

package core

import (
	"strings"
	"testing"
)

func TestTextAndLine(t *testing.T) {
	tests := []struct {
		in       string
		min, max int
		line     bool
		want     string // "" is valid
	}{
		{"  早餐店停業  ", 2, 10, false, ""},
		{"第一行\n第二行", 1, 20, false, ""},
		{"第一行\n第二行", 1, 20, true, "error.text.one_line"},
		{" ", 1, 10, false, "error.required"},
		{"購置設備", 5, 500, false, "error.text.min|5"},
		{"a\x00b", 1, 10, false, "error.text.chars"},
		{"a\u200bb", 1, 10, false, "error.text.chars"},
		{"\u202eevil", 1, 10, true, "error.text.chars"},
		{strings.Repeat("長", 11), 1, 10, false, "error.text.max|10"},
		{"\xff\xfe", 0, 10, false, "error.text.chars"},
		{"陳　大文", 1, 10, true, ""}, // the ideographic space of a Chinese name
	}
	for _, tt := range tests {
		var v Validation
		var got string
		if tt.line {
			got = v.Line("f", tt.in, tt.min, tt.max)
		} else {
			got = v.Text("f", tt.in, tt.min, tt.max)
		}
		if v.fields["f"] != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, v.fields["f"], tt.want)
		}
		if tt.want == "" && got != strings.TrimSpace(tt.in) {
			t.Errorf("%q trimmed to %q", tt.in, got)
		}
	}
}

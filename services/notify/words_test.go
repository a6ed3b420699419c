package notify_test

import (
	"testing"

	"onestop/services/notify"
)

// TestWords: a label and a reference code read back as what they are; any
// text a person could type — a name, a subject, even one shaped like a
// key — is shown as it is.
func TestWords(t *testing.T) {
	for _, tt := range []struct {
		arg             string
		key, kind, code string
		word            bool
	}{
		{notify.Label("topic.financing"), "topic.financing", "", "", true},
		{notify.Ref("district", "dongcheng"), "", "district", "dongcheng", true},
		{"王小明", "", "", "", false},
		{"topic.financing", "", "", "", false},
		{"district/dongcheng", "", "", "", false},
		{"", "", "", "", false},
	} {
		key, kind, code, ok := notify.Word(tt.arg)
		if key != tt.key || kind != tt.kind || code != tt.code || ok != tt.word {
			t.Errorf("Word(%q) = %q %q %q %v", tt.arg, key, kind, code, ok)
		}
	}
}

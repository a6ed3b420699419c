package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportReportInReadersLanguage (#20.9): the lines an import refuses
// are reported in words — zh-Hant unless -lang or LANG says otherwise —
// with the column at fault, never as catalog keys (`error.enum`) or the
// JSON decoder's English.
func TestImportReportInReadersLanguage(t *testing.T) {
	t.Setenv("LANG", "") // the default, whatever the machine's locale
	dir := t.TempDir()
	file := filepath.Join(dir, "projects.jsonl")
	good := `{"external_id":"p-1","title":"社區早餐店","summary":"早餐","industry":"technology","district":"hightech","risk":"low","source":"bureau","status":"recommended"}`
	bad := `{"external_id":"p-2","title":"魔法店","summary":"魔法","industry":"magic","district":"hightech","risk":"low","source":"bureau","status":"recommended"}`
	if err := os.WriteFile(file, []byte(good+"\n"+bad+"\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"第 2 行未匯入：industry：請從列表中選擇。", "第 3 行未匯入：JSON 寫法有誤：第 1 行第 2 個字附近。", "共 3 行：新增 1，更新 0，未匯入 2"}},
		{[]string{"-lang", "en"}, []string{"Line 2 not imported: industry: Choose from the list.", "Line 3 not imported: The JSON is not well formed near line 1, column 2.",
			"3 lines: 0 created, 1 updated, 2 not imported"}},
	} {
		code, stdout, stderr := run(append([]string{"import", "projects", file, "-data", filepath.Join(dir, "data")}, tt.args...)...)
		if code != 0 {
			t.Fatalf("import %v: %d %s", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("import %v: the report lacks %q:\n%s", tt.args, w, stdout)
			}
		}
		for _, raw := range []string{"error.", "invalid character", "rejected"} {
			if strings.Contains(stdout, raw) {
				t.Errorf("import %v: the report says %q:\n%s", tt.args, raw, stdout)
			}
		}
	}
	if code, _, stderr := run("import", "projects", file, "-lang", "fr", "-data", filepath.Join(dir, "data")); code == 0 || !strings.Contains(stderr, "zh-Hant, zh-Hans, en") {
		t.Errorf("-lang fr: %d %s", code, stderr)
	}
}

// TestImportReportLanguage: -lang names one of the catalogs; without it
// the locale in LANG decides; without either, zh-Hant.
func TestImportReportLanguage(t *testing.T) {
	for _, tt := range []struct{ flag, env, want string }{
		{"", "", "zh-Hant"},
		{"", "C.UTF-8", "zh-Hant"},
		{"", "zh_CN.UTF-8", "zh-Hans"},
		{"", "zh_TW.UTF-8", "zh-Hant"},
		{"", "en_GB.UTF-8@euro", "en"},
		{"zh-hans", "en_US.UTF-8", "zh-Hans"},
		{"en", "zh_CN.UTF-8", "en"},
	} {
		r, err := newReporter(tt.flag, tt.env)
		if err != nil || r.lang != tt.want {
			t.Errorf("-lang %q, LANG %q: %v %v, want %s", tt.flag, tt.env, r, err, tt.want)
		}
	}
}

// TestImportRosterCommand (#17 §2): `import roster` reads a roster with
// its kind and name, and reports in words what it checked, what waits for
// people not registered yet and the lines it refused — never an ID number.
func TestImportRosterCommand(t *testing.T) {
	t.Setenv("LANG", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "roster.jsonl")
	waiting, bad := "440305198512030040", "440301199001011235"
	if err := os.WriteFile(file, []byte(`{"id_number":"`+waiting+`"}`+"\n"+`{"id_number":"`+bad+`"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("import", "roster", file, "-kind", "farmers", "-name", "北山村被徵地農民花名冊（2026）", "-data", filepath.Join(dir, "data"))
	if code != 0 {
		t.Fatalf("import roster: %d %s", code, stderr)
	}
	for _, w := range []string{"第 2 行未匯入：id_number：身分證號碼校驗碼不正確", "共 2 行：核實 0 人，1 人尚未在平台登記"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("the report lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout+stderr, waiting) || strings.Contains(stdout+stderr, bad) {
		t.Errorf("an ID number in the report:\n%s\n%s", stdout, stderr)
	}
	if code, _, stderr := run("import", "roster", file, "-kind", "villages", "-name", "名單", "-data", filepath.Join(dir, "data")); code == 0 || !strings.Contains(stderr, "kind：") || strings.Contains(stderr, "error.") {
		t.Errorf("an unknown kind: %d %s", code, stderr)
	}
}

package portal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onestop/portal"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfig(t *testing.T) {
	t.Parallel()
	key32 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(*portal.Config) bool
	}{
		{"defaults run on a laptop", nil, nil, "", func(c *portal.Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.MongoURI == "" && c.MeiliURL == "" && c.PublicURL == "http://127.0.0.1:8080" && !c.Secure()
		}},
		{"environment", nil, map[string]string{"PORTAL_ADDR": "0.0.0.0:9000", "PORTAL_DATA": "/srv/d", "MEILI_URL": "http://meili:7700"}, "", func(c *portal.Config) bool {
			return c.Addr == "0.0.0.0:9000" && c.DataDir == "/srv/d" && c.MeiliURL == "http://meili:7700"
		}},
		{"flags win over environment", []string{"-addr", "127.0.0.1:1"}, map[string]string{"PORTAL_ADDR": "0.0.0.0:9000"}, "", func(c *portal.Config) bool { return c.Addr == "127.0.0.1:1" }},
		{"https public URL means secure", []string{"-public-url", "https://cy.example.gov.cn/"}, nil, "", func(c *portal.Config) bool {
			return c.Secure() && c.PublicURL == "https://cy.example.gov.cn"
		}},
		{"trusted proxies", []string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, nil, "", func(c *portal.Config) bool { return len(c.TrustedProxies) == 2 }},
		{"bad address", []string{"-addr", "nonsense"}, nil, "-addr", nil},
		{"bad proxy", []string{"-trusted-proxies", "10.0.0.0/99"}, nil, "-trusted-proxies", nil},
		{"bad log level", []string{"-log-level", "loud"}, nil, "-log-level", nil},
		{"short jwt key", nil, map[string]string{"PORTAL_JWT_KEY": "c2hvcnQ="}, "-jwt-key", nil},
		{"external database needs shared keys", []string{"-mongodb-uri", "mongodb://db:27017"}, nil, "PORTAL_JWT_KEY", nil},
		{"external database with keys", []string{"-mongodb-uri", "mongodb://db:27017"}, map[string]string{"PORTAL_JWT_KEY": key32, "PORTAL_DATA_KEY": key32}, "", func(c *portal.Config) bool {
			return len(c.JWTKey) == 32 && len(c.DataKey) == 32
		}},
		{"bad grace", []string{"-shutdown-grace", "forever"}, nil, "-shutdown-grace", nil},
		{"profiles on", []string{"-pprof", "on"}, nil, "", func(c *portal.Config) bool { return c.Pprof }},
		{"profiles off by default", nil, nil, "", func(c *portal.Config) bool { return !c.Pprof }},
		{"bad profiles switch", []string{"-pprof", "yes"}, nil, "-pprof", nil},
		{"profiles need the metrics address", []string{"-pprof", "on", "-metrics-addr", "off"}, nil, "-pprof", nil},
		{"reads unbounded by default", nil, nil, "", func(c *portal.Config) bool { return c.MaxReads == 0 }},
		{"reads bounded", []string{"-max-reads", "16"}, nil, "", func(c *portal.Config) bool { return c.MaxReads == 16 }},
		{"bad read bound", []string{"-max-reads", "-1"}, nil, "-max-reads", nil},
		{"stray argument", []string{"extra"}, nil, "unexpected argument", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c, err := portal.LoadConfig(tt.args, env(tt.env), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("config = %+v", c)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := portal.LoadConfig([]string{"-help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	flags, envs := portal.SettingNames()
	for i := range flags {
		if !strings.Contains(out.String(), "-"+flags[i]) || !strings.Contains(out.String(), "$"+envs[i]) {
			t.Errorf("help lacks %s / %s", flags[i], envs[i])
		}
	}
}

func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	portal.LoadConfig([]string{"-help"}, env(map[string]string{"PORTAL_JWT_KEY": secret, "MEILI_API_KEY": "masterkey-123"}), &out)
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), "masterkey-123") {
		t.Error("help shows a secret")
	}
}

func TestGeneratedKeysArePrivateAndStable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := portal.LoadOrCreateKey(nil, dir, "jwt.key", 32)
	if err != nil || len(k1) != 32 {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "keys", "jwt.key"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	k2, _ := portal.LoadOrCreateKey(nil, dir, "jwt.key", 32)
	if !bytes.Equal(k1, k2) {
		t.Error("key changed between starts")
	}
}

func TestRotateConfigPreviousKeys(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	tests := []struct {
		name, flag, env, wantErr string
		want                     int
	}{
		{"none", "", "", "", 0},
		{"two from the environment", "", k1 + ", " + k2, "", 2},
		{"flag wins", k1, k1 + "," + k2, "", 1},
		{"short key", "c2hvcnQ=", "", "-data-key-previous", 0},
		{"not base64", k1 + ",???", "", "-data-key-previous", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			if tt.flag != "" {
				args = []string{"-data-key-previous", tt.flag}
			}
			c, err := portal.LoadConfig(args, env(map[string]string{"PORTAL_DATA_KEY_PREVIOUS": tt.env}), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), k1) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || len(c.DataKeyPrevious) != tt.want {
				t.Fatalf("%d previous keys, err %v", len(c.DataKeyPrevious), err)
			}
		})
	}
	var out bytes.Buffer
	portal.LoadConfig([]string{"-help"}, env(map[string]string{"PORTAL_DATA_KEY_PREVIOUS": k1}), &out)
	if strings.Contains(out.String(), k1) || !strings.Contains(out.String(), "-data-key-previous") {
		t.Error("help shows a previous key, or not the setting")
	}
}

// TestSecretsFromFiles: a secret setting is read from the file its
// $NAME_FILE names (a mounted secret), its final line break dropped;
// setting both, or a file that cannot be read, is refused without showing
// the secret.
func TestSecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	uri := "mongodb://portal:s3cret-pw@db-0,db-1/?replicaSet=rs0"
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	uriFile, jwtFile, dataFile := write("uri", uri+"\n"), write("jwt", key+"\r\n"), write("data", key)
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"from files", map[string]string{"MONGODB_URI_FILE": uriFile, "PORTAL_JWT_KEY_FILE": jwtFile, "PORTAL_DATA_KEY_FILE": dataFile}, ""},
		{"both set", map[string]string{"MONGODB_URI": uri, "MONGODB_URI_FILE": uriFile, "PORTAL_JWT_KEY_FILE": jwtFile, "PORTAL_DATA_KEY_FILE": dataFile}, "both set"},
		{"no such file", map[string]string{"MONGODB_URI_FILE": filepath.Join(dir, "missing"), "PORTAL_JWT_KEY_FILE": jwtFile, "PORTAL_DATA_KEY_FILE": dataFile}, "$MONGODB_URI_FILE"},
		{"not for plain settings", map[string]string{"PORTAL_ADDR_FILE": uriFile}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := portal.LoadConfig(nil, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("err = %v, want %q without the secret", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.env["MONGODB_URI_FILE"] != "" && (c.MongoURI != uri || len(c.JWTKey) != 32 || len(c.DataKey) != 32) {
				t.Errorf("read %q, keys of %d and %d bytes", c.MongoURI, len(c.JWTKey), len(c.DataKey))
			}
			if tt.env["PORTAL_ADDR_FILE"] != "" && c.Addr != "127.0.0.1:8080" {
				t.Errorf("a plain setting read from a file: %q", c.Addr)
			}
		})
	}
}

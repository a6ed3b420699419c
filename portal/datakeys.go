package portal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onestop/services/pii"
)

// The generated data key and, while `rotate-data-key -generate` runs, the
// key it rotates away from, in the data directory's keys/; retired keys
// go to keys/retired/.
const (
	DataKeyFile     = "data.key"
	PreviousKeyFile = "data.key.previous"
	RetiredKeyDir   = "retired"
)

// OpenVault builds the vault on the data keys: the current one (the
// setting, or the key file generated on first start) and any previous
// ones (the setting; with the key file, also the one a rotation begun with
// -generate keeps until it has finished).
func OpenVault(cfg *Config) (*pii.Vault, error) {
	current, err := loadOrCreateKey(cfg.DataKey, cfg.DataDir, DataKeyFile, 32)
	if err != nil {
		return nil, err
	}
	previous := cfg.DataKeyPrevious
	if cfg.DataKey == nil {
		k, err := ReadKeyFile(filepath.Join(cfg.DataDir, "keys", PreviousKeyFile))
		if err != nil {
			return nil, err
		}
		if k != nil {
			previous = append(previous, k)
		}
	}
	return pii.NewVault(current, previous...)
}

// ReadKeyFile reads a base64 32-byte key; a missing file is nil.
func ReadKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("config: %s is damaged", path)
	}
	return k, nil
}

// writeKeyFile writes a key with mode 0600 and syncs it, so a crash never
// leaves a key half-written after the data it seals.
func writeKeyFile(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// GenerateDataKey starts a rotation of the generated key file: the
// current key is kept as data.key.previous, then a new key replaces
// data.key (written aside and renamed, so data.key is always whole). A
// previous file already there means a rotation begun earlier has not
// finished: it is resumed, and a new key is made only if that run stopped
// before making one.
func GenerateDataKey(dataDir string) (resumed bool, err error) {
	dir := filepath.Join(dataDir, "keys")
	cur, prev := filepath.Join(dir, DataKeyFile), filepath.Join(dir, PreviousKeyFile)
	curKey, err := ReadKeyFile(cur)
	if err != nil {
		return false, err
	}
	if curKey == nil {
		return false, fmt.Errorf("no generated data key in %s: the portal has not run on this data directory", dir)
	}
	prevKey, err := ReadKeyFile(prev)
	if err != nil {
		return false, err
	}
	if prevKey != nil && !bytes.Equal(prevKey, curKey) {
		return true, nil
	}
	if prevKey == nil {
		if err := writeKeyFile(prev, curKey); err != nil {
			return false, err
		}
	}
	next := make([]byte, 32)
	if _, err := rand.Read(next); err != nil {
		return false, err
	}
	if err := writeKeyFile(cur+".new", next); err != nil {
		return false, err
	}
	if err := os.Rename(cur+".new", cur); err != nil {
		return false, err
	}
	return prevKey != nil, syncDir(dir)
}

// RetireDataKey moves data.key.previous to keys/retired/ once every value
// is under the new key; it still opens backups taken before, so it is
// kept, not deleted. It returns the new path ("" when there was none).
func RetireDataKey(dataDir string, now time.Time) (string, error) {
	dir := filepath.Join(dataDir, "keys")
	prev := filepath.Join(dir, PreviousKeyFile)
	if _, err := os.Stat(prev); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err := os.MkdirAll(filepath.Join(dir, RetiredKeyDir), 0o700); err != nil {
		return "", err
	}
	to := filepath.Join(dir, RetiredKeyDir, DataKeyFile+"."+now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(prev, to); err != nil {
		return "", err
	}
	return to, syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

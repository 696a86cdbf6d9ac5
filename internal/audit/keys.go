package audit

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// keyRing holds the versions of the chain's key. GB/T 22239-2019 第三级 安全审计 asks that audit
// records be protected against deletion, modification and overwriting: a plain hash chain can be
// recomputed by anyone who can write the table, a keyed one only by someone who also holds a key
// kept outside the database.
//
// The keys live in a key file (default DATA/audit.keys, mode 0600), one "version hex-key" per
// line; yiwang audit rotate-key appends a version and every process using the file seals its next
// records with it, while the old lines stay to verify old records. On first start version 1 is
// derived from the secret that protects personal data and written to the file: nodes sharing a
// database and a secret key, and a backup restored with its secret key, start with the same
// chain key. From then on the file is independent of that secret (whose own keys rotate);
// rotate once to have an audit key unrelated to it. Nodes sharing a database must share this
// file, as they share the secret key.
type keyRing struct {
	file string

	mu      sync.Mutex
	keys    map[int][]byte
	current int
	stamp   fileStamp // of file when last read: a rotation by another process is picked up
}

type fileStamp struct {
	size    int64
	modTime time.Time
	exists  bool
}

func stampOf(file string) (fileStamp, error) {
	fi, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		return fileStamp{}, nil
	}
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), modTime: fi.ModTime(), exists: true}, nil
}

func newKeyRing(secret []byte, file string) (*keyRing, error) {
	if len(secret) < 32 {
		return nil, errors.New("audit: the secret for the first chain key must be at least 32 bytes")
	}
	if file == "" {
		return nil, errors.New("audit: no key file")
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("yiwang audit chain v1"))
		if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
			return nil, fmt.Errorf("audit: key file: %w", err)
		}
		if err := appendKey(file, 1, m.Sum(nil)); err != nil {
			return nil, err
		}
	}
	r := &keyRing{file: file}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// reload reads the key file when it changed since the last read. Called with every append: a
// stat costs microseconds, the append's transaction milliseconds.
func (r *keyRing) reload() error {
	if r.file == "" {
		return nil
	}
	st, err := stampOf(r.file)
	if err != nil {
		return fmt.Errorf("audit: key file: %w", err)
	}
	if st == r.stamp {
		return nil
	}
	keys, err := readKeyFile(r.file)
	if err != nil {
		return err
	}
	if keys[1] == nil {
		return fmt.Errorf("audit: %s lacks key version 1", r.file)
	}
	r.keys, r.current, r.stamp = keys, 1, st
	for v := range keys {
		r.current = max(r.current, v)
	}
	return nil
}

// readKeyFile reads "version hex-key" lines (# starts a comment); a missing file holds no keys.
func readKeyFile(file string) (map[int][]byte, error) {
	keys := map[int][]byte{}
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return keys, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		var version int
		var key []byte
		if len(fields) == 2 {
			version, err = strconv.Atoi(fields[0])
			if err == nil {
				key, err = hex.DecodeString(fields[1])
			}
		}
		if len(fields) != 2 || err != nil || version < 1 || len(key) < 32 || keys[version] != nil {
			return nil, fmt.Errorf("audit: %s line %d: want \"version hex-key\" with a version ≥ 1 (used once) and 64+ hex digits", file, n)
		}
		keys[version] = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	return keys, nil
}

// use returns the version and key new records are sealed with.
func (r *keyRing) use() (int, []byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.reload(); err != nil {
		return 0, nil, err
	}
	return r.current, r.keys[r.current], nil
}

// snapshot returns every key version known now (for a verification).
func (r *keyRing) snapshot() (map[int][]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r.keys, nil
}

// rotateKeyFile appends a new random key to file, one version above the highest there, and
// returns its version.
func rotateKeyFile(file string) (int, error) {
	keys, err := readKeyFile(file)
	if err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, fmt.Errorf("audit: %s holds no keys: start yiwang once to create it", file)
	}
	version := 0
	for v := range keys {
		version = max(version, v+1)
	}
	key := make([]byte, 32)
	rand.Read(key)
	return version, appendKey(file, version, key)
}

// appendKey appends one "version hex-key" line to file (created with mode 0600) and syncs it.
func appendKey(file string, version int, key []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: key file: %w", err)
	}
	defer f.Close()
	if version == 1 {
		fmt.Fprintln(f, "# yiwang audit chain keys: version hex-key. Keep every line: old records are verified with old keys.")
	}
	if _, err := fmt.Fprintf(f, "%d %s\n", version, hex.EncodeToString(key)); err != nil {
		return fmt.Errorf("audit: key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit: key file: %w", err)
	}
	return f.Close()
}

package audit

import (
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"weak"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Options says where the chain's keys and anchors live, outside the database.
type Options struct {
	// Secret derives key version 1 when the key file does not exist yet (the secret that protects
	// personal data).
	Secret []byte
	// DataDir holds the files below unless they are named.
	DataDir string
	// KeysFile holds the rotated key versions (default DATA/audit.keys).
	KeysFile string
	// AnchorsFile is the append-only log of anchored chain heads (default DATA/audit.anchors).
	AnchorsFile string
}

func (o Options) files() Options {
	if o.KeysFile == "" && o.DataDir != "" {
		o.KeysFile = filepath.Join(o.DataDir, "audit.keys")
	}
	if o.AnchorsFile == "" && o.DataDir != "" {
		o.AnchorsFile = filepath.Join(o.DataDir, "audit.anchors")
	}
	return o
}

// chain is what a database's audit log is sealed and anchored with.
type chain struct {
	keys    *keyRing
	anchors string
}

// chains maps a database handle to its chain. Append is called with the database handle from
// every module (twenty call sites), so the key travels with the handle rather than through each
// caller; the entry goes when the handle is collected. A handle without a chain (a unit test's
// bare database) writes unkeyed version-0 records, which Verify refuses after any keyed one.
var chains sync.Map // weak.Pointer[db.DB] → *chain

// Setup keys d's audit chain: records appended through d from now on are sealed with the newest
// key version, and Verify checks them with the key ring and the anchor log.
func Setup(d *db.DB, o Options) error {
	o = o.files()
	ring, err := newKeyRing(o.Secret, o.KeysFile)
	if err != nil {
		return err
	}
	w := weak.Make(d)
	if _, loaded := chains.Swap(w, &chain{keys: ring, anchors: o.AnchorsFile}); !loaded {
		runtime.AddCleanup(d, func(w weak.Pointer[db.DB]) { chains.Delete(w) }, w)
	}
	return nil
}

func chainOf(d *db.DB) *chain {
	if c, ok := chains.Load(weak.Make(d)); ok {
		return c.(*chain)
	}
	return nil
}

// RotateKey adds a new key version to the key file of o; every process using that file seals
// its next records with it. It returns the new version.
func RotateKey(o Options) (int, error) {
	o = o.files()
	if o.KeysFile == "" {
		return 0, errors.New("audit: no key file to rotate (give the data directory or the key file)")
	}
	return rotateKeyFile(o.KeysFile)
}

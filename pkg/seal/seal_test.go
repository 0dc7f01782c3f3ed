package seal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicworks/open311/pkg/seal"
)

func TestKey(t *testing.T) {
	ctx := context.Background()
	k := seal.NewKey()
	secret := []byte(`{"email":"grace@example.net"}`)
	sealed, err := k.Seal(ctx, secret, "city.example.org/100003")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("grace")) {
		t.Fatalf("sealed value holds the plaintext: %q", sealed)
	}
	if again, _ := k.Seal(ctx, secret, "city.example.org/100003"); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if got, err := k.Open(ctx, sealed, "city.example.org/100003"); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("Open = %q, %v", got, err)
	}
	for name, open := range map[string]func() ([]byte, error){
		"another context": func() ([]byte, error) { return k.Open(ctx, sealed, "city.example.org/100004") },
		"another key":     func() ([]byte, error) { return seal.NewKey().Open(ctx, sealed, "city.example.org/100003") },
		"damaged": func() ([]byte, error) {
			d := bytes.Clone(sealed)
			d[len(d)-1] ^= 1
			return k.Open(ctx, d, "city.example.org/100003")
		},
		"truncated": func() ([]byte, error) { return k.Open(ctx, sealed[:5], "city.example.org/100003") },
	} {
		if _, err := open(); !errors.Is(err, seal.ErrCannotOpen) {
			t.Errorf("%s: %v, want ErrCannotOpen", name, err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "personal.key")
	k1, err := seal.KeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v: want one readable by its owner only", fi.Mode(), err)
	}
	k2, err := seal.KeyFile(path)
	if err != nil || k2 != k1 {
		t.Errorf("the kept key was not read back: %v", err)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.KeyFile(path); err == nil {
		t.Error("a file that holds no key was taken")
	}
}

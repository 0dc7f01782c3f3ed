// Package seal keeps personal data sealed in the stores: encrypted (AES-256-GCM) before it is
// written, so that no item, index, stream, backup or export holds it in clear. Whoever writes
// needs only to seal; opening takes the key, which on AWS only an operator's role may use
// (package kmsseal: envelope encryption under a customer-managed KMS key) and locally sits in a
// key file in the data folder (Key).
//
// A sealed value begins with its format's tag: "f1" for a Key's (the nonce, then the
// ciphertext), "k1" for kmsseal's (the KMS-encrypted data key, then the nonce and ciphertext).
// What was sealed is bound to its context (the request it belongs to, as AES-GCM's additional
// data): a sealed value moved to another request does not open.
package seal

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Sealer seals plaintext for a context (what it belongs to, such as "city.example.org/100003").
type Sealer interface {
	Seal(ctx context.Context, plaintext []byte, context string) ([]byte, error)
}

// Opener opens what a Sealer sealed, for the same context.
type Opener interface {
	Open(ctx context.Context, sealed []byte, context string) ([]byte, error)
}

// ErrCannotOpen says a sealed value does not open: another key, another context, or damage.
var ErrCannotOpen = errors.New("seal: the value does not open with this key and context")

// Key is an AES-256 key held in memory: the local server's key file, or a test's.
type Key [32]byte

var (
	_ Sealer = Key{}
	_ Opener = Key{}
)

const keyTag = "f1"

// NewKey returns a new random key.
func NewKey() Key {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	return k
}

// KeyFile reads the key kept in the file at path (hex), making a new one there, readable by its
// owner only, when there is none.
func KeyFile(path string) (Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := NewKey()
		if err := os.WriteFile(path, []byte(hex.EncodeToString(k[:])+"\n"), 0o600); err != nil {
			return Key{}, fmt.Errorf("seal: keep a new key in %s: %w", path, err)
		}
		return k, nil
	}
	if err != nil {
		return Key{}, fmt.Errorf("seal: read the key in %s: %w", path, err)
	}
	var k Key
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != len(k) {
		return Key{}, fmt.Errorf("seal: %s does not hold a key (64 hex digits)", path)
	}
	copy(k[:], raw)
	return k, nil
}

// Seal encrypts plaintext for context.
func (k Key) Seal(_ context.Context, plaintext []byte, context string) ([]byte, error) {
	out, err := GCMSeal(k[:], plaintext, context)
	if err != nil {
		return nil, err
	}
	return append([]byte(keyTag), out...), nil
}

// Open decrypts what Seal sealed for context.
func (k Key) Open(_ context.Context, sealed []byte, context string) ([]byte, error) {
	rest, ok := bytes.CutPrefix(sealed, []byte(keyTag))
	if !ok {
		return nil, ErrCannotOpen
	}
	return GCMOpen(k[:], rest, context)
}

// GCMSeal encrypts plaintext with AES-256-GCM under key, context as the additional data: the
// nonce (random) followed by the ciphertext and tag.
func GCMSeal(key, plaintext []byte, context string) ([]byte, error) {
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: no randomness: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// GCMOpen decrypts what GCMSeal made.
func GCMOpen(key, sealed []byte, context string) ([]byte, error) {
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, ErrCannotOpen
	}
	out, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrCannotOpen
	}
	return out, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return cipher.NewGCM(block)
}

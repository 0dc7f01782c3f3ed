// Package kmsseal seals personal data on AWS by envelope encryption under a customer-managed KMS
// key: a data key from KMS (GenerateDataKey) encrypts the values with AES-256-GCM (package seal),
// and each sealed value carries the data key as KMS encrypted it, so that only a principal KMS
// lets Decrypt it (an operator's role; the API's functions may only generate data keys) opens it.
//
// A data key is used for at most MaxUses values and MaxAge, then a new one is asked for: one KMS
// call per cold start of the post-request function and per hour, not one per report.
package kmsseal

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/lambdaenv"
	"github.com/civicworks/open311/pkg/seal"
)

// EnvKey names the variable that holds the KMS key's ARN (template.yaml gives post-request it).
const EnvKey = "OPEN311_PERSONAL_DATA_KEY"

// How long a data key is used.
const (
	MaxUses = 10_000
	MaxAge  = time.Hour
)

const tag = "k1"

// encryptionContext is bound to every data key: KMS refuses to decrypt it for anything else.
var encryptionContext = map[string]string{"purpose": "open311-reporter"}

// Client is what the sealer calls of KMS; *kms.Client is one.
type Client interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Sealer seals with data keys of one KMS key. It is safe for concurrent use.
type Sealer struct {
	client Client
	keyID  string
	now    func() time.Time

	mu      sync.Mutex
	plain   []byte // the data key in use
	wrapped []byte // as KMS encrypted it
	uses    int
	made    time.Time
}

var _ seal.Sealer = (*Sealer)(nil)

// New returns a Sealer of the KMS key keyID (an ARN, id or alias).
func New(client Client, keyID string) *Sealer {
	return &Sealer{client: client, keyID: keyID, now: time.Now}
}

// Seal encrypts plaintext for context: "k1", the length of the wrapped data key (2 bytes), the
// wrapped data key, then seal.GCMSeal's output.
func (s *Sealer) Seal(ctx context.Context, plaintext []byte, context string) ([]byte, error) {
	plain, wrapped, err := s.dataKey(ctx)
	if err != nil {
		return nil, err
	}
	body, err := seal.GCMSeal(plain, plaintext, context)
	if err != nil {
		return nil, err
	}
	out := append([]byte(tag), binary.BigEndian.AppendUint16(nil, uint16(len(wrapped)))...)
	return append(append(out, wrapped...), body...), nil
}

// dataKey returns the data key in use, asking KMS for a new one when it is used up or old.
func (s *Sealer) dataKey(ctx context.Context) (plain, wrapped []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plain == nil || s.uses >= MaxUses || s.now().Sub(s.made) >= MaxAge {
		out, err := s.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(s.keyID),
			KeySpec: types.DataKeySpecAes256, EncryptionContext: encryptionContext})
		if err != nil {
			return nil, nil, fmt.Errorf("kmsseal: a data key of %s: %w", s.keyID, err)
		}
		s.plain, s.wrapped, s.uses, s.made = out.Plaintext, out.CiphertextBlob, 0, s.now()
	}
	s.uses++
	return s.plain, s.wrapped, nil
}

// Opener opens what a Sealer sealed, with KMS's Decrypt of each data key (kept in memory once
// decrypted). It is safe for concurrent use.
type Opener struct {
	client Client
	mu     sync.Mutex
	keys   map[string][]byte // wrapped data key -> plain
}

var _ seal.Opener = (*Opener)(nil)

// NewOpener returns an Opener that calls client.
func NewOpener(client Client) *Opener { return &Opener{client: client, keys: map[string][]byte{}} }

// Open decrypts a sealed value for context.
func (o *Opener) Open(ctx context.Context, sealed []byte, context string) ([]byte, error) {
	rest, ok := bytes.CutPrefix(sealed, []byte(tag))
	if !ok || len(rest) < 2 {
		return nil, seal.ErrCannotOpen
	}
	n := int(binary.BigEndian.Uint16(rest))
	if len(rest) < 2+n {
		return nil, seal.ErrCannotOpen
	}
	wrapped, body := rest[2:2+n], rest[2+n:]
	o.mu.Lock()
	plain, ok := o.keys[string(wrapped)]
	o.mu.Unlock()
	if !ok {
		out, err := o.client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: encryptionContext})
		if err != nil {
			return nil, fmt.Errorf("kmsseal: decrypt a data key: %w", err)
		}
		plain = out.Plaintext
		o.mu.Lock()
		o.keys[string(wrapped)] = plain
		o.mu.Unlock()
	}
	return seal.GCMOpen(plain, body, context)
}

// Option gives a function's API the sealer of the key named by OPEN311_PERSONAL_DATA_KEY, for
// lambdaconfig.Main: the post-request function's, the one function that stores what reporters
// give. Without the variable the function does not start: reports would be sealed with a key
// nobody keeps.
func Option(o *api.Options, env lambdaenv.Env) error {
	keyID := strings.TrimSpace(os.Getenv(EnvKey))
	if keyID == "" {
		return fmt.Errorf("kmsseal: %s is not set: the KMS key that seals reporters' personal data", EnvKey)
	}
	client := kms.NewFromConfig(env.AWS, func(opts *kms.Options) {
		if ep := lambdaenv.ServiceEndpoint(os.Getenv, "KMS"); ep != nil {
			opts.BaseEndpoint = ep
		}
	})
	o.Seal = New(client, keyID)
	return nil
}

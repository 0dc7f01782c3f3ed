package kmsseal_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/seal/kmsseal"
)

// fakeKMS is the part of KMS the sealer calls, in memory: it "encrypts" a data key by sealing it
// with a key of its own, and counts the calls.
type fakeKMS struct {
	master            seal.Key
	generated, opened int
}

func (f *fakeKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	f.generated++
	k := seal.NewKey()
	wrapped, err := f.master.Seal(ctx, k[:], in.EncryptionContext["purpose"])
	return &kms.GenerateDataKeyOutput{Plaintext: k[:], CiphertextBlob: wrapped}, err
}

func (f *fakeKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	f.opened++
	plain, err := f.master.Open(ctx, in.CiphertextBlob, in.EncryptionContext["purpose"])
	return &kms.DecryptOutput{Plaintext: plain}, err
}

func TestEnvelope(t *testing.T) {
	ctx := context.Background()
	f := &fakeKMS{master: seal.NewKey()}
	s := kmsseal.New(f, "arn:aws:kms:us-east-1:123456789012:key/test")
	var sealed [][]byte
	for i := range 3 {
		b, err := s.Seal(ctx, []byte("phone 555-0199"), "j/"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("555-0199")) {
			t.Fatal("the sealed value holds the plaintext")
		}
		sealed = append(sealed, b)
	}
	if f.generated != 1 {
		t.Errorf("%d data keys asked of KMS for 3 values, want 1", f.generated)
	}
	o := kmsseal.NewOpener(f)
	for i, b := range sealed {
		got, err := o.Open(ctx, b, "j/"+string(rune('a'+i)))
		if err != nil || string(got) != "phone 555-0199" {
			t.Errorf("value %d: %q, %v", i, got, err)
		}
	}
	if f.opened != 1 {
		t.Errorf("%d decrypts for 3 values of one data key, want 1", f.opened)
	}
	if _, err := o.Open(ctx, sealed[0], "j/other"); err == nil {
		t.Error("a value opened for another context")
	}
	if _, err := o.Open(ctx, []byte("f1whatever"), "j/a"); err == nil {
		t.Error("a value of another format opened")
	}
}

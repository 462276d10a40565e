package payments_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"astara/payments"
)

// CertCmd registers a certificate named by a seed: its fingerprint is
// the seed's SHA-256, as the edge computes a certificate's.
func CertCmd(participant, seed string, notAfter time.Time) *payments.AddCertificate {
	sum := sha256.Sum256([]byte(seed))
	return &payments.AddCertificate{Participant: participant, Fingerprint: hex.EncodeToString(sum[:]),
		Subject: "CN=" + participant + ",O=" + seed, Issuer: "CN=Astara Client CA", SerialNumber: "1f",
		NotBefore: t0.Add(-time.Hour), NotAfter: notAfter}
}

// KeyCmd registers a signing key whose public key stands for a seed (the
// machine keeps the bytes the edge parsed; it does not parse them).
func KeyCmd(participant, id, alg, seed string) *payments.AddSigningKey {
	sum := sha256.Sum256([]byte(seed))
	return &payments.AddSigningKey{Participant: participant, KeyID: id, Alg: alg, PublicKey: sum[:]}
}

// MustCredentials requires how many certificates and signing keys a
// participant has in force.
func MustCredentials(tb testing.TB, m *payments.Machine, participant string, certs, keys int) {
	tb.Helper()
	gotCerts, gotKeys := 0, len(m.SigningKeys(participant, false))
	for _, c := range m.Certificates(participant) {
		if !c.Revoked {
			gotCerts++
		}
	}
	if gotCerts != certs || gotKeys != keys {
		tb.Fatalf("%s in force: got %d certificates and %d signing keys, want %d and %d", participant, gotCerts, gotKeys, certs, keys)
	}
}

func TestCertificates(t *testing.T) {
	s := NewNetwork(t)
	notAfter := t0.AddDate(1, 0, 0)
	first := MustReply[*payments.Certificate](t, s.Do(CertCmd(bankRU, "a", notAfter)))
	if first.Participant != bankRU || first.Revoked || first.CreatedAt.IsZero() {
		t.Fatalf("got %+v, want a certificate of %s in force", first, bankRU)
	}
	if got, ok := s.M.Certificate(first.Fingerprint); !ok || got.Participant != bankRU || got.Subject != "CN="+bankRU+",O=a" {
		t.Fatalf("Certificate(%s): got %+v %v, want it", first.Fingerprint, got, ok)
	}

	t.Run("a fingerprint is registered to one participant only", func(t *testing.T) {
		MustRefusal(t, s.Do(CertCmd(bankRU, "a", notAfter)), payments.CodeCertificateExists)
		r := MustRefusal(t, s.Do(CertCmd(bankIR, "a", notAfter)), payments.CodeCertificateExists)
		if r.Kind != payments.KindConflict || r.Field != "certificate" {
			t.Fatalf("got %+v, want a conflict on certificate", r)
		}
		if got, _ := s.M.Certificate(first.Fingerprint); got.Participant != bankRU {
			t.Fatalf("got the certificate %s's, want it still %s's", got.Participant, bankRU)
		}
	})
	t.Run("an unknown participant is refused", func(t *testing.T) {
		MustRefusal(t, s.Do(CertCmd("NOBANKXX", "b", notAfter)), payments.CodeParticipantNotFound)
	})
	t.Run("a fingerprint that is not a SHA-256 in lower-case hex is refused", func(t *testing.T) {
		for _, fp := range []string{"", "ab", first.Fingerprint[:63] + "G", "A" + first.Fingerprint[1:]} {
			cmd := CertCmd(bankRU, "c", notAfter)
			cmd.Fingerprint = fp
			MustRefusal(t, s.Do(cmd), "fingerprint_invalid")
		}
	})
	t.Run("a validity that ends before it begins is refused", func(t *testing.T) {
		MustRefusal(t, s.Do(CertCmd(bankRU, "d", t0.Add(-2*time.Hour))), "certificate_invalid")
	})
	t.Run("CertificatesPerParticipantMax in force, and one past it", func(t *testing.T) {
		for i := 1; i < payments.CertificatesPerParticipantMax; i++ {
			MustReply[*payments.Certificate](t, s.Do(CertCmd(bankRU, fmt.Sprint("max-", i), notAfter)))
		}
		MustCredentials(t, s.M, bankRU, payments.CertificatesPerParticipantMax, 0)
		MustRefusal(t, s.Do(CertCmd(bankRU, "one-past", notAfter)), payments.CodeCertificatesLimitReached)
		// Another participant has a limit of its own.
		MustReply[*payments.Certificate](t, s.Do(CertCmd(bankIR, "one-past", notAfter)))
		// A revoked certificate no longer counts.
		MustReply[*payments.Certificate](t, s.Do(&payments.RevokeCertificate{Participant: bankRU, Fingerprint: CertCmd(bankRU, "max-1", notAfter).Fingerprint}))
		MustReply[*payments.Certificate](t, s.Do(CertCmd(bankRU, "after-revocation", notAfter)))
		MustCredentials(t, s.M, bankRU, payments.CertificatesPerParticipantMax, 0)
	})
	t.Run("revocation is final and answered again unchanged", func(t *testing.T) {
		revoked := MustReply[*payments.Certificate](t, s.Do(&payments.RevokeCertificate{Participant: bankRU, Fingerprint: first.Fingerprint}))
		if !revoked.Revoked || revoked.RevokedAt.IsZero() {
			t.Fatalf("got %+v, want it revoked with the time", revoked)
		}
		s.Advance(time.Hour)
		again := MustReply[*payments.Certificate](t, s.Do(&payments.RevokeCertificate{Participant: bankRU, Fingerprint: first.Fingerprint}))
		if !again.RevokedAt.Equal(revoked.RevokedAt) {
			t.Fatalf("revoked again: got revoked_at %s, want the first %s", again.RevokedAt, revoked.RevokedAt)
		}
		MustRefusal(t, s.Do(CertCmd(bankRU, "a", notAfter)), payments.CodeCertificateExists)
		if got, _ := s.M.Certificate(first.Fingerprint); !got.Revoked {
			t.Fatalf("got %+v, want it revoked still", got)
		}
	})
	t.Run("a certificate is revoked by its own participant's name only", func(t *testing.T) {
		fp := CertCmd(bankIR, "one-past", notAfter).Fingerprint
		MustRefusal(t, s.Do(&payments.RevokeCertificate{Participant: bankRU, Fingerprint: fp}), payments.CodeCertificateNotFound)
		MustRefusal(t, s.Do(&payments.RevokeCertificate{Participant: bankIR, Fingerprint: CertCmd(bankIR, "never", notAfter).Fingerprint}), payments.CodeCertificateNotFound)
		if got, _ := s.M.Certificate(fp); got.Revoked {
			t.Fatalf("got %+v, want it in force", got)
		}
	})
	t.Run("the list is oldest first, revoked ones too", func(t *testing.T) {
		list := s.M.Certificates(bankRU)
		if len(list) != payments.CertificatesPerParticipantMax+1 || list[0].Fingerprint != first.Fingerprint {
			t.Fatalf("got %d certificates, the first %s, want %d, the first %s", len(list), list[0].Fingerprint, payments.CertificatesPerParticipantMax+1, first.Fingerprint)
		}
	})
}

func TestSigningKeys(t *testing.T) {
	s := NewNetwork(t)
	k := MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, "k1", payments.AlgEdDSA, "one")))
	if k.ID != "k1" || k.Alg != payments.AlgEdDSA || k.Revoked {
		t.Fatalf("got %+v, want k1, EdDSA, in force", k)
	}

	t.Run("a key id is used once per participant, even once revoked", func(t *testing.T) {
		MustRefusal(t, s.Do(KeyCmd(bankRU, "k1", payments.AlgES256, "two")), payments.CodeSigningKeyExists)
		// Another participant may name its key the same.
		MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankIR, "k1", payments.AlgES256, "ir-one")))
	})
	t.Run("a public key has one owner", func(t *testing.T) {
		r := MustRefusal(t, s.Do(KeyCmd(bankIR, "k2", payments.AlgEdDSA, "one")), payments.CodeSigningKeyExists)
		if r.Field != "public_key" {
			t.Fatalf("got field %q, want public_key", r.Field)
		}
		MustRefusal(t, s.Do(KeyCmd(bankRU, "k2", payments.AlgEdDSA, "one")), payments.CodeSigningKeyExists)
	})
	t.Run("bad keys are refused", func(t *testing.T) {
		MustRefusal(t, s.Do(KeyCmd("NOBANKXX", "k", payments.AlgEdDSA, "x")), payments.CodeParticipantNotFound)
		MustRefusal(t, s.Do(KeyCmd(bankRU, "k", "RS256", "x")), "public_key_unsupported")
		MustRefusal(t, s.Do(KeyCmd(bankRU, "", payments.AlgEdDSA, "x")), "signing_key_id_invalid")
		long := make([]byte, payments.SigningKeyIDLenMax+1)
		for i := range long {
			long[i] = 'k'
		}
		MustRefusal(t, s.Do(KeyCmd(bankRU, string(long), payments.AlgEdDSA, "x")), "signing_key_id_invalid")
		MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, string(long[1:]), payments.AlgEdDSA, "x")))
		empty := KeyCmd(bankRU, "empty", payments.AlgEdDSA, "x")
		empty.PublicKey = nil
		MustRefusal(t, s.Do(empty), "field_required")
	})
	t.Run("SigningKeysPerParticipantMax in force, and one past it", func(t *testing.T) {
		for i := len(s.M.SigningKeys(bankRU, false)); i < payments.SigningKeysPerParticipantMax; i++ {
			MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, fmt.Sprint("max-", i), payments.AlgES256, fmt.Sprint("max-", i))))
		}
		MustCredentials(t, s.M, bankRU, 0, payments.SigningKeysPerParticipantMax)
		MustRefusal(t, s.Do(KeyCmd(bankRU, "one-past", payments.AlgES256, "one-past")), payments.CodeSigningKeysLimitReached)
		MustReply[*payments.SigningKey](t, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "max-5"}))
		MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, "one-past", payments.AlgES256, "one-past")))
	})
	t.Run("revocation is kept, and answered again unchanged", func(t *testing.T) {
		first := MustReply[*payments.SigningKey](t, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "max-5"}))
		if !first.Revoked {
			t.Fatalf("got %+v, want it revoked", first)
		}
		MustRefusal(t, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "nope"}), payments.CodeSigningKeyNotFound)
		MustRefusal(t, s.Do(&payments.RevokeSigningKey{Participant: bankIR, KeyID: "max-4"}), payments.CodeSigningKeyNotFound)
		if got, ok := s.M.SigningKey(bankRU, "max-5"); !ok || !got.Revoked {
			t.Fatalf("got %+v %v, want the revoked key kept", got, ok)
		}
		if n := len(s.M.SigningKeys(bankRU, true)); n != payments.SigningKeysPerParticipantMax+1 {
			t.Fatalf("with the revoked: got %d keys, want %d", n, payments.SigningKeysPerParticipantMax+1)
		}
	})
}

func TestSignaturePolicy(t *testing.T) {
	s := NewNetwork(t)
	r := MustRefusal(t, s.Do(&payments.SetSignaturePolicy{Participant: bankRU, RequireSignatures: true}), payments.CodeSigningKeyMissing)
	if r.Kind != payments.KindRefused || r.Field != "require_signatures" {
		t.Fatalf("got %+v, want a refusal naming require_signatures", r)
	}
	if p, _ := s.M.Participant(bankRU); p.RequireSignatures {
		t.Fatalf("a refused policy: got signatures required")
	}
	MustRefusal(t, s.Do(&payments.SetSignaturePolicy{Participant: "NOBANKXX"}), payments.CodeParticipantNotFound)
	MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, "k1", payments.AlgEdDSA, "one")))
	p := MustReply[*payments.Participant](t, s.Do(&payments.SetSignaturePolicy{Participant: bankRU, RequireSignatures: true}))
	if !p.RequireSignatures {
		t.Fatalf("got %+v, want signatures required", p)
	}
	// The last key may still be revoked: a compromised key must go at once.
	MustReply[*payments.SigningKey](t, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "k1"}))
	if p, _ := s.M.Participant(bankRU); !p.RequireSignatures {
		t.Fatalf("after the revocation: got signatures no longer required, want the policy kept")
	}
	p = MustReply[*payments.Participant](t, s.Do(&payments.SetSignaturePolicy{Participant: bankRU}))
	if p.RequireSignatures {
		t.Fatalf("got %+v, want signatures no longer required", p)
	}
}

func TestSignedPayment(t *testing.T) {
	s := NewNetwork(t)
	MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, "k1", payments.AlgEdDSA, "one")))
	MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankRU, "old", payments.AlgES256, "two")))
	MustReply[*payments.SigningKey](t, s.Do(&payments.RevokeSigningKey{Participant: bankRU, KeyID: "old"}))
	MustReply[*payments.SigningKey](t, s.Do(KeyCmd(bankIR, "ir", payments.AlgEdDSA, "three")))
	sig := &payments.Signature{KeyID: "k1", Alg: payments.AlgEdDSA, JWS: "eyJhbGciOiJFZERTQSJ9.e30.c2ln"}

	cmd := s.PayCmd(s.Quote(150_000_00))
	cmd.Signature = sig
	p := MustReply[*payments.Payment](t, s.Do(cmd))
	if got := MustPayment(t, s.M, p.UETR).Signature; got == nil || *got != *sig {
		t.Fatalf("got signature %+v, want %+v kept", got, sig)
	}
	unsigned := s.Pay(150_000_00)
	if unsigned.Signature != nil {
		t.Fatalf("an unsigned payment: got signature %+v", unsigned.Signature)
	}

	for _, tc := range []struct {
		rule string
		sig  payments.Signature
	}{
		{"a revoked key", payments.Signature{KeyID: "old", Alg: payments.AlgES256, JWS: sig.JWS}},
		{"an unknown key", payments.Signature{KeyID: "k9", Alg: payments.AlgEdDSA, JWS: sig.JWS}},
		{"another bank's key", payments.Signature{KeyID: "ir", Alg: payments.AlgEdDSA, JWS: sig.JWS}},
		{"another algorithm than the key's", payments.Signature{KeyID: "k1", Alg: payments.AlgES256, JWS: sig.JWS}},
	} {
		t.Run(tc.rule+" is refused and nothing moves", func(t *testing.T) {
			before := LedgerView(t, s.M)
			count := s.M.PaymentsCount()
			cmd := s.PayCmd(s.Quote(150_000_00))
			cmd.Signature = &tc.sig
			MustRefusal(t, s.Do(cmd), payments.CodeSigningKeyUnknown)
			if s.M.PaymentsCount() != count {
				t.Fatalf("payments: got %d, want %d", s.M.PaymentsCount(), count)
			}
			after := LedgerView(t, s.M)
			for name, b := range before {
				if after[name] != b {
					t.Fatalf("%s: got %+v, want %+v", name, after[name], b)
				}
			}
		})
	}
}

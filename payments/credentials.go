package payments

import (
	"bytes"
	"sort"
	"time"
)

// Credentials: the client certificates bound to participants, the public
// keys their signed requests are verified with, and whether a participant
// must sign.
//
// The cryptography is the edge's: it parses the certificate or the key,
// verifies the TLS handshake and the signatures, and sends the machine
// what it found (a certificate's SHA-256 fingerprint, subject and
// validity; a key's algorithm and its PKIX bytes). The machine keeps the
// registrations, journaled like every other change, so that every node
// and every replay knows the same certificates and keys, and a revoked one
// stays revoked. Revoked certificates and keys are kept, not deleted: a
// revoked certificate is never registered again, and a revoked key still
// verifies the signatures kept with the payments it signed.

// Limits of the credentials a participant holds in force at once; revoked
// ones do not count.
const (
	// CertificatesPerParticipantMax is the most client certificates a
	// participant has in force: enough for a rollover at each of a few
	// data centres.
	CertificatesPerParticipantMax = 10
	// SigningKeysPerParticipantMax is the most signing keys a participant
	// has in force.
	SigningKeysPerParticipantMax = 10
	// SigningKeyIDLenMax is the longest signing key id (the JWS "kid").
	SigningKeyIDLenMax = 64
)

// The signature algorithms Astara verifies, by their JWS names (RFC 7518,
// RFC 8037). A key's algorithm follows from its type and is fixed at
// registration: an Ed25519 key signs EdDSA, an ECDSA P-256 key ES256.
const (
	AlgEdDSA = "EdDSA"
	AlgES256 = "ES256"
)

// Refusal codes of the credentials commands.
const (
	CodeCertificateExists        = "certificate_exists"
	CodeCertificateNotFound      = "certificate_not_found"
	CodeCertificatesLimitReached = "certificates_limit_reached"
	CodeSigningKeyExists         = "signing_key_exists"
	CodeSigningKeyNotFound       = "signing_key_not_found"
	CodeSigningKeysLimitReached  = "signing_keys_limit_reached"
	CodeSigningKeyMissing        = "signing_key_missing"
	// CodeSigningKeyUnknown refuses a payment whose signature names a key
	// the sender has not in force (revoked between the edge's check and
	// the payment's entry).
	CodeSigningKeyUnknown = "signing_key_unknown"
)

// Certificate is a client certificate registered to a participant. A
// request over TLS with a verified certificate of this fingerprint speaks
// for the participant.
type Certificate struct {
	// Fingerprint is the SHA-256 of the certificate's DER, in lower-case
	// hex: the binding, which no other certificate can share.
	Fingerprint  string    `json:"fingerprint"`
	Participant  string    `json:"participant"`
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SerialNumber string    `json:"serial_number"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	CreatedAt    time.Time `json:"created_at"`
	Revoked      bool      `json:"revoked"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
}

// SigningKey is a public key a participant signs its requests with.
type SigningKey struct {
	ID          string `json:"id"`
	Participant string `json:"participant"`
	Alg         string `json:"alg"`
	// PublicKey is the key in PKIX (SubjectPublicKeyInfo) DER.
	PublicKey []byte    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Signature is a request's signature as kept with what it created: the
// key and algorithm it was verified with, and the JWS in compact form with
// its payload (the request's body) attached, so that anyone holding the
// participant's public key can verify it again.
type Signature struct {
	KeyID string `json:"key_id"`
	Alg   string `json:"alg"`
	JWS   string `json:"jws"`
}

// AddCertificate registers a client certificate to a participant.
type AddCertificate struct {
	Participant  string    `json:"participant"`
	Fingerprint  string    `json:"fingerprint"`
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SerialNumber string    `json:"serial_number"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
}

// RevokeCertificate revokes a participant's certificate, for good.
type RevokeCertificate struct {
	Participant string `json:"participant"`
	Fingerprint string `json:"fingerprint"`
}

// AddSigningKey registers a public key a participant signs with.
type AddSigningKey struct {
	Participant string `json:"participant"`
	KeyID       string `json:"key_id"`
	Alg         string `json:"alg"`
	PublicKey   []byte `json:"public_key"`
}

// RevokeSigningKey revokes a participant's signing key.
type RevokeSigningKey struct {
	Participant string `json:"participant"`
	KeyID       string `json:"key_id"`
}

// SetSignaturePolicy makes a participant's signatures required, or not.
type SetSignaturePolicy struct {
	Participant       string `json:"participant"`
	RequireSignatures bool   `json:"require_signatures"`
}

// validFingerprint reports whether s is a SHA-256 in lower-case hex.
func validFingerprint(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (m *Machine) addCertificate(c *AddCertificate, now time.Time) any {
	if _, ok := m.participants[c.Participant]; !ok {
		return refuse(KindNotFound, CodeParticipantNotFound, "", "id", "no participant %s", c.Participant)
	}
	if !validFingerprint(c.Fingerprint) {
		return refuse(KindInvalid, "fingerprint_invalid", "", "fingerprint", "a fingerprint is a SHA-256 in 64 lower-case hex digits")
	}
	if !c.NotBefore.Before(c.NotAfter) {
		return refuse(KindInvalid, "certificate_invalid", "", "certificate", "the certificate's validity ends (%s) before it begins (%s)",
			c.NotAfter.Format(time.RFC3339), c.NotBefore.Format(time.RFC3339))
	}
	if old, ok := m.certificates[c.Fingerprint]; ok {
		if old.Revoked {
			return refuse(KindConflict, CodeCertificateExists, "", "certificate",
				"this certificate was registered to %s and revoked: a revoked certificate is never registered again; issue a new one", old.Participant)
		}
		return refuse(KindConflict, CodeCertificateExists, "", "certificate", "this certificate is registered to %s", old.Participant)
	}
	inForce := 0
	for _, x := range m.certificates {
		if x.Participant == c.Participant && !x.Revoked {
			inForce++
		}
	}
	if inForce >= CertificatesPerParticipantMax {
		return refuse(KindConflict, CodeCertificatesLimitReached, "", "certificate",
			"%s has %d certificates in force, the most it may have: revoke one first", c.Participant, inForce)
	}
	x := &Certificate{Fingerprint: c.Fingerprint, Participant: c.Participant, Subject: c.Subject, Issuer: c.Issuer,
		SerialNumber: c.SerialNumber, NotBefore: c.NotBefore, NotAfter: c.NotAfter, CreatedAt: now}
	m.certificates[c.Fingerprint] = x
	return x
}

func (m *Machine) revokeCertificate(c *RevokeCertificate, now time.Time) any {
	x, ok := m.certificates[c.Fingerprint]
	if !ok || x.Participant != c.Participant {
		return refuse(KindNotFound, CodeCertificateNotFound, "", "fingerprint", "participant %s has no certificate %s", c.Participant, c.Fingerprint)
	}
	// Revoking again changes nothing: the first revocation's time stays.
	if !x.Revoked {
		x.Revoked, x.RevokedAt = true, now
	}
	return x
}

func (m *Machine) addSigningKey(c *AddSigningKey, now time.Time) any {
	if _, ok := m.participants[c.Participant]; !ok {
		return refuse(KindNotFound, CodeParticipantNotFound, "", "id", "no participant %s", c.Participant)
	}
	if c.KeyID == "" || len(c.KeyID) > SigningKeyIDLenMax {
		return refuse(KindInvalid, "signing_key_id_invalid", "", "key_id", "key_id must be 1 to %d characters", SigningKeyIDLenMax)
	}
	if c.Alg != AlgEdDSA && c.Alg != AlgES256 {
		return refuse(KindInvalid, "public_key_unsupported", "", "public_key", "alg %q is not one Astara verifies (%s, %s)", c.Alg, AlgEdDSA, AlgES256)
	}
	if len(c.PublicKey) == 0 {
		return refuse(KindInvalid, "field_required", "", "public_key", "public_key is required")
	}
	keys := m.signingKeys[c.Participant]
	if _, ok := keys[c.KeyID]; ok {
		return refuse(KindConflict, CodeSigningKeyExists, "", "key_id", "%s has a signing key %s (key ids are never reused, even once revoked)", c.Participant, c.KeyID)
	}
	// One public key, one owner: a key registered to two participants
	// would let a signature of one pass for the other's.
	// The check keeps every public key registered once, so at most one
	// matches, and the walk's order does not change the refusal.
	for _, owned := range m.signingKeys {
		for _, k := range owned {
			if bytes.Equal(k.PublicKey, c.PublicKey) {
				return refuse(KindConflict, CodeSigningKeyExists, "", "public_key", "this public key is registered to %s as %s", k.Participant, k.ID)
			}
		}
	}
	inForce := 0
	for _, k := range keys {
		if !k.Revoked {
			inForce++
		}
	}
	if inForce >= SigningKeysPerParticipantMax {
		return refuse(KindConflict, CodeSigningKeysLimitReached, "", "key_id",
			"%s has %d signing keys in force, the most it may have: revoke one first", c.Participant, inForce)
	}
	k := &SigningKey{ID: c.KeyID, Participant: c.Participant, Alg: c.Alg, PublicKey: bytes.Clone(c.PublicKey), CreatedAt: now}
	if keys == nil {
		keys = map[string]*SigningKey{}
		m.signingKeys[c.Participant] = keys
	}
	keys[c.KeyID] = k
	return k
}

func (m *Machine) revokeSigningKey(c *RevokeSigningKey, now time.Time) any {
	k, ok := m.signingKeys[c.Participant][c.KeyID]
	if !ok {
		return refuse(KindNotFound, CodeSigningKeyNotFound, "", "key_id", "participant %s has no signing key %s", c.Participant, c.KeyID)
	}
	// Revoking the last key of a participant that must sign is allowed: a
	// key that may be compromised must be revocable at once. The
	// participant's requests that change something are then refused
	// until a new key is registered.
	if !k.Revoked {
		k.Revoked, k.RevokedAt = true, now
	}
	return k
}

func (m *Machine) setSignaturePolicy(c *SetSignaturePolicy) any {
	p, ok := m.participants[c.Participant]
	if !ok {
		return refuse(KindNotFound, CodeParticipantNotFound, "", "id", "no participant %s", c.Participant)
	}
	if c.RequireSignatures && len(m.SigningKeys(c.Participant, false)) == 0 {
		return refuse(KindRefused, CodeSigningKeyMissing, "", "require_signatures",
			"%s has no signing key in force: register one before requiring signatures, or every request it makes would be refused", c.Participant)
	}
	p.RequireSignatures = c.RequireSignatures
	return p
}

// checkSignature refuses a payment's signature by a key the sender does
// not have in force, or with another algorithm than the key's. The edge
// verified it against the state it read; a revocation may have come in
// between.
func (m *Machine) checkSignature(sender string, sig *Signature) *Refusal {
	if sig == nil {
		return nil
	}
	k, ok := m.signingKeys[sender][sig.KeyID]
	if !ok || k.Revoked || k.Alg != sig.Alg {
		return refuse(KindRefused, CodeSigningKeyUnknown, "", "JWS-Signature", "%s has no %s signing key %s in force", sender, sig.Alg, sig.KeyID)
	}
	return nil
}

// Certificate returns the certificate with a fingerprint (SHA-256 of its
// DER, lower-case hex), revoked or not.
func (m *Machine) Certificate(fingerprint string) (Certificate, bool) {
	x, ok := m.certificates[fingerprint]
	if !ok {
		return Certificate{}, false
	}
	return *x, true
}

// Certificates returns a participant's certificates, revoked ones too,
// oldest first.
func (m *Machine) Certificates(participant string) []Certificate {
	var out []Certificate
	for _, x := range m.certificates {
		if x.Participant == participant {
			out = append(out, *x)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].Fingerprint < out[j].Fingerprint
	})
	return out
}

// SigningKey returns a participant's signing key by id, revoked or not.
func (m *Machine) SigningKey(participant, id string) (SigningKey, bool) {
	k, ok := m.signingKeys[participant][id]
	if !ok {
		return SigningKey{}, false
	}
	return *k, true
}

// SigningKeys returns a participant's signing keys, oldest first; the
// revoked ones too if withRevoked.
func (m *Machine) SigningKeys(participant string, withRevoked bool) []SigningKey {
	var out []SigningKey
	for _, k := range m.signingKeys[participant] {
		if withRevoked || !k.Revoked {
			out = append(out, *k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

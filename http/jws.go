package http

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"time"

	"astara/iso20022"
	"astara/payments"
)

// Signed requests.
//
// A participant may sign a request with a key it registered (POST
// /v1/participants/{id}/signing-keys): a detached JWS over the body, in
// the JWS-Signature header, as Mojaloop's FSPIOP-Signature does:
//
//	JWS-Signature: <protected>..<signature>
//
// This is a compact JWS (RFC 7515) whose payload part is left empty
// because the payload is the request's body (RFC 7515 appendix F). The
// signature is computed exactly as for the compact JWS with the body
// attached: over ASCII(BASE64URL(protected header)) "." BASE64URL(body),
// base64url without padding. (RFC 7797's unencoded payload, "b64": false,
// would spare encoding the body, but fewer JOSE libraries produce it and
// it needs "crit"; it is refused.) The protected header is a JSON object
// with exactly these members, "typ" optional:
//
//	{"alg": "EdDSA" | "ES256", "kid": "<key id>", "htm": "<method>", "htu": "<path and query>"}
//
// htm and htu (as in DPoP, RFC 9449) bind the signature to the request it
// was made for, as FSPIOP-HTTP-Method and FSPIOP-URI do: the signature of
// one payment's rejection does not reject another. EdDSA is Ed25519 (RFC
// 8037); ES256 is ECDSA on P-256 with SHA-256, its signature R || S, 64
// bytes (RFC 7518 section 3.4; not ASN.1 DER).
//
// The verification uses the standard library alone (crypto/ed25519,
// crypto/ecdsa, encoding/base64, encoding/json): it is a hundred lines for
// the two algorithms Astara takes, where a JOSE library would bring on the
// authentication path many algorithms to refuse ("none", HS256 with a
// public key as its secret, RSA), header parameters that fetch keys (jku,
// x5u), and a dependency to audit and keep up.
//
// A participant that requires signatures (PUT
// /v1/participants/{id}/signature-policy) has every request that changes
// something (any method but GET, HEAD and OPTIONS) refused unsigned; its
// reads may be signed or not. Every signature a participant's request
// carries is verified, whether required or not; a request that fails is
// refused before it is acted on, so it changes nothing. A signed POST
// /v1/payments keeps the signature with the payment, its payload attached
// (payments.Signature). The operator's requests are not signed.

// Limits and names of signed requests.
const (
	// SignatureHeader carries a request's detached JWS.
	SignatureHeader = "JWS-Signature"
	// SignatureHeaderLenMax is the longest JWS-Signature header: a
	// protected header with a long key id and path and a 64-byte signature
	// take about 400 bytes.
	SignatureHeaderLenMax = 1024
	// SigningKeyPEMBytesMax is the longest public key PEM a registration
	// takes: an Ed25519 key is 113 bytes, a P-256 key 178.
	SigningKeyPEMBytesMax = 4 << 10
	// SignedPaymentBodyBytesMax is the largest body of a signed POST
	// /v1/payments: the body is kept with the payment, in its JWS. A
	// payment with every field at its longest is a few KiB.
	SignedPaymentBodyBytesMax = 64 << 10
	// signedBodyBytesMax is the largest body a signature is checked over:
	// the largest any participant route takes.
	signedBodyBytesMax = max(RequestBodyBytesMax, iso20022.MessageBytesMax)
)

// signatureBytes is the length of an EdDSA and of an ES256 signature.
const signatureBytes = 64

var signingKeyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// jwsHeader is the protected header of a request's signature, its
// members alg, kid, htm, htu and typ (decodeJWSHeader).
type jwsHeader struct {
	Alg, KID, HTM, HTU, Typ string
}

// detachedJWS is a JWS-Signature header, parsed.
type detachedJWS struct {
	protected string // the protected header as received, base64url
	header    jwsHeader
	signature []byte
	encoded   string // the signature as received, base64url
}

// signatureProblem is a 401 naming the JWS-Signature header.
func signatureProblem(code, format string, args ...any) *Problem {
	return problem(http.StatusUnauthorized, code, SignatureHeader, format, args...)
}

// parseDetachedJWS reads a JWS-Signature header: three base64url parts
// without padding, the middle one empty; a protected header of the
// members jwsHeader names, each of alg, kid, htm and htu present; a
// signature of 64 bytes.
func parseDetachedJWS(value string) (*detachedJWS, *Problem) {
	const code = "signature_malformed"
	if len(value) > SignatureHeaderLenMax {
		return nil, signatureProblem(code, "%s holds %d bytes; at most %d", SignatureHeader, len(value), SignatureHeaderLenMax)
	}
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return nil, signatureProblem(code, "%s is a detached compact JWS, <protected>..<signature>: %d parts separated by dots, not 3", SignatureHeader, len(parts))
	}
	if parts[1] != "" {
		return nil, signatureProblem(code, "%s's payload part must be empty (<protected>..<signature>): the payload is the request's body", SignatureHeader)
	}
	enc := base64.RawURLEncoding.Strict()
	raw, err := enc.DecodeString(parts[0])
	if err != nil {
		return nil, signatureProblem(code, "%s's protected header is not base64url without padding: %v", SignatureHeader, err)
	}
	h, err := decodeJWSHeader(raw)
	if err != nil {
		return nil, signatureProblem(code, "%s's protected header: %v", SignatureHeader, err)
	}
	for _, m := range []struct{ name, value string }{{"alg", h.Alg}, {"kid", h.KID}, {"htm", h.HTM}, {"htu", h.HTU}} {
		if m.value == "" {
			return nil, signatureProblem(code, "%s's protected header has no %q", SignatureHeader, m.name)
		}
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return nil, signatureProblem(code, "%s's signature is not base64url without padding: %v", SignatureHeader, err)
	}
	if len(sig) != signatureBytes {
		return nil, signatureProblem(code, "%s's signature holds %d bytes; an EdDSA or ES256 signature holds %d (ES256: R || S, not DER)", SignatureHeader, len(sig), signatureBytes)
	}
	return &detachedJWS{protected: parts[0], header: h, signature: sig, encoded: parts[2]}, nil
}

// decodeJWSHeader reads a protected header strictly: one JSON object
// whose members are among jwsHeader's, each a string, named exactly
// (JOSE names are case-sensitive, where encoding/json would match "ALG"
// to alg) and once. Anything else, "crit" and "b64" included, is refused.
func decodeJWSHeader(raw []byte) (jwsHeader, error) {
	var h jwsHeader
	members := map[string]*string{"alg": &h.Alg, "kid": &h.KID, "htm": &h.HTM, "htu": &h.HTU, "typ": &h.Typ}
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, errors.New("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return h, err
		}
		name, _ := t.(string)
		dst, ok := members[name]
		switch {
		case !ok:
			return h, fmt.Errorf("member %q is not one Astara takes (alg, kid, htm, htu, typ)", name)
		case seen[name]:
			return h, fmt.Errorf("member %q appears twice", name)
		}
		seen[name] = true
		if t, err = dec.Token(); err != nil {
			return h, err
		}
		v, isString := t.(string)
		if !isString {
			return h, fmt.Errorf("member %q must be a string", name)
		}
		*dst = v
	}
	if _, err := dec.Token(); err != nil {
		return h, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, errors.New("holds more than one JSON value")
	}
	return h, nil
}

// verifySignature reports whether sig is a valid signature of input by
// the PKIX public key of the algorithm.
func verifySignature(alg string, publicKey, input, sig []byte) bool {
	pub, err := x509.ParsePKIXPublicKey(publicKey)
	if err != nil {
		return false
	}
	switch alg {
	case payments.AlgEdDSA:
		k, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, input, sig)
	case payments.AlgES256:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k.Curve != elliptic.P256() || len(sig) != signatureBytes {
			return false
		}
		sum := sha256.Sum256(input)
		return ecdsa.Verify(k, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	}
	return false
}

// requestTarget is the path and query of a request as its request line
// gave them, which a signature's htu must equal.
func requestTarget(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

type signatureContextKey struct{}

// requestSignature returns the verified signature of a request, or nil.
func requestSignature(r *http.Request) *payments.Signature {
	sig, _ := r.Context().Value(signatureContextKey{}).(*payments.Signature)
	return sig
}

// checkSignature verifies a participant's request's signature, if it has
// one, and returns the request with the body it read put back and the
// signature in its context. Unsigned, the request passes unless the
// participant requires signatures and the request changes something.
func (s *Server) checkSignature(w http.ResponseWriter, r *http.Request, who *payments.Participant) (*http.Request, *Problem) {
	values := r.Header.Values(SignatureHeader)
	switch {
	case len(values) == 0 && who.RequireSignatures && !safeMethod(r.Method):
		return nil, signatureProblem("signature_required", "%s requires its requests that change something to be signed: a %s header with a detached JWS over the body", who.ID, SignatureHeader)
	case len(values) == 0:
		return r, nil
	case len(values) > 1:
		return nil, signatureProblem("signature_malformed", "a request carries one %s header, not %d", SignatureHeader, len(values))
	}
	jws, p := parseDetachedJWS(values[0])
	if p != nil {
		return nil, p
	}
	h := jws.header
	if h.Alg != payments.AlgEdDSA && h.Alg != payments.AlgES256 {
		return nil, signatureProblem("signature_algorithm_invalid", "alg %q is not one Astara verifies: %s (Ed25519) or %s (ECDSA P-256)", h.Alg, payments.AlgEdDSA, payments.AlgES256)
	}
	var key payments.SigningKey
	found := false
	s.paymentsView(func(m *payments.Machine) { key, found = m.SigningKey(who.ID, h.KID) })
	switch {
	case !found:
		return nil, signatureProblem("signing_key_unknown", "%s has no signing key %q", who.ID, h.KID)
	case key.Revoked:
		return nil, signatureProblem("signing_key_unknown", "%s's signing key %q was revoked at %s", who.ID, h.KID, key.RevokedAt.Format(time.RFC3339))
	case key.Alg != h.Alg:
		return nil, signatureProblem("signature_algorithm_invalid", "%s's key %q signs %s, not %s", who.ID, h.KID, key.Alg, h.Alg)
	}
	if target := requestTarget(r); h.HTM != r.Method || h.HTU != target {
		return nil, signatureProblem("signature_invalid", "the signature is for %s %s; this request is %s %s", h.HTM, h.HTU, r.Method, target)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, signedBodyBytesMax))
	if err != nil {
		return nil, problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "the body exceeds %d bytes", signedBodyBytesMax)
	}
	input := jws.protected + "." + base64.RawURLEncoding.EncodeToString(body)
	if !verifySignature(key.Alg, key.PublicKey, []byte(input), jws.signature) {
		return nil, signatureProblem("signature_invalid", "the signature does not verify over the body with %s's key %q", who.ID, h.KID)
	}
	sig := &payments.Signature{KeyID: key.ID, Alg: key.Alg, JWS: input + "." + jws.encoded}
	r = r.WithContext(context.WithValue(r.Context(), signatureContextKey{}, sig))
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return r, nil
}

// --- registration ---------------------------------------------------------

type signingKeyResponse struct {
	KeyID       string `json:"key_id"`
	Participant string `json:"participant"`
	Alg         string `json:"alg"`
	PublicKey   string `json:"public_key"`
	// Fingerprint is the SHA-256 of the key's PKIX DER, lower-case hex.
	Fingerprint string `json:"fingerprint"`
	CreatedAt   string `json:"created_at"`
	Revoked     bool   `json:"revoked"`
	RevokedAt   string `json:"revoked_at,omitempty"`
}

func signingKeyJSON(k *payments.SigningKey) signingKeyResponse {
	sum := sha256.Sum256(k.PublicKey)
	out := signingKeyResponse{KeyID: k.ID, Participant: k.Participant, Alg: k.Alg,
		PublicKey:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.PublicKey})),
		Fingerprint: hex.EncodeToString(sum[:]), CreatedAt: k.CreatedAt.Format(time.RFC3339Nano), Revoked: k.Revoked}
	if k.Revoked {
		out.RevokedAt = k.RevokedAt.Format(time.RFC3339Nano)
	}
	return out
}

// parseSigningKey reads a PEM public key (PKIX, "PUBLIC KEY") and returns
// its algorithm and its DER, marshalled anew so that one key has one
// encoding.
func parseSigningKey(text string) (alg string, der []byte, p *Problem) {
	const field = "public_key"
	if strings.TrimSpace(text) == "" {
		return "", nil, problem(http.StatusBadRequest, "field_required", field, "public_key is the signing key's public half, PEM (-----BEGIN PUBLIC KEY-----)")
	}
	if len(text) > SigningKeyPEMBytesMax {
		return "", nil, problem(http.StatusBadRequest, "public_key_too_large", field, "public_key holds %d bytes; at most %d", len(text), SigningKeyPEMBytesMax)
	}
	block, rest := pem.Decode([]byte(text))
	switch {
	case block == nil:
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key must be PEM: -----BEGIN PUBLIC KEY----- ...")
	case strings.Contains(block.Type, "PRIVATE KEY"):
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key holds a private key: send the public key only, and keep the private key with the bank")
	case block.Type != "PUBLIC KEY":
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key holds a PEM %q block, not a PUBLIC KEY (PKIX)", block.Type)
	case strings.TrimSpace(string(rest)) != "":
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key holds more than one PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key: %v", err)
	}
	switch k := pub.(type) {
	case ed25519.PublicKey:
		alg = payments.AlgEdDSA
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", nil, problem(http.StatusBadRequest, "public_key_unsupported", field, "public_key is an ECDSA key on %s; Astara verifies ECDSA on P-256 (ES256) and Ed25519 (EdDSA)", k.Curve.Params().Name)
		}
		alg = payments.AlgES256
	default:
		return "", nil, problem(http.StatusBadRequest, "public_key_unsupported", field, "public_key is a %T; Astara verifies Ed25519 (EdDSA) and ECDSA P-256 (ES256) keys", pub)
	}
	if der, err = x509.MarshalPKIXPublicKey(pub); err != nil {
		return "", nil, problem(http.StatusBadRequest, "public_key_invalid", field, "public_key: %v", err)
	}
	return alg, der, nil
}

func (s *Server) addSigningKey(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		KeyID     string `json:"key_id"`
		PublicKey string `json:"public_key"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if len(req.KeyID) > payments.SigningKeyIDLenMax || !signingKeyIDPattern.MatchString(req.KeyID) {
		writeProblem(w, problem(http.StatusBadRequest, "signing_key_id_invalid", "key_id",
			"key_id must be 1 to %d letters, digits, dots, hyphens and underscores", payments.SigningKeyIDLenMax))
		return
	}
	alg, der, p := parseSigningKey(req.PublicKey)
	if p != nil {
		writeProblem(w, p)
		return
	}
	reply, p := s.submit(r.Context(), &payments.AddSigningKey{Participant: r.PathValue("id"), KeyID: req.KeyID, Alg: alg, PublicKey: der})
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, signingKeyJSON(reply.(*payments.SigningKey)))
}

func (s *Server) listSigningKeys(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	id := r.PathValue("id")
	found := false
	out := []signingKeyResponse{}
	s.paymentsView(func(m *payments.Machine) {
		if _, found = m.Participant(id); found {
			for _, k := range m.SigningKeys(id, true) {
				out = append(out, signingKeyJSON(&k))
			}
		}
	})
	if !found {
		writeProblem(w, problem(http.StatusNotFound, payments.CodeParticipantNotFound, "id", "no participant %s", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"signing_keys": out})
}

func (s *Server) revokeSigningKey(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	if _, p := s.submit(r.Context(), &payments.RevokeSigningKey{Participant: r.PathValue("id"), KeyID: r.PathValue("key_id")}); p != nil {
		writeProblem(w, p)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setSignaturePolicy(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		RequireSignatures *bool `json:"require_signatures"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if req.RequireSignatures == nil {
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "require_signatures", "require_signatures is true or false"))
		return
	}
	reply, p := s.submit(r.Context(), &payments.SetSignaturePolicy{Participant: r.PathValue("id"), RequireSignatures: *req.RequireSignatures})
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, participantJSON(reply.(*payments.Participant)))
}

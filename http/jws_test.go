package http_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"

	astarahttp "astara/http"
	"astara/payments"
)

// testSigner signs requests as a bank would, written apart from the
// server's verifier so that a mistake shared by both would not pass
// unseen: a detached compact JWS over the body, RFC 7515 appendix F.
type testSigner struct {
	kid string
	alg string
	ed  ed25519.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newEd25519Signer(tb testing.TB, kid string) testSigner {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return testSigner{kid: kid, alg: "EdDSA", ed: priv}
}

func newP256Signer(tb testing.TB, kid string) testSigner {
	tb.Helper()
	return testSigner{kid: kid, alg: "ES256", ec: mustECKey(tb)}
}

// public returns the signer's public key.
func (k testSigner) public() any {
	if k.ed != nil {
		return k.ed.Public()
	}
	return &k.ec.PublicKey
}

// PublicPEM is the public key as a bank registers it.
func (k testSigner) PublicPEM(tb testing.TB) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.public())
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

var b64 = base64.RawURLEncoding

// sign signs the input with the signer's key: Ed25519, or ECDSA P-256
// over SHA-256 as R || S, each 32 bytes.
func (k testSigner) sign(tb testing.TB, input []byte) []byte {
	tb.Helper()
	if k.ed != nil {
		return ed25519.Sign(k.ed, input)
	}
	sum := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, k.ec, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// SignRaw returns the JWS-Signature of body under a protected header
// given whole, as JSON text.
func (k testSigner) SignRaw(tb testing.TB, header string, body []byte) string {
	tb.Helper()
	protected := b64.EncodeToString([]byte(header))
	return protected + ".." + b64.EncodeToString(k.sign(tb, []byte(protected+"."+b64.EncodeToString(body))))
}

// Sign returns the JWS-Signature of a request.
func (k testSigner) Sign(tb testing.TB, method, target string, body []byte) string {
	tb.Helper()
	h, err := json.Marshal(map[string]string{"alg": k.alg, "kid": k.kid, "htm": method, "htu": target})
	if err != nil {
		tb.Fatal(err)
	}
	return k.SignRaw(tb, string(h), body)
}

// MustRegisterSigningKey registers a signer's public key to a bank.
func (n *network) MustRegisterSigningKey(tb testing.TB, bank string, k testSigner) signingKeyOut {
	tb.Helper()
	var out signingKeyOut
	MustJSON(tb, n.Do(tb, "POST", "/v1/participants/"+bank+"/signing-keys", map[string]string{"key_id": k.kid, "public_key": k.PublicPEM(tb)}),
		http.StatusCreated, &out)
	return out
}

// Signed sends a bank's request signed by k over its exact body.
func (n *network) Signed(tb testing.TB, bank string, k testSigner, method, path string, body []byte, header http.Header) response {
	tb.Helper()
	h := http.Header{astarahttp.SignatureHeader: {k.Sign(tb, method, path, body)}}
	for name, vs := range header {
		h[name] = vs
	}
	var b any // none, rather than an empty []byte
	if body != nil {
		b = body
	}
	return n.DoHeader(tb, method, path, b, n.keys[bank], h)
}

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

type (
	signingKeyOut struct {
		KeyID       string `json:"key_id"`
		Participant string `json:"participant"`
		Alg         string `json:"alg"`
		PublicKey   string `json:"public_key"`
		Fingerprint string `json:"fingerprint"`
		CreatedAt   string `json:"created_at"`
		Revoked     bool   `json:"revoked"`
		RevokedAt   string `json:"revoked_at"`
	}
	signingKeysPage struct {
		SigningKeys []signingKeyOut `json:"signing_keys"`
	}
	signatureOut struct {
		KeyID string `json:"key_id"`
		Alg   string `json:"alg"`
		JWS   string `json:"jws"`
	}
	signedPaymentOut struct {
		paymentOut
		Signature *signatureOut `json:"signature"`
	}
)

// mustVerifyKept checks a signature kept with a payment: the key, the
// algorithm, and a JWS with the body attached that verifies on its own
// with the bank's public key.
func mustVerifyKept(tb testing.TB, got *signatureOut, k testSigner, body []byte) {
	tb.Helper()
	if got == nil || got.KeyID != k.kid || got.Alg != k.alg {
		tb.Fatalf("signature: got %+v, want key %s, alg %s", got, k.kid, k.alg)
	}
	parts := strings.Split(got.JWS, ".")
	if len(parts) != 3 || parts[1] != b64.EncodeToString(body) {
		tb.Fatalf("jws: got %q, want protected.payload.signature with the body as its payload", got.JWS)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		tb.Fatal(err)
	}
	input := []byte(parts[0] + "." + parts[1])
	ok := false
	if k.ed != nil {
		ok = ed25519.Verify(k.ed.Public().(ed25519.PublicKey), input, sig)
	} else {
		sum := sha256.Sum256(input)
		ok = ecdsa.Verify(&k.ec.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	}
	if !ok {
		tb.Fatalf("jws %q does not verify with %s's public key", got.JWS, k.kid)
	}
}

func TestSignedRequests(t *testing.T) {
	n := newNetwork(t)
	ed, p256 := newEd25519Signer(t, "volga-ed-1"), newP256Signer(t, "volga-p256-1")
	stranger := newEd25519Signer(t, "volga-ed-1") // the same key id, another key
	kamaKey := newEd25519Signer(t, "kama-1")
	n.MustRegisterSigningKey(t, volga, ed)
	n.MustRegisterSigningKey(t, volga, p256)
	n.MustRegisterSigningKey(t, kama, kamaKey)

	t.Run("a signed payment is accepted and keeps its signature", func(t *testing.T) {
		for _, k := range []testSigner{ed, p256} {
			q := n.MustQuote(t, volga, rubQuote("1000.00"))
			body := mustMarshal(t, rubPayment(q.ID))
			var p signedPaymentOut
			MustJSON(t, n.Signed(t, volga, k, "POST", "/v1/payments", body, http.Header{"Idempotency-Key": {n.Key()}}), http.StatusCreated, &p)
			mustVerifyKept(t, p.Signature, k, body)
			// Its banks and the operator see it; no other bank sees the payment.
			for _, token := range []string{n.keys[caspian], adminToken} {
				var got signedPaymentOut
				MustJSON(t, n.DoToken(t, "GET", "/v1/payments/"+p.UETR, nil, token), http.StatusOK, &got)
				mustVerifyKept(t, got.Signature, k, body)
			}
			MustProblem(t, n.As(t, kama, "GET", "/v1/payments/"+p.UETR, nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		}
	})
	t.Run("a retry answers the first payment, with the first signature", func(t *testing.T) {
		q := n.MustQuote(t, volga, rubQuote("1000.00"))
		body := mustMarshal(t, rubPayment(q.ID))
		key := n.Key()
		var first, again signedPaymentOut
		MustJSON(t, n.Signed(t, volga, p256, "POST", "/v1/payments", body, http.Header{"Idempotency-Key": {key}}), http.StatusCreated, &first)
		MustJSON(t, n.Signed(t, volga, p256, "POST", "/v1/payments", body, http.Header{"Idempotency-Key": {key}}), http.StatusCreated, &again)
		if first.UETR != again.UETR || first.Signature.JWS != again.Signature.JWS {
			t.Fatalf("retry: got %s signed %q, want %s signed %q", again.UETR, again.Signature.JWS, first.UETR, first.Signature.JWS)
		}
	})
	t.Run("an unsigned payment shows no signature", func(t *testing.T) {
		p := n.SendRUB(t, "1000.00")
		resp := n.As(t, volga, "GET", "/v1/payments/"+p.UETR, nil)
		if bytes.Contains(resp.Body, []byte(`"signature"`)) {
			t.Fatalf("got %s, want no signature", resp.Body)
		}
	})
	t.Run("every participant route takes a signature", func(t *testing.T) {
		var q quoteOut
		MustJSON(t, n.Signed(t, volga, ed, "POST", "/v1/quotes", mustMarshal(t, rubQuote("1000.00")), nil), http.StatusCreated, &q)
		MustJSON(t, n.Signed(t, volga, p256, "GET", "/v1/positions?currency=RUB", nil, nil), http.StatusOK, &positionsOut{})
		p := n.SendRUB(t, "1000.00")
		var accepted paymentOut
		caspianKey := newP256Signer(t, "caspian-1")
		n.MustRegisterSigningKey(t, caspian, caspianKey)
		MustJSON(t, n.Signed(t, caspian, caspianKey, "POST", "/v1/payments/"+p.UETR+"/accept", nil, nil), http.StatusOK, &accepted)
		if accepted.Status != "completed" {
			t.Fatalf("got %s, want completed", accepted.Status)
		}
	})

	// The refusals: each is a 401 naming the header, and changes nothing.
	q := n.MustQuote(t, volga, rubQuote("1000.00"))
	body := mustMarshal(t, rubPayment(q.ID))
	tampered := bytes.Replace(body, []byte("Ivan Petrov"), []byte("Ivan Petrow"), 1)
	edHeader := func(alg, kid, htm, htu string) string {
		return string(mustMarshal(t, map[string]string{"alg": alg, "kid": kid, "htm": htm, "htu": htu}))
	}
	revoked := newEd25519Signer(t, "volga-old")
	n.MustRegisterSigningKey(t, volga, revoked)
	if resp := n.Do(t, "DELETE", "/v1/participants/"+volga+"/signing-keys/volga-old", nil); resp.Status != http.StatusNoContent {
		t.Fatalf("revoke: got %d %s, want 204", resp.Status, resp.Body)
	}
	derSig := func() string {
		// ES256 as ASN.1 DER, as crypto/ecdsa.SignASN1 writes it: not JWS.
		sum := sha256.Sum256([]byte("x"))
		der, err := ecdsa.SignASN1(rand.Reader, p256.ec, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return b64.EncodeToString([]byte(edHeader("ES256", p256.kid, "POST", "/v1/payments"))) + ".." + b64.EncodeToString(der)
	}()
	good := ed.Sign(t, "POST", "/v1/payments", body)
	goodParts := strings.Split(good, ".")
	for _, tc := range []struct {
		rule      string
		bank      string
		body      []byte
		signature []string
		code      string
	}{
		{"a tampered body", volga, tampered, []string{good}, "signature_invalid"},
		{"the wrong key under the key id", volga, body, []string{stranger.Sign(t, "POST", "/v1/payments", body)}, "signature_invalid"},
		{"another bank's key id", kama, body, []string{ed.Sign(t, "POST", "/v1/payments", body)}, "signing_key_unknown"},
		{"another bank's key", volga, body, []string{testSigner{kid: ed.kid, alg: "EdDSA", ed: kamaKey.ed}.Sign(t, "POST", "/v1/payments", body)}, "signature_invalid"},
		{"an unknown key id", volga, body, []string{testSigner{kid: "nope", alg: "EdDSA", ed: ed.ed}.Sign(t, "POST", "/v1/payments", body)}, "signing_key_unknown"},
		{"a revoked key", volga, body, []string{revoked.Sign(t, "POST", "/v1/payments", body)}, "signing_key_unknown"},
		{"another alg than the key's", volga, body, []string{ed.SignRaw(t, edHeader("ES256", ed.kid, "POST", "/v1/payments"), body)}, "signature_algorithm_invalid"},
		{"alg none", volga, body, []string{b64.EncodeToString([]byte(edHeader("none", ed.kid, "POST", "/v1/payments"))) + ".."}, "signature_malformed"},
		{"alg none with a signature", volga, body, []string{ed.SignRaw(t, edHeader("none", ed.kid, "POST", "/v1/payments"), body)}, "signature_algorithm_invalid"},
		{"alg HS256", volga, body, []string{ed.SignRaw(t, edHeader("HS256", ed.kid, "POST", "/v1/payments"), body)}, "signature_algorithm_invalid"},
		{"another method", volga, body, []string{ed.Sign(t, "PUT", "/v1/payments", body)}, "signature_invalid"},
		{"another path", volga, body, []string{ed.Sign(t, "POST", "/v1/quotes", body)}, "signature_invalid"},
		{"the body attached", volga, body, []string{goodParts[0] + "." + b64.EncodeToString(body) + "." + goodParts[2]}, "signature_malformed"},
		{"two parts", volga, body, []string{goodParts[0] + "." + goodParts[2]}, "signature_malformed"},
		{"four parts", volga, body, []string{good + ".x"}, "signature_malformed"},
		{"padding", volga, body, []string{good + "=="}, "signature_malformed"},
		{"a protected header that is not base64url", volga, body, []string{"e30+.." + goodParts[2]}, "signature_malformed"},
		{"a protected header that is not JSON", volga, body, []string{ed.SignRaw(t, "alg=EdDSA", body)}, "signature_malformed"},
		{"a protected header without htu", volga, body, []string{ed.SignRaw(t, `{"alg":"EdDSA","kid":"volga-ed-1","htm":"POST"}`, body)}, "signature_malformed"},
		{"a protected header with crit", volga, body, []string{ed.SignRaw(t, `{"alg":"EdDSA","kid":"volga-ed-1","htm":"POST","htu":"/v1/payments","b64":false,"crit":["b64"]}`, body)}, "signature_malformed"},
		{"a protected header naming a member twice", volga, body, []string{ed.SignRaw(t, `{"alg":"EdDSA","kid":"nope","kid":"volga-ed-1","htm":"POST","htu":"/v1/payments"}`, body)}, "signature_malformed"},
		{"a protected header in other case", volga, body, []string{ed.SignRaw(t, `{"ALG":"EdDSA","kid":"volga-ed-1","htm":"POST","htu":"/v1/payments"}`, body)}, "signature_malformed"},
		{"a member that is not a string", volga, body, []string{ed.SignRaw(t, `{"alg":"EdDSA","kid":1,"htm":"POST","htu":"/v1/payments"}`, body)}, "signature_malformed"},
		{"an ES256 signature in DER", volga, body, []string{derSig}, "signature_malformed"},
		{"two JWS-Signature headers", volga, body, []string{good, good}, "signature_malformed"},
		{"a header one byte past SignatureHeaderLenMax", volga, body, []string{good + strings.Repeat("A", astarahttp.SignatureHeaderLenMax+1-len(good))}, "signature_malformed"},
	} {
		t.Run(tc.rule+" is refused and changes nothing", func(t *testing.T) {
			before := n.NetState(t)
			h := http.Header{"Idempotency-Key": {n.Key()}, astarahttp.SignatureHeader: tc.signature}
			MustProblem(t, n.DoHeader(t, "POST", "/v1/payments", tc.body, n.keys[tc.bank], h), http.StatusUnauthorized, tc.code, astarahttp.SignatureHeader)
			n.MustUnchanged(t, before)
		})
	}
	t.Run("the refused quote is still free", func(t *testing.T) {
		var p signedPaymentOut
		MustJSON(t, n.Signed(t, volga, ed, "POST", "/v1/payments", body, http.Header{"Idempotency-Key": {n.Key()}}), http.StatusCreated, &p)
		mustVerifyKept(t, p.Signature, ed, body)
	})
	t.Run("a signed payment's body past SignedPaymentBodyBytesMax is refused", func(t *testing.T) {
		q := n.MustQuote(t, volga, rubQuote("1000.00"))
		body := mustMarshal(t, rubPayment(q.ID))
		at := append(bytes.Repeat([]byte(" "), astarahttp.SignedPaymentBodyBytesMax-len(body)), body...)
		over := append([]byte(" "), at...)
		before := n.NetState(t)
		resp := n.Signed(t, volga, ed, "POST", "/v1/payments", over, http.Header{"Idempotency-Key": {n.Key()}})
		MustProblem(t, resp, http.StatusRequestEntityTooLarge, "body_too_large", "")
		n.MustUnchanged(t, before)
		var p signedPaymentOut
		MustJSON(t, n.Signed(t, volga, ed, "POST", "/v1/payments", at, http.Header{"Idempotency-Key": {n.Key()}}), http.StatusCreated, &p)
		mustVerifyKept(t, p.Signature, ed, at)
	})
	t.Run("the operator's requests are not signed", func(t *testing.T) {
		// A signature on the operator's request is not looked at.
		resp := n.DoHeader(t, "GET", "/v1/payments", nil, adminToken, http.Header{astarahttp.SignatureHeader: {"x"}})
		var page struct {
			Payments   []signedPaymentOut `json:"payments"`
			NextCursor string             `json:"next_cursor"`
		}
		MustJSON(t, resp, http.StatusOK, &page)
	})
}

func TestSignaturesRequired(t *testing.T) {
	n := newNetwork(t)
	ed := newEd25519Signer(t, "volga-ed-1")
	policy := "/v1/participants/" + volga + "/signature-policy"
	require := func(on bool) response {
		return n.Do(t, "PUT", policy, map[string]bool{"require_signatures": on})
	}

	MustProblem(t, require(true), http.StatusUnprocessableEntity, payments.CodeSigningKeyMissing, "require_signatures")
	MustProblem(t, n.Do(t, "PUT", policy, map[string]any{}), http.StatusBadRequest, "field_required", "require_signatures")
	MustProblem(t, n.Do(t, "PUT", "/v1/participants/NOBANKXX/signature-policy", map[string]bool{"require_signatures": false}), http.StatusNotFound, payments.CodeParticipantNotFound, "id")
	n.MustRegisterSigningKey(t, volga, ed)
	var p participantOut
	MustJSON(t, require(true), http.StatusOK, &p)
	if !p.RequireSignatures || p.ID != volga {
		t.Fatalf("got %+v, want %s requiring signatures", p, volga)
	}
	var page participantsPage
	MustJSON(t, n.Do(t, "GET", "/v1/participants", nil), http.StatusOK, &page)
	for _, x := range page.Participants {
		if x.RequireSignatures != (x.ID == volga) {
			t.Fatalf("%s: got require_signatures %v, want %v", x.ID, x.RequireSignatures, x.ID == volga)
		}
	}

	t.Run("an unsigned request that changes something is refused", func(t *testing.T) {
		before := n.NetState(t)
		MustProblem(t, n.As(t, volga, "POST", "/v1/quotes", rubQuote("1000.00")), http.StatusUnauthorized, "signature_required", astarahttp.SignatureHeader)
		q := n.MustQuoteSigned(t, volga, ed, rubQuote("1000.00"))
		MustProblem(t, n.Pay(t, volga, n.Key(), rubPayment(q.ID)), http.StatusUnauthorized, "signature_required", astarahttp.SignatureHeader)
		n.MustUnchanged(t, before)
	})
	t.Run("a console session cannot sign, so it only reads", func(t *testing.T) {
		c := MustSignIn(t, n.testServer, n.keys[volga])
		MustProblem(t, c.Do(t, "POST", "/v1/quotes", rubQuote("1000.00"), true), http.StatusUnauthorized, "signature_required", astarahttp.SignatureHeader)
		MustJSON(t, c.Do(t, "GET", "/v1/positions", nil, false), http.StatusOK, &positionsOut{})
	})
	t.Run("reads need no signature", func(t *testing.T) {
		MustJSON(t, n.As(t, volga, "GET", "/v1/positions", nil), http.StatusOK, &positionsOut{})
		MustJSON(t, n.As(t, volga, "GET", "/v1/payments", nil), http.StatusOK, &paymentsPage{})
	})
	t.Run("a signed request is accepted", func(t *testing.T) {
		q := n.MustQuoteSigned(t, volga, ed, rubQuote("1000.00"))
		body := mustMarshal(t, rubPayment(q.ID))
		var p signedPaymentOut
		MustJSON(t, n.Signed(t, volga, ed, "POST", "/v1/payments", body, http.Header{"Idempotency-Key": {n.Key()}}), http.StatusCreated, &p)
		mustVerifyKept(t, p.Signature, ed, body)
	})
	t.Run("other banks are not bound by it", func(t *testing.T) {
		n.MustQuote(t, kama, rubQuote("1000.00"))
	})
	t.Run("with its last key revoked, the bank can change nothing", func(t *testing.T) {
		if resp := n.Do(t, "DELETE", "/v1/participants/"+volga+"/signing-keys/"+ed.kid, nil); resp.Status != http.StatusNoContent {
			t.Fatalf("revoke: got %d %s, want 204", resp.Status, resp.Body)
		}
		MustProblem(t, n.As(t, volga, "POST", "/v1/quotes", rubQuote("1000.00")), http.StatusUnauthorized, "signature_required", astarahttp.SignatureHeader)
		MustProblem(t, n.Signed(t, volga, ed, "POST", "/v1/quotes", mustMarshal(t, rubQuote("1000.00")), nil), http.StatusUnauthorized, "signing_key_unknown", astarahttp.SignatureHeader)
	})
	t.Run("and unsigned requests are taken again once it is lifted", func(t *testing.T) {
		MustJSON(t, require(false), http.StatusOK, &p)
		if p.RequireSignatures {
			t.Fatalf("got %+v, want signatures no longer required", p)
		}
		n.MustQuote(t, volga, rubQuote("1000.00"))
	})
}

// MustQuoteSigned asks for a quote with a signed request.
func (n *network) MustQuoteSigned(tb testing.TB, bank string, k testSigner, in quoteIn) quoteOut {
	tb.Helper()
	var q quoteOut
	MustJSON(tb, n.Signed(tb, bank, k, "POST", "/v1/quotes", mustMarshal(tb, in), nil), http.StatusCreated, &q)
	return q
}

func TestSigningKeyRegistration(t *testing.T) {
	n := newNetwork(t)
	path := "/v1/participants/" + volga + "/signing-keys"
	ed, p256 := newEd25519Signer(t, "ed"), newP256Signer(t, "p256")
	register := func(t *testing.T, bank, kid, publicKey string) response {
		t.Helper()
		return n.Do(t, "POST", "/v1/participants/"+bank+"/signing-keys", map[string]string{"key_id": kid, "public_key": publicKey})
	}
	pemOf := func(t *testing.T, typ string, pub any) string {
		t.Helper()
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(ed.ed)
	if err != nil {
		t.Fatal(err)
	}

	for _, k := range []testSigner{ed, p256} {
		got := n.MustRegisterSigningKey(t, volga, k)
		sum := sha256.Sum256(mustPKIX(t, k.public()))
		if got.KeyID != k.kid || got.Alg != k.alg || got.Participant != volga || got.PublicKey != k.PublicPEM(t) ||
			got.Fingerprint != hex.EncodeToString(sum[:]) || got.Revoked {
			t.Fatalf("got %+v, want %s, %s, the key as PEM and its fingerprint", got, k.kid, k.alg)
		}
	}
	for _, tc := range []struct {
		rule, kid, publicKey, code, field string
	}{
		{"a key id is required", "", newEd25519Signer(t, "x").PublicPEM(t), "signing_key_id_invalid", "key_id"},
		{"a key id with a space", "a b", newEd25519Signer(t, "x").PublicPEM(t), "signing_key_id_invalid", "key_id"},
		{"a key id one past SigningKeyIDLenMax", strings.Repeat("k", payments.SigningKeyIDLenMax+1), newEd25519Signer(t, "x").PublicPEM(t), "signing_key_id_invalid", "key_id"},
		{"a public key is required", "new", "", "field_required", "public_key"},
		{"not PEM", "new", "MCowBQYDK2VwAyEA", "public_key_invalid", "public_key"},
		{"a private key, named", "new", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), "public_key_invalid", "public_key"},
		{"a certificate", "new", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "public_key_invalid", "public_key"},
		{"a PEM block that is not PKIX", "new", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "public_key_invalid", "public_key"},
		{"two keys", "new", newEd25519Signer(t, "x").PublicPEM(t) + newEd25519Signer(t, "y").PublicPEM(t), "public_key_invalid", "public_key"},
		{"an RSA key", "new", pemOf(t, "PUBLIC KEY", &rsaKey.PublicKey), "public_key_unsupported", "public_key"},
		{"an ECDSA P-384 key", "new", pemOf(t, "PUBLIC KEY", &p384.PublicKey), "public_key_unsupported", "public_key"},
		{"one byte past SigningKeyPEMBytesMax", "new", ed.PublicPEM(t) + strings.Repeat("\n", astarahttp.SigningKeyPEMBytesMax+1-len(ed.PublicPEM(t))), "public_key_too_large", "public_key"},
	} {
		t.Run(tc.rule+" is refused", func(t *testing.T) {
			MustProblem(t, register(t, volga, tc.kid, tc.publicKey), http.StatusBadRequest, tc.code, tc.field)
		})
	}
	t.Run("the limits themselves are accepted", func(t *testing.T) {
		k := newEd25519Signer(t, strings.Repeat("k", payments.SigningKeyIDLenMax))
		pub := k.PublicPEM(t)
		MustJSON(t, register(t, volga, k.kid, pub+strings.Repeat("\n", astarahttp.SigningKeyPEMBytesMax-len(pub))), http.StatusCreated, &signingKeyOut{})
	})
	t.Run("a key id and a public key are registered once", func(t *testing.T) {
		MustProblem(t, register(t, volga, "ed", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusConflict, payments.CodeSigningKeyExists, "key_id")
		MustProblem(t, register(t, kama, "kama-1", ed.PublicPEM(t)), http.StatusConflict, payments.CodeSigningKeyExists, "public_key")
		// Another bank may use the same key id for a key of its own.
		MustJSON(t, register(t, kama, "ed", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusCreated, &signingKeyOut{})
	})
	t.Run("an unknown participant", func(t *testing.T) {
		MustProblem(t, register(t, "NOBANKXX", "k", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusNotFound, payments.CodeParticipantNotFound, "id")
		MustProblem(t, n.Do(t, "GET", "/v1/participants/NOBANKXX/signing-keys", nil), http.StatusNotFound, payments.CodeParticipantNotFound, "id")
	})
	t.Run("SigningKeysPerParticipantMax in force, and one past it", func(t *testing.T) {
		var page signingKeysPage
		MustJSON(t, n.Do(t, "GET", path, nil), http.StatusOK, &page)
		for i := len(page.SigningKeys); i < payments.SigningKeysPerParticipantMax; i++ {
			n.MustRegisterSigningKey(t, volga, newP256Signer(t, "max-"+string(rune('a'+i))))
		}
		MustProblem(t, register(t, volga, "one-past", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusConflict, payments.CodeSigningKeysLimitReached, "key_id")
	})
	t.Run("revocation", func(t *testing.T) {
		if resp := n.Do(t, "DELETE", path+"/ed", nil); resp.Status != http.StatusNoContent {
			t.Fatalf("revoke: got %d %s, want 204", resp.Status, resp.Body)
		}
		var page signingKeysPage
		MustJSON(t, n.Do(t, "GET", path, nil), http.StatusOK, &page)
		if len(page.SigningKeys) != payments.SigningKeysPerParticipantMax || page.SigningKeys[0].KeyID != "ed" || !page.SigningKeys[0].Revoked || page.SigningKeys[0].RevokedAt == "" {
			t.Fatalf("got %+v, want ed first, revoked with its time, and the rest", page.SigningKeys)
		}
		MustProblem(t, register(t, volga, "ed", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusConflict, payments.CodeSigningKeyExists, "key_id")
		MustJSON(t, register(t, volga, "after", newEd25519Signer(t, "x").PublicPEM(t)), http.StatusCreated, &signingKeyOut{})
		MustProblem(t, n.Do(t, "DELETE", path+"/nope", nil), http.StatusNotFound, payments.CodeSigningKeyNotFound, "key_id")
		MustProblem(t, n.Do(t, "DELETE", "/v1/participants/"+kama+"/signing-keys/p256", nil), http.StatusNotFound, payments.CodeSigningKeyNotFound, "key_id")
	})
	t.Run("the operator's only", func(t *testing.T) {
		MustProblem(t, n.As(t, volga, "POST", path, map[string]string{"key_id": "self", "public_key": newEd25519Signer(t, "x").PublicPEM(t)}), http.StatusUnauthorized, "invalid_token", "")
		MustProblem(t, n.As(t, volga, "PUT", "/v1/participants/"+volga+"/signature-policy", map[string]bool{"require_signatures": false}), http.StatusUnauthorized, "invalid_token", "")
	})
}

func mustPKIX(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// TestTheDocumentedExampleVerifies sends docs/API-EXTENSIONS.md's example
// exactly: the RFC 8037 key, the header as printed there. The signature
// passes, and the request goes on to its route (which finds no such
// payment).
func TestTheDocumentedExampleVerifies(t *testing.T) {
	n := newNetwork(t)
	const (
		publicKey = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"
		path      = "/v1/payments/0b9a7c2e-5d41-4f3a-9e6b-7c8d9e0f1a2b/reject"
		body      = `{"reason":"AC01"}`
		signature = "eyJhbGciOiJFZERTQSIsImtpZCI6InZvbGdhLTIwMjYtMSIsImh0bSI6IlBPU1QiLCJodHUiOiIvdjEvcGF5bWVudHMvMGI5YTdjMmUtNWQ0MS00ZjNhLTllNmItN2M4ZDllMGYxYTJiL3JlamVjdCJ9..lU-_B7RLy8duD-EvGlMz5MHWuQrXWKlDnChqfvwsqSM-veQK78BBa0B1E9ngFivZJBx8xtLAdUUpINAW5SsgCQ"
	)
	MustJSON(t, n.Do(t, "POST", "/v1/participants/"+volga+"/signing-keys", map[string]string{"key_id": "volga-2026-1", "public_key": publicKey}),
		http.StatusCreated, &signingKeyOut{})
	h := http.Header{astarahttp.SignatureHeader: {signature}}
	MustProblem(t, n.DoHeader(t, "POST", path, body, n.keys[volga], h), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
	// One byte more in the body, and it no longer verifies.
	MustProblem(t, n.DoHeader(t, "POST", path, body+"\n", n.keys[volga], h), http.StatusUnauthorized, "signature_invalid", astarahttp.SignatureHeader)
}

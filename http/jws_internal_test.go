package http

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"testing"

	"astara/payments"
)

// The verifier against the RFCs' own examples, so that a signature made
// by any conforming JOSE library verifies: the signing input is the
// compact serialization's first two parts, as in these examples.
func TestVerifySignatureMatchesTheRFCExamples(t *testing.T) {
	b64 := func(s string) []byte {
		t.Helper()
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pkix := func(pub any) []byte {
		t.Helper()
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	// RFC 8037 appendix A.1 (the key) and A.4 (the signature).
	ed := pkix(ed25519.PublicKey(b64("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")))
	edInput := []byte("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
	edSig := b64("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
	// RFC 7515 appendix A.3.
	p256 := pkix(&ecdsa.PublicKey{Curve: elliptic.P256(),
		X: new(big.Int).SetBytes(b64("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")),
		Y: new(big.Int).SetBytes(b64("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"))})
	esInput := []byte("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ")
	esSig := b64("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")

	flip := func(b []byte) []byte {
		c := append([]byte(nil), b...)
		c[len(c)-1] ^= 1
		return c
	}
	for _, tc := range []struct {
		rule       string
		alg        string
		key, input []byte
		sig        []byte
		want       bool
	}{
		{"RFC 8037 A.4 verifies", payments.AlgEdDSA, ed, edInput, edSig, true},
		{"RFC 7515 A.3 verifies", payments.AlgES256, p256, esInput, esSig, true},
		{"an EdDSA input changed by one bit does not", payments.AlgEdDSA, ed, flip(edInput), edSig, false},
		{"an ES256 signature changed by one bit does not", payments.AlgES256, p256, esInput, flip(esSig), false},
		{"an Ed25519 key does not verify ES256", payments.AlgES256, ed, edInput, edSig, false},
		{"a P-256 key does not verify EdDSA", payments.AlgEdDSA, p256, esInput, esSig, false},
		{"an alg Astara does not take", "HS256", ed, edInput, edSig, false},
		{"a key that is not PKIX", payments.AlgEdDSA, []byte("key"), edInput, edSig, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := verifySignature(tc.alg, tc.key, tc.input, tc.sig); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDecodeJWSHeader(t *testing.T) {
	for _, tc := range []struct {
		rule, header string
		ok           bool
	}{
		{"the four members", `{"alg":"EdDSA","kid":"k","htm":"POST","htu":"/v1/payments"}`, true},
		{"with typ", `{"typ":"JOSE","alg":"EdDSA","kid":"k","htm":"POST","htu":"/v1/payments"}`, true},
		{"with white space", " {\n\"alg\" : \"EdDSA\" }\n", true},
		{"an array", `["alg"]`, false},
		{"an unknown member", `{"alg":"EdDSA","jku":"https://example.com/keys"}`, false},
		{"crit", `{"alg":"EdDSA","crit":["b64"]}`, false},
		{"a member twice", `{"alg":"EdDSA","alg":"none"}`, false},
		{"a member in other case", `{"Alg":"EdDSA"}`, false},
		{"a number", `{"alg":1}`, false},
		{"an object", `{"kid":{"id":"k"}}`, false},
		{"null", `{"kid":null}`, false},
		{"two values", `{"alg":"EdDSA"}{}`, false},
		{"cut short", `{"alg":"EdDSA"`, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if _, err := decodeJWSHeader([]byte(tc.header)); (err == nil) != tc.ok {
				t.Fatalf("decodeJWSHeader(%s): got error %v, want ok %v", tc.header, err, tc.ok)
			}
		})
	}
}

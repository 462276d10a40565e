package http_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	astarahttp "astara/http"
	"astara/payments"
)

// testPKI is a throwaway CA, the server's certificate, and the means to
// issue client certificates.
type testPKI struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	pool   *x509.CertPool
	server tls.Certificate
	serial atomic.Int64
}

// clientCert is a client certificate with its key, as a TLS client holds
// it and as the operator registers it (PEM).
type clientCert struct {
	tls  tls.Certificate
	x509 *x509.Certificate
	PEM  string
}

// Fingerprint is what Astara registers the certificate by.
func (c clientCert) Fingerprint() string {
	sum := sha256.Sum256(c.x509.Raw)
	return hex.EncodeToString(sum[:])
}

// certTemplate tunes a certificate NewTestPKI's CA issues.
type certTemplate struct {
	cn        string
	notBefore time.Time
	notAfter  time.Time
	usage     []x509.ExtKeyUsage
	isCA      bool
	selfSign  bool // signed by its own key: by no CA the server knows
}

// certValidity is how long the tests' certificates are valid, from an
// hour ago: the handshake checks them against the real clock, the
// registration against the servers' fake one (t0), which they cover too.
const certValidity = 3 * 365 * 24 * time.Hour

func MustNewTestPKI(tb testing.TB) *testPKI {
	tb.Helper()
	key := mustECKey(tb)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Astara Test Client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(certValidity), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	p := &testPKI{ca: ca, caKey: key, pool: x509.NewCertPool()}
	p.serial.Store(1)
	p.pool.AddCert(ca)
	srv := p.issue(tb, certTemplate{cn: "astara.test", usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, func(c *x509.Certificate) {
		c.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		c.DNSNames = []string{"localhost"}
	})
	p.server = srv.tls
	return p
}

func mustECKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// issue makes a certificate; edit, if given, changes the template last.
func (p *testPKI) issue(tb testing.TB, t certTemplate, edit ...func(*x509.Certificate)) clientCert {
	tb.Helper()
	key := mustECKey(tb)
	if t.notBefore.IsZero() {
		t.notBefore = time.Now().Add(-time.Hour)
	}
	if t.notAfter.IsZero() {
		t.notAfter = time.Now().Add(certValidity)
	}
	if t.usage == nil {
		t.usage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.serial.Add(1)), Subject: pkix.Name{CommonName: t.cn, Organization: []string{"Astara tests"}},
		NotBefore: t.notBefore, NotAfter: t.notAfter, ExtKeyUsage: t.usage, KeyUsage: x509.KeyUsageDigitalSignature,
		IsCA: t.isCA, BasicConstraintsValid: true}
	for _, e := range edit {
		e(tmpl)
	}
	parent, signer := p.ca, p.caKey
	if t.selfSign {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return clientCert{tls: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, x509: cert,
		PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// Client issues a client certificate for cn.
func (p *testPKI) Client(tb testing.TB, cn string) clientCert {
	tb.Helper()
	return p.issue(tb, certTemplate{cn: cn})
}

// tlsServer is the network's handler served over TLS with the test PKI,
// as astara serve does with --tls-cert, --tls-key and --client-ca.
type tlsServer struct {
	URL string
	pki *testPKI
}

// ServeTLS serves the network's handler over TLS too (the operator's set
// up goes on over the plain server).
func (n *network) ServeTLS(tb testing.TB, pki *testPKI) *tlsServer {
	tb.Helper()
	hs := httptest.NewUnstartedServer(n.Handler)
	hs.TLS = astarahttp.TLSConfig(pki.server, pki.pool)
	// The handshakes the tests mean to fail would each log a line.
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	tb.Cleanup(hs.Close)
	return &tlsServer{URL: hs.URL, pki: pki}
}

// Client returns an HTTPS client that trusts the test CA, presents cert
// unless it is nil, and adjusts its TLS configuration with edit.
func (s *tlsServer) Client(cert *clientCert, edit ...func(*tls.Config)) *http.Client {
	cfg := &tls.Config{RootCAs: s.pki.pool, ServerName: "localhost"}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{cert.tls}
	}
	for _, e := range edit {
		e(cfg)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
}

// Do sends a request over TLS with a client certificate (nil: none), a
// bearer token ("" for none) and headers; a failed connection fails the
// test.
func (s *tlsServer) Do(tb testing.TB, cert *clientCert, method, path string, body any, token string, header http.Header) response {
	tb.Helper()
	resp, err := s.try(tb, cert, method, path, body, token, header)
	if err != nil {
		tb.Fatalf("%s %s over TLS: %v", method, path, err)
	}
	return resp
}

func (s *tlsServer) try(tb testing.TB, cert *clientCert, method, path string, body any, token string, header http.Header, edit ...func(*tls.Config)) (response, error) {
	tb.Helper()
	req := newRequest(tb, method, s.URL+path, body, token)
	req.RequestURI = ""
	addHeader(req, header)
	resp, err := s.Client(cert, edit...).Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// MustRegisterCertificate registers a certificate to a bank, as the
// operator.
func (n *network) MustRegisterCertificate(tb testing.TB, bank string, c clientCert) certificateOut {
	tb.Helper()
	var out certificateOut
	MustJSON(tb, n.Do(tb, "POST", "/v1/participants/"+bank+"/certificates", map[string]string{"certificate": c.PEM}), http.StatusCreated, &out)
	return out
}

type (
	certificateOut struct {
		Fingerprint  string `json:"fingerprint"`
		Participant  string `json:"participant"`
		Subject      string `json:"subject"`
		Issuer       string `json:"issuer"`
		SerialNumber string `json:"serial_number"`
		NotBefore    string `json:"not_before"`
		NotAfter     string `json:"not_after"`
		CreatedAt    string `json:"created_at"`
		Revoked      bool   `json:"revoked"`
		RevokedAt    string `json:"revoked_at"`
	}
	certificatesPage struct {
		Certificates []certificateOut `json:"certificates"`
	}
)

func TestMutualTLS(t *testing.T) {
	n := newNetwork(t)
	pki := MustNewTestPKI(t)
	srv := n.ServeTLS(t, pki)
	volgaCert, kamaCert, strayCert := pki.Client(t, volga), pki.Client(t, kama), pki.Client(t, "STRAYRUMM")
	reg := n.MustRegisterCertificate(t, volga, volgaCert)
	if reg.Fingerprint != volgaCert.Fingerprint() || reg.Participant != volga || !strings.Contains(reg.Subject, "CN="+volga) ||
		!strings.Contains(reg.Issuer, "Astara Test Client CA") || reg.Revoked {
		t.Fatalf("registration: got %+v, want the certificate's fingerprint, subject and issuer, in force", reg)
	}
	n.MustRegisterCertificate(t, kama, kamaCert)
	// A payment of CASPIRTH's to KAMARUMM, which VOLGRUMM must not see.
	toKama := n.MustQuote(t, caspian, quoteIn{ReceivingParticipant: kama, SourceCurrency: "IRR", TargetCurrency: "RUB", TargetAmount: "1000.00"})
	notVolgas := n.MustPay(t, caspian, paymentIn{QuoteID: toKama.ID, Debtor: irDebtor, Creditor: rubCreditor, Purpose: "OTHR"})

	t.Run("a registered certificate authenticates as its participant without a key", func(t *testing.T) {
		var pos positionsOut
		MustJSON(t, srv.Do(t, &volgaCert, "GET", "/v1/positions", nil, "", nil), http.StatusOK, &pos)
		if pos.Participant != volga {
			t.Fatalf("positions: got %s's, want %s's", pos.Participant, volga)
		}
		var q quoteOut
		MustJSON(t, srv.Do(t, &volgaCert, "POST", "/v1/quotes", rubQuote("1000.00"), "", nil), http.StatusCreated, &q)
		var p paymentOut
		MustJSON(t, srv.Do(t, &volgaCert, "POST", "/v1/payments", rubPayment(q.ID), "", http.Header{"Idempotency-Key": {"mtls-1"}}), http.StatusCreated, &p)
		if q.SendingParticipant != volga || p.SendingParticipant != volga || p.Status != "reserved" {
			t.Fatalf("got a quote from %s and a payment from %s (%s), want both %s's and reserved", q.SendingParticipant, p.SendingParticipant, p.Status, volga)
		}
		if p.Events[0].By != volga {
			t.Fatalf("received by %q, want %s", p.Events[0].By, volga)
		}
	})
	t.Run("and sees its own data only", func(t *testing.T) {
		var page paymentsPage
		MustJSON(t, srv.Do(t, &volgaCert, "GET", "/v1/payments", nil, "", nil), http.StatusOK, &page)
		if len(page.Payments) == 0 {
			t.Fatalf("got no payments, want %s's", volga)
		}
		for _, p := range page.Payments {
			if p.SendingParticipant != volga && p.ReceivingParticipant != volga {
				t.Fatalf("got payment %s of %s to %s, want %s's only", p.UETR, p.SendingParticipant, p.ReceivingParticipant, volga)
			}
		}
		MustProblem(t, srv.Do(t, &volgaCert, "GET", "/v1/payments/"+notVolgas.UETR, nil, "", nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		MustProblem(t, srv.Do(t, &volgaCert, "POST", "/v1/payments/"+notVolgas.UETR+"/accept", nil, "", nil), http.StatusNotFound, payments.CodePaymentNotFound, "uetr")
		// KAMARUMM's certificate sees it.
		var p paymentOut
		MustJSON(t, srv.Do(t, &kamaCert, "GET", "/v1/payments/"+notVolgas.UETR, nil, "", nil), http.StatusOK, &p)
	})
	t.Run("a certificate is not the operator's", func(t *testing.T) {
		MustProblem(t, srv.Do(t, &volgaCert, "GET", "/v1/participants", nil, "", nil), http.StatusUnauthorized, "unauthenticated", "")
	})
	t.Run("a certificate with its own bank's key is that bank", func(t *testing.T) {
		var pos positionsOut
		MustJSON(t, srv.Do(t, &volgaCert, "GET", "/v1/positions", nil, n.keys[volga], nil), http.StatusOK, &pos)
		if pos.Participant != volga {
			t.Fatalf("got %s, want %s", pos.Participant, volga)
		}
	})
	t.Run("a certificate and another bank's key conflict", func(t *testing.T) {
		before := n.NetState(t)
		MustProblem(t, srv.Do(t, &volgaCert, "GET", "/v1/positions", nil, n.keys[caspian], nil), http.StatusUnauthorized, "credentials_conflict", "")
		q := n.MustQuote(t, caspian, quoteIn{ReceivingParticipant: volga, SourceCurrency: "IRR", TargetCurrency: "RUB", TargetAmount: "10.00"})
		MustProblem(t, srv.Do(t, &volgaCert, "POST", "/v1/payments", paymentIn{QuoteID: q.ID, Debtor: irDebtor, Creditor: rubCreditor, Purpose: "OTHR"},
			n.keys[caspian], http.Header{"Idempotency-Key": {"conflict"}}), http.StatusUnauthorized, "credentials_conflict", "")
		// The operator's token is not a bank's either.
		MustProblem(t, srv.Do(t, &volgaCert, "GET", "/v1/payments", nil, adminToken, nil), http.StatusUnauthorized, "credentials_conflict", "")
		n.MustUnchanged(t, before)
	})
	t.Run("an unregistered certificate authenticates nobody", func(t *testing.T) {
		MustProblem(t, srv.Do(t, &strayCert, "GET", "/v1/positions", nil, "", nil), http.StatusUnauthorized, "certificate_not_registered", "")
		// Not even with a good key: a certificate presented must count.
		MustProblem(t, srv.Do(t, &strayCert, "GET", "/v1/positions", nil, n.keys[volga], nil), http.StatusUnauthorized, "certificate_not_registered", "")
	})
	t.Run("a revoked certificate authenticates nobody", func(t *testing.T) {
		resp := n.Do(t, "DELETE", "/v1/participants/"+kama+"/certificates/"+kamaCert.Fingerprint(), nil)
		if resp.Status != http.StatusNoContent {
			t.Fatalf("revoke: got %d %s, want 204", resp.Status, resp.Body)
		}
		before := n.NetState(t)
		MustProblem(t, srv.Do(t, &kamaCert, "GET", "/v1/positions", nil, "", nil), http.StatusUnauthorized, "certificate_revoked", "")
		MustProblem(t, srv.Do(t, &kamaCert, "POST", "/v1/quotes", rubQuote("1000.00"), n.keys[kama], nil), http.StatusUnauthorized, "certificate_revoked", "")
		n.MustUnchanged(t, before)
		// KAMARUMM's key alone still works.
		var pos positionsOut
		MustJSON(t, srv.Do(t, nil, "GET", "/v1/positions", nil, n.keys[kama], nil), http.StatusOK, &pos)
	})
	t.Run("a certificate of another CA is refused at the handshake", func(t *testing.T) {
		self := pki.issue(t, certTemplate{cn: volga, selfSign: true})
		// Go's client sends only a certificate of a CA the server names;
		// this one sends it anyway.
		always := func(c *tls.Config) {
			c.Certificates = nil
			c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &self.tls, nil }
		}
		if resp, err := srv.try(t, nil, "GET", "/v1/positions", nil, "", nil, always); err == nil {
			t.Fatalf("a self-signed client certificate: got %d %s, want the handshake refused", resp.Status, resp.Body)
		}
	})
	t.Run("a bank without a certificate keeps its API keys", func(t *testing.T) {
		resp := srv.Do(t, nil, "GET", "/v1/positions", nil, n.keys[caspian], nil)
		var pos positionsOut
		MustJSON(t, resp, http.StatusOK, &pos)
		MustProblem(t, srv.Do(t, nil, "GET", "/v1/positions", nil, "", nil), http.StatusUnauthorized, "unauthenticated", "")
	})
}

func TestTLSVersionsAndSuites(t *testing.T) {
	n := newNetwork(t)
	pki := MustNewTestPKI(t)
	srv := n.ServeTLS(t, pki)
	get := func(edit func(*tls.Config)) (*http.Response, error) {
		resp, err := srv.Client(nil, edit).Get(srv.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	for _, tc := range []struct {
		rule string
		edit func(*tls.Config)
	}{
		{"TLS 1.0 is refused", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10 }},
		{"TLS 1.1 is refused", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS11, tls.VersionTLS11 }},
		{"TLS 1.2 with RSA key exchange and CBC is refused", func(c *tls.Config) {
			c.MaxVersion, c.CipherSuites = tls.VersionTLS12, []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		}},
		{"TLS 1.2 with ECDHE and CBC is refused", func(c *tls.Config) {
			c.MaxVersion, c.CipherSuites = tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if resp, err := get(tc.edit); err == nil {
				t.Fatalf("got %s with %s, want the handshake refused", resp.Status, tls.VersionName(resp.TLS.Version))
			}
		})
	}
	t.Run("TLS 1.3 is chosen when the client has it", func(t *testing.T) {
		resp, err := get(func(*tls.Config) {})
		if err != nil {
			t.Fatal(err)
		}
		if resp.TLS.Version != tls.VersionTLS13 {
			t.Fatalf("got %s, want TLS 1.3", tls.VersionName(resp.TLS.Version))
		}
	})
	t.Run("TLS 1.2 is taken with an ECDHE AEAD suite", func(t *testing.T) {
		resp, err := get(func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 })
		if err != nil {
			t.Fatal(err)
		}
		name := tls.CipherSuiteName(resp.TLS.CipherSuite)
		if resp.TLS.Version != tls.VersionTLS12 || !strings.HasPrefix(name, "TLS_ECDHE_") || !(strings.Contains(name, "GCM") || strings.Contains(name, "CHACHA20")) {
			t.Fatalf("got %s with %s, want TLS 1.2 with an ECDHE AEAD suite", tls.VersionName(resp.TLS.Version), name)
		}
	})
	t.Run("the configuration offers no weak suite", func(t *testing.T) {
		cfg := astarahttp.TLSConfig(pki.server, nil)
		if cfg.MinVersion != tls.VersionTLS12 || cfg.ClientAuth != tls.NoClientCert {
			t.Fatalf("got min %s, client auth %v, want TLS 1.2 and no certificate asked without a client CA", tls.VersionName(cfg.MinVersion), cfg.ClientAuth)
		}
		insecure := map[uint16]bool{}
		for _, s := range tls.InsecureCipherSuites() {
			insecure[s.ID] = true
		}
		for _, id := range cfg.CipherSuites {
			name := tls.CipherSuiteName(id)
			if insecure[id] || !strings.HasPrefix(name, "TLS_ECDHE_") || strings.Contains(name, "CBC") {
				t.Errorf("suite %s: want ECDHE with an AEAD cipher only", name)
			}
		}
		if withCA := astarahttp.TLSConfig(pki.server, pki.pool); withCA.ClientAuth != tls.VerifyClientCertIfGiven {
			t.Fatalf("with a client CA: got client auth %v, want VerifyClientCertIfGiven", withCA.ClientAuth)
		}
	})
}

func TestCertificateRegistration(t *testing.T) {
	n := newNetwork(t)
	pki := MustNewTestPKI(t)
	good := pki.Client(t, volga)
	path := "/v1/participants/" + volga + "/certificates"
	register := func(t *testing.T, bank string, body any) response {
		t.Helper()
		return n.Do(t, "POST", "/v1/participants/"+bank+"/certificates", body)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(good.tls.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.ca.Raw}))

	for _, tc := range []struct {
		rule, certificate, code string
	}{
		{"a certificate is required", "", "field_required"},
		{"not PEM", "MIIB...", "certificate_invalid"},
		{"a private key is refused, and named", keyPEM, "certificate_invalid"},
		{"a public key is not a certificate", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "certificate_invalid"},
		{"a chain is not one certificate", good.PEM + caPEM, "certificate_invalid"},
		{"a PEM block that is not DER", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "certificate_invalid"},
		{"a CA's certificate", caPEM, "certificate_invalid"},
		{"an expired certificate", pki.issue(t, certTemplate{cn: volga, notBefore: t0.AddDate(-2, 0, 0), notAfter: t0.Add(-time.Minute)}).PEM, "certificate_expired"},
		{"a certificate for servers only", pki.issue(t, certTemplate{cn: volga, usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}).PEM, "certificate_not_for_client_auth"},
		{"one byte past CertificatePEMBytesMax", good.PEM + strings.Repeat("\n", astarahttp.CertificatePEMBytesMax+1-len(good.PEM)), "certificate_too_large"},
	} {
		t.Run(tc.rule+" is refused", func(t *testing.T) {
			MustProblem(t, register(t, volga, map[string]string{"certificate": tc.certificate}), http.StatusBadRequest, tc.code, "certificate")
			var page certificatesPage
			MustJSON(t, n.Do(t, "GET", path, nil), http.StatusOK, &page)
			if len(page.Certificates) != 0 {
				t.Fatalf("got %d certificates, want none", len(page.Certificates))
			}
		})
	}
	t.Run("the limits themselves are accepted", func(t *testing.T) {
		// Trailing blank lines pad the PEM to CertificatePEMBytesMax.
		padded := good.PEM + strings.Repeat("\n", astarahttp.CertificatePEMBytesMax-len(good.PEM))
		MustJSON(t, register(t, volga, map[string]string{"certificate": padded}), http.StatusCreated, &certificateOut{})
		// Not valid yet: a renewal is registered ahead of its time.
		ahead := pki.issue(t, certTemplate{cn: volga, notBefore: time.Now().Add(24 * time.Hour)})
		n.MustRegisterCertificate(t, volga, ahead)
		// No extended key usage at all: any usage.
		n.MustRegisterCertificate(t, volga, pki.issue(t, certTemplate{cn: volga, usage: []x509.ExtKeyUsage{}}))
	})
	t.Run("a certificate is one participant's", func(t *testing.T) {
		MustProblem(t, register(t, volga, map[string]string{"certificate": good.PEM}), http.StatusConflict, payments.CodeCertificateExists, "certificate")
		MustProblem(t, register(t, kama, map[string]string{"certificate": good.PEM}), http.StatusConflict, payments.CodeCertificateExists, "certificate")
	})
	t.Run("an unknown participant", func(t *testing.T) {
		MustProblem(t, register(t, "NOBANKXX", map[string]string{"certificate": pki.Client(t, "x").PEM}), http.StatusNotFound, payments.CodeParticipantNotFound, "id")
		MustProblem(t, n.Do(t, "GET", "/v1/participants/NOBANKXX/certificates", nil), http.StatusNotFound, payments.CodeParticipantNotFound, "id")
	})
	t.Run("CertificatesPerParticipantMax in force, and one past it", func(t *testing.T) {
		var page certificatesPage
		MustJSON(t, n.Do(t, "GET", path, nil), http.StatusOK, &page)
		for i := len(page.Certificates); i < payments.CertificatesPerParticipantMax; i++ {
			n.MustRegisterCertificate(t, volga, pki.Client(t, fmt.Sprint(volga, "-", i)))
		}
		MustProblem(t, register(t, volga, map[string]string{"certificate": pki.Client(t, "one-past").PEM}), http.StatusConflict, payments.CodeCertificatesLimitReached, "certificate")
	})
	t.Run("revocation, by the fingerprint as openssl prints it", func(t *testing.T) {
		fp := strings.ToUpper(good.Fingerprint())
		var colons []string
		for i := 0; i < len(fp); i += 2 {
			colons = append(colons, fp[i:i+2])
		}
		resp := n.Do(t, "DELETE", path+"/"+strings.Join(colons, ":"), nil)
		if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("revoke: got %d %s, want 204", resp.Status, resp.Body)
		}
		var page certificatesPage
		MustJSON(t, n.Do(t, "GET", path, nil), http.StatusOK, &page)
		if len(page.Certificates) != payments.CertificatesPerParticipantMax || page.Certificates[0].Fingerprint != good.Fingerprint() ||
			!page.Certificates[0].Revoked || page.Certificates[0].RevokedAt == "" {
			t.Fatalf("got %+v, want the first revoked with its time, and the rest", page.Certificates)
		}
		// Revoked for good, and counted no more.
		MustProblem(t, register(t, volga, map[string]string{"certificate": good.PEM}), http.StatusConflict, payments.CodeCertificateExists, "certificate")
		n.MustRegisterCertificate(t, volga, pki.Client(t, "after"))
	})
	t.Run("revocation of what is not there", func(t *testing.T) {
		MustProblem(t, n.Do(t, "DELETE", path+"/"+strings.Repeat("ab", 32), nil), http.StatusNotFound, payments.CodeCertificateNotFound, "fingerprint")
		// Another bank's certificate is not found under this one.
		other := n.MustRegisterCertificate(t, kama, pki.Client(t, kama))
		MustProblem(t, n.Do(t, "DELETE", path+"/"+other.Fingerprint, nil), http.StatusNotFound, payments.CodeCertificateNotFound, "fingerprint")
		MustProblem(t, n.Do(t, "DELETE", path+"/abc", nil), http.StatusBadRequest, "fingerprint_invalid", "fingerprint")
	})
	t.Run("the operator's only", func(t *testing.T) {
		MustProblem(t, n.As(t, volga, "POST", path, map[string]string{"certificate": pki.Client(t, "self").PEM}), http.StatusUnauthorized, "invalid_token", "")
		MustProblem(t, n.As(t, volga, "GET", path, nil), http.StatusUnauthorized, "invalid_token", "")
	})
}

// throwawayCertificatePEM is a fresh self-signed client certificate, for
// a registration that needs one and no handshake.
func throwawayCertificatePEM() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "throwaway"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(certValidity), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// throwawaySigningKeyPEM is a fresh Ed25519 public key, PEM.
func throwawaySigningKeyPEM() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

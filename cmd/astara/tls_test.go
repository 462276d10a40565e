package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testCA is a throwaway CA that issues the server's certificate and the
// banks' client certificates.
type testCA struct {
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	pool   *x509.CertPool
	serial int64
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key := mustKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Astara Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool, serial: 1}
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// issue returns a certificate for cn with its key, and both as PEM.
func (ca *testCA) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) (tls.Certificate, string, string) {
	t.Helper()
	ca.serial++
	key := mustKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(ca.serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage},
		KeyUsage: x509.KeyUsageDigitalSignature, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return pair, certPEM, keyPEM
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeTLS runs `astara serve` with --tls-cert, --tls-key and
// --client-ca: it serves HTTPS only, from TLS 1.2, and a bank's client
// certificate, once the operator registered it, authenticates the bank
// with no API key.
func TestServeTLS(t *testing.T) {
	ca := newTestCA(t)
	files := t.TempDir()
	_, serverPEM, serverKeyPEM := ca.issue(t, "astara.test", x509.ExtKeyUsageServerAuth)
	caFile := writeFile(t, files, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})))
	c := startChild(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0",
		"--tls-cert", writeFile(t, files, "server.pem", serverPEM), "--tls-key", writeFile(t, files, "server.key", serverKeyPEM), "--client-ca", caFile)
	defer func() { c.cmd.Process.Signal(syscall.SIGTERM); <-c.done }()
	if !strings.HasPrefix(c.url, "https://") {
		t.Fatalf("listening on %s, want https://", c.url)
	}
	volgaCert, volgaPEM, _ := ca.issue(t, "VOLGRUMM", x509.ExtKeyUsageClientAuth)
	strayCert, _, _ := ca.issue(t, "STRAYRUMM", x509.ExtKeyUsageClientAuth)

	client := func(cert *tls.Certificate, edit func(*tls.Config)) *http.Client {
		cfg := &tls.Config{RootCAs: ca.pool}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{*cert}
		}
		if edit != nil {
			edit(cfg)
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
	}
	do := func(cl *http.Client, method, path, token, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	operator := client(nil, nil)
	if code, body := do(operator, "POST", "/v1/participants", testToken,
		`{"id":"VOLGRUMM","name":"Volga Bank","country":"RU","currencies":["RUB"]}`); code != http.StatusCreated {
		t.Fatalf("create a participant over TLS: got %d %s", code, body)
	}
	reg, _ := json.Marshal(map[string]string{"certificate": volgaPEM})
	if code, body := do(operator, "POST", "/v1/participants/VOLGRUMM/certificates", testToken, string(reg)); code != http.StatusCreated {
		t.Fatalf("register the certificate: got %d %s", code, body)
	}

	var pos struct {
		Participant string `json:"participant"`
	}
	code, body := do(client(&volgaCert, nil), "GET", "/v1/positions", "", "")
	if err := json.Unmarshal(body, &pos); code != http.StatusOK || err != nil || pos.Participant != "VOLGRUMM" {
		t.Fatalf("the registered certificate: got %d %s, want VOLGRUMM's positions", code, body)
	}
	if code, body := do(client(&strayCert, nil), "GET", "/v1/positions", "", ""); code != http.StatusUnauthorized || !bytes.Contains(body, []byte("certificate_not_registered")) {
		t.Fatalf("an unregistered certificate: got %d %s, want 401 certificate_not_registered", code, body)
	}
	if _, err := client(nil, func(cfg *tls.Config) { cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS11, tls.VersionTLS11 }).Get(c.url + "/healthz"); err == nil {
		t.Fatalf("TLS 1.1: got an answer, want the handshake refused")
	}
	resp, err := client(nil, nil).Get(c.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("got %+v, want TLS 1.3", resp.TLS)
	}
	plain, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + strings.TrimPrefix(c.url, "https://") + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Fatalf("plain HTTP: got 200, want HTTPS only")
		}
	}
}

func TestServeTLSFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--tls-cert", "server.pem"}, 2, "--tls-cert and --tls-key go together"},
		{[]string{"serve", "--tls-key", "server.key"}, 2, "--tls-cert and --tls-key go together"},
		{[]string{"serve", "--client-ca", "ca.pem"}, 2, "--client-ca needs --tls-cert"},
		{[]string{"demo", "--tls-cert", "server.pem", "--tls-key", "server.key"}, 2, "flag provided but not defined"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", filepath.Join(dir, "missing.key")}, 1, "missing.pem"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(tc.args, "--data", filepath.Join(dir, "data"))
			if code := Run(context.Background(), args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("exit %d, %q; want %d naming %q", code, errOut.String(), tc.code, tc.want)
			}
			// Nothing was made: an operator's token made and not printed
			// would be lost, its hash kept.
			if _, err := os.Stat(filepath.Join(dir, "data", adminTokenFile)); !os.IsNotExist(err) {
				t.Fatalf("%s: got %v, want no token made", adminTokenFile, err)
			}
		})
	}
}

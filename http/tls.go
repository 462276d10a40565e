package http

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"astara/payments"
)

// Mutual TLS.
//
// astara serve may listen with TLS (LoadTLSConfig) and, given the CA that
// issues the banks' client certificates, ask each client for one. The
// handshake verifies the chain and the validity; the binding of a
// certificate to a participant is the operator's registration of its
// SHA-256 fingerprint (POST /v1/participants/{id}/certificates), not
// anything written in the certificate. A name in the subject would bind
// every certificate the CA ever issues with that name, including one
// issued by mistake or to the wrong party; a fingerprint binds the one
// certificate the operator looked at, and revoking it (DELETE) takes
// effect at once without a CRL or OCSP. The price is a registration at
// each renewal, which the operator can make before the old certificate
// expires: a bank may hold CertificatesPerParticipantMax at once.

// CertificatePEMBytesMax is the largest certificate PEM a registration
// takes; a client certificate is one or two KiB.
const CertificatePEMBytesMax = 16 << 10

// tlsCipherSuitesTLS12 are the suites offered under TLS 1.2: ECDHE key
// exchange (forward secrecy) with an AEAD cipher only. No RSA key
// exchange, CBC, RC4 or 3DES. TLS 1.3's suites are all strong and not
// configurable.
var tlsCipherSuitesTLS12 = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// TLSConfig returns the configuration the server listens with: TLS 1.2 at
// least, 1.3 whenever the client has it (the highest version both sides
// have is negotiated), and under 1.2 only the suites of
// tlsCipherSuitesTLS12. With clientCAs, a client is asked for a
// certificate and one it sends must chain to them
// (tls.VerifyClientCertIfGiven): a bank with a certificate authenticates
// with it, one without with its API keys. Without clientCAs no
// certificate is asked for.
func TLSConfig(cert tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: slices.Clone(tlsCipherSuitesTLS12),
		ClientAuth:   tls.NoClientCert,
	}
	if clientCAs != nil {
		cfg.ClientCAs = clientCAs
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg
}

// LoadTLSConfig reads the server's certificate (with its chain) and key,
// both PEM, and, unless clientCAFile is empty, the PEM certificates of the
// CAs that issue the clients' certificates; it returns TLSConfig's
// configuration.
func LoadTLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load the server's certificate %s and key %s: %w", certFile, keyFile, err)
	}
	var pool *x509.CertPool
	if clientCAFile != "" {
		b, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("read the client CA: %w", err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("client CA %s holds no PEM certificate", clientCAFile)
		}
	}
	return TLSConfig(cert, pool), nil
}

// CertificateFingerprint returns the fingerprint a certificate is
// registered by: the SHA-256 of its DER, in lower-case hex (what
// `openssl x509 -noout -fingerprint -sha256` prints, without the colons).
func CertificateFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// certificateCaller returns the participant a request's client
// certificate is registered to, or nil when the request has no verified
// certificate. A certificate that is not registered, or revoked,
// authenticates nobody: the request is refused, whatever else it carries,
// since a bank that presents a certificate means it to count.
func (s *Server) certificateCaller(r *http.Request) (*payments.Participant, *Problem) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	fp := CertificateFingerprint(r.TLS.PeerCertificates[0])
	var cert payments.Certificate
	var who *payments.Participant
	found := false
	s.paymentsView(func(m *payments.Machine) {
		if cert, found = m.Certificate(fp); found && !cert.Revoked {
			if p, ok := m.Participant(cert.Participant); ok {
				cp := *p
				who = &cp
			}
		}
	})
	switch {
	case !found:
		return nil, problem(http.StatusUnauthorized, "certificate_not_registered", "",
			"the client certificate (SHA-256 %s) is registered to no participant: the operator registers it with POST /v1/participants/{id}/certificates", fp)
	case cert.Revoked:
		return nil, problem(http.StatusUnauthorized, "certificate_revoked", "", "the client certificate (SHA-256 %s) was revoked at %s", fp, cert.RevokedAt.Format(time.RFC3339))
	case who == nil:
		// Certificates are registered to participants that exist, and
		// participants are never removed.
		return nil, problem(http.StatusUnauthorized, "certificate_not_registered", "", "the client certificate's participant %s does not exist", cert.Participant)
	}
	return who, nil
}

// --- registration ---------------------------------------------------------

type certificateResponse struct {
	Fingerprint  string `json:"fingerprint"`
	Participant  string `json:"participant"`
	Subject      string `json:"subject"`
	Issuer       string `json:"issuer"`
	SerialNumber string `json:"serial_number"`
	NotBefore    string `json:"not_before"`
	NotAfter     string `json:"not_after"`
	CreatedAt    string `json:"created_at"`
	Revoked      bool   `json:"revoked"`
	RevokedAt    string `json:"revoked_at,omitempty"`
}

func certificateJSON(c *payments.Certificate) certificateResponse {
	out := certificateResponse{Fingerprint: c.Fingerprint, Participant: c.Participant, Subject: c.Subject, Issuer: c.Issuer,
		SerialNumber: c.SerialNumber, NotBefore: c.NotBefore.Format(time.RFC3339), NotAfter: c.NotAfter.Format(time.RFC3339),
		CreatedAt: c.CreatedAt.Format(time.RFC3339Nano), Revoked: c.Revoked}
	if c.Revoked {
		out.RevokedAt = c.RevokedAt.Format(time.RFC3339Nano)
	}
	return out
}

// parseClientCertificate reads the one certificate of a PEM text and
// checks that it can authenticate a client: not a CA's, not expired at
// now (one not valid yet is taken, so that a renewal can be registered
// ahead), and, if it names extended key usages, with clientAuth among
// them, as the handshake requires.
func parseClientCertificate(text string, now time.Time) (*x509.Certificate, *Problem) {
	const field = "certificate"
	if strings.TrimSpace(text) == "" {
		return nil, problem(http.StatusBadRequest, "field_required", field, "certificate is the participant's client certificate, PEM")
	}
	if len(text) > CertificatePEMBytesMax {
		return nil, problem(http.StatusBadRequest, "certificate_too_large", field, "certificate holds %d bytes; at most %d", len(text), CertificatePEMBytesMax)
	}
	block, rest := pem.Decode([]byte(text))
	switch {
	case block == nil:
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate must be PEM: -----BEGIN CERTIFICATE----- ...")
	case strings.Contains(block.Type, "PRIVATE KEY"):
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate holds a private key: send the certificate only, and keep the key with the bank")
	case block.Type != "CERTIFICATE":
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate holds a PEM %q block, not a CERTIFICATE", block.Type)
	case strings.TrimSpace(string(rest)) != "":
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate holds more than one PEM block: register the participant's own certificate alone, not its chain")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate: %v", err)
	}
	if cert.IsCA {
		return nil, problem(http.StatusBadRequest, "certificate_invalid", field, "certificate is a CA's (basic constraints CA:TRUE): register the participant's own certificate")
	}
	if !now.Before(cert.NotAfter) {
		return nil, problem(http.StatusBadRequest, "certificate_expired", field, "certificate expired at %s", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(cert.ExtKeyUsage) > 0 && !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageClientAuth) && !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return nil, problem(http.StatusBadRequest, "certificate_not_for_client_auth", field,
			"certificate's extended key usage does not include clientAuth: a TLS handshake would refuse it as a client's")
	}
	return cert, nil
}

// normalizeFingerprint takes a fingerprint as openssl prints it
// (upper-case hex separated by colons) or as Astara does.
func normalizeFingerprint(s string) (string, *Problem) {
	fp := strings.ToLower(strings.ReplaceAll(s, ":", ""))
	if b, err := hex.DecodeString(fp); err != nil || len(b) != sha256.Size {
		return "", problem(http.StatusBadRequest, "fingerprint_invalid", "fingerprint", "a fingerprint is the SHA-256 of the certificate's DER: 64 hex digits, colons allowed")
	}
	return fp, nil
}

func (s *Server) addCertificate(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		Certificate string `json:"certificate"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	cert, p := parseClientCertificate(req.Certificate, s.now())
	if p != nil {
		writeProblem(w, p)
		return
	}
	reply, p := s.submit(r.Context(), &payments.AddCertificate{Participant: r.PathValue("id"), Fingerprint: CertificateFingerprint(cert),
		Subject: cert.Subject.String(), Issuer: cert.Issuer.String(), SerialNumber: cert.SerialNumber.Text(16),
		NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC()})
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, certificateJSON(reply.(*payments.Certificate)))
}

func (s *Server) listCertificates(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	id := r.PathValue("id")
	found := false
	out := []certificateResponse{}
	s.paymentsView(func(m *payments.Machine) {
		if _, found = m.Participant(id); found {
			for _, c := range m.Certificates(id) {
				out = append(out, certificateJSON(&c))
			}
		}
	})
	if !found {
		writeProblem(w, problem(http.StatusNotFound, payments.CodeParticipantNotFound, "id", "no participant %s", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
}

func (s *Server) revokeCertificate(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	fp, p := normalizeFingerprint(r.PathValue("fingerprint"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	if _, p := s.submit(r.Context(), &payments.RevokeCertificate{Participant: r.PathValue("id"), Fingerprint: fp}); p != nil {
		writeProblem(w, p)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

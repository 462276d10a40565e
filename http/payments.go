package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"astara/calendar"
	"astara/fx"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

// Limits of the payments API.
const (
	// IdempotencyKeyLenMax is the longest Idempotency-Key header.
	IdempotencyKeyLenMax = 255
	// RemittanceInfoLenMax is the longest remittance information, as ISO
	// 20022's Ustrd.
	RemittanceInfoLenMax = payments.RemittanceLenMax
	// ParticipantNameLenMax is the longest participant name.
	ParticipantNameLenMax = 140
	// FeedBytesMax is the largest rate feed accepted for import.
	FeedBytesMax = fx.FeedBytesMax
)

var participantIDPattern = regexp.MustCompile(`^[A-Z0-9]{8}([A-Z0-9]{3})?$`)

// paymentsView calls fn with the payments machine while no entry is being
// applied, and reports whether the node runs one (false: the ledger
// alone, and fn is not called).
func (s *Server) paymentsView(fn func(m *payments.Machine)) bool {
	ok := false
	s.ledger.ViewMachine(func(mm ledger.Machine) {
		if m, isPayments := mm.(*payments.Machine); isPayments {
			ok = true
			fn(m)
		}
	})
	return ok
}

func (s *Server) registerPayments() {
	s.route("POST /v1/participants", s.admin(s.createParticipant))
	s.route("GET /v1/participants", s.admin(s.listParticipants))
	s.route("POST /v1/participants/{id}/keys", s.admin(s.addKey))
	s.route("DELETE /v1/participants/{id}/keys/{key_id}", s.admin(s.revokeKey))
	s.route("POST /v1/participants/{id}/certificates", s.admin(s.addCertificate))
	s.route("GET /v1/participants/{id}/certificates", s.admin(s.listCertificates))
	s.route("DELETE /v1/participants/{id}/certificates/{fingerprint}", s.admin(s.revokeCertificate))
	s.route("POST /v1/participants/{id}/signing-keys", s.admin(s.addSigningKey))
	s.route("GET /v1/participants/{id}/signing-keys", s.admin(s.listSigningKeys))
	s.route("DELETE /v1/participants/{id}/signing-keys/{key_id}", s.admin(s.revokeSigningKey))
	s.route("PUT /v1/participants/{id}/signature-policy", s.admin(s.setSignaturePolicy))
	s.route("POST /v1/rates", s.admin(s.setRate))
	s.route("POST /v1/rates/import", s.admin(s.importRates))
	s.route("GET /v1/rates", s.anyone(s.listRates))
	s.route("PUT /v1/corridors/{pair}", s.admin(s.putCorridor))
	s.route("GET /v1/corridors", s.anyone(s.listCorridors))
	s.route("POST /v1/quotes", s.participant(s.createQuote))
	s.route("POST /v1/payments", s.participant(s.createPayment))
	s.route("GET /v1/payments", s.anyone(s.listPayments))
	s.route("GET /v1/payments/{uetr}", s.anyone(s.getPayment))
	s.route("POST /v1/payments/{uetr}/accept", s.participant(s.acceptPayment))
	s.route("POST /v1/payments/{uetr}/reject", s.participant(s.rejectPayment))
	s.route("POST /v1/payments/{uetr}/return", s.participant(s.returnPayment))
	s.route("GET /v1/positions", s.participant(s.positions))
}

// caller is who a request comes from: the operator, or a participant.
type caller struct {
	operator    bool
	participant *payments.Participant
}

// authenticate resolves a request's credentials: a verified client
// certificate registered to a participant (tls.go), and a bearer token
// (the operator's or a participant key) or, without one, a console's
// session cookie (session.go). Every credential a request carries must be
// good, and when it carries a certificate and a token they must name the
// same participant: a request speaks for one bank.
func (s *Server) authenticate(r *http.Request) (caller, *Problem) {
	byCertificate, p := s.certificateCaller(r)
	if p != nil {
		return caller{}, p
	}
	c, p, found := s.tokenCaller(r)
	switch {
	case !found && byCertificate == nil:
		return caller{}, problem(http.StatusUnauthorized, "unauthenticated", "", "an Authorization: Bearer <token> header (or, over TLS, a registered client certificate) is required")
	case !found:
		return caller{participant: byCertificate}, nil
	case p != nil:
		return caller{}, p
	case byCertificate != nil && (c.participant == nil || c.participant.ID != byCertificate.ID):
		tokenFor := "the operator's"
		if c.participant != nil {
			tokenFor = c.participant.ID + "'s"
		}
		return caller{}, problem(http.StatusUnauthorized, "credentials_conflict", "",
			"the client certificate is %s's but the token is %s: a request's credentials must name the same participant", byCertificate.ID, tokenFor)
	}
	return c, nil
}

// tokenCaller resolves a bearer token to the operator or a participant
// key, or, without one, a console's session cookie to the token it signed
// in with (session.go); found is false when the request has neither.
// Tokens are compared as hashes, in constant time.
func (s *Server) tokenCaller(r *http.Request) (caller, *Problem, bool) {
	token, ok := bearer(r)
	if !ok {
		return s.sessionCaller(r)
	}
	got := HashToken(token)
	if subtle.ConstantTimeCompare(got[:], s.adminTokenHash[:]) == 1 {
		return caller{operator: true}, nil, true
	}
	keyID, secret, ok := splitKey(token)
	if ok {
		var c caller
		s.paymentsView(func(m *payments.Machine) {
			k, found := m.Key(keyID)
			sum := sha256.Sum256([]byte(secret))
			if found && !k.Revoked && subtle.ConstantTimeCompare(sum[:], k.Hash[:]) == 1 {
				if p, ok := m.Participant(k.Participant); ok {
					cp := *p
					c.participant = &cp
				}
			}
		})
		if c.participant != nil {
			return c, nil, true
		}
	}
	return caller{}, problem(http.StatusUnauthorized, "invalid_token", "", "the bearer token is not valid"), true
}

// API keys read "ak_<key id>_<secret>": the id finds the key, the secret
// is checked against its hash.
func newKey() (id, secret, token string) {
	var b [24]byte
	rand.Read(b[:])
	id = hex.EncodeToString(b[:8])
	secret = hex.EncodeToString(b[8:])
	return id, secret, "ak_" + id + "_" + secret
}

func splitKey(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, "ak_")
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	return id, secret, ok && len(id) == 16 && len(secret) == 32
}

func (s *Server) anyone(h func(http.ResponseWriter, *http.Request, caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, p := s.authenticate(r)
		if p != nil {
			writeProblem(w, p)
			return
		}
		// A participant's request is checked against its signature, if it
		// has one or must have one (jws.go).
		if c.participant != nil {
			if r, p = s.checkSignature(w, r, c.participant); p != nil {
				writeProblem(w, p)
				return
			}
		}
		h(w, r, c)
	}
}

func (s *Server) participant(h func(http.ResponseWriter, *http.Request, *payments.Participant)) http.HandlerFunc {
	return s.anyone(func(w http.ResponseWriter, r *http.Request, c caller) {
		if c.participant == nil {
			writeProblem(w, problem(http.StatusForbidden, "participant_only", "", "this endpoint acts for a participant: use one of its API keys or its client certificate"))
			return
		}
		h(w, r, c.participant)
	})
}

// submit journals a payments command and returns its reply.
func (s *Server) submit(ctx context.Context, cmd any) (any, *Problem) {
	reply, err := s.ledger.Submit(ctx, payments.Op(cmd), payments.EncodeCommand(cmd), cmd, 0)
	if err != nil {
		return nil, serviceProblem(err)
	}
	if r, ok := reply.(*payments.Refusal); ok {
		return nil, refusalProblem(r)
	}
	return reply, nil
}

func refusalProblem(r *payments.Refusal) *Problem {
	status := http.StatusUnprocessableEntity
	switch r.Kind {
	case payments.KindInvalid:
		status = http.StatusBadRequest
	case payments.KindNotFound:
		status = http.StatusNotFound
	case payments.KindConflict:
		status = http.StatusConflict
	}
	p := problem(status, r.Code, r.Field, "%s", r.Detail)
	p.Reason = r.Reason
	return p
}

func fieldProblem(e *payments.FieldError) *Problem {
	p := problem(http.StatusBadRequest, e.Code, e.Field, "%s", e.Detail)
	p.Reason = e.Reason
	return p
}

func (s *Server) requirePayments(w http.ResponseWriter) bool {
	if !s.paymentsView(func(*payments.Machine) {}) {
		writeProblem(w, problem(http.StatusNotFound, "payments_disabled", "", "this node runs the ledger alone"))
		return false
	}
	return true
}

// --- participants ---------------------------------------------------------

type participantRequest struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Country     string            `json:"country"`
	Currencies  []string          `json:"currencies"`
	NetDebitCap map[string]string `json:"net_debit_cap"`
	Roles       []string          `json:"roles"`
}

type accountIDs struct {
	Position   string `json:"position"`
	Settlement string `json:"settlement"`
}

type participantResponse struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Country     string                `json:"country"`
	Currencies  []string              `json:"currencies"`
	NetDebitCap map[string]string     `json:"net_debit_cap"`
	Roles       []string              `json:"roles"`
	Accounts    map[string]accountIDs `json:"accounts"`
	CreatedAt   string                `json:"created_at"`
	APIKey      string                `json:"api_key,omitempty"`
	KeyID       string                `json:"key_id,omitempty"`
	// RequireSignatures: the participant's requests that change something
	// must be signed (jws.go).
	RequireSignatures bool `json:"require_signatures"`
}

func participantJSON(p *payments.Participant) participantResponse {
	out := participantResponse{ID: p.ID, Name: p.Name, Country: p.Country, Currencies: []string{}, Roles: []string{},
		NetDebitCap: map[string]string{}, Accounts: map[string]accountIDs{}, CreatedAt: p.CreatedAt.Format(time.RFC3339Nano),
		RequireSignatures: p.RequireSignatures}
	for _, c := range p.Currencies {
		cur, _ := money.LookupCurrency(c)
		out.Currencies = append(out.Currencies, c.String())
		out.NetDebitCap[c.String()] = money.FormatAmount(p.NetDebitCap[c], cur)
		out.Accounts[c.String()] = accountIDs{Position: payments.AccountID(p.ID, c, payments.AccountPosition).String(),
			Settlement: payments.AccountID(p.ID, c, payments.AccountSettlement).String()}
	}
	for _, r := range p.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}

func (s *Server) createParticipant(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req participantRequest
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	if !participantIDPattern.MatchString(req.ID) {
		writeProblem(w, problem(http.StatusBadRequest, "participant_id_invalid", "id", "id must be a BIC: 8 or 11 upper-case letters and digits"))
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len([]rune(name)) > ParticipantNameLenMax {
		writeProblem(w, problem(http.StatusBadRequest, "participant_name_invalid", "name", "name must be 1 to %d characters", ParticipantNameLenMax))
		return
	}
	if len(req.Country) != 2 || strings.ToUpper(req.Country) != req.Country {
		writeProblem(w, problem(http.StatusBadRequest, "country_invalid", "country", "country must be an ISO 3166 alpha-2 code such as RU"))
		return
	}
	if len(req.Currencies) == 0 && !slices.Equal(req.Roles, []string{string(payments.RoleCarrier)}) {
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "currencies", "currencies must name at least one currency (only a carrier may hold none)"))
		return
	}
	cmd := &payments.CreateParticipant{ID: req.ID, Name: name, Country: req.Country, NetDebitCap: map[money.Code]money.Amount{}}
	seen := map[money.Code]bool{}
	for i, c := range req.Currencies {
		cur, p := parseCurrency(c, fp(fmt.Sprintf("currencies[%d]", i)))
		if p != nil {
			writeProblem(w, p)
			return
		}
		if seen[cur.Code] {
			writeProblem(w, problem(http.StatusBadRequest, "currency_repeated", fmt.Sprintf("currencies[%d]", i), "%s is listed twice", c))
			return
		}
		seen[cur.Code] = true
		cmd.Currencies = append(cmd.Currencies, cur.Code)
	}
	for c, v := range req.NetDebitCap {
		field := "net_debit_cap." + c
		cur, p := parseCurrency(c, fp(field))
		if p != nil {
			writeProblem(w, p)
			return
		}
		if !seen[cur.Code] {
			writeProblem(w, problem(http.StatusBadRequest, "currency_not_held", field, "%s is not one of the participant's currencies", c))
			return
		}
		a, p := parseAmount(v, cur, fp(field))
		if p != nil {
			writeProblem(w, p)
			return
		}
		cmd.NetDebitCap[cur.Code] = a
	}
	for i, role := range req.Roles {
		if payments.Role(role) != payments.RoleFXProvider && payments.Role(role) != payments.RoleCarrier {
			writeProblem(w, problem(http.StatusBadRequest, "role_unknown", fmt.Sprintf("roles[%d]", i), "%q is not a role (fx_provider, carrier)", role))
			return
		}
		cmd.Roles = append(cmd.Roles, payments.Role(role))
	}
	keyID, secret, token := newKey()
	cmd.KeyID, cmd.KeyHash = keyID, sha256.Sum256([]byte(secret))
	reply, p := s.submit(r.Context(), cmd)
	if p != nil {
		writeProblem(w, p)
		return
	}
	out := participantJSON(reply.(*payments.Participant))
	out.APIKey, out.KeyID = token, keyID
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var out []participantResponse
	s.paymentsView(func(m *payments.Machine) {
		for _, p := range m.Participants() {
			out = append(out, participantJSON(p))
		}
	})
	if out == nil {
		out = []participantResponse{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"participants": out})
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	keyID, secret, token := newKey()
	_, p := s.submit(r.Context(), &payments.AddKey{Participant: r.PathValue("id"), KeyID: keyID, KeyHash: sha256.Sum256([]byte(secret))})
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"key_id": keyID, "api_key": token})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	_, p := s.submit(r.Context(), &payments.RevokeKey{Participant: r.PathValue("id"), KeyID: r.PathValue("key_id")})
	if p != nil {
		writeProblem(w, p)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// --- rates ----------------------------------------------------------------

type rateJSON struct {
	Base     string `json:"base"`
	Quote    string `json:"quote"`
	Rate     string `json:"rate"`
	Source   string `json:"source"`
	AsOf     string `json:"as_of"`
	Received string `json:"received"`
}

func rateResponse(q fx.Quote) rateJSON {
	return rateJSON{Base: q.Base.String(), Quote: q.Quote.String(), Rate: q.Rate.String(), Source: q.Source,
		AsOf: q.AsOf.Format(time.RFC3339), Received: q.Received.Format(time.RFC3339)}
}

func (s *Server) setRate(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	var req struct {
		Base   string `json:"base"`
		Quote  string `json:"quote"`
		Rate   string `json:"rate"`
		Source string `json:"source"`
		AsOf   string `json:"as_of"`
	}
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	base, p := parseCurrency(req.Base, fp("base"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	quote, p := parseCurrency(req.Quote, fp("quote"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	rate, err := money.ParseRate(req.Rate)
	if err != nil {
		rule, _ := money.RuleOf(err)
		writeProblem(w, problem(http.StatusBadRequest, string(rule), "rate", "rate: %v", err))
		return
	}
	now := s.now()
	asOf := now
	if req.AsOf != "" {
		if asOf, err = time.Parse(time.RFC3339, req.AsOf); err != nil {
			writeProblem(w, problem(http.StatusBadRequest, "time_syntax", "as_of", "as_of must be an RFC 3339 time"))
			return
		}
	}
	if req.Source == "" {
		req.Source = "manual"
	}
	q := fx.Quote{Base: base.Code, Quote: quote.Code, Rate: rate, Source: req.Source, AsOf: asOf, Received: now}
	if err := new(fx.Book).Set(q); err != nil {
		writeProblem(w, problem(http.StatusBadRequest, "rate_invalid", "", "%v", err))
		return
	}
	if _, p := s.submit(r.Context(), &payments.SetRates{Quotes: []fx.Quote{q}}); p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, rateResponse(q))
}

func (s *Server) importRates(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, FeedBytesMax))
	if err != nil {
		writeProblem(w, problem(http.StatusRequestEntityTooLarge, "body_too_large", "", "a feed holds at most %d bytes", FeedBytesMax))
		return
	}
	var quotes []fx.Quote
	now := s.now()
	switch r.URL.Query().Get("source") {
	case "cbr":
		quotes, err = fx.ParseCBR(body, now)
	case "ecb":
		quotes, err = fx.ParseECB(body, now)
	default:
		writeProblem(w, problem(http.StatusBadRequest, "source_unknown", "source", "source must be cbr (Bank of Russia daily XML) or ecb (ECB reference XML)"))
		return
	}
	if err != nil {
		rule := fx.RuleOf(err)
		writeProblem(w, problem(http.StatusBadRequest, string(rule), "body", "%v", err))
		return
	}
	if _, p := s.submit(r.Context(), &payments.SetRates{Quotes: quotes}); p != nil {
		writeProblem(w, p)
		return
	}
	out := make([]rateJSON, len(quotes))
	for i, q := range quotes {
		out[i] = rateResponse(q)
	}
	writeJSON(w, http.StatusOK, map[string]any{"imported": len(quotes), "rates": out})
}

func (s *Server) listRates(w http.ResponseWriter, r *http.Request, _ caller) {
	if !s.requirePayments(w) {
		return
	}
	out := []rateJSON{}
	s.paymentsView(func(m *payments.Machine) {
		for _, q := range m.Rates() {
			out = append(out, rateResponse(q))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"rates": out})
}

func (s *Server) now() time.Time { return s.clock().UTC() }

// --- corridors ------------------------------------------------------------

type feeJSON struct {
	Percent string `json:"percent,omitempty"`
	Fixed   string `json:"fixed,omitempty"`
	Min     string `json:"min,omitempty"`
	Max     string `json:"max,omitempty"`
}

type limitJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type corridorRequest struct {
	Senders               *[]string `json:"senders"`
	FXProvider            *string   `json:"fx_provider"`
	RateSource            *string   `json:"rate_source"`
	RateMaxAgeSeconds     *int64    `json:"rate_max_age_seconds"`
	AllowDerived          *bool     `json:"allow_derived"`
	Via                   *[]string `json:"via"`
	Margin                *string   `json:"margin_percent"`
	Fee                   *feeJSON  `json:"fee"`
	LimitPerPayment       *string   `json:"limit_per_payment"`
	DailyLimitPerDebtor   *string   `json:"daily_limit_per_debtor"`
	QuoteTTLSeconds       *int64    `json:"quote_ttl_seconds"`
	ReservationTimeoutSec *int64    `json:"reservation_timeout_seconds"`
	SettlementDays        *int      `json:"settlement_days"`
	ThursdayIsBusinessDay *bool     `json:"thursday_is_business_day"`
}

type corridorResponse struct {
	Corridor              string                    `json:"corridor"`
	Source                string                    `json:"source"`
	Target                string                    `json:"target"`
	Senders               []string                  `json:"senders"`
	FXProvider            string                    `json:"fx_provider"`
	RateSource            string                    `json:"rate_source"`
	RateMaxAgeSeconds     int64                     `json:"rate_max_age_seconds"`
	AllowDerived          bool                      `json:"allow_derived"`
	Via                   []string                  `json:"via"`
	Margin                string                    `json:"margin_percent"`
	Fee                   feeJSON                   `json:"fee"`
	LimitPerPayment       limitJSON                 `json:"limit_per_payment"`
	DailyLimitPerDebtor   string                    `json:"daily_limit_per_debtor,omitempty"`
	QuoteTTLSeconds       int64                     `json:"quote_ttl_seconds"`
	ReservationTimeoutSec int64                     `json:"reservation_timeout_seconds,omitempty"`
	SettlementDays        int                       `json:"settlement_days"`
	ThursdayIsBusinessDay bool                      `json:"thursday_is_business_day"`
	Changes               []payments.CorridorChange `json:"changes"`
}

// Corridor limits.
const (
	// QuoteTTLSecondsMax is the longest a quote may be honoured.
	QuoteTTLSecondsMax = 24 * 3600
	// RateMaxAgeSecondsMax is the oldest a rate may be and still be used.
	RateMaxAgeSecondsMax = 7 * 24 * 3600
)

func corridorJSON(c *payments.Corridor) corridorResponse {
	sc, _ := money.LookupCurrency(c.Source)
	lc, _ := money.LookupCurrency(c.LimitPerPayment.Currency)
	out := corridorResponse{Corridor: c.Name(), Source: c.Source.String(), Target: c.Target.String(),
		Senders: append([]string{}, c.Senders...), FXProvider: c.FXProvider, RateSource: c.RateSource,
		RateMaxAgeSeconds: int64(c.RateMaxAge / time.Second), AllowDerived: c.AllowDerived, Via: []string{},
		QuoteTTLSeconds: int64(c.QuoteTTL / time.Second), SettlementDays: c.SettlementDays,
		ReservationTimeoutSec: int64(c.ReservationTimeout / time.Second),
		ThursdayIsBusinessDay: c.ThursdayIsBusinessDay, Changes: make([]payments.CorridorChange, len(c.Changes)),
		LimitPerPayment: limitJSON{Amount: money.FormatAmount(c.LimitPerPayment.Amount, lc), Currency: lc.Code.String()}}
	if !c.Margin.IsZero() {
		out.Margin = c.Margin.String()
	} else {
		out.Margin = "0"
	}
	for i, ch := range c.Changes {
		// A PUT that changed nothing records no fields: an empty list,
		// not null.
		if ch.Fields == nil {
			ch.Fields = []string{}
		}
		out.Changes[i] = ch
	}
	for _, v := range c.Via {
		out.Via = append(out.Via, v.String())
	}
	out.Fee = feeJSON{Fixed: money.FormatAmount(c.Fee.Fixed, sc), Min: money.FormatAmount(c.Fee.Min, sc)}
	if !c.Fee.Percent.IsZero() {
		out.Fee.Percent = c.Fee.Percent.String()
	} else {
		out.Fee.Percent = "0"
	}
	if !c.Fee.Max.IsZero() {
		out.Fee.Max = money.FormatAmount(c.Fee.Max, sc)
	}
	if !c.DailyLimitPerDebtor.IsZero() {
		out.DailyLimitPerDebtor = money.FormatAmount(c.DailyLimitPerDebtor, sc)
	}
	return out
}

// DefaultCorridor returns a corridor's terms before the operator changes
// any: the published service's for RUB->IRR (1%, at least 15,000 RUB,
// 20,000,000 RUB per payment, next business day), and the same terms in
// roubles for IRR->RUB (the limit then applies to the roubles received).
// Other pairs get the same shape with no minimum fee and no limit.
func DefaultCorridor(source, target money.Code) payments.Corridor {
	c := payments.Corridor{Source: source, Target: target, RateSource: "manual", RateMaxAge: 24 * time.Hour,
		QuoteTTL: 5 * time.Minute, SettlementDays: 1, ThursdayIsBusinessDay: true,
		Fee: payments.FeeSchedule{Percent: money.MustRate("1")}}
	rub, irr := money.MustCode("RUB"), money.MustCode("IRR")
	switch {
	case source == rub && target == irr:
		c.Fee.Min = money.NewAmount(15_000_00)
		c.LimitPerPayment = payments.Limit{Amount: money.NewAmount(20_000_000_00), Currency: rub}
	case source == irr && target == rub:
		c.LimitPerPayment = payments.Limit{Amount: money.NewAmount(20_000_000_00), Currency: rub}
	default:
		c.LimitPerPayment = payments.Limit{Currency: source}
	}
	return c
}

func (s *Server) putCorridor(w http.ResponseWriter, r *http.Request) {
	if !s.requirePayments(w) {
		return
	}
	srcText, tgtText, ok := strings.Cut(r.PathValue("pair"), "-")
	if !ok {
		writeProblem(w, problem(http.StatusBadRequest, "corridor_invalid", "corridor", "the corridor is SOURCE-TARGET, such as RUB-IRR"))
		return
	}
	sc, p := parseCurrency(srcText, fp("source"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	tc, p := parseCurrency(tgtText, fp("target"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	if sc.Code == tc.Code {
		writeProblem(w, problem(http.StatusBadRequest, "corridor_invalid", "corridor", "a corridor joins two different currencies"))
		return
	}
	var req corridorRequest
	if p := decodeBody(w, r, &req); p != nil {
		writeProblem(w, p)
		return
	}
	var cor payments.Corridor
	var participants map[string]*payments.Participant
	s.paymentsView(func(m *payments.Machine) {
		var ok bool
		if cor, ok = m.Corridor(sc.Code.String() + "-" + tc.Code.String()); !ok {
			cor = DefaultCorridor(sc.Code, tc.Code)
		}
		participants = map[string]*payments.Participant{}
		for _, p := range m.Participants() {
			participants[p.ID] = p
		}
	})
	fields, p := applyCorridorPatch(&cor, &req, sc, tc, participants)
	if p != nil {
		writeProblem(w, p)
		return
	}
	if cor.FXProvider == "" {
		writeProblem(w, problem(http.StatusBadRequest, "field_required", "fx_provider", "a corridor needs an FX provider: a participant with the fx_provider role holding %s and %s", sc.Code, tc.Code))
		return
	}
	reply, p := s.submit(r.Context(), &payments.PutCorridor{Corridor: cor, By: "operator", Fields: fields})
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, corridorJSON(reply.(*payments.Corridor)))
}

func applyCorridorPatch(c *payments.Corridor, req *corridorRequest, sc, tc money.Currency, parts map[string]*payments.Participant) ([]string, *Problem) {
	var fields []string
	if req.Senders != nil {
		for i, id := range *req.Senders {
			p, ok := parts[id]
			if !ok || !p.HasCurrency(sc.Code) {
				return nil, problem(http.StatusBadRequest, "participant_not_found", fmt.Sprintf("senders[%d]", i), "no participant %s holding %s", id, sc.Code)
			}
		}
		c.Senders = append([]string(nil), (*req.Senders)...)
		fields = append(fields, "senders")
	}
	if req.FXProvider != nil {
		p, ok := parts[*req.FXProvider]
		if !ok || !p.HasRole(payments.RoleFXProvider) || !p.HasCurrency(sc.Code) || !p.HasCurrency(tc.Code) {
			return nil, problem(http.StatusBadRequest, "fx_provider_invalid", "fx_provider", "%s is not a participant with the fx_provider role holding %s and %s", *req.FXProvider, sc.Code, tc.Code)
		}
		c.FXProvider = *req.FXProvider
		fields = append(fields, "fx_provider")
	}
	if req.RateSource != nil {
		if *req.RateSource == "" || len(*req.RateSource) > fx.SourceLenMax {
			return nil, problem(http.StatusBadRequest, "rate_source_invalid", "rate_source", "rate_source must be 1 to %d characters", fx.SourceLenMax)
		}
		c.RateSource = *req.RateSource
		fields = append(fields, "rate_source")
	}
	for _, d := range []struct {
		v        *int64
		name     string
		code     string
		min, max int64
		dst      *time.Duration
		what     string
	}{
		{req.RateMaxAgeSeconds, "rate_max_age_seconds", "rate_max_age_out_of_range", 1, RateMaxAgeSecondsMax, &c.RateMaxAge, ""},
		{req.QuoteTTLSeconds, "quote_ttl_seconds", "quote_ttl_out_of_range", 1, QuoteTTLSecondsMax, &c.QuoteTTL, ""},
		{req.ReservationTimeoutSec, "reservation_timeout_seconds", "reservation_timeout_out_of_range", 0, ledger.TimeoutSecondsMax, &c.ReservationTimeout, " (0: until the deadline)"},
	} {
		if d.v == nil {
			continue
		}
		if *d.v < d.min || *d.v > d.max {
			return nil, problem(http.StatusBadRequest, d.code, d.name, "%s must be %d%s to %d", d.name, d.min, d.what, d.max)
		}
		*d.dst = time.Duration(*d.v) * time.Second
		fields = append(fields, d.name)
	}
	if req.AllowDerived != nil {
		c.AllowDerived = *req.AllowDerived
		fields = append(fields, "allow_derived")
	}
	if req.Via != nil {
		c.Via = nil
		for i, v := range *req.Via {
			cur, p := parseCurrency(v, fp(fmt.Sprintf("via[%d]", i)))
			if p != nil {
				return nil, p
			}
			c.Via = append(c.Via, cur.Code)
		}
		fields = append(fields, "via")
	}
	if req.Margin != nil {
		m, err := money.ParseRate(*req.Margin)
		if *req.Margin == "0" {
			m, err = money.Rate{}, nil
		}
		if err != nil || money.MustRate("100").Cmp(m) <= 0 {
			return nil, problem(http.StatusBadRequest, "margin_invalid", "margin_percent", "margin_percent must be a decimal from 0 to below 100")
		}
		c.Margin = m
		fields = append(fields, "margin_percent")
	}
	if req.Fee != nil {
		f := payments.FeeSchedule{}
		if req.Fee.Percent != "" && req.Fee.Percent != "0" {
			pct, err := money.ParseRate(req.Fee.Percent)
			if err != nil {
				return nil, problem(http.StatusBadRequest, "fee_percent_invalid", "fee.percent", "fee.percent: %v", err)
			}
			f.Percent = pct
		}
		for _, x := range []struct {
			text  string
			field string
			dst   *money.Amount
		}{{req.Fee.Fixed, "fee.fixed", &f.Fixed}, {req.Fee.Min, "fee.min", &f.Min}, {req.Fee.Max, "fee.max", &f.Max}} {
			if x.text == "" {
				continue
			}
			a, p := parseAmount(x.text, sc, fp(x.field))
			if p != nil {
				return nil, p
			}
			*x.dst = a
		}
		if fe := f.Validate("fee"); fe != nil {
			return nil, fieldProblem(fe)
		}
		c.Fee = f
		fields = append(fields, "fee")
	}
	if req.LimitPerPayment != nil {
		lc, _ := money.LookupCurrency(c.LimitPerPayment.Currency)
		if lc.Code.IsZero() {
			lc = sc
		}
		a, p := parseAmount(*req.LimitPerPayment, lc, fp("limit_per_payment"))
		if p != nil {
			return nil, p
		}
		c.LimitPerPayment = payments.Limit{Amount: a, Currency: lc.Code}
		fields = append(fields, "limit_per_payment")
	}
	if req.DailyLimitPerDebtor != nil {
		a, p := parseAmount(*req.DailyLimitPerDebtor, sc, fp("daily_limit_per_debtor"))
		if p != nil {
			return nil, p
		}
		c.DailyLimitPerDebtor = a
		fields = append(fields, "daily_limit_per_debtor")
	}
	if req.SettlementDays != nil {
		if *req.SettlementDays < 0 || *req.SettlementDays > calendar.SettlementDaysMax {
			return nil, problem(http.StatusBadRequest, "settlement_days_out_of_range", "settlement_days", "settlement_days must be 0 to %d", calendar.SettlementDaysMax)
		}
		c.SettlementDays = *req.SettlementDays
		fields = append(fields, "settlement_days")
	}
	if req.ThursdayIsBusinessDay != nil {
		c.ThursdayIsBusinessDay = *req.ThursdayIsBusinessDay
		fields = append(fields, "thursday_is_business_day")
	}
	sort.Strings(fields)
	return fields, nil
}

func (s *Server) listCorridors(w http.ResponseWriter, r *http.Request, _ caller) {
	if !s.requirePayments(w) {
		return
	}
	out := []corridorResponse{}
	s.paymentsView(func(m *payments.Machine) {
		for _, c := range m.Corridors() {
			out = append(out, corridorJSON(&c))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"corridors": out})
}

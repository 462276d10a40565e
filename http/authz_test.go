package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	astarahttp "astara/http"
	"astara/iso20022"
	"astara/ledger"
)

// The authorization matrix: every route the server serves, sent by every
// role, with the answer each must get. The rows are checked against the
// server's own list of routes, so that a route added without a row fails
// here, naming it.
//
// The contract (API.md): the operator's token works on the operator's
// routes and reads everything; a participant's key works on the
// participant's routes and sees and acts on its own data only: another
// bank's object answers 404, never its data. A key the operator revoked
// works nowhere. The operator's token on a route that acts for a bank
// answers 403 participant_only; a participant's key on an operator's route
// answers 401, as any token the route does not take.

// authzRole is who sends a request of the matrix.
type authzRole int

const (
	asAnonymous authzRole = iota // no token at all
	asOperator                   // the operator's token
	asSender                     // VOLGRUMM: sends the fixture's payments
	asReceiver                   // CASPIRTH: receives them
	asOther                      // KAMARUMM: none of VOLGRUMM's payments is its; it has two of its own to CASPIRTH
	asFX                         // FXPRRUMM: the corridors' FX provider
	asCarrier                    // RZDCRUMM: carries the fixture's shipment
	asRevoked                    // a key of VOLGRUMM's that the operator revoked
	authzRolesCount
)

var authzRoleNames = [authzRolesCount]string{"anonymous", "operator", "sender", "receiver", "other bank", "fx provider", "carrier", "revoked key"}

func (r authzRole) String() string { return authzRoleNames[r] }

// authzRoleBanks is the participant each role acts as: none for the
// anonymous, the operator and the revoked key.
var authzRoleBanks = [authzRolesCount]string{"", "", volga, caspian, kama, fxp, railway, ""}

// authzVia is how a request carries its role: a bearer token, or the
// cookie (and, to change anything, the CSRF token) of a console session
// signed in with that token, which counts as the token on every route.
type authzVia int

const (
	viaBearer  authzVia = iota
	viaSession          // the session's cookie, and its CSRF token on a write
	// viaSessionNoCSRF is a write with the session's cookie alone, as a
	// page of another site could make the browser send: refused, 403
	// csrf_token_invalid, wherever a session counts.
	viaSessionNoCSRF
)

// authzExpect is the status each role gets, in the order of the roles:
//
//	anonymous, operator, sender, receiver, other bank, fx provider, carrier, revoked key
type authzExpect [authzRolesCount]int

// authzOperatorOnly is a route of the operator's: any other token is one
// the route does not take.
func authzOperatorOnly(status int) authzExpect {
	return authzExpect{401, status, 401, 401, 401, 401, 401, 401}
}

// authzAnyToken is a route that any valid token reads alike (a
// participant's answer may still be narrowed to its own data).
func authzAnyToken(status int) authzExpect {
	return authzExpect{401, status, status, status, status, status, status, 401}
}

// authzPublic is a route that takes no token and answers everyone alike.
func authzPublic(status int) authzExpect {
	var e authzExpect
	for i := range e {
		e[i] = status
	}
	return e
}

// authzCheck inspects an answer whose status was the one wanted: that a
// participant's answer holds its own data only, and that what the request
// did, it did for the caller.
type authzCheck func(t *testing.T, f *authzFixture, r authzRole, via authzVia, resp response)

// authzCase is a row of the matrix: one request, sent by every role.
type authzCase struct {
	route  string // "METHOD /pattern", as Server.Routes lists it
	name   string // the variant, when a route has more than one row
	path   func(f *authzFixture) string
	body   func(f *authzFixture, r authzRole) any // nil: none
	header http.Header
	want   authzExpect
	// noCSRF is what a write with a session's cookie and without its CSRF
	// token gets on a public route; on the others, a live session gets 403
	// csrf_token_invalid, the revoked key's ended one 401.
	noCSRF *authzExpect
	check  authzCheck
	// bugs names the cells that the server answers wrongly today: they run
	// as subtests named "BUG: ...", asserting the right answer.
	bugs map[authzRole]string
}

func (c *authzCase) title() string {
	if c.name == "" {
		return c.route
	}
	return c.route + " (" + c.name + ")"
}

func (c *authzCase) method() string { m, _, _ := strings.Cut(c.route, " "); return m }

// expected is the status a role gets, sent its way.
func (c *authzCase) expected(r authzRole, via authzVia) int {
	switch {
	case via != viaSessionNoCSRF:
		return c.want[r]
	case c.noCSRF != nil:
		return c.noCSRF[r]
	case r == asRevoked:
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// public reports whether a route takes no token.
func (c *authzCase) public() bool { return c.want[asAnonymous] != http.StatusUnauthorized }

func authzPath(p string) func(*authzFixture) string { return func(*authzFixture) string { return p } }

func authzBody(v any) func(*authzFixture, authzRole) any {
	return func(*authzFixture, authzRole) any { return v }
}

// authzCases is the matrix. The paths are filled from the fixture; the
// statuses are what each role must get.
func authzCases() []authzCase {
	xml := http.Header{"Content-Type": {"application/xml"}}
	reserved := func(suffix string) func(*authzFixture) string {
		return func(f *authzFixture) string { return "/v1/payments/" + f.reserved.UETR + suffix }
	}
	iso := func(kind string, pay func(f *authzFixture) paymentOut) func(*authzFixture) string {
		return func(f *authzFixture) string { return "/iso20022/" + kind + "/" + pay(f).UETR }
	}
	reservedOf := func(f *authzFixture) paymentOut { return f.reserved }
	returnedOf := func(f *authzFixture) paymentOut { return f.returned }
	// The statuses of a route about one of VOLGRUMM's payments to
	// CASPIRTH: its two banks read it; to any other bank it does not exist.
	bothBanks := authzExpect{401, 200, 200, 200, 404, 404, 404, 401}
	bothBanksOnly := authzExpect{401, 403, 200, 200, 404, 404, 404, 401}
	receiverActs := authzExpect{401, 403, 404, 200, 404, 404, 404, 401}
	return []authzCase{
		// The ledger: the operator's alone.
		{route: "POST /v1/ledger/accounts", path: authzPath("/v1/ledger/accounts"),
			body: authzBody(accountsIn{[]accountIn{{ID: uuid(9003), Currency: "RUB", Code: 1}}}), want: authzOperatorOnly(200), check: authzResultsOK},
		{route: "GET /v1/ledger/accounts", path: authzPath("/v1/ledger/accounts"), want: authzOperatorOnly(200)},
		{route: "GET /v1/ledger/accounts/{id}", path: func(f *authzFixture) string { return "/v1/ledger/accounts/" + f.historyAccount },
			want: authzOperatorOnly(200)},
		{route: "GET /v1/ledger/accounts/{id}/balances", path: func(f *authzFixture) string { return "/v1/ledger/accounts/" + f.historyAccount + "/balances" },
			want: authzOperatorOnly(200)},
		{route: "POST /v1/ledger/transfers", path: authzPath("/v1/ledger/transfers"),
			body: authzBody(transfersIn{[]transferIn{{ID: uuid(9102), DebitAccountID: uuid(9002), CreditAccountID: uuid(9001), Amount: "1.00", Currency: "RUB", Code: 1}}}),
			want: authzOperatorOnly(200), check: authzResultsOK},
		{route: "GET /v1/ledger/transfers/{id}", path: func(f *authzFixture) string { return "/v1/ledger/transfers/" + f.transferID },
			want: authzOperatorOnly(200)},
		{route: "GET /v1/ledger/totals", path: authzPath("/v1/ledger/totals"), want: authzOperatorOnly(200)},

		// Participants, keys, rates, corridors: the operator sets them up;
		// the banks read the rates and corridors.
		{route: "POST /v1/participants", path: authzPath("/v1/participants"),
			body: authzBody(participantIn{ID: "NEWBRUMM", Name: "New Bank", Country: "RU", Currencies: []string{"RUB"}}), want: authzOperatorOnly(201)},
		{route: "GET /v1/participants", path: authzPath("/v1/participants"), want: authzOperatorOnly(200)},
		{route: "POST /v1/participants/{id}/keys", path: authzPath("/v1/participants/" + volga + "/keys"), want: authzOperatorOnly(201)},
		{route: "DELETE /v1/participants/{id}/keys/{key_id}",
			path: func(f *authzFixture) string { return "/v1/participants/" + volga + "/keys/" + f.spareKeyID },
			want: authzOperatorOnly(204), check: authzSpareKeyRevoked},
		// Credentials (tls_test.go, jws_test.go): the operator's. The
		// fixture holds none, so a revocation finds nothing to revoke.
		{route: "POST /v1/participants/{id}/certificates", path: authzPath("/v1/participants/" + volga + "/certificates"),
			body: func(*authzFixture, authzRole) any { return map[string]string{"certificate": throwawayCertificatePEM()} }, want: authzOperatorOnly(201)},
		{route: "GET /v1/participants/{id}/certificates", path: authzPath("/v1/participants/" + volga + "/certificates"), want: authzOperatorOnly(200)},
		{route: "DELETE /v1/participants/{id}/certificates/{fingerprint}", path: authzPath("/v1/participants/" + volga + "/certificates/" + strings.Repeat("ab", 32)),
			want: authzOperatorOnly(404)},
		{route: "POST /v1/participants/{id}/signing-keys", path: authzPath("/v1/participants/" + volga + "/signing-keys"),
			body: func(*authzFixture, authzRole) any {
				return map[string]string{"key_id": "authz", "public_key": throwawaySigningKeyPEM()}
			},
			want: authzOperatorOnly(201)},
		{route: "GET /v1/participants/{id}/signing-keys", path: authzPath("/v1/participants/" + volga + "/signing-keys"), want: authzOperatorOnly(200)},
		{route: "DELETE /v1/participants/{id}/signing-keys/{key_id}", path: authzPath("/v1/participants/" + volga + "/signing-keys/authz"), want: authzOperatorOnly(404)},
		{route: "PUT /v1/participants/{id}/signature-policy", path: authzPath("/v1/participants/" + volga + "/signature-policy"),
			body: authzBody(map[string]bool{"require_signatures": false}), want: authzOperatorOnly(200)},
		{route: "POST /v1/rates", path: authzPath("/v1/rates"),
			body: authzBody(map[string]string{"base": "RUB", "quote": "IRR", "rate": "524.10", "source": "manual"}), want: authzOperatorOnly(201)},
		{route: "POST /v1/rates/import", path: authzPath("/v1/rates/import?source=cbr"), body: authzBody(cbrFeed("02.03.2026", "19,11")),
			header: xml, want: authzOperatorOnly(200)},
		{route: "GET /v1/rates", path: authzPath("/v1/rates"), want: authzAnyToken(200)},
		{route: "PUT /v1/corridors/{pair}", path: authzPath("/v1/corridors/RUB-IRR"), body: authzBody(map[string]any{"quote_ttl_seconds": 600}),
			want: authzOperatorOnly(200)},
		{route: "GET /v1/corridors", path: authzPath("/v1/corridors"), want: authzAnyToken(200)},

		// Quotes and payments: a bank's, for itself. CASPIRTH and the
		// carrier hold no roubles to send (422 sender_not_allowed, after
		// authorization); the FX provider does.
		{route: "POST /v1/quotes", path: authzPath("/v1/quotes"), body: authzBody(rubQuote("1000.00")),
			want: authzExpect{401, 403, 201, 422, 201, 201, 422, 401}, check: authzQuoteIsOwn},
		// No request can name its sender: the key does. A body that tries
		// is refused whole (400, an unknown field) by every bank.
		{route: "POST /v1/quotes", name: "naming another sender", path: authzPath("/v1/quotes"),
			body: authzBody(map[string]string{"sending_participant": volga, "receiving_participant": caspian, "source_currency": "RUB",
				"target_currency": "IRR", "source_amount": "1000.00"}),
			want: authzExpect{401, 403, 400, 400, 400, 400, 400, 401}},
		// A quote is its bank's: paying on VOLGRUMM's quote with another key
		// finds no quote (422 quote_not_found), as if it did not exist.
		{route: "POST /v1/payments", path: authzPath("/v1/payments"),
			body:   func(f *authzFixture, _ authzRole) any { return rubPayment(f.quote.ID) },
			header: http.Header{"Idempotency-Key": {"authz-pay"}},
			want:   authzExpect{401, 403, 201, 422, 422, 422, 422, 401}, check: authzPaymentIsSenders},
		{route: "GET /v1/payments", path: authzPath("/v1/payments"), want: authzAnyToken(200), check: authzListsOwn("")},
		{route: "GET /v1/payments/search", path: authzPath("/v1/payments/search"), want: authzAnyToken(200), check: authzListsOwn("")},
		{route: "GET /v1/payments/search", name: "of VOLGRUMM's", path: authzPath("/v1/payments/search?participant=" + volga),
			want: authzAnyToken(200), check: authzListsOwn(volga)},
		{route: "GET /v1/payments/{uetr}", path: reserved(""), want: bothBanks, check: authzIsPayment(reservedOf)},
		{route: "GET /v1/payments/{uetr}", name: "held by screening", path: func(f *authzFixture) string { return "/v1/payments/" + f.held.UETR },
			want: authzExpect{401, 200, 200, 404, 404, 404, 404, 401}, check: authzIsPayment(func(f *authzFixture) paymentOut { return f.held })},
		{route: "POST /v1/payments/{uetr}/accept", path: reserved("/accept"), want: receiverActs, check: authzNowStatus(reservedOf, "completed")},
		{route: "POST /v1/payments/{uetr}/reject", path: reserved("/reject"), body: authzBody(map[string]string{"reason": "AC04"}),
			want: receiverActs, check: authzNowStatus(reservedOf, "rejected")},
		{route: "POST /v1/payments/{uetr}/return", path: func(f *authzFixture) string { return "/v1/payments/" + f.completed.UETR + "/return" },
			body: authzBody(map[string]string{"reason": "AC04"}), want: receiverActs,
			check: authzNowStatus(func(f *authzFixture) paymentOut { return f.completed }, "returned")},
		{route: "GET /v1/positions", path: authzPath("/v1/positions"), want: authzExpect{401, 403, 200, 200, 200, 200, 200, 401}, check: authzOwnPositions},

		// The console's routes.
		{route: "GET /v1/traffic", path: authzPath("/v1/traffic"), want: authzAnyToken(200), check: authzTrafficCountsOwn},
		{route: "GET /v1/payments/{uetr}/transfers", path: reserved("/transfers"), want: authzOperatorOnly(200)},
		{route: "GET /v1/payments/{uetr}/messages", path: reserved("/messages"), want: bothBanks, check: authzMessagesAddressedToCaller},
		{route: "GET /v1/participants/positions", path: authzPath("/v1/participants/positions"), want: authzOperatorOnly(200)},
		{route: "GET /v1/calendars", path: authzPath("/v1/calendars"), want: authzAnyToken(200)},

		// Calendars: read by all, changed by the operator.
		{route: "GET /v1/calendars/value-date", path: authzPath("/v1/calendars/value-date?corridor=RUB-IRR"), want: authzAnyToken(200)},
		{route: "GET /v1/calendars/audit", path: authzPath("/v1/calendars/audit"), want: authzOperatorOnly(200)},
		{route: "GET /v1/calendars/{country}", path: authzPath("/v1/calendars/IR?from=2026-03-01&to=2026-03-10"), want: authzAnyToken(200)},
		{route: "GET /v1/calendars/{country}/ics", path: authzPath("/v1/calendars/IR/ics"), want: authzAnyToken(200)},
		{route: "POST /v1/calendars/{country}/closures", path: authzPath("/v1/calendars/IR/closures"),
			body: authzBody(closureIn{Date: "2026-04-05", Name: "Snow", Scope: "province:Tehran", Source: "governorate"}), want: authzOperatorOnly(201)},
		{route: "POST /v1/calendars/{country}/data", path: authzPath("/v1/calendars/IR/data?format=json"),
			body: func(f *authzFixture, _ authzRole) any { return f.calendarData }, want: authzOperatorOnly(201)},
		{route: "POST /v1/calendars/{country}/confirmations", path: authzPath("/v1/calendars/IR/confirmations"),
			body: authzBody(map[string]string{"date": "2026-08-03", "source": "official 1405 calendar"}), want: authzOperatorOnly(201)},

		// Settlement: a bank reads the windows of its currencies, with its
		// own position and instructions only; the operator closes and
		// settles them.
		{route: "GET /v1/settlement/windows", path: authzPath("/v1/settlement/windows"), want: authzAnyToken(200), check: authzWindowsShowOwn},
		{route: "GET /v1/settlement/windows/{id}", path: func(f *authzFixture) string { return "/v1/settlement/windows/" + f.closedWindow },
			want: authzExpect{401, 200, 200, 404, 200, 200, 404, 401}, check: authzWindowsShowOwn},
		{route: "POST /v1/settlement/windows/{id}/close", path: func(f *authzFixture) string { return "/v1/settlement/windows/" + f.openWindow + "/close" },
			want: authzOperatorOnly(200)},
		{route: "POST /v1/settlement/windows/{id}/settle", path: func(f *authzFixture) string { return "/v1/settlement/windows/" + f.closedWindow + "/settle" },
			want: authzOperatorOnly(200)},
		{route: "GET /v1/settlement/windows/{id}/instructions",
			path:   func(f *authzFixture) string { return "/v1/settlement/windows/" + f.closedWindow + "/instructions" },
			header: http.Header{"Accept": {"text/csv"}}, want: authzOperatorOnly(200)},

		// Screening: the operator's alone.
		{route: "POST /v1/lists/import", path: authzPath("/v1/lists/import?format=csv&list=AUTHZ"),
			body: authzBody("id,name,type\nA-1,Someone Listed,individual\n"), header: http.Header{"Content-Type": {"text/csv"}}, want: authzOperatorOnly(201)},
		{route: "GET /v1/lists", path: authzPath("/v1/lists"), want: authzOperatorOnly(200)},
		{route: "GET /v1/lists/{name}", path: authzPath("/v1/lists/WATCH"), want: authzOperatorOnly(200)},
		{route: "PUT /v1/lists/{name}/thresholds", path: authzPath("/v1/lists/WATCH/thresholds"),
			body: authzBody(map[string]float64{"review": 0.8, "block": 0.95}), want: authzOperatorOnly(200)},
		{route: "POST /v1/screening/search", path: authzPath("/v1/screening/search"), body: authzBody(searchIn{Name: "Mohammad Naqdi"}),
			want: authzOperatorOnly(200)},
		{route: "GET /v1/screening/reviews", path: authzPath("/v1/screening/reviews"), want: authzOperatorOnly(200)},
		{route: "POST /v1/screening/reviews/{uetr}", path: func(f *authzFixture) string { return "/v1/screening/reviews/" + f.held.UETR },
			body: authzBody(map[string]string{"decision": "approve", "comment": "authz"}), want: authzOperatorOnly(200)},
		{route: "GET /v1/screening/audit", path: authzPath("/v1/screening/audit"), want: authzOperatorOnly(200)},
		{route: "GET /v1/audit", path: authzPath("/v1/audit"), want: authzOperatorOnly(200)},

		// ISO 20022: the banks' alone. A message in another bank's name
		// (its AppHdr From) is refused: a pacs.008 with a RJCT status
		// report (200), an answer with 403 sender_mismatch. A message in
		// the caller's own name about a payment that is not its to answer
		// is answered RJCT for that payment, which stays as it was.
		{route: "POST /iso20022/pacs.008", name: "VOLGRUMM's message", path: authzPath("/iso20022/pacs.008"),
			body: func(f *authzFixture, _ authzRole) any { return f.pacs008 }, header: xml,
			want: authzExpect{401, 403, 200, 200, 200, 200, 200, 401}, check: authzPacs008MadeBySenderOnly},
		{route: "POST /iso20022/pacs.002", name: "CASPIRTH's acceptance", path: authzPath("/iso20022/pacs.002"),
			body: func(f *authzFixture, _ authzRole) any { return f.pacs002[caspian] }, header: xml,
			want: authzExpect{401, 403, 403, 200, 403, 403, 403, 401}, check: authzAnswered(reservedOf, "ACSC", "completed")},
		{route: "POST /iso20022/pacs.002", name: "an acceptance in the caller's name", path: authzPath("/iso20022/pacs.002"),
			body: func(f *authzFixture, r authzRole) any { return f.pacs002[authzBankOr(r, caspian)] }, header: xml,
			want: authzExpect{401, 403, 200, 200, 200, 200, 200, 401}, check: authzAnswered(reservedOf, "ACSC", "completed")},
		{route: "POST /iso20022/pacs.004", name: "CASPIRTH's return", path: authzPath("/iso20022/pacs.004"),
			body: func(f *authzFixture, _ authzRole) any { return f.pacs004[caspian] }, header: xml,
			want:  authzExpect{401, 403, 403, 200, 403, 403, 403, 401},
			check: authzAnswered(func(f *authzFixture) paymentOut { return f.completed }, "ACSC", "returned")},
		{route: "POST /iso20022/pacs.004", name: "a return in the caller's name", path: authzPath("/iso20022/pacs.004"),
			body: func(f *authzFixture, r authzRole) any { return f.pacs004[authzBankOr(r, caspian)] }, header: xml,
			want:  authzExpect{401, 403, 200, 200, 200, 200, 200, 401},
			check: authzAnswered(func(f *authzFixture) paymentOut { return f.completed }, "ACSC", "returned")},
		{route: "GET /iso20022/pacs.008/{uetr}", path: iso("pacs.008", reservedOf), want: authzExpect{401, 403, 404, 200, 404, 404, 404, 401}},
		{route: "GET /iso20022/pacs.002/{uetr}", path: iso("pacs.002", reservedOf), want: bothBanksOnly},
		{route: "GET /iso20022/pacs.004/{uetr}", path: iso("pacs.004", returnedOf), want: bothBanksOnly},
		{route: "GET /iso20022/camt.054/{uetr}", path: iso("camt.054", reservedOf), want: bothBanksOnly},
		// A bank's statement of its own position. A carrier holds no
		// currency, so it has no position to state: 404 account_not_found.
		// The FX provider's books its side of the payments it converted:
		// their UETRs, not their parties (mustNotLeak).
		{route: "GET /iso20022/camt.053", path: authzPath("/iso20022/camt.053?date=2026-03-02"),
			want: authzExpect{401, 403, 200, 200, 200, 200, 404, 401}, check: authzStatementOfOwn},

		// Trade: the corridor's data is for all; a shipment is its
		// carrier's and its payments' banks', each bank seeing its own
		// payments on it, the carrier their statuses only.
		{route: "GET /v1/trade/corridor", path: authzPath("/v1/trade/corridor"), want: authzAnyToken(200)},
		{route: "GET /v1/trade/routes/{id}/plan", path: authzPath("/v1/trade/routes/instc-west/plan"), want: authzAnyToken(200)},
		{route: "GET /v1/trade/compare", path: authzPath("/v1/trade/compare"), want: authzAnyToken(200)},
		{route: "GET /v1/shipments", path: authzPath("/v1/shipments"), want: authzAnyToken(200), check: authzShipmentsShowOwn},
		{route: "GET /v1/shipments/{ref}", path: func(f *authzFixture) string { return "/v1/shipments/" + f.shipment },
			want: authzExpect{401, 200, 200, 200, 200, 404, 200, 401}, check: authzShipmentsShowOwn},
		{route: "POST /v1/shipments/{ref}/milestones", path: func(f *authzFixture) string { return "/v1/shipments/" + f.shipment + "/milestones" },
			body: authzBody(map[string]string{"milestone": "loaded", "node": "nhava_sheva"}),
			want: authzExpect{401, 403, 404, 404, 404, 404, 200, 401}, check: authzShipmentsShowOwn},

		// The console's session: a sign-in takes its token from the body
		// (the anonymous sends none: 400 field_required; the revoked key
		// is refused: 401).
		{route: "GET /ui/session", path: authzPath("/ui/session"), want: authzPublic(200), check: authzSessionIsCallers},
		// A sign-in needs no CSRF token: it makes a new session, and only a
		// JSON body, which no form of another site can send, is taken.
		{route: "POST /ui/session", path: authzPath("/ui/session"),
			body: func(f *authzFixture, r authzRole) any { return map[string]string{"token": f.tokens[r]} },
			want: authzExpect{400, 201, 201, 201, 201, 201, 201, 401}, noCSRF: &authzExpect{400, 201, 201, 201, 201, 201, 201, 401},
			check: authzSignedInAsCaller},
		// A sign-out ends a live session only with its CSRF token; the
		// revoked key's session has ended already (and the anonymous has
		// none to send).
		{route: "DELETE /ui/session", path: authzPath("/ui/session"), want: authzPublic(204),
			noCSRF: &authzExpect{204, 403, 403, 403, 403, 403, 403, 204}},

		// The public routes; the test server serves no dashboard, so its
		// assets are not found, for anyone.
		{route: "GET /ui/static/{name}", path: authzPath("/ui/static/console.js"), want: authzPublic(404)},
		{route: "GET /healthz", path: authzPath("/healthz"), want: authzPublic(200)},
		{route: "GET /metrics", path: authzPath("/metrics"), want: authzPublic(200)},
		{route: "GET /openapi.json", path: authzPath("/openapi.json"), want: authzPublic(200)},
		{route: "GET /favicon.ico", path: authzPath("/favicon.ico"), want: authzPublic(204)},
		{route: "GET /", path: authzPath("/"), want: authzPublic(200)},
	}
}

// authzBankOr is the role's bank, or bank for a role that has none.
func authzBankOr(r authzRole, bank string) string {
	if b := authzRoleBanks[r]; b != "" {
		return b
	}
	return bank
}

// authzFixture is a network in which every route has something to answer
// about: payments of VOLGRUMM to CASPIRTH reserved, completed, returned,
// held by screening and paid on a shipment; KAMARUMM's own payments to
// CASPIRTH, one on the same shipment; a closed settlement window with
// instructions; a list loaded; the ledger's own accounts.
type authzFixture struct {
	*network
	tokens   [authzRolesCount]string
	sessions [authzRolesCount]*console // nil for the anonymous

	reserved, completed, returned, held, trade paymentOut // VOLGRUMM's, to CASPIRTH
	kamaPlain, kamaTrade                       paymentOut // KAMARUMM's, to CASPIRTH
	payments                                   []paymentOut
	quote                                      quoteOut // VOLGRUMM's, not yet paid on
	shipment                                   string   // the trade payments'
	spareKeyID, spareKey                       string   // a key of VOLGRUMM's the operator may revoke
	historyAccount, transferID                 string
	closedWindow, openWindow                   string // RUB, with instructions; IRR
	pacs008                                    []byte // VOLGRUMM's, of a new payment
	pacs002, pacs004                           map[string][]byte
	calendarData                               []byte
	// baseline is the state (see state) that the refused requests must
	// leave as it is.
	baseline string
}

// The payments' UETRs, fixed so that failures name them alike in every run.
const authzUETRFormat = "a0000000-0000-4000-8000-%012d"

func newAuthzFixture(tb testing.TB) *authzFixture {
	tb.Helper()
	n := tradeNetwork(tb)
	f := &authzFixture{network: n, shipment: "SHIP-AUTHZ", pacs002: map[string][]byte{}, pacs004: map[string][]byte{}}
	f.tokens[asOperator] = adminToken
	for r, bank := range authzRoleBanks {
		if bank != "" {
			f.tokens[r] = n.keys[bank]
		}
	}
	var revoked, spare keyOut
	MustJSON(tb, n.Do(tb, "POST", "/v1/participants/"+volga+"/keys", nil), http.StatusCreated, &revoked)
	MustJSON(tb, n.Do(tb, "POST", "/v1/participants/"+volga+"/keys", nil), http.StatusCreated, &spare)
	f.tokens[asRevoked], f.spareKeyID, f.spareKey = revoked.APIKey, spare.KeyID, spare.APIKey
	// Every role's console session, the revoked key's signed in while it
	// was in force.
	for r := asOperator; r < authzRolesCount; r++ {
		f.sessions[r] = MustSignIn(tb, n.testServer, f.tokens[r])
	}
	if resp := n.Do(tb, "DELETE", "/v1/participants/"+volga+"/keys/"+revoked.KeyID, nil); resp.Status != http.StatusNoContent {
		tb.Fatalf("revoke a key: got %d %s, want 204", resp.Status, resp.Body)
	}
	// The revoked key's session ends at its next use; used here, it has
	// ended before any cell, whatever the cells' order.
	var ended sessionOut
	MustJSON(tb, f.do(tb, "GET", "/ui/session", nil, nil, asRevoked, viaSession), http.StatusOK, &ended)
	if ended.SignedIn {
		tb.Fatalf("the revoked key's session: got %+v, want it ended", ended)
	}

	n.MustAccounts(tb, accountIn{ID: uuid(9001), Currency: "RUB", Code: 1, Flags: []string{"history"}}, accountIn{ID: uuid(9002), Currency: "RUB", Code: 1})
	n.MustTransfers(tb, transferIn{ID: uuid(9101), DebitAccountID: uuid(9002), CreditAccountID: uuid(9001), Amount: "1.00", Currency: "RUB", Code: 1})
	f.historyAccount, f.transferID = uuid(9001), uuid(9101)

	n.MustImport(tb, "format=csv&list=WATCH", watchList, http.StatusCreated)
	hits := n.MustSearch(tb, searchIn{Name: "Mohammad Naqdi"}).Hits
	if len(hits) == 0 {
		tb.Fatalf("search Mohammad Naqdi: got no hits, want W-2")
	}
	n.holdScore(tb, "WATCH", hits[0].Score)

	// Completed payments fill the RUB window, which is closed; the others
	// wait.
	f.completed = f.pay(tb, volga, 1, "Completed", "", false)
	n.MustAnswer(tb, caspian, f.completed.UETR, "accept", "")
	f.returned = f.pay(tb, volga, 2, "Returned", "", false)
	n.MustAnswer(tb, caspian, f.returned.UETR, "accept", "")
	n.MustAnswer(tb, caspian, f.returned.UETR, "return", "AC04")
	f.kamaPlain = f.pay(tb, kama, 3, "Kama Plain", "", false)
	n.MustAnswer(tb, caspian, f.kamaPlain.UETR, "accept", "")
	f.closedWindow = n.OpenWindow(tb, "RUB").ID
	MustJSON(tb, n.Do(tb, "POST", "/v1/settlement/windows/"+f.closedWindow+"/close", nil), http.StatusOK, &windowOut{})
	f.openWindow = n.OpenWindow(tb, "IRR").ID
	f.reserved = f.pay(tb, volga, 4, "Reserved", "", false)
	f.held = f.pay(tb, volga, 5, "Held", "Mohammad Naqdi", false)
	f.trade = f.pay(tb, volga, 6, "Trade", "", true)
	f.kamaTrade = f.pay(tb, kama, 7, "Kama Trade", "", true)
	for _, x := range []struct {
		p    *paymentOut
		want string
	}{{&f.completed, "completed"}, {&f.returned, "returned"}, {&f.kamaPlain, "completed"}, {&f.reserved, "reserved"},
		{&f.held, "held"}, {&f.trade, "reserved"}, {&f.kamaTrade, "reserved"}} {
		var got paymentOut
		if err := json.Unmarshal(f.operatorGet(tb, "/v1/payments/"+x.p.UETR), &got); err != nil || got.Status != x.want {
			tb.Fatalf("fixture payment %s: got %s (%v), want %s", x.p.UETR, got.Status, err, x.want)
		}
		*x.p = got
	}
	f.payments = []paymentOut{f.completed, f.returned, f.kamaPlain, f.reserved, f.held, f.trade, f.kamaTrade}
	f.quote = n.MustQuote(tb, volga, rubQuote("1000.00"))

	// The messages: VOLGRUMM's pacs.008 of a new payment; each bank's
	// pacs.002 accepting the reserved payment and pacs.004 returning the
	// completed one, in its own name.
	f.pacs008 = pacs008From(tb, "AUTHZ-PACS008", inboundPayment(ledger.MustParseID(fmt.Sprintf(authzUETRFormat, 99)), 5_234_000))
	completed := inboundPayment(ledger.MustParseID(f.completed.UETR), 0)
	completed.SourceAmount = mustAmount(tb, f.completed.SourceAmount, "RUB")
	completed.TargetAmount = mustAmount(tb, f.completed.TargetAmount, "IRR")
	for _, bank := range []string{volga, caspian, kama, fxp, railway} {
		h := iso20022.Header{From: bank, To: "ASTARUMM", CreDt: t0}
		b, err := iso20022.WritePacs002(h, "AUTHZ-ANS-"+bank, iso20022.StatusReport{OriginalMsgID: "AST-FORWARD", OriginalMsgNameID: iso20022.KindPacs008,
			Transactions: []iso20022.TransactionStatus{{OriginalUETR: ledger.MustParseID(f.reserved.UETR), Status: "ACSC"}}})
		if err != nil {
			tb.Fatal(err)
		}
		f.pacs002[bank] = b
		if f.pacs004[bank], err = iso20022.WritePacs004(h, "AUTHZ-RET-"+bank, completed, "AC04", t0); err != nil {
			tb.Fatal(err)
		}
	}
	data, err := os.ReadFile("../calendar/data/IR-1405.json")
	if err != nil {
		tb.Fatal(err)
	}
	f.calendarData = data
	return f
}

// pay pays 1,000.00 RUB from bank to CASPIRTH with the k-th fixed UETR,
// and a debtor and a remittance information named after the payment, so
// that an answer that holds either shows this payment's data.
func (f *authzFixture) pay(tb testing.TB, bank string, k int, name, creditor string, trade bool) paymentOut {
	tb.Helper()
	q := f.MustQuote(tb, bank, rubQuote("1000.00"))
	in := tradePaymentIn{paymentIn: rubPayment(q.ID)}
	in.UETR = fmt.Sprintf(authzUETRFormat, k)
	in.Debtor.Name = "Debtor " + name
	in.RemittanceInfo = "AUTHZ " + strings.ToUpper(name)
	if creditor != "" {
		in.Creditor.Name = creditor
	}
	if trade {
		in.Trade, in.Purpose = f.tradeTerms(f.shipment), "GDDS"
	}
	var p tradePaymentOut
	MustJSON(tb, f.Pay(tb, bank, f.Key(), in), http.StatusCreated, &p)
	return p.paymentOut
}

// do sends a request as a role, to the handler itself: a handler that
// panics is answered 500 with the panic, where a network client would get
// a broken connection.
func (f *authzFixture) do(tb testing.TB, method, path string, body any, header http.Header, r authzRole, via authzVia) (resp response) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(authzBytes(tb, body))
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	switch {
	case via != viaBearer && f.sessions[r] != nil:
		req.Header.Set("Cookie", astarahttp.SessionCookieName+"="+f.sessions[r].cookie)
		if via == viaSession && method != http.MethodGet {
			req.Header.Set(astarahttp.CSRFHeader, f.sessions[r].csrf)
		}
	case f.tokens[r] != "":
		req.Header.Set("Authorization", "Bearer "+f.tokens[r])
	}
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			resp = response{Status: http.StatusInternalServerError, Header: http.Header{}, Body: fmt.Appendf(nil, "panic: %v", v)}
		}
	}()
	f.Handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// authzBytes is a request body as sent: a string or []byte as it is,
// anything else as JSON.
func authzBytes(tb testing.TB, body any) []byte {
	tb.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	j, err := json.Marshal(body)
	if err != nil {
		tb.Fatalf("marshal body: %v", err)
	}
	return j
}

// operatorGet reads a path as the operator; it must answer 200.
func (f *authzFixture) operatorGet(tb testing.TB, path string) []byte {
	tb.Helper()
	resp := f.do(tb, "GET", path, nil, nil, asOperator, viaBearer)
	if resp.Status != http.StatusOK {
		tb.Fatalf("GET %s as the operator: got %d %s, want 200", path, resp.Status, resp.Body)
	}
	return resp.Body
}

// state is everything a refused request must leave as it was, as the
// operator reads it: the ledger, the payments with their timelines, the
// shipments, the windows, the participants and their positions, rates,
// corridors, lists, reviews, both audit logs, and whether the key the
// operator may revoke still works.
func (f *authzFixture) state(tb testing.TB) string {
	tb.Helper()
	var b bytes.Buffer
	for _, p := range []string{"/v1/ledger/totals", "/v1/payments?limit=1000", "/v1/shipments", "/v1/settlement/windows", "/v1/participants",
		"/v1/participants/positions", "/v1/rates", "/v1/corridors", "/v1/lists", "/v1/screening/reviews", "/v1/screening/audit", "/v1/calendars/audit"} {
		b.Write(f.operatorGet(tb, p))
		b.WriteByte('\n')
	}
	f.Service.View(func(e *ledger.Engine) {
		fmt.Fprintf(&b, "accounts %d transfers %d\n", e.AccountsCount(), e.TransfersCount())
	})
	spare := f.DoToken(tb, "GET", "/v1/positions", nil, f.spareKey)
	fmt.Fprintf(&b, "spare key: %d\n", spare.Status)
	return b.String()
}

// visible returns the fixture's payments a role may read through the JSON
// API: all for the operator, a bank's own (sent or received), none else.
func (f *authzFixture) visible(r authzRole, involving string) []string {
	var out []string
	for _, p := range f.payments {
		bank := authzRoleBanks[r]
		if r != asOperator && (bank == "" || (p.SendingParticipant != bank && p.ReceivingParticipant != bank)) {
			continue
		}
		// A payment held by screening is not yet the receiving bank's to
		// know of.
		if r != asOperator && p.Status == "held" && p.SendingParticipant != bank {
			continue
		}
		if involving != "" && p.SendingParticipant != involving && p.ReceivingParticipant != involving {
			continue
		}
		out = append(out, p.UETR)
	}
	sort.Strings(out)
	return out
}

// mustNotLeak requires that an answer to anyone but the operator holds
// nothing of a payment that is not the caller's: its debtor, its
// remittance information, its UETR unless the request named it (a refusal
// may repeat it). The carrier may read the UETRs of the payments on its
// shipment; nobody but the operator reads a payment's screening.
func (f *authzFixture) mustNotLeak(t *testing.T, c *authzCase, r authzRole, request []byte, resp response) {
	t.Helper()
	if r == asOperator {
		return
	}
	bank := authzRoleBanks[r]
	body := string(resp.Body)
	var leaks []string
	for _, p := range f.payments {
		if bank != "" && (p.SendingParticipant == bank || p.ReceivingParticipant == bank) {
			continue
		}
		// The FX provider's statement books its side of each payment it
		// converted, by UETR: not the parties, which the JSON API does not
		// show it either (404).
		converted := bank == fxp && p.FXProvider == fxp && c.route == "GET /iso20022/camt.053"
		secrets := []string{p.Debtor.Name, p.RemittanceInfo}
		carried := bank == railway && (p.UETR == f.trade.UETR || p.UETR == f.kamaTrade.UETR) && strings.Contains(c.route, " /v1/shipments")
		if !carried && !converted && !bytes.Contains(request, []byte(p.UETR)) {
			secrets = append(secrets, p.UETR)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				leaks = append(leaks, fmt.Sprintf("%q of payment %s (%s to %s)", s, p.UETR, p.SendingParticipant, p.ReceivingParticipant))
			}
		}
	}
	// The screening: the entry the held payment matched, by its id and
	// its listed name, and, in the API's answers (the OpenAPI document
	// describes it), the operator's field.
	for _, s := range []string{`"screening"`, "W-2", "NAQDI"} {
		if s == `"screening"` && c.route == "GET /openapi.json" {
			continue
		}
		if strings.Contains(body, s) {
			leaks = append(leaks, fmt.Sprintf("%q of the screening", s))
		}
	}
	if len(leaks) > 0 {
		t.Errorf("%s as %s: got %d showing %s; want nothing of another bank's payments, and the screening for the operator only:\n%s",
			c.title(), r, resp.Status, strings.Join(leaks, ", "), body)
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	cases := authzCases()
	shared := newAuthzFixture(t)
	shared.baseline = shared.state(t)

	t.Run("EveryRouteHasARow", func(t *testing.T) {
		routes := shared.Handler.Routes()
		rows := map[string]bool{}
		for _, c := range cases {
			rows[c.route] = true
		}
		for _, r := range routes {
			if !rows[r] {
				t.Errorf("route %s: no row in the authorization matrix; add one with the answer of every role", r)
			}
		}
		for r := range rows {
			if !slices.Contains(routes, r) {
				t.Errorf("row %s: the server serves no such route", r)
			}
		}
	})
	t.Run("EveryRowRequestsItsRoute", func(t *testing.T) {
		// A mux with the server's patterns says which one a row's request
		// reaches: a path that another pattern serves would test that one.
		mux := http.NewServeMux()
		for _, r := range shared.Handler.Routes() {
			if r == "GET /" {
				r = "GET /{$}"
			}
			mux.Handle(r, http.NotFoundHandler())
		}
		for _, c := range cases {
			path := c.path(shared)
			if strings.ContainsAny(path, "{}") {
				t.Errorf("%s: got the path %s, want every parameter filled", c.title(), path)
				continue
			}
			_, pattern := mux.Handler(httptest.NewRequest(c.method(), path, nil))
			if got := strings.TrimSuffix(pattern, "{$}"); got != c.route {
				t.Errorf("%s: %s %s reaches %q, want the row's route", c.title(), c.method(), path, got)
			}
		}
	})

	type cell struct {
		c   *authzCase
		r   authzRole
		via authzVia
	}
	for i := range cases {
		c := &cases[i]
		var bugs []cell
		t.Run(c.title(), func(t *testing.T) {
			for r := range authzRolesCount {
				for _, via := range []authzVia{viaBearer, viaSession, viaSessionNoCSRF} {
					if via != viaBearer && shared.sessions[r] == nil {
						continue
					}
					if via == viaSessionNoCSRF && (c.method() == http.MethodGet || (c.public() && c.noCSRF == nil)) {
						continue
					}
					if c.bugs[r] != "" {
						bugs = append(bugs, cell{c, r, via})
						continue
					}
					t.Run(authzCellName(r, via), func(t *testing.T) { authzRun(t, shared, c, r, via) })
				}
			}
		})
		for _, b := range bugs {
			t.Run("BUG: "+b.c.title()+" as "+authzCellName(b.r, b.via)+": "+b.c.bugs[b.r], func(t *testing.T) {
				authzRun(t, shared, b.c, b.r, b.via)
			})
		}
	}
}

func authzCellName(r authzRole, via authzVia) string {
	switch via {
	case viaSession:
		return r.String() + " via session"
	case viaSessionNoCSRF:
		return r.String() + " via session without CSRF token"
	}
	return r.String()
}

// authzRun sends one cell's request and checks its answer. A request that
// changes something when it is allowed runs on a fixture of its own, in
// parallel with the others that do; one that must be refused runs on the
// shared fixture and must leave it as it was.
func authzRun(t *testing.T, shared *authzFixture, c *authzCase, r authzRole, via authzVia) {
	want := c.expected(r, via)
	f := shared
	writes := c.method() != http.MethodGet
	path := c.path(f)
	if writes && want/100 == 2 {
		t.Parallel()
		f = newAuthzFixture(t)
		path = c.path(f)
	} else if writes {
		defer func() {
			// Even when the status was wrong. A change becomes the
			// baseline, so that it is reported by the cell that made it.
			if after := f.state(t); after != f.baseline {
				t.Errorf("%s %s as %s, refused, changed the state:\ngot  %s\nwant %s", c.method(), path, authzCellName(r, via), after, f.baseline)
				f.baseline = after
			}
		}()
	}
	var body any
	if c.body != nil {
		body = c.body(f, r)
	}
	resp := f.do(t, c.method(), path, body, c.header, r, via)
	if resp.Status != want {
		t.Fatalf("%s %s as %s: got %d %s, want %d", c.method(), path, authzCellName(r, via), resp.Status, resp.Body, want)
	}
	switch want {
	case http.StatusUnauthorized:
		code := "invalid_token"
		switch {
		case r == asAnonymous:
			code = "unauthenticated"
		case r == asRevoked && via != viaBearer && c.route != "POST /ui/session":
			code = "session_expired"
		}
		authzMustProblem(t, resp, code)
	case http.StatusForbidden:
		code := "sender_mismatch"
		switch {
		case via == viaSessionNoCSRF:
			code = "csrf_token_invalid"
		case r == asOperator:
			code = "participant_only"
		}
		authzMustProblem(t, resp, code)
	case http.StatusNotFound, http.StatusBadRequest, http.StatusUnprocessableEntity:
		if p := authzMustProblem(t, resp, ""); p.Code == "not_found" {
			t.Errorf("got the catch-all's not_found, want the route's own answer")
		}
	}
	f.mustNotLeak(t, c, r, append([]byte(path+"\n"), authzBytes(t, body)...), resp)
	if c.check != nil && want/100 == 2 {
		c.check(t, f, r, via, resp)
	}
}

// authzMustProblem requires a problem+json answer, with code unless it is
// empty, and returns it.
func authzMustProblem(t *testing.T, resp response, code string) problem {
	t.Helper()
	var p problem
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("got Content-Type %q, want application/problem+json; body %s", ct, resp.Body)
	}
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		t.Fatalf("decode the problem %s: %v", resp.Body, err)
	}
	if p.Status != resp.Status || p.Code == "" || (code != "" && p.Code != code) {
		t.Fatalf("got the problem %d %q, want %d %q", p.Status, p.Code, resp.Status, code)
	}
	return p
}

// authzDecode decodes an answer leniently: the checks read the fields
// that say whose data it is; the schemas are openapi_test's.
func authzDecode(t *testing.T, resp response, v any) {
	t.Helper()
	if err := json.Unmarshal(resp.Body, v); err != nil {
		t.Fatalf("decode %s: %v", resp.Body, err)
	}
}

// --- the checks -------------------------------------------------------------

func authzResultsOK(t *testing.T, _ *authzFixture, _ authzRole, _ authzVia, resp response) {
	var page resultsPage
	authzDecode(t, resp, &page)
	if len(page.Results) != 1 || page.Results[0].Result != "ok" {
		t.Errorf("got %+v, want one ok", page.Results)
	}
}

func authzSpareKeyRevoked(t *testing.T, f *authzFixture, _ authzRole, _ authzVia, _ response) {
	if resp := f.DoToken(t, "GET", "/v1/positions", nil, f.spareKey); resp.Status != http.StatusUnauthorized {
		t.Errorf("the revoked key: got %d, want 401", resp.Status)
	}
}

func authzQuoteIsOwn(t *testing.T, _ *authzFixture, r authzRole, _ authzVia, resp response) {
	var q quoteOut
	authzDecode(t, resp, &q)
	if q.SendingParticipant != authzRoleBanks[r] || q.ReceivingParticipant != caspian {
		t.Errorf("got a quote from %s to %s, want from %s to %s", q.SendingParticipant, q.ReceivingParticipant, authzRoleBanks[r], caspian)
	}
}

func authzPaymentIsSenders(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	var p paymentOut
	authzDecode(t, resp, &p)
	if p.SendingParticipant != authzRoleBanks[r] || p.QuoteID != f.quote.ID || p.Status != "reserved" {
		t.Errorf("got a payment %s from %s on quote %s, want reserved from %s on %s", p.Status, p.SendingParticipant, p.QuoteID, authzRoleBanks[r], f.quote.ID)
	}
}

// authzListsOwn checks a list of payments: exactly the fixture's payments
// the caller may see (and, when involving is set, that involve that bank).
func authzListsOwn(involving string) authzCheck {
	return func(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
		var page struct {
			Payments []struct {
				UETR                 string `json:"uetr"`
				SendingParticipant   string `json:"sending_participant"`
				ReceivingParticipant string `json:"receiving_participant"`
			} `json:"payments"`
		}
		authzDecode(t, resp, &page)
		var got []string
		for _, p := range page.Payments {
			got = append(got, p.UETR)
			if bank := authzRoleBanks[r]; r != asOperator && p.SendingParticipant != bank && p.ReceivingParticipant != bank {
				t.Errorf("got payment %s of %s to %s, want %s's own only", p.UETR, p.SendingParticipant, p.ReceivingParticipant, bank)
			}
		}
		sort.Strings(got)
		if want := f.visible(r, involving); !slices.Equal(got, want) {
			t.Errorf("got the payments %v, want %v", got, want)
		}
	}
}

func authzIsPayment(of func(f *authzFixture) paymentOut) authzCheck {
	return func(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
		var p paymentOut
		authzDecode(t, resp, &p)
		if want := of(f); p.UETR != want.UETR || p.Debtor.Name != want.Debtor.Name {
			t.Errorf("got payment %s of %q, want %s of %q", p.UETR, p.Debtor.Name, want.UETR, want.Debtor.Name)
		}
		// The banks' view leaves the screening out (mustNotLeak); the
		// operator's has it, so that leaving it out is seen.
		if r == asOperator && of(f).Status == "held" && !bytes.Contains(resp.Body, []byte(`"screening"`)) {
			t.Errorf("the operator's view of a held payment: got no screening, want its hits")
		}
	}
}

// authzNowStatus checks that an answer to a payment moved it to status,
// as the caller.
func authzNowStatus(of func(f *authzFixture) paymentOut, status string) authzCheck {
	return func(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
		var p paymentOut
		authzDecode(t, resp, &p)
		if p.UETR != of(f).UETR || p.Status != status || len(p.Events) == 0 || p.Events[len(p.Events)-1].By != authzRoleBanks[r] {
			t.Errorf("got payment %s %s, events %v, want %s %s by %s", p.UETR, p.Status, events(p), of(f).UETR, status, authzRoleBanks[r])
		}
	}
}

func authzOwnPositions(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	var page positionsOut
	authzDecode(t, resp, &page)
	bank := authzRoleBanks[r]
	var got []string
	for _, p := range page.Positions {
		got = append(got, p.Currency)
	}
	want := f.participants[bank].Currencies
	if page.Participant != bank || !slices.Equal(got, want) {
		t.Errorf("got %s's positions in %v, want %s's in %v", page.Participant, got, bank, want)
	}
}

func authzTrafficCountsOwn(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	var out trafficOut
	authzDecode(t, resp, &out)
	if want := len(f.visible(r, "")); out.Payments != want {
		t.Errorf("got %d payments counted, want %d: the caller's own", out.Payments, want)
	}
}

func authzMessagesAddressedToCaller(t *testing.T, _ *authzFixture, r authzRole, _ authzVia, resp response) {
	var out paymentMessagesOut
	authzDecode(t, resp, &out)
	to := map[string]bool{}
	for _, m := range out.Messages {
		to[m.Participant] = true
		if r != asOperator && m.Participant != authzRoleBanks[r] {
			t.Errorf("got the %s to %s, want the messages to %s only", m.Message, m.Participant, authzRoleBanks[r])
		}
	}
	if r == asOperator && (!to[volga] || !to[caspian]) {
		t.Errorf("the operator: got messages to %v, want to both banks", to)
	}
	if r != asOperator && !to[authzRoleBanks[r]] {
		t.Errorf("got no message to %s, want its own", authzRoleBanks[r])
	}
}

// authzWindowsShowOwn checks windows (a list, or one): a bank reads those
// of its currencies, with its own position and instructions only, and has
// its position in the closed RUB window, where every RUB bank moved money.
func authzWindowsShowOwn(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	var page windowsOut
	if bytes.HasPrefix(resp.Body, []byte(`{"windows"`)) {
		authzDecode(t, resp, &page)
	} else {
		var w windowOut
		authzDecode(t, resp, &w)
		page.Windows = []windowOut{w}
	}
	bank := authzRoleBanks[r]
	closedSeen, manyBanks := false, false
	for _, w := range page.Windows {
		manyBanks = manyBanks || len(w.Positions) > 1
		if r == asOperator {
			continue
		}
		if !slices.Contains(f.participants[bank].Currencies, w.Currency) {
			t.Errorf("got window %s in %s, want only those of %s's currencies", w.ID, w.Currency, bank)
		}
		for _, p := range w.Positions {
			if p.Participant != bank {
				t.Errorf("window %s: got the position of %s, want %s's only", w.ID, p.Participant, bank)
			}
		}
		for _, in := range w.Instructions {
			if in.Payer != bank && in.Payee != bank {
				t.Errorf("window %s: got the instruction %s from %s to %s, want %s's only", w.ID, in.ID, in.Payer, in.Payee, bank)
			}
		}
		if w.ID == f.closedWindow {
			closedSeen = true
			if len(w.Positions) != 1 {
				t.Errorf("window %s: got positions %+v, want %s's", w.ID, w.Positions, bank)
			}
		}
	}
	if r == asOperator && !manyBanks {
		t.Errorf("the operator: got no window with the positions of several banks, want every bank's")
	}
	if r != asOperator && slices.Contains(f.participants[bank].Currencies, "RUB") && !closedSeen {
		t.Errorf("got windows %+v, want %s with %s's position", page.Windows, f.closedWindow, bank)
	}
}

// authzShipmentsShowOwn checks shipments (a list, one, or a milestone's
// answer): a bank sees those that carry a payment of its own, with its own
// payments only; the carrier sees its own with their payments' statuses
// only.
func authzShipmentsShowOwn(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	type shipment struct {
		Ref      string `json:"ref"`
		Carrier  string `json:"carrier"`
		Payments []struct {
			UETR                 string          `json:"uetr"`
			Status               string          `json:"status"`
			SendingParticipant   string          `json:"sending_participant"`
			ReceivingParticipant string          `json:"receiving_participant"`
			SourceAmount         json.RawMessage `json:"source_amount"`
			Released             json.RawMessage `json:"released"`
		} `json:"payments"`
	}
	var page struct {
		Shipments []shipment `json:"shipments"`
	}
	if bytes.HasPrefix(resp.Body, []byte(`{"shipments"`)) {
		authzDecode(t, resp, &page)
	} else {
		var s shipment
		authzDecode(t, resp, &s)
		page.Shipments = []shipment{s}
	}
	bank := authzRoleBanks[r]
	var got, want []string
	for _, s := range page.Shipments {
		for _, p := range s.Payments {
			got = append(got, p.UETR)
			switch {
			case r == asCarrier:
				if p.SendingParticipant != "" || p.SourceAmount != nil || p.Released != nil || p.Status == "" {
					t.Errorf("the carrier: got payment %+v, want its status only", p)
				}
			case r != asOperator && p.SendingParticipant != bank && p.ReceivingParticipant != bank:
				t.Errorf("got payment %s of %s to %s on %s, want %s's own only", p.UETR, p.SendingParticipant, p.ReceivingParticipant, s.Ref, bank)
			}
		}
	}
	for _, p := range []paymentOut{f.trade, f.kamaTrade} {
		if r == asOperator || r == asCarrier || p.SendingParticipant == bank || p.ReceivingParticipant == bank {
			want = append(want, p.UETR)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("got the shipments' payments %v, want %v", got, want)
	}
}

// authzPacs008MadeBySenderOnly checks that VOLGRUMM's message makes its
// payment when VOLGRUMM's key sends it, and nothing with any other key.
func authzPacs008MadeBySenderOnly(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	rep, err := iso20022.ReadPacs002(resp.Body)
	if err != nil || len(rep.Transactions) != 1 {
		t.Fatalf("got %s (%v), want a pacs.002 of one transaction", resp.Body, err)
	}
	uetr := fmt.Sprintf(authzUETRFormat, 99)
	made := f.do(t, "GET", "/v1/payments/"+uetr, nil, nil, asOperator, viaBearer)
	switch tx := rep.Transactions[0]; {
	case r == asSender:
		var p paymentOut
		authzDecode(t, made, &p)
		if tx.Status != "ACCP" || p.SendingParticipant != volga {
			t.Errorf("got %s %s and the payment %d %s, want ACCP and a payment of %s", tx.Status, tx.Reason, made.Status, made.Body, volga)
		}
	case tx.Status != "RJCT" || made.Status != http.StatusNotFound:
		t.Errorf("got %s %s, and the payment %d %s, want RJCT and no payment", tx.Status, tx.AdditionalInfo, made.Status, made.Body)
	}
}

// authzAnswered checks a bank's answer to a payment: the receiving bank's
// moves it (status, ISO status txStatus); anyone else's is answered RJCT
// and leaves the payment as it was.
func authzAnswered(of func(f *authzFixture) paymentOut, txStatus, status string) authzCheck {
	return func(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
		rep, err := iso20022.ReadPacs002(resp.Body)
		if err != nil || len(rep.Transactions) != 1 {
			t.Fatalf("got %s (%v), want a pacs.002 of one transaction", resp.Body, err)
		}
		tx := rep.Transactions[0]
		p := of(f)
		var now paymentOut
		authzDecode(t, f.do(t, "GET", "/v1/payments/"+p.UETR, nil, nil, asOperator, viaBearer), &now)
		if r == asReceiver {
			if tx.Status != txStatus || now.Status != status {
				t.Errorf("got %s and the payment %s, want %s and %s", tx.Status, now.Status, txStatus, status)
			}
			return
		}
		if tx.Status != "RJCT" || now.Status != p.Status {
			t.Errorf("got %s %s and the payment %s, want RJCT and the payment still %s", tx.Status, tx.AdditionalInfo, now.Status, p.Status)
		}
	}
}

// authzStatementOfOwn checks that a bank's statement books its own
// completed payments (mustNotLeak checks it books no other's).
func authzStatementOfOwn(t *testing.T, f *authzFixture, r authzRole, _ authzVia, resp response) {
	var want []paymentOut
	for _, p := range []paymentOut{f.completed, f.returned, f.kamaPlain} {
		if bank := authzRoleBanks[r]; p.SendingParticipant == bank || p.ReceivingParticipant == bank || p.FXProvider == bank {
			want = append(want, p)
		}
	}
	for _, p := range want {
		if !bytes.Contains(resp.Body, []byte(p.UETR)) {
			t.Errorf("got a statement without payment %s, want every booked payment of %s:\n%s", p.UETR, authzRoleBanks[r], resp.Body)
		}
	}
	if len(want) == 0 {
		t.Errorf("%s has no booked payment in the fixture, want one, so that its statement is seen", r)
	}
}

// authzSessionIsCallers checks GET /ui/session: a bearer token is no
// session; a session is the caller's, but the revoked key's, which ended.
func authzSessionIsCallers(t *testing.T, _ *authzFixture, r authzRole, via authzVia, resp response) {
	var s sessionOut
	authzDecode(t, resp, &s)
	if via == viaBearer || r == asRevoked {
		if s.SignedIn {
			t.Errorf("got %+v, want no session", s)
		}
		return
	}
	authzMustBe(t, s, r)
}

func authzSignedInAsCaller(t *testing.T, _ *authzFixture, r authzRole, _ authzVia, resp response) {
	var s sessionOut
	authzDecode(t, resp, &s)
	authzMustBe(t, s, r)
}

func authzMustBe(t *testing.T, s sessionOut, r authzRole) {
	t.Helper()
	role, bank := "participant", authzRoleBanks[r]
	if r == asOperator {
		role = "operator"
	}
	if !s.SignedIn || s.Role != role || s.Participant != bank {
		t.Errorf("got the session %+v, want signed in as %s %s", s, role, bank)
	}
}

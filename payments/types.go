package payments

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"time"

	"astara/ledger"
	"astara/money"
)

// Status is where a payment stands. The words keep one meaning each: a
// payment is completed, rejected, returned or expired; its ledger
// transfers are posted or voided.
type Status string

// The statuses, as API.md names them.
const (
	StatusReceived  Status = "received"  // accepted for processing by the switch
	StatusHeld      Status = "held"      // funds reserved, held by screening for an operator's decision
	StatusReserved  Status = "reserved"  // funds reserved, waiting for the receiving bank
	StatusCompleted Status = "completed" // the receiving bank credited the beneficiary
	StatusRejected  Status = "rejected"  // refused by the receiving bank, or by screening; no money moved
	StatusReturned  Status = "returned"  // completed, then sent back (pacs.004)
	StatusExpired   Status = "expired"   // not answered before its deadline; the reservation expired
)

// transitions lists the legal moves of the lifecycle; anything else is
// refused with CodeIllegalTransition.
var transitions = map[Status][]Status{
	StatusReceived:  {StatusReserved, StatusHeld, StatusRejected},
	StatusHeld:      {StatusReserved, StatusRejected, StatusExpired},
	StatusReserved:  {StatusCompleted, StatusRejected, StatusExpired},
	StatusCompleted: {StatusReturned},
}

// reserving reports whether a payment in the status holds a reservation
// on the ledger that may still be posted or voided.
func (s Status) reserving() bool { return s == StatusReserved || s == StatusHeld }

// CanMove reports whether the lifecycle allows moving from one status to
// another.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Role is something a participant may do besides sending and receiving.
type Role string

// RoleFXProvider holds liquidity in two currencies and takes the other side
// of a corridor's conversion.
const RoleFXProvider Role = "fx_provider"

// Participant is a bank connected to the switch.
type Participant struct {
	ID          string                      `json:"id"`
	Name        string                      `json:"name"`
	Country     string                      `json:"country"`
	Currencies  []money.Code                `json:"currencies"`
	NetDebitCap map[money.Code]money.Amount `json:"net_debit_cap"`
	Roles       []Role                      `json:"roles"`
	CreatedAt   time.Time                   `json:"created_at"`
	// RequireSignatures refuses the participant's requests that change
	// something unless they are signed (credentials.go).
	RequireSignatures bool `json:"require_signatures,omitempty"`
}

// HasCurrency reports whether the participant holds the currency.
func (p *Participant) HasCurrency(c money.Code) bool {
	for _, x := range p.Currencies {
		if x == c {
			return true
		}
	}
	return false
}

// HasRole reports whether the participant has the role.
func (p *Participant) HasRole(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Account kinds of a participant, per currency. The codes are the ledger's
// chart of accounts.
const (
	// AccountPosition is the participant's position at the switch: credited
	// with what it receives, its funding and its net debit cap, debited
	// with what it sends. It may never go below zero, so the cap is the
	// most it can owe.
	AccountPosition uint16 = 1
	// AccountSettlement is the participant's money at the settlement bank;
	// funding moves from it to the position.
	AccountSettlement uint16 = 2
	// AccountCap is where the net debit cap is credited from.
	AccountCap uint16 = 3
	// AccountFeeIncome is the switch's fee income in one currency.
	AccountFeeIncome uint16 = 4
)

// Transfer codes on the ledger.
const (
	TransferCodePayment uint16 = 100 // a payment's movement from sender to receiver through the FX provider
	TransferCodeFee     uint16 = 101 // the switch's fee
	TransferCodeReturn  uint16 = 102 // a return (pacs.004)
	TransferCodeCap     uint16 = 103 // the net debit cap credited to a position

	// TransferCodeMin and TransferCodeMax bound the codes the payments
	// layer keeps for itself; operators' ledger batches may not use them.
	TransferCodeMin uint16 = 100
	TransferCodeMax uint16 = 199
)

// CodeReserved reports whether a ledger transfer code is the payments
// layer's.
func CodeReserved(code uint16) bool { return code >= TransferCodeMin && code <= TransferCodeMax }

// SwitchID names the switch itself as the owner of the fee income accounts.
const SwitchID = "SWITCH"

// AccountID derives the ledger id of an account from its owner, currency
// and kind, so that every node, every replay and the operator compute the
// same one.
func AccountID(owner string, c money.Code, kind uint16) ledger.ID {
	return derive("account", owner, c.String(), string(rune('0'+kind)))
}

func derive(parts ...string) ledger.ID {
	h := sha256.New()
	h.Write([]byte("astara/v1"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var sum [32]byte
	h.Sum(sum[:0])
	var id ledger.ID
	copy(id[:], sum[:16])
	return id
}

// legID derives the id of one of a payment's ledger transfers.
func legID(uetr ledger.ID, leg string) ledger.ID { return derive("leg", uetr.String(), leg) }

// Limit is a per-payment limit in one of the corridor's two currencies:
// RUB->IRR limits the roubles sent, IRR->RUB the roubles received (the
// equivalent at the quoted rate).
type Limit struct {
	Amount money.Amount
	// Currency is omitted when zero: the zero Limit is no limit, and a
	// zero money.Code does not marshal.
	Currency money.Code `json:",omitzero"`
}

// Corridor is a currency pair with its terms.
type Corridor struct {
	Source, Target money.Code
	// Senders may send on the corridor; empty means any participant that
	// holds the source currency.
	Senders         []string
	FXProvider      string
	RateSource      string
	RateMaxAge      time.Duration
	AllowDerived    bool
	Via             []money.Code // for derived rates, the third currencies tried in order
	Margin          money.Rate   `json:",omitzero"` // the FX provider's margin in percent; zero for none
	Fee             FeeSchedule  // in the source currency
	LimitPerPayment Limit
	// DailyLimitPerDebtor caps what one debtor account sends per day (in
	// the source currency, by the sending side's date); zero for none.
	DailyLimitPerDebtor money.Amount
	QuoteTTL            time.Duration
	// ReservationTimeout caps how long a payment's reservation waits for
	// the receiving bank; zero means until the deadline (or a day where the
	// corridor has no calendar).
	ReservationTimeout time.Duration
	SettlementDays     int
	// ThursdayIsBusinessDay counts Iran's short Thursday as a business day.
	ThursdayIsBusinessDay bool
	Changes               []CorridorChange
}

// Name returns "RUB-IRR".
func (c *Corridor) Name() string { return c.Source.String() + "-" + c.Target.String() }

// CorridorChange records who changed a corridor and when.
type CorridorChange struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Fields []string  `json:"fields"`
}

// Quote is a price the switch will honour until it expires, even if the
// rate moves.
type Quote struct {
	ID           ledger.ID
	Sender       string
	Receiver     string
	Source       money.Code
	Target       money.Code
	SourceAmount money.Amount
	TargetAmount money.Amount
	Fee          money.Amount
	Rate         money.Rate
	RateSource   string
	Derived      bool
	Via          money.Code `json:",omitzero"`
	CreatedAt    time.Time
	ExpiresAt    time.Time
	ValueDate    string
	Deadline     time.Time
	UsedBy       ledger.ID // the payment that used it
	// FXProvider is the corridor's FX provider when the quote was made: the
	// quote's rate is its price, so a payment on it goes through it even if
	// the corridor changes provider in between.
	FXProvider string `json:",omitempty"`
}

// Event is one step of a payment's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status,omitempty"`
	Event  string    `json:"event"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Payment is one transfer of money from a debtor at the sending bank to a
// creditor at the receiving bank.
type Payment struct {
	UETR         ledger.ID
	Status       Status
	Sender       string
	Receiver     string
	FXProvider   string
	QuoteID      ledger.ID
	Source       money.Code
	Target       money.Code
	SourceAmount money.Amount
	TargetAmount money.Amount
	Fee          money.Amount
	Rate         money.Rate
	RateSource   string
	Derived      bool
	Purpose      string
	Remittance   string
	// EndToEndID is the debtor's own reference, carried unaltered to the
	// creditor (ISO 20022 EndToEndId; "NOTPROVIDED" when none was given).
	EndToEndID string `json:",omitempty"`
	// InstructionID is the sending bank's reference for the instruction
	// (ISO 20022 InstrId), kept when the payment came as a pacs.008.
	InstructionID string `json:",omitempty"`
	Debtor        Party
	Creditor      Party
	ValueDate     string
	Deadline      time.Time
	CreatedAt     time.Time
	DebtorDay     string // the sending side's date at acceptance, for the daily limit
	// Reservation counts how often the reservation was made anew (when a
	// calendar change moved the deadline): its legs' ids depend on it.
	Reservation int    `json:",omitempty"`
	Reason      string // the ISO reason of a rejection or return
	SLABreached bool
	// Screening is what the parties' check against the lists found; nil
	// for a payment made before any screening.
	Screening *Screening `json:",omitempty"`
	// Trade holds a trade payment's terms and tranches; nil for others.
	Trade *Trade `json:",omitempty"`
	// Signature is the signature of the request that made the payment;
	// nil for an unsigned one.
	Signature *Signature `json:",omitempty"`
	Events    []Event
}

// clone returns a copy of the payment that shares nothing the machine may
// change later.
func (p *Payment) clone() Payment {
	cp := *p
	cp.Events = slices.Clone(p.Events)
	if p.Trade != nil {
		t := *p.Trade
		t.Tranches = slices.Clone(p.Trade.Tranches)
		cp.Trade = &t
	}
	return cp
}

// Legs returns the ledger ids of the payment's reservation: source leg,
// target leg, fee leg.
func (p *Payment) Legs() (source, target, fee ledger.ID) {
	if p.Reservation == 0 {
		return legID(p.UETR, "source"), legID(p.UETR, "target"), legID(p.UETR, "fee")
	}
	n := strconv.Itoa(p.Reservation)
	return legID(p.UETR, "source-"+n), legID(p.UETR, "target-"+n), legID(p.UETR, "fee-"+n)
}

// PostingIDs returns the ids of the ledger transfers that moved the
// payment's money as posted balances: the posts of its reservation's legs
// and, once returned, the return legs. A statement uses them to tell which
// payment an account's movement belongs to.
func (p *Payment) PostingIDs() []ledger.ID {
	src, tgt, fee := p.Legs()
	post := func(leg ledger.ID) ledger.ID {
		return derive(string(rune('0'+ledger.TransferPostPending)), leg.String())
	}
	ids := []ledger.ID{post(src), post(tgt), post(fee)}
	if p.Trade != nil {
		ids = ids[2:]
		for i := range p.Trade.Tranches {
			s, t := trancheLegs(p.UETR, i)
			ids = append(ids, post(s), post(t))
		}
	}
	if p.Status == StatusReturned {
		ids = append(ids, legID(p.UETR, "return-target"), legID(p.UETR, "return-source"))
	}
	return ids
}

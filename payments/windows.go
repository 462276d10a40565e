package payments

import (
	"fmt"
	"sort"
	"time"

	"astara/ledger"
	"astara/money"
	"astara/settlement"
)

// WindowStatus is where a settlement window stands: open (payments that
// complete are counted in it), closed (its positions are fixed and its
// instructions can be sent to the settlement bank), settled (the
// settlement bank confirmed that the money moved, and the positions were
// moved back on the ledger).
type WindowStatus string

// The window statuses, as API.md names them.
const (
	WindowOpen    WindowStatus = "open"
	WindowClosed  WindowStatus = "closed"
	WindowSettled WindowStatus = "settled"
)

// TransferCodeSettlement marks the ledger transfers that settle a window:
// a net payer's settlement account to its position, or a net receiver's
// position to its settlement account.
const TransferCodeSettlement uint16 = 104

// Window is one settlement window of one currency. Every movement of a
// payment that completes (or is returned) while the window is open is
// counted in the positions of the participants it moved between; at close
// the positions are fixed, so that what is settled is an immutable record
// and payments go on flowing into the next window.
type Window struct {
	ID        string
	Currency  money.Code
	Seq       int
	Status    WindowStatus
	OpenedAt  time.Time
	ClosedAt  time.Time `json:",omitzero"`
	SettledAt time.Time `json:",omitzero"`
	ClosedBy  string    `json:",omitempty"`
	SettledBy string    `json:",omitempty"`
	// Payments counts the payments (and returns) with a movement in the
	// window's currency.
	Payments  int
	Positions map[string]*WindowPosition
}

// WindowPosition is one participant's gross movements in a window.
type WindowPosition struct {
	Sent     money.Amount
	Received money.Amount
}

// SortedPositions returns the window's positions by participant id, the
// switch's fee income among them as SwitchID.
func (w *Window) SortedPositions() []settlement.Position {
	out := make([]settlement.Position, 0, len(w.Positions))
	for id, p := range w.Positions {
		out = append(out, settlement.Position{Participant: id, Sent: p.Sent, Received: p.Received})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Participant < out[j].Participant })
	return out
}

// WindowID names the seq-th window of a currency: "RUB-000001".
func WindowID(c money.Code, seq int) string { return fmt.Sprintf("%s-%06d", c, seq) }

// CloseWindow closes an open settlement window and opens the next one of
// its currency at the same moment.
type CloseWindow struct {
	ID string `json:"id"`
	By string `json:"by"`
}

// SettleWindow records the settlement bank's confirmation that a closed
// window's instructions were executed, and moves the positions back on the
// ledger.
type SettleWindow struct {
	ID string `json:"id"`
	By string `json:"by"`
}

// Window returns a copy of a settlement window by id.
func (m *Machine) Window(id string) (Window, bool) {
	w, ok := m.windows[id]
	if !ok {
		return Window{}, false
	}
	return copyWindow(w), true
}

// Windows returns every window in the order they were opened.
func (m *Machine) Windows() []Window {
	out := make([]Window, 0, len(m.windowOrder))
	for _, id := range m.windowOrder {
		out = append(out, copyWindow(m.windows[id]))
	}
	return out
}

// OpenWindow returns the open window of a currency.
func (m *Machine) OpenWindow(c money.Code) (Window, bool) {
	id, ok := m.openWindows[c]
	if !ok {
		return Window{}, false
	}
	return copyWindow(m.windows[id]), true
}

func copyWindow(w *Window) Window {
	cp := *w
	cp.Positions = make(map[string]*WindowPosition, len(w.Positions))
	for k, v := range w.Positions {
		p := *v
		cp.Positions[k] = &p
	}
	return cp
}

// openWindow returns the open window of a currency, opening the first one
// if there is none yet.
func (m *Machine) openWindow(c money.Code, now time.Time) *Window {
	if id, ok := m.openWindows[c]; ok {
		return m.windows[id]
	}
	m.windowSeq[c]++
	w := &Window{ID: WindowID(c, m.windowSeq[c]), Currency: c, Seq: m.windowSeq[c], Status: WindowOpen, OpenedAt: now,
		Positions: map[string]*WindowPosition{}}
	m.windows[w.ID] = w
	m.windowOrder = append(m.windowOrder, w.ID)
	m.openWindows[c] = w.ID
	return w
}

// move is one movement of a payment between two participants' positions.
type move struct {
	from, to string
	amount   money.Amount
}

// count adds a payment's movements in one currency to the open window.
func (m *Machine) count(c money.Code, now time.Time, moves ...move) {
	w := m.openWindow(c, now)
	w.Payments++
	for _, mv := range moves {
		if mv.amount.IsZero() {
			continue
		}
		from := w.position(mv.from)
		from.Sent = from.Sent.MustAdd(mv.amount)
		to := w.position(mv.to)
		to.Received = to.Received.MustAdd(mv.amount)
	}
}

func (w *Window) position(id string) *WindowPosition {
	p, ok := w.Positions[id]
	if !ok {
		p = &WindowPosition{}
		w.Positions[id] = p
	}
	return p
}

// countCompleted counts a completed payment: in the source currency the
// sender paid the FX provider and the switch's fee; in the target
// currency the FX provider paid the receiver.
func (m *Machine) countCompleted(p *Payment, now time.Time) {
	m.count(p.Source, now, move{p.Sender, p.FXProvider, p.SourceAmount}, move{p.Sender, SwitchID, p.Fee})
	m.count(p.Target, now, move{p.FXProvider, p.Receiver, p.TargetAmount})
}

// countReturned counts a return: the same movements the other way, the fee
// kept.
func (m *Machine) countReturned(p *Payment, now time.Time) {
	m.count(p.Target, now, move{p.Receiver, p.FXProvider, p.TargetAmount})
	m.count(p.Source, now, move{p.FXProvider, p.Sender, p.SourceAmount})
}

func (m *Machine) closeWindow(c *CloseWindow, now time.Time) any {
	w, ok := m.windows[c.ID]
	if !ok {
		return refuse(KindNotFound, CodeWindowNotFound, "", "id", "no settlement window %s", c.ID)
	}
	if w.Status != WindowOpen {
		return refuse(KindConflict, CodeWindowNotOpen, "", "id", "window %s is %s; only an open window can be closed", w.ID, w.Status)
	}
	w.Status, w.ClosedAt, w.ClosedBy = WindowClosed, now, c.By
	delete(m.openWindows, w.Currency)
	m.openWindow(w.Currency, now)
	return w
}

// settlementAccount is where a position settles against: a participant's
// settlement account, or for the switch's fee income the switch's own.
func settlementLeg(windowID, participant string, c money.Code, amount money.Amount, payer bool) ledger.Transfer {
	position := AccountID(participant, c, AccountPosition)
	if participant == SwitchID {
		position = AccountID(SwitchID, c, AccountFeeIncome)
	}
	account := AccountID(participant, c, AccountSettlement)
	t := ledger.Transfer{ID: derive("settle", windowID, participant), Amount: amount, Currency: c, Code: TransferCodeSettlement, Flags: ledger.TransferLinked}
	if payer {
		t.DebitAccountID, t.CreditAccountID = account, position
	} else {
		t.DebitAccountID, t.CreditAccountID = position, account
	}
	return t
}

func (m *Machine) settleWindow(c *SettleWindow, now time.Time) any {
	w, ok := m.windows[c.ID]
	if !ok {
		return refuse(KindNotFound, CodeWindowNotFound, "", "id", "no settlement window %s", c.ID)
	}
	switch w.Status {
	case WindowOpen:
		return refuse(KindConflict, CodeWindowNotClosed, "", "id", "window %s is open; close it before settling it", w.ID)
	case WindowSettled:
		return refuse(KindConflict, CodeWindowSettled, "", "id", "window %s was settled at %s", w.ID, w.SettledAt.Format(time.RFC3339))
	}
	positions := w.SortedPositions()
	if len(positions) > SettlementPositionsMax {
		return refuse(KindRefused, "window_too_large", "", "id", "window %s has %d positions; at most %d settle in one command", w.ID, len(positions), SettlementPositionsMax)
	}
	// The switch's settlement account receives its fee income; it is made
	// at the first settlement of the currency.
	sw := AccountID(SwitchID, w.Currency, AccountSettlement)
	if _, ok := m.Ledger.LookupAccount(sw); !ok {
		m.createAccounts([]ledger.Account{{ID: sw, Currency: w.Currency, Code: AccountSettlement}})
	}
	var legs []ledger.Transfer
	var who []string
	for _, p := range positions {
		n, payer := p.Net()
		if n.IsZero() {
			continue
		}
		legs = append(legs, settlementLeg(w.ID, p.Participant, w.Currency, n, payer))
		who = append(who, p.Participant)
	}
	if len(legs) > 0 {
		legs[len(legs)-1].Flags &^= ledger.TransferLinked
		if i, r := firstFailure(m.createTransfers(legs)); i >= 0 {
			cur, _ := money.LookupCurrency(w.Currency)
			if r == ledger.ResultExceedsCredits {
				return refuse(KindConflict, CodeSettlementRefused, "AM04", "",
					"%s's %s position cannot pay out the %s %s it is owed: it has reserved that money for payments since; nothing was settled, retry once they are answered",
					who[i], w.Currency, money.FormatAmount(legs[i].Amount, cur), w.Currency)
			}
			return refuse(KindConflict, CodeSettlementRefused, "", "", "the ledger refused the settlement of %s for %s: %s; nothing was settled", w.ID, who[i], r)
		}
	}
	w.Status, w.SettledAt, w.SettledBy = WindowSettled, now, c.By
	return w
}

// SettlementPositionsMax is the most positions one window settles in one
// command: each takes one ledger transfer of the command's OpSpan.
const SettlementPositionsMax = OpSpan - 8

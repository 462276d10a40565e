package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	nethttp "net/http"
	"strconv"
	"sync"
	"time"

	"astara/http"
	"astara/internal/apiclient"
	"astara/iso20022"
	"astara/ledger"
	"astara/money"
	"astara/payments"
	"astara/trade"
)

// The demo network: fictional banks, two in Russia, two in Iran, one in
// India, one in Azerbaijan, and an FX provider holding all four
// currencies. Accounts are made valid for their country's rules.
type demoBank struct {
	id, name, country, currency string
	accounts                    []string // customers' accounts
	bik                         string
}

var demoBanks = []demoBank{
	{id: "VOLGRUMM", name: "Volga Commercial Bank", country: "RU", currency: "RUB", bik: "044525225",
		accounts: []string{"40817810899910004312", "40702810200000012345", "40817810300000054321"}},
	{id: "NEVARUMM", name: "Neva Savings Bank", country: "RU", currency: "RUB", bik: "044030653",
		accounts: []string{"40817810555000001234", "40702810655000007777"}},
	{id: "CASPIRTH", name: "Caspian Bank of Tehran", country: "IR", currency: "IRR",
		accounts: []string{"IR440960000000100324200001", "IR820540102680020817909002"}},
	{id: "ZAGRIRTH", name: "Zagros Bank", country: "IR", currency: "IRR",
		accounts: []string{"IR170960000000100324200002", "IR580540105180021273113007"}},
	{id: "DECCINBB", name: "Deccan Bank", country: "IN", currency: "INR", accounts: []string{"50100123456789", "00041234567891"}},
	{id: "ABSHAZ22", name: "Absheron Bank", country: "AZ", currency: "AZN",
		accounts: []string{"AZ21NABZ00000000137010001944", "AZ87IBAZ38090019440000001944"}},
}

const demoFX = "FXPRRUMM"

// demoCarrier is the demo's railway operator on the North-South corridor.
const demoCarrier = "NSTCRUMM"

// demoWatched are names the demo's traffic now and then pays or pays
// from, as a bank's clerk would write them, that the demo's lists hold:
// some certain matches, blocked; some likely ones, held for review.
var demoWatched = map[string][]string{
	"RU": {"Лифшиц Артём Михайлович", "Дмитрий Хорошев", "Орлов Геннадий"},
	"IR": {"داریوش مهربانی", "Dariush Mehrabani", "Golestan Bazar Trading", "Iran Aircraft Manufacturing Industries"},
}

// The demo's lists: a part of OFAC's SDN list as published, and a watch
// list of fictional names in Astara's CSV format.
var (
	//go:embed demodata/sdn.csv
	demoSDN []byte
	//go:embed demodata/watchlist.csv
	demoWatchList []byte
)

var demoNames = map[string][]string{
	"RU": {"Ivan Petrov", "Мария Смирнова", "ООО «Волга Экспорт»", "АО «Северсталь Трейд»", "Alexei Volkov"},
	"IR": {"Ali Rezaei", "زهرا احمدی", "Pars Petrochemical Co.", "Kish Trading LLC", "Reza Karimi"},
	"IN": {"Priya Sharma", "Deccan Spices Pvt Ltd"},
	"AZ": {"Leyla Aliyeva", "Caspian Logistics MMC"},
}

// setUpDemo creates the network over the API and returns each bank's key.
func setUpDemo(ctx context.Context, c *apiclient.Client, admin string, out io.Writer) (map[string]string, error) {
	keys := map[string]string{}
	type created struct {
		APIKey   string `json:"api_key"`
		Accounts map[string]struct {
			Position   string `json:"position"`
			Settlement string `json:"settlement"`
		} `json:"accounts"`
	}
	var funding []map[string]any
	fund := func(p created, cur, amount string) {
		a := p.Accounts[cur]
		funding = append(funding, map[string]any{"id": ledger.NewRandomID().String(), "debit_account_id": a.Settlement,
			"credit_account_id": a.Position, "amount": amount, "currency": cur, "code": 10})
	}
	caps := map[string]string{"RUB": "500000000.00", "IRR": "0", "INR": "10000000.00", "AZN": "500000.00"}
	for _, b := range demoBanks {
		var p created
		body := map[string]any{"id": b.id, "name": b.name, "country": b.country, "currencies": []string{b.currency},
			"net_debit_cap": map[string]string{b.currency: caps[b.currency]}}
		if _, err := c.Do(ctx, "POST", "/v1/participants", admin, body, nil, &p); err != nil || p.APIKey == "" {
			return nil, fmt.Errorf("create %s: %v", b.id, err)
		}
		keys[b.id] = p.APIKey
		if b.currency == "IRR" {
			fund(p, "IRR", "50000000000000") // Iranian banks hold rials at the switch for returns and sends
		}
	}
	var fx created
	if _, err := c.Do(ctx, "POST", "/v1/participants", admin, map[string]any{"id": demoFX, "name": "Astara FX Liquidity",
		"country": "RU", "currencies": []string{"RUB", "IRR", "INR", "AZN"}, "roles": []string{"fx_provider"}}, nil, &fx); err != nil {
		return nil, fmt.Errorf("create the FX provider: %v", err)
	}
	fund(fx, "RUB", "10000000000.00")
	fund(fx, "IRR", "900000000000000")
	fund(fx, "INR", "1000000000.00")
	fund(fx, "AZN", "100000000.00")
	if _, err := c.Do(ctx, "POST", "/v1/ledger/transfers", admin, map[string]any{"transfers": funding}, nil, nil); err != nil {
		return nil, err
	}
	for _, r := range [][3]string{{"RUB", "IRR", "7286.05"}, {"RUB", "INR", "1.0812"}, {"RUB", "AZN", "0.02094"}} {
		if _, err := c.Do(ctx, "POST", "/v1/rates", admin, map[string]any{"base": r[0], "quote": r[1], "rate": r[2], "source": "manual"}, nil, nil); err != nil {
			return nil, err
		}
	}
	for _, cor := range []struct {
		pair  string
		patch map[string]any
	}{
		{"RUB-IRR", map[string]any{"fx_provider": demoFX}},
		{"IRR-RUB", map[string]any{"fx_provider": demoFX}},
		{"RUB-INR", map[string]any{"fx_provider": demoFX, "fee": map[string]string{"percent": "0.5", "min": "500.00"}}},
		// Reservations on this corridor wait a minute, so the demo shows
		// some expiring.
		{"RUB-AZN", map[string]any{"fx_provider": demoFX, "reservation_timeout_seconds": 60}},
	} {
		if _, err := c.Do(ctx, "PUT", "/v1/corridors/"+cor.pair, admin, cor.patch, nil, nil); err != nil {
			return nil, err
		}
	}
	var carrier struct {
		APIKey string `json:"api_key"`
	}
	if _, err := c.Do(ctx, "POST", "/v1/participants", admin, map[string]any{"id": demoCarrier, "name": "North-South Rail Logistics",
		"country": "RU", "currencies": []string{}, "roles": []string{"carrier"}}, nil, &carrier); err != nil {
		return nil, fmt.Errorf("create the carrier: %v", err)
	}
	keys[demoCarrier] = carrier.APIKey
	fmt.Fprintf(out, "astara demo: %d banks, an FX provider and a carrier on corridors RUB-IRR, IRR-RUB, RUB-INR, RUB-AZN\n", len(demoBanks))
	for _, l := range []struct {
		query string
		data  []byte
	}{
		{"format=ofac-csv&published=2026-12-01", demoSDN},
		{"format=csv&list=DEMO-WATCH&review=0.75&block=0.95", demoWatchList},
	} {
		var got struct {
			Name    string `json:"name"`
			Version int    `json:"version"`
			Records int    `json:"records"`
		}
		if _, err := c.DoRaw(ctx, "POST", "/v1/lists/import?"+l.query, admin, l.data, "application/octet-stream", &got); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "astara demo: list %s@%d loaded, %d records\n", got.Name, got.Version, got.Records)
	}
	return keys, nil
}

// runDemoTraffic sets up the network, then sends realistic payments until
// ctx ends: amounts spread over three orders of magnitude, a few over the
// limit, most accepted, some rejected, some returned, some left to expire.
func runDemoTraffic(ctx context.Context, base, admin string, out io.Writer) {
	c := &apiclient.Client{Base: base, HTTP: &nethttp.Client{Timeout: 30 * time.Second}}
	keys, err := setUpDemo(ctx, c, admin, out)
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(out, "astara demo: set-up failed: %v\n", err)
		}
		return
	}
	for _, b := range demoBanks {
		fmt.Fprintf(out, "astara demo: %s (%s, %s) key: %s\n", b.id, b.name, b.country, keys[b.id])
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	var wg sync.WaitGroup
	defer wg.Wait()
	// Each goroutine gets a source of its own, seeded here: a rand.Rand is
	// not safe for concurrent use.
	complianceRNG, tradeRNG := rand.New(rand.NewPCG(rng.Uint64(), 13)), rand.New(rand.NewPCG(rng.Uint64(), 17))
	wg.Add(2)
	go func() {
		defer wg.Done()
		demoCompliance(ctx, c, admin, complianceRNG, out)
	}()
	go func() {
		defer wg.Done()
		demoTrade(ctx, c, keys, tradeRNG, out)
	}()
	var mu sync.Mutex
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		mu.Lock()
		seed := rng.Uint64()
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			demoPayment(ctx, c, keys, rand.New(rand.NewPCG(seed, uint64(n))))
		}()
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func demoPayment(ctx context.Context, c *apiclient.Client, keys map[string]string, rng *rand.Rand) {
	var sender, receiver demoBank
	routes := [][2]int{{0, 2}, {0, 3}, {1, 2}, {1, 3}, {0, 2}, {1, 3}, {2, 0}, {3, 1}, {0, 4}, {1, 5}}
	rt := pick(rng, routes)
	sender, receiver = demoBanks[rt[0]], demoBanks[rt[1]]
	// Log-uniform amounts from 10,000 to 25,000,000 RUB (a few past the
	// 20,000,000 limit), or their rial equivalent.
	rub := math.Exp(math.Log(1e4) + rng.Float64()*(math.Log(2.5e7)-math.Log(1e4)))
	quote := map[string]any{"receiving_participant": receiver.id, "source_currency": sender.currency, "target_currency": receiver.currency}
	if sender.currency == "IRR" {
		quote["target_amount"] = strconv.FormatFloat(math.Floor(rub/10), 'f', 2, 64)
	} else {
		quote["source_amount"] = strconv.FormatFloat(math.Floor(rub), 'f', 2, 64)
	}
	var q struct {
		ID           string `json:"id"`
		TargetAmount string `json:"target_amount"`
	}
	if code, _ := c.Do(ctx, "POST", "/v1/quotes", keys[sender.id], quote, nil, &q); code != 201 {
		return // over the limit, or no fresh rate: refused, as a bank would see it
	}
	debtor := map[string]string{"name": pick(rng, demoNames[sender.country]), "account": pick(rng, sender.accounts)}
	if sender.bik != "" {
		debtor["bank_code"] = sender.bik
	}
	creditor := map[string]string{"name": pick(rng, demoNames[receiver.country]), "account": pick(rng, receiver.accounts)}
	// One payment in twenty-five names a party the lists hold.
	if rng.IntN(25) == 0 {
		if names := demoWatched[sender.country]; names != nil && rng.IntN(2) == 0 {
			debtor["name"] = pick(rng, names)
		} else if names := demoWatched[receiver.country]; names != nil {
			creditor["name"] = pick(rng, names)
		}
	}
	if receiver.bik != "" {
		creditor["bank_code"] = receiver.bik
	}
	if sender.currency == "RUB" && receiver.currency == "IRR" && rng.IntN(3) == 0 {
		// A third of the roubles to Iran come from the bank's payment hub
		// as ISO 20022, and are answered the same way.
		demoISOPayment(ctx, c, keys, rng, sender, receiver, q.TargetAmount, debtor, creditor)
		return
	}
	pay := map[string]any{"quote_id": q.ID, "debtor": debtor, "creditor": creditor,
		"purpose":                pick(rng, []string{"TRAD", "TRAD", "SUPP", "GDDS", "ENRG", "SALA", "OTHR"}),
		"remittance_information": fmt.Sprintf("Invoice %d", 1000+rng.IntN(9000))}
	var p struct {
		UETR string `json:"uetr"`
	}
	if code, _ := c.Do(ctx, "POST", "/v1/payments", keys[sender.id], pay, map[string]string{"Idempotency-Key": q.ID}, &p); code != 201 {
		return
	}
	// The receiving bank answers after a while.
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Duration(200+rng.IntN(3000)) * time.Millisecond):
	}
	path := "/v1/payments/" + p.UETR
	switch x := rng.IntN(100); {
	case x < 6:
		c.Do(ctx, "POST", path+"/reject", keys[receiver.id], map[string]string{"reason": pick(rng, []string{"AC01", "AC04", "AC06", "RR04"})}, nil, &struct{}{})
	case x < 10 && receiver.currency == "AZN":
		// left unanswered: the reservation expires
	default:
		if code, _ := c.Do(ctx, "POST", path+"/accept", keys[receiver.id], nil, nil, &struct{}{}); code == 200 && rng.IntN(50) == 0 {
			c.Do(ctx, "POST", path+"/return", keys[receiver.id], map[string]string{"reason": "AC04"}, nil, &struct{}{})
		}
	}
}

// demoISOPayment sends a payment as a pacs.008 for the rials a quote
// priced, and lets the receiving bank read it as a pacs.008 and answer
// with a pacs.002: accepted mostly, now and then rejected (AC01).
func demoISOPayment(ctx context.Context, c *apiclient.Client, keys map[string]string, rng *rand.Rand, sender, receiver demoBank,
	targetAmount string, debtor, creditor map[string]string) {
	target, err := money.ParseAmount(targetAmount, money.MustCurrency(receiver.currency))
	if err != nil {
		return
	}
	uetr := ledger.NewRandomID()
	p := &payments.Payment{UETR: uetr, Sender: sender.id, Receiver: receiver.id, Source: money.MustCode(sender.currency),
		Target: money.MustCode(receiver.currency), TargetAmount: target, Purpose: "TRAD", EndToEndID: fmt.Sprintf("E2E-%d", rng.IntN(1_000_000)),
		Remittance: fmt.Sprintf("Contract %d", 100+rng.IntN(900)),
		Debtor:     payments.Party{Name: debtor["name"], Account: debtor["account"], BankCode: debtor["bank_code"]},
		Creditor:   payments.Party{Name: creditor["name"], Account: creditor["account"]}}
	now := time.Now().UTC()
	msg, err := iso20022.WritePacs008(iso20022.Header{From: sender.id, To: http.SwitchBICDefault, CreDt: now}, fmt.Sprintf("%s-%d", sender.id[:4], now.UnixNano()), p, "")
	if err != nil {
		return
	}
	if _, err := postXML(ctx, c, "/iso20022/pacs.008", keys[sender.id], msg); err != nil {
		return
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Duration(200+rng.IntN(3000)) * time.Millisecond):
	}
	status, reason := "ACSC", ""
	if rng.IntN(20) == 0 {
		status, reason = "RJCT", "AC01"
	}
	answer, err := iso20022.WritePacs002(iso20022.Header{From: receiver.id, To: http.SwitchBICDefault, CreDt: time.Now().UTC()},
		fmt.Sprintf("%s-%d", receiver.id[:4], time.Now().UnixNano()), iso20022.StatusReport{OriginalMsgID: "NOTPROVIDED",
			OriginalMsgNameID: iso20022.KindPacs008, Transactions: []iso20022.TransactionStatus{{OriginalUETR: uetr, Status: status, Reason: reason}}})
	if err != nil {
		return
	}
	postXML(ctx, c, "/iso20022/pacs.002", keys[receiver.id], answer)
}

// postXML posts an ISO 20022 message and returns the answer's body.
func postXML(ctx context.Context, c *apiclient.Client, path, token string, msg []byte) ([]byte, error) {
	req, err := nethttp.NewRequestWithContext(ctx, "POST", c.Base+path, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/xml")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, iso20022.MessageBytesMax))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != nethttp.StatusOK {
		return body, fmt.Errorf("%s: %d", path, resp.StatusCode)
	}
	return body, nil
}

// demoCompliance plays the compliance officer: a held payment waits in
// the review queue for half a minute or so, where the dashboard shows it,
// then is approved (two in three: a namesake) or rejected.
func demoCompliance(ctx context.Context, c *apiclient.Client, admin string, rng *rand.Rand, out io.Writer) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var q struct {
			Reviews []struct {
				UETR     string `json:"uetr"`
				HeldAt   string `json:"held_at"`
				Creditor string `json:"creditor"`
				Debtor   string `json:"debtor"`
			} `json:"reviews"`
		}
		if _, err := c.Do(ctx, "GET", "/v1/screening/reviews", admin, nil, nil, &q); err != nil {
			continue
		}
		for _, r := range q.Reviews {
			held, err := time.Parse(time.RFC3339Nano, r.HeldAt)
			if err != nil || time.Since(held) < 30*time.Second {
				continue
			}
			decision, comment := "approve", "a namesake: other date of birth and address"
			if rng.IntN(3) == 0 {
				decision, comment = "reject", "the listed party; reported to the regulator"
			}
			if _, err := c.Do(ctx, "POST", "/v1/screening/reviews/"+r.UETR, admin, map[string]string{"decision": decision, "comment": comment}, nil, &struct{}{}); err == nil {
				fmt.Fprintf(out, "astara demo: compliance decided to %s held payment %s (%s -> %s)\n", decision, r.UETR, r.Debtor, r.Creditor)
			}
		}
	}
}

// demoTrade sends a trade payment now and then: a Russian importer pays
// an Indian exporter for goods coming up the North-South corridor, 30% on
// loading at Nhava Sheva, 20% when the train crosses the border at
// Astara, the rest on arrival in Moscow. The carrier reports each of the
// route's milestones some seconds apart, a journey of weeks played in a
// minute.
func demoTrade(ctx context.Context, c *apiclient.Client, keys map[string]string, rng *rand.Rand, out io.Writer) {
	importer, exporter := demoBanks[0], demoBanks[4]
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(15+rng.IntN(15)) * time.Second):
		}
		var q struct {
			ID string `json:"id"`
		}
		amount := fmt.Sprintf("%d.00", 500_000+rng.IntN(4_500_000))
		if _, err := c.Do(ctx, "POST", "/v1/quotes", keys[importer.id], map[string]any{"receiving_participant": exporter.id,
			"source_currency": "RUB", "target_currency": "INR", "source_amount": amount}, nil, &q); err != nil {
			continue
		}
		shipment := fmt.Sprintf("NSTC-%s-%03d", time.Now().UTC().Format("0102"), n)
		route := pick(rng, []string{"instc-west", "instc-west", "instc-caspian"})
		release := []map[string]string{{"milestone": "loaded", "percent": "30"}, {"milestone": "border_crossed", "node": "astara_az", "percent": "20"},
			{"milestone": "arrived", "node": "moscow", "percent": "50"}}
		if route == "instc-caspian" {
			release = []map[string]string{{"milestone": "loaded", "percent": "30"}, {"milestone": "arrived", "node": "moscow", "percent": "70"}}
		}
		// The carrier reports every milestone of the route, in order, at
		// its node.
		rt, _ := trade.Corridor().Route(route)
		milestones := rt.Milestones
		pay := map[string]any{"quote_id": q.ID, "purpose": pick(rng, []string{"GDDS", "TRAD", "ENRG"}),
			"debtor":                 map[string]string{"name": "ООО «Волга Импорт»", "account": importer.accounts[1], "bank_code": importer.bik},
			"creditor":               map[string]string{"name": pick(rng, []string{"Deccan Spices Pvt Ltd", "Gujarat Textiles Ltd", "Pune Auto Parts Pvt Ltd"}), "account": pick(rng, exporter.accounts)},
			"remittance_information": fmt.Sprintf("Contract RU-IN/%d", 2000+n),
			"trade": map[string]any{"contract_reference": fmt.Sprintf("RU-IN/%d", 2000+n), "invoice_reference": fmt.Sprintf("INV-%05d", rng.IntN(100000)),
				"incoterms": "CPT", "incoterms_place": "Moscow", "shipment_reference": shipment, "carrier": demoCarrier, "route": route,
				"deadline": time.Now().UTC().Add(45 * 24 * time.Hour).Format(time.RFC3339), "release": release,
				"documents": []map[string]string{{"name": "contract.pdf", "sha256": fmt.Sprintf("%064x", rng.Uint64())}}}}
		var p struct {
			UETR   string `json:"uetr"`
			Status string `json:"status"`
		}
		if _, err := c.Do(ctx, "POST", "/v1/payments", keys[importer.id], pay, map[string]string{"Idempotency-Key": q.ID}, &p); err != nil {
			continue
		}
		fmt.Fprintf(out, "astara demo: trade payment %s of %s RUB on shipment %s (%s), %s\n", p.UETR, amount, shipment, route, p.Status)
		delays := make([]time.Duration, len(milestones))
		for i := range delays {
			delays[i] = time.Duration(4+rng.IntN(8)) * time.Second
		}
		go func() {
			for i, m := range milestones {
				select {
				case <-ctx.Done():
					return
				case <-time.After(delays[i]):
				}
				c.Do(ctx, "POST", "/v1/shipments/"+shipment+"/milestones", keys[demoCarrier],
					map[string]string{"milestone": string(m.Milestone), "node": m.Node}, nil, &struct{}{})
			}
		}()
	}
}

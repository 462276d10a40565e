package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// runSettlement is `astara settlement list|show|close|settle|instructions`:
// the operator's settlement windows on a running node, over its API.
func runSettlement(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("settlement", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the node's base URL")
	token := fs.String("token", "", "the operator's token (default $ASTARA_ADMIN_TOKEN)")
	currency := fs.String("currency", "", "list: only windows of this currency")
	status := fs.String("status", "", "list: only windows in this status (open, closed, settled)")
	format := fs.String("format", "csv", "instructions: csv, or xml for pacs.009")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage:
  astara settlement [flags] list                    the windows: id, status, payments, gross, net, netting ratio
  astara settlement [flags] show ID                 one window with its positions and instructions
  astara settlement [flags] close ID                close an open window; the next one opens
  astara settlement [flags] settle ID               record that a closed window settled
  astara settlement [flags] instructions ID         the window's settlement instructions (CSV, or --format xml)

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("ASTARA_ADMIN_TOKEN")
	}
	if *token == "" {
		return usageError{"the operator's token is needed: --token or ASTARA_ADMIN_TOKEN"}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageError{"a subcommand is needed: list, show, close, settle or instructions"}
	}
	need := func(n int) error {
		if len(rest) != n {
			return usageError{fmt.Sprintf("%s takes %d argument(s)", rest[0], n-1)}
		}
		return nil
	}
	call := func(method, path, accept string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := nethttp.NewRequestWithContext(ctx, method, strings.TrimRight(*server, "/")+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+*token)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 300 {
			var p struct {
				Code, Detail string
			}
			if json.Unmarshal(body, &p) == nil && p.Code != "" {
				return nil, fmt.Errorf("%s: %s", p.Code, p.Detail)
			}
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
		}
		return body, nil
	}
	type window struct {
		ID           string `json:"id"`
		Currency     string `json:"currency"`
		Status       string `json:"status"`
		OpenedAt     string `json:"opened_at"`
		ClosedAt     string `json:"closed_at"`
		SettledAt    string `json:"settled_at"`
		Payments     int    `json:"payments"`
		Gross        string `json:"gross"`
		Net          string `json:"net"`
		NettingRatio string `json:"netting_ratio"`
		Positions    []struct {
			Participant, Sent, Received, Net string
		} `json:"positions"`
		Instructions []struct {
			ID, Payer, Payee, Amount, Currency string
		} `json:"instructions"`
	}
	printWindow := func(w window) {
		fmt.Fprintf(stdout, "%s  %s  %s  opened %s", w.ID, w.Currency, w.Status, w.OpenedAt)
		if w.ClosedAt != "" {
			fmt.Fprintf(stdout, "  closed %s", w.ClosedAt)
		}
		if w.SettledAt != "" {
			fmt.Fprintf(stdout, "  settled %s", w.SettledAt)
		}
		fmt.Fprintf(stdout, "\n%d payments, gross %s, net %s, netting ratio %s\n\n", w.Payments, w.Gross, w.Net, w.NettingRatio)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "participant\tsent\treceived\tnet\t")
		for _, p := range w.Positions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", p.Participant, p.Sent, p.Received, p.Net)
		}
		tw.Flush()
		if len(w.Instructions) > 0 {
			fmt.Fprintln(stdout)
			tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "instruction\tpayer\tpayee\tamount\t")
			for _, in := range w.Instructions {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t\n", in.ID, in.Payer, in.Payee, in.Amount, in.Currency)
			}
			tw.Flush()
		}
	}
	switch rest[0] {
	case "list":
		if err := need(1); err != nil {
			return err
		}
		q := []string{}
		if *currency != "" {
			q = append(q, "currency="+*currency)
		}
		if *status != "" {
			q = append(q, "status="+*status)
		}
		path := "/v1/settlement/windows"
		if len(q) > 0 {
			path += "?" + strings.Join(q, "&")
		}
		body, err := call("GET", path, "")
		if err != nil {
			return err
		}
		var out struct{ Windows []window }
		if err := json.Unmarshal(body, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tPAYMENTS\tGROSS\tNET\tRATIO\tOPENED\tCLOSED")
		for _, w := range out.Windows {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Status, w.Payments, w.Gross, w.Net, w.NettingRatio, w.OpenedAt, w.ClosedAt)
		}
		return tw.Flush()
	case "show", "close", "settle":
		if err := need(2); err != nil {
			return err
		}
		method, path := "GET", "/v1/settlement/windows/"+rest[1]
		if rest[0] != "show" {
			method, path = "POST", path+"/"+rest[0]
		}
		body, err := call(method, path, "")
		if err != nil {
			return err
		}
		var w window
		if err := json.Unmarshal(body, &w); err != nil {
			return err
		}
		printWindow(w)
		return nil
	case "instructions":
		if err := need(2); err != nil {
			return err
		}
		accept := "text/csv"
		switch *format {
		case "csv":
		case "xml":
			accept = "application/xml"
		default:
			return usageError{"--format is csv or xml"}
		}
		body, err := call("GET", "/v1/settlement/windows/"+rest[1]+"/instructions", accept)
		if err != nil {
			return err
		}
		_, err = stdout.Write(body)
		return err
	}
	return usageError{fmt.Sprintf("unknown subcommand %q: list, show, close, settle or instructions", rest[0])}
}

// Command astara is Astara's one binary: the server, the demo, the journal
// verifier, the benchmarks and the calendar tool. This file is wiring only:
// flags, start-up and shutdown; the work is done by the packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(code)
}

// usage is printed for `astara` with no or an unknown command.
const usage = `astara — a cross-border payment switch

Usage:
  astara serve  [--data DIR] [--listen ADDR] [--store postgres://...]
                                               run the server (default ./astara-data, 127.0.0.1:8080)
  astara demo   [--listen ADDR] [--data DIR]   a demo network with live traffic, on a throwaway store
  astara verify --data DIR [--store URL]       check the journal's chain and double entry; non-zero exit on any fault
  astara migrate-store --data DIR --store URL  copy an embedded journal into an empty PostgreSQL database, checked
  astara bench  ledger|payments|screening|soak [flags]  throughput and latency, printed as a table
  astara calendar COUNTRY YYYY-MM              a month of a country's business calendar (IR takes Solar Hijri months)
  astara settlement list|show|close|settle|instructions [ID]
                                               the settlement windows of a running node (operator)
  astara lists  import FILE | show | search NAME
                                               the sanctions and watch lists of a running node (operator)

Run 'astara COMMAND -h' for a command's flags.
`

// Run runs one command and returns the process's exit code: 0 on
// success, 1 on a failure, 2 on bad usage.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr, false)
	case "demo":
		err = runServe(ctx, args[1:], stdout, stderr, true)
	case "verify":
		err = runVerify(ctx, args[1:], stdout, stderr)
	case "migrate-store":
		err = runMigrateStore(ctx, args[1:], stdout, stderr)
	case "bench":
		err = runBench(ctx, args[1:], stdout, stderr)
	case "calendar":
		err = runCalendar(ctx, args[1:], stdout, stderr)
	case "settlement":
		err = runSettlement(ctx, args[1:], stdout, stderr)
	case "lists":
		err = runLists(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "astara: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "astara %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "astara %s: %v\n", args[0], err)
		return 1
	}
}

// usageError is a bad command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("astara "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// Package browsertest runs tests against a headless Chromium, driven over
// the DevTools protocol by chromedp.
//
// The browser comes from the machine: the path in ASTARA_CHROMIUM if set,
// else /usr/bin/chromium (Debian's package), else chromium,
// chromium-browser or google-chrome on PATH. Without one, Require skips the
// test, unless ASTARA_REQUIRE_ALL=1 asks CI to treat the skip as a failure.
//
// Every browser starts with the same short list of switches: headless, no
// sandbox (CI runs as root, and Chromium refuses the sandbox as root),
// nothing that talks to Google in the background, and no host name but
// 127.0.0.1 resolving, so that a test reaches no address but the loopback
// server it starts. chromedp talks to the browser over a pipe, not a
// debugging port, and gives it a fresh profile directory that it removes,
// with any process still using it, when the test ends.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromium names the browser to run, as a path or a name on PATH. When
// it is set, nothing else is tried: a missing browser there is reported as
// not installed rather than silently replaced by another one.
const EnvChromium = "ASTARA_CHROMIUM"

// EnvRequireAll, set to "1", turns Require's skip into a failure, so that CI
// cannot pass by skipping the browser tests.
const EnvRequireAll = "ASTARA_REQUIRE_ALL"

// Timeout bounds one browser's whole life in a test: past it, the browser
// is killed and every action still waiting fails.
const Timeout = 60 * time.Second

// skipMessage is what Require skips with when no browser is found.
const skipMessage = "Chromium not installed (install the chromium package, or set ASTARA_CHROMIUM) — skipping browser test"

// candidates are where Find looks, in order, when EnvChromium is unset.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// flags are the command-line switches browsertest starts every browser
// with; with hostResolverRules, they are the only ones it adds. chromedp
// adds --remote-debugging-pipe, a fresh --user-data-dir and about:blank;
// a distribution's launcher script (Debian's /usr/bin/chromium) may add
// its own.
var flags = []string{
	"headless",
	"no-sandbox", // CI runs as root
	"disable-gpu",
	"disable-quic",
	"no-first-run",
	"disable-background-networking",
	"disable-component-update",
	"disable-sync",
	"disable-dev-shm-usage", // /dev/shm is 64 MiB in a default container
}

// hostResolverRules makes every host name but 127.0.0.1 fail to resolve,
// without asking DNS. The switches above do not stop Chromium reaching
// Google on its own: with them alone, Chromium 156 from Debian (whose
// launcher adds --enable-remote-extensions) looks up
// content-autofill.googleapis.com for the dashboard's token form, and
// update.googleapis.com, clients2.google.com and accounts.google.com, in
// a test that never leaves the loopback interface.
const hostResolverRules = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

// ErrNotFound is returned by Find when no browser is installed where it
// looks.
var ErrNotFound = errors.New("browsertest: Chromium not found")

// Find returns the path of the browser to run: EnvChromium's if set, else
// the first of /usr/bin/chromium, chromium, chromium-browser and
// google-chrome that is an executable file. It returns an error
// wrapping ErrNotFound when there is none.
func Find() (string, error) {
	if name := os.Getenv(EnvChromium); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNotFound, EnvChromium, name, err)
		}
		return path, nil
	}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: %s is unset and none of %q is on PATH", ErrNotFound, EnvChromium, candidates)
}

// Require returns the browser's path. Without a browser it skips the test
// with a message saying what to install, or fails it when
// ASTARA_REQUIRE_ALL=1.
func Require(tb testing.TB) string {
	tb.Helper()
	path, err := Find()
	if err == nil {
		return path
	}
	if os.Getenv(EnvRequireAll) == "1" {
		tb.Fatalf("%v; %s=1 requires a browser: install the chromium package, or set %s to its path", err, EnvRequireAll, EnvChromium)
	}
	tb.Log(err)
	tb.Skip(skipMessage)
	return ""
}

// New starts a browser (calling Require first) and returns a chromedp
// context for one tab in it. The browser is gone, and its profile
// directory removed, when the test ends or Timeout passes, whichever is
// first.
func New(tb testing.TB) context.Context {
	tb.Helper()
	path := Require(tb)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path)}
	for _, f := range flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	opts = append(opts, chromedp.Flag("host-resolver-rules", hostResolverRules))
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		// Close the browser gracefully, then wait for its process to exit
		// and its profile directory to go.
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	// Start the browser now, so that a browser that cannot start fails
	// here, with its path, rather than at the test's first action.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

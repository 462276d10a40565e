package browsertest_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"astara/internal/browsertest"
)

// mustFakeBrowser writes an executable file named name in a new directory
// and returns its path. Find only looks for it; nothing runs it.
func mustFakeBrowser(tb testing.TB, name string, mode os.FileMode) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 1\n"), mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestFind(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("executable bits and /usr/bin are Unix's")
	}
	t.Run("EnvNamesAnExecutable", func(t *testing.T) {
		want := mustFakeBrowser(t, "my-chromium", 0o755)
		t.Setenv(browsertest.EnvChromium, want)
		if got, err := browsertest.Find(); got != want || err != nil {
			t.Fatalf("Find() = %q, %v; want %q", got, err, want)
		}
	})
	for name, path := range map[string]string{
		"EnvNamesAMissingPathEvenWithChromiumInstalled": "/nonexistent/chromium",
		"EnvNamesAFileThatIsNotExecutable":              mustFakeBrowser(t, "chromium", 0o644),
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(browsertest.EnvChromium, path)
			got, err := browsertest.Find()
			if !errors.Is(err, browsertest.ErrNotFound) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Find() = %q, %v; want ErrNotFound naming %s", got, err, path)
			}
		})
	}
	t.Run("UnsetTriesUsrBinChromiumThenPATHInOrder", func(t *testing.T) {
		t.Setenv(browsertest.EnvChromium, "")
		dir := t.TempDir()
		for _, name := range []string{"google-chrome", "chromium-browser"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("PATH", dir)
		want := filepath.Join(dir, "chromium-browser")
		if _, err := os.Stat("/usr/bin/chromium"); err == nil {
			want = "/usr/bin/chromium"
		}
		if got, err := browsertest.Find(); got != want || err != nil {
			t.Fatalf("Find() = %q, %v; want %q", got, err, want)
		}
	})
}

// recorder is a testing.TB that notes Require's skip or failure instead
// of acting on it. Like the real ones, Skip and Fatalf end the goroutine.
type recorder struct {
	testing.TB
	skipped, failed string
	logged          []string
}

func (r *recorder) Helper()          {}
func (r *recorder) Log(args ...any)  { r.logged = append(r.logged, fmt.Sprint(args...)) }
func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// require runs Require with a recorder, on its own goroutine because Skip
// and Fatalf end it.
func require(t *testing.T) (string, *recorder) {
	r := &recorder{TB: t}
	var path string
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = browsertest.Require(r)
	}()
	<-done
	return path, r
}

func TestRequire(t *testing.T) {
	t.Run("SkipsWithoutABrowser", func(t *testing.T) {
		t.Setenv(browsertest.EnvChromium, "/nonexistent/chromium")
		t.Setenv(browsertest.EnvRequireAll, "")
		_, r := require(t)
		const want = "Chromium not installed (install the chromium package, or set ASTARA_CHROMIUM) — skipping browser test"
		if r.skipped != want || r.failed != "" {
			t.Fatalf("skipped %q, failed %q; want skipped %q", r.skipped, r.failed, want)
		}
		if len(r.logged) != 1 || !strings.Contains(r.logged[0], "/nonexistent/chromium") {
			t.Errorf("logged %q, want why: the path that was tried", r.logged)
		}
	})
	t.Run("FailsWithoutABrowserWhenAllAreRequired", func(t *testing.T) {
		t.Setenv(browsertest.EnvChromium, "/nonexistent/chromium")
		t.Setenv(browsertest.EnvRequireAll, "1")
		_, r := require(t)
		if r.skipped != "" || !strings.Contains(r.failed, "ASTARA_REQUIRE_ALL=1 requires a browser") {
			t.Fatalf("skipped %q, failed %q; want a failure saying ASTARA_REQUIRE_ALL=1 requires a browser", r.skipped, r.failed)
		}
	})
	t.Run("ReturnsThePathOfABrowser", func(t *testing.T) {
		want := mustFakeBrowser(t, "chromium", 0o755)
		t.Setenv(browsertest.EnvChromium, want)
		t.Setenv(browsertest.EnvRequireAll, "1")
		if got, r := require(t); got != want || r.skipped != "" || r.failed != "" {
			t.Fatalf("Require = %q (skipped %q, failed %q), want %q", got, r.skipped, r.failed, want)
		}
	})
}

// wantFlags are the switches every test browser must start with.
var wantFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
	"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"}

func TestNewStartsAHeadlessBrowserThatGoesAwayAfterTheTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>browsertest</title><p id="p">served on loopback</p>`)
	}))
	defer srv.Close()
	var pid int
	var profileDir string
	ran := t.Run("Browse", func(t *testing.T) {
		ctx := browsertest.New(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
			t.Fatalf("navigate to %s: %v", srv.URL, err)
		}
		if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("p"))); got != "served on loopback" || err != nil {
			t.Fatalf("#p reads %q, %v; want served on loopback", got, err)
		}
		// A name that resolves everywhere, even offline, must not resolve
		// in the browser: only 127.0.0.1 is reachable.
		port := srv.Listener.Addr().(*net.TCPAddr).Port
		err := chromedp.Do(ctx, chromedp.Navigate("http://localhost:"+strconv.Itoa(port)+"/"))
		if err == nil || !strings.Contains(err.Error(), "ERR_NAME_NOT_RESOLVED") {
			t.Errorf("navigate to localhost: %v, want ERR_NAME_NOT_RESOLVED", err)
		}
		pid = chromedp.FromContext(ctx).Browser.Process().Pid
		if runtime.GOOS != "linux" {
			return
		}
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			t.Fatalf("read the browser's command line: %v", err)
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		for _, f := range wantFlags {
			if !slices.Contains(args, f) {
				t.Errorf("the browser runs without %s: %q", f, args)
			}
		}
		for _, a := range args {
			if strings.HasPrefix(a, "--remote-debugging-port") || strings.HasPrefix(a, "--remote-debugging-address") {
				t.Errorf("the browser opens a debugging port (%s), want the pipe", a)
			}
			if dir, ok := strings.CutPrefix(a, "--user-data-dir="); ok {
				profileDir = dir
			}
		}
		if fi, err := os.Stat(profileDir); profileDir == "" || err != nil || !fi.IsDir() {
			t.Errorf("profile directory %q: %v, want a fresh directory", profileDir, err)
		}
	})
	if !ran || pid == 0 || runtime.GOOS != "linux" {
		return // failed, skipped, or no /proc to look in
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the browser (pid %d) still runs after the test: %v", pid, err)
	}
	if _, err := os.Stat(profileDir); profileDir != "" && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the profile directory %s is still there after the test: %v", profileDir, err)
	}
}

// Package pgtest starts throwaway PostgreSQL clusters for tests and
// benchmarks.
//
// A cluster lives in a fresh temporary directory, listens on 127.0.0.1 only
// (on a free port) and on a unix socket inside that directory, trusts every
// local connection, and disappears with Stop. Nothing is shared with a
// PostgreSQL the machine may already run, so tests can start as many as they
// like, in parallel.
//
// The server binaries come from the machine: PATH first, then the highest
// version under /usr/lib/postgresql/*/bin (where the Debian and Ubuntu
// packages put them), or the directory named by ASTARA_PG_BINDIR. Without
// them Require skips the test with a message saying what to install, unless
// ASTARA_REQUIRE_ALL=1 asks CI to treat a skip as a failure.
//
// PostgreSQL refuses to run as root. When the process is root (as in
// containers and some CI runners), pgtest runs initdb and postgres as the
// "postgres" system user, which the distribution package creates, and hands
// it the temporary directory.
//
// The defaults favour honest measurement over speed: fsync stays on and
// commits are synchronous, so a benchmark pays for durability as production
// would. Options.NoFsync is for tests that measure nothing.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the superuser of every cluster pgtest starts; connections as this
// user need no password.
const User = "postgres"

// SystemUser is the operating-system account that runs the server when the
// calling process is root.
const SystemUser = "postgres"

// EnvBinDir names a directory holding initdb and postgres; it takes
// precedence over PATH and /usr/lib/postgresql.
const EnvBinDir = "ASTARA_PG_BINDIR"

// EnvRequireAll, set to "1", turns Require's skip into a failure, so that CI
// cannot pass by skipping the PostgreSQL tests.
const EnvRequireAll = "ASTARA_REQUIRE_ALL"

// Limits and defaults.
const (
	// startTimeoutDefault bounds initdb plus server start-up when
	// Options.StartTimeout is zero.
	startTimeoutDefault = 2 * time.Minute
	// stopTimeout is how long Stop waits for a fast shutdown before it
	// escalates to an immediate one and then to SIGKILL.
	stopTimeout = 30 * time.Second
	// portAttemptsMax is how many free ports Start tries when another
	// process takes the chosen one between the probe and the bind.
	portAttemptsMax = 5
	// logTailBytesMax is how much of the server log an error carries.
	logTailBytesMax = 4096
)

// serverBinaries are the programs a cluster cannot start without. pgbench
// is looked up separately (see Binary): tests that only need a server must
// not be skipped for want of it.
var serverBinaries = []string{"initdb", "postgres"}

// Options tune a cluster. The zero value is a durable cluster with settings
// suitable for benchmarks.
type Options struct {
	// NoFsync turns fsync off. It makes tests faster and benchmarks
	// dishonest: leave it false whenever a figure will be reported.
	NoFsync bool
	// SharedBuffers is the shared_buffers setting; "256MB" when empty.
	SharedBuffers string
	// MaxConnections is the max_connections setting; 100 when zero.
	MaxConnections int
	// Settings are extra server settings (name to value), applied last so
	// that they override the defaults above.
	Settings map[string]string
	// StartTimeout bounds initdb and server start-up; 2 minutes when zero.
	StartTimeout time.Duration
}

// Cluster is a running throwaway PostgreSQL server. Its fields are read-only.
type Cluster struct {
	// BinDir is the directory holding the PostgreSQL binaries used.
	BinDir string
	// Dir is the temporary directory holding everything: the data
	// directory, the unix socket and the log. Stop removes it.
	Dir string
	// DataDir is the cluster's data directory, inside Dir.
	DataDir string
	// SocketDir is where the server's unix socket lives (Dir itself).
	SocketDir string
	// LogPath is the file that receives the server's output.
	LogPath string
	// Host is the address the server listens on: always 127.0.0.1.
	Host string
	// Port is the TCP port the server listens on.
	Port int

	cmd      *exec.Cmd
	exited   chan struct{} // closed when the server process has exited
	stopOnce sync.Once
	stopErr  error
}

// FindBinDir returns the directory holding the PostgreSQL server binaries:
// $ASTARA_PG_BINDIR if set, else the directory of initdb on PATH (following
// symbolic links), else the highest version under /usr/lib/postgresql/*/bin.
func FindBinDir() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		if err := hasBinaries(dir, serverBinaries); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinDir, dir, err)
		}
		return dir, nil
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		if resolved, err := filepath.EvalSymlinks(path); err == nil {
			path = resolved
		}
		dir := filepath.Dir(path)
		if hasBinaries(dir, serverBinaries) == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		return versionLess(dirs[j], dirs[i]) // highest first
	})
	for _, dir := range dirs {
		if hasBinaries(dir, serverBinaries) == nil {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL not installed (initdb not found on PATH or in /usr/lib/postgresql/*/bin)")
}

// Binary returns the path of the PostgreSQL program name (such as "pgbench"
// or "psql"): from FindBinDir's directory when it is there, else from PATH.
func Binary(name string) (string, error) {
	if dir, err := FindBinDir(); err == nil {
		path := filepath.Join(dir, name)
		if isExecutable(path) {
			return path, nil
		}
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found next to initdb or on PATH (install the postgresql package)", name)
	}
	return path, nil
}

// Require skips the test or benchmark when PostgreSQL cannot be started
// here (binaries missing, or root without the postgres system user), or
// fails it when ASTARA_REQUIRE_ALL=1. It returns the binary directory.
func Require(tb testing.TB) string {
	tb.Helper()
	dir, err := FindBinDir()
	if err == nil {
		err = checkUser()
	}
	if err == nil {
		return dir
	}
	if os.Getenv(EnvRequireAll) == "1" {
		tb.Fatalf("%v; %s=1 requires PostgreSQL: install the postgresql package or set %s to its bin directory", err, EnvRequireAll, EnvBinDir)
	}
	tb.Skipf("%v; install the postgresql package or set %s to its bin directory (%s=1 makes this a failure) — skipping", err, EnvBinDir, EnvRequireAll)
	return ""
}

// MustStart is Require, then Start with default options, with Stop
// registered as a cleanup. It fails the test if the cluster does not start.
func MustStart(tb testing.TB) *Cluster {
	tb.Helper()
	return MustStartWith(tb, Options{})
}

// MustStartWith is MustStart with options.
func MustStartWith(tb testing.TB, opts Options) *Cluster {
	tb.Helper()
	Require(tb)
	c, err := Start(tb.Context(), opts)
	if err != nil {
		tb.Fatalf("start PostgreSQL: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return c
}

// Start creates a cluster in a new temporary directory, starts its server
// on a free port of 127.0.0.1 and returns once it accepts connections. ctx
// bounds start-up only: the server keeps running until Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	binDir, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = startTimeoutDefault
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	dir, err := os.MkdirTemp(tempRoot(cred), "astara-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create cluster directory: %w", err)
	}
	c := &Cluster{
		BinDir:    binDir,
		Dir:       dir,
		DataDir:   filepath.Join(dir, "data"),
		SocketDir: dir,
		LogPath:   filepath.Join(dir, "postgres.log"),
		Host:      "127.0.0.1",
	}
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(fmt.Errorf("hand %s to the %s user: %w", dir, SystemUser, err))
		}
	}
	if err := c.initdb(ctx, cred); err != nil {
		return fail(err)
	}
	for attempt := 1; ; attempt++ {
		err := c.start(ctx, cred, opts)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttemptsMax {
			return fail(err)
		}
	}
}

// DSN returns a connection string for database dbname as the superuser over
// TCP, in URL form, accepted by pgx and by libpq programs such as pgbench.
func (c *Cluster) DSN(dbname string) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", User, c.Host, c.Port, dbname)
}

// CreateDatabase creates an empty database called name.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("connect to create database %q: %w", name, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// Stop shuts the server down (a fast shutdown: open transactions roll back)
// and removes the cluster's directory. It is safe to call more than once;
// later calls return the first call's result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.shutdown()
		if err := os.RemoveAll(c.Dir); err != nil && c.stopErr == nil {
			c.stopErr = fmt.Errorf("remove cluster directory: %w", err)
		}
	})
	return c.stopErr
}

func (c *Cluster) shutdown() error {
	if c.cmd == nil {
		return nil
	}
	// SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one.
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL} {
		if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("signal postgres: %w", err)
		}
		select {
		case <-c.exited:
			if sig != syscall.SIGINT {
				return fmt.Errorf("postgres ignored a fast shutdown for %v; sent %v\n%s", stopTimeout, sig, c.logTail())
			}
			return nil
		case <-time.After(stopTimeout):
		}
	}
	return errors.New("postgres survived SIGKILL")
}

// errPortTaken reports that the server could not bind its port, which
// another process took after Start found it free.
var errPortTaken = errors.New("port taken")

func (c *Cluster) initdb(ctx context.Context, cred *syscall.Credential) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, "initdb"),
		"-D", c.DataDir,
		"-U", User,
		"-A", "trust",
		"-E", "UTF8",
		"--locale=C",
		"--no-sync",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Dir = c.Dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(cred)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out.String())
	}
	return nil
}

// start launches postgres on a free port and waits until it accepts
// connections.
func (c *Cluster) start(ctx context.Context, cred *syscall.Credential, opts Options) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(c.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close() // the child holds its own descriptor

	settings := map[string]string{
		"listen_addresses":        c.Host,
		"port":                    strconv.Itoa(port),
		"unix_socket_directories": c.SocketDir,
		"fsync":                   onOff(!opts.NoFsync),
		"synchronous_commit":      "on",
		"full_page_writes":        "on",
		"shared_buffers":          "256MB",
		"max_connections":         "100",
		// Checkpoints every few seconds would dominate a short benchmark;
		// these are the usual settings of a tuned server.
		"max_wal_size":       "4GB",
		"checkpoint_timeout": "15min",
		"logging_collector":  "off",
	}
	if opts.SharedBuffers != "" {
		settings["shared_buffers"] = opts.SharedBuffers
	}
	if opts.MaxConnections != 0 {
		settings["max_connections"] = strconv.Itoa(opts.MaxConnections)
	}
	for name, value := range opts.Settings {
		settings[name] = value
	}
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	sort.Strings(names)
	args := []string{"-D", c.DataDir, "-k", c.SocketDir}
	for _, name := range names {
		args = append(args, "-c", name+"="+settings[name])
	}

	cmd := exec.Command(filepath.Join(c.BinDir, "postgres"), args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = c.Dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(cred)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	c.cmd, c.exited, c.Port = cmd, exited, port

	if err := c.waitReady(ctx); err != nil {
		select {
		case <-exited:
		default:
			cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-exited:
			case <-time.After(stopTimeout):
				cmd.Process.Kill()
				<-exited
			}
		}
		c.cmd = nil
		tail := c.logTail()
		if strings.Contains(tail, "could not bind") || strings.Contains(tail, "already in use") {
			return fmt.Errorf("%w: %d: %v\n%s", errPortTaken, port, err, tail)
		}
		return fmt.Errorf("%v\nserver log %s:\n%s", err, c.LogPath, tail)
	}
	return nil
}

// waitReady polls until a connection succeeds, the server exits, or ctx ends.
func (c *Cluster) waitReady(ctx context.Context) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attemptCtx, c.DSN("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited during start-up (%v)", c.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections on port %d: %w (last error: %v)", c.Port, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// logTail returns the end of the server log, for error messages.
func (c *Cluster) logTail() string {
	f, err := os.Open(c.LogPath)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > logTailBytesMax {
		f.Seek(info.Size()-logTailBytesMax, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// checkUser reports whether this process can run a server: any user but
// root can; root needs the postgres system user to run it as.
func checkUser() error {
	_, err := serverCredential()
	return err
}

// serverCredential returns the identity initdb and postgres must run under:
// nil for the current user, the postgres system user's when root.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(SystemUser)
	if err != nil {
		return nil, fmt.Errorf("running as root and no %q system user to run PostgreSQL as (%v)", SystemUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: uid %q: %w", SystemUser, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: gid %q: %w", SystemUser, u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// tempRoot returns the directory to create clusters in. When the server runs
// as another user, every directory above the cluster's must let that user
// through; $TMPDIR may not (a root-only home, say), /tmp always does.
func tempRoot(cred *syscall.Credential) string {
	root := os.TempDir()
	if cred == nil {
		return root
	}
	for dir := root; ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err != nil || info.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if dir == filepath.Dir(dir) {
			return root
		}
	}
}

// serverEnv is the environment of initdb and postgres: the caller's, minus
// the libpq variables that would point them elsewhere.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func hasBinaries(dir string, names []string) error {
	for _, name := range names {
		if !isExecutable(filepath.Join(dir, name)) {
			return fmt.Errorf("%s not found in %s", name, dir)
		}
	}
	return nil
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// versionLess orders /usr/lib/postgresql/<version>/bin paths by version,
// numerically (so 9.6 < 10 < 15).
func versionLess(a, b string) bool {
	va := strings.Split(filepath.Base(filepath.Dir(a)), ".")
	vb := strings.Split(filepath.Base(filepath.Dir(b)), ".")
	for i := 0; i < len(va) && i < len(vb); i++ {
		na, errA := strconv.Atoi(va[i])
		nb, errB := strconv.Atoi(vb[i])
		if errA != nil || errB != nil {
			return va[i] < vb[i]
		}
		if na != nb {
			return na < nb
		}
	}
	return len(va) < len(vb)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

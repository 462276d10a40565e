package pgtest

import "syscall"

// sysProcAttr runs a server program as cred (nil: as ourselves) and has the
// kernel stop it (SIGQUIT, PostgreSQL's immediate shutdown) if this process
// dies without calling Stop, so a crashed test leaves no server behind.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}

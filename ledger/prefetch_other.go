//go:build !amd64 && !arm64

package ledger

// prefetch does nothing where the processor's hint is not written.
func prefetch(p *[8]uint64) {}

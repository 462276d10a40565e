//go:build !amd64 && !arm64

package ledger

import "unsafe"

// prefetch does nothing where the processor's hint is not written.
func prefetch(p unsafe.Pointer) {}

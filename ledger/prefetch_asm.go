//go:build amd64 || arm64

package ledger

import "unsafe"

// prefetch asks the processor to bring the cache line at p in, without
// waiting for it: a hint, which changes nothing but timing.
//
//go:noescape
func prefetch(p unsafe.Pointer)

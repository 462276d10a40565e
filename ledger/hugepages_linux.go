package ledger

import (
	"syscall"
	"unsafe"
)

// madvCollapse is Linux's MADV_COLLAPSE (since 6.1), which the syscall
// package does not name.
const madvCollapse = 25

// adviseHugePages asks Linux to back a large filter segment or id index
// with huge pages where it can (transparent huge pages, when they are
// allowed on request): a probe lands on a random line of it, and with 4 KiB
// pages each would also miss the TLB. The slice is new, but its memory
// may have been the heap's before and already be in 4 KiB pages, which
// MADV_HUGEPAGE alone leaves as they are: MADV_COLLAPSE makes huge pages
// of them now. Hints both: an error changes nothing.
func adviseHugePages[T any](s []T) {
	if len(s) == 0 || len(s)*int(unsafe.Sizeof(s[0])) < 4<<20 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	_ = syscall.Madvise(b, madvCollapse)
}

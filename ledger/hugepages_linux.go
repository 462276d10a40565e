package ledger

import (
	"syscall"
	"unsafe"
)

// adviseHugePages asks Linux to back a large filter segment with huge
// pages where it can (transparent huge pages, when they are allowed on
// request): a probe lands on a random line of the segment, and with 4 KiB
// pages each would also miss the TLB. A hint: an error changes nothing.
func adviseHugePages(blocks [][8]uint64) {
	if len(blocks)*64 < 4<<20 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&blocks[0])), len(blocks)*64)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}

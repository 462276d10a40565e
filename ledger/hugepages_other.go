//go:build !linux

package ledger

// adviseHugePages does nothing where transparent huge pages are not
// asked for.
func adviseHugePages[T any](s []T) {}

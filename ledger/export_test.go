package ledger

// NewIDFilterOfScheme returns an empty id filter of the scheme a new
// History starts (current) or of the zero one, which IDFilter has.
func NewIDFilterOfScheme(current bool) *IDFilter {
	if current {
		return &IDFilter{f: idFilter{scheme: idFilterSchemeCurrent}}
	}
	return &IDFilter{}
}

// SnapshotVersionAt is where a snapshot's format version is, for a test
// to change it.
const SnapshotVersionAt = len(snapshotMagic)

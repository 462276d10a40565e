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

// ReplayAhead is replayAhead, for a test of its order, copies and stops.
func ReplayAhead(store Store, after uint64, fn func(e Entry, decoded any, events int) error) error {
	return replayAhead(store, after, fn)
}

// ReplayAheadEntries is how many entries ReplayAhead reads ahead.
const ReplayAheadEntries = replayAheadEntries

// NewFailedIDFilter returns an empty filter of the scheme of the filter
// of failed ids.
func NewFailedIDFilter() *IDFilter { return &IDFilter{f: idFilter{scheme: idFilterSchemeFailed}} }

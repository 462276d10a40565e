package ledger

import (
	"errors"
)

// replayAheadEntries is how many entries a recovery reads ahead of the
// one it applies: enough to keep the reader busy while a batch is
// applied, and a few megabytes of batches at most.
const replayAheadEntries = 4

// errReplayStopped stops the reader of replayAhead once its consumer
// returned an error.
var errReplayStopped = errors.New("ledger: replay stopped")

// replayed is an entry read ahead: a copy of it, and its batch of
// transfers decoded (nil for any other entry, or one that did not decode,
// which Apply then decodes again to report).
type replayed struct {
	e       Entry
	decoded any
	events  int
	buf     *replayBuf
}

// replayBuf is the memory of one entry read ahead, used again once the
// entry is applied.
type replayBuf struct {
	payload   []byte
	transfers []Transfer
}

// replayAhead calls fn for each entry after after, in order, as
// Store.Replay does, but reads the entries on a goroutine of its own
// (it inherits the caller's profiler labels), up to replayAheadEntries
// ahead: the store's read, its checks (the journal's hash chain), the
// entry's copy and the decoding of a batch of transfers run on another
// core while fn applies the entry before. In a profile of restarts they
// were 0.4 to 0.7 s of 2.4 to 3 s of the replay's CPU; on two cores,
// already busy with the history's writes and Pebble's compactions, the
// restart's wall time did not measurably change (docs/BENCHMARKS.md).
//
// fn gets the entry, its batch decoded (or nil) and its events
// (entryEvents); the entry's payload and the batch are valid only until
// fn returns. An error of fn stops the reader and is returned; an error
// of the store's read is returned after fn has had every entry before it,
// as Store.Replay would.
func replayAhead(store Store, after uint64, fn func(e Entry, decoded any, events int) error) error {
	items := make(chan replayed, replayAheadEntries)
	free := make(chan *replayBuf, replayAheadEntries+2)
	quit := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer close(items)
		done <- store.Replay(after, func(e Entry) error {
			var b *replayBuf
			select {
			case b = <-free:
			default:
				b = new(replayBuf)
			}
			b.payload = append(b.payload[:0], e.Payload...)
			e.Payload = b.payload
			it := replayed{e: e, events: entryEvents(e), buf: b}
			if e.Op == OpCreateTransfers {
				transfers, rest, err := DecodeTransfers(b.transfers, e.Payload)
				if err == nil && len(rest) == 0 {
					b.transfers = transfers
					it.decoded = transfers
				}
			}
			select {
			case items <- it:
				return nil
			case <-quit:
				return errReplayStopped
			}
		})
	}()
	var err error
	for it := range items {
		if err = fn(it.e, it.decoded, it.events); err != nil {
			break
		}
		select {
		case free <- it.buf:
		default:
		}
	}
	close(quit)
	readErr := <-done
	if err != nil {
		return err
	}
	return readErr
}

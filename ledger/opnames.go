package ledger

import (
	"fmt"
	"sync"
)

// opLedgerMax is the highest operation number the ledger keeps for its
// own operations (OpCreateAccounts and the rest); a Machine built on the
// ledger numbers its operations above it, and names them with NameOp.
const opLedgerMax Op = 15

// opNames holds the names the machines built on the ledger gave their
// operations, so that Op.String (and the metrics and logs that use it)
// says "create_payment" rather than "op(22)". It is written by NameOp,
// normally from package init functions, and read by every Op.String.
var opNames struct {
	mu    sync.RWMutex
	names map[Op]string
}

// NameOp names a machine's operation for Op.String. It is meant for a
// package's init function: naming an operation of the ledger's own
// (opLedgerMax or below), giving an empty name, or giving an operation a
// second, different name is a programmer error, and panics. Naming an
// operation again with the same name does nothing.
func NameOp(op Op, name string) {
	if op <= opLedgerMax {
		panic(fmt.Sprintf("ledger: NameOp(%d, %q): operations up to %d are the ledger's own", op, name, opLedgerMax))
	}
	if name == "" {
		panic(fmt.Sprintf("ledger: NameOp(%d): the name is empty", op))
	}
	opNames.mu.Lock()
	defer opNames.mu.Unlock()
	if had, ok := opNames.names[op]; ok && had != name {
		panic(fmt.Sprintf("ledger: NameOp(%d, %q): already named %q", op, name, had))
	}
	if opNames.names == nil {
		opNames.names = map[Op]string{}
	}
	opNames.names[op] = name
}

// opNameOrNumber is the name NameOp gave op, or "op(N)" for an operation
// nobody named.
func opNameOrNumber(op Op) string {
	opNames.mu.RLock()
	name, ok := opNames.names[op]
	opNames.mu.RUnlock()
	if ok {
		return name
	}
	return fmt.Sprintf("op(%d)", uint8(op))
}

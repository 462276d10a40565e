package money

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Code is an ISO 4217 alphabetic currency code such as RUB or IRR: three
// upper-case ASCII letters. It is comparable and fixed-size, so ledger
// records can hold it by value. The zero Code is not a valid code.
type Code [3]byte

// ParseCode returns the Code spelled by s, which must be exactly three
// upper-case ASCII letters; anything else is a *CurrencyError with
// RuleCurrencyCodeSyntax. It does not consult the currency table: a
// well-formed code need not be a known currency (see LookupCurrency).
func ParseCode(s string) (Code, error) {
	if len(s) != 3 {
		return Code{}, &CurrencyError{Input: s, Rule: RuleCurrencyCodeSyntax}
	}
	var c Code
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return Code{}, &CurrencyError{Input: s, Rule: RuleCurrencyCodeSyntax}
		}
		c[i] = s[i]
	}
	return c, nil
}

// MustCode is ParseCode for constants and tests: it panics if s is not a
// well-formed code.
func MustCode(s string) Code {
	c, err := ParseCode(s)
	if err != nil {
		panic(err)
	}
	return c
}

// String returns the three letters of c, or "" for the zero Code.
func (c Code) String() string {
	if c.IsZero() {
		return ""
	}
	return string(c[:])
}

// IsZero reports whether c is the zero Code.
func (c Code) IsZero() bool { return c == Code{} }

// MarshalText writes c's three letters. The zero Code is an error, so a
// missing currency never reaches a message or the journal as "".
func (c Code) MarshalText() ([]byte, error) {
	if c.IsZero() {
		return nil, errors.New("money: marshal the zero currency Code")
	}
	return c[:], nil
}

// UnmarshalText parses text with ParseCode.
func (c *Code) UnmarshalText(text []byte) error {
	v, err := ParseCode(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Currency is one row of the currency table.
type Currency struct {
	// Code is the ISO 4217 alphabetic code.
	Code Code
	// Number is the ISO 4217 numeric code (643 for RUB), 1 to 999.
	Number uint16
	// Name is the ISO 4217 name ("Russian Ruble").
	Name string
	// MinorUnits is the exponent Astara counts amounts in: an Amount of n
	// is n/10^MinorUnits major units. It fixes the meaning of every stored
	// amount in the currency.
	MinorUnits uint8
	// ISOMinorUnits is the exponent ISO 4217 publishes, used when writing
	// ISO 20022 messages. It differs from MinorUnits only where practice
	// differs from ISO: the Iranian rial is counted in whole rials
	// (MinorUnits 0) although ISO still lists the long-unused dinar
	// (ISOMinorUnits 2).
	ISOMinorUnits uint8
}

// String returns c's code.
func (c Currency) String() string { return c.Code.String() }

// TableVersion names the version of the embedded currency table
// (currencies.csv). Stored data records it so that a change of exponent is
// never applied to amounts counted under the old one.
//
// Version 2026-11 counts the Iranian rial (IRR) in whole rials and does not
// apply Iran's redenomination: the law of November 2025 makes 10,000 old
// rials one new rial (of 100 qeran) with a three-year transition, but how ISO
// 4217 will code the new rial (a new code, or IRR with a new exponent) is not
// known yet. Switching the new rial on is a new table version with a
// migration of stored IRR amounts, never an edit of this one.
const TableVersion = "2026-11"

// currencyMinorUnitsMax bounds the exponents the table may declare. ISO 4217
// uses at most 4 (CLF, UYW); a larger value in the data file is a typo.
const currencyMinorUnitsMax = 4

//go:embed currencies.csv
var currencyTableData []byte

// currencyTable is the parsed table, sorted by code; currencyIndex maps each
// code to its row. Both are built once at start-up and never written again,
// so readers need no lock.
var (
	currencyTable []Currency
	currencyIndex map[Code]Currency
)

func init() {
	version, table, err := parseCurrencyTable(currencyTableData)
	if err != nil {
		panic(err) // The embedded file is part of the build; a bad one is a build defect.
	}
	if version != TableVersion {
		panic(fmt.Sprintf("money: currencies.csv declares version %q, TableVersion is %q", version, TableVersion))
	}
	currencyTable = table
	currencyIndex = make(map[Code]Currency, len(table))
	for _, c := range table {
		currencyIndex[c.Code] = c
	}
}

// LookupCurrency returns the table's row for code and whether there is one.
func LookupCurrency(code Code) (Currency, bool) {
	c, ok := currencyIndex[code]
	return c, ok
}

// CurrencyByString returns the table's row for the code spelled by s. A
// malformed code is a *CurrencyError with RuleCurrencyCodeSyntax, a
// well-formed code missing from the table one with RuleCurrencyUnknown.
func CurrencyByString(s string) (Currency, error) {
	code, err := ParseCode(s)
	if err != nil {
		return Currency{}, err
	}
	c, ok := currencyIndex[code]
	if !ok {
		return Currency{}, &CurrencyError{Input: s, Rule: RuleCurrencyUnknown}
	}
	return c, nil
}

// MustCurrency is CurrencyByString for constants and tests: it panics if s
// is not a known currency.
func MustCurrency(s string) Currency {
	c, err := CurrencyByString(s)
	if err != nil {
		panic(err)
	}
	return c
}

// Currencies returns every currency in the table, sorted by code. The slice
// is a copy the caller may keep or change.
func Currencies() []Currency {
	return slices.Clone(currencyTable)
}

const currencyTableHeader = "code,number,minor_units,iso_minor_units,name"

// parseCurrencyTable reads the currency table format: '#' comment lines (one
// of which is "# version: V"), a header line, then one row per currency in
// ascending order of code. It is strict, since the file is ours: any
// surprise is an error naming the line.
func parseCurrencyTable(data []byte) (version string, table []Currency, err error) {
	headerSeen := false
	numbers := make(map[uint16]Code)
	for i, line := range bytes.Split(data, []byte("\n")) {
		lineNo := i + 1
		s := strings.TrimSuffix(string(line), "\r")
		switch {
		case strings.TrimSpace(s) == "":
			continue
		case strings.HasPrefix(s, "#"):
			if v, ok := strings.CutPrefix(s, "# version:"); ok {
				if version != "" {
					return "", nil, fmt.Errorf("money: currency table line %d: second version line", lineNo)
				}
				version = strings.TrimSpace(v)
			}
			continue
		case !headerSeen:
			if s != currencyTableHeader {
				return "", nil, fmt.Errorf("money: currency table line %d: header %q, want %q", lineNo, s, currencyTableHeader)
			}
			headerSeen = true
			continue
		}
		c, err := parseCurrencyRow(s)
		if err != nil {
			return "", nil, fmt.Errorf("money: currency table line %d: %w", lineNo, err)
		}
		if n := len(table); n > 0 && bytes.Compare(table[n-1].Code[:], c.Code[:]) >= 0 {
			return "", nil, fmt.Errorf("money: currency table line %d: %s is out of order or repeated after %s", lineNo, c.Code, table[n-1].Code)
		}
		if other, ok := numbers[c.Number]; ok {
			return "", nil, fmt.Errorf("money: currency table line %d: number %03d is already %s", lineNo, c.Number, other)
		}
		numbers[c.Number] = c.Code
		table = append(table, c)
	}
	switch {
	case version == "":
		return "", nil, errors.New("money: currency table has no version line")
	case !headerSeen:
		return "", nil, errors.New("money: currency table has no header")
	case len(table) == 0:
		return "", nil, errors.New("money: currency table has no currencies")
	}
	return version, table, nil
}

func parseCurrencyRow(s string) (Currency, error) {
	f := strings.Split(s, ",")
	if len(f) != 5 {
		return Currency{}, fmt.Errorf("%d fields, want 5", len(f))
	}
	code, err := ParseCode(f[0])
	if err != nil {
		return Currency{}, err
	}
	if len(f[1]) != 3 {
		return Currency{}, fmt.Errorf("%s: number %q is not three digits", code, f[1])
	}
	number, err := strconv.ParseUint(f[1], 10, 16)
	if err != nil || number == 0 {
		return Currency{}, fmt.Errorf("%s: number %q is not 001 to 999", code, f[1])
	}
	minor, err := parseMinorUnitsField(f[2])
	if err != nil {
		return Currency{}, fmt.Errorf("%s: minor_units: %w", code, err)
	}
	isoMinor, err := parseMinorUnitsField(f[3])
	if err != nil {
		return Currency{}, fmt.Errorf("%s: iso_minor_units: %w", code, err)
	}
	if f[4] == "" || strings.TrimSpace(f[4]) != f[4] {
		return Currency{}, fmt.Errorf("%s: name %q is empty or padded", code, f[4])
	}
	return Currency{Code: code, Number: uint16(number), Name: f[4], MinorUnits: minor, ISOMinorUnits: isoMinor}, nil
}

func parseMinorUnitsField(s string) (uint8, error) {
	if len(s) != 1 || s[0] < '0' || s[0]-'0' > currencyMinorUnitsMax {
		return 0, fmt.Errorf("%q is not a digit 0 to %d", s, currencyMinorUnitsMax)
	}
	return s[0] - '0', nil
}

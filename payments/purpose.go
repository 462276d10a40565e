package payments

import (
	"slices"
	"strings"
)

// Purpose is an ISO 20022 purpose code (ExternalPurpose1Code, the Purp/Cd of
// a pacs.008), with a short English name for people.
type Purpose struct {
	Code string // four upper-case letters, e.g. "GDDS"
	Name string // e.g. "Purchase or sale of goods"
}

// purposes is the subset of ExternalPurpose1Code the corridor offers, sorted
// by code. Every code is in ISO's published code set; there is no ISO code
// for family support (remittances to relatives), which goes as OTHR.
var purposes = []Purpose{
	{"ADVA", "Advance payment"},
	{"CHAR", "Charity payment"},
	{"COMC", "Commercial payment"},
	{"EDUC", "Education"},
	{"ELEC", "Electricity bill"},
	{"ENRG", "Energies"},
	{"GASB", "Gas bill"},
	{"GDDS", "Purchase or sale of goods"},
	{"GDSV", "Purchase or sale of goods and services"},
	{"INSU", "Insurance premium"},
	{"INTC", "Intra-company payment"},
	{"INVS", "Investment and securities"},
	{"LICF", "Licence fee"},
	{"LOAN", "Loan"},
	{"LOAR", "Loan repayment"},
	{"MDCS", "Medical services"},
	{"OTHR", "Other"},
	{"PAYR", "Payroll"},
	{"PENS", "Pension payment"},
	{"RENT", "Rent"},
	{"ROYA", "Royalties"},
	{"SALA", "Salary payment"},
	{"SCVE", "Purchase or sale of services"},
	{"STDY", "Study (tuition fees)"},
	{"SUPP", "Supplier payment"},
	{"TAXS", "Tax payment"},
	{"TRAD", "Trade services"},
}

// Purposes returns the purpose codes a payment may carry, sorted by code. The
// slice is the caller's to keep or change.
func Purposes() []Purpose { return slices.Clone(purposes) }

// LookupPurpose returns the purpose with code, which must be spelled exactly
// (upper case, as ISO writes it), and whether there is one.
func LookupPurpose(code string) (Purpose, bool) {
	i, ok := slices.BinarySearchFunc(purposes, code, func(p Purpose, code string) int {
		return strings.Compare(p.Code, code)
	})
	if !ok {
		return Purpose{}, false
	}
	return purposes[i], true
}

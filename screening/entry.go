// Package screening checks the parties of a payment against sanctions and
// watch lists.
package screening

import "time"

// EntityType is what a list entry is.
type EntityType string

// The entity types.
const (
	Individual EntityType = "individual"
	Entity     EntityType = "entity" // a company, organisation, vessel or aircraft
)

// Entry is one listed party as its list publishes it.
type Entry struct {
	// ID is the list's own id: OFAC's ent_num, the UN list's
	// REFERENCE_NUMBER, the operator's id in a national or internal list.
	ID   string
	Type EntityType
	// Names holds the primary name first, then every alias, each as the
	// list spells it.
	Names []Name
	// Countries are ISO 3166 alpha-2 codes the entry is tied to
	// (nationality, citizenship, address), where the list says.
	Countries []string
	// DatesOfBirth are YYYY-MM-DD, YYYY-MM or YYYY, as precise as the list.
	DatesOfBirth []string
	// Programs are the sanctions programmes or list types (SDGT, IRAN,
	// DPRK ...).
	Programs []string
	// Remarks is the list's free text about the entry, kept for the
	// operator who reviews a hit.
	Remarks string
}

// Name is one spelling of an entry's name.
type Name struct {
	Text string
	// Alias is false for the primary name.
	Alias bool
	// Quality is the list's qualifier of an alias where it gives one
	// ("Good", "Low", "strong", "weak"): weak aliases score lower.
	Quality string
}

// List is one published version of a list: its entries, when it was
// published and how many records it says it holds.
type List struct {
	Name      string    // "OFAC-SDN", "UN", or the operator's name
	Format    string    // "ofac-csv", "un-xml", "csv"
	Published time.Time // the publication date the file gives, or zero
	Entries   []Entry
	// Warnings are what the file held that was not used, as sentences
	// (an alias whose entry is not in the file, say). A malformed file is
	// an error, never a warning.
	Warnings []string
}

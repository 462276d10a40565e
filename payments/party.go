package payments

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Party is a debtor or a creditor of a payment: the PARTY of the API.
//
// Account is read by the rules of the country of the bank that holds it (see
// ValidateParty); Country is the party's own country of residence, which may
// differ from its bank's.
type Party struct {
	Name     string `json:"name"`
	Account  string `json:"account"`
	BankCode string `json:"bank_code,omitempty"`
	Country  string `json:"country,omitempty"`
	Address  string `json:"address,omitempty"`
}

// The limits on a Party, in runes for text and in characters for codes.
const (
	// PartyNameLenMax is ISO 20022's Max140Text, the type of a party's Nm.
	PartyNameLenMax = 140
	// PartyAddressLenMax keeps the address within one Max140Text as well.
	PartyAddressLenMax = 140
	// PartyBankCodeLenMax is ISO 20022's Max35Text, the type of a clearing
	// system member identification (a Russian BIK is 9 digits, a BIC 11
	// characters).
	PartyBankCodeLenMax = 35
	// AccountLenMax is the longest account, after spaces are removed: the
	// longest IBAN ISO 13616 allows, and ISO 20022's Max34Text for other
	// account identifications.
	AccountLenMax = 34
)

// FieldError is a rejected input: the field at fault, a stable code, and the ISO 20022 reason code where one applies.
type FieldError struct {
	Field  string // JSON path, e.g. "debtor.account"
	Code   string // stable machine code, e.g. "iban_invalid"
	Reason string // ISO 20022 reason code, e.g. "AC01"; "" if none
	Detail string // a sentence for people
}

// Error describes the rejection for operators and logs; clients get Code,
// Reason and Field as they are.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("payments: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	if e.Reason != "" {
		b.WriteString(" (" + e.Reason + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// The codes ValidateParty, ValidateIBAN and ValidateRussianAccount reject a
// party with. Each comment names the ISO 20022 ExternalStatusReason1Code sent
// with it. Where ISO has a debtor's and a creditor's variant of a reason, the
// first element of the field's path picks it ("debtor..." or "creditor...");
// any other field gets the generic code, or none where ISO has no generic one.
const (
	// CodePartyNameRequired: the name is empty or only spaces. RR02
	// (MissingDebtorNameOrAddress) or RR03 (MissingCreditorNameOrAddress):
	// a cross-border payment must carry both names by regulation (FATF
	// Recommendation 16); BE21 (MissingName) for other fields.
	CodePartyNameRequired = "party_name_required"
	// CodePartyNameTooLong: more than PartyNameLenMax runes. BE20
	// (InvalidNameLength).
	CodePartyNameTooLong = "party_name_too_long"
	// CodePartyNameInvalid: not UTF-8, or a control, line-breaking or
	// bidirectional-override character. RR10 (InvalidCharacterSet).
	CodePartyNameInvalid = "party_name_invalid"
	// CodePartyAddressTooLong: more than PartyAddressLenMax runes. BE07
	// (MissingDebtorAddress) or BE04 (MissingCreditorAddress), which cover an
	// address that is "missing or not correct"; none for other fields.
	CodePartyAddressTooLong = "party_address_too_long"
	// CodePartyAddressInvalid: as CodePartyNameInvalid, for the address.
	// RR10 (InvalidCharacterSet).
	CodePartyAddressInvalid = "party_address_invalid"
	// CodeAccountRequired: the account is empty. AC01
	// (IncorrectAccountNumber: "invalid or missing").
	CodeAccountRequired = "account_required"
	// CodeAccountInvalid: an account that is not an IBAN breaks its
	// country's rules, or a Russian account's control key does not match
	// the BIK. AC01 (IncorrectAccountNumber), the one code the API and the
	// receiving banks use for a wrong account number.
	CodeAccountInvalid = "account_invalid"
	// CodeIBANInvalid: an IBAN with a bad structure, length or check
	// digits. AC01 (IncorrectAccountNumber).
	CodeIBANInvalid = "iban_invalid"
	// CodeBankCodeRequired: a Russian account without the BIK of its bank.
	// RC03 (InvalidDebtorBankIdentifier) or RC04
	// (InvalidCreditorBankIdentifier), "invalid or missing"; RC02
	// (InvalidBankIdentifier) for other fields. RC01 (BankIdentifierIncorrect)
	// is not used: it covers a bad format only, not a missing code.
	CodeBankCodeRequired = "bank_code_required"
	// CodeBankCodeInvalid: a BIK that is not 9 digits, or another bank code
	// that is not 1 to PartyBankCodeLenMax ASCII letters and digits. RC03,
	// RC04 or RC02, as for CodeBankCodeRequired.
	CodeBankCodeInvalid = "bank_code_invalid"
	// CodeCountryInvalid: the party's country is not an ISO 3166-1 alpha-2
	// code. BE13 (InvalidDebtorCountryOfResidence) or BE14
	// (InvalidCreditorCountryOfResidence); BE12 (InvalidCountryOfResidence)
	// for other fields.
	CodeCountryInvalid = "country_invalid"
)

// ValidateParty checks p, the party at field (a JSON path such as "debtor"),
// whose account is held by a bank in country, the ISO 3166 alpha-2 code of
// the participant that holds it ("" when not known). It returns nil, a nil
// *FieldError, when p is acceptable, else the first rule p breaks, in the
// order of the fields: name, account, bank code, country, address.
//
// The rules:
//
//   - Name: required; at most PartyNameLenMax runes after trimming spaces;
//     any script (Cyrillic, Persian, Latin...) but no control characters, line
//     or paragraph separators, or bidirectional embedding, override and
//     isolate controls (U+202A-U+202E, U+2066-U+2069), which can make a name
//     read differently from what sanctions screening compares. Zero-width
//     joiners and non-joiners, which Persian spelling needs, are fine.
//   - Account: required. Spaces are formatting and are ignored ("IR06 2960
//     ..."); an IBAN may be written in lower case. At a bank in Iran (IR),
//     an IBAN of 26 characters starting IR. At a bank in Russia (RU), 20
//     digits whose control key matches the BIK in BankCode, which is
//     required there (see ValidateRussianAccount). Elsewhere, an IBAN when
//     it starts with two letters and two digits (see ValidateIBAN), else 1 to
//     AccountLenMax ASCII letters and digits.
//   - BankCode: at a bank in Russia, the 9-digit BIK; elsewhere optional, 1
//     to PartyBankCodeLenMax ASCII letters and digits (a BIC or a national
//     bank code).
//   - Country: optional; an officially assigned ISO 3166-1 alpha-2 code in
//     upper case. It is the party's residence, so it need not be the bank's
//     country.
//   - Address: optional; at most PartyAddressLenMax runes after trimming, one
//     line, with the characters a name may have.
//
// ValidateParty does not change p: store NormalizeParty(p), which has the
// form the rules read (trimmed text, an IBAN in its electronic format).
func ValidateParty(p Party, field string, country string) *FieldError {
	role := partyRoleOf(field)
	p = NormalizeParty(p)

	if fe := partyCheckText(p.Name, PartyNameLenMax, "name", partyNameCodes); fe != nil {
		return partyFieldError(field, "name", role, fe)
	}
	if fe := partyCheckAccount(p.Account, p.BankCode, country); fe != nil {
		return partyFieldError(field, fe.Field, role, fe)
	}
	if country != "RU" && p.BankCode != "" && !partyIsAlnum(p.BankCode, PartyBankCodeLenMax) {
		return partyFieldError(field, "bank_code", role, &FieldError{Code: CodeBankCodeInvalid,
			Detail: "a bank code is 1 to 35 ASCII letters and digits (a BIC or a national bank code)"})
	}
	if p.Country != "" && !partyCountryKnown(p.Country) {
		return partyFieldError(field, "country", role, &FieldError{Code: CodeCountryInvalid,
			Detail: "the country is not an ISO 3166-1 alpha-2 code in upper case, such as RU or IR"})
	}
	if p.Address != "" {
		if fe := partyCheckText(p.Address, PartyAddressLenMax, "address", partyAddressCodes); fe != nil {
			return partyFieldError(field, "address", role, fe)
		}
	}
	return nil
}

// RemittanceLenMax is the longest remittance information, in characters:
// ISO 20022's Max140Text (RmtInf/Ustrd).
const RemittanceLenMax = 140

// The codes ValidateRemittance rejects remittance information with.
const (
	// CodeRemittanceTooLong: more than RemittanceLenMax characters. No
	// ISO reason: NARR, with the detail.
	CodeRemittanceTooLong = "remittance_information_too_long"
	// CodeRemittanceInvalid: not UTF-8, or a character a party's name may
	// not hold (control, line-breaking, bidirectional override). RR10
	// (InvalidCharacterSet).
	CodeRemittanceInvalid = "remittance_information_invalid"
)

// ValidateRemittance checks a payment's unstructured remittance
// information, which may be empty, as a party's name is checked: it goes
// as it is into the pacs.008 and the camt.054 the banks read, which XML
// cannot carry every character into, and into the query tables' JSON.
// Call it before a payment's command is made: like ValidateParty, it is a
// rule of the API, not of the journal's commands, so that entries written
// before it replay as they were applied.
func ValidateRemittance(s string) *FieldError {
	const field = "remittance_information"
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Code: CodeRemittanceInvalid, Reason: "RR10", Detail: "the remittance information is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(s); n > RemittanceLenMax {
		return &FieldError{Field: field, Code: CodeRemittanceTooLong,
			Detail: "the remittance information holds " + strconv.Itoa(n) + " characters; at most " + strconv.Itoa(RemittanceLenMax)}
	}
	for _, r := range s {
		if partyRuneForbidden(r) {
			return &FieldError{Field: field, Code: CodeRemittanceInvalid, Reason: "RR10",
				Detail: "the remittance information contains the control character " + partyRuneName(r)}
		}
	}
	return nil
}

// NormalizeParty returns p in the form ValidateParty reads and the switch
// stores: Name and Address trimmed of surrounding white space, spaces removed
// from Account and, when the account is an IBAN, its letters upper-cased.
// BankCode and Country are taken as they are: codes are exact.
func NormalizeParty(p Party) Party {
	p.Name = strings.TrimSpace(p.Name)
	p.Address = strings.TrimSpace(p.Address)
	p.Account = strings.ReplaceAll(p.Account, " ", "")
	if partyLooksLikeIBAN(p.Account) {
		p.Account = NormalizeIBAN(p.Account)
	}
	return p
}

// partyRole says whose variant of an ISO reason code applies.
type partyRole uint8

const (
	partyRoleOther partyRole = iota
	partyRoleDebtor
	partyRoleCreditor
)

// partyRoleOf reads the role from the first element of a JSON path.
func partyRoleOf(field string) partyRole {
	first, _, _ := strings.Cut(field, ".")
	switch first {
	case "debtor":
		return partyRoleDebtor
	case "creditor":
		return partyRoleCreditor
	}
	return partyRoleOther
}

// partyReasons holds the ISO reason of each code for other fields, the
// debtor and the creditor, in partyRole order.
var partyReasons = map[string][3]string{
	CodePartyNameRequired:   {"BE21", "RR02", "RR03"},
	CodePartyNameTooLong:    {"BE20", "BE20", "BE20"},
	CodePartyNameInvalid:    {"RR10", "RR10", "RR10"},
	CodePartyAddressTooLong: {"", "BE07", "BE04"},
	CodePartyAddressInvalid: {"RR10", "RR10", "RR10"},
	CodeAccountRequired:     {"AC01", "AC01", "AC01"},
	CodeAccountInvalid:      {"AC01", "AC01", "AC01"},
	CodeIBANInvalid:         {"AC01", "AC01", "AC01"},
	CodeBankCodeRequired:    {"RC02", "RC03", "RC04"},
	CodeBankCodeInvalid:     {"RC02", "RC03", "RC04"},
	CodeCountryInvalid:      {"BE12", "BE13", "BE14"},
}

// partyFieldError completes fe with the full path of sub under field and the
// reason for role.
func partyFieldError(field, sub string, role partyRole, fe *FieldError) *FieldError {
	fe.Field = sub
	if field != "" {
		fe.Field = field + "." + sub
	}
	fe.Reason = partyReasons[fe.Code][role]
	return fe
}

// partyTextCodes are the codes for a missing, too long or invalid text.
type partyTextCodes struct{ required, tooLong, invalid string }

var (
	partyNameCodes    = partyTextCodes{CodePartyNameRequired, CodePartyNameTooLong, CodePartyNameInvalid}
	partyAddressCodes = partyTextCodes{"", CodePartyAddressTooLong, CodePartyAddressInvalid}
)

// partyCheckText checks a trimmed name or address (what says which).
func partyCheckText(s string, lenMax int, what string, codes partyTextCodes) *FieldError {
	switch {
	case s == "":
		return &FieldError{Code: codes.required, Detail: "the " + what + " is required"}
	case !utf8.ValidString(s):
		return &FieldError{Code: codes.invalid, Detail: "the " + what + " is not valid UTF-8"}
	case utf8.RuneCountInString(s) > lenMax:
		return &FieldError{Code: codes.tooLong, Detail: "the " + what + " is longer than " + strconv.Itoa(lenMax) + " characters"}
	}
	for _, r := range s {
		if partyRuneForbidden(r) {
			return &FieldError{Code: codes.invalid, Detail: "the " + what + " contains the control character " + partyRuneName(r)}
		}
	}
	return nil
}

// partyRuneForbidden reports whether r may not appear in a name or address.
func partyRuneForbidden(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// partyRuneName writes r as U+XXXX.
func partyRuneName(r rune) string {
	const hex = "0123456789ABCDEF"
	b := []byte("U+0000")
	for i := 5; i >= 2; i-- {
		b[i] = hex[r&0xF]
		r >>= 4
	}
	return string(b)
}

// partyCheckAccount checks a normalized account and its bank code for a bank
// in country. The returned error's Field is "account" or "bank_code".
func partyCheckAccount(account, bankCode, country string) *FieldError {
	onAccount := func(fe *FieldError) *FieldError { fe.Field = "account"; return fe }
	switch {
	case account == "":
		return onAccount(&FieldError{Code: CodeAccountRequired, Detail: "the account is required"})
	case len(account) > AccountLenMax:
		return onAccount(&FieldError{Code: CodeAccountInvalid,
			Detail: "the account is longer than " + strconv.Itoa(AccountLenMax) + " characters"})
	}
	switch country {
	case "IR":
		if !strings.HasPrefix(account, "IR") {
			return onAccount(&FieldError{Code: CodeIBANInvalid,
				Detail: "an account at a bank in Iran is an IBAN: 26 characters starting IR"})
		}
		if err := ValidateIBAN(account); err != nil {
			return onAccount(err.(*FieldError))
		}
		return nil
	case "RU":
		if !partyIsDigits(account, russianAccountLen) {
			return onAccount(&FieldError{Code: CodeAccountInvalid,
				Detail: "an account at a bank in Russia is 20 digits"})
		}
		if bankCode == "" {
			return &FieldError{Field: "bank_code", Code: CodeBankCodeRequired,
				Detail: "an account at a bank in Russia needs the BIK of its bank"}
		}
		if err := ValidateRussianAccount(account, bankCode); err != nil {
			fe := err.(*FieldError)
			if fe.Code == CodeBankCodeInvalid {
				fe.Field = "bank_code"
				return fe
			}
			return onAccount(fe)
		}
		return nil
	}
	if partyLooksLikeIBAN(account) {
		if err := ValidateIBAN(account); err != nil {
			return onAccount(err.(*FieldError))
		}
		return nil
	}
	if !partyIsAlnum(account, AccountLenMax) {
		return onAccount(&FieldError{Code: CodeAccountInvalid,
			Detail: "an account is an IBAN or 1 to 34 ASCII letters and digits"})
	}
	return nil
}

// partyLooksLikeIBAN reports whether s, without spaces, starts as an IBAN
// does: two letters (of either case) and two digits.
func partyLooksLikeIBAN(s string) bool {
	return len(s) >= 4 && partyIsLetter(s[0]) && partyIsLetter(s[1]) &&
		partyIsDigit(s[2]) && partyIsDigit(s[3])
}

func partyIsLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func partyIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// partyIsDigits reports whether s is exactly n ASCII digits.
func partyIsDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if !partyIsDigit(s[i]) {
			return false
		}
	}
	return true
}

// partyIsAlnum reports whether s is 1 to lenMax ASCII letters and digits.
func partyIsAlnum(s string, lenMax int) bool {
	if len(s) == 0 || len(s) > lenMax {
		return false
	}
	for i := range len(s) {
		if !partyIsLetter(s[i]) && !partyIsDigit(s[i]) {
			return false
		}
	}
	return true
}

// NormalizeIBAN returns s in the IBAN's electronic format: spaces (of the
// print format, "IR06 2960 ...") removed and ASCII letters upper-cased. It
// does not validate; ValidateIBAN does.
func NormalizeIBAN(s string) string {
	b := make([]byte, 0, len(s))
	for i := range len(s) {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// ibanLenMin is the length of the shortest IBAN in the SWIFT IBAN registry
// (Norway's).
const ibanLenMin = 15

// ibanLengths holds the IBAN length the SWIFT IBAN registry gives the
// corridor's countries and their main correspondents; an IBAN of another
// country is checked for its structure and check digits only.
var ibanLengths = map[string]int{
	"AE": 23, "AZ": 28, "BY": 28, "CH": 21, "DE": 22, "FR": 27,
	"GB": 22, "IR": 26, "KZ": 20, "TR": 26,
}

// ValidateIBAN checks s, after NormalizeIBAN, as an ISO 13616 IBAN: a
// country code of ISO 3166-1, two check digits (02 to 98) and a BBAN of
// ASCII letters and digits, ibanLenMin to AccountLenMax characters in all
// (exactly the registry's length for the countries this package knows; an
// Iranian BBAN is 22 digits), whose ISO 7064 MOD 97-10 remainder is 1. It
// returns nil or a *FieldError with no Field, Code CodeIBANInvalid and Reason
// AC01.
func ValidateIBAN(s string) error {
	n := NormalizeIBAN(s)
	fail := func(detail string) error {
		return &FieldError{Code: CodeIBANInvalid, Reason: "AC01", Detail: detail}
	}
	if len(n) < ibanLenMin || len(n) > AccountLenMax {
		return fail("an IBAN has 15 to 34 characters")
	}
	if !partyLooksLikeIBAN(n) || !partyCountryKnown(n[:2]) {
		return fail("an IBAN starts with an ISO 3166 country code and two check digits")
	}
	if want, ok := ibanLengths[n[:2]]; ok && len(n) != want {
		return fail("an IBAN of " + n[:2] + " has " + strconv.Itoa(want) + " characters")
	}
	if !partyIsAlnum(n, AccountLenMax) {
		return fail("an IBAN has ASCII letters and digits only")
	}
	if n[:2] == "IR" && !partyIsDigits(n[4:], 22) {
		return fail("an Iranian IBAN has 22 digits after IR and the check digits")
	}
	// 98 minus a remainder mod 97 is 2 to 98: 00, 01 and 99 pass the
	// remainder test below (as 97, 98 and 02 would) but are never issued.
	if cd := n[2:4]; cd == "00" || cd == "01" || cd == "99" {
		return fail("the IBAN's check digits are out of range")
	}
	if ibanMod97(n[4:]+n[:4]) != 1 {
		return fail("the IBAN's check digits do not match")
	}
	return nil
}

// ibanMod97 returns s mod 97, with each letter read as two digits (A = 10 to
// Z = 35), for upper-case ASCII letters and digits.
func ibanMod97(s string) int {
	r := 0
	for i := range len(s) {
		c := s[i]
		if partyIsDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// russianAccountLen and russianBIKLen are the lengths of a Russian account
// number and of a BIK.
const (
	russianAccountLen = 20
	russianBIKLen     = 9
)

// ValidateRussianAccount checks account, a Russian bank account number of 20
// digits, against bik, the 9-digit BIK of the bank that holds it, by the Bank
// of Russia's control key (the account's 9th digit).
//
// The key is checked over 23 digits: a 3-digit prefix, then the account. Each
// digit is multiplied by 7, 1, 3, 7, 1, 3, ... and the last digits of the
// products must add up to a multiple of 10. The prefix says where the account
// is held:
//
//   - at a credit institution: the BIK's last three digits, the
//     institution's conditional number (050 to 999);
//   - at a division of the Bank of Russia: "0" and the BIK's 5th and 6th
//     digits. That is any account under a BIK of the Bank of Russia or of the
//     Federal Treasury (a BIK that does not start with 04, Russia's code in
//     the BIKs of credit institutions, or whose last three digits are 000 to
//     049), and a credit institution's correspondent account with the Bank
//     of Russia (balance account 30101), checked against the institution's
//     own BIK.
//
// A Treasury account (starting 03, under a Treasury BIK starting 00) is
// numbered by the Treasury, not by the Bank of Russia's chart of accounts,
// carries no control key, and is checked for its 20 digits only.
//
// It returns nil or a *FieldError with no Field: Code CodeAccountInvalid
// (Reason AC01) for an account that is not 20 digits or whose key does not
// match, CodeBankCodeInvalid (Reason RC02) for a BIK that is not 9 digits.
func ValidateRussianAccount(account, bik string) error {
	if !partyIsDigits(account, russianAccountLen) {
		return &FieldError{Code: CodeAccountInvalid, Reason: "AC01", Detail: "a Russian account is 20 digits"}
	}
	if !partyIsDigits(bik, russianBIKLen) {
		return &FieldError{Code: CodeBankCodeInvalid, Reason: "RC02", Detail: "a BIK is 9 digits"}
	}
	if strings.HasPrefix(bik, "00") && strings.HasPrefix(account, "03") {
		return nil
	}
	if russianKeySum(russianKeyPrefix(account, bik)+account)%10 != 0 {
		return &FieldError{Code: CodeAccountInvalid, Reason: "AC01",
			Detail: "the account's control key does not match BIK " + bik}
	}
	return nil
}

// russianKeyPrefix returns the three digits put before account to check its
// key against bik.
func russianKeyPrefix(account, bik string) string {
	atBankOfRussia := !strings.HasPrefix(bik, "04") || bik[6:9] < "050" ||
		strings.HasPrefix(account, "30101")
	if atBankOfRussia {
		return "0" + bik[4:6]
	}
	return bik[6:9]
}

// russianKeyWeights are the Bank of Russia's weights, repeated over the
// 23 digits.
var russianKeyWeights = [3]int{7, 1, 3}

// russianKeySum returns the sum of the last digits of each digit of s times
// its weight.
func russianKeySum(s string) int {
	sum := 0
	for i := range len(s) {
		sum += int(s[i]-'0') * russianKeyWeights[i%3] % 10
	}
	return sum
}

// partyCountryCodes lists the 249 officially assigned ISO 3166-1 alpha-2
// codes, sorted.
const partyCountryCodes = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ " +
	"BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS " +
	"GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
	"SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW"

// partyCountries is partyCountryCodes as a set.
var partyCountries = func() map[string]bool {
	set := make(map[string]bool, 249)
	for _, c := range strings.Fields(partyCountryCodes) {
		set[c] = true
	}
	return set
}()

// partyCountryKnown reports whether code is an officially assigned ISO
// 3166-1 alpha-2 code, in upper case.
func partyCountryKnown(code string) bool { return partyCountries[code] }

package payments_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"astara/payments"
)

// MustIBANFor returns the IBAN of country and bban with its check digits
// computed here, independently of the package: 98 minus (BBAN, country, "00"
// with letters as 10 to 35) mod 97.
func MustIBANFor(tb testing.TB, country, bban string) string {
	tb.Helper()
	return country + partyTestCheckDigits(tb, country, bban) + bban
}

func partyTestCheckDigits(tb testing.TB, country, bban string) string {
	tb.Helper()
	var digits strings.Builder
	for _, c := range bban + country + "00" {
		switch {
		case c >= '0' && c <= '9':
			digits.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			digits.WriteString(strconv.Itoa(int(c-'A') + 10))
		default:
			tb.Fatalf("MustIBANFor(%q, %q): %q is not an upper-case letter or digit", country, bban, c)
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	if !ok {
		tb.Fatalf("MustIBANFor(%q, %q): bad digits", country, bban)
	}
	r := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return strconv.FormatInt(98-r+100, 10)[1:]
}

// MustRussianAccountFor returns account, 20 digits whose 9th (the control
// key) is a placeholder, with the key that makes it valid after prefix (the
// 3 digits the Bank of Russia puts before it), computed here: with the key
// set to 0, the key is 3 times the last digit of the weighted sum, mod 10.
func MustRussianAccountFor(tb testing.TB, prefix, account string) string {
	tb.Helper()
	if len(prefix) != 3 || len(account) != 20 {
		tb.Fatalf("MustRussianAccountFor(%q, %q): want 3 and 20 digits", prefix, account)
	}
	s := []byte(prefix + account)
	s[3+8] = '0'
	weights := []int{7, 1, 3}
	sum := 0
	for i, c := range s {
		sum += int(c-'0') * weights[i%3]
	}
	key := (sum % 10) * 3 % 10
	b := []byte(account)
	b[8] = byte('0' + key)
	return string(b)
}

func TestValidateIBAN(t *testing.T) {
	// Examples from the SWIFT IBAN registry, and IBANs built here.
	valid := []struct{ rule, iban string }{
		{"GB registry example", "GB82WEST12345698765432"},
		{"DE registry example", "DE89370400440532013000"},
		{"FR registry example with a letter in the BBAN", "FR1420041010050500013M02606"},
		{"CH registry example", "CH9300762011623852957"},
		{"AE registry example", "AE070331234567890123456"},
		{"TR registry example", "TR330006100519786457841326"},
		{"KZ registry example", "KZ86125KZT5004100100"},
		{"BY registry example", "BY13NBRB3600900000002Z00AB00"},
		{"AZ registry example", "AZ21NABZ00000000137010001944"},
		{"NO registry example is the shortest", "NO9386011117947"},
		{"IR built here", MustIBANFor(t, "IR", "0170000000100324200001")},
		{"IR of another bank", MustIBANFor(t, "IR", "0550000000000000000001")},
		{"country without a known length, at AccountLenMax", MustIBANFor(t, "LC", "HEMM00010001001200120002301500")},
		{"print format with spaces", "GB82 WEST 1234 5698 7654 32"},
		{"lower case", "gb82west12345698765432"},
	}
	for _, tt := range valid {
		t.Run(tt.rule, func(t *testing.T) {
			if err := payments.ValidateIBAN(tt.iban); err != nil {
				t.Fatalf("ValidateIBAN(%q) = %v, want nil", tt.iban, err)
			}
		})
	}

	invalid := []struct{ rule, iban string }{
		{"empty", ""},
		{"one check digit off", "GB83WEST12345698765432"},
		{"two digits swapped", "GB82WEST12345698765423"},
		{"one below the shortest", "NO938601111794"},
		{"one past AccountLenMax", MustIBANFor(t, "LC", "HEMM000100010012001200023015001")},
		{"unknown country", MustIBANFor(t, "XX", "12345678901234567890")},
		{"lower-case country is read upper-case, then the digits fail", "gb82west12345698765433"},
		{"no check digits", "GBWEST12345698765432"},
		{"DE one past its registry length", MustIBANFor(t, "DE", "3704004405320130000")},
		{"IR one short of 26", MustIBANFor(t, "IR", "017000000010032420000")},
		{"IR with a letter in the BBAN", MustIBANFor(t, "IR", "017000000010032420000A")},
		{"punctuation", "GB82-WEST-1234-5698-7654-32"},
		{"tab is not a space", "GB82\tWEST12345698765432"},
	}
	for _, tt := range invalid {
		t.Run(tt.rule, func(t *testing.T) {
			err := payments.ValidateIBAN(tt.iban)
			var fe *payments.FieldError
			if !errors.As(err, &fe) || fe.Code != payments.CodeIBANInvalid || fe.Reason != "AC01" || fe.Field != "" {
				t.Fatalf("ValidateIBAN(%q) = %#v, want iban_invalid AC01", tt.iban, err)
			}
		})
	}

	// Check digits 00, 01 and 99 satisfy mod 97 when 97, 98 and 02 would,
	// but ISO 13616 never issues them.
	t.Run("check digits 00, 01 and 99 are never issued", func(t *testing.T) {
		stand := map[string]string{"97": "00", "98": "01", "02": "99"}
		for i := 0; i < 10000 && len(stand) > 0; i++ {
			bban := "01700000001003242" + strconv.Itoa(10000 + i)[1:] + "0"
			cd := partyTestCheckDigits(t, "IR", bban)
			alias, ok := stand[cd]
			if !ok {
				continue
			}
			delete(stand, cd)
			if err := payments.ValidateIBAN("IR" + cd + bban); err != nil {
				t.Fatalf("IR%s%s: %v, want valid", cd, bban, err)
			}
			if err := payments.ValidateIBAN("IR" + alias + bban); err == nil {
				t.Errorf("IR%s%s: valid, want rejected check digits %s", alias, bban, alias)
			}
		}
		if len(stand) != 0 {
			t.Fatalf("found no BBAN for check digits %v", stand)
		}
	})

	t.Run("every single-character change is rejected", func(t *testing.T) {
		iban := MustIBANFor(t, "IR", "0170000000100324200001")
		for i := 2; i < len(iban); i++ {
			for c := byte('0'); c <= '9'; c++ {
				if c == iban[i] {
					continue
				}
				bad := iban[:i] + string(c) + iban[i+1:]
				if payments.ValidateIBAN(bad) == nil {
					t.Errorf("ValidateIBAN(%q) = nil, want rejected", bad)
				}
			}
		}
	})
}

func TestNormalizeIBAN(t *testing.T) {
	for _, tt := range []struct{ rule, in, want string }{
		{"spaces removed", "IR06 2960 0000 0010 0324 2000 01", "IR062960000000100324200001"},
		{"letters upper-cased", "gb82 west 1234 5698 7654 32", "GB82WEST12345698765432"},
		{"electronic format unchanged", "DE89370400440532013000", "DE89370400440532013000"},
		{"other characters kept for ValidateIBAN to reject", "DE89-3704", "DE89-3704"},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			if got := payments.NormalizeIBAN(tt.in); got != tt.want {
				t.Fatalf("NormalizeIBAN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateRussianAccount(t *testing.T) {
	// Correspondent accounts published by the banks themselves: they are
	// held at the Bank of Russia, so their key is checked after "0" and
	// the BIK's 5th and 6th digits.
	valid := []struct{ rule, account, bik string }{
		{"Sberbank correspondent account", "30101810400000000225", "044525225"},
		{"VTB correspondent account", "30101810700000000187", "044525187"},
		{"Alfa-Bank correspondent account", "30101810200000000593", "044525593"},
		{"T-Bank correspondent account", "30101810145250000974", "044525974"},
		{"customer account at a credit institution, last three BIK digits",
			MustRussianAccountFor(t, "225", "40702810038000012345"), "044525225"},
		{"rouble account with code 643", MustRussianAccountFor(t, "974", "40817643000001234567"), "044525974"},
		{"account at a Bank of Russia division (BIK ending 000)",
			MustRussianAccountFor(t, "025", "40101810045250010041"), "044525000"},
		{"account at a Bank of Russia division (BIK ending 049)",
			MustRussianAccountFor(t, "045", "40102810000000000001"), "044545049"},
		{"credit institution numbered 050", MustRussianAccountFor(t, "050", "40702810000000000001"), "044525050"},
		{"Treasury single account under a Treasury BIK", "40102810545370000003", "004525988"},
		{"Treasury single account under a new Bank of Russia BIK", "40102810045370000002", "024501901"},
		{"Treasury single account under an old Bank of Russia BIK", "40102810545370000003", "014525000"},
		{"Treasury account carries no key", "03100643000000017300", "004525988"},
	}
	for _, tt := range valid {
		t.Run(tt.rule, func(t *testing.T) {
			if err := payments.ValidateRussianAccount(tt.account, tt.bik); err != nil {
				t.Fatalf("ValidateRussianAccount(%q, %q) = %v, want nil", tt.account, tt.bik, err)
			}
		})
	}

	account := MustRussianAccountFor(t, "225", "40702810038000012345")
	invalid := []struct{ rule, account, bik, code string }{
		{"19 digits", account[:19], "044525225", payments.CodeAccountInvalid},
		{"21 digits", account + "0", "044525225", payments.CodeAccountInvalid},
		{"a letter", account[:19] + "A", "044525225", payments.CodeAccountInvalid},
		{"key checked against another bank", account, "044525187", payments.CodeAccountInvalid},
		{"customer account checked as if at the Bank of Russia", account, "044525000", payments.CodeAccountInvalid},
		{"Treasury single account checked with the last three BIK digits",
			MustRussianAccountFor(t, "988", "40102810545370000003"), "004525988", payments.CodeAccountInvalid},
		{"a 03 account is keyed under a credit institution's BIK",
			MustRussianAccountFor(t, "025", "03100643000000017300"), "044525225", payments.CodeAccountInvalid},
		{"correspondent account checked with the last three BIK digits",
			MustRussianAccountFor(t, "225", "30101810400000000225"), "044525225", payments.CodeAccountInvalid},
		{"BIK of 8 digits", account, "04452522", payments.CodeBankCodeInvalid},
		{"BIK of 10 digits", account, "0445252250", payments.CodeBankCodeInvalid},
		{"BIK with a letter", account, "04452522X", payments.CodeBankCodeInvalid},
	}
	for _, tt := range invalid {
		t.Run(tt.rule, func(t *testing.T) {
			err := payments.ValidateRussianAccount(tt.account, tt.bik)
			var fe *payments.FieldError
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("ValidateRussianAccount(%q, %q) = %v, want %s", tt.account, tt.bik, err, tt.code)
			}
		})
	}

	// The weights 7, 1 and 3 are prime to 10, so the key catches every
	// change of one digit, in the account or in the BIK's last three.
	t.Run("every single-digit change is rejected", func(t *testing.T) {
		for i := range len(account) {
			for c := byte('0'); c <= '9'; c++ {
				if c == account[i] {
					continue
				}
				bad := account[:i] + string(c) + account[i+1:]
				if payments.ValidateRussianAccount(bad, "044525225") == nil {
					t.Errorf("ValidateRussianAccount(%q, 044525225) = nil, want rejected", bad)
				}
			}
		}
		for i := 6; i < 9; i++ {
			for c := byte('0'); c <= '9'; c++ {
				bik := "044525225"
				if c == bik[i] {
					continue
				}
				bik = bik[:i] + string(c) + bik[i+1:]
				if payments.ValidateRussianAccount(account, bik) == nil {
					t.Errorf("ValidateRussianAccount(%q, %q) = nil, want rejected", account, bik)
				}
			}
		}
	})
}

func TestValidateParty(t *testing.T) {
	irIBAN := MustIBANFor(t, "IR", "0170000000100324200001")
	ruAccount := MustRussianAccountFor(t, "225", "40702810038000012345")
	const bik = "044525225"
	ruParty := payments.Party{Name: "ООО «Волга Трейд»", Account: ruAccount, BankCode: bik, Country: "RU"}
	irParty := payments.Party{Name: "شرکت بازرگانی کاسپین", Account: irIBAN, Country: "IR"}
	with := func(p payments.Party, change func(*payments.Party)) payments.Party {
		change(&p)
		return p
	}
	spaced := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i += 4 {
			b.WriteString(s[i:min(i+4, len(s))] + " ")
		}
		return b.String()
	}

	tests := []struct {
		rule    string
		p       payments.Party
		country string // of the bank
		field   string // want, "" for valid
		code    string
	}{
		// Names.
		{"Cyrillic name", ruParty, "RU", "", ""},
		{"Persian name", irParty, "IR", "", ""},
		{"Persian name with a zero-width non-joiner", with(irParty, func(p *payments.Party) { p.Name = "می\u200cخواهم" }), "IR", "", ""},
		{"Latin name with punctuation", with(ruParty, func(p *payments.Party) { p.Name = "O'Neil & Sons, Ltd." }), "RU", "", ""},
		{"name is required", with(ruParty, func(p *payments.Party) { p.Name = "" }), "RU", "debtor.name", "party_name_required"},
		{"name of spaces is required", with(ruParty, func(p *payments.Party) { p.Name = " \t " }), "RU", "debtor.name", "party_name_required"},
		{"name at PartyNameLenMax runes", with(ruParty, func(p *payments.Party) { p.Name = strings.Repeat("Ж", payments.PartyNameLenMax) }), "RU", "", ""},
		{"name one past PartyNameLenMax runes", with(ruParty, func(p *payments.Party) { p.Name = strings.Repeat("Ж", payments.PartyNameLenMax+1) }), "RU", "debtor.name", "party_name_too_long"},
		{"name is trimmed before its length is counted", with(ruParty, func(p *payments.Party) { p.Name = "  " + strings.Repeat("a", payments.PartyNameLenMax) + "  " }), "RU", "", ""},
		{"name with a newline", with(ruParty, func(p *payments.Party) { p.Name = "Ivan\nPetrov" }), "RU", "debtor.name", "party_name_invalid"},
		{"name with NUL", with(ruParty, func(p *payments.Party) { p.Name = "Ivan\x00" }), "RU", "debtor.name", "party_name_invalid"},
		{"name with a C1 control", with(ruParty, func(p *payments.Party) { p.Name = "Ivan\u0085Petrov" }), "RU", "debtor.name", "party_name_invalid"},
		{"name with a line separator", with(ruParty, func(p *payments.Party) { p.Name = "Ivan\u2028Petrov" }), "RU", "debtor.name", "party_name_invalid"},
		{"name with a right-to-left override", with(ruParty, func(p *payments.Party) { p.Name = "\u202Evortep navI" }), "RU", "debtor.name", "party_name_invalid"},
		{"name with a bidirectional isolate", with(irParty, func(p *payments.Party) { p.Name = "\u2067کاسپین\u2069" }), "IR", "debtor.name", "party_name_invalid"},
		{"name not UTF-8", with(ruParty, func(p *payments.Party) { p.Name = "Ivan \xff" }), "RU", "debtor.name", "party_name_invalid"},

		// Accounts at a bank in Iran.
		{"IR IBAN in print format", with(irParty, func(p *payments.Party) { p.Account = spaced(irIBAN) }), "IR", "", ""},
		{"IR IBAN in lower case", with(irParty, func(p *payments.Party) { p.Account = strings.ToLower(irIBAN) }), "IR", "", ""},
		{"IR IBAN with wrong check digits", with(irParty, func(p *payments.Party) { p.Account = "IR00" + irIBAN[4:] }), "IR", "debtor.account", "iban_invalid"},
		{"IR account must be an IR IBAN", with(irParty, func(p *payments.Party) { p.Account = "DE89370400440532013000" }), "IR", "debtor.account", "iban_invalid"},
		{"IR account must be an IBAN", with(irParty, func(p *payments.Party) { p.Account = "0100324200001" }), "IR", "debtor.account", "iban_invalid"},
		{"account is required", with(irParty, func(p *payments.Party) { p.Account = "" }), "IR", "debtor.account", "account_required"},
		{"account of spaces is required", with(irParty, func(p *payments.Party) { p.Account = "   " }), "IR", "debtor.account", "account_required"},

		// Accounts at a bank in Russia.
		{"RU account with spaces", with(ruParty, func(p *payments.Party) { p.Account = ruAccount[:5] + " " + ruAccount[5:8] + " " + ruAccount[8:] }), "RU", "", ""},
		{"RU account needs the BIK", with(ruParty, func(p *payments.Party) { p.BankCode = "" }), "RU", "debtor.bank_code", "bank_code_required"},
		{"RU BIK is 9 digits", with(ruParty, func(p *payments.Party) { p.BankCode = "04452522" }), "RU", "debtor.bank_code", "bank_code_invalid"},
		{"RU BIK is digits", with(ruParty, func(p *payments.Party) { p.BankCode = "SABRRUMM" }), "RU", "debtor.bank_code", "bank_code_invalid"},
		{"RU control key must match the BIK", with(ruParty, func(p *payments.Party) { p.BankCode = "044525187" }), "RU", "debtor.account", "account_invalid"},
		{"RU account is 20 digits", with(ruParty, func(p *payments.Party) { p.Account = ruAccount[:19] }), "RU", "debtor.account", "account_invalid"},
		{"RU account is not an IBAN", with(ruParty, func(p *payments.Party) { p.Account = "DE89370400440532013000" }), "RU", "debtor.account", "account_invalid"},
		{"RU account is checked before the BIK is required", with(ruParty, func(p *payments.Party) { p.Account = "123"; p.BankCode = "" }), "RU", "debtor.account", "account_invalid"},

		// Accounts elsewhere, or at a bank of unknown country.
		{"IBAN elsewhere", payments.Party{Name: "Müller GmbH", Account: "DE89 3704 0044 0532 0130 00"}, "DE", "", ""},
		{"IBAN elsewhere is checked", payments.Party{Name: "Müller GmbH", Account: "DE88370400440532013000"}, "DE", "debtor.account", "iban_invalid"},
		{"IBAN of another country at the bank is accepted", payments.Party{Name: "Müller GmbH", Account: "GB82WEST12345698765432"}, "DE", "", ""},
		{"plain account elsewhere", payments.Party{Name: "Acme Inc", Account: "000123456789", BankCode: "021000021", Country: "US"}, "US", "", ""},
		{"plain account with letters", payments.Party{Name: "Beijing Trading", Account: "ABC123456789"}, "CN", "", ""},
		{"plain account at AccountLenMax", payments.Party{Name: "X", Account: strings.Repeat("7", payments.AccountLenMax)}, "IN", "", ""},
		{"plain account one past AccountLenMax", payments.Party{Name: "X", Account: strings.Repeat("7", payments.AccountLenMax+1)}, "IN", "debtor.account", "account_invalid"},
		{"plain account with punctuation", payments.Party{Name: "X", Account: "1234-5678"}, "IN", "debtor.account", "account_invalid"},
		{"plain account not ASCII", payments.Party{Name: "X", Account: "١٢٣٤"}, "AE", "debtor.account", "account_invalid"},
		{"bank country unknown: IBAN rules", payments.Party{Name: "X", Account: "GB82WEST12345698765432"}, "", "", ""},
		{"bank country unknown: no Russian key", payments.Party{Name: "X", Account: "40702810000000000000"}, "", "", ""},

		// Bank codes elsewhere.
		{"BIC as bank code", payments.Party{Name: "X", Account: "12345", BankCode: "DEUTDEFF500"}, "DE", "", ""},
		{"bank code at PartyBankCodeLenMax", payments.Party{Name: "X", Account: "12345", BankCode: strings.Repeat("9", payments.PartyBankCodeLenMax)}, "US", "", ""},
		{"bank code one past PartyBankCodeLenMax", payments.Party{Name: "X", Account: "12345", BankCode: strings.Repeat("9", payments.PartyBankCodeLenMax+1)}, "US", "debtor.bank_code", "bank_code_invalid"},
		{"bank code with a space", payments.Party{Name: "X", Account: "12345", BankCode: "DEUT DEFF"}, "DE", "debtor.bank_code", "bank_code_invalid"},

		// Countries of residence.
		{"residence differs from the bank's country", with(ruParty, func(p *payments.Party) { p.Country = "AM" }), "RU", "", ""},
		{"residence is optional", with(ruParty, func(p *payments.Party) { p.Country = "" }), "RU", "", ""},
		{"residence must be assigned", with(ruParty, func(p *payments.Party) { p.Country = "XK" }), "RU", "debtor.country", "country_invalid"},
		{"residence in upper case", with(ruParty, func(p *payments.Party) { p.Country = "ru" }), "RU", "debtor.country", "country_invalid"},
		{"residence is alpha-2", with(ruParty, func(p *payments.Party) { p.Country = "RUS" }), "RU", "debtor.country", "country_invalid"},

		// Addresses.
		{"address", with(irParty, func(p *payments.Party) { p.Address = "تهران، خیابان ولیعصر، پلاک ۱۲" }), "IR", "", ""},
		{"address at PartyAddressLenMax runes", with(ruParty, func(p *payments.Party) { p.Address = strings.Repeat("д", payments.PartyAddressLenMax) }), "RU", "", ""},
		{"address one past PartyAddressLenMax runes", with(ruParty, func(p *payments.Party) { p.Address = strings.Repeat("д", payments.PartyAddressLenMax+1) }), "RU", "debtor.address", "party_address_too_long"},
		{"address of spaces is no address", with(ruParty, func(p *payments.Party) { p.Address = "   " }), "RU", "", ""},
		{"address is one line", with(ruParty, func(p *payments.Party) { p.Address = "Москва\nул. Тверская, 1" }), "RU", "debtor.address", "party_address_invalid"},

		// Order.
		{"name is reported before the account", payments.Party{Account: "bad!"}, "RU", "debtor.name", "party_name_required"},
		{"account is reported before the country", with(ruParty, func(p *payments.Party) { p.Account = "1"; p.Country = "XX" }), "RU", "debtor.account", "account_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			fe := payments.ValidateParty(tt.p, "debtor", tt.country)
			switch {
			case tt.code == "" && fe != nil:
				t.Fatalf("got %v, want valid", fe)
			case tt.code == "":
				return
			case fe == nil:
				t.Fatalf("got valid, want %s at %s", tt.code, tt.field)
			case fe.Code != tt.code || fe.Field != tt.field:
				t.Fatalf("got %s at %s (%s), want %s at %s", fe.Code, fe.Field, fe.Detail, tt.code, tt.field)
			case fe.Detail == "":
				t.Fatalf("got %s with no detail", fe.Code)
			}
			// Normalizing first never changes the outcome.
			if again := payments.ValidateParty(payments.NormalizeParty(tt.p), "debtor", tt.country); again == nil || *again != *fe {
				t.Fatalf("on NormalizeParty(p): got %v, want %v", again, fe)
			}
		})
	}
}

func TestValidatePartyReasons(t *testing.T) {
	ruAccount := MustRussianAccountFor(t, "225", "40702810038000012345")
	good := payments.Party{Name: "Ivan Petrov", Account: ruAccount, BankCode: "044525225"}
	tests := []struct {
		rule   string
		change func(*payments.Party)
		want   [3]string // reason for "debtor", "creditor", "party"
	}{
		{"missing name is RR02, RR03 or BE21", func(p *payments.Party) { p.Name = "" }, [3]string{"RR02", "RR03", "BE21"}},
		{"long name is BE20", func(p *payments.Party) { p.Name = strings.Repeat("x", payments.PartyNameLenMax+1) }, [3]string{"BE20", "BE20", "BE20"}},
		{"bad characters are RR10", func(p *payments.Party) { p.Name = "a\x07" }, [3]string{"RR10", "RR10", "RR10"}},
		{"wrong account is AC01", func(p *payments.Party) { p.Account = "1" }, [3]string{"AC01", "AC01", "AC01"}},
		{"missing account is AC01", func(p *payments.Party) { p.Account = "" }, [3]string{"AC01", "AC01", "AC01"}},
		{"wrong key is AC01", func(p *payments.Party) { p.BankCode = "044525187" }, [3]string{"AC01", "AC01", "AC01"}},
		{"missing BIK is RC03, RC04 or RC02", func(p *payments.Party) { p.BankCode = "" }, [3]string{"RC03", "RC04", "RC02"}},
		{"bad BIK is RC03, RC04 or RC02", func(p *payments.Party) { p.BankCode = "1" }, [3]string{"RC03", "RC04", "RC02"}},
		{"bad residence is BE13, BE14 or BE12", func(p *payments.Party) { p.Country = "ZZ" }, [3]string{"BE13", "BE14", "BE12"}},
		{"long address is BE07, BE04 or none", func(p *payments.Party) { p.Address = strings.Repeat("x", payments.PartyAddressLenMax+1) }, [3]string{"BE07", "BE04", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := good
			tt.change(&p)
			for i, field := range []string{"debtor", "creditor", "party"} {
				fe := payments.ValidateParty(p, field, "RU")
				if fe == nil {
					t.Fatalf("%s: got valid, want an error", field)
				}
				if fe.Reason != tt.want[i] {
					t.Errorf("%s: got reason %q for %s, want %q", field, fe.Reason, fe.Code, tt.want[i])
				}
			}
		})
	}

	t.Run("the role is the first element of the path", func(t *testing.T) {
		p := good
		p.Name = ""
		fe := payments.ValidateParty(p, "creditor.agent", "RU")
		if fe == nil || fe.Reason != "RR03" || fe.Field != "creditor.agent.name" {
			t.Fatalf("got %v, want RR03 at creditor.agent.name", fe)
		}
	})
	t.Run("an empty field gives bare names", func(t *testing.T) {
		p := good
		p.Country = "??"
		fe := payments.ValidateParty(p, "", "RU")
		if fe == nil || fe.Field != "country" || fe.Reason != "BE12" {
			t.Fatalf("got %v, want BE12 at country", fe)
		}
	})
}

func TestValidateRemittance(t *testing.T) {
	for _, ok := range []string{"", "Invoice 2026/117", "Счёт № 117 от 01.12.2026", "فاکتور ۱۱۷", strings.Repeat("д", payments.RemittanceLenMax)} {
		if fe := payments.ValidateRemittance(ok); fe != nil {
			t.Errorf("%q: got %v, want valid", ok, fe)
		}
	}
	for _, tt := range []struct{ text, code, reason, detail string }{
		{strings.Repeat("д", payments.RemittanceLenMax+1), payments.CodeRemittanceTooLong, "", "holds 141 characters; at most 140"},
		{"Invoice \x00 7", payments.CodeRemittanceInvalid, "RR10", "U+0000"},
		{"Invoice 7\tPaid", payments.CodeRemittanceInvalid, "RR10", "U+0009"},
		{"Invoice 7\r\nPaid", payments.CodeRemittanceInvalid, "RR10", "U+000D"},
		{"Invoice \u2028", payments.CodeRemittanceInvalid, "RR10", "U+2028"},
		{"Invoice \u202e7 ecioval", payments.CodeRemittanceInvalid, "RR10", "U+202E"},
		{"Invoice \xff", payments.CodeRemittanceInvalid, "RR10", "not valid UTF-8"},
	} {
		fe := payments.ValidateRemittance(tt.text)
		if fe == nil || fe.Field != "remittance_information" || fe.Code != tt.code || fe.Reason != tt.reason || !strings.Contains(fe.Detail, tt.detail) {
			t.Errorf("%q: got %+v, want %s (%q) at remittance_information, naming %q", tt.text, fe, tt.code, tt.reason, tt.detail)
		}
	}
}

func TestNormalizeParty(t *testing.T) {
	in := payments.Party{Name: "  Ivan Petrov \n", Account: "ir06 2960 0000 0010 0324 2000 01", BankCode: "x", Country: "ir", Address: " Tehran "}
	want := payments.Party{Name: "Ivan Petrov", Account: "IR062960000000100324200001", BankCode: "x", Country: "ir", Address: "Tehran"}
	t.Run("trims text, formats the IBAN, keeps codes exact", func(t *testing.T) {
		if got := payments.NormalizeParty(in); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("is idempotent", func(t *testing.T) {
		if got := payments.NormalizeParty(want); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("removes spaces from other accounts but keeps their case", func(t *testing.T) {
		got := payments.NormalizeParty(payments.Party{Account: "12 ab cd"}).Account
		if got != "12abcd" {
			t.Fatalf("got %q, want %q", got, "12abcd")
		}
	})
}

func TestFieldError(t *testing.T) {
	for _, tt := range []struct {
		rule string
		fe   payments.FieldError
		want string
	}{
		{"field, code, reason and detail", payments.FieldError{Field: "debtor.account", Code: "iban_invalid", Reason: "AC01", Detail: "the IBAN's check digits do not match"},
			"payments: debtor.account: iban_invalid (AC01): the IBAN's check digits do not match"},
		{"no field and no reason", payments.FieldError{Code: "fee_max_below_min", Detail: "the maximum fee is below the minimum"},
			"payments: fee_max_below_min: the maximum fee is below the minimum"},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			if got := tt.fe.Error(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPartyJSON(t *testing.T) {
	t.Run("optional fields are omitted", func(t *testing.T) {
		b, err := json.Marshal(payments.Party{Name: "Ivan", Account: "1"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"name":"Ivan","account":"1"}`; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
	t.Run("fields use the API's names", func(t *testing.T) {
		var p payments.Party
		in := `{"name":"n","account":"a","bank_code":"b","country":"c","address":"d"}`
		if err := json.Unmarshal([]byte(in), &p); err != nil {
			t.Fatal(err)
		}
		if want := (payments.Party{Name: "n", Account: "a", BankCode: "b", Country: "c", Address: "d"}); p != want {
			t.Fatalf("got %+v, want %+v", p, want)
		}
	})
}

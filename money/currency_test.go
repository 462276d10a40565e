package money_test

import (
	"slices"
	"strings"
	"testing"

	"astara/money"
)

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		rule     money.Rule
	}{
		{"three_upper_case_letters", "RUB", ""},
		{"lower_case_is_currency_code_syntax", "rub", money.RuleCurrencyCodeSyntax},
		{"mixed_case_is_currency_code_syntax", "Rub", money.RuleCurrencyCodeSyntax},
		{"two_letters_is_currency_code_syntax", "RU", money.RuleCurrencyCodeSyntax},
		{"four_letters_is_currency_code_syntax", "RUBL", money.RuleCurrencyCodeSyntax},
		{"empty_is_currency_code_syntax", "", money.RuleCurrencyCodeSyntax},
		{"digits_is_currency_code_syntax", "643", money.RuleCurrencyCodeSyntax},
		{"space_is_currency_code_syntax", "RU ", money.RuleCurrencyCodeSyntax},
		{"non_ascii_is_currency_code_syntax", "RÜB", money.RuleCurrencyCodeSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := money.ParseCode(tc.in)
			if got := ruleOf(err); got != tc.rule {
				t.Fatalf("ParseCode(%q) rule %q, want %q (err %v)", tc.in, got, tc.rule, err)
			}
			if err == nil && c.String() != tc.in {
				t.Errorf("ParseCode(%q).String() = %q, want %q", tc.in, c.String(), tc.in)
			}
			if err != nil && !errorsAs[*money.CurrencyError](err) {
				t.Errorf("ParseCode(%q) error %T, want *money.CurrencyError", tc.in, err)
			}
		})
	}
}

func TestCode(t *testing.T) {
	t.Run("zero_code_writes_empty", func(t *testing.T) {
		var c money.Code
		if got := c.String(); got != "" {
			t.Errorf("Code{}.String() = %q, want \"\"", got)
		}
		if _, err := c.MarshalText(); err == nil {
			t.Error("Code{}.MarshalText() succeeded, want an error")
		}
	})
	t.Run("text_round_trip", func(t *testing.T) {
		var c money.Code
		if err := c.UnmarshalText([]byte("IRR")); err != nil {
			t.Fatal(err)
		}
		b, err := c.MarshalText()
		if err != nil || string(b) != "IRR" {
			t.Errorf("MarshalText() = %q, %v, want \"IRR\", nil", b, err)
		}
		if err := c.UnmarshalText([]byte("irr")); ruleOf(err) != money.RuleCurrencyCodeSyntax {
			t.Errorf("UnmarshalText(irr) = %v, want %s", err, money.RuleCurrencyCodeSyntax)
		}
	})
	t.Run("MustCode_panics_on_bad_code", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("MustCode(\"rub\") did not panic")
			}
		}()
		money.MustCode("rub")
	})
}

func TestCurrencyTable(t *testing.T) {
	for _, want := range []money.Currency{
		{Code: money.MustCode("RUB"), Number: 643, Name: "Russian Ruble", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("IRR"), Number: 364, Name: "Iranian Rial", MinorUnits: 0, ISOMinorUnits: 2},
		{Code: money.MustCode("INR"), Number: 356, Name: "Indian Rupee", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("AZN"), Number: 944, Name: "Azerbaijan Manat", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("CNY"), Number: 156, Name: "Yuan Renminbi", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("USD"), Number: 840, Name: "US Dollar", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("EUR"), Number: 978, Name: "Euro", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("GBP"), Number: 826, Name: "Pound Sterling", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("AED"), Number: 784, Name: "UAE Dirham", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("TRY"), Number: 949, Name: "Turkish Lira", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("KZT"), Number: 398, Name: "Tenge", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("BYN"), Number: 933, Name: "Belarusian Ruble", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("AMD"), Number: 51, Name: "Armenian Dram", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("UZS"), Number: 860, Name: "Uzbekistan Sum", MinorUnits: 2, ISOMinorUnits: 2},
		{Code: money.MustCode("JPY"), Number: 392, Name: "Yen", MinorUnits: 0, ISOMinorUnits: 0},
		{Code: money.MustCode("KWD"), Number: 414, Name: "Kuwaiti Dinar", MinorUnits: 3, ISOMinorUnits: 3},
		{Code: money.MustCode("BHD"), Number: 48, Name: "Bahraini Dinar", MinorUnits: 3, ISOMinorUnits: 3},
		{Code: money.MustCode("OMR"), Number: 512, Name: "Rial Omani", MinorUnits: 3, ISOMinorUnits: 3},
	} {
		t.Run(want.Code.String(), func(t *testing.T) {
			got, ok := money.LookupCurrency(want.Code)
			if !ok || got != want {
				t.Errorf("LookupCurrency(%s) = %+v, %v, want %+v, true", want.Code, got, ok, want)
			}
		})
	}
	t.Run("IRR_counts_whole_rials_but_ISO_says_2", func(t *testing.T) {
		c := money.MustCurrency("IRR")
		if c.MinorUnits != 0 || c.ISOMinorUnits != 2 {
			t.Errorf("IRR exponents %d/%d, want 0/2", c.MinorUnits, c.ISOMinorUnits)
		}
	})
	t.Run("only_IRR_differs_from_ISO", func(t *testing.T) {
		for _, c := range money.Currencies() {
			if c.MinorUnits != c.ISOMinorUnits && c.Code != money.MustCode("IRR") {
				t.Errorf("%s: MinorUnits %d, ISOMinorUnits %d, want equal", c.Code, c.MinorUnits, c.ISOMinorUnits)
			}
		}
	})
	t.Run("Currencies_sorted_by_code_and_unique", func(t *testing.T) {
		cs := money.Currencies()
		if !slices.IsSortedFunc(cs, func(a, b money.Currency) int { return strings.Compare(a.Code.String(), b.Code.String()) }) {
			t.Errorf("Currencies() not sorted: %v", cs)
		}
		numbers := map[uint16]bool{}
		for i, c := range cs {
			if i > 0 && cs[i-1].Code == c.Code {
				t.Errorf("code %s repeated", c.Code)
			}
			if numbers[c.Number] {
				t.Errorf("number %03d repeated", c.Number)
			}
			numbers[c.Number] = true
		}
	})
	t.Run("Currencies_returns_a_copy", func(t *testing.T) {
		cs := money.Currencies()
		cs[0].MinorUnits = 9
		if got := money.Currencies()[0].MinorUnits; got == 9 {
			t.Errorf("changing the returned slice changed the table: MinorUnits %d", got)
		}
	})
	t.Run("unknown_code_is_currency_unknown", func(t *testing.T) {
		_, err := money.CurrencyByString("XXX")
		if got := ruleOf(err); got != money.RuleCurrencyUnknown {
			t.Errorf("CurrencyByString(XXX) rule %q, want %q", got, money.RuleCurrencyUnknown)
		}
		if _, ok := money.LookupCurrency(money.MustCode("XXX")); ok {
			t.Error("LookupCurrency(XXX) found a row")
		}
	})
	t.Run("malformed_code_is_currency_code_syntax", func(t *testing.T) {
		_, err := money.CurrencyByString("usd")
		if got := ruleOf(err); got != money.RuleCurrencyCodeSyntax {
			t.Errorf("CurrencyByString(usd) rule %q, want %q", got, money.RuleCurrencyCodeSyntax)
		}
	})
}

func TestCurrencyTableData(t *testing.T) {
	const header = "# version: 2026-11\ncode,number,minor_units,iso_minor_units,name\n"
	t.Run("valid_table", func(t *testing.T) {
		v, table, err := money.ParseCurrencyTable([]byte(header + "AAA,001,2,2,A\r\nBBB,002,0,2,B\n"))
		if err != nil || v != "2026-11" || len(table) != 2 {
			t.Fatalf("got %q, %v, %v, want 2026-11, two rows, nil", v, table, err)
		}
		want := money.Currency{Code: money.MustCode("BBB"), Number: 2, Name: "B", MinorUnits: 0, ISOMinorUnits: 2}
		if table[1] != want {
			t.Errorf("row 2 = %+v, want %+v", table[1], want)
		}
	})
	t.Run("embedded_table_declares_TableVersion", func(t *testing.T) {
		if money.TableVersion != "2026-11" {
			t.Errorf("TableVersion = %q, want 2026-11 (update this test with the data)", money.TableVersion)
		}
	})
	for _, tc := range []struct{ name, data string }{
		{"no_version", "code,number,minor_units,iso_minor_units,name\nAAA,001,2,2,A\n"},
		{"two_versions", "# version: 1\n" + header + "AAA,001,2,2,A\n"},
		{"no_header", "# version: 1\nAAA,001,2,2,A\n"},
		{"wrong_header", "# version: 1\ncode,number,name\nAAA,001,2,2,A\n"},
		{"no_rows", header},
		{"repeated_code", header + "AAA,001,2,2,A\nAAA,002,2,2,A\n"},
		{"out_of_order", header + "BBB,001,2,2,B\nAAA,002,2,2,A\n"},
		{"repeated_number", header + "AAA,001,2,2,A\nBBB,001,2,2,B\n"},
		{"lower_case_code", header + "aaa,001,2,2,A\n"},
		{"number_not_three_digits", header + "AAA,1,2,2,A\n"},
		{"number_zero", header + "AAA,000,2,2,A\n"},
		{"number_signed", header + "AAA,+01,2,2,A\n"},
		{"minor_units_over_4", header + "AAA,001,5,2,A\n"},
		{"iso_minor_units_not_digit", header + "AAA,001,2,x,A\n"},
		{"empty_name", header + "AAA,001,2,2,\n"},
		{"padded_name", header + "AAA,001,2,2, A\n"},
		{"too_few_fields", header + "AAA,001,2,2\n"},
		{"too_many_fields", header + "AAA,001,2,2,A,B\n"},
	} {
		t.Run(tc.name+"_rejected", func(t *testing.T) {
			v, table, err := money.ParseCurrencyTable([]byte(tc.data))
			if err == nil {
				t.Errorf("got %q, %v, nil, want an error", v, table)
			}
		})
	}
}

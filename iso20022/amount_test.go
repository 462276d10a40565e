package iso20022_test

import (
	"strings"
	"testing"

	"astara/iso20022"
	"astara/money"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		rule string
		text string
		ccy  string
		want money.Amount
		err  iso20022.Rule
	}{
		{"IRRZeroFractionIsWholeRials", "1092907500.00", "IRR", money.NewAmount(1092907500), ""},
		{"IRROneZeroFraction", "1092907500.0", "IRR", money.NewAmount(1092907500), ""},
		{"IRRWhole", "1092907500", "IRR", money.NewAmount(1092907500), ""},
		{"IRRFractionRefused", "1092907500.50", "IRR", money.Amount{}, iso20022.RuleAmountFraction},
		{"IRRSmallFractionRefused", "1.01", "IRR", money.Amount{}, iso20022.RuleAmountFraction},
		{"IRRTooManyDigits", "1092907500.000", "IRR", money.Amount{}, iso20022.RuleAmountDecimals},
		{"RUBOneDigit", "150000.5", "RUB", money.NewAmount(15000050), ""},
		{"RUBTwoDigits", "150000.55", "RUB", money.NewAmount(15000055), ""},
		{"RUBWhole", "150000", "RUB", money.NewAmount(15000000), ""},
		{"RUBTooManyDigits", "150000.555", "RUB", money.Amount{}, iso20022.RuleAmountDecimals},
		{"RUBZero", "0", "RUB", money.Amount{}, ""},
		{"LeadingZeros", "000012.30", "RUB", money.NewAmount(1230), ""},
		{"WhiteSpaceAroundCollapsed", "\n\t 12.30 \n", "RUB", money.NewAmount(1230), ""},
		{"SignRefused", "-1.00", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"PlusRefused", "+1.00", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"ExponentRefused", "1E3", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"EmptyRefused", "", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"BarePointRefused", "1.", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"LeadingPointRefused", ".5", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"GroupingRefused", "1,000.00", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"InnerSpaceRefused", "1 000", "RUB", money.Amount{}, iso20022.RuleAmountSyntax},
		{"ArabicDigitsRefused", "۱۲۳", "IRR", money.Amount{}, iso20022.RuleAmountSyntax},
		{"UnknownCurrency", "1.00", "XYZ", money.Amount{}, iso20022.RuleCurrencyUnknown},
		{"MalformedCurrency", "1.00", "rub", money.Amount{}, iso20022.RuleCurrencyUnknown},
		{"EighteenDigits", "9999999999999999.99", "RUB", money.AmountFromParts(0, 999999999999999999), ""},
		{"NineteenDigits", "99999999999999999.99", "RUB", money.Amount{}, iso20022.RuleAmountTooLarge},
		{"MaxUint128", "3402823669209384634633746074317682114.55", "RUB", money.Amount{}, iso20022.RuleAmountTooLarge},
		{"Overflow128", "340282366920938463463374607431768211456", "IRR", money.Amount{}, iso20022.RuleAmountOverflow},
		{"OverflowHuge", "99999999999999999999999999999999999999999999999999999999999999999999", "IRR", money.Amount{}, iso20022.RuleAmountOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, c, err := iso20022.ParseAmount(tt.text, tt.ccy)
			if ruleOf(err) != tt.err {
				t.Fatalf("ParseAmount(%q, %s): error %v, want rule %q", tt.text, tt.ccy, err, tt.err)
			}
			if err != nil {
				return
			}
			if got != tt.want || c.Code.String() != tt.ccy {
				t.Errorf("ParseAmount(%q, %s) = %v %s, want %v %s", tt.text, tt.ccy, got, c, tt.want, tt.ccy)
			}
		})
	}
}

func TestParseAmountFractionErrorSaysRialHasNoFraction(t *testing.T) {
	_, _, err := iso20022.ParseAmount("1092907500.50", "IRR")
	if err == nil {
		t.Fatal("got nil, want an error")
	}
	if got, want := err.Error(), "a rial has no fraction"; !strings.Contains(got, want) {
		t.Errorf("error %q, want it to say %q", got, want)
	}
}

func TestFormatAmount(t *testing.T) {
	irr, rub := money.MustCurrency("IRR"), money.MustCurrency("RUB")
	tests := []struct {
		rule string
		a    money.Amount
		c    money.Currency
		want string
		err  iso20022.Rule
	}{
		{"IRRWholeRials", money.NewAmount(1092907500), irr, "1092907500", ""},
		{"RUBKopecks", money.NewAmount(15000050), rub, "150000.50", ""},
		{"RUBZero", money.Amount{}, rub, "0.00", ""},
		{"EighteenDigits", money.NewAmount(999999999999999999), irr, "999999999999999999", ""},
		{"NineteenDigits", money.NewAmount(1000000000000000000), irr, "", iso20022.RuleAmountTooLarge},
		{"NineteenDigitsRUB", money.NewAmount(1000000000000000000), rub, "", iso20022.RuleAmountTooLarge},
		{"Max128", money.AmountMax, rub, "", iso20022.RuleAmountTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := iso20022.FormatAmount(tt.a, tt.c)
			if ruleOf(err) != tt.err {
				t.Fatalf("FormatAmount(%v, %s): error %v, want rule %q", tt.a, tt.c, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("FormatAmount(%v, %s) = %q, want %q", tt.a, tt.c, got, tt.want)
			}
			if err != nil {
				return
			}
			back, _, err := iso20022.ParseAmount(got, tt.c.Code.String())
			if err != nil || back != tt.a {
				t.Errorf("ParseAmount(FormatAmount) = %v, %v; want %v", back, err, tt.a)
			}
		})
	}
}

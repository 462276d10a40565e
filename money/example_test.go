package money_test

import (
	"fmt"

	"astara/money"
)

func ExampleParseAmount() {
	rub := money.MustCurrency("RUB")
	a, err := money.ParseAmount("20000000.00", rub)
	fmt.Println(a, err)

	_, err = money.ParseAmount("1.234", rub)
	rule, _ := money.RuleOf(err)
	fmt.Println(rule)
	// Output:
	// 2000000000 <nil>
	// amount_too_many_decimals
}

func ExampleConvert() {
	rub, irr := money.MustCurrency("RUB"), money.MustCurrency("IRR")
	a, _ := money.ParseAmount("150000.00", rub)
	rate := money.MustRate("523.40") // IRR per RUB

	fee, _ := money.Percent(a, money.MustRate("1.00"), money.RoundUp)
	credit, _ := money.Convert(a, rub, rate, irr, money.RoundDown)
	fmt.Println("fee", money.FormatAmount(fee, rub), "RUB")
	fmt.Println("credit", money.FormatAmount(credit, irr), "IRR at", rate)
	// Output:
	// fee 1500.00 RUB
	// credit 78510000 IRR at 523.4
}

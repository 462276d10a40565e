package money_test

import (
	"testing"

	"astara/money"
)

var (
	sinkAmount money.Amount
	sinkString string
)

func BenchmarkParseAmount(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"published_limit", "20000000.00"},
		{"max", "3402823669209384634633746074317682114.55"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a, err := money.ParseAmount(bc.in, rub)
				if err != nil {
					b.Fatal(err)
				}
				sinkAmount = a
			}
		})
	}
}

func BenchmarkFormatAmount(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   money.Amount
	}{
		{"published_limit", money.NewAmount(2_000_000_000)},
		{"max", money.AmountMax},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = money.FormatAmount(bc.in, rub)
			}
		})
	}
}

func BenchmarkConvert(b *testing.B) {
	a, r := MustAmount(b, "150000.00", rub), MustRate(b, "523.4")
	b.ReportAllocs()
	for b.Loop() {
		got, err := money.Convert(a, rub, r, irr, money.RoundHalfEven)
		if err != nil {
			b.Fatal(err)
		}
		sinkAmount = got
	}
}

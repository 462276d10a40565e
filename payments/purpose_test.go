package payments_test

import (
	"slices"
	"strings"
	"testing"

	"astara/payments"
)

func TestLookupPurpose(t *testing.T) {
	for _, tt := range []struct {
		rule, code, name string
		ok               bool
	}{
		{"trade services", "TRAD", "Trade services", true},
		{"goods", "GDDS", "Purchase or sale of goods", true},
		{"supplier payment", "SUPP", "Supplier payment", true},
		{"commercial payment", "COMC", "Commercial payment", true},
		{"electricity bill", "ELEC", "Electricity bill", true},
		{"gas bill", "GASB", "Gas bill", true},
		{"services", "SCVE", "Purchase or sale of services", true},
		{"salary", "SALA", "Salary payment", true},
		{"pension", "PENS", "Pension payment", true},
		{"study", "STDY", "Study (tuition fees)", true},
		{"medical services", "MDCS", "Medical services", true},
		{"tax", "TAXS", "Tax payment", true},
		{"charity", "CHAR", "Charity payment", true},
		{"loan", "LOAN", "Loan", true},
		{"investment", "INVS", "Investment and securities", true},
		{"intra-company", "INTC", "Intra-company payment", true},
		{"other", "OTHR", "Other", true},
		{"codes are upper case", "gdds", "", false},
		{"codes are exact", " GDDS", "", false},
		{"not an ISO code", "FAMI", "", false},
		{"empty", "", "", false},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			p, ok := payments.LookupPurpose(tt.code)
			if ok != tt.ok || p.Name != tt.name || (ok && p.Code != tt.code) {
				t.Fatalf("LookupPurpose(%q) = %+v, %t; want %q, %t", tt.code, p, ok, tt.name, tt.ok)
			}
		})
	}
}

func TestPurposes(t *testing.T) {
	list := payments.Purposes()
	t.Run("sorted by code, unique, four upper-case letters, named", func(t *testing.T) {
		for i, p := range list {
			if len(p.Code) != 4 || strings.ToUpper(p.Code) != p.Code || strings.ContainsAny(p.Code, "0123456789") {
				t.Errorf("code %q is not four upper-case letters", p.Code)
			}
			if p.Name == "" {
				t.Errorf("%s has no name", p.Code)
			}
			if i > 0 && list[i-1].Code >= p.Code {
				t.Errorf("%s follows %s", p.Code, list[i-1].Code)
			}
		}
	})
	t.Run("every listed code is found", func(t *testing.T) {
		for _, p := range list {
			if got, ok := payments.LookupPurpose(p.Code); !ok || got != p {
				t.Errorf("LookupPurpose(%q) = %+v, %t; want %+v", p.Code, got, ok, p)
			}
		}
	})
	t.Run("the caller's copy does not change the table", func(t *testing.T) {
		mine := payments.Purposes()
		mine[0].Name = "changed"
		_ = slices.Delete(mine, 0, 1)
		if got := payments.Purposes(); !slices.Equal(got, list) {
			t.Fatalf("got %v, want %v", got, list)
		}
	})
}

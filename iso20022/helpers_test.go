package iso20022_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"astara/iso20022"
	"astara/ledger"
	"astara/money"
	"astara/payments"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files")

// The fixed clock and parties of the tests.
var (
	clock      = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	switchBIC  = "ASTRRUMMXXX"
	senderBIC  = "SABRRUMMXXX"
	receiverBC = "BMJIIRTHXXX"
	testUETR   = ledger.MustParseID("3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b")
)

func header(to string) iso20022.Header {
	return iso20022.Header{From: switchBIC, To: to, CreDt: clock}
}

// testPayment is a RUB -> IRR payment from a Russian debtor to an Iranian
// creditor.
func testPayment() *payments.Payment {
	return &payments.Payment{
		UETR:          testUETR,
		Status:        payments.StatusReserved,
		Sender:        senderBIC,
		Receiver:      receiverBC,
		Source:        money.MustCode("RUB"),
		Target:        money.MustCode("IRR"),
		SourceAmount:  money.NewAmount(15000000), // 150000.00 RUB
		TargetAmount:  money.NewAmount(1092907500),
		Fee:           money.NewAmount(1500000),
		Rate:          money.MustRate("7286.05"),
		Purpose:       "EDUC",
		Remittance:    "Оплата обучения / شهریه دانشگاه & <fees>",
		EndToEndID:    "E2E-2026-0001",
		InstructionID: "SBR-INSTR-77",
		Debtor: payments.Party{Name: "Иван Петров", Account: "40817810099910004312", BankCode: "044525225",
			Country: "RU", Address: "ул. Тверская, д. 1, Москва"},
		Creditor: payments.Party{Name: "علی رضایی", Account: "IR062960000000100324200001",
			Country: "IR", Address: "خیابان ولیعصر, تهران"},
		ValueDate: "2026-03-11",
	}
}

// MustRead reads a file of testdata.
func MustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkGolden compares got with testdata/golden/name, or rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./iso20022/ -rewrite to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// xmllint returns the path of xmllint, or skips the test (fails it when
// ASTARA_REQUIRE_ALL=1).
func xmllint(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("ASTARA_REQUIRE_ALL") == "1" {
			tb.Fatal("xmllint is not installed (Debian: libxml2-utils) and ASTARA_REQUIRE_ALL=1")
		}
		tb.Skip("xmllint is not installed (Debian: libxml2-utils); schema validation skipped")
	}
	return path
}

// validate checks the Document of env against the schema of kind and its
// AppHdr against head.001.001.02.
func validate(t *testing.T, env []byte, kind string) {
	t.Helper()
	lint := xmllint(t)
	doc, err := iso20022.DocumentOf(env)
	if err != nil {
		t.Fatalf("DocumentOf: %v", err)
	}
	hdr, err := iso20022.HeaderOf(env)
	if err != nil {
		t.Fatalf("HeaderOf: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []struct {
		data []byte
		kind string
	}{{doc, kind}, {hdr, iso20022.KindHead}} {
		file := filepath.Join(dir, f.kind+".xml")
		if err := os.WriteFile(file, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		xsd := filepath.Join("testdata", "xsd", f.kind+".xsd")
		out, err := exec.Command(lint, "--noout", "--schema", xsd, file).CombinedOutput()
		if err != nil {
			t.Errorf("%s does not validate against %s: %v\n%s\n%s", f.kind, xsd, err, out, f.data)
		}
	}
}

// ruleOf returns the Rule of an *iso20022.Error, or "" for nil, or
// "not an *Error".
func ruleOf(err error) iso20022.Rule {
	if err == nil {
		return ""
	}
	var e *iso20022.Error
	if !errors.As(err, &e) {
		return "not an *Error: " + iso20022.Rule(err.Error())
	}
	return e.Rule
}

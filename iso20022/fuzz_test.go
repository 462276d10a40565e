package iso20022_test

import (
	"os"
	"path/filepath"
	"testing"

	"astara/iso20022"
)

// FuzzReadPacs008 feeds the readers arbitrary bytes: they may refuse them,
// never panic, and an accepted message keeps its transactions within
// TransactionsMax.
func FuzzReadPacs008(f *testing.F) {
	for _, dir := range []string{"samples", "golden", "variants"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			f.Add(prefixed(b))
		}
	}
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	f.Add([]byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf><GrpHdr><NbOfTxs>1</NbOfTxs></GrpHdr><CdtTrfTxInf><IntrBkSttlmAmt Ccy="IRR">1.5</IntrBkSttlmAmt></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := iso20022.ReadPacs008(data)
		if err == nil && len(ct.Transactions) > iso20022.TransactionsMax {
			t.Errorf("%d transactions accepted", len(ct.Transactions))
		}
		if err != nil {
			if _, ok := err.(*iso20022.Error); !ok {
				t.Errorf("error %T %v, want *iso20022.Error", err, err)
			}
		}
		iso20022.Split(data)
		iso20022.ReadPacs002(data)
		iso20022.ReadPacs004(data)
	})
}

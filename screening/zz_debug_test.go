package screening

import (
	"fmt"
	"testing"
)

func TestZZDebug(t *testing.T) {
	pairs := [][2]string{
		{"Mahmoud Eslami", "MOHAMMAD ESLAMI"},
		{"Hossein Salami", "HOSEIN SALIMI"},
		{"Islam Atabiyev", "ISLAM SEIT-UMAROVICH ATABIEV"},
		{"انور العولقی", "ANWAR NASSER ABDULLA AL-AULAQI"},
	}
	for _, p := range pairs {
		q, c := Normalize(p[0]), Normalize(p[1])
		fmt.Printf("%s | %s\n", p[0], p[1])
		for i := range q {
			for j := range c {
				fmt.Printf("   %-14s %-14s %.3f\n", q[i].Latin, c[j].Latin, tokenSim(&q[i], &c[j]))
			}
		}
	}
}

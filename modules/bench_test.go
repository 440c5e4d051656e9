package modules

import (
	"fmt"
	"strings"
	"testing"
)

// genSpec writes one module with n rules over n/2 collections: chains of
// tables with negation, aggregation and a channel every few collections,
// the shape of the analysis benchmark.
func genSpec(n int) []byte {
	var b strings.Builder
	colls := n / 2
	b.WriteString("modules:\n  Big:\n    state:\n")
	for i := 0; i < colls; i++ {
		switch {
		case i%10 == 0:
			fmt.Fprintf(&b, "      - channel c%d(@addr, k) => (v)\n", i)
		case i%10 == 1:
			fmt.Fprintf(&b, "      - input c%d(addr, k) => (v)\n", i)
		default:
			fmt.Fprintf(&b, "      - table c%d(addr, k) => (v)\n", i)
		}
	}
	b.WriteString("    rules:\n      all:\n")
	for i := 0; i < n; i++ {
		from, to := (i/2)%colls, (i/2+1)%colls
		if i%2 == 1 {
			to = (i/2 + 7) % colls
		}
		op := "<="
		if to%10 == 0 {
			op = "<~"
		} else if to%10 == 1 {
			to++
		}
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "        - c%d(A, K, V) %s c%d(A, K, V), notin c%d(A, K, _)\n", to, op, from, (from+3)%colls)
		case 1:
			fmt.Fprintf(&b, "        - c%d(A, K, V + 1) %s c%d(A, K, V), V < 100\n", to, op, from)
		default:
			fmt.Fprintf(&b, "        - c%d(A, K, V) %s c%d(A, K, V)\n", to, op, from)
		}
	}
	return []byte(b.String())
}

func TestGenSpecComposes(t *testing.T) {
	lib := NewLibrary()
	if ds := lib.LoadData("big.yaml", genSpec(1000)); len(ds) > 0 {
		t.Fatal(ds[:min(5, len(ds))])
	}
	p, ds := lib.Compose("big", []Ref{{Name: "Big"}})
	if len(ds) > 0 || len(p.Rules) != 1000 || len(p.Collections) != 500 {
		t.Fatalf("%d rules, %d collections, %v", len(p.Rules), len(p.Collections), ds)
	}
}

// BenchmarkLoadCompose: load and compose a generated spec of N rules.
//
//	go test ./modules -run '^$' -bench LoadCompose -benchmem
func BenchmarkLoadCompose(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		data := genSpec(n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				lib := NewLibrary()
				if ds := lib.LoadData("big.yaml", data); len(ds) > 0 {
					b.Fatal(ds[0])
				}
				if _, ds := lib.Compose("big", []Ref{{Name: "Big"}}); len(ds) > 0 {
					b.Fatal(ds[0])
				}
			}
		})
	}
}

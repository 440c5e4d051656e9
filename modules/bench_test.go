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

// genImportSpec writes depth levels of modules, each importing two
// instances of the next (2^depth leaf instances), the leaf a small store
// of three collections and two rules; every level routes its input into
// both instances and their outputs to its own.
func genImportSpec(depth int) []byte {
	var b strings.Builder
	b.WriteString("modules:\n  L0:\n    state: [input in(k) => (v), table t(k) => (v), output out(k) => (v)]\n    rules:\n      r: ['t <= in', 'out <= t']\n")
	for l := 1; l <= depth; l++ {
		fmt.Fprintf(&b, "  L%d:\n    import: {a: L%d, b: L%d}\n    state: [input in(k) => (v), output out(k) => (v)]\n", l, l-1, l-1)
		b.WriteString("    rules:\n      r: ['a.in <= in', 'b.in <= in', 'out <= a.out', 'out <= b.out']\n")
	}
	return []byte(b.String())
}

func TestGenImportSpecComposes(t *testing.T) {
	lib := NewLibrary()
	if ds := lib.LoadData("imp.yaml", genImportSpec(4)); len(ds) > 0 {
		t.Fatal(ds)
	}
	p, ds := lib.Compose("imp", []Ref{{Name: "L4"}})
	// 2+4+8+16 = 30 instances; 16 leaves of 3 collections and 2 rules,
	// 15 levels of 2 collections and 4 rules.
	if len(ds) > 0 || len(p.Instances) != 30 || len(p.Collections) != 16*3+15*2 || len(p.Rules) != 16*2+15*4 {
		t.Fatalf("%d instances, %d collections, %d rules, %v", len(p.Instances), len(p.Collections), len(p.Rules), ds)
	}
	if d := p.Collection("a.b.a.b.t"); d == nil || d.Instance != "a.b.a.b" {
		t.Errorf("deepest table: %+v", d)
	}
	// Past MaxInstances, composition stops with one error.
	lib = NewLibrary()
	lib.LoadData("imp.yaml", genImportSpec(14))
	if _, ds := lib.Compose("imp", []Ref{{Name: "L14"}}); len(ds) != 1 || !strings.Contains(ds[0].Message, "too many imported instances") {
		t.Fatalf("2^14 instances: %v", ds)
	}
}

// BenchmarkComposeImports: compose a program of 2^depth nested instances
// (each imported module composed once, then copied per instance).
//
//	go test ./modules -run '^$' -bench ComposeImports -benchmem
func BenchmarkComposeImports(b *testing.B) {
	for _, depth := range []int{6, 12} {
		lib := NewLibrary()
		if ds := lib.LoadData("imp.yaml", genImportSpec(depth)); len(ds) > 0 {
			b.Fatal(ds[0])
		}
		root := fmt.Sprintf("L%d", depth)
		b.Run(fmt.Sprintf("instances=%d", 1<<(depth+1)-2), func(b *testing.B) {
			for b.Loop() {
				if _, ds := lib.Compose("imp", []Ref{{Name: root}}); len(ds) > 0 {
					b.Fatal(ds[0])
				}
			}
		})
	}
}

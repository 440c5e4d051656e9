package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModulesGolden(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "modules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if errs != "calmcheck: no PATH and no ./calmcheck.yaml: using the built-in library\n" {
		t.Errorf("stderr %q", errs)
	}
	for _, m := range []string{"DeliveryProtocol", "BestEffortDelivery", "ReliableDelivery", "CartClientProtocol",
		"CartProtocol", "CartClient", "KVSProtocol", "BasicKVS", "DestructiveCart", "DisorderlyCart",
		"MulticastProtocol", "Multicast", "ReplicatedDisorderlyCart", "StaticMembership",
		"BestEffortMulticast", "ReliableMulticast", "ReplicatedKVS"} {
		if !strings.Contains(out, "\n"+m+" ") {
			t.Errorf("module %s not listed", m)
		}
	}
	for _, p := range []string{"basic-kvs", "cart-client", "destructive-cart", "destructive-cart-basic-kvs",
		"replicated-destructive-cart", "disorderly-cart", "replicated-disorderly-cart-abstract",
		"replicated-disorderly-cart", "replicated-disorderly-cart-reliable"} {
		if !strings.Contains(out, "\n"+p+" ") {
			t.Errorf("program %s not listed", p)
		}
	}
	golden(t, "modules.golden", []byte(out))
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "calmcheck ") {
		t.Errorf("exit %d, %q", code, out)
	}
}

func TestUserSpecsAndProjectFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "specs/mine.yaml", `modules:
  MyCart:
    doc: My own cart. It includes a built-in module by name.
    include: [CartProtocol]
    state: ['table log(session, item)']
    rules:
      keep: ["log(S, I) <= action_msg(_, _, S, I, _, _)"]
`)
	write(t, dir, "calmcheck.yaml", "specs: [specs]\nprograms:\n  mine: [MyCart, CartClient]\n")
	code, out, errs := runCLI(t, dir, "modules")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "MyCart ") || !strings.Contains(out, "specs/mine.yaml:2") || !strings.Contains(out, "mine ") {
		t.Errorf("user module and program not listed:\n%s", out)
	}
	code, _, errs = runCLI(t, dir, "lint", "--program", "mine", "--fail-on", "never")
	if code != 0 {
		t.Errorf("lint mine: exit %d: %s", code, errs)
	}
}

// TestMalformedSpecs: any malformed spec gives exit 2 and a message that
// points at the right line; never a panic or a stack trace.
func TestMalformedSpecs(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"yaml", "modules:\n  A: [\n", "bad.yaml:2:1: error: invalid YAML"},
		{"rule", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r:\n        - 't(X) <= t(X), X == #'\n", "bad.yaml:6:31: error: unexpected character \"#\" [syntax]"},
		{"unknown collection", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r: ['t(X) <= u(X)']\n", "bad.yaml:5:20: error: unknown collection u in A.r"},
		{"include cycle", "modules:\n  A: {include: [B]}\n  B: {include: [A]}\n", "bad.yaml:3:17: error: include cycle: A -> B -> A"},
		{"binary", "\x00\x01\x02", "bad.yaml:1:1: error: invalid YAML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "bad.yaml", tc.src)
			cmds := []string{"lint"}
			if tc.name == "yaml" || tc.name == "rule" || tc.name == "binary" {
				cmds = append(cmds, "modules") // load errors; modules does not compose
			}
			for _, cmd := range cmds {
				code, _, errs := runCLI(t, dir, cmd, "bad.yaml")
				if code != 2 {
					t.Errorf("%s: exit %d, want 2", cmd, code)
				}
				if !strings.Contains(errs, tc.want) {
					t.Errorf("%s: stderr\n%s\nwant it to contain %q", cmd, errs, tc.want)
				}
				if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
					t.Errorf("%s: stack trace:\n%s", cmd, errs)
				}
			}
		})
	}
	code, _, errs := runCLI(t, t.TempDir(), "lint", "missing.yaml")
	if code != 2 || !strings.Contains(errs, "missing.yaml: error: no such file or directory") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	code, _, errs = runCLI(t, "", "lint", "--program", "no-such-program")
	if code != 2 || !strings.Contains(errs, `unknown program "no-such-program"`) {
		t.Errorf("unknown program: exit %d, %s", code, errs)
	}
	code, _, errs = runCLI(t, "", "lint", "--bogus")
	if code != 2 || !strings.Contains(errs, "unknown flag: --bogus") {
		t.Errorf("unknown flag: exit %d, %s", code, errs)
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCommandLineErrorsHaveNoPosition: an error about the command line
// (an unknown --program) is not printed as a file's ("-: error: ...").
func TestCommandLineErrorsHaveNoPosition(t *testing.T) {
	for _, args := range [][]string{{"lint", "-p", "nope"}, {"dot", "-p", "nope"}, {"verify", "-p", "nope"}, {"lint", "-m", "Nope"}} {
		code, _, errs := runCLI(t, t.TempDir(), args...)
		if code != 2 || strings.Contains(errs, "-: ") || strings.Contains(errs, "calmcheck: calmcheck:") || !strings.Contains(errs, "calmcheck: error: unknown ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

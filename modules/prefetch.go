package modules

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/calmcheck/calmcheck/internal/par"
	"gopkg.in/yaml.v3"
)

// Loading a large program is mostly YAML decoding and rule parsing, which
// need nothing from other files: the files of a directory are read and
// decoded ahead, on the other cores, while the loader works through them
// in order (prefetch); and the rules and declarations of a large file are
// parsed concurrently before the loader walks its modules (preparse). The
// loader itself stays sequential, so modules, diagnostics and their order
// are those of a sequential load.

// prefetchWindow is how many files per core are decoded ahead of the one
// being loaded: it bounds the decoded trees held at once.
const prefetchWindow = 2

// prefetched is a file read and decoded ahead of its turn.
type prefetched struct {
	name string
	once sync.Once     // whoever comes first decodes: a worker, or the loader
	done chan struct{} // closed when decoded
	data []byte
	ds   Diagnostics // from reading the file
	yf   *YAMLFile
	root *yaml.Node
	sem  chan struct{} // the window: a place is held from feeding the file to a worker until the loader takes it

	mu         sync.Mutex
	fed, taken bool
	panicked   par.Group // a panic of the decoding (a bug), for the loader
}

func (p *prefetched) decode() {
	p.once.Do(func() {
		defer close(p.done)
		defer p.panicked.Recover() // re-raised by the loader (takePrefetched)
		p.data, p.ds = ReadFile(p.name)
		if p.ds == nil {
			p.yf = NewYAMLFile(p.name, p.data, "schema")
			p.root = p.yf.Decode()
		}
	})
}

// prefetch starts reading and decoding files (in order, at most
// prefetchWindow per core ahead of the loader) on other goroutines. A
// file the loader reaches before a worker does is decoded by the loader
// itself, so nested loads (a specs: entry) never wait on the window.
func (lib *Library) prefetch(files []string) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(files) < 2 {
		return
	}
	var todo []*prefetched
	sem := make(chan struct{}, prefetchWindow*workers)
	for _, f := range files {
		key := fileKey(f)
		if lib.loaded[key] || lib.pre[key] != nil {
			continue
		}
		p := &prefetched{name: f, done: make(chan struct{}), sem: sem}
		if lib.pre == nil {
			lib.pre = map[string]*prefetched{}
		}
		lib.pre[key] = p
		todo = append(todo, p)
	}
	if len(todo) < 2 {
		return
	}
	jobs := make(chan *prefetched)
	go func() {
		defer close(jobs)
		for _, p := range todo {
			sem <- struct{}{}
			p.mu.Lock()
			taken := p.taken
			p.fed = !taken
			p.mu.Unlock()
			if taken {
				<-sem // the loader got there first and decoded it
				continue
			}
			jobs <- p
		}
	}()
	for range min(workers, len(todo)) {
		go func() {
			for p := range jobs {
				p.decode()
			}
		}()
	}
}

// prefetchFiles prefetches those of paths that are spec files (a list of
// files named one by one: on the command line, in specs:); directories
// prefetch their own files when they are loaded.
func (lib *Library) prefetchFiles(paths []string) {
	var files []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			files = append(files, p)
		}
	}
	lib.prefetch(files)
}

// takePrefetched returns the prefetched decoding of the file with key, if
// there is one, decoding it now if no worker has started on it.
func (lib *Library) takePrefetched(key string) *prefetched {
	p := lib.pre[key]
	if p == nil {
		return nil
	}
	delete(lib.pre, key)
	lib.ahead.files++
	p.decode()
	<-p.done
	defer p.panicked.Wait() // a panic while decoding, raised here
	p.mu.Lock()
	p.taken = true
	fed := p.fed
	p.mu.Unlock()
	if fed {
		<-p.sem // free its place in the window
	}
	return p
}

func fileKey(name string) string {
	if abs, err := filepath.Abs(name); err == nil {
		return abs
	}
	return name
}

// minPreparse is the number of rules and declarations from which a file's
// are parsed concurrently (a variable for tests: FuzzLoadData preparses
// every input).
var minPreparse = 512

type parsedRule struct {
	r  *Rule
	ds Diagnostics
}

type parsedDecl struct {
	d  *Decl
	ds Diagnostics
}

// preparse parses the rules and state declarations of a large file
// concurrently, before the loader walks it: the walk then takes each
// result (once: a node an alias repeats is parsed again). It finds them
// where the loader will look, without reporting anything: whatever it
// misses, the loader parses as it goes.
func (l *fileLoader) preparse(root *yaml.Node) {
	if runtime.GOMAXPROCS(0) < 2 || root.Kind != yaml.MappingNode {
		return
	}
	var rules, decls []*yaml.Node
	scalar := func(n *yaml.Node) *yaml.Node {
		n = YAMLResolve(n)
		if n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			return n
		}
		return nil
	}
	value := func(m *yaml.Node, key string) *yaml.Node {
		if m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return YAMLResolve(m.Content[i+1])
			}
		}
		return nil
	}
	mods := value(root, "modules")
	if mods == nil || mods.Kind != yaml.MappingNode {
		return
	}
	for i := 1; i < len(mods.Content); i += 2 {
		mod := YAMLResolve(mods.Content[i])
		if st := value(mod, "state"); st != nil && st.Kind == yaml.SequenceNode {
			for _, n := range st.Content {
				if n = scalar(n); n != nil {
					decls = append(decls, n)
				}
			}
		}
		blocks := value(mod, "rules")
		if blocks == nil || blocks.Kind != yaml.MappingNode {
			continue
		}
		for j := 1; j < len(blocks.Content); j += 2 {
			b := YAMLResolve(blocks.Content[j])
			if b != nil && b.Kind == yaml.MappingNode {
				b = value(b, "rules")
			}
			if b == nil || b.Kind != yaml.SequenceNode {
				continue
			}
			for _, n := range b.Content {
				n = YAMLResolve(n)
				if n != nil && n.Kind == yaml.MappingNode {
					n = value(n, "rule")
				}
				if n = scalar(n); n != nil {
					rules = append(rules, n)
				}
			}
		}
	}
	total := len(rules) + len(decls)
	if total < minPreparse {
		return
	}
	pr := make([]parsedRule, len(rules))
	pd := make([]parsedDecl, len(decls))
	funcs := l.lib.latticeFuncs // fixed from here on: the file's lattices are loaded
	par.Chunks(total, 1, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			if k < len(rules) {
				n := rules[k]
				pr[k].r, pr[k].ds = parseRule(n.Value, l.ScalarPos(n), funcs)
			} else {
				n := decls[k-len(rules)]
				pd[k-len(rules)].d, pd[k-len(rules)].ds = ParseDecl(n.Value, l.ScalarPos(n))
			}
		}
	})
	l.rules = make(map[*yaml.Node]parsedRule, len(rules))
	for k, n := range rules {
		if _, dup := l.rules[n]; !dup {
			l.rules[n] = pr[k]
		}
	}
	l.decls = make(map[*yaml.Node]parsedDecl, len(decls))
	for k, n := range decls {
		if _, dup := l.decls[n]; !dup {
			l.decls[n] = pd[k]
		}
	}
}

// parseRule parses the rule of scalar node n, taking preparse's result if
// it has one.
func (l *fileLoader) parseRule(n *yaml.Node) (*Rule, Diagnostics) {
	if p, ok := l.rules[n]; ok {
		delete(l.rules, n)
		l.lib.ahead.parsed++
		return p.r, p.ds
	}
	return parseRule(n.Value, l.ScalarPos(n), l.lib.latticeFuncs)
}

// parseDecl parses the declaration of scalar node n, taking preparse's
// result if it has one.
func (l *fileLoader) parseDecl(n *yaml.Node) (*Decl, Diagnostics) {
	if p, ok := l.decls[n]; ok {
		delete(l.decls, n)
		l.lib.ahead.parsed++
		return p.d, p.ds
	}
	return ParseDecl(n.Value, l.ScalarPos(n))
}

package lint

import (
	"io"

	"github.com/calmcheck/calmcheck/monotonic"
)

// JSON writes the JSON report, version 2 (docs/lint-json.md documents it
// field by field and holds its JSON Schema, which a test validates the
// output against). It streams: the document's structure is indented, and
// every element of a long array (collections, rules, edges, paths,
// findings) is one compact line, encoded when it is written, so that
// memory does not grow with the output.
type JSON struct {
	ToolVersion string
	// Sections are top-level keys written after the summary, in order
	// (calmcheck verify adds "verification").
	Sections []Section

	w *errWriter
	n int
}

// Section is an extra top-level key of the JSON report.
type Section struct {
	Key   string
	Value any
}

func (f *JSON) Start(w io.Writer, r *Report) error {
	f.w, f.n = &errWriter{w: w}, 0
	f.w.Write([]byte{'{'})
	f.w.key(1, "version", true)
	f.w.value(1, JSONVersion)
	f.w.key(1, "tool", false)
	f.w.value(1, JSONTool{Name: "calmcheck", Version: f.ToolVersion})
	f.w.key(1, "programs", false)
	f.w.Write([]byte{'['})
	return f.w.err
}

func (f *JSON) Program(w io.Writer, pr *Program) error {
	e := f.w
	e.element(2, f.n)
	f.n++
	x := newProgramDoc(pr)
	const d = 3 // the program's keys
	e.Write([]byte{'{'})
	e.key(d, "name", true)
	e.value(d, x.p.Name)
	if x.p.Doc != "" {
		e.key(d, "doc", false)
		e.value(d, x.p.Doc)
	}
	e.key(d, "roots", false)
	e.compact(x.roots())
	e.key(d, "modules", false)
	e.compact(x.modules())
	e.key(d, "collections", false)
	e.lines(d, len(x.g.Nodes), func(s *errWriter, b []byte, i int) []byte {
		c := x.collection(i)
		return s.appendCollection(b, &c)
	})
	e.key(d, "rules", false)
	e.lines(d, len(x.p.Rules), func(s *errWriter, b []byte, i int) []byte {
		r := toJSONRule(x.p.Rules[i])
		return s.appendRule(b, &r)
	})
	e.key(d, "edges", false)
	e.lines(d, len(x.g.Edges), func(s *errWriter, b []byte, i int) []byte {
		ed := x.edge(i)
		return s.appendEdge(b, &ed)
	})
	e.key(d, "sources", false)
	e.compact(x.sources())
	e.key(d, "sinks", false)
	e.compact(x.sinks())
	e.key(d, "underspecified", false)
	us := x.underspecified()
	e.array(d, len(us), func(i int) any { return us[i] })
	e.key(d, "paths", false)
	ranges := outputRanges(x.res)
	e.lines(d, len(ranges), func(s *errWriter, b []byte, i int) []byte {
		st, _ := s.local.(*pathsState)
		if st == nil {
			st = &pathsState{}
			s.local = st
		}
		vs := x.res.Verdicts[ranges[i][0]:ranges[i][1]]
		p := x.pathsOf(vs[0].To, st.gr.group(vs, true), &st.coords)
		return s.appendPaths(b, &p)
	})
	if cs := x.coordination(); cs != nil {
		e.key(d, "coordination", false)
		e.array(d, len(cs), func(i int) any { return cs[i] })
	}
	if ss := x.seals(); ss != nil {
		e.key(d, "seals", false)
		e.array(d, len(ss), func(i int) any { return ss[i] })
	}
	if cs := x.contracts(); cs != nil {
		e.key(d, "contracts", false)
		e.array(d, len(cs), func(i int) any { return cs[i] })
	}
	if is := x.instances(); is != nil {
		e.key(d, "instances", false)
		e.array(d, len(is), func(i int) any { return is[i] })
	}
	sets, idx := inputSets(pr.Findings)
	if len(sets) > 0 {
		e.key(d, "input_sets", false)
		e.lines(d, len(sets), func(s *errWriter, b []byte, i int) []byte { return s.appendStrings(b, sets[i]) })
	}
	e.key(d, "findings", false)
	f.findings(d, pr.Findings, idx)
	e.Write([]byte("\n    }"))
	return e.err
}

// pathsState is what writing paths keeps per goroutine.
type pathsState struct {
	gr     grouper
	coords map[int]JSONCoord // the coordinates' descriptions, by edge
}

// findings writes findings as an array at a depth, one compact line each;
// idx gives their input sets (inputSets), nil for none.
func (f *JSON) findings(depth int, fs []monotonic.Finding, idx []int) {
	f.w.lines(depth, len(fs), func(s *errWriter, b []byte, i int) []byte {
		fillFindingJSON(&s.jf, &fs[i])
		if idx != nil && idx[i] >= 0 {
			s.jf.Inputs, s.jf.InputSet = nil, &idx[i]
		}
		return s.appendFinding(b, &s.jf)
	})
}

func (f *JSON) End(w io.Writer, r *Report) error {
	f.w.endArray(1, f.n)
	f.w.key(1, "findings", false)
	f.findings(1, r.Workspace, nil)
	e, wn, n, x := r.Counts()
	f.w.key(1, "summary", false)
	f.w.value(1, JSONSummary{Programs: len(r.Programs), Errors: e, Warnings: wn, Notes: n, Expected: x, Baselined: r.Baselined, Failed: r.Failed()})
	for _, s := range f.Sections {
		f.w.key(1, s.Key, false)
		f.w.value(1, s.Value)
	}
	f.w.Write([]byte("\n}\n"))
	return f.w.err
}

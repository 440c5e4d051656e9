package lint

import "io"

// JSON writes the JSON report, version 1 (docs/lint-json.md documents it
// field by field and holds its JSON Schema, which a test validates the
// output against). It streams: each program is encoded when it comes.
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

func (f *JSON) Program(w io.Writer, p *Program) error {
	f.w.element(2, f.n)
	f.w.value(2, ProgramJSON(p))
	f.n++
	return f.w.err
}

func (f *JSON) End(w io.Writer, r *Report) error {
	f.w.endArray(1, f.n)
	f.w.key(1, "findings", false)
	f.w.value(1, FindingsJSON(r.Workspace))
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

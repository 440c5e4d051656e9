package lint

import (
	"strconv"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// sarifWriter is what writing results needs besides the SARIF
// formatter's settings, one per goroutine: results are written
// concurrently (errWriter.batches).
type sarifWriter struct {
	*SARIF
	w       *errWriter           // for its encoders; never written to
	scratch []byte               // appendResult's
	uris    map[string][2]string // sarifURI's results
}

// appendResult appends the SARIF result of finding x as compact JSON,
// written from the finding as it comes: byte for byte the encoding of
// f.result(x) by json.Encoder with SetEscapeHTML(false)
// (TestSARIFResultFast compares the two), without building the result's
// tree of structs, maps and strings (on a large program, hundreds of
// thousands of results with their code flows).
func (f *sarifWriter) appendResult(b []byte, x *monotonic.Finding) []byte {
	e := f.w
	b = append(b, `{"ruleId":`...)
	b = e.appendString(b, string(x.Check))
	b = append(b, `,"ruleIndex":`...)
	b = strconv.AppendInt(b, int64(f.index[x.Check]), 10)
	b = append(b, `,"level":`...)
	b = e.appendString(b, sarifLevel(x.Severity))
	b = append(b, `,"message":{"text":`...)
	f.scratch = f.scratch[:0]
	if x.Program != "" {
		f.scratch = append(append(f.scratch, x.Program...), ": "...)
	}
	f.scratch = append(f.scratch, x.Message...)
	b = appendJSONString(e, b, f.scratch)
	b = append(b, `},"locations":[`...)
	b = f.appendLoc(b, 0, x.Pos, "")
	b = append(b, `],"partialFingerprints":{"calmcheck/v1":`...)
	b = e.appendString(b, x.Fingerprint)
	b = append(b, '}')
	if rel := f.related(x); len(rel) > 0 {
		b = append(b, `,"relatedLocations":[`...)
		for i := range rel {
			if i > 0 {
				b = append(b, ',')
			}
			b = f.appendLocation(b, &rel[i])
		}
		b = append(b, ']')
	}
	if len(x.Flow) > 0 {
		b = append(b, `,"codeFlows":[{"threadFlows":[`...)
		n := 0
		for _, flow := range [][]monotonic.Step{x.Flow, x.OtherFlow} {
			if len(flow) == 0 {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, `{"locations":[`...)
			for i := range flow {
				s := &flow[i]
				if i > 0 {
					b = append(b, ',')
				}
				f.scratch = append(f.scratch[:0], s.From...)
				f.scratch = append(f.scratch, " -> "...)
				f.scratch = append(f.scratch, s.To...)
				f.scratch = append(f.scratch, " ("...)
				f.scratch = append(f.scratch, s.Op...)
				f.scratch = append(f.scratch, ')')
				if s.Note != "" {
					f.scratch = append(f.scratch, ": "...)
					f.scratch = append(f.scratch, s.Note...)
				}
				b = append(b, `{"location":`...)
				b = f.appendLocBytes(b, 0, s.Pos, f.scratch)
				b = append(b, '}')
			}
			b = append(b, "]}"...)
		}
		b = append(b, "]}]"...)
	}
	if x.Acknowledged != "" || x.Expected {
		b = append(b, `,"suppressions":[`...)
		if x.Acknowledged != "" {
			b = append(b, `{"kind":"inSource","justification":`...)
			f.scratch = append(append(f.scratch[:0], "coordinated: "...), x.Acknowledged...)
			b = appendJSONString(e, b, f.scratch)
			b = append(b, '}')
		}
		if x.Expected {
			if x.Acknowledged != "" {
				b = append(b, ',')
			}
			b = append(b, `{"kind":"external","justification":`...)
			f.scratch = append(append(f.scratch[:0], "expected by program "...), x.Program...)
			b = appendJSONString(e, b, f.scratch)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"properties":{`...)
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, name...)
	}
	if x.Program != "" {
		field(`"program":`)
		b = e.appendString(b, x.Program)
	}
	if x.Module != "" {
		field(`"module":`)
		b = e.appendString(b, x.Module)
	}
	if len(x.Collections) > 0 {
		field(`"collections":`)
		b = e.appendStrings(b, x.Collections)
	}
	if x.Expected {
		field(`"expected":true`)
	}
	return append(b, "}}"...)
}

// appendLocation appends a location as sarifLoc builds them.
func (f *sarifWriter) appendLocation(b []byte, loc *sarifLocation) []byte {
	e := f.w
	b = append(b, '{')
	if loc.ID != 0 {
		b = append(b, `"id":`...)
		b = strconv.AppendInt(b, int64(loc.ID), 10)
		b = append(b, ',')
	}
	p := loc.PhysicalLocation
	b = append(b, `"physicalLocation":{"artifactLocation":{"uri":`...)
	b = e.appendString(b, p.ArtifactLocation.URI)
	if p.ArtifactLocation.URIBaseID != "" {
		b = append(b, `,"uriBaseId":`...)
		b = e.appendString(b, p.ArtifactLocation.URIBaseID)
	}
	b = append(b, '}')
	if r := p.Region; r != nil {
		b = append(b, `,"region":{"startLine":`...)
		b = strconv.AppendInt(b, int64(r.StartLine), 10)
		if r.StartColumn != 0 {
			b = append(b, `,"startColumn":`...)
			b = strconv.AppendInt(b, int64(r.StartColumn), 10)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if loc.Message != nil {
		b = append(b, `,"message":{"text":`...)
		b = e.appendString(b, loc.Message.Text)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendLoc appends sarifLoc(pos, msg) with the given id.
func (f *sarifWriter) appendLoc(b []byte, id int, pos modules.Pos, msg string) []byte {
	return appendLocAny(f, b, id, pos, msg)
}

func (f *sarifWriter) appendLocBytes(b []byte, id int, pos modules.Pos, msg []byte) []byte {
	return appendLocAny(f, b, id, pos, msg)
}

func appendLocAny[S ~string | ~[]byte](f *sarifWriter, b []byte, id int, pos modules.Pos, msg S) []byte {
	e := f.w
	b = append(b, '{')
	if id != 0 {
		b = append(b, `"id":`...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, ',')
	}
	uri, base := f.uri(pos.File)
	b = append(b, `"physicalLocation":{"artifactLocation":{"uri":`...)
	b = e.appendString(b, uri)
	if base != "" {
		b = append(b, `,"uriBaseId":`...)
		b = e.appendString(b, base)
	}
	b = append(b, '}')
	if pos.IsValid() {
		b = append(b, `,"region":{"startLine":`...)
		b = strconv.AppendInt(b, int64(pos.Line), 10)
		if c := max(pos.Col, 1); c != 0 {
			b = append(b, `,"startColumn":`...)
			b = strconv.AppendInt(b, int64(c), 10)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if len(msg) > 0 {
		b = append(b, `,"message":{"text":`...)
		b = appendJSONString(e, b, msg)
		b = append(b, '}')
	}
	return append(b, '}')
}

// uri is sarifURI, once per file.
func (f *sarifWriter) uri(file string) (string, string) {
	if u, ok := f.uris[file]; ok {
		return u[0], u[1]
	}
	uri, base := sarifURI(file)
	if f.uris == nil {
		f.uris = map[string][2]string{}
	}
	f.uris[file] = [2]string{uri, base}
	return uri, base
}

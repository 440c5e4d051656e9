package lint

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The findings are most of a large report's JSON (hundreds of megabytes
// on generated programs of 100,000 rules), so they are written by hand
// rather than through encoding/json's reflection: byte for byte what
// json.Encoder writes with SetEscapeHTML(false) (TestFindingJSONFast
// compares the two).

// appendFinding appends x as compact JSON.
func (e *errWriter) appendFinding(b []byte, x *JSONFinding) []byte {
	b = append(b, `{"check":`...)
	b = e.appendString(b, string(x.Check))
	b = append(b, `,"severity":`...)
	b = e.appendString(b, x.Severity)
	b = append(b, `,"message":`...)
	b = e.appendString(b, x.Message)
	b = append(b, `,"file":`...)
	b = e.appendString(b, x.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(x.Line), 10)
	b = append(b, `,"column":`...)
	b = strconv.AppendInt(b, int64(x.Column), 10)
	b = append(b, `,"program":`...)
	b = e.appendString(b, x.Program)
	b = append(b, `,"module":`...)
	b = e.appendString(b, x.Module)
	b = append(b, `,"collections":`...)
	b = e.appendStrings(b, x.Collections)
	if len(x.Inputs) > 0 {
		b = append(b, `,"inputs":`...)
		b = e.appendStrings(b, x.Inputs)
	}
	if x.InputSet != nil {
		b = append(b, `,"input_set":`...)
		b = strconv.AppendInt(b, int64(*x.InputSet), 10)
	}
	if len(x.Pairs) > 0 {
		b = append(b, `,"pairs":[`...)
		for i := range x.Pairs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"from":`...)
			b = e.appendString(b, x.Pairs[i].From)
			b = append(b, `,"to":`...)
			b = e.appendString(b, x.Pairs[i].To)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"expected":`...)
	b = strconv.AppendBool(b, x.Expected)
	if x.Acknowledged != "" {
		b = append(b, `,"acknowledged":`...)
		b = e.appendString(b, x.Acknowledged)
	}
	b = append(b, `,"fingerprint":`...)
	b = e.appendString(b, x.Fingerprint)
	if len(x.Flow) > 0 {
		b = append(b, `,"flow":`...)
		b = e.appendSteps(b, x.Flow)
	}
	if len(x.OtherFlow) > 0 {
		b = append(b, `,"other_flow":`...)
		b = e.appendSteps(b, x.OtherFlow)
	}
	return append(b, '}')
}

func (e *errWriter) appendSteps(b []byte, steps []JSONStep) []byte {
	b = append(b, '[')
	for i := range steps {
		s := &steps[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"from":`...)
		b = e.appendString(b, s.From)
		b = append(b, `,"to":`...)
		b = e.appendString(b, s.To)
		b = append(b, `,"op":`...)
		b = e.appendString(b, s.Op)
		if s.Note != "" {
			b = append(b, `,"note":`...)
			b = e.appendString(b, s.Note)
		}
		b = append(b, `,"file":`...)
		b = e.appendString(b, s.File)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(s.Line), 10)
		b = append(b, `,"column":`...)
		b = strconv.AppendInt(b, int64(s.Column), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendStrings appends a list of strings (null for nil, as
// encoding/json).
func (e *errWriter) appendStrings(b []byte, xs []string) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string: between quotes as it is when
// every byte is printable ASCII other than a quote or a backslash (what
// encoding/json copies unchanged), otherwise through encoding/json.
func (e *errWriter) appendString(b []byte, s string) []byte {
	return appendJSONString(e, b, s)
}

func appendJSONString[S ~string | ~[]byte](e *errWriter, b []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return e.appendStringSlow(b, string(s))
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (e *errWriter) appendStringSlow(b []byte, s string) []byte {
	if e.senc == nil {
		e.senc = json.NewEncoder(&e.sbuf)
		e.senc.SetEscapeHTML(false)
	}
	e.sbuf.Reset()
	if err := e.senc.Encode(s); err != nil {
		if e.err == nil {
			e.err = err
		}
		return b
	}
	return append(b, bytes.TrimSuffix(e.sbuf.Bytes(), []byte("\n"))...)
}

// appendCollection, appendRule and appendEdge write a program's
// collections, rules and edges by hand too: with the findings, they are
// most of a large report (TestProgramJSONFast compares them with
// encoding/json).
func (e *errWriter) appendCollection(b []byte, x *JSONCollection) []byte {
	b = append(b, `{"name":`...)
	b = e.appendString(b, x.Name)
	b = append(b, `,"kind":`...)
	b = e.appendString(b, x.Kind)
	b = append(b, `,"module":`...)
	b = e.appendString(b, x.Module)
	if x.Instance != "" {
		b = append(b, `,"instance":`...)
		b = e.appendString(b, x.Instance)
	}
	b = append(b, `,"key":`...)
	b = e.appendStrings(b, x.Key)
	b = append(b, `,"val":`...)
	b = e.appendStrings(b, x.Val)
	if x.Every != 0 {
		b = append(b, `,"every":`...)
		b = strconv.AppendInt(b, x.Every, 10)
	}
	if x.Stratum != nil {
		b = append(b, `,"stratum":`...)
		b = strconv.AppendInt(b, int64(*x.Stratum), 10)
	}
	b = append(b, `,"file":`...)
	b = e.appendString(b, x.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(x.Line), 10)
	b = append(b, `,"column":`...)
	b = strconv.AppendInt(b, int64(x.Column), 10)
	return append(b, '}')
}

func (e *errWriter) appendRule(b []byte, x *JSONRule) []byte {
	b = append(b, `{"module":`...)
	b = e.appendString(b, x.Module)
	if x.Instance != "" {
		b = append(b, `,"instance":`...)
		b = e.appendString(b, x.Instance)
	}
	b = append(b, `,"block":`...)
	b = e.appendString(b, x.Block)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(x.Index), 10)
	b = append(b, `,"text":`...)
	b = e.appendString(b, x.Text)
	b = append(b, `,"file":`...)
	b = e.appendString(b, x.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(x.Line), 10)
	b = append(b, `,"column":`...)
	b = strconv.AppendInt(b, int64(x.Column), 10)
	return append(b, '}')
}

func (e *errWriter) appendEdge(b []byte, x *JSONEdge) []byte {
	b = append(b, `{"from":`...)
	b = e.appendString(b, x.From)
	b = append(b, `,"to":`...)
	b = e.appendString(b, x.To)
	b = append(b, `,"op":`...)
	b = e.appendString(b, x.Op)
	b = append(b, `,"temporal":`...)
	b = strconv.AppendBool(b, x.Temporal)
	b = append(b, `,"async":`...)
	b = strconv.AppendBool(b, x.Async)
	b = append(b, `,"nonmonotonic":`...)
	b = strconv.AppendBool(b, x.Nonmonotonic)
	if x.Reason != "" {
		b = append(b, `,"reason":`...)
		b = e.appendString(b, x.Reason)
	}
	b = append(b, `,"rule":`...)
	b = strconv.AppendInt(b, int64(x.Rule), 10)
	return append(b, '}')
}

// appendPaths writes an output's paths by hand (TestProgramJSONFast).
func (e *errWriter) appendPaths(b []byte, x *JSONPaths) []byte {
	b = append(b, `{"to":`...)
	b = e.appendString(b, x.To)
	b = append(b, `,"inputs":`...)
	if x.Inputs == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range x.Inputs {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendPathGroup(b, &x.Inputs[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (e *errWriter) appendPathGroup(b []byte, g *JSONPathGroup) []byte {
	b = append(b, `{"label":`...)
	b = e.appendString(b, g.Label)
	b = append(b, `,"effective":`...)
	b = e.appendString(b, g.Effective)
	if g.Covered != "" {
		b = append(b, `,"covered":`...)
		b = e.appendString(b, g.Covered)
	}
	if g.Contract {
		b = append(b, `,"contract":true`...)
	}
	if g.Stale {
		b = append(b, `,"stale":true`...)
	}
	if c := g.Coordinate; c != nil {
		b = append(b, `,"coordinate":`...)
		b = e.appendCoord(b, c)
	}
	b = append(b, `,"from":`...)
	b = e.appendStrings(b, g.From)
	return append(b, '}')
}

func (e *errWriter) appendCoord(b []byte, c *JSONCoord) []byte {
	b = append(b, `{"collection":`...)
	b = e.appendString(b, c.Collection)
	b = append(b, `,"reason":`...)
	b = e.appendString(b, c.Reason)
	if c.Rule != nil {
		b = append(b, `,"rule":`...)
		b = strconv.AppendInt(b, int64(*c.Rule), 10)
	}
	if c.Contract != "" {
		b = append(b, `,"contract":`...)
		b = e.appendString(b, c.Contract)
	}
	if c.After != "" {
		b = append(b, `,"after":`...)
		b = e.appendString(b, c.After)
	}
	return append(b, '}')
}

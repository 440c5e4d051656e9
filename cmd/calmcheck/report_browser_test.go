package main

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// screenshot rewrites the README's picture of the report:
//
//	go test ./cmd/calmcheck -run TestReportInBrowser -screenshot
//
// It is not a golden file: Chromium and its fonts draw it, and their
// versions change its bytes, so no test compares it.
var screenshot = flag.Bool("screenshot", false, "write docs/img/report-replicated-disorderly-cart.png from TestReportInBrowser")

// chromium returns the Chromium to test with: $CALMCHECK_CHROMIUM, else
// /usr/bin/chromium (Debian's, which .ci/run installs), else chromium or
// google-chrome on the PATH. Without one, the test skips, except in CI
// (CI=true), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CALMCHECK_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c
		}
	}
	msg := "no Chromium: install it (apt-get install chromium) or set CALMCHECK_CHROMIUM to run the report's browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; in CI, .ci/run installs it")
	}
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context. The exceptions the pages throw and the errors they log
// (a Content Security Policy violation among them) are collected in
// problems.
func browser(t *testing.T) (ctx context.Context, problems func() []string) {
	path := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)

	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			seen = append(seen, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				seen = append(seen, "log: "+ev.Entry.Text)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				seen = append(seen, "console.error")
			}
		}
	})
	if err == nil {
		err = chromedp.Do(ctx,
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, log.Enable, cdp.Empty{})
				return err
			}),
			chromedp.EmulateViewport(1400, 900))
	}
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// TestReportInBrowser opens reports in headless Chromium: it clicks a
// collection and a finding of the replicated disorderly cart and checks
// what is highlighted and listed, filters the findings, takes a
// screenshot; and it checks that a hostile spec's names, docs and rules
// are text in the page, never markup or script.
func TestReportInBrowser(t *testing.T) {
	ctx, problems := browser(t)
	dir := t.TempDir()

	t.Run("cart", func(t *testing.T) {
		out := filepath.Join(dir, "cart.html")
		if code, _, errs := runCLI(t, dir, "report", "--program", "replicated-disorderly-cart", "--verify", "--schedules", "200", "-o", out); code != 0 {
			t.Fatalf("report: exit %d: %s", code, errs)
		}
		testCartInBrowser(t, ctx, out)
		if p := problems(); len(p) > 0 {
			t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
		}
	})
	t.Run("hostile", func(t *testing.T) {
		hdir := filepath.Join(dir, "hostile")
		writeHostileSpecs(t, hdir)
		out := filepath.Join(hdir, "hostile.html")
		if code, _, errs := runCLI(t, hdir, "report", "-o", out); code != 0 {
			t.Fatalf("report: exit %d: %s", code, errs)
		}
		before := len(problems())
		testHostileInBrowser(t, ctx, out)
		// An injected script or handler would run, or be blocked by the
		// page's policy, which the browser logs.
		if p := problems()[before:]; len(p) > 0 {
			t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
		}
	})
}

// eval evaluates a JavaScript expression in the page and decodes its
// value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%v\nin %s", err, expr)
	}
	return v
}

// do runs actions, failing the test on an error.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func testCartInBrowser(t *testing.T, ctx context.Context, file string) {
	do(t, ctx, chromedp.Navigate(fileURL(file)), chromedp.WaitVisible(chromedp.CSS(`section.program .graph-view svg`)))
	// The node of cart_action, and the edges its detail names.
	node := eval[string](t, ctx, `(() => {
		const d = [...document.querySelectorAll('.detail-collection')].find(d => d.querySelector('.name').textContent === 'cart_action');
		return d ? d.id.slice(2) : '';
	})()`)
	if node == "" {
		t.Fatal("no detail for collection cart_action")
	}
	edges := eval[[]string](t, ctx, `document.getElementById('d-`+node+`').getAttribute('data-edges').split(' ')`)
	if len(edges) < 3 {
		t.Fatalf("cart_action has %d edges, want at least 3 (from action_msg, to action_cnt twice)", len(edges))
	}

	// Click the collection.
	type nodeState struct {
		NodeHL      bool     `json:"nodeHL"`
		Stroke      string   `json:"stroke"`
		EdgesHL     []string `json:"edgesHL"`
		Focus       bool     `json:"focus"`
		PanelHidden bool     `json:"panelHidden"`
		Decl        string   `json:"decl"`
		Declared    string   `json:"declared"`
		Written     []string `json:"written"`
		Read        []string `json:"read"`
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#`+node+` text`)))
	state := eval[nodeState](t, ctx, `(() => {
		const n = document.getElementById('`+node+`');
		const d = document.getElementById('d-`+node+`');
		const lists = d.querySelectorAll('ul.rules');
		const rules = ul => ul ? [...ul.querySelectorAll('li')].map(li => li.textContent.replace(/\s+/g, ' ').trim()) : [];
		return {
			nodeHL: n.classList.contains('hl') && n.classList.contains('selected'),
			stroke: getComputedStyle(n.querySelector('polygon, ellipse')).stroke,
			edgesHL: [...document.querySelectorAll('.graph-view g.edge.hl')].map(e => e.id).sort(),
			focus: n.closest('.graph-view').classList.contains('focus'),
			panelHidden: d.hidden,
			decl: d.querySelector('code.decl').textContent,
			declared: d.querySelector('.declared').textContent,
			written: rules(lists[0]),
			read: rules(lists[1]),
		};
	})()`)
	if !state.NodeHL || !state.Focus {
		t.Errorf("after clicking cart_action: node highlighted %v, graph focused %v", state.NodeHL, state.Focus)
	}
	if state.Stroke != "rgb(26, 86, 219)" {
		t.Errorf("cart_action's outline is %s, want the selection colour rgb(26, 86, 219)", state.Stroke)
	}
	if strings.Join(state.EdgesHL, " ") != strings.Join(sorted(edges), " ") {
		t.Errorf("highlighted edges %v, want cart_action's %v", state.EdgesHL, sorted(edges))
	}
	if state.PanelHidden {
		t.Error("cart_action's detail is hidden")
	}
	if state.Decl != "table cart_action(session, item, action, reqid)" || !strings.Contains(state.Declared, "module DisorderlyCart specs/cart.yaml:") {
		t.Errorf("declaration %q, %q", state.Decl, state.Declared)
	}
	wantRule := func(list []string, text, pos string) {
		t.Helper()
		for _, r := range list {
			if strings.Contains(r, text) && strings.Contains(r, pos) {
				return
			}
		}
		t.Errorf("no rule %q at %s in %q", text, pos, list)
	}
	wantRule(state.Written, "cart_action(S, I, A, R) <= action_msg(_, _, S, I, A, R)", specLine(t, "cart.yaml", "cart_action(S, I, A, R) <= action_msg(_, _, S, I, A, R)")+":")
	wantRule(state.Read, "action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)", specLine(t, "cart.yaml", "action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)")+":")
	wantRule(state.Read, "nonmonotonic: notin", specLine(t, "cart.yaml", "notin cart_action(S, I, \"D\", _)")+":")

	// Click the missing-coordination finding.
	type findingState struct {
		Nodes     []string `json:"nodes"`
		Edges     []string `json:"edges"`
		NodesHL   []string `json:"nodesHL"`
		EdgesHL   []string `json:"edgesHL"`
		Names     []string `json:"names"`
		Selected  bool     `json:"selected"`
		Detail    bool     `json:"detail"`
		Flow      int      `json:"flow"`
		OldHidden bool     `json:"oldHidden"`
	}
	row := `tr.finding[data-check="missing-coordination"]`
	do(t, ctx, chromedp.Click(chromedp.CSS(row+` td.check`)))
	fstate := eval[findingState](t, ctx, `(() => {
		const r = document.querySelector('`+row+`');
		const d = document.getElementById(r.getAttribute('data-detail'));
		return {
			nodes: r.getAttribute('data-nodes').split(' ').sort(),
			edges: r.getAttribute('data-edges').split(' ').sort(),
			nodesHL: [...document.querySelectorAll('.graph-view g.node.hl')].map(e => e.id).sort(),
			edgesHL: [...document.querySelectorAll('.graph-view g.edge.hl')].map(e => e.id).sort(),
			names: [...document.querySelectorAll('.graph-view g.node.hl')].map(n => document.getElementById('d-' + n.id).querySelector('.name').textContent).sort(),
			selected: r.classList.contains('selected'),
			detail: !d.hidden,
			flow: d.querySelectorAll('ol.flow li').length,
			oldHidden: document.getElementById('d-`+node+`').hidden,
		};
	})()`)
	// The collections the finding names, and those of its flow.
	if got, want := strings.Join(fstate.Names, " "), "action_cnt action_msg cart_action client_action client_response response_msg status"; got != want {
		t.Errorf("after clicking the finding, highlighted collections %q, want %q", got, want)
	}
	if strings.Join(fstate.NodesHL, " ") != strings.Join(fstate.Nodes, " ") || strings.Join(fstate.EdgesHL, " ") != strings.Join(fstate.Edges, " ") {
		t.Errorf("highlighted %v %v, the finding names %v %v", fstate.NodesHL, fstate.EdgesHL, fstate.Nodes, fstate.Edges)
	}
	if len(fstate.Edges) != 6 || fstate.Flow != 6 {
		t.Errorf("the finding's flow: %d edges highlighted, %d steps listed, want 6 and 6", len(fstate.Edges), fstate.Flow)
	}
	if !fstate.Selected || !fstate.Detail || !fstate.OldHidden {
		t.Errorf("row selected %v, its detail shown %v, cart_action's hidden %v", fstate.Selected, fstate.Detail, fstate.OldHidden)
	}

	// The screenshot, with the finding selected.
	eval[chromedp.Void](t, ctx, `window.scrollTo(0, 0)`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	checkScreenshot(t, shot)
	if *screenshot {
		path := filepath.Join(filepath.Dir(testdata), "..", "..", "docs", "img", "report-replicated-disorderly-cart.png")
		if err := atomicfile.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}

	// The filter.
	type filterState struct {
		Shown int    `json:"shown"`
		Text  string `json:"text"`
	}
	counts := func() filterState {
		t.Helper()
		return eval[filterState](t, ctx, `({shown: [...document.querySelectorAll('tr.finding')].filter(r => r.offsetParent !== null).length,
			text: document.getElementById('filter-count').textContent})`)
	}
	if s := counts(); s.Shown != 5 || s.Text != "5 of 5 findings shown" {
		t.Errorf("unfiltered: %d rows shown, %q", s.Shown, s.Text)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#filter-check`), "point-of-order"))
	eval[chromedp.Void](t, ctx, `document.getElementById('filter-check').dispatchEvent(new Event('change'))`)
	if s := counts(); s.Shown != 3 || s.Text != "3 of 5 findings shown" {
		t.Errorf("point-of-order only: %d rows shown, %q", s.Shown, s.Text)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`.filter-severity[value="warning"]`)))
	if s := counts(); s.Shown != 0 || s.Text != "0 of 5 findings shown" {
		t.Errorf("no warnings: %d rows shown, %q", s.Shown, s.Text)
	}

	// The verification: a confirmed verdict highlights its collections,
	// and its witness link opens the witness, whose diagram is shown.
	type verifyState struct {
		Rows      int  `json:"rows"`
		NodesHL   int  `json:"nodesHL"`
		Open      bool `json:"open"`
		ImgWidth  int  `json:"imgWidth"`
		Confirmed int  `json:"confirmed"`
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`table.verdicts tr.v-confirmed:last-child td.verdict`)))
	do(t, ctx, chromedp.Click(chromedp.CSS(`table.verdicts tr.v-confirmed:last-child a`)))
	vstate := eval[verifyState](t, ctx, `(() => {
		const w = document.querySelector('details.witness');
		return {
			rows: document.querySelectorAll('table.verdicts tbody tr').length,
			confirmed: document.querySelectorAll('table.verdicts tr.v-confirmed').length,
			nodesHL: document.querySelectorAll('.graph-view g.node.hl').length,
			open: w.open,
			imgWidth: w.querySelector('img.spacetime').naturalWidth,
		};
	})()`)
	// 5 findings and 3 pairs; the two D pairs (the count, the checkout's
	// timing join) and the 5 findings confirmed.
	if vstate.Rows != 8 || vstate.Confirmed != 7 {
		t.Errorf("verdicts: %d rows, %d confirmed, want 8 and 7", vstate.Rows, vstate.Confirmed)
	}
	if vstate.NodesHL != 2 {
		t.Errorf("the verdict on the D pair highlights %d collections, want 2", vstate.NodesHL)
	}
	if !vstate.Open || vstate.ImgWidth == 0 {
		t.Errorf("the witness is open %v, its diagram %d pixels wide", vstate.Open, vstate.ImgWidth)
	}

	// Clicking the background clears the selection.
	eval[chromedp.Void](t, ctx, `window.scrollTo(0, 0)`)
	corner := eval[[]float64](t, ctx, `(r => [r.left + 3, r.top + 3])(document.querySelector('.graph-view svg').getBoundingClientRect())`)
	do(t, ctx, chromedp.MouseClickXY(corner[0], corner[1]))
	if left := eval[int](t, ctx, `document.querySelectorAll('.hl, .selected, .graph-view.focus').length`); left != 0 {
		t.Errorf("%d elements still highlighted after clicking the background", left)
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// checkScreenshot fails unless the screenshot is a picture: many colours,
// a good part of it not white, and the selection's blue in it.
func checkScreenshot(t *testing.T, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 600 {
		t.Fatalf("the screenshot is %v", b)
	}
	colours := map[[3]uint32]bool{}
	var ink, blue int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl := rgb(img, x, y)
			if len(colours) < 1000 {
				colours[[3]uint32{r, g, bl}] = true
			}
			if r < 0xf0 || g < 0xf0 || bl < 0xf0 {
				ink++
			}
			if near(r, 0x1a) && near(g, 0x56) && near(bl, 0xdb) {
				blue++
			}
		}
	}
	total := b.Dx() * b.Dy()
	if len(colours) < 50 || ink < total/20 || blue < 200 {
		t.Errorf("the screenshot looks blank: %d colours, %d of %d pixels not white, %d in the selection's blue", len(colours), ink, total, blue)
	}
}

func rgb(img image.Image, x, y int) (r, g, b uint32) {
	r, g, b, _ = img.At(x, y).RGBA()
	return r >> 8, g >> 8, b >> 8
}

func near(v, want uint32) bool { return v+12 >= want && v <= want+12 }

// The hostile spec: docs and rule strings that would be markup or script
// if they were not escaped. Each payload that ran would set
// window.__pwned.
const hostileSpec = `modules:
  Evil:
    doc: "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> & <b>bold</b> <!-- -->"
    state:
      - 'input evil_in(a)'
      - 'output evil_out(a)'
      - 'table evil_t(a)'
    rules:
      r:
        - 'evil_t(A) <= evil_in(A), A != "<script>window.__pwned=3</script>"'
        - 'evil_out(A) <= evil_t(A), notin evil_in(A), A != "\"><img src=x onerror=window.__pwned=4>"'
        - 'evil_out(A) <= evil_t(A), A == "</style><svg onload=window.__pwned=5>]]><iframe src=javascript:window.__pwned=6>"'
`

const hostileProject = `specs: [evil.yaml]
programs:
  evil-prog:
    doc: "<iframe src=javascript:window.__pwned=7></iframe><a href=javascript:window.__pwned=8>x</a>"
    modules: [Evil]
`

func writeHostileSpecs(t *testing.T, dir string) {
	write(t, dir, "evil.yaml", hostileSpec)
	write(t, dir, "calmcheck.yaml", hostileProject)
}

func testHostileInBrowser(t *testing.T, ctx context.Context, file string) {
	do(t, ctx, chromedp.Navigate(fileURL(file)), chromedp.WaitVisible(chromedp.CSS(`section.program .graph-view svg`)))
	// Hover and click everything: an injected handler would run.
	eval[chromedp.Void](t, ctx, `document.querySelectorAll('.graph-view g.node, .graph-view g.edge, tr.selectable').forEach(e => {
		e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
		e.dispatchEvent(new MouseEvent('click', {bubbles: true}));
	})`)
	do(t, ctx, chromedp.Sleep(100*time.Millisecond))
	type page struct {
		Pwned    string   `json:"pwned"`
		Scripts  int      `json:"scripts"`
		Injected []string `json:"injected"`
		Text     string   `json:"text"`
	}
	res := eval[page](t, ctx, `({
		pwned: String(window.__pwned),
		scripts: document.scripts.length,
		injected: [...document.querySelectorAll('img, iframe, b, a[href^="javascript"], svg svg, foreignObject, [onerror], [onload], style + style')].map(e => e.outerHTML),
		text: document.body.textContent,
	})`)
	if res.Pwned != "undefined" {
		t.Errorf("a spec's payload ran: window.__pwned = %s", res.Pwned)
	}
	if res.Scripts != 1 {
		t.Errorf("%d scripts in the page, want the report's own only", res.Scripts)
	}
	if len(res.Injected) > 0 {
		t.Errorf("the spec injected elements:\n%s", strings.Join(res.Injected, "\n"))
	}
	for _, s := range []string{
		`</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & <b>bold</b>`,
		`<iframe src=javascript:window.__pwned=7></iframe>`,
		`A != "<script>window.__pwned=3</script>"`,
		`A != "\"><img src=x onerror=window.__pwned=4>"`,
		`</style><svg onload=window.__pwned=5>]]><iframe src=javascript:window.__pwned=6>`,
	} {
		if !strings.Contains(res.Text, s) {
			t.Errorf("the page does not show %q as text", s)
		}
	}
	// A hostile name cannot come from a spec (the loader refuses it): the
	// report package's tests escape hostile names.
}

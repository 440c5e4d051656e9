package main

import (
	"fmt"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/calmcheck/calmcheck/verify"
)

// progressBar draws one line on a terminal, redrawn in place:
//
//	verify replicated-destructive-cart (9/14)  [#########-----------]  45%  12,345/27,000
//
// It is drawn only when stderr is a terminal (or with --progress
// always), so that logs and pipes never see it.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, mode string) *progressBar {
	w = textsafe.Underlying(w) // the bar's own \r and ESC[K reach the terminal
	switch mode {
	case "never":
		return nil
	case "always":
		return &progressBar{w: w}
	}
	if !isTerminal(w) {
		return nil
	}
	return &progressBar{w: w}
}

func (p *progressBar) update(label string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = time.Now()
	frac := 0.0
	if total > 0 {
		frac = min(1, float64(done)/float64(total))
	}
	const width = 24
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r%s  [%s%s] %3d%%  %s/%s\x1b[K", label, strings.Repeat("#", n), strings.Repeat("-", width-n),
		int(frac*100), verify.Thousands(int(done)), verify.Thousands(int(total)))
	p.drawn = true
}

// clear erases the bar.
func (p *progressBar) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

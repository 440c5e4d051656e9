package verify

// ddmin is Zeller's delta debugging (ddmin): it returns a 1-minimal
// subset of items 0..n-1 (in ascending order) for which test holds,
// assuming test holds for all of them: removing any single remaining item
// makes it fail. test is called with ascending subsets.
func ddmin(n int, test func(keep []int) bool) []int {
	cur := make([]int, n)
	for i := range cur {
		cur[i] = i
	}
	if n == 0 {
		return cur
	}
	if test(nil) {
		return nil
	}
	gran := 2
	for len(cur) >= 2 {
		chunks := split(cur, gran)
		reduced := false
		for _, c := range chunks {
			if len(c) < len(cur) && test(c) {
				cur, gran, reduced = c, 2, true
				break
			}
		}
		if !reduced {
			for i := range chunks {
				comp := complement(cur, chunks[i])
				if len(comp) > 0 && len(comp) < len(cur) && test(comp) {
					cur, gran, reduced = comp, max(gran-1, 2), true
					break
				}
			}
		}
		if !reduced {
			if gran >= len(cur) {
				break
			}
			gran = min(2*gran, len(cur))
		}
	}
	return cur
}

// split cuts xs into n chunks of (almost) equal length.
func split(xs []int, n int) [][]int {
	var out [][]int
	start := 0
	for i := 0; i < n; i++ {
		end := start + (len(xs)-start)/(n-i)
		if end > start {
			out = append(out, xs[start:end:end])
		}
		start = end
	}
	return out
}

func complement(xs, chunk []int) []int {
	in := map[int]bool{}
	for _, x := range chunk {
		in[x] = true
	}
	var out []int
	for _, x := range xs {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

package search

import "sort"

// fuzzy calls visit for each spelling in keys (sorted) that, cut at the end of one of its
// syllables, is within maxEdits of q: a letter wrong, missing or extra, or two neighbours swapped
// (optimal string alignment distance). The keys sharing a prefix are a range of the sorted slice, so
// the search walks down them like a trie, keeping one row of the edit-distance table per letter,
// and leaves a branch once every cell of its row exceeds maxEdits. A spelling may be visited more
// than once.
func fuzzy(keys []spelled, q string, maxEdits int, visit func(*spelled)) {
	w := walker{keys: keys, q: q, maxEdits: maxEdits, visit: visit}
	depth := len(q) + maxEdits
	w.path = make([]byte, depth)
	w.rows = make([][]int, depth+1)
	for d := range w.rows {
		w.rows[d] = make([]int, len(q)+1)
	}
	for j := range w.rows[0] {
		w.rows[0][j] = j
	}
	w.walk(0, len(keys), 0)
}

type walker struct {
	keys     []spelled
	q        string
	maxEdits int
	visit    func(*spelled)
	path     []byte  // the letters down to the current depth
	rows     [][]int // rows[d][j] is the distance between path[:d] and q[:j]
}

// walk visits the keys[lo:hi], which share their first d letters (path[:d]).
func (w *walker) walk(lo, hi, d int) {
	row := w.rows[d]
	if row[len(w.q)] <= w.maxEdits {
		for i := lo; i < hi; i++ {
			if syllableEnd(&w.keys[i], d) {
				w.visit(&w.keys[i])
			}
		}
	}
	if d == len(w.path) || minOf(row) > w.maxEdits {
		return
	}
	i := lo
	for i < hi && len(w.keys[i].key) == d { // keys ending here sort first
		i++
	}
	for i < hi {
		c := w.keys[i].key[d]
		start := i
		j := start + sort.Search(hi-start, func(x int) bool { return w.keys[start+x].key[d] > c })
		w.step(d, c)
		w.walk(start, j, d+1)
		i = j
	}
}

// step fills rows[d+1] for the letter c after path[:d].
func (w *walker) step(d int, c byte) {
	w.path[d] = c
	prev, cur := w.rows[d], w.rows[d+1]
	cur[0] = d + 1
	for j := 1; j <= len(w.q); j++ {
		cost := 1
		if w.q[j-1] == c {
			cost = 0
		}
		v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		if j > 1 && d > 0 && w.q[j-2] == c && w.q[j-1] == w.path[d-1] {
			v = min(v, w.rows[d-1][j-2]+1)
		}
		cur[j] = v
	}
}

func minOf(row []int) int {
	m := row[0]
	for _, v := range row[1:] {
		m = min(m, v)
	}
	return m
}

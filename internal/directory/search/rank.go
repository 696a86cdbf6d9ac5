package search

import (
	"slices"

	"github.com/yiwang-gov/yiwang/internal/coord"
)

// scratch holds one search's per-document scores; the Index pools them.
type scratch struct {
	best []float32   // the current word or phrase's best score per document
	kind []matchKind // and what it matched
	hits []int32     // the documents with a best score
	acc  []accum
	seen []int32 // the documents with an accum
	// total is the weight of the query's words.
	total float32
	// required weighs the query's words of two or more characters (or syllables): without a
	// match of the whole query, a document must match at least half of that weight, each word
	// whole or by its one meaningful part (火星签证 finds nothing, not every entry with 签 or 证
	// in it; 不动产登记 is not 生育登记; 我的社保卡坏了 still finds the 社保卡 entries).
	required float32
}

// accum is a document's scores over the whole query.
type accum struct {
	phrase     float32 // the best score of the query as one phrase
	phraseKind matchKind
	words      float32 // Σ weight × score of each word
	top        float32 // the largest weight × score, whose match labels the hit
	topKind    matchKind
	seen       bool
	required   float32 // the weight of the required words matched
	parts      int     // the parts of the current word matched (a word matched by its parts)
}

func newScratch(docs int) *scratch {
	return &scratch{best: make([]float32, docs), kind: make([]matchKind, docs), acc: make([]accum, docs)}
}

func (s *scratch) reset() {
	for _, d := range s.seen {
		s.acc[d] = accum{}
	}
	s.seen, s.hits, s.total, s.required = s.seen[:0], s.hits[:0], 0, 0
}

// offer records a score of the current word or phrase for a document, if it is its best.
func (s *scratch) offer(doc int32, score float32, kind matchKind) {
	if s.best[doc] == 0 {
		s.hits = append(s.hits, doc)
	}
	if score > s.best[doc] {
		s.best[doc], s.kind[doc] = score, kind
	}
}

// fold moves the current word or phrase's scores into the documents' accums.
func (s *scratch) fold(add func(a *accum, score float32, kind matchKind)) {
	for _, d := range s.hits {
		a := &s.acc[d]
		if !a.seen {
			a.seen = true
			s.seen = append(s.seen, d)
		}
		add(a, s.best[d], s.kind[d])
		s.best[d] = 0
	}
	s.hits = s.hits[:0]
}

func (s *scratch) foldPhrase() {
	s.fold(func(a *accum, score float32, kind matchKind) {
		if score > a.phrase {
			a.phrase, a.phraseKind = score, kind
		}
	})
}

// foldWord adds a word's scores; required counts the match toward the required words, part
// toward the parts of the word being matched by its parts.
func (s *scratch) foldWord(weight float32, required, part bool) {
	s.fold(func(a *accum, score float32, kind matchKind) {
		a.words += weight * score
		if weight*score > a.top {
			a.top, a.topKind = weight*score, kind
		}
		if required {
			a.required += weight
		}
		if part {
			a.parts++
		}
	})
}

// settleParts counts a required word as matched by its parts when it has one part that is not
// a stop-word (丢了 → 丢) and the document matched it; two parts matched apart (签 and 证 far
// from each other) are not the word 签证. It starts the count again for the next word.
func (s *scratch) settleParts(n int, weight float32, required bool) {
	for _, d := range s.seen {
		a := &s.acc[d]
		if required && n == 1 && a.parts == 1 {
			a.required += weight
		}
		a.parts = 0
	}
}

// ranked is a candidate hit.
type ranked struct {
	doc   int32
	score float32
	kind  matchKind
	dist  float64
}

// rank filters the scored documents and returns the best limit of them, best first.
func (ix *Index) rank(q Query, s *scratch, limit int) []ranked {
	top := topK{limit: limit, before: func(a, b ranked) bool { return ix.before(a, b, q.Near != nil) }}
	for _, d := range s.seen {
		a := &s.acc[d]
		score, kind := a.phrase, a.phraseKind
		if score == 0 && 2*a.required < s.required {
			continue
		}
		if s.total > 0 {
			if w := a.words / s.total; w > score {
				score, kind = w, a.topKind
			}
		}
		if dist, ok := ix.filter(q, d); ok && score > 0 {
			top.push(ranked{doc: d, score: score, kind: kind, dist: dist})
		}
	}
	return top.sorted()
}

// list returns the documents q's filters keep, nearest first with Near, else by name.
func (ix *Index) list(q Query, limit int) []ranked {
	near := q.Near != nil
	top := topK{limit: limit, before: func(a, b ranked) bool {
		if near && a.dist != b.dist {
			return nearer(a.dist, b.dist)
		}
		if da, db := &ix.docs[a.doc], &ix.docs[b.doc]; da.order != db.order {
			return da.order < db.order
		}
		return a.doc < b.doc
	}}
	for d := range ix.docs {
		if dist, ok := ix.filter(q, int32(d)); ok {
			top.push(ranked{doc: int32(d), dist: dist})
		}
	}
	return top.sorted()
}

// before reports whether a ranks before b: higher score, then (with a point) nearer, then the
// shorter name, then the name's pinyin.
func (ix *Index) before(a, b ranked, near bool) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if near && a.dist != b.dist {
		return nearer(a.dist, b.dist)
	}
	da, db := &ix.docs[a.doc], &ix.docs[b.doc]
	if da.nameRunes != db.nameRunes {
		return da.nameRunes < db.nameRunes
	}
	if da.order != db.order {
		return da.order < db.order
	}
	return a.doc < b.doc
}

// nearer orders distances, a document without places (-1) last.
func nearer(a, b float64) bool {
	if (a < 0) != (b < 0) {
		return b < 0
	}
	return a < b
}

// filter applies q's filters to a document and measures its distance (-1 without Near or places).
// Keep, the caller's function, runs last, on documents every other filter kept.
func (ix *Index) filter(q Query, d int32) (float64, bool) {
	doc := &ix.docs[d]
	if (q.Category != "" && doc.category != q.Category) || (q.Online && !doc.online) {
		return 0, false
	}
	dist := -1.0
	if q.Near != nil {
		for _, p := range doc.places {
			if m := coord.DistanceM(q.Near.Lat, q.Near.Lng, p.Lat, p.Lng); dist < 0 || m < dist {
				dist = m
			}
		}
		if q.RadiusM > 0 && (dist < 0 || dist > q.RadiusM) {
			return 0, false
		}
	}
	if q.Keep != nil && !q.Keep(doc.id) {
		return 0, false
	}
	return dist, true
}

// topK keeps the best limit candidates pushed: a heap whose root is the worst kept.
type topK struct {
	limit  int
	before func(a, b ranked) bool
	items  []ranked
}

// sorted returns the candidates kept, best first.
func (t *topK) sorted() []ranked {
	slices.SortFunc(t.items, func(a, b ranked) int {
		switch {
		case a.doc == b.doc:
			return 0
		case t.before(a, b):
			return -1
		}
		return 1
	})
	return t.items
}

func (t *topK) push(r ranked) {
	if len(t.items) < t.limit {
		t.items = append(t.items, r)
		for i := len(t.items) - 1; i > 0; {
			parent := (i - 1) / 2
			if !t.before(t.items[parent], t.items[i]) {
				break
			}
			t.items[parent], t.items[i] = t.items[i], t.items[parent]
			i = parent
		}
		return
	}
	if !t.before(r, t.items[0]) {
		return
	}
	t.items[0] = r
	for i := 0; ; {
		worst, l, rt := i, 2*i+1, 2*i+2
		if l < len(t.items) && t.before(t.items[worst], t.items[l]) {
			worst = l
		}
		if rt < len(t.items) && t.before(t.items[worst], t.items[rt]) {
			worst = rt
		}
		if worst == i {
			return
		}
		t.items[i], t.items[worst] = t.items[worst], t.items[i]
		i = worst
	}
}

// Package search is the in-memory search index of 一网速查, the district's directory of daily
// services. A resident types a few characters (社保, 办居住证, yb, 哪里可以打疫苗, shebao, sb) and
// finds the service.
//
// Build precomputes everything a search compares: the name and alias keys with every suffix (for
// exact, prefix and contains matches), where words start in them (gse segmentation), their pinyin
// spellings (full and initials, every heteronym reading up to maxSpellings) and the words of the
// keywords and texts. Search segments only the query, drops the stop-words residents add around it,
// expands the editors' synonyms and scores every document that matches a word; see the score
// constants for the ranking. An Index is immutable and safe for concurrent use.
package search

import (
	"strings"
	"unicode/utf8"
)

// Point is a place on the map, in degrees; distances between points are great-circle metres, so a
// query's point and the documents' places must share a datum.
type Point struct{ Lat, Lng float64 }

// Doc is what the index reads of a directory entry.
type Doc struct {
	ID       string
	Name     string
	Aliases  []string
	Category string   // a category code, e.g. "social_insurance"
	Keywords []string // category words, unit name, place names: text-level matches
	Text     string   // description, materials, fees …: text-level matches
	Online   bool
	Places   []Point
}

// Query is a resident's search.
type Query struct {
	Q        string
	Category string               // "" is any category
	Online   bool                 // only documents that can be done online
	Near     *Point               // nil is no point
	RadiusM  float64              // 0 is no limit; only with Near: documents without places are dropped
	Keep     func(id string) bool // nil keeps all (the caller's open-now filter)
	Limit    int                  // 0 is 20
}

// Match says what the query matched in a hit.
type Match string

const (
	MatchName   Match = "name"
	MatchAlias  Match = "alias"
	MatchPinyin Match = "pinyin"
	MatchText   Match = "text"
)

// Hit is a search result.
type Hit struct {
	ID        string
	Score     float64
	Match     Match   // "" in a list of a blank query
	DistanceM float64 // to the document's nearest place; -1 without Near or without places
}

// Suggestion is a name offered as the resident types.
type Suggestion struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// defaultLimit is the number of hits when a query gives none.
const defaultLimit = 20

// maxQueryRunes bounds what is read of a query: residents type a few words, and the work of a
// search grows with its length.
const maxQueryRunes = 64

// Scores of a query that matches whole, best first. A query of several words scores the weighted
// mean of its words' scores (a word weighs its characters; a pinyin word one per three letters),
// unless the words together match better as one phrase. Pinyin matches rank after every Chinese
// match of a name or alias and before the text; inside a word (老年 in 养老年金, which gse splits
// 养老 年金) ranks with the text.
const (
	scoreNameExact   = 100
	scoreNamePrefix  = 90
	scoreNameWord    = 82 // a word of the name (疫苗 of 成人疫苗接种)
	scoreAliasExact  = 75
	scoreAliasPrefix = 70
	scoreAliasWord   = 66
	scorePinyin      = 60 // the best pinyin match; see pinyinScore for the rest, down to 36
	scoreNameInside  = 32
	scoreAliasInside = 30
	scoreKeyword     = 28 // a whole keyword (category word, unit or place name)
	scoreKeywordWord = 25
	scoreTextWord    = 20
	scoreTextChar    = 12
	// synonymPenalty is taken from a match through an editors' synonym: 暂住证 finds 居住证办理
	// just below a name that says 暂住证 itself.
	synonymPenalty = 3
)

// matchKind is a Match as a small number, for the per-document scratch arrays.
type matchKind uint8

const (
	kindNone matchKind = iota
	kindName
	kindAlias
	kindPinyin
	kindText
)

func (k matchKind) match() Match {
	return [...]Match{"", MatchName, MatchAlias, MatchPinyin, MatchText}[k]
}

// word is a word of a query.
type word struct {
	text   string
	weight float32
	stop   bool
	// inner are gse's words inside a Chinese word (丢 了 of 丢了), searched when the whole word
	// matches nothing.
	inner []string
}

// parsed is a query split into words.
type parsed struct {
	words  []word // every word, in order
	core   []word // the words that are not stop-words
	whole  string // all words, joined
	phrase string // the core words, joined
}

// parse splits a normalised query into words: Chinese runs by gse, other runs whole.
func parse(q string) parsed {
	var p parsed
	for _, r := range runs(q) {
		text := q[r.start:r.end]
		if r.class != classHan {
			p.words = append(p.words, word{text: text, weight: weightOf(text, r.class)})
			continue
		}
		for _, s := range segmenter().Segment([]byte(text)) {
			w := word{text: text[s.Start():s.End()]}
			w.weight = weightOf(w.text, classHan)
			w.stop = stopWords[w.text]
			if !w.stop && utf8.RuneCountInString(w.text) > 1 {
				for _, sub := range s.Token().Segments() {
					w.inner = append(w.inner, w.text[sub.Start():sub.End()])
				}
			}
			p.words = append(p.words, w)
		}
	}
	var whole, phrase strings.Builder
	for _, w := range p.words {
		whole.WriteString(w.text)
		if !w.stop {
			phrase.WriteString(w.text)
			p.core = append(p.core, w)
		}
	}
	p.whole, p.phrase = whole.String(), phrase.String()
	return p
}

// truncate cuts s after n runes.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func weightOf(text string, c class) float32 {
	n := utf8.RuneCountInString(text)
	if c == classHan || c == classOther {
		return float32(n)
	}
	return float32(max(1, (n+1)/3)) // shebao weighs as 社保
}

// Search returns the documents matching q, best first: by score, then (with Near) nearer first,
// then shorter names. A query that is blank or only stop-words lists the documents its filters
// keep, nearest first with Near, else by name; without a filter it finds nothing.
func (ix *Index) Search(q Query) []Hit {
	found := ix.find(q)
	if len(found) == 0 {
		return nil
	}
	out := make([]Hit, len(found))
	for i, r := range found {
		out[i] = Hit{ID: ix.docs[r.doc].id, Score: float64(r.score), Match: r.kind.match(), DistanceM: r.dist}
	}
	return out
}

// find is Search by document number.
func (ix *Index) find(q Query) []ranked {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	if len(ix.docs) == 0 {
		return nil
	}
	p := parse(truncate(key(q.Q), maxQueryRunes))
	if len(p.core) == 0 {
		if q.Category == "" && !q.Online && q.Near == nil && q.Keep == nil {
			return nil
		}
		return ix.list(q, limit)
	}
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.reset()
	ix.score(p, s)
	return ix.rank(q, s, limit)
}

// score scores every document matching p into s.
func (ix *Index) score(p parsed, s *scratch) {
	if p.whole != p.phrase {
		ix.unit(p.whole, s) // the query as typed may be a name: 居住证办理
		s.foldPhrase()
	}
	ix.unit(p.phrase, s)
	found := len(s.hits) > 0
	s.foldPhrase()
	if len(p.core) == 1 && found {
		return
	}
	s.total = 0
	for _, w := range p.core {
		s.total += w.weight
	}
	for _, w := range p.core {
		required := w.weight >= 2
		if required {
			s.required += w.weight
		}
		if len(p.core) > 1 { // else the word is the phrase, which matched nothing
			ix.unit(w.text, s)
		}
		if len(s.hits) > 0 || len(w.inner) == 0 {
			s.foldWord(w.weight, required, false)
			continue
		}
		parts := 0
		for _, in := range w.inner { // 丢了 matches nothing; 丢 may
			weight := weightOf(in, classHan)
			if stopWords[in] {
				s.total -= weight
				continue
			}
			parts++
			ix.unit(in, s)
			s.foldWord(weight, false, true)
		}
		s.settleParts(parts, w.weight, required)
	}
}

// unit scores one word or phrase u, and its synonyms, into s.best.
func (ix *Index) unit(u string, s *scratch) {
	ix.match(u, 0, s)
	for _, v := range ix.variants(u) {
		ix.match(v, synonymPenalty, s)
	}
}

// maxVariants bounds the synonym variants of one word or phrase.
const maxVariants = 8

// variants are u with a synonym group's word replaced by each other word of its groups
// (暂住证办理 → 居住证办理).
func (ix *Index) variants(u string) []string {
	var out []string
	for _, w := range ix.synonymWords {
		if len(w) > len(u) || !strings.Contains(u, w) {
			continue
		}
		for _, other := range ix.synonyms[w] {
			if v := strings.Replace(u, w, other, 1); v != u && len(out) < maxVariants {
				out = append(out, v)
			}
		}
	}
	return out
}

// match scores u against names and aliases (as typed and as pinyin) and against the text.
func (ix *Index) match(u string, penalty float32, s *scratch) {
	ix.matchKeys(u, penalty, s)
	if isPinyin(u) && len(u) >= 2 {
		ix.matchPinyin(u, penalty, s)
	}
	for _, p := range ix.text[u] {
		s.offer(p.doc(), textScores[p.level()]-penalty, kindText)
	}
}

var textScores = [...]float32{levelTextChar: scoreTextChar, levelTextWord: scoreTextWord,
	levelKeywordWord: scoreKeywordWord, levelKeywordExact: scoreKeyword}

// matchKeys scores the names and aliases containing u.
func (ix *Index) matchKeys(u string, penalty float32, s *scratch) {
	for i := ix.lowerBound(u); i < len(ix.suffixes) && strings.HasPrefix(ix.suffixes[i].text, u); i++ {
		e := &ix.suffixes[i]
		score, kind := keyScore(e, len(e.text) == len(u))
		s.offer(e.doc, score-penalty, kind)
	}
}

func keyScore(e *suffix, whole bool) (float32, matchKind) {
	var score float32
	switch {
	case e.start && whole:
		score = scoreNameExact
	case e.start:
		score = scoreNamePrefix
	case e.word:
		score = scoreNameWord
	default:
		score = scoreNameInside
	}
	if e.field == fieldName {
		return score, kindName
	}
	switch score {
	case scoreNameExact:
		score = scoreAliasExact
	case scoreNamePrefix:
		score = scoreAliasPrefix
	case scoreNameWord:
		score = scoreAliasWord
	default:
		score = scoreAliasInside
	}
	return score, kindAlias
}

// lowerBound is the first suffix not before u.
func (ix *Index) lowerBound(u string) int {
	lo, hi := 0, len(ix.suffixes)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.suffixes[m].text < u {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

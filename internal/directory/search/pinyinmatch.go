package search

import "strings"

// pinyinKind is how a pinyin query matched a spelling.
type pinyinKind uint8

const (
	pinyinWhole     pinyinKind = iota // the whole text: juzhuzheng for 居住证
	pinyinSyllables                   // its first syllables: shebao for 社保卡申领
	pinyinPartial                     // ending inside a syllable: she for 身份证 (only at a key's start)
	initialsWhole                     // jzz for 居住证
	initialsPrefix                    // sb for 社保卡申领
	pinyinFuzzy                       // within an edit or two: shbao, juzhuzhen
)

// pinyinDrop is taken from scorePinyin for each kind of match; an alias takes 6 more, a match that
// starts at a later word of the key 4 more, a spelling with a character's other reading 2 more.
var pinyinDrop = [...]float32{pinyinWhole: 0, pinyinSyllables: 1, pinyinPartial: 3, initialsWhole: 2,
	initialsPrefix: 3, pinyinFuzzy: 12}

func pinyinScore(e *suffix, kind pinyinKind, alt bool) float32 {
	score := scorePinyin - pinyinDrop[kind]
	if e.field == fieldAlias {
		score -= 6
	}
	if !e.start {
		score -= 4
	}
	if alt {
		score -= 2
	}
	return score
}

// Typos are forgiven in pinyin queries of fuzzyMin letters or more: one edit, two from fuzzyMin2.
// Past fuzzyMax letters (eight syllables or so) a query is not a word mistyped, and the edit table
// would grow with its square.
const (
	fuzzyMin  = 4
	fuzzyMin2 = 8
	fuzzyMax  = 32
)

// matchPinyin scores the names and aliases that u (a–z, two letters or more) spells.
func (ix *Index) matchPinyin(u string, penalty float32, s *scratch) {
	for i := spelledBound(ix.full, u); i < len(ix.full) && strings.HasPrefix(ix.full[i].key, u); i++ {
		p := &ix.full[i]
		kind := pinyinPartial
		switch {
		case len(p.key) == len(u):
			kind = pinyinWhole
		case syllableEnd(p, len(u)):
			kind = pinyinSyllables
		}
		ix.offerSpelled(p, kind, penalty, s)
	}
	for i := spelledBound(ix.initials, u); i < len(ix.initials) && strings.HasPrefix(ix.initials[i].key, u); i++ {
		p := &ix.initials[i]
		kind := initialsPrefix
		if len(p.key) == len(u) {
			kind = initialsWhole
		}
		ix.offerSpelled(p, kind, penalty, s)
	}
	for _, w := range ix.spokenSynonyms[u] {
		for _, other := range ix.synonyms[w] {
			ix.matchSpokenSynonym(other, penalty+synonymPenalty, s)
		}
	}
	if len(u) >= fuzzyMin && len(u) <= fuzzyMax {
		edits := 1
		if len(u) >= fuzzyMin2 {
			edits = 2
		}
		fuzzy(ix.full, u, edits, func(p *spelled) { ix.offerSpelled(p, pinyinFuzzy, penalty, s) })
	}
}

// matchSpokenSynonym scores the names and aliases with a word starting with w as pinyin matches: the
// query spelled a synonym of w.
func (ix *Index) matchSpokenSynonym(w string, penalty float32, s *scratch) {
	for i := ix.lowerBound(w); i < len(ix.suffixes) && strings.HasPrefix(ix.suffixes[i].text, w); i++ {
		e := &ix.suffixes[i]
		if !e.word {
			continue
		}
		kind := pinyinSyllables
		if e.start && len(e.text) == len(w) {
			kind = pinyinWhole
		}
		s.offer(e.doc, pinyinScore(e, kind, false)-penalty, kindPinyin)
	}
}

// offerSpelled offers the names and aliases with p's text where a word starts.
func (ix *Index) offerSpelled(p *spelled, kind pinyinKind, penalty float32, s *scratch) {
	for i := p.lo; i < p.hi; i++ {
		e := &ix.suffixes[i]
		if !e.word || (kind == pinyinPartial && !e.start) {
			continue
		}
		s.offer(e.doc, pinyinScore(e, kind, p.alt)-penalty, kindPinyin)
	}
}

// syllableEnd reports whether a syllable of p's full spelling ends at byte n.
func syllableEnd(p *spelled, n int) bool {
	return n == len(p.key) || (n < 64 && p.ends>>n&1 == 1)
}

// spelledBound is the first spelling in keys not before u.
func spelledBound(keys []spelled, u string) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if keys[m].key < u {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

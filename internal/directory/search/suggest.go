package search

import "strings"

// maxSuggestScan bounds the index entries one range of Suggest looks at, so a one-letter prefix
// stays cheap.
const maxSuggestScan = 4000

// Suggestion tiers, best first.
const (
	suggestName         = iota // the name starts with the prefix
	suggestAlias               // an alias does
	suggestNamePinyin          // the name's pinyin starts with the prefix, in whole syllables (she: 社保)
	suggestNameInitials        // the name's initials do (sb: 社保卡申领)
	suggestNamePartial         // the name's pinyin does, ending inside a syllable (she: 身份证)
	suggestAliasPinyin         // an alias's pinyin or initials do
	suggestOtherReading        // a name's or alias's spelling with a character's other reading does
	suggestNameWord            // a later word of the name starts with the prefix (疫苗: 成人疫苗接种)
	suggestAliasWord           // a later word of an alias does
	suggestWordPinyin          // a later word's pinyin does, in whole syllables
	suggestTiers
)

// Suggest offers up to n names as a resident types prefix: names, aliases, then their pinyin and
// initials starting with it, then names and aliases with a later word starting with it; within a
// tier shorter names first. When nothing starts so (我要办居住证), the best hits of Search are offered.
func (ix *Index) Suggest(prefix string, n int) []Suggestion {
	k := key(prefix)
	if k == "" || n <= 0 {
		return nil
	}
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.reset()
	// A document's best tier is kept as a score, the best tier scoring highest.
	offer := func(doc int32, tier int) { s.offer(doc, float32(suggestTiers-tier), kindName) }
	for i, end := ix.lowerBound(k), 0; i < len(ix.suffixes) && end < maxSuggestScan && strings.HasPrefix(ix.suffixes[i].text, k); i, end = i+1, end+1 {
		e := &ix.suffixes[i]
		switch {
		case e.start:
			offer(e.doc, pick(e.field, suggestName, suggestAlias))
		case e.word:
			offer(e.doc, pick(e.field, suggestNameWord, suggestAliasWord))
		}
	}
	if isPinyin(k) {
		ix.suggestSpelled(ix.full, k, offer, func(p *spelled) (int, bool) {
			if syllableEnd(p, len(k)) {
				return suggestNamePinyin, true
			}
			return suggestNamePartial, false
		})
		ix.suggestSpelled(ix.initials, k, offer, func(*spelled) (int, bool) { return suggestNameInitials, true })
	}
	top := topK{limit: n, before: func(a, b ranked) bool { return ix.before(a, b, false) }}
	for _, d := range s.hits {
		top.push(ranked{doc: d, score: s.best[d]})
		s.best[d] = 0
	}
	s.hits = s.hits[:0]
	var found []ranked
	if len(top.items) > 0 {
		found = top.sorted()
	} else {
		found = ix.find(Query{Q: prefix, Limit: n})
	}
	if len(found) == 0 {
		return nil
	}
	out := make([]Suggestion, 0, len(found))
	for _, r := range found {
		out = append(out, Suggestion{ID: ix.docs[r.doc].id, Name: ix.docs[r.doc].name})
	}
	return out
}

// suggestSpelled offers the documents whose spellings start with k; tier says a spelling's tier
// for a name's start and whether it ends a syllable (only those count for later words).
func (ix *Index) suggestSpelled(keys []spelled, k string, offer func(int32, int), tier func(*spelled) (int, bool)) {
	for i, end := spelledBound(keys, k), 0; i < len(keys) && end < maxSuggestScan && strings.HasPrefix(keys[i].key, k); i++ {
		p := &keys[i]
		t, whole := tier(p)
		for j := p.lo; j < p.hi; j, end = j+1, end+1 {
			e := &ix.suffixes[j]
			switch {
			case e.start && p.alt:
				offer(e.doc, suggestOtherReading)
			case e.start && e.field == fieldName:
				offer(e.doc, t)
			case e.start:
				offer(e.doc, suggestAliasPinyin)
			case e.word && whole:
				offer(e.doc, suggestWordPinyin)
			}
		}
	}
}

func pick(f field, name, alias int) int {
	if f == fieldName {
		return name
	}
	return alias
}

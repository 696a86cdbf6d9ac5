package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Index is the search index of a published directory. Build makes a new one from scratch for each
// publication; an Index never changes afterwards and is safe for concurrent use.
type Index struct {
	docs []docInfo
	// suffixes holds every suffix of every name and alias key (社保卡申领, 保卡申领, 卡申领 …),
	// sorted by text: the entries starting with a query are one binary search away, and say whether
	// the query is the whole name, its start, a word inside it or the inside of a word.
	suffixes []suffix
	// full and initials spell in pinyin each suffix text that starts a word, sorted by spelling.
	full, initials []spelled
	// text maps a word of the keywords or the text of a document to the documents holding it.
	text map[string][]posting
	// synonyms maps a word of an editors' group to the other words of its groups; synonymWords are
	// the same words, longest first, for finding them inside a phrase.
	synonyms     map[string][]string
	synonymWords []string
	// spokenSynonyms maps the full pinyin of a synonym-group word to it: zanzhuzheng is 暂住证,
	// which no name or alias need contain.
	spokenSynonyms map[string][]string
	scratch        sync.Pool // *scratch, sized for docs
}

type docInfo struct {
	id, name  string
	nameRunes int
	order     string // the name's pinyin, then the name: lists sort by it
	category  string
	online    bool
	places    []Point
}

type field uint8

const (
	fieldName field = iota
	fieldAlias
)

type suffix struct {
	text  string // the key from some character to its end
	doc   int32
	field field
	start bool // the suffix is the whole key
	word  bool // a word of the key starts here (see wordStarts)
}

// spelled is a pinyin spelling of the suffixes[lo:hi], which all have the same text.
type spelled struct {
	key    string
	ends   uint64 // syllable ends of a full spelling, as in spelling.ends
	lo, hi int32
	alt    bool // as in spelling.alt
}

// posting is a document holding a text word, and how: doc<<3 | level.
type posting uint32

const (
	levelTextChar     = 1 // a character of the text (丢 of 丢失)
	levelTextWord     = 2 // a word of the description, materials, fees
	levelKeywordWord  = 3 // a word inside a keyword
	levelKeywordExact = 4 // a whole keyword (a category word, a unit or place name)
)

func (p posting) doc() int32 { return int32(p >> 3) }
func (p posting) level() int { return int(p & 7) }
func post(doc int32, level int) posting {
	return posting(uint32(doc)<<3 | uint32(level))
}

// Build indexes docs and the editors' synonym groups. Everything a search compares is computed
// here: keys, word starts, pinyin spellings and text words; a search segments only the query.
// Documents with an ID seen before are skipped (the first one wins).
func Build(docs []Doc, synonyms [][]string) *Index {
	ix := &Index{text: map[string][]posting{}}
	sp := newSpeller()
	words := map[string][]string{} // textWords of each clause: many clauses repeat across documents
	ids := make(map[string]bool, len(docs))
	for _, d := range docs {
		if ids[d.ID] {
			continue
		}
		ids[d.ID] = true
		n := int32(len(ix.docs))
		nameKey := key(d.Name)
		order := nameKey
		if s := sp.spell(nameKey); len(s) > 0 {
			order = s[0].full
		}
		ix.docs = append(ix.docs, docInfo{id: d.ID, name: d.Name, nameRunes: utf8.RuneCountInString(nameKey),
			order: order + "\x00" + d.Name, category: d.Category, online: d.Online, places: slices.Clone(d.Places)})
		keys := []string{nameKey}
		ix.addField(n, fieldName, nameKey)
		for _, a := range d.Aliases {
			if k := key(a); !slices.Contains(keys, k) {
				keys = append(keys, k)
				ix.addField(n, fieldAlias, k)
			}
		}
		ix.addText(n, d, words)
	}
	slices.SortFunc(ix.suffixes, func(a, b suffix) int {
		return cmp.Or(strings.Compare(a.text, b.text), cmp.Compare(a.doc, b.doc), cmp.Compare(a.field, b.field))
	})
	ix.spellSuffixes(sp)
	ix.addSynonyms(synonyms, sp)
	size := len(ix.docs)
	ix.scratch.New = func() any { return newScratch(size) }
	return ix
}

// Len is the number of documents indexed.
func (ix *Index) Len() int { return len(ix.docs) }

// addField adds every suffix of a name or alias key.
func (ix *Index) addField(doc int32, f field, k string) {
	if k == "" {
		return
	}
	starts := wordStarts(k)
	for off := range k {
		if utf8.RuneStart(k[off]) {
			ix.suffixes = append(ix.suffixes, suffix{text: k[off:], doc: doc, field: f, start: off == 0, word: starts[off]})
		}
	}
}

// addText posts the words and characters of a document's keywords and text.
func (ix *Index) addText(doc int32, d Doc, memo map[string][]string) {
	levels := map[string]int{}
	raise := func(w string, level int) {
		levels[w] = max(levels[w], level)
	}
	add := func(s string, wordLevel int) {
		for _, clause := range strings.Fields(Normalize(s)) {
			ws, ok := memo[clause]
			if !ok {
				ws = textWords(clause)
				memo[clause] = ws
			}
			for _, w := range ws {
				raise(w, wordLevel)
			}
			for _, r := range clause {
				if unicode.Is(unicode.Han, r) {
					raise(string(r), levelTextChar)
				}
			}
		}
	}
	for _, k := range d.Keywords {
		for _, w := range strings.Fields(Normalize(k)) {
			raise(w, levelKeywordExact)
		}
		add(k, levelKeywordWord)
	}
	add(d.Text, levelTextWord)
	for w, level := range levels {
		ix.text[w] = append(ix.text[w], post(doc, level))
	}
}

// spellSuffixes spells each suffix text that starts a word somewhere (its whole key or a word).
func (ix *Index) spellSuffixes(sp *speller) {
	for lo := 0; lo < len(ix.suffixes); {
		hi, word := lo, false
		for hi < len(ix.suffixes) && ix.suffixes[hi].text == ix.suffixes[lo].text {
			word = word || ix.suffixes[hi].word
			hi++
		}
		if word {
			var initials []string
			for _, s := range sp.spell(ix.suffixes[lo].text) {
				ix.full = append(ix.full, spelled{key: s.full, ends: s.ends, lo: int32(lo), hi: int32(hi), alt: s.alt})
				if !slices.Contains(initials, s.initials) { // the first reading's initials come first
					initials = append(initials, s.initials)
					ix.initials = append(ix.initials, spelled{key: s.initials, lo: int32(lo), hi: int32(hi), alt: s.alt})
				}
			}
		}
		lo = hi
	}
	bySpelling := func(a, b spelled) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.lo, b.lo)) }
	slices.SortFunc(ix.full, bySpelling)
	slices.SortFunc(ix.initials, bySpelling)
}

// addSynonyms reads the editors' groups of equivalent words ([居住证 暂住证]). A word in several
// groups is equivalent to the words of all of them.
func (ix *Index) addSynonyms(groups [][]string, sp *speller) {
	ix.synonyms, ix.spokenSynonyms = map[string][]string{}, map[string][]string{}
	for _, g := range groups {
		var words []string
		for _, w := range g {
			if k := key(w); k != "" && !slices.Contains(words, k) {
				words = append(words, k)
			}
		}
		for _, w := range words {
			for _, other := range words {
				if other != w && !slices.Contains(ix.synonyms[w], other) {
					ix.synonyms[w] = append(ix.synonyms[w], other)
				}
			}
		}
	}
	for w := range ix.synonyms {
		ix.synonymWords = append(ix.synonymWords, w)
		for _, s := range sp.spell(w) {
			ix.spokenSynonyms[s.full] = append(ix.spokenSynonyms[s.full], w)
		}
	}
	slices.SortFunc(ix.synonymWords, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
}

package address

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"github.com/tidwall/rtree"

	"github.com/yiwang-gov/yiwang/internal/coord"
)

// Index answers searches and nearest-address lookups from memory. It is immutable once built and
// safe for concurrent use. Search ranks in three tiers, best first:
//
//  1. the address or the name starts with the query (Chinese text or digits);
//  2. the full pinyin or the pinyin initials of the address or the name start with the query
//     ("fhl" and "fenghailu" find 丰海路28号); every reading of a heteronym is indexed, up to
//     maxVariants spellings per text;
//  3. the address or the name contains the query (bigram postings, then a check of the text).
//
// Within a tier shorter keys come first (an exact match first of all), then the key's order.
type Index struct {
	entries []Entry
	hay     []string // normalised "address\x00name" of each entry, for the substring check
	text    []key    // normalised addresses and names, sorted
	spell   []key    // pinyin spellings and initials, sorted
	grams   map[[2]rune][]int32
	singles map[rune][]int32
	tree    rtree.RTreeG[int32]
}

// Entry is one address in the index.
type Entry struct {
	Address       string
	Name          string
	Kind          Kind
	Lat, Lng      float64
	GridCode      string
	CommunityCode string
}

type key struct {
	text string
	id   int32
}

// maxVariants bounds the pinyin spellings of one text (heteronyms multiply them).
const maxVariants = 4

// maxScan bounds the candidates one tier looks at when a grid filter rejects most of them.
const maxScan = 50000

// NewIndex builds the index of entries (in the given order).
func NewIndex(entries []Entry) *Index {
	ix := &Index{entries: entries, hay: make([]string, len(entries)), grams: map[[2]rune][]int32{},
		singles: map[rune][]int32{}}
	ix.text = make([]key, 0, 2*len(entries))
	ix.spell = make([]key, 0, 4*len(entries))
	sp := newSpeller()
	for i, e := range entries {
		id := int32(i)
		address, name := Normalize(e.Address), Normalize(e.Name)
		ix.hay[i] = address + "\x00" + name
		for _, t := range []string{address, name} {
			if t == "" {
				continue
			}
			ix.text = append(ix.text, key{t, id})
			for _, s := range sp.spellings(t) {
				ix.spell = append(ix.spell, key{s, id})
			}
		}
		ix.post(address, name, id)
		ix.tree.Insert([2]float64{e.Lng, e.Lat}, [2]float64{e.Lng, e.Lat}, id)
	}
	sortKeys(ix.text, entries)
	sortKeys(ix.spell, entries)
	ix.spell = slices.CompactFunc(ix.spell, func(a, b key) bool { return a == b })
	return ix
}

// sortKeys sorts keys by text, then address. The first eight bytes of each text, compared as one
// number, settle most comparisons (building 500 000 addresses spends most of its time here).
func sortKeys(keys []key, entries []Entry) {
	type prefixed struct {
		head uint64
		key  key
	}
	list := make([]prefixed, len(keys))
	for i, k := range keys {
		var b [8]byte
		copy(b[:], k.text)
		list[i] = prefixed{binary.BigEndian.Uint64(b[:]), k}
	}
	slices.SortFunc(list, func(a, b prefixed) int {
		if a.head != b.head {
			return cmp.Compare(a.head, b.head)
		}
		if c := strings.Compare(a.key.text, b.key.text); c != 0 {
			return c
		}
		return strings.Compare(entries[a.key.id].Address, entries[b.key.id].Address)
	})
	for i := range list {
		keys[i] = list[i].key
	}
}

// post adds the entry to the postings of each character and character pair of its texts.
func (ix *Index) post(address, name string, id int32) {
	var seenGram map[[2]rune]bool
	var seenRune map[rune]bool
	seenGram, seenRune = map[[2]rune]bool{}, map[rune]bool{}
	for _, t := range []string{address, name} {
		prev := rune(-1)
		for _, r := range t {
			if !seenRune[r] {
				seenRune[r] = true
				ix.singles[r] = append(ix.singles[r], id)
			}
			if prev >= 0 {
				g := [2]rune{prev, r}
				if !seenGram[g] {
					seenGram[g] = true
					ix.grams[g] = append(ix.grams[g], id)
				}
			}
			prev = r
		}
	}
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entry returns entry id.
func (ix *Index) Entry(id int32) Entry { return ix.entries[id] }

// Search returns the ids of up to limit entries matching q, best first; grid, when not empty,
// keeps only the entries of that grid.
func (ix *Index) Search(q, grid string, limit int) []int32 {
	q = Normalize(q)
	if q == "" || limit <= 0 {
		return nil
	}
	out := make([]int32, 0, limit)
	seen := make(map[int32]bool, limit)
	// add takes a candidate and reports whether the list is full.
	add := func(id int32) bool {
		if seen[id] || (grid != "" && ix.entries[id].GridCode != grid) {
			return false
		}
		seen[id] = true
		out = append(out, id)
		return len(out) >= limit
	}
	if scanPrefix(ix.text, q, add) {
		return out
	}
	if isSpelling(q) && scanPrefix(ix.spell, q, add) {
		return out
	}
	ix.scanContains(q, add)
	return out
}

// gather is how many entries of a prefix range are ranked by closeness (the key's length) before
// they are offered: "fhl28" ranks 丰海路28号 (key fhl28h) before 丰海路280号 (fhl280h), which
// sorts first by bytes.
const gather = 512

// scanPrefix offers the entries of keys starting with prefix, the shortest keys first (an exact
// match first of all); it reports whether add said the list is full.
func scanPrefix(keys []key, prefix string, add func(int32) bool) bool {
	i, _ := slices.BinarySearchFunc(keys, prefix, func(k key, p string) int { return strings.Compare(k.text, p) })
	for scanned := 0; i < len(keys) && scanned < maxScan && strings.HasPrefix(keys[i].text, prefix); {
		end := i
		for end < len(keys) && end-i < gather && strings.HasPrefix(keys[end].text, prefix) {
			end++
		}
		batch := slices.Clone(keys[i:end])
		slices.SortStableFunc(batch, func(a, b key) int { return len(a.text) - len(b.text) })
		for _, k := range batch {
			if add(k.id) {
				return true
			}
		}
		scanned += end - i
		i = end
	}
	return false
}

// scanContains offers the entries whose address or name contains q: the shortest posting list of
// q's characters or character pairs gives the candidates, the text decides.
func (ix *Index) scanContains(q string, add func(int32) bool) {
	runes := []rune(q)
	var candidates []int32
	if len(runes) == 1 {
		candidates = ix.singles[runes[0]]
	} else {
		for i := 0; i+1 < len(runes); i++ {
			p, ok := ix.grams[[2]rune{runes[i], runes[i+1]}]
			if !ok {
				return // a pair no entry has
			}
			if candidates == nil || len(p) < len(candidates) {
				candidates = p
			}
		}
	}
	for n, id := range candidates {
		if n >= maxScan {
			return
		}
		if strings.Contains(ix.hay[id], q) && add(id) {
			return
		}
	}
}

// Nearest returns the entry nearest to a point within radiusM metres.
func (ix *Index) Nearest(lat, lng, radiusM float64) (id int32, distanceM float64, ok bool) {
	// Degrees of latitude are ~111 km everywhere; of longitude, shrink with cos(lat). The box is
	// generous; the exact distance decides.
	dLat := radiusM / 110000
	dLng := dLat / max(0.01, cosDeg(lat))
	best, bestD := int32(-1), radiusM
	ix.tree.Search([2]float64{lng - dLng, lat - dLat}, [2]float64{lng + dLng, lat + dLat}, func(_, _ [2]float64, i int32) bool {
		e := ix.entries[i]
		if d := coord.DistanceM(lat, lng, e.Lat, e.Lng); d <= bestD && (best < 0 || d < bestD || i < best) {
			best, bestD = i, d
		}
		return true
	})
	if best < 0 {
		return 0, 0, false
	}
	return best, bestD, true
}

// Normalize is how texts and queries are compared: lower case, full-width ASCII made half-width
// (２８号 is 28号), spaces and control characters dropped.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == 0x3000 {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isSpelling reports whether q can be a pinyin spelling: ASCII letters and digits with at least
// one letter.
func isSpelling(q string) bool {
	letter := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// speller turns a normalised text into its pinyin spellings, caching readings per character.
type speller struct {
	args     pinyin.Args
	readings map[rune][]string
}

func newSpeller() *speller {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true
	a.Fallback = func(rune, pinyin.Args) []string { return nil }
	return &speller{args: a, readings: map[rune][]string{}}
}

func (sp *speller) reading(r rune) []string {
	if v, ok := sp.readings[r]; ok {
		return v
	}
	var v []string
	switch {
	case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		v = []string{string(r)}
	case unicode.Is(unicode.Han, r):
		for _, p := range pinyin.SinglePinyin(r, sp.args) {
			if p != "" && !slices.Contains(v, p) {
				v = append(v, p)
			}
		}
	}
	sp.readings[r] = v
	return v
}

// spellings returns the full pinyin and the initials of t, for each reading of its heteronyms (at
// most maxVariants of each); "" when t has no Han character (its text key is enough).
func (sp *speller) spellings(t string) []string {
	full := []string{""}
	initials := []string{""}
	han := false
	for _, r := range t {
		rs := sp.reading(r)
		if len(rs) == 0 {
			continue
		}
		if unicode.Is(unicode.Han, r) {
			han = true
		}
		full = extend(full, rs, false)
		initials = extend(initials, rs, true)
	}
	if !han {
		return nil
	}
	return append(full, initials...)
}

// extend appends each reading to each prefix while the variants stay within maxVariants, the
// first reading alone beyond.
func extend(prefixes, readings []string, initial bool) []string {
	piece := func(r string) string {
		if initial {
			return r[:1]
		}
		return r
	}
	if len(prefixes)*len(readings) > maxVariants {
		readings = readings[:1]
	}
	out := make([]string, 0, len(prefixes)*len(readings))
	for _, p := range prefixes {
		for _, r := range readings {
			s := p + piece(r)
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func cosDeg(d float64) float64 { return math.Cos(d * math.Pi / 180) }

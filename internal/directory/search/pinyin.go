package search

import (
	"slices"
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// maxSpellings bounds the pinyin spellings of one text. go-pinyin has no phrase dictionary, so a
// heteronym gets every reading (银行 is yinxing and yinhang, 重庆 zhongqing and chongqing); a
// text is spelled with each character's first reading, then once more for each other reading of
// one character at a time, so one odd reading always matches and the spellings stay few.
const maxSpellings = 8

// spelling is one way to spell a text in pinyin.
type spelling struct {
	full     string // shebaokashenling
	initials string // sbksl
	// ends has bit i set when a syllable of full ends at byte i (for i < 64): "she" of shebao is a
	// whole syllable, "she" of shenfen is not.
	ends uint64
	// alt is set when a character is read other than by its first reading: 份 is fen, and also the
	// rare bin, so sb spells 身份证 (sbz) as well as 社保; such matches rank lower.
	alt bool
}

// speller spells texts in pinyin, caching the readings of each character.
type speller struct {
	args     pinyin.Args
	readings map[rune][]string
}

func newSpeller() *speller {
	args := pinyin.NewArgs() // Normal style: no tones, ü as v
	args.Heteronym = true
	args.Fallback = func(rune, pinyin.Args) []string { return nil }
	return &speller{args: args, readings: map[rune][]string{}}
}

func (sp *speller) reading(r rune) []string {
	if v, ok := sp.readings[r]; ok {
		return v
	}
	var v []string
	for _, p := range pinyin.SinglePinyin(r, sp.args) {
		if isPinyin(p) && !slices.Contains(v, p) {
			v = append(v, p)
		}
	}
	sp.readings[r] = v
	return v
}

// unit is one syllable of a text: the readings of a Chinese character, or a Latin word or a
// number (hpv疫苗 is hpvyimiao, initials hpvym).
type unit struct {
	readings []string
	word     bool
}

// spell returns the spellings of a key (see maxSpellings); a text without Chinese has none, its
// key is enough.
func (sp *speller) spell(k string) []spelling {
	var units []unit
	han := false
	for _, r := range runs(k) {
		switch r.class {
		case classHan:
			for _, c := range k[r.start:r.end] {
				if rs := sp.reading(c); len(rs) > 0 {
					units = append(units, unit{readings: rs})
					han = true
				}
			}
		case classLatin, classDigit:
			units = append(units, unit{readings: []string{k[r.start:r.end]}, word: true})
		}
	}
	if !han {
		return nil
	}
	choice := make([]int, len(units))
	out := []spelling{spellWith(units, choice)}
	for i, u := range units {
		for alt := 1; alt < len(u.readings) && len(out) < maxSpellings; alt++ {
			choice[i] = alt
			s := spellWith(units, choice)
			s.alt = true
			out = append(out, s)
		}
		choice[i] = 0
	}
	return out
}

// spellWith spells units with reading choice[i] of unit i.
func spellWith(units []unit, choice []int) spelling {
	var full, initials strings.Builder
	var ends uint64
	for i, u := range units {
		p := u.readings[choice[i]]
		full.WriteString(p)
		if full.Len() < 64 {
			ends |= 1 << full.Len()
		}
		if u.word {
			initials.WriteString(p)
		} else {
			initials.WriteByte(p[0])
		}
	}
	return spelling{full: full.String(), initials: initials.String(), ends: ends}
}

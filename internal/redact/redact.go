// Package redact blacks out contact details in text that goes public (the Open311 list, the
// public case views, what a case's followers see): personal information the reporter wrote into
// a description or a note must not be published (个人信息保护法 Art. 28/51; GB/T 35273-2020 去标识化
// before disclosure). It is the one place the rule lives: every public view calls Public.
//
// What is masked (replaced by ***): mainland mobile numbers (11 digits 1[3-9]…), with or without
// +86 / 86- / 0086, written with spaces, dots, dashes, underscores, slashes or brackets, in
// full-width digits or in Chinese digit words (一三九…, 幺, 〇/零); landlines with their area code
// (0595-22881234, (0595)2288 1234, +86 595 2288 1234), and 7–8 digit local numbers right after
// a word such as 电话/座机/联系/tel; resident ID numbers (18 characters with an X check digit, GB
// 11643; also the old 15-digit form); bank card numbers (16–19 digits in one piece); e-mail
// addresses; WeChat and QQ IDs after their label (微信号 abc_123, QQ 12345678: the label stays);
// the room of a flat (502室), which names a household.
//
// What stays: 400/800 service lines and short hotlines (12345, 95588) — they belong to
// organisations and the public needs them; case numbers (2026-000123, 20261127-0001), dates,
// times, house numbers (88号), amounts and other short numbers.
package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// mask replaces what is blacked out.
const mask = "***"

// Public returns text with contact details blacked out. Matching runs on a width-folded copy
// (full-width digits, letters, ＠ and brackets count as their ASCII forms); the result keeps the
// original characters everywhere else, full-width punctuation included.
func Public(text string) string {
	if !maybeContact(text) {
		return text
	}
	original := []rune(text)
	folded := fold(original)
	spans := digitSpans(folded)
	s := string(folded)
	for _, re := range []*regexp.Regexp{email, messenger, room} {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			start, end := m[2], m[3] // the first group is what is masked
			spans = append(spans, span{runeIndex(s, start), runeIndex(s, end)})
		}
	}
	if len(spans) == 0 {
		return text
	}
	masked := make([]bool, len(original))
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			masked[i] = true
		}
	}
	var b strings.Builder
	for i, r := range original {
		switch {
		case !masked[i]:
			b.WriteRune(r)
		case i == 0 || !masked[i-1]:
			b.WriteString(mask)
		}
	}
	return b.String()
}

type span struct{ start, end int } // rune indices, end exclusive

// chineseDigits are digit words people write phone numbers with (幺 is how 1 is read out).
var chineseDigits = map[rune]rune{'〇': '0', '零': '0', '一': '1', '幺': '1', '二': '2', '三': '3', '四': '4',
	'五': '5', '六': '6', '七': '7', '八': '8', '九': '9'}

// fold maps each rune to its narrow form (width.Fold) and Chinese digit words to digits, one rune
// for one rune, so indices in the folded text are indices in the original.
func fold(runes []rune) []rune {
	out := make([]rune, len(runes))
	for i, r := range runes {
		if d, ok := chineseDigits[r]; ok {
			out[i] = d
			continue
		}
		out[i] = r
		if f := width.LookupRune(r).Folded(); f != 0 {
			out[i] = f // width.Fold for one rune, without building strings
		}
		if out[i] == '\u3000' {
			out[i] = ' '
		}
	}
	return out
}

// maybeContact reports whether text holds anything every masked form needs: a letter or digit
// (ASCII or full-width) or a Chinese digit word. Text without one (most descriptions) is public as
// it is, without folding or matching: exports of a million cases pass through here.
func maybeContact(text string) bool {
	for _, r := range text {
		switch {
		case r < 0x80:
			if '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				return true
			}
		case '０' <= r && r <= '９', 'Ａ' <= r && r <= 'Ｚ', 'ａ' <= r && r <= 'ｚ':
			return true
		default:
			if _, ok := chineseDigits[r]; ok {
				return true
			}
		}
	}
	return false
}

func runeIndex(s string, byteOffset int) int { return utf8.RuneCountInString(s[:byteOffset]) }

var (
	email = regexp.MustCompile(`([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})`)
	// messenger finds a WeChat or QQ ID after its label; the ID is masked, the label stays.
	messenger = regexp.MustCompile(`(?i)(?:微信号?|weixin|wechat|vx|wx|v信|威信|qq号?|扣扣号?)\s*(?:号码|号|id)?\s*(?:是|为)?\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9_\-]{4,19})`)
	room      = regexp.MustCompile(`([0-9]{3,5})\s*(?:室|房)`)
)

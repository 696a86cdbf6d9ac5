// Package textsearch turns Chinese (and mixed) text into the tokens both storage engines index:
// overlapping character bigrams for runs of Han characters (路灯损坏 → 路灯 灯损 损坏) and
// lower-cased words for Latin letters and digits. The same tokens feed SQLite FTS5 and a
// PostgreSQL tsvector, so a 2-character word such as 噪音 is found alike on both.
package textsearch

import (
	"strings"
	"unicode"
)

// MaxRunes bounds how much of a text is indexed.
const MaxRunes = 4000

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isWord(r rune) bool {
	return (r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) || unicode.In(r, unicode.Latin) && unicode.IsLetter(r)
}

// Tokens returns the index tokens of text, in order, duplicates kept.
func Tokens(text string) []string {
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		switch len(han) {
		case 0:
		case 1:
			out = append(out, string(han))
		default:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	n := 0
	for _, r := range text {
		if n++; n > MaxRunes {
			break
		}
		switch {
		case isHan(r):
			flushWord()
			han = append(han, r)
		case isWord(r):
			flushHan()
			word = append(word, r)
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// Document is the space-separated token text stored for indexing.
func Document(parts ...string) string {
	var all []string
	for _, p := range parts {
		all = append(all, Tokens(p)...)
	}
	return strings.Join(all, " ")
}

// FTS5Query renders a query for SQLite FTS5 MATCH: each whitespace-separated part is a phrase,
// and all parts must match. Tokens are quoted, so no query text is FTS5 syntax.
func FTS5Query(query string) string {
	var parts []string
	for _, field := range strings.Fields(query) {
		toks := Tokens(field)
		if len(toks) == 0 {
			continue
		}
		parts = append(parts, `"`+strings.Join(toks, " ")+`"`)
	}
	return strings.Join(parts, " AND ")
}

// TSQuery renders a query for PostgreSQL to_tsquery('simple', …): phrases of adjacent tokens
// (<->) joined with AND (&). Tokens contain only letters and digits, so they need no escaping.
func TSQuery(query string) string {
	var parts []string
	for _, field := range strings.Fields(query) {
		toks := Tokens(field)
		if len(toks) == 0 {
			continue
		}
		parts = append(parts, "("+strings.Join(toks, " <-> ")+")")
	}
	return strings.Join(parts, " & ")
}

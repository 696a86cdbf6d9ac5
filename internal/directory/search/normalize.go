package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize is the form a query is logged under and compared in: full-width letters, digits and
// the ideographic space made half-width (ｓｈｅｂａｏ is shebao), lower case, punctuation, symbols and
// control characters read as spaces, inner spaces collapsed to one, trimmed.
func Normalize(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	space := false
	for _, r := range q { // an invalid byte arrives as U+FFFD, a symbol: a space
		r = fold(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fold makes a full-width ASCII character half-width and lower-cases letters.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	return unicode.ToLower(r)
}

// key is a normalised text with its spaces dropped: the form names, aliases and query phrases are
// compared in ("社保卡 (补办)" and "社保卡补办" are one key).
func key(s string) string {
	return strings.ReplaceAll(Normalize(s), " ", "")
}

// class is the kind of a run of characters in a query or a field.
type class uint8

const (
	classHan   class = iota + 1 // Chinese characters: segmented into words
	classLatin                  // a–z: a word, and maybe pinyin
	classDigit                  // 0–9: a word
	classOther                  // any other letter (kana, Cyrillic …): a word
)

func classOf(r rune) class {
	switch {
	case r >= 'a' && r <= 'z':
		return classLatin
	case r >= '0' && r <= '9':
		return classDigit
	case unicode.Is(unicode.Han, r):
		return classHan
	}
	return classOther
}

// run is a stretch of one class in a normalised text; start and end are byte offsets.
type run struct {
	start, end int
	class      class
}

// runs splits a normalised text at spaces and where the class of character changes
// (办shebao卡 is 办, shebao, 卡).
func runs(s string) []run {
	var out []run
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == ' ' {
			i += size
			continue
		}
		c := classOf(r)
		j := i + size
		for j < len(s) {
			r2, size2 := utf8.DecodeRuneInString(s[j:])
			if r2 == ' ' || classOf(r2) != c {
				break
			}
			j += size2
		}
		out = append(out, run{i, j, c})
		i = j
	}
	return out
}

// isPinyin reports whether s can be typed pinyin: a–z only.
func isPinyin(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// stopWords are words residents add around what they look for (哪里可以打疫苗, 我要办居住证,
// 社保卡丢了怎么办). They never decide a match: a query of stop-words only is a blank query. They
// are compared with whole words of the segmented query, so 办 in 补办 is not one.
var stopWords = setOf(
	"哪里", "哪儿", "哪", "在哪", "在哪里", "在哪儿", "去哪", "去哪里", "去哪儿", "哪个", "哪些", "哪家",
	"可以", "能", "能否", "能不能", "可不可以", "是否", "会",
	"怎么", "怎么办", "怎么样", "怎样", "如何", "咋", "咋办", "怎么弄", "怎么搞",
	"办理", "办", "要办", "去办", "想办", "办个", "办下", "一下", "弄", "搞",
	"我", "我要", "我想", "我们", "想", "想要", "要", "需要", "需", "得", "应该",
	"的", "了", "吗", "呢", "吧", "啊", "呀", "么", "嘛", "哦",
	"去", "在", "到", "给", "帮", "帮我", "请问", "请", "问", "问下", "问一下",
	"什么", "啥", "有", "有没有", "没有", "是", "都", "还", "和", "与", "及", "或", "跟",
	"附近", "最近", "这里", "那里", "这边", "那边", "现在", "今天",
	"流程", "手续", "材料", "条件", "要求", "地址", "电话", "时间", "多少钱", "收费", "地方",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

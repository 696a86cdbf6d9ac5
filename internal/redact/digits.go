package redact

import "strings"

// isSeparator tells the characters people put between the groups of a number.
func isSeparator(r rune) bool {
	return strings.ContainsRune(" -._/()~·—–", r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// token is one group of digits in a run (an ID's X check digit belongs to its group).
type token struct {
	start, end int // rune indices in the text
	digits     string
}

// digitSpans finds the contact numbers in folded text: it cuts the text into runs of digit
// groups joined by separators, then in each run takes, from each group on, the fewest groups
// that together read as a contact number.
func digitSpans(text []rune) []span {
	var spans []span
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		tokens, next := run(text, i)
		spans = append(spans, contacts(text, tokens)...)
		i = next
	}
	return spans
}

// run reads the digit groups starting at text[i], joined by at most three separators each
// ("139 - 1234").
func run(text []rune, i int) ([]token, int) {
	var tokens []token
	for i < len(text) && isDigit(text[i]) {
		t := token{start: i}
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		if i < len(text) && (text[i] == 'X' || text[i] == 'x') && (i+1 == len(text) || !isLetter(text[i+1])) {
			i++
		}
		t.end = i
		t.digits = string(text[t.start:t.end])
		tokens = append(tokens, t)
		j := i
		for j < len(text) && j-i < 3 && isSeparator(text[j]) {
			j++
		}
		if j == i || j == len(text) || !isDigit(text[j]) {
			break
		}
		i = j
	}
	return tokens, i
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// contacts returns the spans of the contact numbers among a run's groups.
func contacts(text []rune, tokens []token) []span {
	var spans []span
	for i := 0; i < len(tokens); i++ {
		digits := ""
		for j := i; j < len(tokens) && len(digits) < 22; j++ {
			digits += tokens[j].digits
			if !isContact(digits, text, tokens[i].start, j == i) {
				continue
			}
			start := tokens[i].start
			// A leading + or ( belongs to the number.
			for start > 0 && strings.ContainsRune("+(", text[start-1]) {
				start--
			}
			spans = append(spans, span{start, tokens[j].end})
			i = j
			break
		}
	}
	return spans
}

// isContact tells whether digits (the groups from start on; one group when single) read as a
// phone, ID or card number.
func isContact(digits string, text []rune, start int, single bool) bool {
	upper := strings.ToUpper(digits)
	if strings.HasSuffix(upper, "X") {
		// GB 11643: 17 digits and a check character.
		return len(upper) == 18 && !strings.ContainsRune(upper[:17], 'X')
	}
	international := start > 0 && text[start-1] == '+'
	rest := digits
	switch {
	case strings.HasPrefix(digits, "0086"):
		rest, international = digits[4:], true
	case strings.HasPrefix(digits, "86") && (international || len(digits) >= 12):
		rest, international = digits[2:], true
	}
	switch {
	case isMobile(rest), len(rest) >= 10 && len(rest) <= 12 && rest[0] == '0':
		return true
	case international && len(rest) >= 9 && len(rest) <= 11 && (rest[0] >= '2' || strings.HasPrefix(rest, "10")) && !isService(rest):
		return true // a landline after +86 drops the trunk 0: +86 595 2288 1234
	case len(digits) == 18 && (digits[0] >= '1' && digits[0] <= '9'):
		return true // resident ID
	case single && len(digits) == 15 && digits[0] >= '1' && digits[0] <= '8':
		return true // resident ID of the first generation (in one piece only)
	case single && len(digits) >= 16 && len(digits) <= 19 && digits[0] >= '3' && digits[0] <= '6':
		return true // bank card (UnionPay 62…, Visa 4…, Mastercard 5…, Amex/JCB 3…)
	case (len(digits) == 7 || len(digits) == 8) && digits[0] != '0' && digits[0] != '1' && afterPhoneWord(text, start):
		return true // a local number after 电话, 座机 …
	}
	return false
}

func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// isService tells 400/800 service lines (kept: they belong to organisations).
func isService(d string) bool {
	return len(d) == 10 && (strings.HasPrefix(d, "400") || strings.HasPrefix(d, "800"))
}

// phoneWords introduce a phone number.
var phoneWords = []string{"电话", "座机", "手机", "联系", "致电", "拨打", "号码", "tel", "phone", "call", "mobile"}

// afterPhoneWord tells whether one of phoneWords ends within a few characters before text[start].
func afterPhoneWord(text []rune, start int) bool {
	before := strings.ToLower(string(text[max(0, start-8):start]))
	for _, w := range phoneWords {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

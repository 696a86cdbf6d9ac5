package password

import (
	"bufio"
	"embed"
	"strings"
	"sync"
	"unicode"

	"github.com/trustelem/zxcvbn"
)

// Beyond length and character classes (等保 2.0, GB/T 22239-2019 8.1.4.1 a: 口令具有复杂度要求),
// a password must not be a common one (NIST SP 800-63B 5.1.1.2: compare against lists of
// commonly used or compromised values) and must resist a guessing estimator: Password12 and
// P@ssw0rd!! have three classes and ten characters, and are among the first guesses of any
// attacker.

//go:embed common.txt common_cn.txt
var lists embed.FS

// common is the set of common passwords (lower case), read once from the embedded lists.
var common = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10100)
	for _, name := range []string{"common.txt", "common_cn.txt"} {
		f, err := lists.Open(name)
		if err != nil {
			panic(err) // embedded at build time: cannot happen
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
				set[w] = struct{}{}
			}
		}
		f.Close()
	}
	return set
})

// IsCommon reports whether pw, or what is left of it without case, leet substitutions (p@ssw0rd)
// and the digits and symbols people put around a word (Password12, P@ssw0rd!!), is on the list.
func IsCommon(pw string) bool {
	set := common()
	for _, c := range variants(pw) {
		if _, ok := set[c]; ok {
			return true
		}
	}
	return false
}

// variants are the forms of pw checked against the list: lower case; the word inside trailing
// and leading digits/symbols (or digits only: @dmin123); each also with leet undone.
func variants(pw string) []string {
	lower := strings.ToLower(pw)
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	bases := []string{lower, strings.TrimFunc(lower, notLetter), strings.TrimFunc(lower, unicode.IsDigit)}
	var out []string
	for _, b := range bases {
		if len([]rune(b)) < 3 {
			continue
		}
		out = append(out, b, unleetI.Replace(b), unleetL.Replace(b))
	}
	return out
}

// Leet substitutions undone; 1 and ! stand for both i and l, hence two replacers.
var (
	unleetI = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "|", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")
	unleetL = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "l", "!", "l", "|", "l", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")
)

// MinScore is the lowest zxcvbn score accepted: 3 means at least 10^8 guesses, "safely
// unguessable" against online attacks and costly offline against argon2id.
const MinScore = 3

// estimateRunes bounds the estimator's input: its matching grows faster than linearly with
// length (a 256-character password took 5 s, 64 characters take at most 0.1 s), and a password
// whose first 64 characters are strong is strong.
const estimateRunes = 64

// Guessable reports whether the estimator (zxcvbn, Dropbox's, in the trustelem Go port) puts pw
// below MinScore: dictionary words, names, dates, keyboard runs, repeats, l33t. userInputs are
// words of this user and this site that an attacker would try first (username, name).
func Guessable(pw string, userInputs ...string) bool {
	if r := []rune(pw); len(r) > estimateRunes {
		pw = string(r[:estimateRunes])
	}
	words := append([]string{"yiwang", "wangge", "shequ", "jiedao", "zhengfu"}, userInputs...)
	return zxcvbn.PasswordStrength(pw, words).Score < MinScore
}

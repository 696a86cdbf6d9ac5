package search

import (
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// segmenter is gse with its simplified-Chinese dictionary (s_1.txt), loaded once per process on
// first use: loading takes about a second (several under the race detector) and holds ~130 MB.
// The dictionary is the one embedded in the gse module (build without the `ne` tag), so a deployed
// binary needs no files. Segmenting only reads the dictionary, so one segmenter serves every
// goroutine.
var segmenter = sync.OnceValue(func() *gse.Segmenter {
	seg := &gse.Segmenter{NotLoadHMM: true} // dictionary words only: the same text always splits alike
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		// LoadDictEmbed reads a string compiled into the binary; it has no failure to report.
		panic("search: load the embedded gse dictionary: " + err.Error())
	}
	return seg
})

// span is a word of a Han run: byte offsets into the run.
type span struct{ start, end int }

// hanWords segments a run of Chinese characters into its words (社保卡 申领) and, for words of
// three characters or more, the dictionary words inside them (社保 卡): gse's search mode. Two-character
// words are not split further, so 老年 is not a word of 养老年金 (养老 年金).
func hanWords(han string) (words, inner []span) {
	for _, s := range segmenter().Segment([]byte(han)) {
		words = append(words, span{s.Start(), s.End()})
		if utf8.RuneCountInString(han[s.Start():s.End()]) < 3 {
			continue
		}
		for _, sub := range s.Token().Segments() {
			inner = append(inner, span{s.Start() + sub.Start(), s.Start() + sub.End()})
		}
	}
	return words, inner
}

// wordStarts marks the byte offsets of k where a word starts: each run of one class (a Latin word, a
// number), each word of a Chinese run and each dictionary word inside a long one. A match that
// starts there is a match of a word; one that starts elsewhere is inside a word.
func wordStarts(k string) []bool {
	starts := make([]bool, len(k)+1)
	for _, r := range runs(k) {
		starts[r.start] = true
		if r.class != classHan {
			continue
		}
		words, inner := hanWords(k[r.start:r.end])
		for _, w := range append(words, inner...) {
			starts[r.start+w.start] = true
		}
	}
	return starts
}

// textWords returns the words of a normalised text that text-level matches look up: the words
// and inner words of its Chinese runs and its other runs whole.
func textWords(s string) []string {
	var out []string
	for _, r := range runs(s) {
		if r.class != classHan {
			out = append(out, s[r.start:r.end])
			continue
		}
		han := s[r.start:r.end]
		words, inner := hanWords(han)
		for _, w := range append(words, inner...) {
			out = append(out, han[w.start:w.end])
		}
	}
	return out
}
